//! The three lists (三张清单) of a cadre or of a unit's subtree for a period: the requests
//! claimed in it, each with its progress notes and the review rules it breaks.
//!
//! A cadre's claims come from the (handler_id, claimed_at) index, a unit's from the
//! (claimed_at, assignee_path) one; the notes of a page's requests are read by request
//! id. Nothing scans the requests table.

use std::collections::HashMap;

use chrono::NaiveDate;
use gongzhi_domain::lists::{Entry, Note, Summary};
use gongzhi_domain::role::Staff;
use gongzhi_domain::unit::path_ids;
use gongzhi_domain::{Request, Status};
use sea_query::{Alias, Cond, Expr, Order, PostgresQueryBuilder, Query};
use sqlx::Row;

use crate::figures::instants;
use crate::queries::{bind, col};
use crate::{rows, Listing, Result, Store, StoreError};

/// Whose lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The requests a cadre (a staff user) claimed.
    Cadre(i64),
    /// The requests claimed by anyone in a unit's subtree.
    Unit(i64),
}

/// Which claims: the owner's, in the local dates `from..=to`, all of them or only those
/// now resolved or closed (the 办结 of the summary line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claims {
    pub owner: Owner,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub closed_only: bool,
}

/// Largest page of entries one call returns: as many as a spreadsheet export carries, so
/// that an export is one query.
pub const MAX_ENTRIES: i64 = 100_000;

/// Requests, or their progress notes, read in one statement.
const AT_ONCE: usize = 500;

impl Store {
    /// Checks that the viewer may see the owner's lists, and says which claims they are.
    async fn condition(&self, viewer: &Staff, claims: &Claims) -> Result<Cond> {
        let (start, end) = instants(claims.from, claims.to)?;
        let period = Cond::all().add(col("claimed_at").gte(start)).add(col("claimed_at").lt(end));
        match claims.owner {
            Owner::Cadre(user_id) => {
                let cadre = self.account(user_id).await.map_err(|_| StoreError::NotFound)?;
                if cadre.id != viewer.user_id && !viewer.covers(&cadre.unit_path) {
                    return Err(StoreError::NotFound);
                }
                Ok(period.add(col("handler_id").eq(user_id)))
            }
            Owner::Unit(unit_id) => {
                let unit = self.unit(unit_id).await.map_err(|_| StoreError::NotFound)?;
                if !viewer.covers(&unit.path) {
                    return Err(StoreError::NotFound);
                }
                // At the root every claim is in scope.
                Ok(if path_ids(&unit.path).count() > 1 {
                    period.add(col("assignee_path").like(format!("{}%", unit.path)))
                } else {
                    period
                })
            }
        }
    }

    /// The summary line of the owner's claims and one page of the entries asked for,
    /// latest claim first. The summary counts all the claims of the period.
    pub async fn lists(
        &self,
        viewer: &Staff,
        claims: &Claims,
        offset: i64,
        limit: i64,
    ) -> Result<(Summary, Listing<Entry>)> {
        let condition = self.condition(viewer, claims).await?;
        let mut count = Query::select();
        count
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("claimed"))
            .expr_as(
                Expr::cust(
                    "CAST(COALESCE(SUM(CASE WHEN status IN ('resolved', 'closed') THEN 1 ELSE 0 END), 0) AS BIGINT)",
                ),
                Alias::new("closed"),
            )
            .from(Alias::new("requests"))
            .cond_where(condition.clone());
        let (sql, values) = count.build(PostgresQueryBuilder);
        let row = bind(&sql, values).fetch_one(self.pool()).await?;
        let summary = Summary { claimed: row.try_get("claimed")?, closed: row.try_get("closed")? };

        let mut page = Query::select();
        let condition = if claims.closed_only {
            condition.add(col("status").is_in([Status::Resolved.as_str(), Status::Closed.as_str()]))
        } else {
            condition
        };
        page.column(Alias::new("id"))
            .from(Alias::new("requests"))
            .cond_where(condition)
            .order_by(Alias::new("claimed_at"), Order::Desc)
            .order_by(Alias::new("id"), Order::Desc)
            .limit(limit.clamp(1, MAX_ENTRIES) as u64)
            .offset(offset.max(0) as u64);
        let (sql, values) = page.build(PostgresQueryBuilder);
        let ids: Vec<i64> = bind(&sql, values)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<_, _>>()?;
        // The ids first, then the requests a few hundred at a time: a year of a busy
        // cadre's claims is 89,000 whole requests, texts and all, which the entries
        // mostly leave behind.
        let mut items = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(AT_ONCE) {
            let mut requests: HashMap<i64, Request> =
                self.requests_with_ids(chunk).await?.into_iter().map(|r| (r.id, r)).collect();
            let mut notes = self.progress_notes(chunk).await?;
            items.extend(chunk.iter().filter_map(|id| requests.remove(id)).map(|r| {
                let measures = notes.remove(&r.id).unwrap_or_default();
                Entry::of(&r, measures)
            }));
        }
        let total = if claims.closed_only { summary.closed } else { summary.claimed };
        Ok((summary, Listing { items, total }))
    }

    /// The progress notes of these requests, oldest first: the measures taken.
    async fn progress_notes(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<Note>>> {
        let mut notes: HashMap<i64, Vec<Note>> = HashMap::new();
        for chunk in ids.chunks(AT_ONCE) {
            let sql = format!(
                "SELECT request_id, at, note FROM events WHERE action = 'progress' AND request_id IN ({}) ORDER BY id",
                rows::placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(self.pool()).await? {
                notes
                    .entry(row.try_get("request_id")?)
                    .or_default()
                    .push(Note { at: row.try_get("at")?, text: row.try_get("note")? });
            }
        }
        Ok(notes)
    }
}
