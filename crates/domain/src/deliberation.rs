//! Deliberation (小板凳议事会, 共谋): residents put forward proposals and wishes
//! (`Proposal`), support and comment on them, and a community's meeting (`Meeting`)
//! decides each one on its agenda: adopt it as work (a request), decline it with a
//! reason shown to residents, or defer it to a later meeting.
//!
//! Two tables say what may happen: `TABLE`, the steps a proposal takes from state to
//! state, and `WHO`, who may take each step — residents need no account; the community's
//! own staff (its subtree) record paper proposals, moderate, hold meetings and decide.

use serde::{Deserialize, Serialize};

use crate::error::Broken;
use crate::lifecycle::{printable, UNPRINTABLE};
use crate::request::{vocabulary, Kind};
use crate::role::{Actor, Role, Staff};
use crate::time::Millis;

vocabulary! {
    /// 建议 (a suggestion for the community) or 微心愿 (a small wish for help).
    ProposalKind {
        Suggestion = "suggestion",
        Wish = "wish",
    }
}

impl ProposalKind {
    /// The kind of request it becomes when adopted: a wish asks for help.
    pub fn request_kind(self) -> Kind {
        match self {
            ProposalKind::Suggestion => Kind::Suggestion,
            ProposalKind::Wish => Kind::Help,
        }
    }
}

vocabulary! {
    /// How a proposal arrived: typed on the portal, or written on paper at a meeting and
    /// recorded by the community's staff.
    ProposalChannel {
        Portal = "portal",
        Paper = "paper",
    }
}

vocabulary! {
    /// Where a proposal is. `Unconfirmed`: put forward on the portal with a number no
    /// code confirmed; unlisted and taking no supports until the community's staff
    /// confirm it with the proposer.
    ProposalStatus {
        Unconfirmed = "unconfirmed",
        Open = "open",
        OnAgenda = "on_agenda",
        Adopted = "adopted",
        Declined = "declined",
        Deferred = "deferred",
    }
}

impl ProposalStatus {
    /// Still undecided: residents may add their support.
    pub fn takes_supports(self) -> bool {
        matches!(self, ProposalStatus::Open | ProposalStatus::OnAgenda | ProposalStatus::Deferred)
    }
}

vocabulary! {
    /// What a meeting does to a proposal.
    ProposalAction {
        Confirm = "confirm",
        Schedule = "schedule",
        Adopt = "adopt",
        Decline = "decline",
        Defer = "defer",
    }
}

/// Every proposal action, the states it starts from and the state it leaves. A deferred
/// proposal goes on a later meeting's agenda; a decided one is never decided again.
pub const TABLE: &[(ProposalAction, &[ProposalStatus], ProposalStatus)] = &[
    (ProposalAction::Confirm, &[ProposalStatus::Unconfirmed], ProposalStatus::Open),
    (ProposalAction::Schedule, &[ProposalStatus::Open, ProposalStatus::Deferred], ProposalStatus::OnAgenda),
    (ProposalAction::Adopt, &[ProposalStatus::OnAgenda], ProposalStatus::Adopted),
    (ProposalAction::Decline, &[ProposalStatus::OnAgenda], ProposalStatus::Declined),
    (ProposalAction::Defer, &[ProposalStatus::OnAgenda], ProposalStatus::Deferred),
];

/// The state `action` leaves a proposal in that stands at `from`.
pub fn next(action: ProposalAction, from: ProposalStatus) -> Result<ProposalStatus, Refused> {
    let (_, starts, to) = TABLE.iter().find(|(a, _, _)| *a == action).expect("every proposal action has a row");
    if starts.contains(&from) {
        Ok(*to)
    } else {
        Err(Refused::ProposalState { action, from })
    }
}

vocabulary! {
    /// The steps of deliberation, for `WHO`.
    Step {
        Submit = "submit",
        RecordPaper = "record_paper",
        ConfirmProposal = "confirm_proposal",
        Support = "support",
        Comment = "comment",
        HideComment = "hide_comment",
        HoldMeeting = "hold_meeting",
        Decide = "decide",
    }
}

