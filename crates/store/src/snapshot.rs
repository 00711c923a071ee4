//! What an event records of its request: the columns of the row as the action left them,
//! inside the event's hash, so that `audit verify` can replay a request's events and
//! compare the result with the row, naming each column that differs.
//!
//! Why values in the events rather than a replay of the rules: replaying `decide` would
//! need the deadline policy, the calendar and the categories as they stood at each
//! moment, which change; the values an action wrote do not. Why only the columns an
//! action changed: a whole row in every event would multiply the log several times over,
//! while intake's event holds the whole row once and each later event the few columns it
//! moved, with the values it found there (so that an edit a later action overwrote still
//! shows). Free text and personal data (title, content, address, requester's name and
//! phone, tracking code, reply) are recorded as digests: they show an edit without
//! copying the text, or the phone number, into the log a second time.

use gongzhi_domain::Request;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

/// How a column is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Text,
    /// Text kept as the first 128 bits of its SHA-256.
    Digest,
    /// A coordinate, kept as the digest of its decimal form: like the address, it can
    /// point at someone's home.
    Coordinate,
}

use Kind::*;

/// Every column of `requests`, in `rows::FIXED` then `rows::MOVING` order.
pub(crate) const COLUMNS: &[(&str, Kind)] = &[
    ("id", Int),
    ("number", Text),
    ("tracking_code", Digest),
    ("kind", Text),
    ("channel", Text),
    ("title", Digest),
    ("content", Digest),
    ("address", Digest),
    ("unit_id", Int),
    ("unit_path", Text),
    ("category_id", Int),
    ("urgent", Int),
    ("requester_type", Text),
    ("requester_name", Digest),
    ("requester_phone", Digest),
    ("anonymous", Int),
    ("created_at", Int),
    ("lat", Coordinate),
    ("long", Coordinate),
    ("status", Text),
    ("version", Int),
    ("assignee_unit_id", Int),
    ("assignee_path", Text),
    ("co_unit_ids", Text),
    ("handler_id", Int),
    ("dispatched_at", Int),
    ("claimed_at", Int),
    ("resolved_at", Int),
    ("first_resolved_at", Int),
    ("closed_at", Int),
    ("respond_by", Int),
    ("resolve_by", Int),
    ("deadline_estimated", Int),
    ("pending_extension", Int),
    ("reply", Digest),
    ("contacted", Int),
    ("solved", Int),
    ("satisfaction", Text),
    ("evaluated_at", Int),
    ("return_count", Int),
    ("reopen_count", Int),
    ("press_count", Int),
    ("merged_into", Int),
    ("repeat_calls", Int),
];

/// Counts added to requests after events began to record their rows: an intake event
/// from before one was added does not name it, and the request began at 0.
const COUNTED_SINCE_LATER: &[&str] = &["repeat_calls"];

fn int(value: Option<i64>) -> Value {
    value.map_or(Value::Null, Value::from)
}

fn text(value: Option<&str>) -> Value {
    value.map_or(Value::Null, Value::from)
}

fn real(value: Option<f64>) -> Value {
    value.map_or(Value::Null, Value::from)
}

pub(crate) fn digest(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..16])
}

/// The request's columns as the store writes them (`rows::bind_fixed`, `bind_moving`).
fn cells(r: &Request) -> Vec<Value> {
    let n = &r.new;
    let raw = vec![
        int(Some(r.id)),
        text(Some(&r.number)),
        text(Some(&r.tracking_code)),
        text(Some(n.kind.as_str())),
        text(Some(n.channel.as_str())),
        text(Some(&n.title)),
        text(Some(&n.content)),
        text(Some(&n.address)),
        int(Some(n.unit_id)),
        text(Some(&r.unit_path)),
        int(n.category_id),
        int(Some(i64::from(n.urgent))),
        text(Some(n.requester_type.as_str())),
        text(Some(&n.requester_name)),
        text(Some(&n.requester_phone)),
        int(Some(i64::from(n.anonymous))),
        int(Some(r.created_at)),
        real(n.location.map(|p| p.lat)),
        real(n.location.map(|p| p.long)),
        text(Some(r.status.as_str())),
        int(Some(r.version)),
        int(r.assignee_unit_id),
        text(r.assignee_path.as_deref()),
        text(Some(&serde_json::to_string(&r.co_unit_ids).unwrap_or_else(|_| "[]".into()))),
        int(r.handler_id),
        int(r.dispatched_at),
        int(r.claimed_at),
        int(r.resolved_at),
        int(r.first_resolved_at),
        int(r.closed_at),
        int(r.respond_by),
        int(r.resolve_by),
        int(Some(i64::from(r.deadline_estimated))),
        int(r.pending_extension),
        text(r.reply.as_deref()),
        int(r.contacted.map(i64::from)),
        int(r.solved.map(i64::from)),
        text(r.satisfaction.map(|s| s.as_str())),
        int(r.evaluated_at),
        int(Some(r.return_count)),
        int(Some(r.reopen_count)),
        int(Some(r.press_count)),
        int(r.merged_into),
        int(Some(r.repeat_calls)),
    ];
    raw.into_iter().zip(COLUMNS).map(|(value, (_, kind))| recorded(*kind, value)).collect()
}

