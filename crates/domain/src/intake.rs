//! The intake desk's rules (受理台): what an operator at a hotline or a service window
//! records while the caller waits. Every channel's rules (`NewRequest::check`,
//! `unit::may_take`) hold at the desk too; these are the desk's own.

use crate::error::Broken;
use crate::lifecycle::{Action, Command};
use crate::request::{Channel, Kind};
use crate::role::{Role, Staff};
use crate::unit::Unit;

/// How a call reaches the desk: by phone (12345 or the district's line) or in person at
/// a window of any level.
pub const CHANNELS: [Channel; 2] = [Channel::Hotline, Channel::WalkIn];

/// Who works at the desk: operators of any level, and admins, who set it up.
pub fn open_to(role: Role) -> bool {
    matches!(role, Role::Operator | Role::Admin)
}

/// The channel the operator chose, if it is one the desk takes.
pub fn channel(text: &str) -> Option<Channel> {
    Channel::parse(text).filter(|c| CHANNELS.contains(c))
}

/// Why an answer at once is refused for a kind other than a consultation.
pub const ONLY_CONSULT: &str = "only a consultation is answered at once";

/// An operator records problems of places in their own scope: a town's window records
/// for its villages, the district's hotline for every place.
pub fn may_place(staff: &Staff, place: &Unit) -> Result<(), Broken> {
    if staff.covers(&place.path) {
        Ok(())
    } else {
        Err(Broken::PlaceOutOfScope { unit: place.name.clone() })
    }
}

/// What the desk does with a request as soon as it is made. A consultation with an
/// answer is answered at once (即时办结), so the caller can still give a verdict on a
/// callback; anything else the operator took down is accepted (受理) by taking it, when
/// the operator's role accepts. An answer typed for another kind is refused rather than
/// dropped.
pub fn follow_up(role: Role, kind: Kind, answer: &str) -> Result<Option<Command>, Broken> {
    if !answer.trim().is_empty() {
        if kind != Kind::Consult {
            return Err(Broken::Invalid { field: "answer", reason: ONLY_CONSULT.into() });
        }
        return Ok(Some(Command::Answer { reply: answer.trim().to_string() }));
    }
    Ok(Action::Accept.open_to(role).then_some(Command::Accept))
}

/// Whether the desk offers a role to answer at once and to record repeat calls.
pub fn answers_and_counts_calls(role: Role) -> bool {
    Action::Answer.open_to(role) && Action::RepeatCall.open_to(role)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::UnitKind;

    fn staff(path: &str) -> Staff {
        Staff { user_id: 1, role: Role::Operator, unit_id: 4, unit_path: path.into() }
    }

    fn village(path: &str) -> Unit {
        Unit {
            id: 9,
            parent_id: Some(4),
            kind: UnitKind::Village,
            code: "V9".into(),
            name: "桃源村".into(),
            path: path.into(),
        }
    }

    #[test]
    fn operators_and_admins_work_at_the_desk() {
        let at_desk: Vec<Role> = Role::ALL.iter().copied().filter(|r| open_to(*r)).collect();
        assert_eq!(at_desk, vec![Role::Operator, Role::Admin]);
    }

    #[test]
    fn the_desk_takes_calls_and_visits_only() {
        assert_eq!(channel("hotline"), Some(Channel::Hotline));
        assert_eq!(channel("walk_in"), Some(Channel::WalkIn));
        assert_eq!(channel("web"), None, "an operator does not record the public's own channels");
        assert_eq!(channel(""), None);
    }

    #[test]
    fn an_operator_records_places_of_their_own_scope() {
        assert_eq!(may_place(&staff("/1/4/"), &village("/1/4/9/")), Ok(()));
        assert_eq!(may_place(&staff("/1/"), &village("/1/4/9/")), Ok(()));
        assert_eq!(
            may_place(&staff("/1/5/"), &village("/1/4/9/")),
            Err(Broken::PlaceOutOfScope { unit: "桃源村".into() })
        );
    }

    #[test]
    fn a_consultation_is_answered_at_once_and_the_rest_accepted() {
        let answered = follow_up(Role::Operator, Kind::Consult, " 社保卡在街道便民服务中心办理 ");
        assert_eq!(answered, Ok(Some(Command::Answer { reply: "社保卡在街道便民服务中心办理".into() })));
        assert_eq!(follow_up(Role::Operator, Kind::Complaint, ""), Ok(Some(Command::Accept)));
        assert_eq!(follow_up(Role::Operator, Kind::Consult, "  "), Ok(Some(Command::Accept)));
        assert!(matches!(
            follow_up(Role::Operator, Kind::Complaint, "已答复"),
            Err(Broken::Invalid { field: "answer", .. })
        ));
        // An admin at the desk records; accepting and answering are the operator's.
        assert_eq!(follow_up(Role::Admin, Kind::Help, ""), Ok(None));
        assert!(answers_and_counts_calls(Role::Operator));
        assert!(!answers_and_counts_calls(Role::Admin));
    }
}
