//! How a request maps to its row. The column lists are written once here and every
//! query that reads or writes a whole request uses them.

use gongzhi_domain::geo::Point;
use gongzhi_domain::request::NewRequest;
use gongzhi_domain::*;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row};

use crate::{Backend, Result, StoreError};

/// Set once at intake.
pub const FIXED: &[&str] = &[
    "id",
    "number",
    "tracking_code",
    "kind",
    "channel",
    "title",
    "content",
    "address",
    "unit_id",
    "unit_path",
    "category_id",
    "urgent",
    "requester_type",
    "requester_name",
    "requester_phone",
    "anonymous",
    "created_at",
    "lat",
    "long",
];

/// Changed by the lifecycle.
pub const MOVING: &[&str] = &[
    "status",
    "version",
    "assignee_unit_id",
    "assignee_path",
    "co_unit_ids",
    "handler_id",
    "dispatched_at",
    "claimed_at",
    "resolved_at",
    "first_resolved_at",
    "closed_at",
    "respond_by",
    "resolve_by",
    "deadline_estimated",
    "pending_extension",
    "reply",
    "contacted",
    "solved",
    "satisfaction",
    "evaluated_at",
    "return_count",
    "reopen_count",
    "press_count",
    "merged_into",
    "repeat_calls",
];

pub fn select_columns() -> String {
    FIXED.iter().chain(MOVING).copied().collect::<Vec<_>>().join(", ")
}

/// `$from, $from+1, …`: the parameters of `count` values, as in `IN (…)` or `VALUES (…)`.
pub(crate) fn placeholders(from: usize, count: usize) -> String {
    (from..from + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// `($1, …, $width, fixed), ($width+1, …, fixed), …`: the values of `rows` rows of
/// `width` parameters each, each row ending in the same constant SQL `fixed`. On SQLite
/// the parameters are anonymous (`?`), bound in order: SQLite finds a numbered one by
/// walking the statement's list of names, so binding a statement of many rows would grow
/// with the square of its size.
pub(crate) fn values(backend: Backend, rows: usize, width: usize, fixed: &str) -> String {
    let tail = if fixed.is_empty() { String::new() } else { format!(", {fixed}") };
    let row = |r: usize| match backend {
        Backend::Postgres => placeholders(1 + r * width, width),
        Backend::Sqlite => vec!["?"; width].join(", "),
    };
    (0..rows).map(|r| format!("({}{tail})", row(r))).collect::<Vec<_>>().join(", ")
}

/// `INSERT INTO requests (...) VALUES (...), (...)` for `rows` requests.
pub fn insert_sql(backend: Backend, rows: usize) -> String {
    format!(
        "INSERT INTO requests ({}) VALUES {}",
        select_columns(),
        values(backend, rows, FIXED.len() + MOVING.len(), "")
    )
}

/// Updates the moving columns of one request if it is still at the version read.
pub fn update_sql() -> String {
    let sets: Vec<String> = MOVING.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    let n = MOVING.len();
    format!("UPDATE requests SET {} WHERE id = ${} AND version = ${}", sets.join(", "), n + 1, n + 2)
}

type AnyQuery<'q> = Query<'q, Any, AnyArguments<'q>>;

pub fn bind_fixed<'q>(q: AnyQuery<'q>, r: &'q Request) -> AnyQuery<'q> {
    let n = &r.new;
    q.bind(r.id)
        .bind(r.number.as_str())
        .bind(r.tracking_code.as_str())
        .bind(n.kind.as_str())
        .bind(n.channel.as_str())
        .bind(n.title.as_str())
        .bind(n.content.as_str())
        .bind(n.address.as_str())
        .bind(n.unit_id)
        .bind(r.unit_path.as_str())
        .bind(n.category_id)
        .bind(i64::from(n.urgent))
        .bind(n.requester_type.as_str())
        .bind(n.requester_name.as_str())
        .bind(n.requester_phone.as_str())
        .bind(i64::from(n.anonymous))
        .bind(r.created_at)
        .bind(n.location.map(|p| p.lat))
        .bind(n.location.map(|p| p.long))
}

pub fn bind_moving<'q>(q: AnyQuery<'q>, r: &'q Request) -> AnyQuery<'q> {
    q.bind(r.status.as_str())
        .bind(r.version)
        .bind(r.assignee_unit_id)
        .bind(r.assignee_path.as_deref())
        .bind(serde_json::to_string(&r.co_unit_ids).unwrap_or_else(|_| "[]".into()))
        .bind(r.handler_id)
        .bind(r.dispatched_at)
        .bind(r.claimed_at)
        .bind(r.resolved_at)
        .bind(r.first_resolved_at)
        .bind(r.closed_at)
        .bind(r.respond_by)
        .bind(r.resolve_by)
        .bind(i64::from(r.deadline_estimated))
        .bind(r.pending_extension)
        .bind(r.reply.as_deref())
        .bind(r.contacted.map(i64::from))
        .bind(r.solved.map(i64::from))
        .bind(r.satisfaction.map(|s| s.as_str()))
        .bind(r.evaluated_at)
        .bind(r.return_count)
        .bind(r.reopen_count)
        .bind(r.press_count)
        .bind(r.merged_into)
        .bind(r.repeat_calls)
}

pub(crate) fn vocab<T>(row: &AnyRow, column: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    let text: String = row.try_get(column)?;
    parse(&text).ok_or_else(|| StoreError::Invalid(format!("unknown {column} `{text}` in the database")))
}

pub(crate) fn flag(row: &AnyRow, column: &str) -> Result<Option<bool>> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(|v| v != 0))
}

