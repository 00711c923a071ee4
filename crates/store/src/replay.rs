//! Replaying every request's events against its row: each event must start where the one
//! before it ended — its state, and each column it changed — and the row must hold what
//! the events recorded (`crate::snapshot`).
//! Requests are read in id order a chunk at a time with their events, so a million
//! requests take no more memory than a thousand.
//!
//! Events written before the snapshots (old format) say only where each action moved
//! the request: for those requests the state is checked, and every column that a later
//! event recorded, and the report counts them as partly checked.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{Executor, Row};

use crate::chain::FORMAT;
use crate::snapshot::{self, Recorded, COLUMNS};
use crate::{rows, Backend, Result, Store};

/// Most mismatches a report lists; it counts them all.
pub const MAX_MISMATCHES: usize = 100;

/// Requests read at a time.
const CHUNK: i64 = 1_000;

/// A request whose row is not what its events say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub request_id: i64,
    /// Empty when the row is gone.
    pub number: String,
    /// A column of the row; `row` when the row is missing, `events` when the events are,
    /// `history` when one event does not start where the one before ended.
    pub field: String,
    /// The value in the row.
    pub row: String,
    /// The value the events recorded.
    pub events: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReplayReport {
    pub requests: i64,
    /// Requests whose every column was compared with what their events recorded.
    pub fully_checked: i64,
    /// Requests with events from before the snapshots: their state, and the columns
    /// later events recorded, were compared.
    pub partly_checked: i64,
    /// The first `MAX_MISMATCHES`, in request order.
    pub mismatches: Vec<Mismatch>,
    pub mismatch_count: i64,
}

impl ReplayReport {
    fn mismatch(&mut self, request_id: i64, number: &str, field: &str, row: String, events: String) {
        self.mismatch_count += 1;
        if self.mismatches.len() < MAX_MISMATCHES {
            let (number, field) = (number.to_string(), field.to_string());
            self.mismatches.push(Mismatch { request_id, number, field, row, events });
        }
    }
}

/// What replay needs of an event.
struct Step {
    id: i64,
    from_status: String,
    to_status: String,
    format: i64,
    snapshot: String,
}

impl Store {
    /// Replays every request's events and compares the outcome with its row.
    pub async fn replay(&self) -> Result<ReplayReport> {
        let mut report = ReplayReport::default();
        let requests_sql =
            format!("SELECT {} FROM requests WHERE id > $1 ORDER BY id LIMIT $2", rows::select_columns());
        let steps = "SELECT id, request_id, from_status, to_status, format, snapshot FROM events";
        let mut after = 0;
        loop {
            // A chunk's rows and events from one snapshot, so that an action committed
            // meanwhile is seen in both or in neither.
            let mut tx = self.pool().begin().await?;
            if self.backend() == Backend::Postgres {
                tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?;
            }
            let requests = sqlx::query(&requests_sql).bind(after).bind(CHUNK).fetch_all(&mut *tx).await?;
            let last = requests.last().map(|row| row.try_get::<i64, _>("id")).transpose()?;
            // The last chunk also takes the events of any request past the last row.
            let events = match last.filter(|_| requests.len() as i64 == CHUNK) {
                Some(last) => {
                    let sql = format!("{steps} WHERE request_id > $1 AND request_id <= $2 ORDER BY request_id, id");
                    sqlx::query(&sql).bind(after).bind(last).fetch_all(&mut *tx).await?
                }
                None => {
                    let sql = format!("{steps} WHERE request_id > $1 ORDER BY request_id, id");
                    sqlx::query(&sql).bind(after).fetch_all(&mut *tx).await?
                }
            };
            tx.commit().await?;
            let mut histories: BTreeMap<i64, (Option<&AnyRow>, Vec<Step>)> = BTreeMap::new();
            for row in &requests {
                histories.entry(row.try_get("id")?).or_default().0 = Some(row);
            }
            for row in &events {
                histories.entry(row.try_get("request_id")?).or_default().1.push(Step {
                    id: row.try_get("id")?,
                    from_status: row.try_get("from_status")?,
                    to_status: row.try_get("to_status")?,
                    format: row.try_get("format")?,
                    snapshot: row.try_get("snapshot")?,
                });
            }
            for (id, (row, steps)) in histories {
                check(&mut report, id, row, &steps);
            }
            match last {
                Some(last) if requests.len() as i64 == CHUNK => after = last,
                _ => break,
            }
        }
        Ok(report)
    }
}

/// Compares one request's row with its events.
fn check(report: &mut ReplayReport, id: i64, row: Option<&AnyRow>, steps: &[Step]) {
    let Some(row) = row else {
        report.mismatch(id, "", "row", "missing".into(), format!("{} events", steps.len()));
        return;
    };
    report.requests += 1;
    let number: String = row.try_get("number").unwrap_or_default();
    let cells = snapshot::of_row(row);
    let status = COLUMNS.iter().position(|(name, _)| *name == "status").expect("requests have a status");
    let Some(last) = steps.last() else {
        let shown = cells[status].as_ref().map(|(_, shown)| shown.clone()).unwrap_or_else(Clone::clone);
        report.mismatch(id, &number, "events", shown, "none".into());
        return;
    };

    // Each step starts where the one before ended; the first from nothing.
    let mut ended = "";
    for step in steps {
        if step.from_status != ended {
            let events =
                format!("event {} starts from «{}», the one before ended at «{ended}»", step.id, step.from_status);
            report.mismatch(id, &number, "history", "-".into(), events);
        }
        ended = &step.to_status;
    }

    // What the events recorded of each column, as of the last one. An event that
    // recorded nothing (old format) may have changed anything: what came before it is
    // no longer known.
    let mut known: Vec<Option<Value>> = vec![None; COLUMNS.len()];
    for step in steps {
        let recorded = if step.format == FORMAT { snapshot::parse(&step.snapshot) } else { None };
        match recorded {
            Some(Recorded::Whole(values)) => {
                known = vec![Some(Value::Null); COLUMNS.len()];
                for (column, value) in values {
                    known[column] = Some(value);
                }
            }
            Some(Recorded::Changed { was, set }) => {
                for (column, found) in was {
                    if let Some(left) = known[column].as_ref().filter(|left| **left != found) {
                        let row = format!("{} (before event {})", snapshot::show(&found), step.id);
                        report.mismatch(id, &number, COLUMNS[column].0, row, snapshot::show(left));
                    }
                }
                for (column, value) in set {
                    known[column] = Some(value);
                }
            }
            None => known = vec![None; COLUMNS.len()],
        }
    }
    // Every event names the state it left the request in.
    if known[status].is_none() {
        known[status] = Some(Value::String(last.to_status.clone()));
    }

    let mut complete = true;
    for ((name, _), (cell, expected)) in COLUMNS.iter().zip(cells.into_iter().zip(known)) {
        let Some(expected) = expected else {
            complete = false;
            continue;
        };
        match cell {
            Ok((value, _)) if value == expected => {}
            Ok((_, shown)) => report.mismatch(id, &number, name, shown, snapshot::show(&expected)),
            Err(why) => report.mismatch(id, &number, name, why, snapshot::show(&expected)),
        }
    }
    if complete {
        report.fully_checked += 1;
    } else {
        report.partly_checked += 1;
    }
}
