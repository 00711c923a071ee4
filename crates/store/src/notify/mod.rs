//! Notifications in the database: the outbox the writer fills beside each change
//! (`write`), the delivery worker's claims on it, the dead letters, webhook
//! subscriptions, what each staff member asked to be sent, and the workbench's inbox.
//!
//! Claims take due rows for a lease. On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets several
//! instances claim at once, each passing over the rows another holds; on SQLite the
//! database's one writer lock does the same. A worker that dies leaves its lease to run
//! out, and the rows are claimed again: delivery is at least once, and each row carries
//! the idempotency key that lets a receiver see a repeat.

mod deadlines;
pub(crate) mod write;

pub(crate) use deadlines::{sweep, sweep_from};

use gongzhi_domain::notify::{Medium, Topic};
use gongzhi_domain::time::Millis;
use sqlx::Row;

use crate::{Backend, Result, Store, StoreError};

/// A notification claimed for delivery.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub key: String,
    pub medium: Medium,
    pub topic: String,
    pub request_id: Option<i64>,
    pub recipient: String,
    pub to_resident: bool,
    pub payload: String,
    /// Tries made before this one.
    pub attempts: u32,
}

/// A notification as the admin's list shows it.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub id: i64,
    pub key: String,
    pub medium: String,
    pub topic: String,
    pub request_id: Option<i64>,
    pub recipient: String,
    pub status: String,
    pub attempts: i64,
    pub created_at: Millis,
    pub next_at: Millis,
    pub last_error: Option<String>,
}

/// How many notifications wait, and how many are dead letters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub dead: i64,
}

/// Another system told of events of one type (`*`: all), with the secret its
/// deliveries are signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: i64,
    pub event_type: String,
    pub url: String,
    pub secret: String,
    pub active: bool,
    pub created_at: Millis,
}

/// What a staff member asked to have sent to their phone and mailbox, besides the
/// workbench.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifyPrefs {
    pub phone: String,
    pub email: String,
    pub sms: Vec<Topic>,
    pub email_topics: Vec<Topic>,
}

/// One notification in a staff member's workbench.
#[derive(Debug, Clone)]
pub struct InboxEntry {
    pub id: i64,
    pub topic: Topic,
    pub request_id: Option<i64>,
    /// A task assigned from above, for the topics of its milestones.
    pub task_id: Option<i64>,
    pub number: String,
    pub title: String,
    pub note: String,
    pub created_at: Millis,
    pub read: bool,
}

/// Longest URL and secret a subscription keeps.
pub const MAX_HOOK_URL: usize = 2_000;

const CLAIMED_COLUMNS: &str = "id, key, medium, topic, request_id, recipient, to_resident, payload, attempts";
const ENTRY_COLUMNS: &str =
    "id, key, medium, topic, request_id, recipient, status, attempts, created_at, next_at, last_error";

fn claimed_from(row: &sqlx::any::AnyRow) -> Result<Claimed> {
    let medium: String = row.try_get("medium")?;
    Ok(Claimed {
        id: row.try_get("id")?,
        key: row.try_get("key")?,
        medium: Medium::parse(&medium).ok_or_else(|| StoreError::Invalid(format!("unknown medium {medium}")))?,
        topic: row.try_get("topic")?,
        request_id: row.try_get("request_id")?,
        recipient: row.try_get("recipient")?,
        to_resident: row.try_get::<i64, _>("to_resident")? != 0,
        payload: row.try_get("payload")?,
        attempts: row.try_get::<i64, _>("attempts")?.clamp(0, i64::from(u32::MAX)) as u32,
    })
}

fn entry_from(row: &sqlx::any::AnyRow) -> Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: row.try_get("id")?,
        key: row.try_get("key")?,
        medium: row.try_get("medium")?,
        topic: row.try_get("topic")?,
        request_id: row.try_get("request_id")?,
        recipient: row.try_get("recipient")?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        created_at: row.try_get("created_at")?,
        next_at: row.try_get("next_at")?,
        last_error: row.try_get("last_error")?,
    })
}

