//! When a dispatched request must be claimed (`respond_by`) and resolved (`resolve_by`).
//!
//! Urgent requests run on clock hours; the others on working days, and a deadline of N
//! working days ends at midnight closing the Nth working day after dispatch ("3个工作日内").

use serde::{Deserialize, Serialize};

use crate::calendar::WorkCalendar;
use crate::request::Kind;
use crate::time::{self, Millis, HOUR};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadlinePolicy {
    pub urgent_respond_hours: i64,
    pub urgent_resolve_hours: i64,
    pub quick_respond_days: u32,
    pub quick_resolve_days: u32,
    pub standard_respond_days: u32,
    pub standard_resolve_days: u32,
    pub evaluation_window_days: i64,
    /// How long before a deadline the queue turns yellow.
    pub warning_lead_hours: i64,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        DeadlinePolicy {
            urgent_respond_hours: 2,
            urgent_resolve_hours: 24,
            quick_respond_days: 1,
            quick_resolve_days: 3,
            standard_respond_days: 1,
            standard_resolve_days: 15,
            evaluation_window_days: 7,
            warning_lead_hours: 24,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub respond_by: Millis,
    pub resolve_by: Millis,
    /// A day counted lay in a year the calendar has no announcement for.
    pub estimated: bool,
}

impl DeadlinePolicy {
    /// Deadlines for a request dispatched at `from`. A category may set its own number
    /// of working days to resolve.
    pub fn deadlines(
        &self,
        calendar: &WorkCalendar,
        from: Millis,
        kind: Kind,
        urgent: bool,
        category_resolve_days: Option<u32>,
    ) -> Deadlines {
        if urgent {
            return Deadlines {
                respond_by: from + self.urgent_respond_hours * HOUR,
                resolve_by: from + self.urgent_resolve_hours * HOUR,
                estimated: false,
            };
        }
        let (respond_days, resolve_days) = match kind {
            Kind::Consult | Kind::Help | Kind::Praise => (self.quick_respond_days, self.quick_resolve_days),
            Kind::Complaint | Kind::Report | Kind::Suggestion => {
                (self.standard_respond_days, self.standard_resolve_days)
            }
        };
        let resolve_days = category_resolve_days.unwrap_or(resolve_days);
        let (respond_by, respond_known) = end_of_working_day(calendar, from, respond_days);
        let (resolve_by, resolve_known) = end_of_working_day(calendar, from, resolve_days);
        Deadlines { respond_by, resolve_by, estimated: !(respond_known && resolve_known) }
    }

    /// An answer must come before the window closes; after it, auto-close.
    pub fn evaluation_closes(&self, resolved_at: Millis) -> Millis {
        resolved_at + self.evaluation_window_days * time::DAY
    }
}

pub(crate) fn end_of_working_day(calendar: &WorkCalendar, from: Millis, days: u32) -> (Millis, bool) {
    let (date, covered) = calendar.add_working_days(time::local_date(from), days.max(1));
    let next_midnight = date.succ_opt().unwrap_or(date);
    (time::start_of(next_midnight) - 1, covered)
}

/// How a deadline looks in a queue right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Urgency {
    OnTrack,
    /// Yellow: due within the warning lead.
    DueSoon,
    /// Red: past the deadline.
    Overdue,
}

impl DeadlinePolicy {
    /// The colour of an open request with a deadline; `None` for the rest.
    pub fn urgency_of(&self, request: &crate::Request, now: Millis) -> Option<Urgency> {
        request.resolve_by.filter(|_| request.status.is_open()).map(|due| self.urgency(due, now))
    }

    pub fn urgency(&self, due: Millis, now: Millis) -> Urgency {
        if due < now {
            Urgency::Overdue
        } else if due - now <= self.warning_lead_hours * HOUR {
            Urgency::DueSoon
        } else {
            Urgency::OnTrack
        }
    }

