//! A district's past written in bulk: finished inspection rounds with their findings, and
//! proposals with their supports and comments, as a year of use would have left them —
//! for a district loaded to be measured (`gongzhi bench-proactive`).
//!
//! The rows are the ones the app writes one at a time, with the same columns and what it
//! derives: a round's score is the domain's `score` of its findings, a proposal's
//! `supports` counts its support rows, phones are kept as the same digests. Many rows go
//! in one multi-row statement (`rows::values`), a batch in one transaction.

use std::collections::{HashMap, HashSet};

use gongzhi_domain::deliberation::{Hiding, NewProposal, ProposalStatus};
use gongzhi_domain::inspection::{self, Mark, RoundStatus};
use gongzhi_domain::time::Millis;
use sqlx::Row;

use crate::deliberation::phone_hash;
use crate::rows::values;
use crate::{Result, Store, StoreError};

/// Most parameters one statement binds: well under both databases' limits.
const PARAMETERS: usize = 10_000;

/// A round as an inspector did it: every item marked when it is finished; one left open
/// (`finished_at` none) is finished later through the app, which makes its
/// rectifications.
#[derive(Debug, Clone, PartialEq)]
pub struct PastRound {
    pub point_id: i64,
    pub checklist_id: i64,
    pub campaign_id: Option<i64>,
    pub inspector_id: i64,
    pub started_at: Millis,
    pub finished_at: Option<Millis>,
    pub findings: Vec<PastFinding>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PastFinding {
    pub item_id: i64,
    pub mark: Mark,
    pub note: String,
    pub marked_at: Millis,
}

/// A proposal with the supports (phone, when) and comments residents gave it. It stays
/// open: decisions are a meeting's, taken through the app.
#[derive(Debug, Clone, PartialEq)]
pub struct PastProposal {
    pub new: NewProposal,
    pub recorded_by: Option<i64>,
    pub created_at: Millis,
    pub supports: Vec<(String, Millis)>,
    pub comments: Vec<PastComment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PastComment {
    pub author_name: String,
    pub phone: String,
    pub body: String,
    pub created_at: Millis,
    pub hidden: Option<Hiding>,
}

/// Rows per statement for a table of `width` columns.
fn per_statement(width: usize) -> usize {
    (PARAMETERS / width).max(1)
}

impl Store {
    /// Rounds on a checklist, finished or not.
    pub async fn rounds_on(&self, checklist_id: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) AS n FROM inspection_rounds WHERE checklist_id = $1")
            .bind(checklist_id)
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }

