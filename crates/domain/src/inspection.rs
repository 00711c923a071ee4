//! Inspections (创文迎检, 河湖巡查, 开学安全检查): points inspected again and again
//! (`InspectionPoint`), the checklists they are scored against (`Checklist`), rounds of
//! findings (`InspectionRound`), and the rules that turn a failed item into a
//! rectification request and close it by reinspection.
//!
//! The tables here say what a round may do (`ROUND_TABLE`), how long a rectification
//! may take by severity (`RECTIFICATION_DUE`), and who may reinspect; the lifecycle of
//! the rectification request itself is `lifecycle::TABLE`'s (actions `rectify`,
//! `reinspect-pass`, `reinspect-fail`).

use serde::{Deserialize, Serialize};

use crate::calendar::WorkCalendar;
use crate::deadline::end_of_working_day;
use crate::error::Broken;
use crate::request::vocabulary;
use crate::role::{Role, Staff};
use crate::time::{Millis, HOUR};

/// The kinds every installation has; an admin may add more (`check_kind`).
pub const POINT_KINDS: &[&str] =
    &["community", "market", "hospital", "transport_hub", "old_estate", "back_street", "school", "river_section"];

/// Longest point kind code, in characters.
pub const MAX_KIND: usize = 40;

/// A point kind is a short code of lower-case letters, digits and `_`, as the built-in
/// ones are: it goes into URLs and the message catalogue.
pub fn check_kind(kind: &str) -> Result<(), Broken> {
    let good = !kind.is_empty()
        && kind.len() <= MAX_KIND
        && kind.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if good {
        Ok(())
    } else {
        Err(Broken::Invalid { field: "point_kind", reason: "use lower-case letters, digits and _ (at most 40)".into() })
    }
}

vocabulary! {
    /// How bad a failed item is; it sets the rectification's deadline.
    Severity {
        Severe = "severe",
        Major = "major",
        Minor = "minor",
    }
}

impl Severity {
    /// As checklists write it: the code or the Chinese word.
    pub fn read(text: &str) -> Option<Severity> {
        match text.trim() {
            "严重" => Some(Severity::Severe),
            "较重" | "一般" | "重要" => Some(Severity::Major),
            "轻微" => Some(Severity::Minor),
            other => Severity::parse(&other.to_ascii_lowercase()),
        }
    }
}

vocabulary! {
    /// An inspector's finding on one item.
    Mark {
        Pass = "pass",
        Fail = "fail",
        NotApplicable = "not_applicable",
    }
}

/// How long a rectification may take, counted from the round that found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Clock hours: severe problems are put right the same day and night.
    Hours(i64),
    /// Working days on the calendar, ending at midnight closing the last one.
    WorkingDays(u32),
}

/// Deadlines of rectifications by severity (and of their rework after a failed
/// reinspection, counted from the reinspection).
pub const RECTIFICATION_DUE: &[(Severity, Span)] = &[
    (Severity::Severe, Span::Hours(24)),
    (Severity::Major, Span::WorkingDays(3)),
    (Severity::Minor, Span::WorkingDays(5)),
];

/// When a rectification of this severity found at `from` is due.
pub fn rectification_due(calendar: &WorkCalendar, severity: Severity, from: Millis) -> Millis {
    let span = RECTIFICATION_DUE.iter().find(|(s, _)| *s == severity).map(|(_, span)| *span);
    match span.unwrap_or(Span::WorkingDays(5)) {
        Span::Hours(hours) => from + hours * HOUR,
        Span::WorkingDays(days) => end_of_working_day(calendar, from, days).0,
    }
}

/// Limits on checklist items, in characters, and on the points one item is worth.
pub const MAX_ITEM_TEXT: usize = 500;
pub const MAX_ITEM_POINTS: u32 = 100;
pub const MAX_ITEMS: usize = 300;
pub const MAX_NOTE: usize = 1_000;

/// One item of a checklist as an admin writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemDraft {
    pub text: String,
    pub points: u32,
    pub severity: Severity,
    /// The catalogue category its failure becomes, as written: a whole path
    /// (`城乡建设 / 城市建设和市政管理 / 城管执法`) or a name the catalogue holds once;
    /// may be empty.
    pub category: String,
    /// The category `category` names in the catalogue, once resolved.
    pub category_id: Option<i64>,
}