    /// How many levels up the unit tree an overdue item has climbed: one for every
    /// further period (the resolve span of a standard request, in days) it stays overdue.
    pub fn escalation_levels(&self, due: Millis, now: Millis) -> i64 {
        if now <= due {
            return 0;
        }
        let period = i64::from(self.standard_resolve_days.max(1)) * time::DAY;
        (now - due) / period
    }
}

/// How long until a deadline, as a person counts it: working days left on the calendar,
/// or whole days past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLeft {
    /// Working days after today up to and including the deadline's day.
    WorkingDays(u32),
    /// Due before today's work ends.
    Today,
    /// Days since the deadline passed, counting a started day as one.
    Overdue(i64),
}

pub fn time_left(calendar: &WorkCalendar, due: Millis, now: Millis) -> TimeLeft {
    if due < now {
        return TimeLeft::Overdue(((now - due + time::DAY - 1) / time::DAY).max(1));
    }
    let (today, last) = (time::local_date(now), time::local_date(due));
    let days = today.iter_days().skip(1).take_while(|d| *d <= last).filter(|d| calendar.is_working_day(*d)).count();
    match days {
        0 => TimeLeft::Today,
        n => TimeLeft::WorkingDays(n as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(date: &str, hour: u32) -> Millis {
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        time::start_of(date) + i64::from(hour) * HOUR
    }

    #[test]
    fn time_left_counts_working_days_and_days_overdue() {
        let calendar = WorkCalendar::official();
        // From Monday 2024-09-30 to Friday 2024-10-11: the National Day week is off, then
        // 10-08..10-11 are four working days.
        assert_eq!(time_left(&calendar, at("2024-10-11", 18), at("2024-09-30", 9)), TimeLeft::WorkingDays(4));
        assert_eq!(time_left(&calendar, at("2024-10-11", 18), at("2024-10-11", 9)), TimeLeft::Today);
        assert_eq!(time_left(&calendar, at("2024-10-11", 18), at("2024-10-11", 19)), TimeLeft::Overdue(1));
        assert_eq!(time_left(&calendar, at("2024-10-11", 18), at("2024-10-14", 19)), TimeLeft::Overdue(4));
    }

    #[test]
    fn a_complaint_dispatched_before_national_day_is_due_fifteen_working_days_later() {
        let policy = DeadlinePolicy::default();
        let calendar = WorkCalendar::official();
        let due = policy.deadlines(&calendar, at("2024-09-30", 10), Kind::Complaint, false, None);
        // Working days after 09-30: 10-08..11 (4), 10-12 make-up Saturday (5), 10-14..18
        // (10), 10-21..25 (15).
        assert_eq!(time::local_date(due.resolve_by), NaiveDate::from_ymd_opt(2024, 10, 25).unwrap());
        assert_eq!(time::local_date(due.respond_by), NaiveDate::from_ymd_opt(2024, 10, 8).unwrap());
        assert!(!due.estimated);
    }

    #[test]
    fn urgent_requests_run_on_the_clock() {
        let policy = DeadlinePolicy::default();
        let from = at("2024-10-01", 9);
        let due = policy.deadlines(&WorkCalendar::official(), from, Kind::Help, true, None);
        assert_eq!(due.respond_by - from, 2 * HOUR);
        assert_eq!(due.resolve_by - from, 24 * HOUR);
    }

    #[test]
    fn deadlines_in_an_unannounced_year_are_flagged() {
        let policy = DeadlinePolicy::default();
        let due = policy.deadlines(&WorkCalendar::official(), at("2031-03-02", 9), Kind::Consult, false, None);
        assert!(due.estimated);
    }

    #[test]
    fn queue_colours_follow_the_lead() {
        let policy = DeadlinePolicy::default();
        assert_eq!(policy.urgency(100 * HOUR, 50 * HOUR), Urgency::OnTrack);
        assert_eq!(policy.urgency(100 * HOUR, 90 * HOUR), Urgency::DueSoon);
        assert_eq!(policy.urgency(100 * HOUR, 101 * HOUR), Urgency::Overdue);
    }
}
