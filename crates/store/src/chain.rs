//! The event log: append-only and hash-chained. Each event's hash covers its own fields
//! and the hash of the event before it, so changing, removing or reordering any event
//! breaks every link after it, and `verify` names the first broken one. What the links
//! cannot show — a tail cut off with the head moved back, or a whole chain hashed again —
//! the anchors kept outside the database show (`crate::anchors`).

use futures_util::StreamExt;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::anchors::Anchor;
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
    /// How the hash is computed: `LEGACY` or `FORMAT`.
    pub format: i64,
    /// The request's columns as the action left them (see `crate::snapshot`); empty when
    /// the event does not record them. Kept out of views: it holds digests of personal
    /// fields, and the timeline has no use for it.
    #[serde(skip)]
    pub snapshot: String,
}

/// The last link: the sequence number and hash the next event chains to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// Events written before the current encoding: fields joined by a 0x1f byte.
pub const LEGACY: i64 = 1;
/// Every field prefixed with its length, the snapshot among them.
pub const FORMAT: i64 = 2;

impl EventRecord {
    pub fn compute_hash(&self) -> String {
        let id = self.id.to_string();
        let request_id = self.request_id.to_string();
        let at = self.at.to_string();
        let fields = [
            self.prev_hash.as_str(),
            &id,
            &request_id,
            &at,
            &self.actor,
            &self.action,
            &self.from_status,
            &self.to_status,
            &self.note,
            &self.payload,
        ];
        let mut hasher = Sha256::new();
        if self.format == LEGACY {
            for field in fields {
                hasher.update(field.as_bytes());
                hasher.update([SEPARATOR]);
            }
        } else {
            // A length before each field: no byte of one field can be read as part of
            // another, whatever the fields hold.
            hasher.update(format!("gongzhi-event/{}", self.format).as_bytes());
            for field in fields.into_iter().chain([self.snapshot.as_str()]) {
                hasher.update((field.len() as u64).to_be_bytes());
                hasher.update(field.as_bytes());
            }
        }
        hex::encode(hasher.finalize())
    }

    /// Why the event's own contents cannot be trusted, if they cannot.
    fn flaw(&self) -> Option<String> {
        match self.format {
            LEGACY => {
                // The old encoding is unambiguous as long as only one field may hold the
                // separator: the note, the only free text (serialised JSON escapes control
                // characters, and the other fields are names and numbers). A separator
                // anywhere else means text was moved across a field boundary.
                let stray = [&self.actor, &self.action, &self.from_status, &self.to_status, &self.payload]
                    .iter()
                    .any(|field| field.as_bytes().contains(&SEPARATOR));
                if stray {
                    Some("a field other than its note holds the 0x1f separator: text was moved between fields".into())
                } else if !self.snapshot.is_empty() {
                    Some("it carries a snapshot its old-format hash does not cover".into())
                } else {
                    None
                }
            }
            FORMAT => None,
            other => Some(format!("unknown event format {other}")),
        }
    }
}

/// What the old encoding put between fields.
const SEPARATOR: u8 = 0x1f;

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
    /// From `crate::snapshot`.
    pub snapshot: String,
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
            format: FORMAT,
            snapshot: event.snapshot,
        };
        record.hash = record.compute_hash();
        self.seq = record.id;
        self.hash = record.hash.clone();
        record
    }
}

const COLUMNS: &str =
    "id, request_id, at, actor, action, from_status, to_status, note, payload, prev_hash, hash, format, snapshot";

/// Events per insert statement: enough that round trips are a small share of an import.
const EVENTS_PER_STATEMENT: usize = 250;

/// Writes events, many to a statement.
pub async fn insert(conn: &mut AnyConnection, events: &[EventRecord]) -> Result<()> {
    // 13 columns a row.
    let backend = crate::Backend::of_connection(conn);
    for chunk in events.chunks(EVENTS_PER_STATEMENT) {
        let sql =
            format!("INSERT INTO events ({COLUMNS}) VALUES {}", crate::rows::values(backend, chunk.len(), 13, ""));
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
                .bind(e.hash.as_str())
                .bind(e.format)
                .bind(e.snapshot.as_str());
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
        format: row.try_get("format")?,
        snapshot: row.try_get("snapshot")?,
    })
}