/// Who takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// Anyone, without an account: identified by a phone number.
    Resident,
    /// Staff in `COMMUNITY_STAFF` roles whose subtree holds the community.
    CommunityStaff,
}

/// Who may take each step.
pub const WHO: &[(Step, By)] = &[
    (Step::Submit, By::Resident),
    (Step::Support, By::Resident),
    (Step::Comment, By::Resident),
    (Step::RecordPaper, By::CommunityStaff),
    (Step::ConfirmProposal, By::CommunityStaff),
    (Step::HideComment, By::CommunityStaff),
    (Step::HoldMeeting, By::CommunityStaff),
    (Step::Decide, By::CommunityStaff),
];

/// The roles that work with a community's residents on its proposals. Supervisors are
/// not among them: they read everything in their scope but act only in supervision.
pub const COMMUNITY_STAFF: &[Role] = &[Role::Handler, Role::Leader, Role::Admin];

/// Whether `actor` may take `step` in the community whose path is `community_path`.
pub fn may(step: Step, actor: &Actor, community_path: &str) -> Result<(), Refused> {
    let (_, by) = WHO.iter().find(|(s, _)| *s == step).expect("every step has a row");
    match (by, actor) {
        (By::Resident, Actor::Requester) => Ok(()),
        (By::CommunityStaff, Actor::Staff(staff)) => community_staff(staff, community_path),
        _ => Err(Refused::NotAllowed(step)),
    }
}

fn community_staff(staff: &Staff, community_path: &str) -> Result<(), Refused> {
    if !COMMUNITY_STAFF.contains(&staff.role) {
        return Err(Refused::NotCommunityStaff);
    }
    if !staff.covers(community_path) {
        return Err(Refused::OutOfScope);
    }
    Ok(())
}

/// Why a step was refused; field rules are `Broken`'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("a proposal that is {from} cannot be taken to `{action}`")]
    ProposalState { action: ProposalAction, from: ProposalStatus },
    #[error("`{0}` is not this actor's to take")]
    NotAllowed(Step),
    #[error("only the community's handlers, leaders, supervisors and admins may do this")]
    NotCommunityStaff,
    #[error("the community is outside the actor's scope")]
    OutOfScope,
    #[error("the proposal is not on this meeting's agenda, or is decided there already")]
    NotOnAgenda,
    #[error("the proposal is decided and takes no more supports")]
    SupportsClosed,
    #[error("the comment is hidden already")]
    AlreadyHidden,
}

impl Refused {
    /// A stable code for API clients and the message catalogue.
    pub fn code(&self) -> &'static str {
        match self {
            Refused::ProposalState { .. } => "proposal_state",
            Refused::NotAllowed(_) => "not_allowed",
            Refused::NotCommunityStaff => "not_community_staff",
            Refused::OutOfScope => "out_of_scope",
            Refused::NotOnAgenda => "not_on_agenda",
            Refused::SupportsClosed => "supports_closed",
            Refused::AlreadyHidden => "already_hidden",
        }
    }
}

/// How far the work of an adopted proposal has come, in percent, by the state of the
/// request it became: residents read a bar, not the lifecycle's names. A request that
/// was rejected or merged shows no bar (None); its page says what happened instead.
pub fn percent_done(status: crate::Status) -> Option<u8> {
    use crate::Status::*;
    match status {
        Submitted => Some(10),
        PendingDispatch => Some(20),
        Dispatched => Some(40),
        InProgress => Some(60),
        Resolved => Some(90),
        Closed => Some(100),
        Rejected | Merged => None,
    }
}

/// Limits on what residents and staff write, in characters.
pub const MAX_TITLE: usize = 200;
pub const MAX_CONTENT: usize = 5_000;
pub const MAX_NAME: usize = 50;
pub const MAX_COMMENT: usize = 2_000;
pub const MAX_REASON: usize = 2_000;
pub const MAX_PLACE: usize = 200;
pub const MAX_PARTICIPANTS: usize = 2_000;
pub const MAX_MINUTES: usize = 20_000;
pub const MAX_AGENDA: usize = 50;
pub const MAX_VOLUNTEERS: usize = 200;

