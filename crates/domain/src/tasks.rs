//! Tasks assigned from above (责任清单, 年度重点任务): a task list (`TaskList`) issued by a
//! unit holds tasks (`Task`), each with an owner unit, a responsible person, the evidence
//! expected and milestones (`Milestone`) with deadlines. The owner reports each
//! milestone's progress with attachments; a leader over the owner accepts it or sends it
//! back; a milestone not reported by its deadline escalates as a request's deadline does.
//!
//! `TABLE` says how a milestone moves; `may_report` and `may_review` say who moves it.
//! Whoever reports a milestone never accepts it: the figures count accepted milestones,
//! and nobody counts their own.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::request::vocabulary;
use crate::role::{Role, Staff};
use crate::time::{self, Millis, DAY};

vocabulary! {
    /// Where a milestone is: not reported yet, reported and waiting for a leader's
    /// review, sent back by the reviewer to be reported again, or accepted.
    MilestoneStatus {
        Pending = "pending",
        Reported = "reported",
        SentBack = "sent_back",
        Accepted = "accepted",
    }
}

impl MilestoneStatus {
    /// Waiting on the owner: the states a deadline presses on.
    pub fn awaits_owner(self) -> bool {
        matches!(self, MilestoneStatus::Pending | MilestoneStatus::SentBack)
    }
}

vocabulary! {
    /// What happens to a milestone.
    MilestoneAction {
        Report = "report",
        Accept = "accept",
        SendBack = "send_back",
    }
}

/// Every milestone action, the states it starts from and the state it leaves.
pub const TABLE: &[(MilestoneAction, &[MilestoneStatus], MilestoneStatus)] = &[
    (MilestoneAction::Report, &[MilestoneStatus::Pending, MilestoneStatus::SentBack], MilestoneStatus::Reported),
    (MilestoneAction::Accept, &[MilestoneStatus::Reported], MilestoneStatus::Accepted),
    (MilestoneAction::SendBack, &[MilestoneStatus::Reported], MilestoneStatus::SentBack),
];

/// The state `action` leaves a milestone in that stands at `from`.
pub fn next(action: MilestoneAction, from: MilestoneStatus) -> Result<MilestoneStatus, Refused> {
    let (_, starts, to) = TABLE.iter().find(|(a, _, _)| *a == action).expect("every milestone action has a row");
    if starts.contains(&from) {
        Ok(*to)
    } else {
        Err(Refused::MilestoneState)
    }
}

/// Who a task is: where it is owned and by whom, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ownership<'a> {
    /// The owner unit's path.
    pub owner_path: &'a str,
    pub responsible_id: Option<i64>,
}

/// The owner reports: the responsible person, or a handler or leader of the owner unit
/// itself — the units above it review, they do not report for it.
pub fn may_report(staff: &Staff, task: &Ownership) -> Result<(), Refused> {
    if task.responsible_id == Some(staff.user_id) {
        return Ok(());
    }
    if matches!(staff.role, Role::Handler | Role::Leader) && staff.unit_path == task.owner_path {
        return Ok(());
    }
    Err(Refused::NotOwner)
}

/// A leader over the owner reviews: a leader whose unit lies above the owner unit (the
/// owner's own leaders report, they do not judge their own unit's work), and who neither
/// is responsible for the task nor reported what is reviewed.
pub fn may_review(staff: &Staff, task: &Ownership, reported_by: Option<i64>) -> Result<(), Refused> {
    if staff.role != Role::Leader || !staff.covers(task.owner_path) || staff.unit_path == task.owner_path {
        return Err(Refused::NotReviewer);
    }
    if task.responsible_id == Some(staff.user_id) || reported_by == Some(staff.user_id) {
        return Err(Refused::OwnWork);
    }
    Ok(())
}

/// Who issues task lists: admins anywhere, leaders for their own subtree.
pub fn may_issue(staff: &Staff, owner_paths: &[&str]) -> Result<(), Refused> {
    match staff.role {
        Role::Admin => Ok(()),
        Role::Leader if owner_paths.iter().all(|p| staff.covers(p)) => Ok(()),
        Role::Leader => Err(Refused::OwnerOutOfScope),
        _ => Err(Refused::NotIssuer),
    }
}

/// Why a step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the milestone is not in a state that takes this step")]
    MilestoneState,
    #[error("only the task's responsible person or its owner unit's staff may report")]
    NotOwner,
    #[error("only a leader over the owner unit may review")]
    NotReviewer,
    #[error("nobody reviews their own work")]
    OwnWork,
    #[error("only admins and leaders issue task lists")]
    NotIssuer,
    #[error("an owner unit lies outside the issuer's scope")]
    OwnerOutOfScope,
}

