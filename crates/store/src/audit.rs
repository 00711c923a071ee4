//! `audit verify` as one call: the chain's links, the chain against its anchors, and
//! every request's row against its events.

use serde::Serialize;

use crate::anchors::Anchor;
use crate::chain::ChainReport;
use crate::replay::ReplayReport;
use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub chain: ChainReport,
    pub replay: ReplayReport,
}

impl AuditReport {
    /// Nothing found: every link holds, every anchor agrees, every row matches.
    pub fn is_clean(&self) -> bool {
        self.chain.is_intact() && self.replay.mismatch_count == 0
    }
}

impl Store {
    /// Checks everything the audit trail can prove. `anchors` are those kept outside the
    /// database (checkpoint files, printed bulletins); the published bulletins' own are
    /// added.
    pub async fn audit(&self, anchors: &[Anchor]) -> Result<AuditReport> {
        let mut all = anchors.to_vec();
        all.extend(self.bulletin_anchors().await?);
        let chain = self.verify_chain_against(&all).await?;
        let replay = self.replay().await?;
        Ok(AuditReport { chain, replay })
    }
}
