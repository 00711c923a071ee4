//! The request lifecycle as one table, and the one function that
//! applies an action to a request.
//!
//! `TABLE` says which action may move a request from which states to which state and
//! who may take it; `decide` checks a command against that row and computes the new
//! request and the event that records the change. The store writes both in one
//! transaction.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::calendar::WorkCalendar;
use crate::deadline::DeadlinePolicy;
use crate::error::Broken;
use crate::request::{Request, Satisfaction, Status};
use crate::role::{Actor, Role};
use crate::time::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Action {
    Accept,
    Reject,
    Answer,
    Dispatch,
    Claim,
    Return,
    Progress,
    RequestExtension,
    ApproveExtension,
    DenyExtension,
    Resolve,
    Evaluate,
    AutoClose,
    Reopen,
    Merge,
    Press,
    RepeatCall,
    Rectify,
    ReinspectPass,
    ReinspectFail,
    Adopt,
}

/// Whether an action moves the request or leaves its state as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    To(Status),
    Same,
    /// Back to work: `in_progress` with the unit that handled it, or `pending_dispatch`
    /// when it was answered at intake and no unit has it.
    BackToWork,
}

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Staff of this role whose unit subtree holds the request or its assigned unit.
    InScope(Role),
    /// Staff of this role in the unit the request is assigned to.
    OfAssignedUnit(Role),
    /// Staff of this role in the assigned unit or one of its co-units (协办).
    OfAssignedOrCoUnit(Role),
    /// Staff of this role whose subtree holds the assigned unit: its leaders.
    OverAssignedUnit(Role),
    Requester,
    System,
}

pub struct Transition {
    pub action: Action,
    pub from: &'static [Status],
    pub to: Target,
    pub by: &'static [Who],
}

use Role::*;
use Status::*;
use Who::*;

const OPEN: &[Status] = &[Submitted, PendingDispatch, Dispatched, InProgress];