/// The result of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub events: i64,
    pub head_seq: i64,
    /// The first event whose link does not hold, and why.
    pub first_broken: Option<(i64, String)>,
    /// Events hashed the old way (written before the current encoding).
    pub old_format: i64,
    /// How many anchors the chain was held against.
    pub anchors_checked: usize,
    /// Anchors the chain does not reach, or reaches with another hash.
    pub breaches: Vec<Breach>,
}

/// An anchor the chain no longer agrees with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    pub anchor: Anchor,
    pub found: Found,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Found {
    /// The chain ends before the anchored event: its tail was cut off.
    Truncated { chain_ends: i64 },
    /// The anchored event has another hash now: the chain up to it was written again.
    Rewritten { hash: String },
    /// The anchored event is gone from the middle of the log.
    Missing,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none() && self.breaches.is_empty()
    }
}

impl Store {
    /// Reads every event in order and recomputes every link.
    pub async fn verify_chain(&self) -> Result<ChainReport> {
        self.verify_chain_against(&[]).await
    }

    /// As `verify_chain`, and holds the chain against anchors kept outside the database:
    /// each anchored event must still be there, with the hash it had.
    pub async fn verify_chain_against(&self, anchors: &[Anchor]) -> Result<ChainReport> {
        // An anchor of the empty chain holds whatever follows.
        let mut anchors: Vec<&Anchor> = anchors.iter().filter(|a| a.seq > 0).collect();
        anchors.sort_by_key(|a| a.seq);
        let mut pending = anchors.iter().peekable();
        let mut breaches = Vec::new();
        let head_row = sqlx::query("SELECT seq, hash FROM chain_head WHERE id = 1").fetch_one(self.pool()).await?;
        let head = Head { seq: head_row.try_get("seq")?, hash: head_row.try_get("hash")? };
        let sql = format!("SELECT {COLUMNS} FROM events ORDER BY id");
        let mut rows = sqlx::query(&sql).fetch(self.pool());
        let mut expected = Head::default();
        let mut count = 0;
        let mut old_format = 0;
        let mut broken = None;
        while let Some(row) = rows.next().await {
            let event = from_row(&row?)?;
            count += 1;
            old_format += i64::from(event.format == LEGACY);
            let reason = if event.id != expected.seq + 1 {
                Some(format!("expected event {} here, found {}", expected.seq + 1, event.id))
            } else if event.prev_hash != expected.hash {
                Some("its link to the previous event does not match".to_string())
            } else if let Some(flaw) = event.flaw() {
                Some(flaw)
            } else if event.hash != event.compute_hash() {
                Some("its contents do not match its hash".to_string())
            } else {
                None
            };
            if let Some(reason) = reason {
                broken.get_or_insert((event.id, reason));
            }
            if event.id == head.seq && event.hash != head.hash {
                broken.get_or_insert((event.id, "the chain head holds another hash for it".into()));
            }
            while let Some(anchor) = pending.next_if(|a| a.seq <= event.id) {
                let found = if anchor.seq < event.id {
                    Some(Found::Missing)
                } else if !anchor.matches(&event.hash) {
                    Some(Found::Rewritten { hash: event.hash.clone() })
                } else {
                    None
                };
                if let Some(found) = found {
                    breaches.push(Breach { anchor: (*anchor).clone(), found });
                }
            }
            expected = Head { seq: event.id, hash: event.hash };
        }
        for anchor in pending {
            breaches.push(Breach { anchor: (*anchor).clone(), found: Found::Truncated { chain_ends: expected.seq } });
        }
        // Events past the head were written while the log was read.
        if broken.is_none() && expected.seq < head.seq {
            broken = Some((
                expected.seq + 1,
                format!("the chain head says {} events, the log ends at {}", head.seq, expected.seq),
            ));
        }
        Ok(ChainReport {
            events: count,
            head_seq: head.seq,
            first_broken: broken,
            old_format,
            anchors_checked: anchors.len(),
            breaches,
        })
    }

    /// A request's timeline, oldest first.
    pub async fn events_of(&self, request_id: i64) -> Result<Vec<EventRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM events WHERE request_id = $1 ORDER BY id");
        let rows = sqlx::query(&sql).bind(request_id).fetch_all(self.pool()).await?;
        rows.iter().map(from_row).collect()
    }
}
