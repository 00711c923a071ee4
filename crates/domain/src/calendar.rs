//! The working-day calendar: weekends, official holidays and the weekend days made
//! working days (调休), as announced year by year.
//!
//! A year without an announcement is still usable — on weekends alone — but every answer
//! says whether it was covered, so that a deadline computed that way can be flagged.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, Weekday};

use crate::time::{self, Millis, HOUR};

/// The official days shipped with Gongzhi; an admin can load a newer file.
pub const DEFAULT_CSV: &str = include_str!("../data/cn_official_days.csv");

/// The office hours of a working day, local time: waiting is counted in these.
pub const OFFICE_HOURS: (i64, i64) = (9, 17);

/// Days a wait is counted over at most: beyond a year it is long by any measure.
const LONGEST_WAIT_DAYS: i64 = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    Holiday,
    Workday,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    days: HashMap<NaiveDate, DayKind>,
    years: BTreeSet<i32>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("calendar line {line}: {reason}")]
pub struct CalendarError {
    pub line: usize,
    pub reason: String,
}

impl WorkCalendar {
    pub fn official() -> WorkCalendar {
        WorkCalendar::parse(DEFAULT_CSV).expect("the shipped calendar parses")
    }

    /// Reads `date,kind[,festival]` lines with `kind` `holiday` or `workday`; a header
    /// line is skipped. A year counts as covered once any of its days is listed.
    pub fn parse(csv: &str) -> Result<WorkCalendar, CalendarError> {
        let mut calendar = WorkCalendar::default();
        for (index, line) in csv.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || (index == 0 && line.starts_with("date")) {
                continue;
            }
            let fail = |reason: &str| CalendarError { line: index + 1, reason: reason.into() };
            let mut fields = line.split(',');
            let date = fields.next().unwrap_or_default().trim();
            let date =
                NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| fail("the date must read YYYY-MM-DD"))?;
            let kind = match fields.next().map(str::trim) {
                Some("holiday") => DayKind::Holiday,
                Some("workday") => DayKind::Workday,
                _ => return Err(fail("the kind must be `holiday` or `workday`")),
            };
            calendar.days.insert(date, kind);
            calendar.years.insert(date.year());
        }
        if calendar.years.is_empty() {
            return Err(CalendarError { line: 0, reason: "no days listed".into() });
        }
        Ok(calendar)
    }

    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// Whether people work on this date.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.days.get(&date) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The `n`th working day after `date` (n ≥ 1), and whether every day stepped over
    /// lay in a covered year.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> (NaiveDate, bool) {
        let mut day = date;
        let mut covered = self.covers(day.year());
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().unwrap_or(day);
            covered &= self.covers(day.year());
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        (day, covered)
    }

    /// Whole office hours (`OFFICE_HOURS` of working days) between two instants: how
    /// long something has waited, as the people who should act on it count time.
    pub fn working_hours(&self, from: Millis, to: Millis) -> i64 {
        if to <= from {
            return 0;
        }
        let first = time::local_date(from).max(time::local_date(to) - chrono::Duration::days(LONGEST_WAIT_DAYS));
        let mut counted = 0;
        for date in first.iter_days().take_while(|d| *d <= time::local_date(to)) {
            if !self.is_working_day(date) {
                continue;
            }
            let day = time::start_of(date);
            let (open, close) = (day + OFFICE_HOURS.0 * HOUR, day + OFFICE_HOURS.1 * HOUR);
            counted += (close.min(to) - open.max(from)).max(0);
        }
        counted / HOUR
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn waiting_counts_office_hours_of_working_days_only() {
        let calendar = WorkCalendar::official();
        let at = |d: &str, h: i64| time::start_of(date(d)) + h * HOUR;
        // Friday 16:00 to Monday 10:00: one hour on Friday, one on Monday.
        assert_eq!(calendar.working_hours(at("2024-06-14", 16), at("2024-06-17", 10)), 2);
        // A whole working day counts its office hours, a night none.
        assert_eq!(calendar.working_hours(at("2024-06-18", 0), at("2024-06-19", 0)), 8);
        assert_eq!(calendar.working_hours(at("2024-06-18", 18), at("2024-06-19", 8)), 0);
        // National Day week is no working time.
        assert_eq!(calendar.working_hours(at("2024-10-01", 0), at("2024-10-07", 23)), 0);
        assert_eq!(calendar.working_hours(at("2024-06-19", 0), at("2024-06-18", 0)), 0);
    }

    #[test]
    fn national_day_week_is_skipped_and_makeup_saturday_counts() {
        let calendar = WorkCalendar::official();
        // 2024-10-01..07 were holidays; Saturday 2024-10-12 was a make-up working day.
        assert!(!calendar.is_working_day(date("2024-10-01")));
        assert!(calendar.is_working_day(date("2024-10-12")));
        // One working day after Monday 2024-09-30 is Tuesday 2024-10-08.
        assert_eq!(calendar.add_working_days(date("2024-09-30"), 1), (date("2024-10-08"), true));
    }

    #[test]
    fn an_unannounced_year_falls_back_to_weekends_and_says_so() {
        let calendar = WorkCalendar::official();
        assert!(!calendar.covers(2031));
        // Friday 2031-01-03 + 1 working day = Monday 2031-01-06, not covered.
        assert_eq!(calendar.add_working_days(date("2031-01-03"), 1), (date("2031-01-06"), false));
    }

    #[test]
    fn bad_lines_are_named() {
        let error = WorkCalendar::parse("date,kind\n2027-01-01,feast\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(WorkCalendar::parse("date,kind\n").is_err());
    }
}
