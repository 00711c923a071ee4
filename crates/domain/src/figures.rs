//! Which requests a figure counts, so that a click on any figure lists exactly them.
//!
//! `measures::contribution` decides which (unit, day) cells a request adds to; the
//! selections here say the same from the other side, in terms of a request's own
//! columns: the instant that puts it on a day, the unit path that puts it in a scope, and
//! the conditions it must meet. The store turns a selection into an indexed query; the
//! tests below hold every selection to `contribution`, so the two cannot drift apart.

use serde::{Deserialize, Serialize};

use crate::measures::Measures;
use crate::request::{Request, Status};
use crate::time::Millis;

/// The instant that places a request on a day of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instant {
    Created,
    Dispatched,
    RespondBy,
    ResolveBy,
    FirstResolved,
    Evaluated,
}

impl Instant {
    /// The request column that holds it.
    pub fn column(self) -> &'static str {
        match self {
            Instant::Created => "created_at",
            Instant::Dispatched => "dispatched_at",
            Instant::RespondBy => "respond_by",
            Instant::ResolveBy => "resolve_by",
            Instant::FirstResolved => "first_resolved_at",
            Instant::Evaluated => "evaluated_at",
        }
    }

    pub fn of(self, r: &Request) -> Option<Millis> {
        match self {
            Instant::Created => Some(r.created_at),
            Instant::Dispatched => r.dispatched_at,
            Instant::RespondBy => r.respond_by,
            Instant::ResolveBy => r.resolve_by,
            Instant::FirstResolved => r.first_resolved_at,
            Instant::Evaluated => r.evaluated_at,
        }
    }
}

/// The unit that places a request in a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Where the problem is (`unit_path`): intake is counted there.
    Raised,
    /// The unit it is assigned to (`assignee_path`).
    Assigned,
    /// The unit that handles it: the assigned one, or its place when it was answered at
    /// intake.
    Handling,
}

impl Place {
    pub fn unit_of(self, r: &Request) -> Option<i64> {
        match self {
            Place::Raised => Some(r.new.unit_id),
            Place::Assigned => r.assignee_unit_id,
            Place::Handling => Some(r.assignee_unit_id.unwrap_or(r.new.unit_id)),
        }
    }
}

/// What else a request must meet to be counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Joined another request as a duplicate.
    Merged,
    /// Dispatched to a unit and still assigned to it.
    Assigned,
    /// Resolved or closed.
    Done,
    /// Returned at least once.
    Returned,
    /// Claimed by its claim deadline.
    ClaimedInTime,
    /// Done, and resolved by its resolve deadline.
    ResolvedInTime,
    /// Done, and resolved after its resolve deadline.
    ResolvedLate,
    /// Reopened at least once.
    Reopened,
    /// Carries a verdict.
    Evaluated,
    /// The verdict says solved.
    Solved,
    /// The verdict is 满意 or 基本满意.
    Satisfied,
    /// Waiting to be claimed or being handled.
    Working,
    /// Its resolve deadline has passed.
    Passed,
    /// Drew at least one repeat call.
    RepeatCalled,
}

fn done(r: &Request) -> bool {
    matches!(r.status, Status::Resolved | Status::Closed)
}

impl Condition {
    pub fn holds(self, r: &Request, now: Millis) -> bool {
        match self {
            Condition::Merged => r.status == Status::Merged,
            Condition::Assigned => r.dispatched_at.is_some() && r.assignee_unit_id.is_some(),
            Condition::Done => done(r),
            Condition::Returned => r.return_count > 0,
            Condition::ClaimedInTime => matches!((r.claimed_at, r.respond_by), (Some(at), Some(due)) if at <= due),
            Condition::ResolvedInTime => {
                done(r) && matches!((r.resolved_at, r.resolve_by), (Some(at), Some(due)) if at <= due)
            }
            Condition::ResolvedLate => {
                done(r) && matches!((r.resolved_at, r.resolve_by), (Some(at), Some(due)) if at > due)
            }
            Condition::Reopened => r.reopen_count > 0,
            Condition::Evaluated => r.satisfaction.is_some(),
            Condition::Solved => r.solved == Some(true),
            Condition::Satisfied => r.satisfaction.is_some_and(|s| s.counts_as_satisfied()),
            Condition::Working => matches!(r.status, Status::Dispatched | Status::InProgress),
            Condition::Passed => r.resolve_by.is_some_and(|due| due < now),
            Condition::RepeatCalled => r.repeat_calls > 0,
        }
    }
}