/// Every action, the states it moves from and to, and who may take it.
pub const TABLE: &[Transition] = &[
    Transition {
        action: Action::Accept,
        from: &[Submitted],
        to: Target::To(PendingDispatch),
        by: &[InScope(Operator)],
    },
    Transition {
        action: Action::Reject,
        from: &[Submitted, PendingDispatch],
        to: Target::To(Rejected),
        by: &[InScope(Operator)],
    },
    Transition {
        action: Action::Answer,
        from: &[Submitted, PendingDispatch],
        to: Target::To(Resolved),
        by: &[InScope(Operator)],
    },
    Transition {
        action: Action::Dispatch,
        from: &[PendingDispatch],
        to: Target::To(Dispatched),
        by: &[InScope(Dispatcher)],
    },
    Transition {
        action: Action::Claim,
        from: &[Dispatched],
        to: Target::To(InProgress),
        by: &[OfAssignedUnit(Handler)],
    },
    Transition {
        action: Action::Return,
        from: &[Dispatched, InProgress],
        to: Target::To(PendingDispatch),
        by: &[OfAssignedUnit(Handler), OverAssignedUnit(Leader)],
    },
    Transition {
        action: Action::Progress,
        from: &[InProgress],
        to: Target::Same,
        by: &[OfAssignedOrCoUnit(Handler), InScope(Volunteer)],
    },
    Transition {
        action: Action::RequestExtension,
        from: &[InProgress],
        to: Target::Same,
        by: &[OfAssignedUnit(Handler)],
    },
    Transition {
        action: Action::ApproveExtension,
        from: &[InProgress],
        to: Target::Same,
        by: &[OverAssignedUnit(Leader)],
    },
    Transition {
        action: Action::DenyExtension,
        from: &[InProgress],
        to: Target::Same,
        by: &[OverAssignedUnit(Leader)],
    },
    Transition {
        action: Action::Resolve,
        from: &[InProgress],
        to: Target::To(Resolved),
        by: &[OfAssignedUnit(Handler)],
    },
    Transition {
        action: Action::Evaluate,
        from: &[Resolved],
        to: Target::To(Closed),
        by: &[Requester, InScope(Operator), InScope(Supervisor)],
    },
    Transition { action: Action::AutoClose, from: &[Resolved], to: Target::To(Closed), by: &[System] },
    Transition {
        action: Action::Reopen,
        from: &[Resolved, Closed],
        to: Target::BackToWork,
        by: &[Requester, InScope(Supervisor)],
    },
    Transition {
        action: Action::Merge,
        from: OPEN,
        to: Target::To(Merged),
        by: &[InScope(Dispatcher), InScope(Supervisor)],
    },
    Transition { action: Action::Press, from: OPEN, to: Target::Same, by: &[InScope(Supervisor)] },
    // Another call about work still open (重复来电): counted on the request, never a new one.
    Transition { action: Action::RepeatCall, from: OPEN, to: Target::Same, by: &[InScope(Operator)] },
    // Inspections: a failed item goes straight to the point's department (整改派单), and
    // the reinspection (复查) on site closes it or sends it back for rework (回炉).
    // Only requests of the `inspection` channel take these three (`inspection_only`).
    Transition {
        action: Action::Rectify,
        from: &[Submitted],
        to: Target::To(Dispatched),
        by: &[InScope(Inspector), InScope(Leader)],
    },
    Transition {
        action: Action::ReinspectPass,
        from: &[Dispatched, InProgress, Resolved],
        to: Target::To(Closed),
        by: &[InScope(Inspector), InScope(Leader)],
    },
    Transition {
        action: Action::ReinspectFail,
        from: &[InProgress, Resolved],
        to: Target::BackToWork,
        by: &[InScope(Inspector), InScope(Leader)],
    },
    // Deliberation: a proposal the community's meeting adopted goes straight to the unit
    // the meeting chose, due by the deadline it promised (大家事、大家办). Only requests
    // of the `meeting` channel take it (`channel_only`).
    Transition {
        action: Action::Adopt,
        from: &[Submitted],
        to: Target::To(Dispatched),
        by: &[InScope(Handler), InScope(Leader), InScope(Admin)],
    },
];

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::Accept,
        Action::Reject,
        Action::Answer,
        Action::Dispatch,
        Action::Claim,
        Action::Return,
        Action::Progress,
        Action::RequestExtension,
        Action::ApproveExtension,
        Action::DenyExtension,
        Action::Resolve,
        Action::Evaluate,
        Action::AutoClose,
        Action::Reopen,
        Action::Merge,
        Action::Press,
        Action::RepeatCall,
        Action::Rectify,
        Action::ReinspectPass,
        Action::ReinspectFail,
        Action::Adopt,
    ];

    pub fn transition(self) -> &'static Transition {
        TABLE.iter().find(|row| row.action == self).expect("every action has a row")
    }

    /// The kebab-case name used in URLs and events.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Reject => "reject",
            Action::Answer => "answer",
            Action::Dispatch => "dispatch",
            Action::Claim => "claim",
            Action::Return => "return",
            Action::Progress => "progress",
            Action::RequestExtension => "request-extension",
            Action::ApproveExtension => "approve-extension",
            Action::DenyExtension => "deny-extension",
            Action::Resolve => "resolve",
            Action::Evaluate => "evaluate",
            Action::AutoClose => "auto-close",
            Action::Reopen => "reopen",
            Action::Merge => "merge",
            Action::Press => "press",
            Action::RepeatCall => "repeat-call",
            Action::Rectify => "rectify",
            Action::ReinspectPass => "reinspect-pass",
            Action::ReinspectFail => "reinspect-fail",
            Action::Adopt => "adopt",
        }
    }

    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.as_str() == text)
    }

    /// Whether a holder of this role could ever take the action, whatever the request.
    pub fn open_to(self, role: Role) -> bool {
        self.transition().by.iter().any(|who| match who {
            InScope(r) | OfAssignedUnit(r) | OfAssignedOrCoUnit(r) | OverAssignedUnit(r) => *r == role,
            Requester | System => false,
        })
    }
}