/// A column's value as an event records it.
fn recorded(kind: Kind, value: Value) -> Value {
    match (kind, value) {
        (Digest, Value::String(text)) => Value::String(digest(&text)),
        (Coordinate, Value::Number(number)) => Value::String(digest(&number.to_string())),
        (_, value) => value,
    }
}

/// A row's columns read as they are stored, each as recorded and as shown to a person,
/// or why it could not be read.
pub(crate) fn of_row(row: &AnyRow) -> Vec<Result<(Value, String), String>> {
    COLUMNS
        .iter()
        .map(|(name, kind)| {
            let value = match kind {
                Int => row.try_get::<Option<i64>, _>(*name).map(int),
                Text | Digest => row.try_get::<Option<String>, _>(*name).map(|t| text(t.as_deref())),
                Coordinate => row.try_get::<Option<f64>, _>(*name).map(real),
            };
            let value = value.map_err(|error| format!("unreadable ({error})"))?;
            let shown = match (&value, kind) {
                (Value::String(t), Digest) => format!("{} (digest {})", shorten(t), digest(t)),
                (Value::Number(n), Coordinate) => format!("{n} (digest {})", digest(&n.to_string())),
                _ => show(&value),
            };
            Ok((recorded(*kind, value), shown))
        })
        .collect()
}

/// A recorded value as a person reads it.
pub(crate) fn show(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(24).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// A new request: every column (those left out are null).
pub(crate) fn whole(r: &Request) -> String {
    let row: Map<String, Value> = COLUMNS
        .iter()
        .zip(cells(r))
        .filter(|(_, value)| !value.is_null())
        .map(|((name, _), value)| (name.to_string(), value))
        .collect();
    serde_json::json!({ "row": row }).to_string()
}

/// An action: the columns it changed, with the values it found and those it left. What
/// it found must be what the events before it left, or the row was edited in between —
/// even when this action then overwrote the edit's value.
pub(crate) fn change(before: &Request, after: &Request) -> String {
    let (mut was, mut set) = (Map::new(), Map::new());
    for ((name, _), (old, new)) in COLUMNS.iter().zip(cells(before).into_iter().zip(cells(after))) {
        if old != new {
            was.insert(name.to_string(), old);
            set.insert(name.to_string(), new);
        }
    }
    serde_json::json!({ "was": was, "set": set }).to_string()
}

/// An event that records an act about the request without changing its row.
pub(crate) fn unchanged() -> String {
    serde_json::json!({ "set": {} }).to_string()
}

/// Values by `COLUMNS` index.
pub(crate) type Columns = Vec<(usize, Value)>;

/// What a recorded snapshot says about the columns.
pub(crate) enum Recorded {
    /// Every column: those not named are null.
    Whole(Columns),
    /// Only the columns named: the values the action found, and those it left.
    Changed { was: Columns, set: Columns },
}

pub(crate) fn parse(snapshot: &str) -> Option<Recorded> {
    let value: Value = serde_json::from_str(snapshot).ok()?;
    let object = value.as_object()?;
    let columns = |map: Option<&Value>| -> Columns {
        let Some(Value::Object(map)) = map else { return vec![] };
        map.iter().filter_map(|(name, v)| Some((COLUMNS.iter().position(|(c, _)| c == name)?, v.clone()))).collect()
    };
    match (object.get("row"), object.get("set")) {
        (Some(Value::Object(row)), None) => {
            let mut values = columns(object.get("row"));
            // A count added to requests after this request came in started at 0 for it.
            for name in COUNTED_SINCE_LATER.iter().filter(|name| !row.contains_key(**name)) {
                values.extend(COLUMNS.iter().position(|(c, _)| c == name).map(|at| (at, Value::from(0))));
            }
            Some(Recorded::Whole(values))
        }
        (None, Some(Value::Object(_))) => {
            Some(Recorded::Changed { was: columns(object.get("was")), set: columns(object.get("set")) })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::{FIXED, MOVING};

    #[test]
    fn every_column_of_a_request_is_recorded() {
        let names: Vec<&str> = COLUMNS.iter().map(|(name, _)| *name).collect();
        let stored: Vec<&str> = FIXED.iter().chain(MOVING).copied().collect();
        assert_eq!(names, stored, "a column added to requests must be recorded in the events too");
    }
}
