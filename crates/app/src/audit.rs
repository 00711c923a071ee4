//! What anchors the audit chain outside the database, and who saw what: signed
//! checkpoints of the chain's head, and the record of staff who saw requesters' phone
//! numbers.

use gongzhi_store::{Anchor, Store};

use crate::Result;

/// Signs the audit chain's head as it stands now.
pub async fn checkpoint(store: &Store) -> Result<Anchor> {
    Ok(store.checkpoint().await?)
}

/// Records that a staff member saw the real phone numbers of these requests'
/// requesters. Queued behind other writes rather than waited for, so reading stays fast.
pub async fn saw_phones(store: &Store, user_id: i64, request_ids: Vec<i64>) {
    store.log_pii_access(user_id, request_ids).await
}