/// The actions a holder of `role` may be offered on a request in `status`: those of
/// the table that start from the state and that the role could take. Whether this
/// actor may take one on this request (its unit, its scope) `decide` says when it is
/// taken.
pub fn offered(status: Status, role: Role) -> impl Iterator<Item = Action> {
    TABLE.iter().filter(move |row| row.from.contains(&status) && row.action.open_to(role)).map(|row| row.action)
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An action with what it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Command {
    Accept,
    Reject {
        reason: String,
    },
    Answer {
        reply: String,
    },
    Dispatch {
        unit_id: i64,
        #[serde(default)]
        co_unit_ids: Vec<i64>,
        /// What the dispatcher tells the unit (派单说明); kept as the event's note.
        #[serde(default)]
        instructions: String,
    },
    Claim,
    Return {
        reason: String,
    },
    Progress {
        note: String,
    },
    RequestExtension {
        until: Millis,
        reason: String,
    },
    ApproveExtension,
    DenyExtension {
        reason: String,
    },
    Resolve {
        reply: String,
        contacted: bool,
    },
    Evaluate {
        solved: bool,
        satisfaction: Satisfaction,
        #[serde(default)]
        comment: String,
    },
    AutoClose,
    Reopen {
        reason: String,
    },
    Merge {
        into: i64,
    },
    Press {
        note: String,
        due: Option<Millis>,
    },
    /// The caller's phone as they gave it (the event keeps it masked) and what they said.
    RepeatCall {
        #[serde(default)]
        phone: String,
        #[serde(default)]
        note: String,
    },
    /// A failed inspection item sent to the point's department, due by its severity.
    Rectify {
        unit_id: i64,
        due: Millis,
        #[serde(default)]
        instructions: String,
    },
    /// A proposal adopted by a community's meeting, sent to the unit the meeting chose
    /// and due by the deadline it promised.
    Adopt {
        unit_id: i64,
        due: Millis,
        #[serde(default)]
        instructions: String,
    },
    /// The reinspection found it put right.
    ReinspectPass {
        #[serde(default)]
        note: String,
    },
    /// The reinspection found it not put right: back to the unit, due anew.
    ReinspectFail {
        reason: String,
        due: Millis,
    },
}

impl Command {
    pub fn action(&self) -> Action {
        match self {
            Command::Accept => Action::Accept,
            Command::Reject { .. } => Action::Reject,
            Command::Answer { .. } => Action::Answer,
            Command::Dispatch { .. } => Action::Dispatch,
            Command::Claim => Action::Claim,
            Command::Return { .. } => Action::Return,
            Command::Progress { .. } => Action::Progress,
            Command::RequestExtension { .. } => Action::RequestExtension,
            Command::ApproveExtension => Action::ApproveExtension,
            Command::DenyExtension { .. } => Action::DenyExtension,
            Command::Resolve { .. } => Action::Resolve,
            Command::Evaluate { .. } => Action::Evaluate,
            Command::AutoClose => Action::AutoClose,
            Command::Reopen { .. } => Action::Reopen,
            Command::Merge { .. } => Action::Merge,
            Command::Press { .. } => Action::Press,
            Command::RepeatCall { .. } => Action::RepeatCall,
            Command::Rectify { .. } => Action::Rectify,
            Command::ReinspectPass { .. } => Action::ReinspectPass,
            Command::ReinspectFail { .. } => Action::ReinspectFail,
            Command::Adopt { .. } => Action::Adopt,
        }
    }

    /// The free text that goes into the event's note.
    fn note(&self) -> &str {
        match self {
            Command::Reject { reason }
            | Command::Return { reason }
            | Command::RequestExtension { reason, .. }
            | Command::DenyExtension { reason }
            | Command::Reopen { reason }
            | Command::ReinspectFail { reason, .. } => reason,
            Command::Answer { reply } | Command::Resolve { reply, .. } => reply,
            Command::Progress { note } | Command::Press { note, .. } | Command::RepeatCall { note, .. } => note,
            Command::Evaluate { comment, .. } => comment,
            Command::Dispatch { instructions, .. }
            | Command::Rectify { instructions, .. }
            | Command::Adopt { instructions, .. } => instructions,
            Command::ReinspectPass { note } => note,
            _ => "",
        }
    }
}

/// What the rules need to know beyond the request and the actor.
pub struct Context<'a> {
    pub now: Millis,
    pub policy: &'a DeadlinePolicy,
    pub calendar: &'a WorkCalendar,
    /// For dispatch: the target unit's path, looked up by the store.
    pub dispatch_path: Option<&'a str>,
    /// For dispatch and reopen: the category's own working days to resolve, if it sets
    /// them.
    pub category_resolve_days: Option<u32>,
    /// For a supervisor's reopen for rework (回炉): the rework order's due date, which
    /// becomes the request's resolve deadline.
    pub rework_due: Option<Millis>,
}

