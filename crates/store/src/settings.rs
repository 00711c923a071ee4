//! Settings an admin changes at run time: the working calendar, the deadline policy and
//! how the composite score is made. They live in the database so that every app instance
//! sees the same; each instance keeps a parsed copy and re-reads the rows before each
//! write batch.

use std::sync::{Arc, RwLock};

use gongzhi_domain::calendar::WorkCalendar;
use gongzhi_domain::deadline::DeadlinePolicy;
use gongzhi_domain::measures::Scoring;
use sqlx::{AnyConnection, Row};

use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub calendar: WorkCalendar,
    pub policy: DeadlinePolicy,
    pub scoring: Scoring,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { calendar: WorkCalendar::official(), policy: DeadlinePolicy::default(), scoring: Scoring::default() }
    }
}

#[derive(Default)]
pub(crate) struct Cache {
    /// The raw rows the parsed settings came from, to skip re-parsing unchanged rows.
    parsed: RwLock<Option<(String, Arc<Settings>)>>,
}

pub(crate) const CALENDAR: &str = "calendar";
pub(crate) const POLICY: &str = "deadline_policy";
pub(crate) const SCORING: &str = "score_weights";

fn parse(rows: &[(String, String)]) -> Settings {
    let mut settings = Settings::default();
    for (key, value) in rows {
        // Values were checked when they were saved; a row that no longer parses keeps
        // the default rather than stopping every write.
        match key.as_str() {
            CALENDAR => settings.calendar = WorkCalendar::parse(value).unwrap_or(settings.calendar),
            POLICY => settings.policy = serde_json::from_str(value).unwrap_or(settings.policy),
            SCORING => settings.scoring = serde_json::from_str(value).unwrap_or(settings.scoring),
            _ => {}
        }
    }
    settings
}

pub(crate) async fn current(cache: &Cache, conn: &mut AnyConnection) -> Result<Arc<Settings>> {
    let rows = sqlx::query("SELECT key, value FROM settings ORDER BY key").fetch_all(&mut *conn).await?;
    let rows: Vec<(String, String)> =
        rows.iter().map(|r| Ok((r.try_get("key")?, r.try_get("value")?))).collect::<Result<_, sqlx::Error>>()?;
    let raw: String = rows.iter().map(|(k, v)| format!("{k}\u{1f}{v}\u{1e}")).collect();
    if let Some((seen, settings)) = cache.parsed.read().expect("settings lock").as_ref() {
        if *seen == raw {
            return Ok(settings.clone());
        }
    }
    let settings = Arc::new(parse(&rows));
    *cache.parsed.write().expect("settings lock") = Some((raw, settings.clone()));
    Ok(settings)
}

/// Writes one setting inside the caller's transaction; the caller refreshes the cache
/// after the commit.
pub(crate) async fn put_setting_in(conn: &mut AnyConnection, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// The settings as last read.
    pub fn settings(&self) -> Arc<Settings> {
        self.settings.parsed.read().expect("settings lock").as_ref().map(|(_, s)| s.clone()).unwrap_or_default()
    }

    pub async fn refresh_settings(&self) -> Result<Arc<Settings>> {
        let mut conn = self.pool().acquire().await?;
        current(&self.settings, &mut conn).await
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        let mut conn = self.pool().acquire().await?;
        put_setting_in(&mut conn, key, value).await?;
        self.refresh_settings().await?;
        Ok(())
    }

    /// The calendar file in force: the one last loaded, or the shipped one.
    pub async fn calendar_csv(&self) -> Result<String> {
        let row =
            sqlx::query("SELECT value FROM settings WHERE key = $1").bind(CALENDAR).fetch_optional(self.pool()).await?;
        Ok(match row {
            Some(row) => row.try_get("value")?,
            None => gongzhi_domain::calendar::DEFAULT_CSV.to_string(),
        })
    }

    /// Loads a newer official calendar (`date,kind,festival` lines).
    pub async fn set_calendar(&self, csv: &str) -> Result<WorkCalendar> {
        let calendar = WorkCalendar::parse(csv).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.put_setting(CALENDAR, csv).await?;
        Ok(calendar)
    }

    pub async fn set_policy(&self, policy: &DeadlinePolicy) -> Result<()> {
        self.put_setting(POLICY, &serde_json::to_string(policy).unwrap_or_default()).await
    }

    pub async fn set_scoring(&self, scoring: &Scoring) -> Result<()> {
        scoring.check().map_err(StoreError::Invalid)?;
        self.put_setting(SCORING, &serde_json::to_string(scoring).unwrap_or_default()).await
    }
}