/// How much one request adds to a counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// One: the counter counts requests.
    One,
    /// Its repeat calls: the counter counts calls, and lists the requests they were about.
    RepeatCalls,
}

impl Weight {
    pub fn of(self, r: &Request) -> i64 {
        match self {
            Weight::One => 1,
            Weight::RepeatCalls => r.repeat_calls,
        }
    }

    /// The request column that holds the weight; none when each request counts once.
    pub fn column(self) -> Option<&'static str> {
        match self {
            Weight::One => None,
            Weight::RepeatCalls => Some("repeat_calls"),
        }
    }
}

/// The requests behind one counter: those whose `at` falls in the period, whose `place`
/// lies in the scope, and that meet every condition; each adds its `weight`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    /// The counter's name, as in `Counters::FIELDS`, or `open_overdue`.
    pub name: &'static str,
    pub at: Instant,
    pub place: Place,
    pub conditions: &'static [Condition],
    pub weight: Weight,
}

use Condition::*;

const fn select(name: &'static str, at: Instant, place: Place, conditions: &'static [Condition]) -> Selection {
    Selection { name, at, place, conditions, weight: Weight::One }
}

/// One selection per counter of `Counters`, in its order, and the open overdue requests
/// that complete the overdue count.
pub const SELECTIONS: &[Selection] = &[
    select("intake", Instant::Created, Place::Raised, &[]),
    select("merged", Instant::Created, Place::Raised, &[Merged]),
    Selection {
        name: "repeat_calls",
        at: Instant::Created,
        place: Place::Raised,
        conditions: &[RepeatCalled],
        weight: Weight::RepeatCalls,
    },
    select("dispatched", Instant::Dispatched, Place::Assigned, &[Assigned]),
    select("dispatched_resolved", Instant::Dispatched, Place::Assigned, &[Assigned, Done]),
    select("dispatched_returned", Instant::Dispatched, Place::Assigned, &[Assigned, Returned]),
    select("respond_due", Instant::RespondBy, Place::Assigned, &[Assigned]),
    select("responded_on_time", Instant::RespondBy, Place::Assigned, &[Assigned, ClaimedInTime]),
    select("resolve_due", Instant::ResolveBy, Place::Assigned, &[Assigned]),
    select("resolved_on_time", Instant::ResolveBy, Place::Assigned, &[Assigned, ResolvedInTime]),
    select("resolved_late", Instant::ResolveBy, Place::Assigned, &[Assigned, ResolvedLate]),
    select("resolved", Instant::FirstResolved, Place::Handling, &[]),
    select("resolved_reopened", Instant::FirstResolved, Place::Handling, &[Reopened]),
    select("evaluations", Instant::Evaluated, Place::Handling, &[Evaluated]),
    select("evaluations_solved", Instant::Evaluated, Place::Handling, &[Evaluated, Solved]),
    select("evaluations_satisfied", Instant::Evaluated, Place::Handling, &[Evaluated, Satisfied]),
    OPEN_OVERDUE,
];

/// Still open past a resolve deadline that fell in the period: with `resolved_late`,
/// the overdue count.
pub const OPEN_OVERDUE: Selection = select("open_overdue", Instant::ResolveBy, Place::Assigned, &[Working, Passed]);

impl Selection {
    pub fn by_name(name: &str) -> Option<&'static Selection> {
        SELECTIONS.iter().find(|s| s.name == name)
    }

    /// The unit and instant a request is counted at, if it is counted at all.
    pub fn counts(&self, r: &Request, now: Millis) -> Option<(i64, Millis)> {
        if !self.conditions.iter().all(|c| c.holds(r, now)) {
            return None;
        }
        Some((self.place.unit_of(r)?, self.at.of(r)?))
    }
}

/// What a figure on a page is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Makeup {
    /// The sum of these selections.
    Count(&'static [&'static str]),
    /// `part` ÷ `whole`; `part` is a subset of `whole`.
    Rate { part: &'static str, whole: &'static str },
    /// A weighted average of these rates, as `measures::Scoring` weighs them.
    Score(&'static [Measure]),
}

