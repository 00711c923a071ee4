//! Notifications: what staff read in their workbench and choose to have sent, what an
//! admin subscribes other systems to and sends again when it failed, the deadline timer,
//! and the delivery worker (`worker`) that sends the outbox by SMS, mail and webhooks.
//!
//! The notifications themselves are written by the store with the change that causes
//! them; nothing here has to remember to notify.

pub mod channels;
pub mod sign;
pub mod worker;

use gongzhi_domain::notify::{self, Topic};
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::time::Millis;
use gongzhi_domain::Broken;
use gongzhi_store::{InboxEntry, NotifyPrefs, OutboxCounts, OutboxEntry, Store, Subscription};

use crate::Result;

pub use worker::{Config, Delivered, Worker};

/// Notifications shown on one page of a list.
pub const PAGE: i64 = 50;

/// The unread count shown in the header stops here ("99+").
pub const UNREAD_CAP: i64 = 100;

fn admin_only(staff: &Staff) -> Result<()> {
    if staff.role == Role::Admin {
        Ok(())
    } else {
        Err(Broken::OutOfScope.into())
    }
}

/// A staff member's notifications, newest first, from before `before` (a page's last id).
pub async fn inbox(store: &Store, staff: &Staff, before: Option<i64>) -> Result<Vec<InboxEntry>> {
    Ok(store.inbox(staff.user_id, before, PAGE).await?)
}

/// How many of a staff member's notifications are unread, up to `UNREAD_CAP`.
pub async fn unread(store: &Store, staff: &Staff) -> Result<i64> {
    Ok(store.unread(staff.user_id, UNREAD_CAP).await?)
}

/// Marks notifications read: those named (one's own only), or all when `None`.
pub async fn mark_read(store: &Store, staff: &Staff, ids: Option<&[i64]>, now: Millis) -> Result<u64> {
    let ids = ids.map(|ids| &ids[..ids.len().min(PAGE as usize * 4)]);
    Ok(store.set_read(staff.user_id, ids, now).await?)
}

pub async fn prefs(store: &Store, staff: &Staff) -> Result<NotifyPrefs> {
    Ok(store.notify_prefs(staff.user_id).await?)
}

/// Saves where a staff member's copies go and which topics go there. Only topics told
/// to staff can be chosen.
pub async fn save_prefs(store: &Store, staff: &Staff, prefs: NotifyPrefs) -> Result<()> {
    notify::check_contact(&prefs.phone, &prefs.email)?;
    if !prefs.sms.is_empty() && prefs.phone.trim().is_empty() {
        return Err(Broken::Missing("phone").into());
    }
    if !prefs.email_topics.is_empty() && prefs.email.trim().is_empty() {
        return Err(Broken::Missing("email").into());
    }
    let staff_only = |topics: Vec<Topic>| topics.into_iter().filter(|t| Topic::STAFF.contains(t)).collect();
    let prefs = NotifyPrefs { sms: staff_only(prefs.sms), email_topics: staff_only(prefs.email_topics), ..prefs };
    Ok(store.set_notify_prefs(staff.user_id, &prefs).await?)
}

/// A new webhook subscription and the secret its deliveries are signed with, shown to
/// the admin once to give to the receiving system.
pub async fn subscribe(store: &Store, admin: &Staff, event_type: &str, url: &str, now: Millis) -> Result<Subscription> {
    admin_only(admin)?;
    notify::check_subscription(event_type.trim(), url)?;
    let secret = format!("whsec_{}", gongzhi_store::new_token());
    let id = store.add_subscription(event_type.trim(), url.trim(), &secret, now).await?;
    let all = store.subscriptions().await?;
    all.into_iter().find(|s| s.id == id).ok_or_else(|| gongzhi_store::StoreError::NotFound.into())
}

pub async fn unsubscribe(store: &Store, admin: &Staff, id: i64) -> Result<()> {
    admin_only(admin)?;
    match store.end_subscription(id).await? {
        true => Ok(()),
        false => Err(gongzhi_store::StoreError::NotFound.into()),
    }
}

pub async fn subscriptions(store: &Store, admin: &Staff) -> Result<Vec<Subscription>> {
    admin_only(admin)?;
    Ok(store.subscriptions().await?)
}

/// What the admin's page shows: how many wait, and the dead letters or another state's
/// notifications, newest first.
pub async fn outbox(
    store: &Store,
    admin: &Staff,
    status: &str,
    before: Option<i64>,
) -> Result<(OutboxCounts, Vec<OutboxEntry>)> {
    admin_only(admin)?;
    let status = match status {
        "pending" | "sent" | "off" => status,
        _ => "dead",
    };
    let counts = store.outbox_counts(10_000).await?;
    Ok((counts, store.outbox_entries(status, before, PAGE).await?))
}

/// Sends a dead letter again, as if new: all its tries anew.
pub async fn resend(store: &Store, admin: &Staff, id: i64, now: Millis) -> Result<()> {
    admin_only(admin)?;
    match store.release_dead_letter(id, now).await? {
        true => Ok(()),
        false => Err(gongzhi_store::StoreError::NotFound.into()),
    }
}

/// The deadline timer: tells of the deadlines crossed since it last looked.
pub async fn sweep(store: &Store, now: Millis) -> Result<usize> {
    Ok(store.sweep_deadlines(now).await?)
}
