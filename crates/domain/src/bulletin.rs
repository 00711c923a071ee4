//! Bulletins (通报) and dashboards: the measures of a scope for a period, its sub-units
//! ranked by composite score, the categories most raised and those rising fastest, the
//! units with overdue items, and the callback results.
//!
//! A bulletin is this content frozen when it is generated; a dashboard is the same
//! content computed for whatever period is asked. Both are assembled here from figures
//! the store has already summed, so that neither computes a figure its own way.

use std::collections::HashMap;

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::measures::{Measures, Scoring};
use crate::request::vocabulary;
use crate::time::Millis;

vocabulary! {
    /// How long a reporting period is.
    PeriodKind {
        Weekly = "weekly",
        Monthly = "monthly",
        Custom = "custom",
    }
}

vocabulary! {
    /// A bulletin is drafted, reviewed with remarks, then published, after which it no
    /// longer changes.
    BulletinStatus {
        Draft = "draft",
        Published = "published",
    }
}

/// Longest remarks a supervisor may add, in characters.
pub const MAX_REMARKS: usize = 5_000;

/// A reporting period: the local dates `from..=to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The longest custom period pages and bulletins accept, in days.
pub const MAX_DAYS: i64 = 3 * 366;

impl Period {
    /// The week (Monday to Sunday) or month that holds `date`; a custom kind gets the
    /// day itself.
    pub fn of(kind: PeriodKind, date: NaiveDate) -> Period {
        match kind {
            PeriodKind::Weekly => {
                let from = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
                Period { kind, from, to: from + Duration::days(6) }
            }
            PeriodKind::Monthly => {
                let from = date.with_day(1).unwrap_or(date);
                let to = from.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(date);
                Period { kind, from, to }
            }
            PeriodKind::Custom => Period { kind, from: date, to: date },
        }
    }