crate::request::vocabulary! {
    /// The measures of SPEC section 4 that pages show, named as the fields of `Measures`.
    Measure {
        Intake = "intake",
        ResponseRate = "response_rate",
        ClosureRate = "closure_rate",
        OnTimeRate = "on_time_rate",
        SolvedRate = "solved_rate",
        SatisfactionRate = "satisfaction_rate",
        ReturnRate = "return_rate",
        ReopenRate = "reopen_rate",
        DuplicateRate = "duplicate_rate",
        RepeatCalls = "repeat_calls",
        OverdueCount = "overdue_count",
        CompositeScore = "composite_score",
    }
}

impl Measure {
    pub fn makeup(self) -> Makeup {
        use Makeup::*;
        match self {
            Measure::Intake => Count(&["intake"]),
            Measure::ResponseRate => Rate { part: "responded_on_time", whole: "respond_due" },
            Measure::ClosureRate => Rate { part: "dispatched_resolved", whole: "dispatched" },
            Measure::OnTimeRate => Rate { part: "resolved_on_time", whole: "resolve_due" },
            Measure::SolvedRate => Rate { part: "evaluations_solved", whole: "evaluations" },
            Measure::SatisfactionRate => Rate { part: "evaluations_satisfied", whole: "evaluations" },
            Measure::ReturnRate => Rate { part: "dispatched_returned", whole: "dispatched" },
            Measure::ReopenRate => Rate { part: "resolved_reopened", whole: "resolved" },
            Measure::DuplicateRate => Rate { part: "merged", whole: "intake" },
            Measure::RepeatCalls => Count(&["repeat_calls"]),
            Measure::OverdueCount => Count(&["resolved_late", "open_overdue"]),
            Measure::CompositeScore => Score(&[
                Measure::ResponseRate,
                Measure::ClosureRate,
                Measure::OnTimeRate,
                Measure::SolvedRate,
                Measure::SatisfactionRate,
            ]),
        }
    }

    /// Whether the value is a share (shown as a percentage).
    pub fn is_rate(self) -> bool {
        matches!(self.makeup(), Makeup::Rate { .. })
    }

    /// The value as `Measures` holds it; counts as whole numbers.
    pub fn value(self, m: &Measures) -> Option<f64> {
        match self {
            Measure::Intake => Some(m.intake as f64),
            Measure::ResponseRate => m.response_rate,
            Measure::ClosureRate => m.closure_rate,
            Measure::OnTimeRate => m.on_time_rate,
            Measure::SolvedRate => m.solved_rate,
            Measure::SatisfactionRate => m.satisfaction_rate,
            Measure::ReturnRate => m.return_rate,
            Measure::ReopenRate => m.reopen_rate,
            Measure::DuplicateRate => m.duplicate_rate,
            Measure::RepeatCalls => Some(m.repeat_calls as f64),
            Measure::OverdueCount => Some(m.overdue_count as f64),
            Measure::CompositeScore => m.composite_score,
        }
    }
}

/// A figure as pages and bulletins show it: `85.0%`, `205`, `—` when there was nothing
/// to count.
pub fn display(measure: Measure, m: &Measures) -> String {
    match (measure.value(m), measure) {
        (None, _) => "—".into(),
        (Some(v), m) if m.is_rate() => format!("{:.1}%", v * 100.0),
        (Some(v), Measure::CompositeScore) => format!("{v:.1}"),
        (Some(v), _) => format!("{v:.0}"),
    }
}

