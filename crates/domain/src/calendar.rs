//! The working-day calendar: weekends, official holidays and the weekend days made
//! working days (调休), as announced year by year.
//!
//! A year without an announcement is still usable — on weekends alone — but every answer
//! says whether it was covered, so that a deadline computed that way can be flagged.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, Weekday};

/// The official days shipped with Gongzhi; an admin can load a newer file.
pub const DEFAULT_CSV: &str = include_str!("../data/cn_official_days.csv");

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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
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
