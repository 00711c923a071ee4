//! The event log: append-only and hash-chained. Each event's hash covers its own fields
//! and the hash of the event before it, so changing, removing or reordering any event
//! breaks every link after it, and `verify` names the first broken one.

use futures_util::StreamExt;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRecord {
    pub id: i64,
    pub request_id: i64,
    pub at: i64,
    /// `user:<id>`, `requester` or `system`.
    pub actor: String,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub note: String,
    /// JSON text.
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The last link: the sequence number and hash the next event chains to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

impl EventRecord {
    pub fn compute_hash(&self) -> String {
        let mut hasher = Sha256::new();
        for field in [
            self.prev_hash.as_str(),
            &self.id.to_string(),
            &self.request_id.to_string(),
            &self.at.to_string(),
            &self.actor,
            &self.action,
            &self.from_status,
            &self.to_status,
            &self.note,
            &self.payload,
        ] {
            hasher.update(field.as_bytes());
            // A separator that cannot occur in the fields keeps "ab","c" apart from "a","bc".
            hasher.update([0x1f]);
        }
        hex::encode(hasher.finalize())
    }
}

/// An event before it is given its place in the chain.
pub struct NewEvent<'a> {
    pub request_id: i64,
    pub at: i64,
    pub actor: String,
    pub action: &'a str,
    pub from_status: &'a str,
    pub to_status: &'a str,
    pub note: &'a str,
    pub payload: String,
}

impl Head {
    /// Links an event to the chain and moves the head past it.
    pub fn link(&mut self, event: NewEvent) -> EventRecord {
        let mut record = EventRecord {
            id: self.seq + 1,
            request_id: event.request_id,
            at: event.at,
            actor: event.actor,
            action: event.action.to_string(),
            from_status: event.from_status.to_string(),
            to_status: event.to_status.to_string(),
            note: event.note.to_string(),
            payload: event.payload,
            prev_hash: self.hash.clone(),
            hash: String::new(),
        };
        record.hash = record.compute_hash();
        self.seq = record.id;
        self.hash = record.hash.clone();
        record
    }
}

const COLUMNS: &str = "id, request_id, at, actor, action, from_status, to_status, note, payload, prev_hash, hash";

/// Writes events, many to a statement.
pub async fn insert(conn: &mut AnyConnection, events: &[EventRecord]) -> Result<()> {
    // 11 columns a row; 80 rows stay far below both databases' parameter limits.
    for chunk in events.chunks(80) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                let cols: Vec<String> = (1..=11).map(|c| format!("${}", r * 11 + c)).collect();
                format!("({})", cols.join(", "))
            })
            .collect();
        let sql = format!("INSERT INTO events ({COLUMNS}) VALUES {}", rows.join(", "));
        let mut query = sqlx::query(&sql);
        for e in chunk {
            query = query
                .bind(e.id)
                .bind(e.request_id)
                .bind(e.at)
                .bind(e.actor.as_str())
                .bind(e.action.as_str())
                .bind(e.from_status.as_str())
                .bind(e.to_status.as_str())
                .bind(e.note.as_str())
                .bind(e.payload.as_str())
                .bind(e.prev_hash.as_str())
                .bind(e.hash.as_str());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

pub(crate) fn from_row(row: &sqlx::any::AnyRow) -> Result<EventRecord> {
    Ok(EventRecord {
        id: row.try_get("id")?,
        request_id: row.try_get("request_id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        from_status: row.try_get("from_status")?,
        to_status: row.try_get("to_status")?,
        note: row.try_get("note")?,
        payload: row.try_get("payload")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// The result of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub events: i64,
    pub head_seq: i64,
    /// The first event whose link does not hold, and why.
    pub first_broken: Option<(i64, String)>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none()
    }
}

impl Store {
    /// Reads every event in order and recomputes every link.
    pub async fn verify_chain(&self) -> Result<ChainReport> {
        let head_row = sqlx::query("SELECT seq, hash FROM chain_head WHERE id = 1").fetch_one(self.pool()).await?;
        let head = Head { seq: head_row.try_get("seq")?, hash: head_row.try_get("hash")? };
        let sql = format!("SELECT {COLUMNS} FROM events ORDER BY id");
        let mut rows = sqlx::query(&sql).fetch(self.pool());
        let mut expected = Head::default();
        let mut count = 0;
        let mut broken = None;
        while let Some(row) = rows.next().await {
            let event = from_row(&row?)?;
            count += 1;
            let reason = if event.id != expected.seq + 1 {
                Some(format!("expected event {} here, found {}", expected.seq + 1, event.id))
            } else if event.prev_hash != expected.hash {
                Some("its link to the previous event does not match".to_string())
            } else if event.hash != event.compute_hash() {
                Some("its contents do not match its hash".to_string())
            } else {
                None
            };
            if let Some(reason) = reason {
                broken = Some((event.id, reason));
                break;
            }
            expected = Head { seq: event.id, hash: event.hash };
        }
        if broken.is_none() && expected != head {
            broken = Some((
                expected.seq + 1,
                format!("the chain head says {} events, the log ends at {}", head.seq, expected.seq),
            ));
        }
        Ok(ChainReport { events: count, head_seq: head.seq, first_broken: broken })
    }

    /// A request's timeline, oldest first.
    pub async fn events_of(&self, request_id: i64) -> Result<Vec<EventRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM events WHERE request_id = $1 ORDER BY id");
        let rows = sqlx::query(&sql).bind(request_id).fetch_all(self.pool()).await?;
        rows.iter().map(from_row).collect()
    }
}