    /// Any span of up to three years.
    pub fn custom(from: NaiveDate, to: NaiveDate) -> Option<Period> {
        (from <= to && (to - from).num_days() <= MAX_DAYS).then_some(Period { kind: PeriodKind::Custom, from, to })
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The last week or month that has wholly ended by `today`: the one a bulletin is
    /// about unless a supervisor asks for another.
    pub fn last_complete(kind: PeriodKind, today: NaiveDate) -> Period {
        Period::of(kind, today).previous()
    }

    /// The instant the period is over: the local midnight after its last day.
    pub fn ends_at(&self) -> Millis {
        crate::time::start_of(self.to.succ_opt().unwrap_or(self.to))
    }

    pub fn has_ended(&self, now: Millis) -> bool {
        now >= self.ends_at()
    }

    /// The period just before, of the same kind: last week, last month, or as many days
    /// before a custom span. Hot categories are measured against it.
    pub fn previous(&self) -> Period {
        match self.kind {
            PeriodKind::Weekly | PeriodKind::Monthly => Period::of(self.kind, self.from - Duration::days(1)),
            PeriodKind::Custom => Period {
                kind: self.kind,
                from: self.from - Duration::days(self.days()),
                to: self.from - Duration::days(1),
            },
        }
    }

    /// How reports name the period: 2026年5月, 2026年第19周（05-04至05-10）.
    pub fn label_zh(&self) -> String {
        match self.kind {
            PeriodKind::Monthly => format!("{}年{}月", self.from.year(), self.from.month()),
            PeriodKind::Weekly => format!(
                "{}年第{}周（{}至{}）",
                self.from.iso_week().year(),
                self.from.iso_week().week(),
                self.from.format("%m-%d"),
                self.to.format("%m-%d")
            ),
            PeriodKind::Custom => format!("{}至{}", self.from, self.to),
        }
    }

    pub fn label_en(&self) -> String {
        match self.kind {
            PeriodKind::Monthly => self.from.format("%B %Y").to_string(),
            PeriodKind::Weekly => format!(
                "week {} of {} ({} to {})",
                self.from.iso_week().week(),
                self.from.iso_week().year(),
                self.from.format("%m-%d"),
                self.to.format("%m-%d")
            ),
            PeriodKind::Custom => format!("{} to {}", self.from, self.to),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRef {
    pub id: i64,
    pub name: String,
    /// A functional department (职能部门): ranked among departments, not among places.
    #[serde(default)]
    pub department: bool,
}

/// A sub-unit's place in the ranking. Units with nothing to score are listed last,
/// without a rank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    pub rank: Option<usize>,
    pub unit: UnitRef,
    pub measures: Measures,
}

/// How many requests of a category came in; `category_id` is `None` for requests filed
/// without one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    pub category_id: Option<i64>,
    pub name: String,
    pub count: i64,
    /// In the period before, for hot categories.
    #[serde(default)]
    pub previous: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueUnit {
    pub unit: UnitRef,
    pub overdue_count: i64,
}

/// What the supervisors' callbacks of the period found, when there were any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CallbackResults {
    /// Callbacks recorded.
    pub sampled: i64,
    /// Of those, the requester was reached.
    pub reached: i64,
    /// Each question of the script (`from_public`, `measures_known`, `result_reported`,
    /// `satisfied`) with how many of the reached said yes.
    pub answers: Vec<(String, i64)>,
}

impl CallbackResults {
    /// 回访率: reached ÷ sampled.
    pub fn callback_rate(&self) -> Option<f64> {
        crate::measures::rate(self.reached, self.sampled)
    }
}

/// A bulletin's or a dashboard's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Content {
    pub unit: UnitRef,
    pub period: Period,
    pub generated_at: Millis,
    pub measures: Measures,
    pub ranking: Vec<Ranked>,
    pub top_categories: Vec<CategoryCount>,
    pub hot_categories: Vec<CategoryCount>,
    pub overdue_units: Vec<OverdueUnit>,
    /// `None` until callbacks are recorded for the scope and period.
    #[serde(default)]
    pub callbacks: Option<CallbackResults>,
    /// How the composite scores were made when the content was taken; `None` in
    /// bulletins kept before it was recorded.
    #[serde(default)]
    pub scoring: Option<Scoring>,
    /// The inspections of the scope's points (创文迎检, 河湖巡查, 开学检查); `None` where
    /// the scope has no inspection point.
    #[serde(default)]
    pub inspections: Option<InspectionSection>,
    /// 营商环境: what enterprises raised in the period; `None` where they raised nothing.
    #[serde(default)]
    pub enterprises: Option<EnterpriseSection>,
    /// Tasks assigned from above (责任清单, 重点任务): their milestones due in the period;
    /// `None` where the scope owns no task.
    #[serde(default)]
    pub tasks: Option<crate::tasks::TaskSection>,
}

/// What enterprises (市场主体) raised in the period and how it went, as it stood when
/// the figures were taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EnterpriseSection {
    pub received: i64,
    /// Of those, answered and no longer open.
    pub resolved: i64,
    /// Of the resolved, answered by their deadline.
    pub on_time: i64,
    pub evaluated: i64,
    /// Of the evaluated, satisfied or basically satisfied.
    pub satisfied: i64,
    /// Still open and past their deadline.
    pub open_overdue: i64,
}

impl EnterpriseSection {
    pub fn resolve_rate(&self) -> Option<f64> {
        crate::measures::rate(self.resolved, self.received)
    }

    pub fn on_time_rate(&self) -> Option<f64> {
        crate::measures::rate(self.on_time, self.resolved)
    }

    pub fn satisfaction_rate(&self) -> Option<f64> {
        crate::measures::rate(self.satisfied, self.evaluated)
    }
}

/// What a bulletin says of inspections: the places' scores over the period's finished
/// rounds, the items failed most, and the rectifications overdue when it was taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct InspectionSection {
    pub rounds: i64,
    pub earned: i64,
    pub possible: i64,
    /// Places (the points' units), best score first; those without a finished round last.
    pub units: Vec<InspectionRank>,
    pub worst_items: Vec<FailedItem>,
    /// Rectifications open, and overdue, when the figures were taken.
    pub open: i64,
    pub overdue_count: i64,
    /// The oldest overdue ones, at most `OVERDUE_LISTED`.
    pub overdue: Vec<OverdueRectification>,
}

/// A score out of 100 from points earned of points possible, when any item applied.
fn score(earned: i64, possible: i64) -> Option<f64> {
    crate::inspection::Score { earned: earned as u32, possible: possible as u32, failed: 0, unmarked: 0 }.percent()
}