/// The record of one accepted action, before the store chains and stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDraft {
    pub action: Action,
    pub from: Status,
    pub to: Status,
    pub note: String,
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub request: Request,
    pub event: EventDraft,
}

/// Longest free text an action accepts, in characters.
pub const MAX_TEXT: usize = 5_000;

/// Checks `command` by `actor` against the table and computes the changed request and
/// its event; the request passed in is left as it was.
pub fn decide(request: &Request, command: &Command, actor: &Actor, ctx: &Context) -> Result<Outcome, Broken> {
    let action = command.action();
    let row = action.transition();
    if !row.from.contains(&request.status) {
        return Err(Broken::WrongState { action, from: request.status });
    }
    authorise(request, row, actor)?;
    channel_only(request, action)?;
    validate(command)?;

    let mut next = request.clone();
    next.version += 1;
    match row.to {
        Target::To(status) => next.status = status,
        Target::Same => {}
        Target::BackToWork => {
            next.status = if request.assignee_unit_id.is_some() { InProgress } else { PendingDispatch };
        }
    }
    apply(&mut next, command, actor, ctx)?;
    let event = EventDraft {
        action,
        from: request.status,
        to: next.status,
        note: command.note().to_string(),
        payload: payload(command, &next),
    };
    Ok(Outcome { request: next, event })
}

fn authorise(request: &Request, row: &Transition, actor: &Actor) -> Result<(), Broken> {
    let action = row.action;
    let assigned_path = request.assignee_path.as_deref();
    let allowed = |who: &Who| match (who, actor) {
        (Requester, Actor::Requester) | (System, Actor::System) => true,
        (InScope(role), Actor::Staff(staff)) => staff.role == *role && request.visible_to(staff),
        (OfAssignedUnit(role), Actor::Staff(staff)) => {
            staff.role == *role && request.assignee_unit_id == Some(staff.unit_id)
        }
        (OfAssignedOrCoUnit(role), Actor::Staff(staff)) => {
            staff.role == *role
                && (request.assignee_unit_id == Some(staff.unit_id) || request.co_unit_ids.contains(&staff.unit_id))
        }
        (OverAssignedUnit(role), Actor::Staff(staff)) => {
            staff.role == *role && assigned_path.is_some_and(|p| staff.covers(p))
        }
        _ => false,
    };
    if row.by.iter().any(allowed) {
        return Ok(());
    }
    // Name the rule that failed: the wrong role, or the right role in the wrong place.
    match actor {
        Actor::Staff(staff) if action.open_to(staff.role) => {
            let unit_bound =
                row.by.iter().any(|who| matches!(who, OfAssignedUnit(r) | OfAssignedOrCoUnit(r) if *r == staff.role));
            Err(if unit_bound { Broken::NotAssignedUnit { action } } else { Broken::OutOfScope })
        }
        Actor::Staff(staff) => Err(Broken::WrongRole { action, role: staff.role }),
        Actor::Requester | Actor::System => Err(Broken::OutOfScope),
    }
}