impl ItemDraft {
    /// Reads one row of a checklist file: text, points, severity, category. `line` is
    /// the row's number in the file, for the message.
    pub fn from_cells(cells: &[&str], line: usize) -> Result<ItemDraft, Broken> {
        let cell = |i: usize| cells.get(i).map(|c| c.trim()).unwrap_or("");
        let bad = |reason: String| Broken::Invalid { field: "checklist", reason: format!("line {line}: {reason}") };
        let text = cell(0).to_string();
        if text.is_empty() {
            return Err(bad("the item text is empty".into()));
        }
        if text.chars().count() > MAX_ITEM_TEXT {
            return Err(bad(format!("the item text is longer than {MAX_ITEM_TEXT} characters")));
        }
        let points: u32 = cell(1).parse().map_err(|_| bad(format!("points `{}` is not a whole number", cell(1))))?;
        if points == 0 || points > MAX_ITEM_POINTS {
            return Err(bad(format!("points must be 1 to {MAX_ITEM_POINTS}")));
        }
        let severity =
            Severity::read(cell(2)).ok_or_else(|| bad(format!("severity `{}` is not 严重, 较重 or 轻微", cell(2))))?;
        let category = cell(3).to_string();
        if category.chars().count() > 100 {
            return Err(bad("the category is longer than 100 characters".into()));
        }
        Ok(ItemDraft { text, points, severity, category, category_id: None })
    }
}

/// Reads a checklist written as lines of comma-separated cells with a header line
/// (the shipped examples); cells hold no commas (Chinese text uses ，).
pub fn parse_checklist(text: &str) -> Result<Vec<ItemDraft>, Broken> {
    let items = text
        .lines()
        .enumerate()
        .skip(1)
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| ItemDraft::from_cells(&line.split(',').collect::<Vec<_>>(), i + 1))
        .collect::<Result<Vec<_>, _>>()?;
    check_items(&items)?;
    Ok(items)
}

pub fn check_items(items: &[ItemDraft]) -> Result<(), Broken> {
    if items.is_empty() {
        return Err(Broken::Missing("items"));
    }
    if items.len() > MAX_ITEMS {
        return Err(Broken::Invalid { field: "items", reason: format!("at most {MAX_ITEMS} items") });
    }
    Ok(())
}

/// The example checklists shipped with Gongzhi: (name, file).
pub const EXAMPLE_CHECKLISTS: &[(&str, &str)] = &[
    ("创文公共场所测评", include_str!("../data/checklists/public_spaces.csv")),
    ("开学安全检查（八个到位）", include_str!("../data/checklists/school_term_start.csv")),
    ("河湖巡查", include_str!("../data/checklists/river_patrol.csv")),
];

/// A round's score: points earned of the points its applicable items are worth.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub earned: u32,
    pub possible: u32,
    pub failed: u32,
    /// Items not yet marked; a round is finished only when there are none.
    pub unmarked: u32,
}

impl Score {
    /// Out of 100, rounded to one decimal; none when no item applied.
    pub fn percent(&self) -> Option<f64> {
        (self.possible > 0).then(|| (self.earned as f64 * 1000.0 / self.possible as f64).round() / 10.0)
    }
}

/// Scores items as (points, mark): a pass earns its points, a failure earns none, an
/// item that does not apply counts neither way, and an unmarked one is not scored yet.
pub fn score(items: impl IntoIterator<Item = (u32, Option<Mark>)>) -> Score {
    items.into_iter().fold(Score::default(), |mut s, (points, mark)| {
        match mark {
            Some(Mark::Pass) => {
                s.earned += points;
                s.possible += points;
            }
            Some(Mark::Fail) => {
                s.possible += points;
                s.failed += 1;
            }
            Some(Mark::NotApplicable) => {}
            None => s.unmarked += 1,
        }
        s
    })
}

