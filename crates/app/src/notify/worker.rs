//! The delivery worker: claims due notifications from the outbox for a lease, sends
//! them through their channels side by side, and records each outcome — sent, tried
//! again later (backing off), held for the end of the quiet hours, a dead letter after
//! the last try, or off when its channel is not configured. Every instance of `serve`
//! runs one; they share the outbox through their claims (see the store).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use gongzhi_domain::notify::schedule::{Backoff, QuietHours};
use gongzhi_domain::notify::text::{self, Facts};
use gongzhi_domain::notify::{Medium, Topic};
use gongzhi_domain::time::{self, Millis};
use gongzhi_store::{Claimed, Store, Subscription};
use serde::Deserialize;
use tokio::sync::{Mutex, Semaphore};

use super::channels::Channels;

/// How a worker delivers.
#[derive(Clone)]
pub struct Config {
    /// Names this worker in its claims; unique per process.
    pub worker: String,
    /// The site's address as residents reach it, for the links in messages.
    pub public_url: String,
    /// The signature carriers require in front of a text message.
    pub sms_sign: String,
    pub backoff: Backoff,
    pub quiet: QuietHours,
    /// How long a claim is held: longer than the slowest delivery of a claim's batch.
    pub lease: Duration,
    /// Notifications claimed at once.
    pub batch: i64,
    /// Deliveries under way at once.
    pub concurrency: usize,
    /// How long to wait before looking again when nothing was due.
    pub idle: Duration,
}

impl Config {
    pub fn new(public_url: &str) -> Config {
        Config {
            worker: format!("{}-{}", std::process::id(), gongzhi_store::new_token().get(..12).unwrap_or_default()),
            public_url: public_url.trim_end_matches('/').to_string(),
            sms_sign: "共治".into(),
            backoff: Backoff::default(),
            quiet: QuietHours::default(),
            lease: Duration::from_secs(120),
            batch: 256,
            concurrency: 64,
            idle: Duration::from_millis(250),
        }
    }
}

/// What one round of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
    pub dead: usize,
    pub held: usize,
    pub off: usize,
}

impl Delivered {
    pub fn claimed(&self) -> usize {
        self.sent + self.failed + self.dead + self.held + self.off
    }
}

#[derive(Clone)]
pub struct Worker {
    store: Store,
    config: Config,
    channels: Channels,
    /// Subscriptions by id, read again when a row names one not known yet.
    hooks: Arc<Mutex<HashMap<i64, Subscription>>>,
}

/// What the store keeps for a message to a person (`notify::write`).
#[derive(Deserialize)]
struct Stored {
    topic: Topic,
    request_id: i64,
    number: String,
    tracking_code: String,
    title: String,
    note: String,
}

enum Outcome {
    Sent,
    Failed(String),
    Held(Millis),
    Off,
}

impl Worker {
    pub fn new(store: Store, config: Config, channels: Channels) -> Worker {
        Worker { store, config, channels, hooks: Arc::default() }
    }

    /// Delivers until the process ends, resting while nothing is due.
    pub async fn run(self) {
        let mut purged_at = 0;
        loop {
            match self.round().await {
                Ok(done) if done.claimed() > 0 => {
                    tracing::debug!(?done, "notifications delivered");
                    continue;
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "notifications could not be delivered; trying again"),
            }
            let now = time::now();
            if now - purged_at > time::HOUR {
                purged_at = now;
                // Delivered notifications are kept a week to answer what was sent.
                if let Err(error) = self.store.delete_sent_notifications(now - 7 * time::DAY, 10_000).await {
                    tracing::debug!(%error, "old notifications stay for now");
                }
            }
            tokio::time::sleep(self.config.idle).await;
        }
    }

