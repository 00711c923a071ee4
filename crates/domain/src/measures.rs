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

use crate::figures::{Makeup, Measure};
use crate::request::{Request, Status};
use crate::time::{day_number, Millis};

macro_rules! counters {
    ($($(#[$doc:meta])* $field:ident),+ $(,)?) => {
        /// Raw counts for a cell or a period. Counts kept before a counter existed read
        /// as 0 for it.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(default)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

            /// The counter of this name in `FIELDS`; 0 for a name it does not have.
            pub fn get(&self, name: &str) -> i64 {
                match name { $(stringify!($field) => self.$field,)+ _ => 0 }
            }
        }
    };
}

counters! {
    /// Requests created, on their creation day, at their place.
    intake,
    /// Requests merged as duplicates, counted like intake.
    merged,
    /// Repeat calls (重复来电) about requests, counted like intake: on the day and at the
    /// place of the request they were about, so that a period's intake carries every
    /// call it drew.
    repeat_calls,
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
    if request.repeat_calls > 0 {
        add(place, request.created_at, &|c| c.repeat_calls += request.repeat_calls);
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

/// How the composite score (综合得分) used for rankings is made: a weight for each rate it
/// may weigh, and how much must lie behind each weighed rate before a unit is scored at
/// all. The district admin sets both; a weight of 0 leaves a rate out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scoring {
    pub response: f64,
    pub closure: f64,
    pub on_time: f64,
    pub solved: f64,
    pub satisfaction: f64,
    /// The fewest requests behind each weighed rate — its denominator: requests due to be
    /// claimed, dispatched or due to be resolved, or evaluations — for a unit to be
    /// scored. With fewer the score is withheld as too little data (数据不足) and the unit
    /// is not ranked, rather than scored on a handful of cases or on zeros.
    pub minimum: i64,
}

impl Default for Scoring {
    /// SPEC's weights (response 20, solved 40, satisfaction 40) with the closure rate
    /// beside them: a unit that closes little cannot rank high on a few kind verdicts.
    fn default() -> Self {
        Scoring { response: 20.0, closure: 20.0, on_time: 0.0, solved: 30.0, satisfaction: 30.0, minimum: 5 }
    }
}

/// The largest weight, and the largest minimum, an admin may set.
pub const MAX_WEIGHT: f64 = 100.0;
pub const MAX_MINIMUM: i64 = 1_000;

impl Scoring {
    /// Every rate the score may weigh, with its weight, in the order of SPEC section 4.
    pub fn weights(&self) -> [(Measure, f64); 5] {
        [
            (Measure::ResponseRate, self.response),
            (Measure::ClosureRate, self.closure),
            (Measure::OnTimeRate, self.on_time),
            (Measure::SolvedRate, self.solved),
            (Measure::SatisfactionRate, self.satisfaction),
        ]
    }

    /// The rates the score weighs: those with a weight above 0.
    pub fn weighed(&self) -> Vec<(Measure, f64)> {
        self.weights().into_iter().filter(|(_, w)| *w > 0.0).collect()
    }

    /// Why the admin's numbers cannot be used, if they cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.weights().iter().any(|(_, w)| !(0.0..=MAX_WEIGHT).contains(w)) {
            return Err(format!("each weight is between 0 and {MAX_WEIGHT}"));
        }
        if self.weighed().is_empty() {
            return Err("at least one weight is above 0".into());
        }
        if !(1..=MAX_MINIMUM).contains(&self.minimum) {
            return Err(format!("the minimum is between 1 and {MAX_MINIMUM}"));
        }
        Ok(())
    }

    /// The score of measures whose rates are already computed, out of 100: the weighed
    /// average of the weighed rates. `None` with `true` when one of them has fewer than
    /// the minimum behind it.
    pub fn score(&self, m: &Measures) -> (Option<f64>, bool) {
        let (mut sum, mut total) = (0.0, 0.0);
        for (measure, weight) in self.weighed() {
            let behind = match measure.makeup() {
                Makeup::Rate { whole, .. } => m.counters.get(whole),
                _ => 0,
            };
            match measure.value(m) {
                Some(rate) if behind >= self.minimum.max(1) => {
                    sum += weight * rate;
                    total += weight;
                }
                _ => return (None, true),
            }
        }
        if total > 0.0 {
            (Some(100.0 * sum / total), false)
        } else {
            (None, false)
        }
    }
}

/// The measures of a scope and period. A rate is `None` when nothing was there to count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Measures {
    pub intake: i64,
    /// Calls about requests of the period after their first (重复来电).
    #[serde(default)]
    pub repeat_calls: i64,
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
    /// The score is withheld: a rate it weighs has too little behind it (数据不足).
    #[serde(default)]
    pub too_little_data: bool,
    pub counters: Counters,
}

pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Measures {
    /// `open_overdue` is the number of requests of the period still open past their
    /// deadline; the rest of the overdue count comes from the counters.
    pub fn from_counters(c: Counters, open_overdue: i64, scoring: &Scoring) -> Measures {
        let mut measures = Measures {
            intake: c.intake,
            repeat_calls: c.repeat_calls,
            response_rate: rate(c.responded_on_time, c.respond_due),
            closure_rate: rate(c.dispatched_resolved, c.dispatched),
            on_time_rate: rate(c.resolved_on_time, c.resolve_due),
            solved_rate: rate(c.evaluations_solved, c.evaluations),
            satisfaction_rate: rate(c.evaluations_satisfied, c.evaluations),
            return_rate: rate(c.dispatched_returned, c.dispatched),
            reopen_rate: rate(c.resolved_reopened, c.resolved),
            duplicate_rate: rate(c.merged, c.intake),
            overdue_count: c.resolved_late + open_overdue,
            composite_score: None,
            too_little_data: false,
            counters: c,
        };
        (measures.composite_score, measures.too_little_data) = scoring.score(&measures);
        measures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counters with `n` of everything due and `part` of each done well.
    fn counters(n: i64, part: i64) -> Counters {
        Counters {
            intake: n,
            dispatched: n,
            dispatched_resolved: part,
            respond_due: n,
            responded_on_time: part,
            resolve_due: n,
            resolved_on_time: part,
            evaluations: n,
            evaluations_solved: part,
            evaluations_satisfied: part,
            ..Default::default()
        }
    }

    #[test]
    fn the_score_weighs_every_rate_it_names_including_closure() {
        let scoring = Scoring::default();
        let all = Measures::from_counters(counters(10, 10), 0, &scoring);
        assert_eq!((all.composite_score, all.too_little_data), (Some(100.0), false));
        // The same verdicts and response, but nothing closed: the score drops by the
        // closure rate's share.
        let unclosed = Counters { dispatched_resolved: 0, ..counters(10, 10) };
        let m = Measures::from_counters(unclosed, 0, &scoring);
        assert_eq!(m.composite_score, Some(80.0));
        // Every weighed rate moves it; a rate weighed 0 does not.
        for (measure, weight) in scoring.weights() {
            let Makeup::Rate { part, .. } = measure.makeup() else { unreachable!() };
            let mut values = counters(10, 10).values();
            values[Counters::FIELDS.iter().position(|f| *f == part).unwrap()] = 5;
            let m = Measures::from_counters(Counters::from_values(&values), 0, &scoring);
            let expected = 100.0 - weight * 0.5 * 100.0 / 100.0;
            assert!((m.composite_score.unwrap() - expected).abs() < 1e-9, "{measure}: {m:?}");
        }
    }

    #[test]
    fn too_little_behind_a_weighed_rate_withholds_the_score() {
        let scoring = Scoring::default();
        // No evaluations at all: not 20 points and last place, but too little data.
        let unevaluated =
            Counters { evaluations: 0, evaluations_solved: 0, evaluations_satisfied: 0, ..counters(10, 10) };
        let m = Measures::from_counters(unevaluated, 0, &scoring);
        assert_eq!((m.composite_score, m.too_little_data), (None, true));
        // Four evaluations are fewer than five; five are enough.
        let four = Measures::from_counters(Counters { evaluations: 4, ..counters(10, 4) }, 0, &scoring);
        assert!(four.too_little_data);
        let five = Measures::from_counters(counters(5, 5), 0, &scoring);
        assert_eq!(five.composite_score, Some(100.0));
        // The admin's minimum and weights: one evaluation is enough when the minimum is one.
        let lenient = Scoring { minimum: 1, ..scoring };
        assert!(!Measures::from_counters(counters(1, 1), 0, &lenient).too_little_data);
        let verdicts_only = Scoring { response: 0.0, closure: 0.0, on_time: 0.0, ..lenient };
        assert_eq!(Measures::from_counters(unevaluated, 0, &verdicts_only).composite_score, None);
        let m = Measures::from_counters(Counters { dispatched: 0, ..counters(3, 3) }, 0, &verdicts_only);
        assert_eq!(m.composite_score, Some(100.0), "rates weighed 0 need no data");
    }

    #[test]
    fn the_admins_numbers_are_checked() {
        assert!(Scoring::default().check().is_ok());
        let none = Scoring { response: 0.0, closure: 0.0, on_time: 0.0, solved: 0.0, satisfaction: 0.0, minimum: 5 };
        assert!(none.check().is_err());
        assert!(Scoring { solved: 101.0, ..Scoring::default() }.check().is_err());
        assert!(Scoring { solved: f64::NAN, ..Scoring::default() }.check().is_err());
        assert!(Scoring { closure: -1.0, ..Scoring::default() }.check().is_err());
        assert!(Scoring { minimum: 0, ..Scoring::default() }.check().is_err());
        // Stored before the closure and on-time weights existed: the defaults fill in.
        let old: Scoring = serde_json::from_str(r#"{"response":20.0,"solved":40.0,"satisfaction":40.0}"#).unwrap();
        assert_eq!((old.closure, old.solved, old.minimum), (20.0, 40.0, 5));
    }
}
