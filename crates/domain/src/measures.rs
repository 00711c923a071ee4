//! The measures a scope is judged by (受理量, 响应率, 办结率, …), and how one request
//! counts toward them.
//!
//! Each request contributes a few counters to (unit, local day) cells: intake on the day
//! it came in at its place, the handling measures on their own days at the unit that
//! handles it. The store keeps the sums of these cells up to date by adding, on every
//! change, the difference between the request's contribution after and before. A period's
//! figures are then sums over cells, never scans of requests, and the requests behind
//! any figure are exactly those whose contribution has that counter on those cells.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::request::{Request, Status};
use crate::time::{day_number, Millis};

macro_rules! counters {
    ($($(#[$doc:meta])* $field:ident),+ $(,)?) => {
        /// Raw counts for a cell or a period.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct Counters { $($(#[$doc])* pub $field: i64),+ }

        impl Counters {
            /// Column names in the aggregates table, in this order.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),+];

            pub fn values(&self) -> Vec<i64> { vec![$(self.$field),+] }

            pub fn from_values(values: &[i64]) -> Counters {
                let mut it = values.iter().copied();
                Counters { $($field: it.next().unwrap_or(0)),+ }
            }

            pub fn add(&mut self, other: &Counters, sign: i64) {
                $(self.$field += sign * other.$field;)+
            }

            pub fn is_zero(&self) -> bool { true $(&& self.$field == 0)+ }
        }
    };
}

counters! {
    /// Requests created, on their creation day, at their place.
    intake,
    /// Requests merged as duplicates, counted like intake.
    merged,
    /// Requests dispatched, on their (latest) dispatch day, at the assigned unit.
    dispatched,
    /// Of those, the ones now resolved or closed.
    dispatched_resolved,
    /// Of those, the ones that were returned at least once.
    dispatched_returned,
    /// Dispatched requests whose claim deadline falls on the day.
    respond_due,
    /// Of those, claimed in time.
    responded_on_time,
    /// Requests whose resolve deadline falls on the day.
    resolve_due,
    /// Of those, resolved in time.
    resolved_on_time,
    /// Of those, resolved after the deadline.
    resolved_late,
    /// Requests resolved for the first time, on that day, at the unit that handles them.
    resolved,
    /// Of those, reopened at least once since.
    resolved_reopened,
    /// Evaluations, on their day.
    evaluations,
    evaluations_solved,
    evaluations_satisfied,
}

/// The unit a request's handling is counted at: the assigned unit, or its place when it
/// was answered at intake.
fn handling_unit(request: &Request) -> i64 {
    request.assignee_unit_id.unwrap_or(request.new.unit_id)
}

/// The cells one request contributes to.
pub fn contribution(request: &Request) -> BTreeMap<(i64, i64), Counters> {
    let mut cells: BTreeMap<(i64, i64), Counters> = BTreeMap::new();
    let mut add = |unit: i64, at: Millis, set: &dyn Fn(&mut Counters)| {
        set(cells.entry((unit, day_number(at))).or_default());
    };
    let place = request.new.unit_id;
    let handler = handling_unit(request);
    let done = matches!(request.status, Status::Resolved | Status::Closed);

    add(place, request.created_at, &|c| c.intake += 1);
    if request.status == Status::Merged {
        add(place, request.created_at, &|c| c.merged += 1);
    }
    if let (Some(at), Some(_)) = (request.dispatched_at, request.assignee_unit_id) {
        let returned = request.return_count > 0;
        add(handler, at, &|c| {
            c.dispatched += 1;
            c.dispatched_resolved += i64::from(done);
            c.dispatched_returned += i64::from(returned);
        });
        if let Some(due) = request.respond_by {
            let on_time = request.claimed_at.is_some_and(|claimed| claimed <= due);
            add(handler, due, &|c| {
                c.respond_due += 1;
                c.responded_on_time += i64::from(on_time);
            });
        }
        if let Some(due) = request.resolve_by {
            let resolved = request.resolved_at.filter(|_| done);
            let on_time = resolved.is_some_and(|at| at <= due);
            let late = resolved.is_some_and(|at| at > due);
            add(handler, due, &|c| {
                c.resolve_due += 1;
                c.resolved_on_time += i64::from(on_time);
                c.resolved_late += i64::from(late);
            });
        }
    }
    if let Some(at) = request.first_resolved_at {
        let reopened = request.reopen_count > 0;
        add(handler, at, &|c| {
            c.resolved += 1;
            c.resolved_reopened += i64::from(reopened);
        });
    }
    if let (Some(at), Some(satisfaction)) = (request.evaluated_at, request.satisfaction) {
        let solved = request.solved == Some(true);
        add(handler, at, &|c| {
            c.evaluations += 1;
            c.evaluations_solved += i64::from(solved);
            c.evaluations_satisfied += i64::from(satisfaction.counts_as_satisfied());
        });
    }
    cells
}

/// What the aggregates must change by when a request goes from `before` to `after`
/// (`None` before it exists). Cells that net to zero are left out.
pub fn delta(before: Option<&Request>, after: &Request) -> BTreeMap<(i64, i64), Counters> {
    let mut cells = contribution(after);
    if let Some(before) = before {
        for (key, old) in contribution(before) {
            cells.entry(key).or_default().add(&old, -1);
        }
    }
    cells.retain(|_, c| !c.is_zero());
    cells
}

/// Weights of the composite score used for rankings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreWeights {
    pub response: f64,
    pub solved: f64,
    pub satisfaction: f64,
}

impl Default for ScoreWeights {
    fn default() -> Self {
        ScoreWeights { response: 20.0, solved: 40.0, satisfaction: 40.0 }
    }
}

/// The measures of a scope and period. A rate is `None` when nothing was there to count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measures {
    pub intake: i64,
    pub response_rate: Option<f64>,
    pub closure_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub solved_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
    pub return_rate: Option<f64>,
    pub reopen_rate: Option<f64>,
    pub duplicate_rate: Option<f64>,
    pub overdue_count: i64,
    pub composite_score: Option<f64>,
    pub counters: Counters,
}

pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Measures {
    /// `open_overdue` is the number of requests of the period still open past their
    /// deadline; the rest of the overdue count comes from the counters.
    pub fn from_counters(c: Counters, open_overdue: i64, weights: &ScoreWeights) -> Measures {
        let response_rate = rate(c.responded_on_time, c.respond_due);
        let solved_rate = rate(c.evaluations_solved, c.evaluations);
        let satisfaction_rate = rate(c.evaluations_satisfied, c.evaluations);
        let composite_score = match (response_rate, solved_rate, satisfaction_rate) {
            (None, None, None) => None,
            (r, s, t) => Some(
                weights.response * r.unwrap_or(0.0)
                    + weights.solved * s.unwrap_or(0.0)
                    + weights.satisfaction * t.unwrap_or(0.0),
            ),
        };
        Measures {
            intake: c.intake,
            response_rate,
            closure_rate: rate(c.dispatched_resolved, c.dispatched),
            on_time_rate: rate(c.resolved_on_time, c.resolve_due),
            solved_rate,
            satisfaction_rate,
            return_rate: rate(c.dispatched_returned, c.dispatched),
            reopen_rate: rate(c.resolved_reopened, c.resolved),
            duplicate_rate: rate(c.merged, c.intake),
            overdue_count: c.resolved_late + open_overdue,
            composite_score,
            counters: c,
        }
    }
}