impl Refused {
    /// A stable code for API clients and the message catalogue.
    pub fn code(&self) -> &'static str {
        match self {
            Refused::MilestoneState => "milestone_state",
            Refused::NotOwner => "not_task_owner",
            Refused::NotReviewer => "not_task_reviewer",
            Refused::OwnWork => "own_task_work",
            Refused::NotIssuer => "not_task_issuer",
            Refused::OwnerOutOfScope => "task_owner_out_of_scope",
        }
    }
}

/// Limits on what is written, in characters.
pub const MAX_TITLE: usize = 300;
pub const MAX_NOTE: usize = 2_000;
/// Attachments a report carries, and the size of each.
pub const MAX_FILES: usize = 5;
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// A milestone is due at the end of its local date: "完成时限 2026-06-30" means the whole
/// of that day.
pub fn due_at(date: NaiveDate) -> Millis {
    time::start_of(date) + DAY - 1
}

/// The local date a milestone is due on.
pub fn due_date(due_at: Millis) -> NaiveDate {
    time::local_date(due_at)
}

/// How a milestone stands against its deadline at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    /// Accepted, reported by the deadline.
    OnTime,
    /// Accepted, reported after the deadline.
    Late,
    /// Not accepted and not waiting on a review, past the deadline.
    Overdue,
    /// Reported, waiting on the reviewer.
    InReview,
    /// Not due yet.
    Open,
}

/// A milestone's standing: `reported_at` is when the report that was accepted, or the
/// last one, was made.
pub fn standing(status: MilestoneStatus, due_at: Millis, reported_at: Option<Millis>, now: Millis) -> Standing {
    match status {
        MilestoneStatus::Accepted if reported_at.is_some_and(|r| r <= due_at) => Standing::OnTime,
        MilestoneStatus::Accepted => Standing::Late,
        MilestoneStatus::Reported => Standing::InReview,
        _ if now > due_at => Standing::Overdue,
        _ => Standing::Open,
    }
}

/// How far a task has come, in percent: its accepted milestones of all.
pub fn percent_done(accepted: i64, milestones: i64) -> u8 {
    if milestones <= 0 {
        return 0;
    }
    ((accepted.clamp(0, milestones) * 100) / milestones) as u8
}

/// One row of a task list's workbook (责任清单): one milestone of a task. Rows with the
/// same number in the first column make one task; its title, owner, responsible person
/// and evidence are read from its first row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: usize,
    pub number: String,
    pub title: String,
    /// A unit's code or name.
    pub owner: String,
    /// A login.
    pub responsible: String,
    pub evidence: String,
    pub milestone: String,
    pub due: NaiveDate,
}

/// The workbook's columns, in order.
pub const COLUMNS: [&str; 7] = ["序号", "任务", "责任单位", "责任人", "佐证材料", "节点", "完成时限"];

/// The example task the blank workbook carries: one task of two milestones.
pub const EXAMPLE: [[&str; 7]; 2] = [
    ["1", "推进老旧小区改造", "S01", "leader_s01", "验收报告、现场照片", "完成摸底调查", "2026-03-31"],
    ["1", "", "", "", "", "完成改造并验收", "2026-09-30"],
];

/// Why a row of the workbook was refused, by a stable code; the line counts from 1 with
/// the header as line 1, as a spreadsheet shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowRefused {
    pub line: usize,
    pub code: &'static str,
}

/// Dates as offices write them: 2026-06-30, 2026/6/30, 2026.6.30, 2026年6月30日, or a
/// spreadsheet's serial day number.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Ok(serial) = text.parse::<f64>() {
        // Spreadsheet day 1 is 1900-01-01, with the phantom 1900-02-29 counted.
        let days = serial.trunc() as i64;
        return (days > 60 && days < 2_958_466)
            .then(|| {
                NaiveDate::from_ymd_opt(1899, 12, 30).and_then(|d| d.checked_add_days(chrono::Days::new(days as u64)))
            })
            .flatten();
    }
    let cleaned: String = text
        .trim_end_matches('日')
        .chars()
        .map(|c| if matches!(c, '/' | '.' | '年' | '月') { '-' } else { c })
        .collect();
    let cleaned = cleaned.split_whitespace().next().unwrap_or("");
    let mut parts = cleaned.split('-').map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten(), parts.next().flatten(), parts.next()) {
        (Some(y), Some(m), Some(d), None) => NaiveDate::from_ymd_opt(y as i32, m, d),
        _ => None,
    }
}

