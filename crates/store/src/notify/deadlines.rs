//! The deadline timer's part of the outbox: every request whose resolve deadline came
//! within the warning lead, passed, or stayed passed for one more period since the last
//! look is told of once. Each look starts where the last ended (`notify_sweep`), reads
//! only the window of deadlines crossed in between from the deadline index, and keys each
//! notification by the deadline and the level, so that looks by several instances, or a
//! look repeated after a crash, write nothing twice.

use gongzhi_domain::notify::{deadline_applies, Cause};
use gongzhi_domain::time::{Millis, DAY, HOUR};
use gongzhi_domain::Status;
use sqlx::{AnyConnection, Row};

use super::write::Said;
use crate::writer::{self, Batch};
use crate::Result;

/// The highest level looked for: deeper than any unit tree climbs.
const LEVELS: i64 = 6;

/// How far back a first look, or one after a long stop, reaches: older crossings are
/// history the queues already show in red.
const REACH: Millis = DAY;

/// Where a timer's look starts: where the last look stopped, kept in the one row of
/// `table`, but no further back than `REACH`; `None` when no time has passed since.
pub(crate) async fn sweep_from(conn: &mut AnyConnection, table: &str, now: Millis) -> Result<Option<Millis>> {
    let sql = format!("SELECT swept_to FROM {table} WHERE id = 1");
    let swept_to: i64 = sqlx::query(&sql).fetch_one(&mut *conn).await?.try_get("swept_to")?;
    let from = swept_to.max(now - REACH);
    Ok((from < now).then_some(from))
}

pub(crate) async fn sweep(conn: &mut AnyConnection, batch: &mut Batch<'_>, now: Millis) -> Result<usize> {
    let Some(from) = sweep_from(conn, "notify_sweep", now).await? else { return Ok(0) };
    let policy = batch.settings().policy.clone();
    let lead = policy.warning_lead_hours * HOUR;
    let period = i64::from(policy.standard_resolve_days.max(1)) * DAY;
    let mut windows = vec![(Cause::DeadlineNear, from + lead, now + lead)];
    for level in 0..=LEVELS {
        windows.push((Cause::Overdue { level }, from - level * period, now - level * period));
    }
    let mut told = 0;
    for (cause, after, until) in windows {
        for status in [Status::Dispatched, Status::InProgress] {
            let rows = sqlx::query(
                "SELECT id FROM requests WHERE status = $1 AND resolve_by > $2 AND resolve_by <= $3 ORDER BY resolve_by",
            )
            .bind(status.as_str())
            .bind(after)
            .bind(until)
            .fetch_all(&mut *conn)
            .await?;
            for row in rows {
                let request = writer::load(conn, row.try_get("id")?).await?;
                let Some(due) = request.resolve_by.filter(|_| deadline_applies(&request)) else { continue };
                let step = match cause {
                    Cause::Overdue { level } => format!("overdue{level}"),
                    _ => "warning".into(),
                };
                let key = format!("d{}:{due}:{step}", request.id);
                let said = Said { cause, key, request: &request, note: "", related: Default::default(), at: now };
                batch.tell(conn, &said).await?;
                told += 1;
            }
        }
    }
    sqlx::query("UPDATE notify_sweep SET swept_to = $1 WHERE id = 1").bind(now).execute(&mut *conn).await?;
    Ok(told)
}
