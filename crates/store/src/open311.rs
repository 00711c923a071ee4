//! Open311 clients and what they sent: each client system's key, kept as a SHA-256
//! digest like an API token and shown once; which client sent each request, with the
//! token and the media URL it gave; and the requests the GeoReport interface reads.
//! Only requests that came by Open311 are read here: the rest were given to us in
//! confidence, by phone, at a window or on the public form.

use std::collections::HashMap;

use gongzhi_domain::role::Staff;
use gongzhi_domain::time::Millis;
use gongzhi_domain::unit::{may_take, Duty};
use gongzhi_domain::{Request, Status};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::accounts::{digest, new_token};
use crate::admin::record as record_change;
use crate::rows::{placeholders, request_from_row, select_columns};
use crate::{Result, Store, StoreError};

/// A client system's name: at most this many characters.
const LONGEST_NAME: usize = 100;

/// A client system that may post requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: i64,
    pub name: String,
    /// The place its requests go to when nothing it sends says another.
    pub unit_id: i64,
    pub unit_name: String,
    /// The place's path in the unit tree: whose admins see the client.
    pub unit_path: String,
    pub created_at: Millis,
    pub revoked_at: Option<Millis>,
}

/// The client that sent a request, and what it sent that has no column of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub client_id: i64,
    pub email: String,
    pub media_url: String,
}

/// A request that came by Open311, with what its client gave.
#[derive(Debug, Clone)]
pub struct Sent {
    pub request: Request,
    pub token: String,
    pub media_url: String,
}

/// What a query of requests asks for: the numbers, or else a span of time (both ends
/// included) with optional categories and states. At most `limit`, newest first.
#[derive(Debug, Clone, Default)]
pub struct SentQuery {
    pub numbers: Vec<String>,
    pub from: Millis,
    pub to: Millis,
    pub categories: Vec<i64>,
    pub statuses: Vec<Status>,
    pub limit: u32,
}

/// What happened to a request lately: when, and the last word to the public.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Latest {
    pub at: Millis,
    /// The last progress note or reason of refusal, if any.
    pub note: Option<String>,
}

