//! Counting failures per key in fixed windows, in the database so that every app
//! instance sees the same count: guessed tracking codes per address, failed logins per
//! account.

use gongzhi_domain::time::Millis;
use sqlx::Row;

use crate::{Result, Store};

impl Store {
    /// Whether `key` has reached `limit` failures in the current window.
    pub async fn throttled(&self, key: &str, window: Millis, limit: i64, now: Millis) -> Result<bool> {
        let row = sqlx::query("SELECT window_start, count FROM throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(row) => {
                row.try_get::<i64, _>("window_start")? + window > now && row.try_get::<i64, _>("count")? >= limit
            }
            None => false,
        })
    }

    /// Counts one failure for `key`, starting a new window when the last one has passed.
    pub async fn record_failure(&self, key: &str, window: Millis, now: Millis) -> Result<()> {
        sqlx::query(
            "INSERT INTO throttle (key, window_start, count) VALUES ($1, $2, 1) ON CONFLICT (key) DO UPDATE SET \
             count = CASE WHEN throttle.window_start + $3 > $2 THEN throttle.count + 1 ELSE 1 END, \
             window_start = CASE WHEN throttle.window_start + $3 > $2 THEN throttle.window_start ELSE $2 END",
        )
        .bind(key)
        .bind(now)
        .bind(window)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
