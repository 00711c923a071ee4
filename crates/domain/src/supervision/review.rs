//! The review rules (审核规则) a finished entry is held to: what was raised is written
//! down, the measures taken are stated, a deadline was set, the result was fed back, and
//! the requester's verdict is there. An entry that breaks one is flagged for its unit and
//! listed for the supervisor.

use serde::{Deserialize, Serialize};

use crate::request::{vocabulary, Request, Status};

vocabulary! {
    /// One review rule, named for what must hold.
    Rule {
        ContentFilled = "content_filled",
        MeasuresStated = "measures_stated",
        DeadlineSet = "deadline_set",
        ResultFedBack = "result_fed_back",
        VerdictPresent = "verdict_present",
    }
}

/// Shortest description of a problem that says anything, in characters.
pub const MIN_CONTENT: usize = 10;
/// Shortest progress note or reply that states a measure or a result.
pub const MIN_NOTE: usize = 4;

fn long_enough(text: &str, min: usize) -> bool {
    text.trim().chars().count() >= min
}

/// The rules a request breaks, given the notes of its progress steps. Only finished
/// entries (resolved or closed) are judged; work in hand is not done yet.
pub fn check<'a>(request: &Request, progress_notes: impl IntoIterator<Item = &'a str>) -> Vec<Rule> {
    if !matches!(request.status, Status::Resolved | Status::Closed) {
        return Vec::new();
    }
    // Answered at intake (most consultations): no unit, no deadline, the reply itself is
    // the measure and was given to the requester directly.
    let at_intake = request.dispatched_at.is_none();
    let reply = request.reply.as_deref().unwrap_or_default();
    let mut broken = Vec::new();
    if !long_enough(&request.new.content, MIN_CONTENT) {
        broken.push(Rule::ContentFilled);
    }
    let measures = if at_intake {
        long_enough(reply, MIN_NOTE)
    } else {
        progress_notes.into_iter().any(|note| long_enough(note, MIN_NOTE))
    };
    if !measures {
        broken.push(Rule::MeasuresStated);
    }
    if !at_intake && request.resolve_by.is_none() {
        broken.push(Rule::DeadlineSet);
    }
    let contacted = at_intake || request.contacted == Some(true);
    if !(contacted && long_enough(reply, MIN_NOTE)) {
        broken.push(Rule::ResultFedBack);
    }
    if request.status == Status::Closed && request.satisfaction.is_none() {
        broken.push(Rule::VerdictPresent);
    }
    broken
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Channel, Kind, NewRequest, RequesterType, Satisfaction};

    fn finished() -> Request {
        let new = NewRequest {
            kind: Kind::Complaint,
            channel: Channel::Hotline,
            title: "井盖缺失".into(),
            content: "幸福路18号小区门口井盖缺失，夜间行人容易踩空。".into(),
            address: String::new(),
            unit_id: 3,
            category_id: None,
            urgent: false,
            requester_type: RequesterType::Resident,
            requester_name: "张三".into(),
            requester_phone: "13812341234".into(),
            anonymous: false,
            location: None,
        };
        let mut r = Request::submitted(new, "/1/2/3/".into(), 0);
        r.status = Status::Closed;
        r.dispatched_at = Some(10);
        r.assignee_unit_id = Some(3);
        r.resolve_by = Some(1_000);
        r.reply = Some("已补装井盖并电话告知".into());
        r.contacted = Some(true);
        r.satisfaction = Some(Satisfaction::Satisfied);
        r
    }

    #[test]
    fn a_well_kept_entry_passes() {
        assert!(check(&finished(), ["已联系市政养护单位到场"]).is_empty());
    }

    #[test]
    fn each_gap_is_named() {
        let mut r = finished();
        r.new.content = "井盖".into();
        r.resolve_by = None;
        r.contacted = Some(false);
        r.satisfaction = None;
        assert_eq!(
            check(&r, ["好"]),
            vec![
                Rule::ContentFilled,
                Rule::MeasuresStated,
                Rule::DeadlineSet,
                Rule::ResultFedBack,
                Rule::VerdictPresent
            ]
        );
    }

    #[test]
    fn work_in_hand_and_the_evaluation_window_are_not_judged() {
        let mut r = finished();
        r.status = Status::InProgress;
        assert!(check(&r, []).is_empty());
        r.status = Status::Resolved;
        r.satisfaction = None;
        assert!(check(&r, ["已派人现场查看"]).is_empty(), "the verdict may still come");
    }

    #[test]
    fn an_answer_at_intake_needs_no_unit_deadline_or_progress() {
        let mut r = finished();
        r.dispatched_at = None;
        r.assignee_unit_id = None;
        r.resolve_by = None;
        r.contacted = None;
        assert!(check(&r, []).is_empty());
    }
}