/// Writes which client sent `request_id`, with a fresh token to find it by.
pub(crate) async fn record(conn: &mut AnyConnection, request_id: i64, origin: &Origin, at: Millis) -> Result<()> {
    sqlx::query(
        "INSERT INTO open311_requests (request_id, client_id, token, media_url, email, sent_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(request_id)
    .bind(origin.client_id)
    .bind(crate::writer::tracking_code())
    .bind(origin.media_url.as_str())
    .bind(origin.email.as_str())
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

const CLIENT_COLUMNS: &str = "c.id, c.name, c.unit_id, u.name AS unit_name, u.path, c.created_at, c.revoked_at";
const CLIENT_FROM: &str = "open311_clients c JOIN units u ON u.id = c.unit_id";

fn client_from_row(row: &AnyRow) -> Result<Client> {
    Ok(Client {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        unit_id: row.try_get("unit_id")?,
        unit_name: row.try_get("unit_name")?,
        unit_path: row.try_get("path")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn sent_from_row(row: &AnyRow) -> Result<Sent> {
    Ok(Sent { request: request_from_row(row)?, token: row.try_get("token")?, media_url: row.try_get("media_url")? })
}

impl Store {
    /// A new client posting to `unit_id` (a place that takes requests), and its key,
    /// which is shown this once: only its digest is kept. An admin's change is recorded
    /// with the others in the same transaction.
    pub async fn add_open311_client(
        &self,
        name: &str,
        unit_id: i64,
        admin: Option<&Staff>,
        now: Millis,
    ) -> Result<(Client, String)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > LONGEST_NAME {
            return Err(StoreError::Refused("bad_name"));
        }
        let unit = self.unit(unit_id).await.map_err(|_| StoreError::UnknownUnit(unit_id))?;
        if admin.is_some_and(|admin| !admin.covers(&unit.path)) {
            return Err(StoreError::UnknownUnit(unit_id));
        }
        let active = !self.inactive_units().await?.contains(&unit.id);
        may_take(&unit, active, Duty::Place, "unit_id")?;
        let key = new_token();
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(
            "INSERT INTO open311_clients (name, unit_id, key_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(unit.id)
        .bind(digest(&key))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        if let Some(admin) = admin {
            record_change(&mut tx, admin, &unit.path, "open311.add", &format!("{name} ({id})"), &unit.name, now)
                .await?;
        }
        tx.commit().await?;
        let client = Client {
            id,
            name: name.into(),
            unit_id: unit.id,
            unit_name: unit.name,
            unit_path: unit.path,
            created_at: now,
            revoked_at: None,
        };
        Ok((client, key))
    }

    /// Every client, newest first, revoked ones too.
    pub async fn open311_clients(&self) -> Result<Vec<Client>> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM {CLIENT_FROM} ORDER BY c.id DESC");
        sqlx::query(&sql).fetch_all(self.pool()).await?.iter().map(client_from_row).collect()
    }

    /// Stops a client's key from working, at once. Revoking it again changes nothing.
    pub async fn revoke_open311_client(&self, id: i64, admin: Option<&Staff>, now: Millis) -> Result<Client> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM {CLIENT_FROM} WHERE c.id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let mut client = client_from_row(&row)?;
        let path = client.unit_path.clone();
        if admin.is_some_and(|admin| !admin.covers(&path)) {
            return Err(StoreError::NotFound);
        }
        if client.revoked_at.is_some() {
            return Ok(client);
        }
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE open311_clients SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if let Some(admin) = admin {
            let subject = format!("{} ({id})", client.name);
            record_change(&mut tx, admin, &path, "open311.revoke", &subject, "", now).await?;
        }
        tx.commit().await?;
        client.revoked_at = Some(now);
        Ok(client)
    }

    /// The client whose key this is, revoked or not; none for a key never given.
    pub async fn open311_client_by_key(&self, key: &str) -> Result<Option<Client>> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM {CLIENT_FROM} WHERE c.key_hash = $1");
        let row = sqlx::query(&sql).bind(digest(key)).fetch_optional(self.pool()).await?;
        row.as_ref().map(client_from_row).transpose()
    }

    /// The Open311 request with this number.
    pub async fn open311_request(&self, number: &str) -> Result<Option<Sent>> {
        let query = SentQuery { numbers: vec![number.to_string()], limit: 1, ..SentQuery::default() };
        Ok(self.open311_requests(&query).await?.into_iter().next())
    }

    /// The Open311 request a token was given for.
    pub async fn open311_by_token(&self, token: &str) -> Result<Option<Sent>> {
        let sql = format!(
            "SELECT {}, o.token, o.media_url FROM open311_requests o JOIN requests r ON r.id = o.request_id \
             WHERE o.token = $1",
            select_columns()
        );
        let row = sqlx::query(&sql).bind(token).fetch_optional(self.pool()).await?;
        row.as_ref().map(sent_from_row).transpose()
    }

    /// The Open311 requests a query asks for, newest first.
    pub async fn open311_requests(&self, query: &SentQuery) -> Result<Vec<Sent>> {
        let mut conditions = Vec::new();
        let mut next = 1;
        let list = |conditions: &mut Vec<String>, column: &str, count: usize, next: &mut usize| {
            conditions.push(format!("{column} IN ({})", placeholders(*next, count)));
            *next += count;
        };
        if !query.numbers.is_empty() {
            list(&mut conditions, "r.number", query.numbers.len(), &mut next);
        } else {
            if !query.categories.is_empty() {
                list(&mut conditions, "r.category_id", query.categories.len(), &mut next);
            }
            if !query.statuses.is_empty() {
                list(&mut conditions, "r.status", query.statuses.len(), &mut next);
            }
            conditions.push(format!("o.sent_at >= ${next} AND o.sent_at <= ${}", next + 1));
            next += 2;
        }
        let sql = format!(
            "SELECT {}, o.token, o.media_url FROM open311_requests o JOIN requests r ON r.id = o.request_id \
             WHERE {} ORDER BY o.sent_at DESC, o.request_id DESC LIMIT ${next}",
            select_columns(),
            conditions.join(" AND ")
        );
        let mut q = sqlx::query(&sql);
        if !query.numbers.is_empty() {
            for number in &query.numbers {
                q = q.bind(number.as_str());
            }
        } else {
            for category in &query.categories {
                q = q.bind(*category);
            }
            for status in &query.statuses {
                q = q.bind(status.as_str());
            }
            q = q.bind(query.from).bind(query.to);
        }
        let rows = q.bind(i64::from(query.limit)).fetch_all(self.pool()).await?;
        rows.iter().map(sent_from_row).collect()
    }

    /// For each request, when it last changed and the last note the public may read: a
    /// progress note or the reason it was refused.
    pub async fn latest_of(&self, ids: &[i64]) -> Result<HashMap<i64, Latest>> {
        let mut latest: HashMap<i64, Latest> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(crate::TEXTS_AT_ONCE) {
            let sql = format!(
                "SELECT request_id, action, note, at FROM events WHERE request_id IN ({}) ORDER BY request_id, id",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(self.pool()).await? {
                let entry = latest.entry(row.try_get("request_id")?).or_default();
                entry.at = entry.at.max(row.try_get("at")?);
                let action: String = row.try_get("action")?;
                let note: String = row.try_get("note")?;
                if matches!(action.as_str(), "progress" | "reject") && !note.trim().is_empty() {
                    entry.note = Some(note);
                }
            }
        }
        Ok(latest)
    }
}