/// Rectification and reinspection belong to requests an inspection raised: an inspector
/// closes no resident's request. An adoption belongs to the request a meeting raised.
fn channel_only(request: &Request, action: Action) -> Result<(), Broken> {
    use crate::request::Channel;
    let inspecting = matches!(action, Action::Rectify | Action::ReinspectPass | Action::ReinspectFail);
    if inspecting && request.new.channel != Channel::Inspection {
        return Err(Broken::Invalid {
            field: "channel",
            reason: "only an inspection's rectification is reinspected".into(),
        });
    }
    if action == Action::Adopt && request.new.channel != Channel::Meeting {
        return Err(Broken::Invalid { field: "channel", reason: "only a meeting's request is adopted".into() });
    }
    Ok(())
}

fn required(text: &str, field: &'static str) -> Result<(), Broken> {
    if text.trim().is_empty() {
        return Err(Broken::Missing(field));
    }
    limited(text, field)
}

fn limited(text: &str, field: &'static str) -> Result<(), Broken> {
    if text.chars().count() > MAX_TEXT {
        return Err(Broken::Invalid { field, reason: format!("longer than {MAX_TEXT} characters") });
    }
    if !printable(text) {
        return Err(Broken::Invalid { field, reason: UNPRINTABLE.into() });
    }
    Ok(())
}

/// Why free text with control characters is refused.
pub const UNPRINTABLE: &str = "contains control characters (only line breaks and tabs are allowed)";

/// Whether free text holds only what a person writes: no control characters but line
/// breaks and tabs. A form's textarea sends its line breaks as CR LF, so CR counts as part
/// of a line break. Invisible bytes in a note show nothing to its readers and served, in
/// the old event encoding, to move text from one field of the record into another.
pub fn printable(text: &str) -> bool {
    text.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
}

fn validate(command: &Command) -> Result<(), Broken> {
    match command {
        Command::Reject { reason }
        | Command::Return { reason }
        | Command::Reopen { reason }
        | Command::DenyExtension { reason } => required(reason, "reason"),
        Command::RequestExtension { reason, .. } => required(reason, "reason"),
        Command::Answer { reply } | Command::Resolve { reply, .. } => required(reply, "reply"),
        Command::Progress { note } | Command::Press { note, .. } => required(note, "note"),
        Command::Evaluate { comment, .. } => limited(comment, "comment"),
        Command::Dispatch { co_unit_ids, .. } if co_unit_ids.len() > 20 => {
            Err(Broken::Invalid { field: "co_unit_ids", reason: "at most 20 co-units".into() })
        }
        Command::Dispatch { instructions, .. }
        | Command::Rectify { instructions, .. }
        | Command::Adopt { instructions, .. } => limited(instructions, "instructions"),
        Command::ReinspectPass { note } => limited(note, "note"),
        Command::ReinspectFail { reason, .. } => required(reason, "reason"),
        Command::RepeatCall { phone, note } => {
            crate::phone::check(phone, "phone")?;
            limited(note, "note")
        }
        _ => Ok(()),
    }
}