/// Reads the workbook's rows (the first is the header) into milestone rows, refusing the
/// first bad one. Empty rows are skipped.
pub fn read_rows(rows: &[Vec<String>]) -> Result<Vec<ImportRow>, RowRefused> {
    let mut read: Vec<ImportRow> = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        let line = i + 1;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |n: usize| row.get(n).map(|c| c.trim().to_string()).unwrap_or_default();
        let bad = |code| Err(RowRefused { line, code });
        let number = cell(0);
        if number.is_empty() {
            return bad("number");
        }
        // A later row of the same task may leave the task's columns empty.
        let first = read.iter().find(|r| r.number == number);
        let inherit = |n: usize, of: fn(&ImportRow) -> &String| {
            let own = cell(n);
            if own.is_empty() {
                first.map(|f| of(f).clone()).unwrap_or_default()
            } else {
                own
            }
        };
        let title = inherit(1, |r| &r.title);
        let owner = inherit(2, |r| &r.owner);
        let responsible = inherit(3, |r| &r.responsible);
        let evidence = inherit(4, |r| &r.evidence);
        if title.is_empty() || title.chars().count() > MAX_TITLE {
            return bad("title");
        }
        if owner.is_empty() {
            return bad("owner");
        }
        let milestone = cell(5);
        if milestone.is_empty() || milestone.chars().count() > MAX_TITLE {
            return bad("milestone");
        }
        if evidence.chars().count() > MAX_NOTE {
            return bad("evidence");
        }
        let Some(due) = parse_date(&cell(6)) else { return bad("due") };
        if first.is_some_and(|f| f.title != title || f.owner != owner || f.responsible != responsible) {
            return bad("same_number");
        }
        read.push(ImportRow { line, number, title, owner, responsible, evidence, milestone, due });
    }
    if read.is_empty() {
        return Err(RowRefused { line: rows.len().max(1), code: "empty" });
    }
    Ok(read)
}

/// What a bulletin says of the tasks in its scope: the milestones due in the period and
/// how they stood when the figures were taken, by owner unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TaskSection {
    pub due: i64,
    pub on_time: i64,
    pub late: i64,
    pub in_review: i64,
    pub overdue: i64,
    /// Sent back in the period.
    pub sent_back: i64,
    pub units: Vec<TaskUnitLine>,
}