    /// Claims one batch of due notifications and delivers it.
    pub async fn round(&self) -> crate::Result<Delivered> {
        let now = time::now();
        let lease_until = now + self.config.lease.as_millis() as i64;
        let media = [Medium::Sms, Medium::Email, Medium::Webhook];
        let claimed =
            self.store.claim_notifications(&self.config.worker, &media, now, lease_until, self.config.batch).await?;
        if claimed.is_empty() {
            return Ok(Delivered::default());
        }
        let gate = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for row in claimed {
            let worker = self.clone();
            let gate = gate.clone();
            tasks.spawn(async move {
                let _permit = gate.acquire_owned().await;
                let outcome = worker.deliver(&row, time::now()).await;
                (row, outcome)
            });
        }
        let mut done = Delivered::default();
        let mut sent = Vec::new();
        let mut off = Vec::new();
        let worker = &self.config.worker;
        while let Some(joined) = tasks.join_next().await {
            let Ok((row, outcome)) = joined else { continue };
            match outcome {
                Outcome::Sent => sent.push(row.id),
                Outcome::Off => off.push(row.id),
                Outcome::Held(until) => {
                    done.held += 1;
                    self.store.hold_notification(worker, row.id, until).await?;
                }
                Outcome::Failed(error) => {
                    let now = time::now();
                    let retry = self.config.backoff.after(row.attempts + 1, now);
                    match retry {
                        Some(_) => done.failed += 1,
                        None => {
                            done.dead += 1;
                            tracing::warn!(id = row.id, key = row.key, %error, "a notification is a dead letter");
                        }
                    }
                    self.store.record_failure(worker, row.id, &error, retry, now).await?;
                }
            }
        }
        done.sent = sent.len();
        done.off = off.len();
        self.store.record_sent(worker, &sent, time::now()).await?;
        self.store.record_off(worker, &off).await?;
        Ok(done)
    }

    async fn deliver(&self, row: &Claimed, now: Millis) -> Outcome {
        let result = match row.medium {
            Medium::Webhook => self.webhook(row).await,
            Medium::Sms if !self.channels.sms_on() => return Outcome::Off,
            Medium::Email if !self.channels.mail_on() => return Outcome::Off,
            Medium::Sms | Medium::Email => {
                let stored: Stored = match serde_json::from_str(&row.payload) {
                    Ok(stored) => stored,
                    Err(error) => return Outcome::Failed(format!("unreadable notification: {error}")),
                };
                if row.medium == Medium::Sms && row.to_resident && stored.topic.waits_for_quiet_hours() {
                    if let Some(until) = self.config.quiet.hold_until(now) {
                        return Outcome::Held(until);
                    }
                }
                self.to_person(row, &stored).await
            }
        };
        match result {
            Ok(()) => Outcome::Sent,
            Err(error) if error == OFF => Outcome::Off,
            Err(error) => Outcome::Failed(error),
        }
    }

    async fn to_person(&self, row: &Claimed, stored: &Stored) -> Result<(), String> {
        let link = if stored.topic.for_requester() {
            format!("{}/track/{}", self.config.public_url, stored.tracking_code)
        } else {
            format!("{}/work/requests/{}", self.config.public_url, stored.request_id)
        };
        let facts = Facts {
            topic: stored.topic,
            sign: &self.config.sms_sign,
            number: &stored.number,
            tracking_code: &stored.tracking_code,
            title: &stored.title,
            note: &stored.note,
            link: &link,
        };
        match row.medium {
            Medium::Sms => self.channels.sms(&row.key, &row.recipient, &text::sms(&facts)).await,
            _ => self.channels.mail(&row.key, &row.recipient, &text::subject(&facts), &text::mail_body(&facts)).await,
        }
    }

    async fn webhook(&self, row: &Claimed) -> Result<(), String> {
        if !self.channels.webhooks_on() {
            return Err(OFF.into());
        }
        let id: i64 = row.recipient.parse().map_err(|_| format!("no subscription {}", row.recipient))?;
        let known = self.hooks.lock().await.get(&id).cloned();
        let subscription = match known {
            Some(subscription) => subscription,
            None => {
                let all = self.store.subscriptions().await.map_err(|e| format!("subscriptions: {e}"))?;
                let mut hooks = self.hooks.lock().await;
                hooks.clear();
                hooks.extend(all.into_iter().map(|s| (s.id, s)));
                hooks.get(&id).cloned().ok_or_else(|| format!("no subscription {id}"))?
            }
        };
        self.channels.webhook(&row.key, &row.topic, &subscription.url, &subscription.secret, row.payload.clone()).await
    }
}

const OFF: &str = "off";
