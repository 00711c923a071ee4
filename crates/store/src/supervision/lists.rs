//! The supervisor's lists: entries that break the review rules, and open work that is
//! stale (no step for some working days) or overdue, by unit and by cadre.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::supervision::review::{self, Rule};
use gongzhi_domain::supervision::stale::{idle_working_days, WORK_ACTIONS};
use gongzhi_domain::time::{Millis, DAY};
use gongzhi_domain::Status;
use serde::Serialize;
use sqlx::Row;

use super::{page, period, require_supervisor};
use crate::{rows, Listing, Result, Store, StoreError};

/// A finished entry that broke review rules at its last review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewFlag {
    pub request_id: i64,
    /// The unit that handled it, whose entry it is.
    pub unit_id: i64,
    pub handler_id: Option<i64>,
    pub rules: Vec<Rule>,
    pub first_resolved_at: Millis,
    pub checked_at: Millis,
}

/// What one review did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReviewRun {
    pub checked: i64,
    pub flagged: i64,
}

/// Open work that is stale, overdue, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Late {
    pub request_id: i64,
    pub number: String,
    pub title: String,
    pub status: Status,
    pub unit_id: Option<i64>,
    pub handler_id: Option<i64>,
    pub resolve_by: Option<Millis>,
    /// The last step a unit took on it.
    pub last_step: Millis,
    pub idle_days: u32,
    pub stale: bool,
    pub overdue: bool,
}

/// The late work of one unit or one cadre.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LateGroup {
    /// A unit id, or a user id for a cadre (none for work nobody has claimed).
    pub id: Option<i64>,
    pub stale: i64,
    pub overdue: i64,
    pub request_ids: Vec<i64>,
}

/// Stale and overdue work of a subtree now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lateness {
    pub stale_days: u32,
    pub items: Vec<Late>,
    pub by_unit: Vec<LateGroup>,
    pub by_cadre: Vec<LateGroup>,
}

/// How many requests one review step reads at a time.
pub(crate) const CHUNK: usize = 400;
/// Days back the timer reviews each time it runs.
pub const RECENT_DAYS: i64 = 14;

impl Store {
    /// Reviews the finished entries handled in a supervisor's subtree and first resolved
    /// in the period, and keeps the flags of those that break a rule.
    pub async fn review_entries(
        &self,
        staff: &Staff,
        from: NaiveDate,
        to: NaiveDate,
        now: Millis,
    ) -> Result<ReviewRun> {
        require_supervisor(staff)?;
        let (start, end) = period(from, to)?;
        self.review_path(&staff.unit_path, start, end, now).await
    }

    /// Reviews the whole tree's entries of the last days: the timer's part.
    pub async fn review_recent(&self, now: Millis) -> Result<ReviewRun> {
        self.review_path("/", now - RECENT_DAYS * DAY, now + 1, now).await
    }