/// How many supports one address may send in a minute: one household supports a few
/// proposals, a script thousands.
pub const SUPPORTS_PER_MINUTE: i64 = 20;

/// How a resident's number is confirmed by a code sent to it (where an SMS channel is
/// configured): six digits, good for ten minutes and five tries; a confirmed number
/// stays confirmed in that browser for thirty days. Sends are limited per number and
/// per address, so that the portal cannot be used to text strangers.
pub mod code {
    use crate::error::Broken;
    use crate::time::{Millis, DAY, HOUR};

    pub const DIGITS: usize = 6;
    pub const LIFETIME: Millis = 10 * 60 * 1000;
    pub const TRIES: i64 = 5;
    pub const CONFIRMED_FOR: Millis = 30 * DAY;
    /// Codes one number is sent, and one address asks for, per `SEND_WINDOW`.
    pub const PER_PHONE: i64 = 5;
    pub const PER_ADDRESS: i64 = 20;
    pub const SEND_WINDOW: Millis = HOUR;

    /// A code as typed: six digits, spaces around forgiven.
    pub fn check(code: &str) -> Result<(), Broken> {
        let code = code.trim();
        if code.is_empty() {
            return Err(Broken::Missing("code"));
        }
        if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Broken::Invalid { field: "code", reason: format!("{DIGITS} digits") });
        }
        Ok(())
    }

    /// The code for a random number: its last six decimal digits, zeros kept.
    pub fn from_random(random: u64) -> String {
        format!("{:0width$}", random % 10u64.pow(DIGITS as u32), width = DIGITS)
    }
}

/// Checks a free text: present when `required`, at most `max` characters, printable.
fn text(field: &'static str, value: &str, max: usize, required: bool) -> Result<(), Broken> {
    if required && value.trim().is_empty() {
        return Err(Broken::Missing(field));
    }
    if value.chars().count() > max {
        return Err(Broken::Invalid { field, reason: format!("longer than {max} characters") });
    }
    if !printable(value) {
        return Err(Broken::Invalid { field, reason: UNPRINTABLE.into() });
    }
    Ok(())
}

/// A phone that identifies a resident: required, and one that could be dialled.
pub fn check_phone(phone: &str, field: &'static str) -> Result<(), Broken> {
    if phone.trim().is_empty() {
        return Err(Broken::Missing(field));
    }
    crate::phone::check(phone, field)
}

/// A proposal as a resident types it or staff copy it from paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProposal {
    pub kind: ProposalKind,
    pub channel: ProposalChannel,
    /// The community (or village, or grid) it is for.
    pub unit_id: i64,
    pub title: String,
    pub content: String,
    pub proposer_name: String,
    /// Personal information, as a requester's is: masked wherever it is shown.
    pub proposer_phone: String,
}

impl NewProposal {
    /// What every proposal must carry. On paper a resident may leave no number; on the
    /// portal the number is who they are.
    pub fn check(&self) -> Result<(), Broken> {
        text("title", &self.title, MAX_TITLE, true)?;
        text("content", &self.content, MAX_CONTENT, true)?;
        text("proposer_name", &self.proposer_name, MAX_NAME, false)?;
        match self.channel {
            ProposalChannel::Portal => check_phone(&self.proposer_phone, "proposer_phone"),
            ProposalChannel::Paper => crate::phone::check(&self.proposer_phone, "proposer_phone"),
        }
    }
}

/// A proposal as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: i64,
    pub new: NewProposal,
    /// Its community's path: the scope test for the staff who moderate and decide.
    pub unit_path: String,
    pub status: ProposalStatus,
    /// Supports counted with each one, so that lists never count rows.
    pub supports: i64,
    /// The staff member who copied it from paper.
    pub recorded_by: Option<i64>,
    pub created_at: Millis,
}

/// A comment as a resident writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewComment {
    pub proposal_id: i64,
    pub author_name: String,
    pub phone: String,
    pub body: String,
}