/// A named count in a period, for a figure's breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    pub name: &'static str,
    pub count: i64,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::measures::{contribution, Counters, Scoring};
    use crate::request::{Channel, Kind, NewRequest, RequesterType, Satisfaction};
    use crate::time::{day_number, DAY, HOUR};
    use proptest::prelude::*;

    fn request(seed: [u8; 12]) -> Request {
        let new = NewRequest {
            kind: Kind::Complaint,
            channel: Channel::Hotline,
            title: "t".into(),
            content: "c".into(),
            address: String::new(),
            unit_id: 10 + i64::from(seed[0] % 2),
            category_id: None,
            urgent: false,
            requester_type: RequesterType::Resident,
            requester_name: String::new(),
            requester_phone: String::new(),
            anonymous: true,
            location: None,
        };
        let t0 = 1_700_000_000_000 + i64::from(seed[1]) * HOUR;
        let mut r = Request::submitted(new, "/1/".into(), t0);
        r.status = Status::ALL[usize::from(seed[2]) % Status::ALL.len()];
        let at = |b: u8| (!b.is_multiple_of(4)).then(|| t0 + i64::from(b) * 7 * HOUR);
        r.dispatched_at = at(seed[3]);
        r.assignee_unit_id = (!seed[4].is_multiple_of(3)).then_some(20 + i64::from(seed[4] % 2));
        r.respond_by = r.dispatched_at.map(|d| d + DAY);
        r.claimed_at = at(seed[5]);
        r.resolve_by = at(seed[6]).map(|d| d + 2 * DAY);
        r.resolved_at = at(seed[7]);
        r.first_resolved_at = r.resolved_at.filter(|_| !seed[7].is_multiple_of(3)).or(at(seed[8]));
        r.evaluated_at = at(seed[9]);
        r.satisfaction = (!seed[9].is_multiple_of(5)).then(|| Satisfaction::ALL[usize::from(seed[9]) % 3]);
        r.solved = r.satisfaction.map(|_| seed[10].is_multiple_of(2));
        r.return_count = i64::from(seed[11] % 2);
        r.reopen_count = i64::from(seed[11] / 2 % 2);
        r.repeat_calls = i64::from(seed[11] / 4 % 3);
        r
    }

    proptest! {
        /// Every counter's selection picks the requests `contribution` counts, on the
        /// same unit and day.
        #[test]
        fn selections_agree_with_contribution(seed in any::<[u8; 12]>()) {
            let r = request(seed);
            let mut cells: BTreeMap<(i64, i64), Counters> = BTreeMap::new();
            for (i, selection) in SELECTIONS.iter().filter(|s| s.name != "open_overdue").enumerate() {
                prop_assert_eq!(selection.name, Counters::FIELDS[i]);
                if let Some((unit, at)) = selection.counts(&r, 0) {
                    let cell = cells.entry((unit, day_number(at))).or_default();
                    let mut values = cell.values();
                    values[i] += selection.weight.of(&r);
                    *cell = Counters::from_values(&values);
                }
            }
            prop_assert_eq!(cells, contribution(&r));
        }
    }

    #[test]
    fn every_part_of_every_measure_has_a_selection() {
        for measure in Measure::ALL {
            let names: Vec<&str> = match measure.makeup() {
                Makeup::Count(names) => names.to_vec(),
                Makeup::Rate { part, whole } => vec![part, whole],
                Makeup::Score(parts) => {
                    assert!(parts.iter().all(|m| m.is_rate()));
                    continue;
                }
            };
            for name in names {
                assert!(Selection::by_name(name).is_some(), "{measure}: {name}");
            }
        }
    }

    #[test]
    fn open_overdue_counts_only_what_is_still_being_handled_past_its_deadline() {
        let mut r = request([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
        r.status = Status::InProgress;
        r.resolve_by = Some(1_000);
        r.assignee_unit_id = Some(7);
        assert_eq!(OPEN_OVERDUE.counts(&r, 999), None);
        assert_eq!(OPEN_OVERDUE.counts(&r, 1_001), Some((7, 1_000)));
        r.status = Status::Resolved;
        assert_eq!(OPEN_OVERDUE.counts(&r, 1_001), None);
    }

    #[test]
    fn figures_display_as_pages_show_them() {
        let c = Counters { intake: 205, respond_due: 4, responded_on_time: 3, ..Default::default() };
        let m = Measures::from_counters(c, 2, &Scoring::default());
        assert_eq!(display(Measure::Intake, &m), "205");
        assert_eq!(display(Measure::ResponseRate, &m), "75.0%");
        assert_eq!(display(Measure::SolvedRate, &m), "—");
        assert_eq!(display(Measure::OverdueCount, &m), "2");
        assert_eq!(display(Measure::CompositeScore, &m), "—", "too little data to score");
        let m = Measures::from_counters(
            c,
            2,
            &Scoring { closure: 0.0, solved: 0.0, satisfaction: 0.0, minimum: 1, ..Scoring::default() },
        );
        assert_eq!(display(Measure::CompositeScore, &m), "75.0");
    }
}
