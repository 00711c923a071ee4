//! The three lists (三张清单) a cadre and a unit are judged by: the problem list (what was
//! claimed, from whom, when, through which channel), the task list (the measures taken,
//! who is responsible, by when) and the outcome list (the result, whether it was reported
//! back, the requester's verdict), with the summary line "领办 205 件，办结 193 件，办结率
//! 94.1%".
//!
//! One entry carries what all three lists need, so that the lists always speak of the same
//! requests; pages and exports pick the columns of each.

use serde::Serialize;

use crate::phone;
use crate::request::{Channel, Kind, Request, RequesterType, Satisfaction, Status};
use crate::supervision::review::{self, Rule};
use crate::time::Millis;

/// A progress note: one of the measures taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub at: Millis,
    pub text: String,
}

/// One claimed request, as the three lists show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub request_id: i64,
    pub number: String,
    // The problem.
    pub title: String,
    pub kind: Kind,
    pub channel: Channel,
    pub requester_type: RequesterType,
    /// Name and masked phone; `None` for an anonymous requester.
    pub requester: Option<String>,
    pub created_at: Millis,
    pub claimed_at: Option<Millis>,
    // The task.
    pub measures: Vec<Note>,
    /// The cadre who claimed it.
    pub handler_id: Option<i64>,
    pub assignee_unit_id: Option<i64>,
    pub resolve_by: Option<Millis>,
    // The outcome.
    pub status: Status,
    pub resolved_at: Option<Millis>,
    pub reply: Option<String>,
    /// Whether the result was reported back to the requester (结果已反馈).
    pub contacted: Option<bool>,
    pub solved: Option<bool>,
    pub satisfaction: Option<Satisfaction>,
    /// The review rules the entry breaks (only finished entries are judged).
    pub flags: Vec<Rule>,
}

impl Entry {
    /// The entry of a claimed request and its progress notes. The requester's phone is
    /// always masked here: the lists are read and printed widely.
    pub fn of(r: &Request, measures: Vec<Note>) -> Entry {
        let flags = review::check(r, measures.iter().map(|n| n.text.as_str()));
        let requester = (!r.new.anonymous).then(|| {
            let phone = phone::mask(&r.new.requester_phone);
            [r.new.requester_name.trim(), phone.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        });
        Entry {
            request_id: r.id,
            number: r.number.clone(),
            title: r.new.title.clone(),
            kind: r.new.kind,
            channel: r.new.channel,
            requester_type: r.new.requester_type,
            requester,
            created_at: r.created_at,
            claimed_at: r.claimed_at,
            measures,
            handler_id: r.handler_id,
            assignee_unit_id: r.assignee_unit_id,
            resolve_by: r.resolve_by,
            status: r.status,
            resolved_at: r.resolved_at,
            reply: r.reply.clone(),
            contacted: r.contacted,
            solved: r.solved,
            satisfaction: r.satisfaction,
            flags,
        }
    }

    /// Resolved or closed: counts as 办结 in the summary.
    pub fn is_closed(&self) -> bool {
        is_closed(self.status)
    }

    /// Past its deadline without a result, or resolved after it.
    pub fn is_late(&self, now: Millis) -> bool {
        match (self.resolve_by, self.resolved_at) {
            (Some(due), Some(done)) if self.is_closed() => done > due,
            (Some(due), _) => !self.is_closed() && due < now,
            (None, _) => false,
        }
    }
}

pub fn is_closed(status: Status) -> bool {
    matches!(status, Status::Resolved | Status::Closed)
}

/// The summary line of a cadre's or a unit's lists for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// Requests claimed in the period (领办).
    pub claimed: i64,
    /// Of those, resolved or closed now (办结).
    pub closed: i64,
}

impl Summary {
    pub fn of<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Summary {
        entries.into_iter().fold(Summary::default(), |s, e| Summary {
            claimed: s.claimed + 1,
            closed: s.closed + i64::from(e.is_closed()),
        })
    }

    /// 办结率: closed ÷ claimed; `None` when nothing was claimed.
    pub fn closure_rate(&self) -> Option<f64> {
        crate::measures::rate(self.closed, self.claimed)
    }

    /// `94.1%`, or `—` when nothing was claimed.
    pub fn closure_percent(&self) -> String {
        self.closure_rate().map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "—".into())
    }

    /// The line in Chinese, as reports quote it.
    pub fn line_zh(&self) -> String {
        format!("领办 {} 件，办结 {} 件，办结率 {}", self.claimed, self.closed, self.closure_percent())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::NewRequest;

    fn testing_request() -> Request {
        let new = NewRequest {
            kind: Kind::Complaint,
            channel: Channel::Hotline,
            title: "井盖缺失".into(),
            content: "柳湾路18号井盖缺失".into(),
            address: String::new(),
            unit_id: 3,
            category_id: None,
            urgent: false,
            requester_type: RequesterType::Resident,
            requester_name: String::new(),
            requester_phone: String::new(),
            anonymous: false,
            location: None,
        };
        Request::submitted(new, "/1/3/".into(), 0)
    }

    #[test]
    fn the_summary_line_reads_as_reports_quote_it() {
        let s = Summary { claimed: 205, closed: 193 };
        assert_eq!(s.line_zh(), "领办 205 件，办结 193 件，办结率 94.1%");
        assert_eq!(Summary::default().line_zh(), "领办 0 件，办结 0 件，办结率 —");
    }

    #[test]
    fn an_entry_masks_the_phone_and_hides_an_anonymous_requester() {
        let mut r = testing_request();
        r.new.requester_name = "王女士".into();
        r.new.requester_phone = "13812341234".into();
        let entry = Entry::of(&r, vec![]);
        assert_eq!(entry.requester.as_deref(), Some("王女士 138****1234"));
        assert!(entry.flags.is_empty(), "work in hand is not judged");
        r.new.anonymous = true;
        assert_eq!(Entry::of(&r, vec![]).requester, None);
    }

    #[test]
    fn closed_and_late_follow_the_state_and_the_deadline() {
        let mut r = testing_request();
        r.status = Status::InProgress;
        r.dispatched_at = Some(10);
        r.resolve_by = Some(100);
        let open = Entry::of(&r, vec![]);
        assert!(!open.is_closed() && !open.is_late(50) && open.is_late(150));
        r.status = Status::Closed;
        r.resolved_at = Some(120);
        let late = Entry::of(&r, vec![]);
        assert!(late.is_closed() && late.is_late(50));
        // Finished without a stated measure, a reply or a verdict: the review rules say so.
        assert!(late.flags.contains(&Rule::MeasuresStated) && late.flags.contains(&Rule::VerdictPresent));
        let noted = Entry::of(&r, vec![Note { at: 110, text: "已联系市政养护单位到场".into() }]);
        assert!(!noted.flags.contains(&Rule::MeasuresStated));
        r.resolved_at = Some(90);
        assert!(!Entry::of(&r, vec![]).is_late(150));
        let summary = Summary::of(&[open, late]);
        assert_eq!((summary.claimed, summary.closed, summary.closure_percent().as_str()), (2, 1, "50.0%"));
    }
}