impl NewComment {
    pub fn check(&self) -> Result<(), Broken> {
        text("body", &self.body, MAX_COMMENT, true)?;
        text("author_name", &self.author_name, MAX_NAME, false)?;
        check_phone(&self.phone, "phone")
    }
}

/// Who hid a comment, when and why: kept, so that moderation can be audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hiding {
    pub by: i64,
    pub at: Millis,
    pub reason: String,
}

/// A comment as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: i64,
    pub proposal_id: i64,
    pub author_name: String,
    pub body: String,
    pub created_at: Millis,
    pub hidden: Option<Hiding>,
}

/// Moderation says why: residents whose words disappear are owed a reason.
pub fn check_hide_reason(reason: &str) -> Result<(), Broken> {
    text("reason", reason, MAX_REASON, true)
}

/// A meeting (议事会) as its recorder enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMeeting {
    pub unit_id: i64,
    pub held_at: Millis,
    pub place: String,
    pub topic: String,
    /// Residents, cadres and party members who took part, as written down.
    pub participants: String,
    pub minutes: String,
    /// The proposals it takes up, in order.
    pub agenda: Vec<i64>,
    /// The volunteers and party members (users of role volunteer) who took part, counted
    /// in 共建.
    #[serde(default)]
    pub volunteers: Vec<i64>,
}

impl NewMeeting {
    pub fn check(&self) -> Result<(), Broken> {
        text("place", &self.place, MAX_PLACE, true)?;
        text("topic", &self.topic, MAX_TITLE, true)?;
        text("participants", &self.participants, MAX_PARTICIPANTS, false)?;
        text("minutes", &self.minutes, MAX_MINUTES, false)?;
        if self.agenda.len() > MAX_AGENDA {
            return Err(Broken::Invalid { field: "agenda", reason: format!("at most {MAX_AGENDA} proposals") });
        }
        if self.volunteers.len() > MAX_VOLUNTEERS {
            return Err(Broken::Invalid { field: "volunteers", reason: format!("at most {MAX_VOLUNTEERS}") });
        }
        let mut seen = self.agenda.clone();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() != self.agenda.len() {
            return Err(Broken::Invalid { field: "agenda", reason: "a proposal is listed twice".into() });
        }
        Ok(())
    }
}

/// A meeting as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: i64,
    pub new: NewMeeting,
    pub unit_path: String,
    pub recorded_by: i64,
    pub created_at: Millis,
}

/// What the meeting promised when it adopted a proposal: who does it, by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adoption {
    /// The unit that answers for the work.
    pub unit_id: i64,
    /// The person who answers for it (a user of the system).
    pub responsible_id: i64,
    pub deadline: Millis,
}

/// A meeting's decision on one proposal of its agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// It becomes a request (大家事、大家办), linked back to the proposal.
    Adopt(Adoption),
    /// With the reason residents are shown.
    Decline { reason: String },
    /// To a later meeting.
    Defer,
}

impl Decision {
    pub fn action(&self) -> ProposalAction {
        match self {
            Decision::Adopt(_) => ProposalAction::Adopt,
            Decision::Decline { .. } => ProposalAction::Decline,
            Decision::Defer => ProposalAction::Defer,
        }
    }