impl TaskSection {
    pub fn on_time_rate(&self) -> Option<f64> {
        crate::measures::rate(self.on_time, self.due)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskUnitLine {
    pub unit: crate::bulletin::UnitRef,
    pub due: i64,
    pub on_time: i64,
    pub overdue: i64,
}

impl TaskUnitLine {
    pub fn on_time_rate(&self) -> Option<f64> {
        crate::measures::rate(self.on_time, self.due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(user_id: i64, role: Role, unit_path: &str) -> Staff {
        Staff { user_id, role, unit_id: 0, unit_path: unit_path.into() }
    }

    #[test]
    fn a_milestone_is_reported_then_accepted_or_sent_back_and_reported_again() {
        use MilestoneAction::*;
        use MilestoneStatus::*;
        assert_eq!(next(Report, Pending), Ok(Reported));
        assert_eq!(next(SendBack, Reported), Ok(SentBack));
        assert_eq!(next(Report, SentBack), Ok(Reported));
        assert_eq!(next(Accept, Reported), Ok(Accepted));
        assert_eq!(next(Accept, Pending), Err(Refused::MilestoneState));
        assert_eq!(next(Report, Accepted), Err(Refused::MilestoneState));
        assert_eq!(next(SendBack, SentBack), Err(Refused::MilestoneState));
    }

    #[test]
    fn the_owner_reports_and_a_leader_above_reviews_but_never_their_own_work() {
        let task = Ownership { owner_path: "/1/2/", responsible_id: Some(7) };
        assert_eq!(may_report(&staff(7, Role::Volunteer, "/1/9/"), &task), Ok(()));
        assert_eq!(may_report(&staff(8, Role::Handler, "/1/2/"), &task), Ok(()));
        assert_eq!(may_report(&staff(8, Role::Handler, "/1/3/"), &task), Err(Refused::NotOwner));
        assert_eq!(may_report(&staff(9, Role::Leader, "/1/"), &task), Err(Refused::NotOwner));
        assert_eq!(may_report(&staff(8, Role::Supervisor, "/1/"), &task), Err(Refused::NotOwner));
        // The district leader reviews; the owner unit's own leader does not.
        assert_eq!(may_review(&staff(3, Role::Leader, "/1/"), &task, Some(8)), Ok(()));
        assert_eq!(may_review(&staff(4, Role::Leader, "/1/2/"), &task, Some(8)), Err(Refused::NotReviewer));
        assert_eq!(may_review(&staff(3, Role::Admin, "/1/"), &task, Some(8)), Err(Refused::NotReviewer));
        assert_eq!(may_review(&staff(3, Role::Leader, "/1/"), &task, Some(3)), Err(Refused::OwnWork));
        let led = Ownership { owner_path: "/1/2/", responsible_id: Some(3) };
        assert_eq!(may_review(&staff(3, Role::Leader, "/1/"), &led, Some(8)), Err(Refused::OwnWork));
    }

    #[test]
    fn leaders_issue_only_within_their_scope() {
        assert_eq!(may_issue(&staff(1, Role::Admin, "/1/"), &["/1/2/"]), Ok(()));
        assert_eq!(may_issue(&staff(1, Role::Leader, "/1/2/"), &["/1/2/5/"]), Ok(()));
        assert_eq!(may_issue(&staff(1, Role::Leader, "/1/2/"), &["/1/3/"]), Err(Refused::OwnerOutOfScope));
        assert_eq!(may_issue(&staff(1, Role::Handler, "/1/"), &["/1/2/"]), Err(Refused::NotIssuer));
    }

    #[test]
    fn dates_are_read_as_offices_write_them() {
        let d = NaiveDate::from_ymd_opt(2026, 6, 30);
        for text in ["2026-06-30", "2026/6/30", "2026.6.30", "2026年6月30日", "46203", " 2026-06-30 00:00:00 "] {
            assert_eq!(parse_date(text), d, "{text}");
        }
        for text in ["", "下半年", "2026-13-01", "2026-02-30", "30/6/2026", "-5"] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn a_milestone_stands_by_when_it_was_reported_against_its_deadline() {
        let due = due_at(NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
        use MilestoneStatus::*;
        assert_eq!(standing(Accepted, due, Some(due), due + DAY), Standing::OnTime);
        assert_eq!(standing(Accepted, due, Some(due + 1), due + DAY), Standing::Late);
        assert_eq!(standing(Reported, due, Some(due + 1), due + DAY), Standing::InReview);
        assert_eq!(standing(SentBack, due, Some(due - DAY), due + 1), Standing::Overdue);
        assert_eq!(standing(Pending, due, None, due), Standing::Open);
        assert_eq!(due_date(due), NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
        assert_eq!(percent_done(1, 3), 33);
        assert_eq!(percent_done(0, 0), 0);
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn rows_of_one_number_make_one_task_and_bad_rows_are_named_by_line() {
        let header = row(&COLUMNS);
        let good = vec![
            header.clone(),
            row(&["1", "推进老旧小区改造", "S01", "leader_s01", "验收报告", "完成摸底", "2026-03-31"]),
            row(&["1", "", "", "", "", "完成改造", "2026-09-30"]),
            row(&["", "", "", "", "", "", ""]),
            row(&["2", "背街小巷整治", "S02", "", "", "完成整治", "2026/10/31"]),
        ];
        let read = read_rows(&good).unwrap();
        assert_eq!(read.len(), 3);
        assert_eq!((read[1].title.as_str(), read[1].owner.as_str(), read[1].line), ("推进老旧小区改造", "S01", 3));
        let bad = |cells: &[&str]| read_rows(&[header.clone(), row(cells)]).unwrap_err().code;
        assert_eq!(bad(&["1", "任务", "S01", "", "", "节点", "明年"]), "due");
        assert_eq!(bad(&["", "任务", "S01", "", "", "节点", "2026-01-01"]), "number");
        assert_eq!(bad(&["1", "任务", "", "", "", "节点", "2026-01-01"]), "owner");
        assert_eq!(bad(&["1", "任务", "S01", "", "", "", "2026-01-01"]), "milestone");
        let clash = vec![
            header.clone(),
            row(&["1", "任务甲", "S01", "", "", "节点", "2026-01-01"]),
            row(&["1", "任务乙", "S01", "", "", "节点", "2026-01-01"]),
        ];
        assert_eq!(read_rows(&clash), Err(RowRefused { line: 3, code: "same_number" }));
        assert_eq!(read_rows(&[header]).unwrap_err().code, "empty");
    }
}