fn apply(next: &mut Request, command: &Command, actor: &Actor, ctx: &Context) -> Result<(), Broken> {
    let now = ctx.now;
    match command {
        Command::Accept | Command::Reject { .. } | Command::Press { .. } => {
            if matches!(command, Command::Press { .. }) {
                next.press_count += 1;
            }
        }
        Command::Answer { reply } => {
            next.reply = Some(reply.clone());
            next.resolved_at = Some(now);
            next.first_resolved_at.get_or_insert(now);
        }
        Command::Dispatch { unit_id, co_unit_ids, .. } => {
            let path = ctx
                .dispatch_path
                .ok_or(Broken::Invalid { field: "unit_id", reason: format!("unit {unit_id} does not exist") })?;
            let due =
                ctx.policy.deadlines(ctx.calendar, now, next.new.kind, next.new.urgent, ctx.category_resolve_days);
            next.assignee_unit_id = Some(*unit_id);
            next.assignee_path = Some(path.to_string());
            next.co_unit_ids.clear();
            for co in co_unit_ids {
                if co != unit_id && !next.co_unit_ids.contains(co) {
                    next.co_unit_ids.push(*co);
                }
            }
            next.dispatched_at = Some(now);
            next.respond_by = Some(due.respond_by);
            next.resolve_by = Some(due.resolve_by);
            next.deadline_estimated = due.estimated;
            next.handler_id = None;
            next.claimed_at = None;
        }
        Command::Claim => {
            next.handler_id = actor.user_id();
            next.claimed_at = Some(now);
        }
        Command::Return { .. } => {
            next.return_count += 1;
            next.assignee_unit_id = None;
            next.assignee_path = None;
            next.co_unit_ids.clear();
            next.handler_id = None;
            next.claimed_at = None;
            next.pending_extension = None;
        }
        Command::Progress { .. } => {}
        Command::RepeatCall { .. } => next.repeat_calls += 1,
        Command::RequestExtension { until, .. } => {
            if next.pending_extension.is_some() {
                return Err(Broken::ExtensionPending);
            }
            if next.resolve_by.is_some_and(|due| *until <= due) || *until <= now {
                return Err(Broken::Invalid {
                    field: "until",
                    reason: "must be later than the current deadline".into(),
                });
            }
            next.pending_extension = Some(*until);
        }
        Command::ApproveExtension => {
            let until = next.pending_extension.take().ok_or(Broken::NoPendingExtension)?;
            next.resolve_by = Some(until);
        }
        Command::DenyExtension { .. } => {
            next.pending_extension.take().ok_or(Broken::NoPendingExtension)?;
        }
        Command::Resolve { reply, contacted } => {
            next.reply = Some(reply.clone());
            next.contacted = Some(*contacted);
            next.resolved_at = Some(now);
            next.first_resolved_at.get_or_insert(now);
            next.pending_extension = None;
        }
        Command::Evaluate { solved, satisfaction, .. } => {
            next.solved = Some(*solved);
            next.satisfaction = Some(*satisfaction);
            next.evaluated_at = Some(now);
            next.closed_at = Some(now);
        }
        Command::AutoClose => {
            let resolved = next.resolved_at.unwrap_or(now);
            if now < ctx.policy.evaluation_closes(resolved) {
                return Err(Broken::WindowOpen);
            }
            next.closed_at = Some(now);
        }
        Command::Reopen { .. } => {
            if matches!(actor, Actor::Requester) {
                requester_may_reopen(next, ctx.policy, now)?;
            }
            next.reopen_count += 1;
            next.resolved_at = None;
            next.closed_at = None;
            if next.status == InProgress {
                reopened_deadline(next, ctx)?;
            }
        }
        Command::Merge { into } => {
            if *into == next.id {
                return Err(Broken::MergeIntoSelf);
            }
            next.merged_into = Some(*into);
        }
        Command::Rectify { unit_id, due, .. } | Command::Adopt { unit_id, due, .. } => {
            let path = ctx
                .dispatch_path
                .ok_or(Broken::Invalid { field: "unit_id", reason: format!("unit {unit_id} does not exist") })?;
            later_than_now(*due, now)?;
            let usual = ctx.policy.deadlines(ctx.calendar, now, next.new.kind, false, None);
            next.assignee_unit_id = Some(*unit_id);
            next.assignee_path = Some(path.to_string());
            next.dispatched_at = Some(now);
            next.respond_by = Some(usual.respond_by.min(*due));
            next.resolve_by = Some(*due);
            next.deadline_estimated = false;
        }
        Command::ReinspectPass { .. } => {
            next.resolved_at.get_or_insert(now);
            next.first_resolved_at.get_or_insert(now);
            next.pending_extension = None;
            next.closed_at = Some(now);
        }
        Command::ReinspectFail { due, .. } => {
            later_than_now(*due, now)?;
            if next.resolved_at.is_some() {
                next.reopen_count += 1;
            }
            next.resolved_at = None;
            next.pending_extension = None;
            next.resolve_by = Some(*due);
            next.deadline_estimated = false;
        }
    }
    Ok(())
}