    /// A decline says why; an adoption's deadline lies ahead.
    pub fn check(&self, now: Millis) -> Result<(), Broken> {
        match self {
            Decision::Adopt(adoption) if adoption.deadline <= now => {
                Err(Broken::Invalid { field: "deadline", reason: "must lie in the future".into() })
            }
            Decision::Decline { reason } => text("reason", reason, MAX_REASON, true),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DAY;

    fn wish() -> NewProposal {
        NewProposal {
            kind: ProposalKind::Wish,
            channel: ProposalChannel::Portal,
            unit_id: 3,
            title: "楼道装扶手".into(),
            content: "3栋老人多，楼道没有扶手，上下楼不安全。".into(),
            proposer_name: "李阿姨".into(),
            proposer_phone: "13812341234".into(),
        }
    }

    fn staff(role: Role, path: &str) -> Actor {
        Actor::Staff(Staff { user_id: 5, role, unit_id: 3, unit_path: path.into() })
    }

    #[test]
    fn a_proposal_is_scheduled_then_decided_once() {
        use ProposalAction::*;
        use ProposalStatus::*;
        assert_eq!(next(Schedule, Open), Ok(OnAgenda));
        assert_eq!(next(Adopt, OnAgenda), Ok(Adopted));
        assert_eq!(next(Decline, OnAgenda), Ok(Declined));
        assert_eq!(next(Defer, OnAgenda), Ok(Deferred));
        assert_eq!(next(Schedule, Deferred), Ok(OnAgenda), "a deferred proposal comes back");
        assert_eq!(next(Adopt, Open), Err(Refused::ProposalState { action: Adopt, from: Open }));
        for decided in [Adopted, Declined] {
            for action in ProposalAction::ALL {
                assert!(next(*action, decided).is_err(), "{action} after {decided}");
            }
            assert!(!decided.takes_supports());
        }
        assert!(Deferred.takes_supports());
    }

    #[test]
    fn residents_propose_and_the_communitys_staff_decide() {
        let community = "/1/2/3/";
        assert_eq!(may(Step::Submit, &Actor::Requester, community), Ok(()));
        assert_eq!(may(Step::Support, &Actor::Requester, community), Ok(()));
        assert_eq!(may(Step::Decide, &Actor::Requester, community), Err(Refused::NotAllowed(Step::Decide)));
        for role in [Role::Handler, Role::Leader, Role::Admin] {
            assert_eq!(may(Step::Decide, &staff(role, "/1/2/"), community), Ok(()), "{role}");
        }
        assert_eq!(may(Step::Decide, &staff(Role::Supervisor, "/1/"), community), Err(Refused::NotCommunityStaff));
        assert_eq!(may(Step::HideComment, &staff(Role::Operator, "/1/"), community), Err(Refused::NotCommunityStaff));
        assert_eq!(may(Step::HoldMeeting, &staff(Role::Leader, "/1/2/4/"), community), Err(Refused::OutOfScope));
        // Staff record what was written on paper; they do not submit as residents.
        assert_eq!(may(Step::Submit, &staff(Role::Handler, "/1/"), community), Err(Refused::NotAllowed(Step::Submit)));
        assert_eq!(may(Step::RecordPaper, &staff(Role::Handler, "/1/2/3/"), community), Ok(()));
        assert_eq!(may(Step::Comment, &Actor::System, community), Err(Refused::NotAllowed(Step::Comment)));
    }

    #[test]
    fn a_proposal_has_a_title_content_and_on_the_portal_a_phone() {
        assert_eq!(wish().check(), Ok(()));
        assert_eq!(NewProposal { title: " ".into(), ..wish() }.check(), Err(Broken::Missing("title")));
        assert_eq!(NewProposal { content: String::new(), ..wish() }.check(), Err(Broken::Missing("content")));
        assert!(NewProposal { title: "长".repeat(MAX_TITLE + 1), ..wish() }.check().is_err());
        assert!(NewProposal { content: "a\u{0}b".into(), ..wish() }.check().is_err());
        let no_phone = NewProposal { proposer_phone: String::new(), ..wish() };
        assert_eq!(no_phone.check(), Err(Broken::Missing("proposer_phone")));
        assert_eq!(NewProposal { channel: ProposalChannel::Paper, ..no_phone }.check(), Ok(()));
        let bad = NewProposal { proposer_phone: "138abc".into(), channel: ProposalChannel::Paper, ..wish() };
        assert!(matches!(bad.check(), Err(Broken::Invalid { field: "proposer_phone", .. })));
    }

    #[test]
    fn an_unconfirmed_proposal_is_confirmed_once_and_takes_no_supports_before() {
        use ProposalStatus::*;
        assert_eq!(next(ProposalAction::Confirm, Unconfirmed), Ok(Open));
        assert!(next(ProposalAction::Confirm, Open).is_err());
        assert!(next(ProposalAction::Schedule, Unconfirmed).is_err(), "no meeting before it is confirmed");
        assert!(!Unconfirmed.takes_supports());
        let community = "/1/2/3/";
        assert_eq!(may(Step::ConfirmProposal, &staff(Role::Handler, "/1/2/3/"), community), Ok(()));
        assert!(may(Step::ConfirmProposal, &Actor::Requester, community).is_err());
    }

    #[test]
    fn a_code_is_six_digits() {
        assert_eq!(code::check(" 012345 "), Ok(()));
        assert_eq!(code::check(""), Err(Broken::Missing("code")));
        assert!(
            code::check("12345").is_err() && code::check("12345a").is_err() && code::check("１２３４５６").is_err()
        );
        assert_eq!(code::from_random(42), "000042");
        assert_eq!(code::from_random(u64::MAX).len(), 6);
    }

    #[test]
    fn a_wish_becomes_a_request_for_help() {
        assert_eq!(ProposalKind::Wish.request_kind(), Kind::Help);
        assert_eq!(ProposalKind::Suggestion.request_kind(), Kind::Suggestion);
    }

    #[test]
    fn comments_and_their_hiding_say_something() {
        let comment =
            NewComment {
                proposal_id: 1, author_name: String::new(), phone: "13900001111".into(), body: "赞成".into()
            };
        assert_eq!(comment.check(), Ok(()));
        assert_eq!(NewComment { body: "".into(), ..comment.clone() }.check(), Err(Broken::Missing("body")));
        assert_eq!(NewComment { phone: "".into(), ..comment }.check(), Err(Broken::Missing("phone")));
        assert_eq!(check_hide_reason("  "), Err(Broken::Missing("reason")));
        assert_eq!(check_hide_reason("含有他人电话号码"), Ok(()));
    }

    #[test]
    fn a_meeting_has_a_place_a_topic_and_an_agenda_without_repeats() {
        let meeting = NewMeeting {
            unit_id: 3,
            held_at: 0,
            place: "3栋楼下".into(),
            topic: "楼道改造".into(),
            participants: "居民12人，社区干部2人，党员3人".into(),
            minutes: String::new(),
            agenda: vec![4, 7],
            volunteers: vec![9],
        };
        assert_eq!(meeting.check(), Ok(()));
        assert_eq!(NewMeeting { place: "".into(), ..meeting.clone() }.check(), Err(Broken::Missing("place")));
        assert!(NewMeeting { agenda: vec![4, 4], ..meeting.clone() }.check().is_err());
        assert!(NewMeeting { agenda: (0..=MAX_AGENDA as i64).collect(), ..meeting }.check().is_err());
    }

    #[test]
    fn a_decline_says_why_and_an_adoption_is_due_ahead() {
        let now = 100 * DAY;
        assert_eq!(Decision::Decline { reason: "".into() }.check(now), Err(Broken::Missing("reason")));
        assert_eq!(Decision::Decline { reason: "不属于社区职责".into() }.check(now), Ok(()));
        let adopt = |deadline| Decision::Adopt(Adoption { unit_id: 3, responsible_id: 5, deadline });
        assert!(matches!(adopt(now).check(now), Err(Broken::Invalid { field: "deadline", .. })));
        assert_eq!(adopt(now + DAY).check(now), Ok(()));
        assert_eq!(Decision::Defer.check(now), Ok(()));
        assert_eq!(adopt(now + DAY).action(), ProposalAction::Adopt);
    }

    #[test]
    fn adopted_work_moves_forward_with_its_request_and_ends_at_a_hundred() {
        use crate::Status;
        let open = [Status::Submitted, Status::PendingDispatch, Status::Dispatched, Status::InProgress];
        let shown: Vec<u8> =
            open.iter().chain(&[Status::Resolved, Status::Closed]).filter_map(|s| percent_done(*s)).collect();
        assert!(shown.windows(2).all(|w| w[0] < w[1]), "{shown:?}");
        assert_eq!(shown.last(), Some(&100));
        assert_eq!(percent_done(Status::Merged), None);
        assert_eq!(percent_done(Status::Rejected), None);
    }
}
