//! Time as the platform counts it: instants are UTC milliseconds, days are local
//! calendar days of China Standard Time (UTC+8, no daylight saving), because deadlines,
//! holidays and reporting periods are all reckoned in local days.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

pub const HOUR: Millis = 3_600_000;
pub const DAY: Millis = 24 * HOUR;

pub fn local() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

pub fn now() -> Millis {
    Utc::now().timestamp_millis()
}

/// The local calendar date of an instant.
pub fn local_date(at: Millis) -> NaiveDate {
    to_datetime(at).with_timezone(&local()).date_naive()
}

/// Days since 1970-01-01 of the local date: the key of daily aggregates.
pub fn day_number(at: Millis) -> i64 {
    date_to_day(local_date(at))
}

pub fn date_to_day(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce() - 719_163)
}

pub fn day_to_date(day: i64) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt((day + 719_163) as i32).unwrap_or(NaiveDate::MIN)
}

/// The instant a local date starts.
pub fn start_of(date: NaiveDate) -> Millis {
    local()
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .map(|d| d.timestamp_millis())
        .unwrap_or(0)
}

pub fn to_datetime(at: Millis) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at).unwrap_or_default()
}

/// RFC 3339 in local time, the form the API shows.
pub fn format(at: Millis) -> String {
    to_datetime(at).with_timezone(&local()).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// A local date and minute, the form pages show: 2026-11-27 08:12.
pub fn display(at: Millis) -> String {
    to_datetime(at).with_timezone(&local()).format("%Y-%m-%d %H:%M").to_string()
}

pub fn year_of(at: Millis) -> i32 {
    local_date(at).year()
}