/// The request's coordinates: both or none are stored.
pub(crate) fn point(row: &AnyRow) -> Result<Option<Point>> {
    let lat: Option<f64> = row.try_get("lat")?;
    let long: Option<f64> = row.try_get("long")?;
    Ok(lat.zip(long).map(|(lat, long)| Point { lat, long }))
}

pub fn request_from_row(row: &AnyRow) -> Result<Request> {
    let new = NewRequest {
        kind: vocab(row, "kind", Kind::parse)?,
        channel: vocab(row, "channel", Channel::parse)?,
        title: row.try_get("title")?,
        content: row.try_get("content")?,
        address: row.try_get("address")?,
        unit_id: row.try_get("unit_id")?,
        category_id: row.try_get("category_id")?,
        urgent: flag(row, "urgent")?.unwrap_or(false),
        requester_type: vocab(row, "requester_type", RequesterType::parse)?,
        requester_name: row.try_get("requester_name")?,
        requester_phone: row.try_get("requester_phone")?,
        anonymous: flag(row, "anonymous")?.unwrap_or(false),
        location: point(row)?,
    };
    let co_units: String = row.try_get("co_unit_ids")?;
    let satisfaction: Option<String> = row.try_get("satisfaction")?;
    Ok(Request {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        tracking_code: row.try_get("tracking_code")?,
        status: vocab(row, "status", Status::parse)?,
        version: row.try_get("version")?,
        new,
        unit_path: row.try_get("unit_path")?,
        assignee_unit_id: row.try_get("assignee_unit_id")?,
        assignee_path: row.try_get("assignee_path")?,
        co_unit_ids: serde_json::from_str(&co_units).unwrap_or_default(),
        handler_id: row.try_get("handler_id")?,
        created_at: row.try_get("created_at")?,
        dispatched_at: row.try_get("dispatched_at")?,
        claimed_at: row.try_get("claimed_at")?,
        resolved_at: row.try_get("resolved_at")?,
        first_resolved_at: row.try_get("first_resolved_at")?,
        closed_at: row.try_get("closed_at")?,
        respond_by: row.try_get("respond_by")?,
        resolve_by: row.try_get("resolve_by")?,
        deadline_estimated: flag(row, "deadline_estimated")?.unwrap_or(false),
        pending_extension: row.try_get("pending_extension")?,
        reply: row.try_get("reply")?,
        contacted: flag(row, "contacted")?,
        solved: flag(row, "solved")?,
        satisfaction: satisfaction.as_deref().and_then(Satisfaction::parse),
        evaluated_at: row.try_get("evaluated_at")?,
        return_count: row.try_get("return_count")?,
        reopen_count: row.try_get("reopen_count")?,
        press_count: row.try_get("press_count")?,
        repeat_calls: row.try_get("repeat_calls")?,
        merged_into: row.try_get("merged_into")?,
    })
}

#[cfg(test)]
mod tests {
    use super::values;
    use crate::Backend::{Postgres, Sqlite};

    #[test]
    fn values_number_each_rows_parameters_and_its_fixed_part() {
        assert_eq!(values(Postgres, 1, 2, ""), "($1, $2)");
        assert_eq!(values(Postgres, 2, 3, "'pending', 0"), "($1, $2, $3, 'pending', 0), ($4, $5, $6, 'pending', 0)");
        assert_eq!(values(Postgres, 2, 1, "'$', 0"), "($1, '$', 0), ($2, '$', 0)");
    }

    #[test]
    fn values_on_sqlite_are_anonymous_in_order() {
        assert_eq!(values(Sqlite, 2, 2, "0"), "(?, ?, 0), (?, ?, 0)");
    }
}