    /// Every proposal, whatever its state.
    pub async fn proposal_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) AS n FROM proposals").fetch_one(self.pool()).await?;
        Ok(n)
    }

    /// Refreshes the statistics and visibility map of the tables a history was loaded
    /// into, as `analyze` does for requests: a period's rankings and worst items are then
    /// read from their indexes alone, not from the tables for every row.
    pub async fn analyze_history(&self) -> Result<()> {
        if self.backend() == crate::Backend::Postgres {
            sqlx::query(
                "VACUUM (ANALYZE) inspection_rounds, inspection_findings, round_failures, proposals, proposal_supports, \
                 proposal_comments",
            )
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }

    /// Writes rounds with their findings in one transaction, in the order given; returns
    /// their ids. A finished round must have every item of its checklist marked.
    pub async fn load_rounds(&self, rounds: &[PastRound]) -> Result<Vec<i64>> {
        let mut points: HashMap<i64, HashMap<i64, u32>> = HashMap::new();
        for round in rounds {
            if !points.contains_key(&round.checklist_id) {
                let items: Vec<(i64, i64)> =
                    sqlx::query_as("SELECT id, points FROM checklist_items WHERE checklist_id = $1")
                        .bind(round.checklist_id)
                        .fetch_all(self.pool())
                        .await?;
                points.insert(round.checklist_id, items.into_iter().map(|(id, p)| (id, p as u32)).collect());
            }
        }
        let mut tx = self.pool().begin().await?;
        let mut ids = Vec::with_capacity(rounds.len());
        for chunk in rounds.chunks(per_statement(10)) {
            let sql = format!(
                "INSERT INTO inspection_rounds (point_id, checklist_id, campaign_id, inspector_id, status, started_at, \
                 finished_at, earned, possible, failed) VALUES {} RETURNING id",
                values(self.backend(), chunk.len(), 10, "")
            );
            let mut query = sqlx::query(&sql);
            for round in chunk {
                let items = &points[&round.checklist_id];
                let marks: HashMap<i64, Mark> = round.findings.iter().map(|f| (f.item_id, f.mark)).collect();
                if let Some(unknown) = marks.keys().find(|id| !items.contains_key(id)) {
                    return Err(StoreError::Invalid(format!("item {unknown} is not on the round's checklist")));
                }
                let score = inspection::score(items.iter().map(|(id, points)| (*points, marks.get(id).copied())));
                let status = match round.finished_at {
                    Some(_) if score.unmarked > 0 => {
                        return Err(StoreError::Invalid(format!("{} items are not marked", score.unmarked)))
                    }
                    Some(_) => RoundStatus::Finished,
                    None => RoundStatus::Open,
                };
                // An open round's score is kept only when it finishes.
                let kept = if round.finished_at.is_some() { score } else { Default::default() };
                query = query
                    .bind(round.point_id)
                    .bind(round.checklist_id)
                    .bind(round.campaign_id)
                    .bind(round.inspector_id)
                    .bind(status.as_str())
                    .bind(round.started_at)
                    .bind(round.finished_at)
                    .bind(i64::from(kept.earned))
                    .bind(i64::from(kept.possible))
                    .bind(i64::from(kept.failed));
            }
            let mut made: Vec<i64> =
                query.fetch_all(&mut *tx).await?.iter().map(|r| r.try_get("id")).collect::<sqlx::Result<_>>()?;
            // Ids are handed out in the order of the values; sorted, they pair with them.
            made.sort_unstable();
            ids.extend(made);
        }
        let findings: Vec<(i64, &PastFinding)> =
            ids.iter().zip(rounds).flat_map(|(id, round)| round.findings.iter().map(move |f| (*id, f))).collect();
        for chunk in findings.chunks(per_statement(5)) {
            let sql = format!(
                "INSERT INTO inspection_findings (round_id, item_id, mark, note, marked_at) VALUES {}",
                values(self.backend(), chunk.len(), 5, "")
            );
            let mut query = sqlx::query(&sql);
            for (round_id, f) in chunk {
                query =
                    query.bind(*round_id).bind(f.item_id).bind(f.mark.as_str()).bind(f.note.trim()).bind(f.marked_at);
            }
            query.execute(&mut *tx).await?;
        }
        // As `finish_round` keeps them: the failed items of the finished rounds.
        crate::inspection::keep_failures(&mut tx, &ids).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Writes open proposals with their supports and comments in one transaction, in the
    /// order given; returns their ids. A phone supports a proposal once, as at the
    /// portal.
    pub async fn load_proposals(&self, proposals: &[PastProposal]) -> Result<Vec<i64>> {
        let paths: HashMap<i64, String> = self.units().await?.into_iter().map(|u| (u.id, u.path)).collect();
        let supports: Vec<Vec<(String, Millis)>> = proposals
            .iter()
            .map(|p| {
                let mut seen = HashSet::new();
                p.supports
                    .iter()
                    .map(|(phone, at)| (phone_hash(phone), *at))
                    .filter(|(h, _)| seen.insert(h.clone()))
                    .collect()
            })
            .collect();
        let mut tx = self.pool().begin().await?;
        let mut ids = Vec::with_capacity(proposals.len());
        let mut offset = 0;
        for chunk in proposals.chunks(per_statement(12)) {
            let sql = format!(
                "INSERT INTO proposals (kind, channel, unit_id, unit_path, title, content, proposer_name, \
                 proposer_phone, status, supports, recorded_by, created_at) VALUES {} RETURNING id",
                values(self.backend(), chunk.len(), 12, "")
            );
            let mut query = sqlx::query(&sql);
            for (i, p) in chunk.iter().enumerate() {
                let path = paths.get(&p.new.unit_id).ok_or(StoreError::UnknownUnit(p.new.unit_id))?;
                query = query
                    .bind(p.new.kind.as_str())
                    .bind(p.new.channel.as_str())
                    .bind(p.new.unit_id)
                    .bind(path.as_str())
                    .bind(p.new.title.trim())
                    .bind(p.new.content.trim())
                    .bind(p.new.proposer_name.trim())
                    .bind(gongzhi_domain::phone::normalize(&p.new.proposer_phone))
                    .bind(ProposalStatus::Open.as_str())
                    .bind(supports[offset + i].len() as i64)
                    .bind(p.recorded_by)
                    .bind(p.created_at);
            }
            offset += chunk.len();
            let mut made: Vec<i64> =
                query.fetch_all(&mut *tx).await?.iter().map(|r| r.try_get("id")).collect::<sqlx::Result<_>>()?;
            made.sort_unstable();
            ids.extend(made);
        }
        let rows: Vec<(i64, &(String, Millis))> =
            ids.iter().zip(&supports).flat_map(|(id, s)| s.iter().map(move |row| (*id, row))).collect();
        for chunk in rows.chunks(per_statement(3)) {
            let sql = format!(
                "INSERT INTO proposal_supports (proposal_id, phone_hash, created_at) VALUES {}",
                values(self.backend(), chunk.len(), 3, "")
            );
            let mut query = sqlx::query(&sql);
            for (id, (hash, at)) in chunk {
                query = query.bind(*id).bind(hash.as_str()).bind(*at);
            }
            query.execute(&mut *tx).await?;
        }
        let comments: Vec<(i64, &PastComment)> =
            ids.iter().zip(proposals).flat_map(|(id, p)| p.comments.iter().map(move |c| (*id, c))).collect();
        for chunk in comments.chunks(per_statement(8)) {
            let sql = format!(
                "INSERT INTO proposal_comments (proposal_id, author_name, phone_hash, body, created_at, hidden_by, \
                 hidden_at, hidden_reason) VALUES {}",
                values(self.backend(), chunk.len(), 8, "")
            );
            let mut query = sqlx::query(&sql);
            for (id, c) in chunk {
                let hidden = c.hidden.as_ref();
                query = query
                    .bind(*id)
                    .bind(c.author_name.trim())
                    .bind(phone_hash(&c.phone))
                    .bind(c.body.trim())
                    .bind(c.created_at)
                    .bind(hidden.map(|h| h.by))
                    .bind(hidden.map(|h| h.at))
                    .bind(hidden.map(|h| h.reason.trim().to_string()));
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(ids)
    }
}
