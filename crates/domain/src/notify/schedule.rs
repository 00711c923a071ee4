//! When a delivery is tried: again after a failure, later backing off each time, until
//! the last try sends it to the dead letters; and not at night for residents' phones.

use chrono::{NaiveTime, Timelike};

use crate::time::{self, Millis};

/// Retries back off exponentially: `first`, twice that, four times, … never more than
/// `longest` apart, `attempts` tries in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Millis,
    pub longest: Millis,
    pub attempts: u32,
}

impl Default for Backoff {
    /// Eight tries over about two hours: a gateway down for a restart or an afternoon's
    /// maintenance is waited for; one down for longer is an admin's to look at.
    fn default() -> Self {
        Backoff { first: 30_000, longest: time::HOUR, attempts: 8 }
    }
}

impl Backoff {
    /// When to try again after the `failed`-th failed try, or `None` when that was the
    /// last and the notification is a dead letter.
    pub fn after(&self, failed: u32, at: Millis) -> Option<Millis> {
        if failed >= self.attempts {
            return None;
        }
        let doubled = self.first.saturating_mul(1_i64 << failed.saturating_sub(1).min(40));
        Some(at + doubled.min(self.longest))
    }
}

/// Hours in which no SMS goes to a resident's phone (local time, UTC+8); messages are
/// held until they end, never dropped. `start == end` means none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Default for QuietHours {
    fn default() -> Self {
        QuietHours { start: hm(21, 0), end: hm(8, 0) }
    }
}

fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default()
}

impl QuietHours {
    /// Reads `21:00-08:00`; `none` (or an empty span) turns quiet hours off.
    pub fn parse(text: &str) -> Option<QuietHours> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("none") || text.eq_ignore_ascii_case("off") {
            return Some(QuietHours { start: hm(0, 0), end: hm(0, 0) });
        }
        let (start, end) = text.split_once('-')?;
        let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok();
        Some(QuietHours { start: time(start)?, end: time(end)? })
    }

    /// Whether a local time of day falls in the quiet hours.
    fn covers(&self, t: NaiveTime) -> bool {
        if self.start == self.end {
            false
        } else if self.start < self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }

    /// When a message due `at` may go: `None` if now, else the instant the quiet hours end.
    pub fn hold_until(&self, at: Millis) -> Option<Millis> {
        let local = time::to_datetime(at).with_timezone(&time::local());
        let t = local.time().with_nanosecond(0).unwrap_or_default();
        if !self.covers(t) {
            return None;
        }
        let today = local.date_naive();
        let day = if t < self.end { today } else { today.succ_opt().unwrap_or(today) };
        Some(time::start_of(day) + i64::from(self.end.num_seconds_from_midnight()) * 1_000)
    }
}

impl std::fmt::Display for QuietHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.start.format("%H:%M"), self.end.format("%H:%M"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(date: &str, hour: i64, minute: i64) -> Millis {
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        time::start_of(date) + hour * time::HOUR + minute * 60_000
    }

    #[test]
    fn retries_double_until_the_longest_wait_then_stop() {
        let b = Backoff { first: 1_000, longest: 5_000, attempts: 5 };
        assert_eq!(b.after(1, 0), Some(1_000));
        assert_eq!(b.after(2, 0), Some(2_000));
        assert_eq!(b.after(3, 0), Some(4_000));
        assert_eq!(b.after(4, 0), Some(5_000), "never longer than the longest wait");
        assert_eq!(b.after(5, 0), None, "the fifth failure is the last");
        assert_eq!(Backoff::default().after(u32::MAX - 1, 0), None);
    }

    #[test]
    fn a_text_written_at_night_waits_for_eight_in_the_morning() {
        let quiet = QuietHours::default();
        assert_eq!(quiet.hold_until(local("2026-03-02", 20, 59)), None);
        assert_eq!(quiet.hold_until(local("2026-03-02", 21, 0)), Some(local("2026-03-03", 8, 0)));
        assert_eq!(quiet.hold_until(local("2026-03-02", 23, 30)), Some(local("2026-03-03", 8, 0)));
        assert_eq!(quiet.hold_until(local("2026-03-03", 7, 59)), Some(local("2026-03-03", 8, 0)));
        assert_eq!(quiet.hold_until(local("2026-03-03", 8, 0)), None);
    }

    #[test]
    fn quiet_hours_are_read_from_their_written_form() {
        let lunch = QuietHours::parse("12:00-13:30").unwrap();
        assert_eq!(lunch.hold_until(local("2026-03-02", 12, 10)), Some(local("2026-03-02", 13, 30)));
        assert_eq!(lunch.hold_until(local("2026-03-02", 13, 30)), None);
        assert_eq!(lunch.to_string(), "12:00-13:30");
        assert_eq!(QuietHours::parse("none").unwrap().hold_until(local("2026-03-02", 23, 0)), None);
        assert_eq!(QuietHours::parse("9pm to 8am"), None);
    }
}
