//! Stale work (久拖未动): open requests with no step taken on them for some working days,
//! counted on the working-day calendar so that a holiday week does not make everything
//! stale at once.

use chrono::Days;

use crate::calendar::WorkCalendar;
use crate::time::{local_date, Millis};

/// Working days without a step before open work counts as stale, unless asked otherwise.
pub const DEFAULT_DAYS: u32 = 3;

/// The steps that show a unit working on a request; presses, callbacks and other
/// supervision acts do not.
pub const WORK_ACTIONS: &[&str] =
    &["dispatch", "claim", "progress", "request-extension", "approve-extension", "deny-extension", "resolve", "reopen"];

/// Whole working days between the last step and now: the working days strictly after
/// the day of `last` and before the day of `now`. Counting stops at `cap`.
pub fn idle_working_days(calendar: &WorkCalendar, last: Millis, now: Millis, cap: u32) -> u32 {
    let today = local_date(now);
    let mut day = local_date(last);
    let mut count = 0;
    while count < cap {
        match day.checked_add_days(Days::new(1)) {
            Some(next) if next < today => day = next,
            _ => break,
        }
        if calendar.is_working_day(day) {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{start_of, HOUR};
    use chrono::NaiveDate;

    fn at(date: &str, hour: i64) -> Millis {
        start_of(NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()) + hour * HOUR
    }

    #[test]
    fn only_whole_working_days_count() {
        let calendar = WorkCalendar::official();
        // Friday 2024-09-20 → Tuesday 2024-09-24: only Monday passed whole.
        assert_eq!(idle_working_days(&calendar, at("2024-09-20", 16), at("2024-09-24", 9), 10), 1);
        // The same day, or the next: nothing has passed yet.
        assert_eq!(idle_working_days(&calendar, at("2024-09-23", 9), at("2024-09-24", 9), 10), 0);
        // Across the National Day week: Sunday 09-29 (a make-up working day), 09-30, then
        // 10-08..10-11; the holidays in between do not count.
        assert_eq!(idle_working_days(&calendar, at("2024-09-27", 9), at("2024-10-12", 9), 10), 6);
        assert_eq!(idle_working_days(&calendar, at("2020-01-01", 9), at("2024-10-12", 9), 7), 7, "capped");
    }
}