fn later_than_now(due: Millis, now: Millis) -> Result<(), Broken> {
    if due <= now {
        return Err(Broken::Invalid { field: "due", reason: "must be later than now".into() });
    }
    Ok(())
}

/// Whether the requester may still ask for their request to be handled again: within
/// the evaluation window after its resolution, unless they said it is solved and they
/// are satisfied.
pub fn requester_may_reopen(request: &Request, policy: &DeadlinePolicy, now: Millis) -> Result<(), Broken> {
    let resolved = request.resolved_at.unwrap_or(now);
    if now > policy.evaluation_closes(resolved) {
        return Err(Broken::WindowPassed);
    }
    if request.solved == Some(true) && request.satisfaction.is_some_and(Satisfaction::counts_as_satisfied) {
        return Err(Broken::AlreadySatisfied);
    }
    Ok(())
}

/// Back with its unit, reopened work is judged by a deadline of its own, not the one it
/// first had (long past when finished work is sent back weeks later, which would make it
/// overdue the moment it reopens): a rework order's due date, or, reopened by the
/// requester, the deadline its kind and category give, counted from the reopening.
fn reopened_deadline(next: &mut Request, ctx: &Context) -> Result<(), Broken> {
    match ctx.rework_due {
        Some(due) if due <= ctx.now => Err(Broken::Invalid { field: "due", reason: "must be later than now".into() }),
        Some(due) => {
            next.resolve_by = Some(due);
            next.deadline_estimated = false;
            Ok(())
        }
        None => {
            let due =
                ctx.policy.deadlines(ctx.calendar, ctx.now, next.new.kind, next.new.urgent, ctx.category_resolve_days);
            next.resolve_by = Some(due.resolve_by);
            next.deadline_estimated = due.estimated;
            Ok(())
        }
    }
}

/// The event's data: what the command carried, and for a reopen the new deadline, so
/// that the history alone says what the request was judged by.
fn payload(command: &Command, next: &Request) -> serde_json::Value {
    match command {
        Command::Reopen { .. } => json!({ "resolve_by": next.resolve_by }),
        Command::Dispatch { unit_id, co_unit_ids, .. } => json!({ "unit_id": unit_id, "co_unit_ids": co_unit_ids }),
        Command::RequestExtension { until, .. } => json!({ "until": until }),
        Command::Resolve { contacted, .. } => json!({ "contacted": contacted }),
        Command::Evaluate { solved, satisfaction, .. } => json!({ "solved": solved, "satisfaction": satisfaction }),
        Command::Merge { into } => json!({ "into": into }),
        Command::Press { due, .. } => json!({ "due": due }),
        Command::Rectify { unit_id, due, .. } | Command::Adopt { unit_id, due, .. } => {
            json!({ "unit_id": unit_id, "resolve_by": due })
        }
        Command::ReinspectFail { .. } => json!({ "resolve_by": next.resolve_by }),
        // Masked: the event log is read by more people than may see the number.
        Command::RepeatCall { phone, .. } => {
            json!({ "phone": crate::phone::mask(phone), "repeat_calls": next.repeat_calls })
        }
        _ => json!({}),
    }
}
