//! Counting attempts per key in fixed windows, in the database so that every app
//! instance sees the same count: tracking-code lookups per address, logins per account
//! and address, logins per account.
//!
//! An attempt is counted before it is checked, by one statement that adds one and
//! returns the new count. However many arrive at once, each learns its own place in the
//! window, and only the first `limit` of them go on to be checked: reading the count
//! first and writing it after the check let sixty concurrent guesses through a limit of
//! ten.

use gongzhi_domain::time::Millis;
use sqlx::{AnyConnection, Row};

use crate::{Result, Store, StoreError};

/// Longest key the throttle takes, in bytes. Keys are built from bounded parts (a login
/// of at most 64 characters, an IP address); a longer one is refused, never stored.
pub const MAX_THROTTLE_KEY: usize = 200;

fn check_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > MAX_THROTTLE_KEY || key.contains('\0') {
        return Err(StoreError::Invalid(format!("a throttle key is 1 to {MAX_THROTTLE_KEY} bytes")));
    }
    Ok(())
}

impl Store {
    /// Counts one attempt for `key` and returns how many the current window now holds,
    /// this one included; a window that has passed starts again at one.
    pub async fn count_attempt(&self, key: &str, window: Millis, now: Millis) -> Result<i64> {
        let mut conn = self.pool().acquire().await?;
        count_attempt_on(&mut conn, key, window, now).await
    }

    /// Takes back an attempt that turned out to be right (a login that succeeded, a code
    /// that exists), so that the owner's own use does not fill the window.
    pub async fn forgive_attempt(&self, key: &str) -> Result<()> {
        check_key(key)?;
        sqlx::query("UPDATE throttle SET count = count - 1 WHERE key = $1 AND count > 0")
            .bind(key)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Clears the throttle windows that have passed, the addresses accounts have not
    /// logged in from for `LOGIN_SOURCE_DAYS` and the residents' phone codes that have
    /// run out; returns how many rows went. The store
    /// does this by itself once a minute.
    pub async fn clear_passed_attempts(&self, now: Millis) -> Result<u64> {
        clear_passed(self.pool(), now).await
    }
}

/// What `clear_passed_attempts` does: the throttle holds a row for every address and
/// login ever tried, and would otherwise grow without end.
pub(crate) async fn clear_passed(pool: &sqlx::AnyPool, now: Millis) -> Result<u64> {
    let windows = sqlx::query("DELETE FROM throttle WHERE expires_at <= $1").bind(now).execute(pool).await?;
    let sources = crate::accounts::forget_login_sources(pool, now).await?;
    // Residents' codes and confirmations that have run out go the same way.
    let codes = sqlx::query("DELETE FROM phone_codes WHERE expires_at <= $1").bind(now).execute(pool).await?;
    Ok(windows.rows_affected() + sources + codes.rows_affected())
}

/// `Store::count_attempt` on a connection of the caller's: the writer counts an attempt
/// in the transaction of what it guards, so that the two take the write lock once.
pub(crate) async fn count_attempt_on(conn: &mut AnyConnection, key: &str, window: Millis, now: Millis) -> Result<i64> {
    check_key(key)?;
    let row = sqlx::query(
        "INSERT INTO throttle (key, window_start, count, expires_at) VALUES ($1, $2, 1, $3) \
         ON CONFLICT (key) DO UPDATE SET \
         count = CASE WHEN throttle.expires_at > $2 THEN throttle.count + 1 ELSE 1 END, \
         window_start = CASE WHEN throttle.expires_at > $2 THEN throttle.window_start ELSE $2 END, \
         expires_at = CASE WHEN throttle.expires_at > $2 THEN throttle.expires_at ELSE $3 END \
         RETURNING count",
    )
    .bind(key)
    .bind(now)
    .bind(now.saturating_add(window))
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("count")?)
}