vocabulary! {
    /// Where a round is.
    RoundStatus {
        Open = "open",
        Finished = "finished",
    }
}

vocabulary! {
    /// What may be done to a round.
    RoundAction {
        Mark = "mark",
        Finish = "finish",
    }
}

/// Every round action, the state it starts from, the state it leaves, and who may take
/// it: only the round's own inspector, never the point's people (who are measured by it).
pub const ROUND_TABLE: &[(RoundAction, RoundStatus, RoundStatus)] = &[
    (RoundAction::Mark, RoundStatus::Open, RoundStatus::Open),
    (RoundAction::Finish, RoundStatus::Open, RoundStatus::Finished),
];

/// Why a round action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoundRefused {
    #[error("the round is {0}")]
    WrongState(RoundStatus),
    #[error("only the round's inspector may do this")]
    NotInspector,
    #[error("{0} items are not marked yet")]
    Unmarked(u32),
    #[error("a failed item needs a note saying what is wrong")]
    FailWithoutNote,
    #[error("the note is longer than {MAX_NOTE} characters")]
    NoteTooLong,
}

/// Whether `staff` may take `action` on a round of `inspector_id` in `status`; for a
/// finish, `score` must have no unmarked item.
pub fn may(
    action: RoundAction,
    status: RoundStatus,
    staff: &Staff,
    inspector_id: i64,
    score: &Score,
) -> Result<RoundStatus, RoundRefused> {
    let row = ROUND_TABLE.iter().find(|(a, _, _)| *a == action).expect("every round action has a row");
    if row.1 != status {
        return Err(RoundRefused::WrongState(status));
    }
    if staff.role != Role::Inspector || staff.user_id != inspector_id {
        return Err(RoundRefused::NotInspector);
    }
    if action == RoundAction::Finish && score.unmarked > 0 {
        return Err(RoundRefused::Unmarked(score.unmarked));
    }
    Ok(row.2)
}

/// A finding as marked: a failure must say what is wrong.
pub fn check_finding(mark: Mark, note: &str) -> Result<(), RoundRefused> {
    if note.chars().count() > MAX_NOTE {
        return Err(RoundRefused::NoteTooLong);
    }
    if mark == Mark::Fail && note.trim().is_empty() {
        return Err(RoundRefused::FailWithoutNote);
    }
    Ok(())
}

/// Who may reinspect a rectification: an inspector, or the point's own leader (包保领导).
pub fn may_reinspect(staff: &Staff, point_leader_id: Option<i64>) -> bool {
    staff.role == Role::Inspector || (staff.role == Role::Leader && point_leader_id == Some(staff.user_id))
}

/// The number of failures of one item at one point within a campaign (round findings
/// and failed reinspections alike) at which it escalates to the point leader with a
/// press order (重点整改督办).
pub const ESCALATE_AT: u32 = 2;

/// Whether the failure just counted (the `failures`th) is the one that escalates: once,
/// at the second; later ones find the press order open already.
pub fn escalates(failures: u32) -> bool {
    failures == ESCALATE_AT
}