impl InspectionSection {
    /// The scope's score over the period.
    pub fn score(&self) -> Option<f64> {
        score(self.earned, self.possible)
    }
}

impl InspectionRank {
    /// The place's score over the period.
    pub fn score(&self) -> Option<f64> {
        score(self.earned, self.possible)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionRank {
    pub rank: Option<usize>,
    pub unit: UnitRef,
    pub rounds: i64,
    pub earned: i64,
    pub possible: i64,
    pub open: i64,
    pub overdue: i64,
}

/// A checklist item with how often it failed in the period's rounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedItem {
    pub checklist: String,
    pub text: String,
    pub failures: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueRectification {
    pub request_id: i64,
    pub number: String,
    pub point: String,
    pub item: String,
    pub resolve_by: Millis,
}

/// How many failed items and overdue rectifications a bulletin names.
pub const WORST_ITEMS: usize = 10;
pub const OVERDUE_LISTED: usize = 20;

impl Content {
    /// Figures taken before the period was over are partial: such a bulletin is
    /// provisional (临时通报), whenever it is published, and says so wherever it is shown.
    pub fn is_provisional(&self) -> bool {
        !self.period.has_ended(self.generated_at)
    }
}

/// What the store has summed for a scope and period.
pub struct Inputs {
    pub unit: UnitRef,
    pub period: Period,
    pub generated_at: Millis,
    pub measures: Measures,
    /// Each direct sub-unit with its own measures.
    pub children: Vec<(UnitRef, Measures)>,
    /// Intake per category in the period and in the period before.
    pub categories: Vec<(Option<i64>, i64)>,
    pub previous_categories: Vec<(Option<i64>, i64)>,
    pub callbacks: Option<CallbackResults>,
    pub scoring: Scoring,
}

/// How many categories a bulletin names as most raised, and as rising.
pub const TOP: usize = 10;
pub const HOT: usize = 5;
/// A category must have at least this many requests in the period to count as hot: two
/// after none is noise, not a trend.
pub const HOT_MIN: i64 = 3;

pub fn assemble(inputs: Inputs) -> Content {
    let Inputs { unit, period, generated_at, measures, children, categories, previous_categories, .. } = inputs;
    let before: HashMap<Option<i64>, i64> = previous_categories.into_iter().collect();
    let counts: Vec<CategoryCount> = categories
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(id, count)| CategoryCount {
            category_id: id,
            // Named by the caller for the few that are shown.
            name: String::new(),
            count,
            previous: before.get(&id).copied().unwrap_or(0),
        })
        .collect();
    let ranking = rank(children);
    Content {
        unit,
        period,
        generated_at,
        measures,
        overdue_units: overdue_units(&ranking),
        top_categories: top_categories(&counts, TOP),
        hot_categories: hot_categories(&counts, HOT),
        ranking,
        callbacks: inputs.callbacks,
        scoring: Some(inputs.scoring),
        inspections: None,
        enterprises: None,
        tasks: None,
    }
}

/// Sub-units by composite score, best first; equal scores share a rank (1, 2, 2, 4).
/// Places (subdistricts, towns, communities) and departments are ranked apart, places
/// first: a department handles its field's problems across the district and is not
/// comparable with a town. Ties are listed by intake, then by name, so the order is the
/// same every time.
pub fn rank(children: Vec<(UnitRef, Measures)>) -> Vec<Ranked> {
    let mut lines: Vec<Ranked> =
        children.into_iter().map(|(unit, measures)| Ranked { rank: None, unit, measures }).collect();
    lines.sort_by(|a, b| {
        let score = |r: &Ranked| r.measures.composite_score;
        let by_score = match (score(a), score(b)) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        a.unit
            .department
            .cmp(&b.unit.department)
            .then(by_score)
            .then(b.measures.intake.cmp(&a.measures.intake))
            .then(a.unit.name.cmp(&b.unit.name))
    });
    // (group, score, rank) of the line before, and the place in the group.
    let mut previous: Option<(bool, f64, usize)> = None;
    let mut place = 0;
    for line in lines.iter_mut() {
        let group = line.unit.department;
        place = if previous.is_some_and(|(g, _, _)| g == group) { place + 1 } else { 1 };
        let Some(score) = line.measures.composite_score else { continue };
        let rank = match previous {
            Some((g, seen, rank)) if g == group && seen == score => rank,
            _ => place,
        };
        line.rank = Some(rank);
        previous = Some((group, score, rank));
    }
    lines
}

/// The categories most raised, most first.
pub fn top_categories(counts: &[CategoryCount], n: usize) -> Vec<CategoryCount> {
    let mut top = counts.to_vec();
    top.sort_by(|a, b| b.count.cmp(&a.count).then(a.category_id.cmp(&b.category_id)));
    top.truncate(n);
    top
}

/// The categories that grew most against the period before, with at least `HOT_MIN`
/// requests now.
pub fn hot_categories(counts: &[CategoryCount], n: usize) -> Vec<CategoryCount> {
    let mut hot: Vec<CategoryCount> =
        counts.iter().filter(|c| c.count >= HOT_MIN && c.count > c.previous).cloned().collect();
    hot.sort_by(|a, b| {
        (b.count - b.previous)
            .cmp(&(a.count - a.previous))
            .then(b.count.cmp(&a.count))
            .then(a.category_id.cmp(&b.category_id))
    });
    hot.truncate(n);
    hot
}

/// Sub-units with overdue items, most first.
pub fn overdue_units(ranking: &[Ranked]) -> Vec<OverdueUnit> {
    let mut units: Vec<OverdueUnit> = ranking
        .iter()
        .filter(|r| r.measures.overdue_count > 0)
        .map(|r| OverdueUnit { unit: r.unit.clone(), overdue_count: r.measures.overdue_count })
        .collect();
    units.sort_by(|a, b| b.overdue_count.cmp(&a.overdue_count).then(a.unit.name.cmp(&b.unit.name)));
    units
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measures::{Counters, Scoring};

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn unit(id: i64, name: &str) -> UnitRef {
        UnitRef { id, name: name.into(), department: name.ends_with('局') }
    }

    /// Measures with a given response rate (of 10 due), the rest in full, and an overdue
    /// count; `None` has nothing to score.
    fn measures(on_time: Option<i64>, overdue: i64) -> Measures {
        let c = match on_time {
            Some(n) => Counters {
                intake: 10,
                respond_due: 10,
                responded_on_time: n,
                dispatched: 10,
                dispatched_resolved: 10,
                evaluations: 10,
                evaluations_solved: 10,
                evaluations_satisfied: 10,
                ..Default::default()
            },
            None => Counters::default(),
        };
        Measures::from_counters(c, overdue, &Scoring::default())
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        let week = Period::of(PeriodKind::Weekly, date("2026-05-07"));
        assert_eq!((week.from, week.to), (date("2026-05-04"), date("2026-05-10")));
        assert_eq!(week.label_zh(), "2026年第19周（05-04至05-10）");
        let month = Period::of(PeriodKind::Monthly, date("2024-02-10"));
        assert_eq!((month.from, month.to, month.days()), (date("2024-02-01"), date("2024-02-29"), 29));
        assert_eq!(month.label_zh(), "2024年2月");
        assert_eq!(month.previous().from, date("2024-01-01"));
        assert_eq!(week.previous().to, date("2026-05-03"));
        // The last complete ones: the week or month before the one holding today.
        let sunday = date("2026-05-10");
        let last_week = Period::last_complete(PeriodKind::Weekly, sunday);
        assert_eq!((last_week.from, last_week.to), (date("2026-04-27"), date("2026-05-03")));
        let last_month = Period::last_complete(PeriodKind::Monthly, date("2026-05-01"));
        assert_eq!((last_month.from, last_month.to), (date("2026-04-01"), date("2026-04-30")));
        assert!(!week.has_ended(crate::time::start_of(sunday) + 23 * crate::time::HOUR));
        assert!(week.has_ended(crate::time::start_of(date("2026-05-11"))));
        let span = Period::custom(date("2026-05-01"), date("2026-05-10")).unwrap();
        assert_eq!((span.previous().from, span.previous().to), (date("2026-04-21"), date("2026-04-30")));
        assert!(Period::custom(date("2026-05-02"), date("2026-05-01")).is_none());
        assert!(Period::custom(date("2020-01-01"), date("2026-01-01")).is_none());
    }

    #[test]
    fn units_rank_by_composite_score_and_share_ranks_on_ties() {
        let ranked = rank(vec![
            (unit(1, "甲街道"), measures(Some(5), 0)),
            (unit(2, "乙街道"), measures(None, 0)),
            (unit(3, "丙街道"), measures(Some(9), 2)),
            (unit(4, "丁街道"), measures(Some(5), 1)),
        ]);
        let order: Vec<(i64, Option<usize>)> = ranked.iter().map(|r| (r.unit.id, r.rank)).collect();
        assert_eq!(order, vec![(3, Some(1)), (4, Some(2)), (1, Some(2)), (2, None)]);
        // Departments are ranked among themselves, after the places.
        let apart = rank(vec![
            (unit(5, "住建局"), measures(Some(10), 0)),
            (unit(1, "甲街道"), measures(Some(5), 0)),
            (unit(6, "城管局"), measures(Some(3), 0)),
            (unit(2, "乙街道"), measures(None, 0)),
        ]);
        let order: Vec<(i64, Option<usize>)> = apart.iter().map(|r| (r.unit.id, r.rank)).collect();
        assert_eq!(order, vec![(1, Some(1)), (2, None), (5, Some(1)), (6, Some(2))]);
        // A unit nobody evaluated is not scored on zeros and ranked last: it has too
        // little data, and is listed after the ranked units without a rank.
        let c = Counters { intake: 10, respond_due: 10, responded_on_time: 10, dispatched: 10, ..Default::default() };
        let unevaluated = Measures::from_counters(c, 0, &Scoring::default());
        assert!(unevaluated.too_little_data);
        let fair = rank(vec![(unit(7, "戊街道"), unevaluated), (unit(1, "甲街道"), measures(Some(1), 0))]);
        let order: Vec<(i64, Option<usize>)> = fair.iter().map(|r| (r.unit.id, r.rank)).collect();
        assert_eq!(order, vec![(1, Some(1)), (7, None)]);
        let overdue = overdue_units(&ranked);
        assert_eq!(overdue.iter().map(|u| (u.unit.id, u.overdue_count)).collect::<Vec<_>>(), vec![(3, 2), (4, 1)]);
    }

    #[test]
    fn hot_categories_are_those_rising_fastest() {
        let content = assemble(Inputs {
            unit: unit(1, "云溪区"),
            period: Period::of(PeriodKind::Monthly, date("2026-05-01")),
            generated_at: 0,
            measures: measures(Some(1), 0),
            children: vec![],
            categories: vec![(Some(1), 40), (Some(2), 12), (Some(3), 2), (None, 7)],
            previous_categories: vec![(Some(1), 39), (Some(2), 2), (Some(3), 0)],
            callbacks: None,
            scoring: Scoring::default(),
        });
        let top: Vec<(Option<i64>, i64)> = content.top_categories.iter().map(|c| (c.category_id, c.count)).collect();
        assert_eq!(top, vec![(Some(1), 40), (Some(2), 12), (None, 7), (Some(3), 2)]);
        let hot: Vec<Option<i64>> = content.hot_categories.iter().map(|c| c.category_id).collect();
        // 3 grew from none but has too few to call; 1 grew by one.
        assert_eq!(hot, vec![Some(2), None, Some(1)]);
    }

    #[test]
    fn content_survives_its_json_snapshot() {
        let content = assemble(Inputs {
            unit: unit(1, "云溪区"),
            period: Period::of(PeriodKind::Weekly, date("2026-05-07")),
            generated_at: 42,
            measures: measures(Some(7), 3),
            children: vec![(unit(2, "甲街道"), measures(Some(7), 3))],
            categories: vec![],
            previous_categories: vec![],
            callbacks: Some(CallbackResults { sampled: 4, reached: 3, answers: vec![("satisfied".into(), 2)] }),
            scoring: Scoring::default(),
        });
        let json = serde_json::to_string(&content).unwrap();
        assert_eq!(serde_json::from_str::<Content>(&json).unwrap(), content);
        // Taken before the week was over: provisional.
        assert!(content.is_provisional());
        let after = Content { generated_at: content.period.ends_at(), ..content };
        assert!(!after.is_provisional());
    }
}
