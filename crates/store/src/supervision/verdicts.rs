//! Unsatisfied closures: requests whose requester said 未解决 or 不满意, by when they
//! said it, for supervisors to look into. A request reopened since stays listed, now in
//! hand again, until a new verdict replaces the old one — as it does in the figures.

use std::collections::HashMap;

use chrono::NaiveDate;
use gongzhi_domain::role::Staff;
use gongzhi_domain::Request;
use serde::Serialize;
use sqlx::Row;

use super::{page, period, prefix};
use crate::{rows, Listing, Result, Store};

/// An unsatisfied verdict and the request it is on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub request: Request,
    /// What the requester wrote with it.
    pub comment: String,
}

/// Which unsatisfied closures to list: those of a unit's subtree (the unit that handled
/// them), or of the whole scope, whose verdicts fell on the local dates `from..=to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictFilter {
    pub unit_path: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The condition is written as the partial index `requests_unsatisfied` (migration 0014)
/// has it, so that both databases read a period from that index.
const UNSATISFIED: &str = "(satisfaction = 'unsatisfied' OR solved = 0) AND evaluated_at >= $1 AND evaluated_at < $2 \
     AND (unit_path LIKE $3 OR assignee_path LIKE $3) AND COALESCE(assignee_path, unit_path) LIKE $4";

impl Store {
    /// The unsatisfied closures in the staff member's scope, newest verdict first.
    pub async fn unsatisfied(
        &self,
        staff: &Staff,
        filter: &VerdictFilter,
        offset: i64,
        limit: i64,
    ) -> Result<Listing<Verdict>> {
        let (offset, limit) = page(offset, limit);
        let (from, to) = period(filter.from, filter.to)?;
        let unit = filter.unit_path.as_ref().map(|path| format!("{path}%")).unwrap_or_else(|| prefix(staff));
        let sql = format!(
            "SELECT {} FROM requests WHERE {UNSATISFIED} ORDER BY evaluated_at DESC, id DESC LIMIT $5 OFFSET $6",
            rows::select_columns()
        );
        let found = sqlx::query(&sql)
            .bind(from)
            .bind(to)
            .bind(prefix(staff))
            .bind(unit.as_str())
            .bind(limit)
            .bind(offset)
            .fetch_all(self.pool())
            .await?;
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM requests WHERE {UNSATISFIED}"))
            .bind(from)
            .bind(to)
            .bind(prefix(staff))
            .bind(unit.as_str())
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        let requests = found.iter().map(rows::request_from_row).collect::<Result<Vec<_>>>()?;
        let mut comments = self.verdict_comments(&requests).await?;
        let items = requests
            .into_iter()
            .map(|request| Verdict { comment: comments.remove(&request.id).unwrap_or_default(), request })
            .collect();
        Ok(Listing { items, total })
    }

    /// The comment of each request's latest verdict, from its events.
    async fn verdict_comments(&self, requests: &[Request]) -> Result<HashMap<i64, String>> {
        if requests.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT request_id, note FROM events WHERE request_id IN ({}) AND action = 'evaluate' ORDER BY id",
            rows::placeholders(1, requests.len())
        );
        let mut query = sqlx::query(&sql);
        for request in requests {
            query = query.bind(request.id);
        }
        let mut comments = HashMap::new();
        for row in query.fetch_all(self.pool()).await? {
            comments.insert(row.try_get("request_id")?, row.try_get("note")?);
        }
        Ok(comments)
    }
}