/// A press order's due date for an escalated rectification: as short as a severe one.
pub fn press_due(calendar: &WorkCalendar, from: Millis) -> Millis {
    rectification_due(calendar, Severity::Severe, from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{self, DAY};

    fn at(date: &str, hour: i64) -> Millis {
        time::start_of(chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()) + hour * HOUR
    }

    #[test]
    fn passes_earn_failures_count_and_not_applicable_items_do_not() {
        let s = score([(10, Some(Mark::Pass)), (5, Some(Mark::Fail)), (20, Some(Mark::NotApplicable)), (5, None)]);
        assert_eq!(s, Score { earned: 10, possible: 15, failed: 1, unmarked: 1 });
        assert_eq!(s.percent(), Some(66.7));
    }

    #[test]
    fn a_round_where_nothing_applies_has_no_score() {
        assert_eq!(score([(3, Some(Mark::NotApplicable))]).percent(), None);
        assert_eq!(score([(3, Some(Mark::Pass))]).percent(), Some(100.0));
    }

    #[test]
    fn severe_problems_are_due_in_24_clock_hours_even_over_a_weekend() {
        let friday = at("2025-03-07", 15);
        assert_eq!(rectification_due(&WorkCalendar::official(), Severity::Severe, friday), friday + DAY);
    }

    #[test]
    fn major_and_minor_problems_count_working_days() {
        let calendar = WorkCalendar::official();
        let friday = at("2025-03-07", 15);
        // Mon, Tue, Wed: due at the end of Wednesday 12 March.
        assert_eq!(rectification_due(&calendar, Severity::Major, friday), at("2025-03-13", 0) - 1);
        assert_eq!(rectification_due(&calendar, Severity::Minor, friday), at("2025-03-15", 0) - 1);
    }

    #[test]
    fn the_national_day_holiday_is_not_counted() {
        let calendar = WorkCalendar::official();
        // 2025-09-30 is a Tuesday; 1–8 October are holidays, 11 October a make-up day.
        let due = rectification_due(&calendar, Severity::Major, at("2025-09-30", 10));
        assert_eq!(due, at("2025-10-12", 0) - 1);
    }

    #[test]
    fn only_the_rounds_inspector_marks_and_finishes_it() {
        let inspector = Staff { user_id: 7, role: Role::Inspector, unit_id: 1, unit_path: "/1/".into() };
        let leader = Staff { role: Role::Leader, ..inspector.clone() };
        let done = Score::default();
        assert_eq!(may(RoundAction::Mark, RoundStatus::Open, &inspector, 7, &done), Ok(RoundStatus::Open));
        assert_eq!(may(RoundAction::Mark, RoundStatus::Open, &inspector, 8, &done), Err(RoundRefused::NotInspector));
        assert_eq!(may(RoundAction::Mark, RoundStatus::Open, &leader, 7, &done), Err(RoundRefused::NotInspector));
        assert_eq!(
            may(RoundAction::Mark, RoundStatus::Finished, &inspector, 7, &done),
            Err(RoundRefused::WrongState(RoundStatus::Finished))
        );
        let open = Score { unmarked: 2, ..done };
        assert_eq!(may(RoundAction::Finish, RoundStatus::Open, &inspector, 7, &open), Err(RoundRefused::Unmarked(2)));
        assert_eq!(may(RoundAction::Finish, RoundStatus::Open, &inspector, 7, &done), Ok(RoundStatus::Finished));
    }

    #[test]
    fn a_failure_says_what_is_wrong() {
        assert_eq!(check_finding(Mark::Fail, "  "), Err(RoundRefused::FailWithoutNote));
        assert_eq!(check_finding(Mark::Fail, "垃圾桶满溢"), Ok(()));
        assert_eq!(check_finding(Mark::Pass, ""), Ok(()));
    }

    #[test]
    fn inspectors_and_the_points_own_leader_reinspect() {
        let leader = Staff { user_id: 3, role: Role::Leader, unit_id: 1, unit_path: "/1/".into() };
        assert!(may_reinspect(&leader, Some(3)));
        assert!(!may_reinspect(&leader, Some(4)));
        assert!(!may_reinspect(&Staff { role: Role::Handler, ..leader.clone() }, Some(3)));
        assert!(may_reinspect(&Staff { role: Role::Inspector, ..leader }, None));
    }

    #[test]
    fn the_second_failure_escalates_once() {
        assert!(!escalates(1));
        assert!(escalates(2));
        assert!(!escalates(3));
    }

    #[test]
    fn the_shipped_checklists_read_cleanly() {
        for (name, text) in EXAMPLE_CHECKLISTS {
            let items = parse_checklist(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(items.len() >= 8, "{name}");
        }
    }

    #[test]
    fn a_bad_row_is_named_by_its_line() {
        let error = parse_checklist("text,points,severity,category\n路面整洁,5,严重,\n路灯,x,轻微,\n").unwrap_err();
        assert!(error.to_string().contains("line 3"), "{error}");
        assert!(parse_checklist("text,points,severity,category\n路面整洁,5,很严重,\n").is_err());
        assert!(check_kind("Market").is_err());
        assert!(check_kind("night_market").is_ok());
    }
}