    async fn review_path(&self, path: &str, start: Millis, end: Millis, now: Millis) -> Result<ReviewRun> {
        let ids: Vec<i64> = sqlx::query(
            "SELECT id FROM requests WHERE first_resolved_at >= $1 AND first_resolved_at < $2 \
             AND (assignee_path LIKE $3 OR (assignee_path IS NULL AND unit_path LIKE $3))",
        )
        .bind(start)
        .bind(end)
        .bind(format!("{path}%"))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
        let mut run = ReviewRun::default();
        for chunk in ids.chunks(CHUNK) {
            let list = rows::placeholders(1, chunk.len());
            let sql = format!("SELECT {} FROM requests WHERE id IN ({list})", rows::select_columns());
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            let requests = query.fetch_all(self.pool()).await?;
            let sql =
                format!("SELECT request_id, note FROM events WHERE action = 'progress' AND request_id IN ({list})");
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            let mut notes: HashMap<i64, Vec<String>> = HashMap::new();
            for row in query.fetch_all(self.pool()).await? {
                notes.entry(row.try_get("request_id")?).or_default().push(row.try_get("note")?);
            }
            let mut tx = self.pool().begin().await?;
            let sql = format!("DELETE FROM review_flags WHERE request_id IN ({list})");
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut *tx).await?;
            for row in &requests {
                let request = rows::request_from_row(row)?;
                let empty = Vec::new();
                let broken =
                    review::check(&request, notes.get(&request.id).unwrap_or(&empty).iter().map(String::as_str));
                run.checked += 1;
                if broken.is_empty() {
                    continue;
                }
                run.flagged += 1;
                let rules: Vec<&str> = broken.iter().map(|r| r.as_str()).collect();
                sqlx::query(
                    "INSERT INTO review_flags (request_id, unit_id, unit_path, place_path, handler_id, rules, \
                     first_resolved_at, checked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(request.id)
                .bind(request.assignee_unit_id.unwrap_or(request.new.unit_id))
                .bind(request.assignee_path.as_deref().unwrap_or(&request.unit_path))
                .bind(request.unit_path.as_str())
                .bind(request.handler_id)
                .bind(rules.join(","))
                .bind(request.first_resolved_at.unwrap_or(now))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        }
        Ok(run)
    }

    /// Flagged entries, newest first: a supervisor's or leader's subtree, a handler's own
    /// unit.
    pub async fn review_flags(&self, staff: &Staff, offset: i64, limit: i64) -> Result<Listing<ReviewFlag>> {
        let (offset, limit) = page(offset, limit);
        let scope = match staff.role {
            Role::Supervisor | Role::Leader => format!("{}%", staff.unit_path),
            Role::Handler => staff.unit_path.clone(),
            _ => return Ok(Listing { items: Vec::new(), total: 0 }),
        };
        let rows = sqlx::query(
            "SELECT request_id, unit_id, handler_id, rules, first_resolved_at, checked_at FROM review_flags \
             WHERE unit_path LIKE $1 ORDER BY first_resolved_at DESC, request_id DESC LIMIT $2 OFFSET $3",
        )
        .bind(scope.as_str())
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let items = rows
            .iter()
            .map(|row| {
                let rules: String = row.try_get("rules")?;
                Ok(ReviewFlag {
                    request_id: row.try_get("request_id")?,
                    unit_id: row.try_get("unit_id")?,
                    handler_id: row.try_get("handler_id")?,
                    rules: rules.split(',').filter_map(Rule::parse).collect(),
                    first_resolved_at: row.try_get("first_resolved_at")?,
                    checked_at: row.try_get("checked_at")?,
                })
            })
            .collect::<Result<_>>()?;
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM review_flags WHERE unit_path LIKE $1")
            .bind(scope.as_str())
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        Ok(Listing { items, total })
    }

    /// Open work of a subtree with no step for `stale_days` working days, or past its
    /// deadline, with the counts by unit and by cadre. Open work is a small share of all
    /// requests, found by the status index.
    pub async fn lateness(&self, staff: &Staff, stale_days: u32, now: Millis) -> Result<Lateness> {
        if !matches!(staff.role, Role::Supervisor | Role::Leader) {
            return Err(StoreError::NotFound);
        }
        let steps = WORK_ACTIONS.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT r.id, r.number, r.title, r.status, r.assignee_unit_id, r.handler_id, r.resolve_by, r.created_at, \
             (SELECT MAX(e.at) FROM events e WHERE e.request_id = r.id AND e.action IN ({steps})) AS last_step \
             FROM requests r WHERE r.status IN ('dispatched', 'in_progress') \
             AND (r.assignee_path LIKE $1 OR r.unit_path LIKE $1)"
        );
        let rows = sqlx::query(&sql).bind(format!("{}%", staff.unit_path)).fetch_all(self.pool()).await?;
        let calendar = &self.settings().calendar;
        let mut items = Vec::new();
        for row in &rows {
            let status: String = row.try_get("status")?;
            let last_step: Option<Millis> = row.try_get("last_step")?;
            let last_step = match last_step {
                Some(at) => at,
                None => row.try_get("created_at")?,
            };
            let resolve_by: Option<Millis> = row.try_get("resolve_by")?;
            let idle_days = idle_working_days(calendar, last_step, now, stale_days.max(1) * 10);
            let stale = idle_days >= stale_days.max(1);
            let overdue = resolve_by.is_some_and(|due| due < now);
            if !(stale || overdue) {
                continue;
            }
            items.push(Late {
                request_id: row.try_get("id")?,
                number: row.try_get("number")?,
                title: row.try_get("title")?,
                status: Status::parse(&status).unwrap_or(Status::InProgress),
                unit_id: row.try_get("assignee_unit_id")?,
                handler_id: row.try_get("handler_id")?,
                resolve_by,
                last_step,
                idle_days,
                stale,
                overdue,
            });
        }
        items.sort_by_key(|l| {
            (!l.overdue, l.resolve_by.unwrap_or(i64::MAX), std::cmp::Reverse(l.idle_days), l.request_id)
        });
        let group = |key: fn(&Late) -> Option<i64>| {
            let mut groups: BTreeMap<Option<i64>, LateGroup> = BTreeMap::new();
            for late in &items {
                let group =
                    groups.entry(key(late)).or_insert_with(|| LateGroup { id: key(late), ..LateGroup::default() });
                group.stale += i64::from(late.stale);
                group.overdue += i64::from(late.overdue);
                group.request_ids.push(late.request_id);
            }
            let mut groups: Vec<LateGroup> = groups.into_values().collect();
            groups.sort_by_key(|g| std::cmp::Reverse((g.overdue + g.stale, g.overdue)));
            groups
        };
        let by_unit = group(|l| l.unit_id);
        let by_cadre = group(|l| l.handler_id);
        Ok(Lateness { stale_days, items, by_unit, by_cadre })
    }
}