fn subscription_from(row: &sqlx::any::AnyRow) -> Result<Subscription> {
    Ok(Subscription {
        id: row.try_get("id")?,
        event_type: row.try_get("event_type")?,
        url: row.try_get("url")?,
        secret: row.try_get("secret")?,
        active: row.try_get::<i64, _>("active")? != 0,
        created_at: row.try_get("created_at")?,
    })
}

fn topics(text: &str) -> Vec<Topic> {
    text.split_whitespace().filter_map(Topic::parse).collect()
}

fn topic_list(topics: &[Topic]) -> String {
    topics.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(" ")
}

/// Runs a statement of the worker's, again when SQLite answers busy. Its statements
/// read before they write (`UPDATE … WHERE id IN (SELECT …)`), and when the writer
/// commits between the read and the write SQLite fails them at once with
/// SQLITE_BUSY_SNAPSHOT (517), which `busy_timeout` does not wait out: the statement is
/// simply begun again on a fresh snapshot.
async fn again_if_busy<T, F, Fut>(mut statement: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<T, sqlx::Error>>,
{
    const TRIES: u32 = 20;
    for _ in 1..TRIES {
        match statement().await {
            Err(sqlx::Error::Database(error)) if matches!(error.code().as_deref(), Some("5" | "517")) => {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            done => return Ok(done?),
        }
    }
    Ok(statement().await?)
}

/// `($2, $3, …)` for a list of ids bound after `first - 1` other values.
impl Store {
    /// Takes up to `limit` due notifications for `worker` until `lease_until`. Rows
    /// another worker holds are passed over, not waited for.
    pub async fn claim_notifications(
        &self,
        worker: &str,
        media: &[Medium],
        now: Millis,
        lease_until: Millis,
        limit: i64,
    ) -> Result<Vec<Claimed>> {
        if media.is_empty() {
            return Ok(Vec::new());
        }
        // Most looks find nothing due. Asking first is a read, which on SQLite takes no
        // lock; an UPDATE that matches nothing would still queue for the one write lock
        // behind intake, every quarter of a second.
        let due = format!(
            "SELECT 1 AS due FROM outbox WHERE status = 'pending' AND next_at <= $1 AND lease_until <= $1 \
             AND medium IN ({}) LIMIT 1",
            crate::rows::placeholders(2, media.len())
        );
        let mut query = sqlx::query(&due).bind(now);
        for medium in media {
            query = query.bind(medium.as_str());
        }
        if query.fetch_optional(&self.pool).await?.is_none() {
            return Ok(Vec::new());
        }
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let media_list = crate::rows::placeholders(5, media.len());
        let sql = format!(
            "UPDATE outbox SET lease_until = $1, claimed_by = $2 WHERE id IN (SELECT id FROM outbox \
             WHERE status = 'pending' AND next_at <= $3 AND lease_until <= $3 AND medium IN ({media_list}) \
             ORDER BY next_at LIMIT $4{lock}) RETURNING {CLAIMED_COLUMNS}"
        );
        let rows = again_if_busy(|| {
            let mut query = sqlx::query(&sql).bind(lease_until).bind(worker).bind(now).bind(limit);
            for medium in media {
                query = query.bind(medium.as_str());
            }
            query.fetch_all(&self.pool)
        })
        .await?;
        rows.iter().map(claimed_from).collect()
    }

    /// Records notifications delivered by `worker`. A row whose lease another worker
    /// took meanwhile is left to that worker.
    pub async fn record_sent(&self, worker: &str, ids: &[i64], at: Millis) -> Result<()> {
        self.record_done(worker, ids, "sent", Some(at)).await
    }

    /// Records notifications not sent because their channel is off: kept, not retried,
    /// so that a channel switched on later does not send stale news.
    pub async fn record_off(&self, worker: &str, ids: &[i64]) -> Result<()> {
        self.record_done(worker, ids, "off", None).await
    }

    async fn record_done(&self, worker: &str, ids: &[i64], status: &str, at: Option<Millis>) -> Result<()> {
        for chunk in ids.chunks(500) {
            let sql = format!(
                "UPDATE outbox SET status = $1, sent_at = $2, attempts = attempts + 1, lease_until = 0, \
                 last_error = NULL WHERE claimed_by = $3 AND id IN ({})",
                crate::rows::placeholders(4, chunk.len())
            );
            again_if_busy(|| {
                let mut query = sqlx::query(&sql).bind(status).bind(at).bind(worker);
                for id in chunk {
                    query = query.bind(*id);
                }
                query.execute(&self.pool)
            })
            .await?;
        }
        Ok(())
    }

    /// Records a failed try: tried again at `retry_at`, or a dead letter when `None`.
    pub async fn record_failure(
        &self,
        worker: &str,
        id: i64,
        error: &str,
        retry_at: Option<Millis>,
        now: Millis,
    ) -> Result<()> {
        let error: String = error.chars().take(500).collect();
        let (status, next_at) = match retry_at {
            Some(at) => ("pending", at),
            None => ("dead", now),
        };
        again_if_busy(|| {
            sqlx::query(
                "UPDATE outbox SET status = $1, next_at = $2, attempts = attempts + 1, last_error = $3, \
                 lease_until = 0 WHERE id = $4 AND claimed_by = $5",
            )
            .bind(status)
            .bind(next_at)
            .bind(&error)
            .bind(id)
            .bind(worker)
            .execute(&self.pool)
        })
        .await?;
        Ok(())
    }

    /// Holds a claimed notification back until `until` without counting a try: a
    /// resident's SMS in the quiet hours.
    pub async fn hold_notification(&self, worker: &str, id: i64, until: Millis) -> Result<()> {
        again_if_busy(|| {
            sqlx::query("UPDATE outbox SET next_at = $1, lease_until = 0 WHERE id = $2 AND claimed_by = $3")
                .bind(until)
                .bind(id)
                .bind(worker)
                .execute(&self.pool)
        })
        .await?;
        Ok(())
    }

    /// Puts a dead letter back in the outbox, to be tried now as if new. Returns whether
    /// there was such a dead letter.
    pub async fn release_dead_letter(&self, id: i64, now: Millis) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_at = $1, lease_until = 0 \
             WHERE id = $2 AND status = 'dead'",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Notifications in one state (`pending`, `sent`, `dead`), newest first, before `before`.
    pub async fn outbox_entries(&self, status: &str, before: Option<i64>, limit: i64) -> Result<Vec<OutboxEntry>> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox WHERE status = $1 AND id < $2 ORDER BY status, id DESC LIMIT $3"
        );
        let rows =
            sqlx::query(&sql).bind(status).bind(before.unwrap_or(i64::MAX)).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(entry_from).collect()
    }

    /// How many wait and how many are dead, each counted up to `cap`.
    pub async fn outbox_counts(&self, cap: i64) -> Result<OutboxCounts> {
        let count = |status: &'static str| {
            let pool = self.pool.clone();
            async move {
                let row = sqlx::query(
                    "SELECT COUNT(*) AS n FROM (SELECT 1 FROM outbox WHERE status = $1 LIMIT $2) AS capped",
                )
                .bind(status)
                .bind(cap)
                .fetch_one(&pool)
                .await?;
                Ok::<i64, StoreError>(row.try_get("n")?)
            }
        };
        Ok(OutboxCounts { pending: count("pending").await?, dead: count("dead").await? })
    }

    /// Deletes notifications delivered before `before`, at most `limit` of them; returns
    /// how many. The outbox keeps a week of them to answer what was sent.
    pub async fn delete_sent_notifications(&self, before: Millis, limit: i64) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status = 'sent' AND sent_at < $1 \
             ORDER BY status, id LIMIT $2)",
        )
        .bind(before)
        .bind(limit)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    pub async fn add_subscription(&self, event_type: &str, url: &str, secret: &str, at: Millis) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO webhook_subscriptions (event_type, url, secret, active, created_at) \
             VALUES ($1, $2, $3, 1, $4) RETURNING id",
        )
        .bind(event_type)
        .bind(url)
        .bind(secret)
        .bind(at)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Stops a subscription; what was written for it before is still delivered.
    pub async fn end_subscription(&self, id: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE webhook_subscriptions SET active = 0 WHERE id = $1 AND active = 1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Every subscription, active ones first.
    pub async fn subscriptions(&self) -> Result<Vec<Subscription>> {
        let rows = sqlx::query(
            "SELECT id, event_type, url, secret, active, created_at FROM webhook_subscriptions \
             ORDER BY active DESC, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(subscription_from).collect()
    }

    pub async fn notify_prefs(&self, user_id: i64) -> Result<NotifyPrefs> {
        let row = sqlx::query("SELECT phone, email, sms_topics, email_topics FROM notify_prefs WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(NotifyPrefs::default()) };
        Ok(NotifyPrefs {
            phone: row.try_get("phone")?,
            email: row.try_get("email")?,
            sms: topics(&row.try_get::<String, _>("sms_topics")?),
            email_topics: topics(&row.try_get::<String, _>("email_topics")?),
        })
    }

    pub async fn set_notify_prefs(&self, user_id: i64, prefs: &NotifyPrefs) -> Result<()> {
        sqlx::query(
            "INSERT INTO notify_prefs (user_id, phone, email, sms_topics, email_topics) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (user_id) DO UPDATE SET phone = excluded.phone, email = excluded.email, \
             sms_topics = excluded.sms_topics, email_topics = excluded.email_topics",
        )
        .bind(user_id)
        .bind(prefs.phone.trim())
        .bind(prefs.email.trim())
        .bind(topic_list(&prefs.sms))
        .bind(topic_list(&prefs.email_topics))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A staff member's notifications, newest first, before `before`.
    pub async fn inbox(&self, user_id: i64, before: Option<i64>, limit: i64) -> Result<Vec<InboxEntry>> {
        let rows = sqlx::query(
            "SELECT id, topic, request_id, task_id, number, title, note, created_at, read_at FROM inbox \
             WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(user_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .filter_map(|row| {
                let topic: String = row.try_get("topic").ok()?;
                Some(Ok(InboxEntry {
                    id: row.try_get("id").ok()?,
                    topic: Topic::parse(&topic)?,
                    request_id: row.try_get("request_id").ok()?,
                    task_id: row.try_get("task_id").ok()?,
                    number: row.try_get("number").ok()?,
                    title: row.try_get("title").ok()?,
                    note: row.try_get("note").ok()?,
                    created_at: row.try_get("created_at").ok()?,
                    read: row.try_get::<Option<i64>, _>("read_at").ok()?.is_some(),
                }))
            })
            .collect()
    }

    /// How many of a staff member's notifications are unread, up to `cap`.
    pub async fn unread(&self, user_id: i64, cap: i64) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM inbox WHERE user_id = $1 AND read_at IS NULL LIMIT $2) AS capped",
        )
        .bind(user_id)
        .bind(cap)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Marks a staff member's notifications read: those named, or all of them.
    pub async fn set_read(&self, user_id: i64, ids: Option<&[i64]>, at: Millis) -> Result<u64> {
        let done = match ids {
            None => {
                sqlx::query("UPDATE inbox SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
                    .bind(at)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?
            }
            Some([]) => return Ok(0),
            Some(ids) => {
                let sql = format!(
                    "UPDATE inbox SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL AND id IN ({})",
                    crate::rows::placeholders(3, ids.len())
                );
                let mut query = sqlx::query(&sql).bind(at).bind(user_id);
                for id in ids {
                    query = query.bind(*id);
                }
                query.execute(&self.pool).await?
            }
        };
        Ok(done.rows_affected())
    }
}
