//! Notifications (通知): who is told what when something happens to a request, as one
//! table (`TABLE`), the texts sent by SMS and e-mail (`text`), and when a delivery is
//! tried again or held back (`schedule`).
//!
//! The store writes the notifications a change causes in the transaction of that change
//! (a transactional outbox): `notices` says what they are, from values the store already
//! holds. Nothing here knows of gateways, mail servers or the database.

pub mod schedule;
pub mod text;

use serde::{Deserialize, Serialize};

use crate::lifecycle::Action;
use crate::request::{vocabulary, Request, Status};
use crate::supervision::order::{OrderKind, OrderStep};

vocabulary! {
    /// What a notification tells. The first five go to the requester, the rest to staff;
    /// the last, `phone_code`, is the code that confirms a resident's number on the
    /// deliberation portal, asked for on the page and caused by no request's event.
    Topic {
        Accepted = "accepted",
        Dispatched = "dispatched",
        Replied = "replied",
        Rejected = "rejected",
        Reopened = "reopened",
        DispatchedToUnit = "dispatched_to_unit",
        ReturnedToUnit = "returned_to_unit",
        PressOrder = "press_order",
        ReworkOrder = "rework_order",
        DeadlineWarning = "deadline_warning",
        Overdue = "overdue",
        Escalated = "escalated",
        ExtensionRequested = "extension_requested",
        OrderAnswered = "order_answered",
        OrderOverdue = "order_overdue",
        RectificationPressed = "rectification_pressed",
        MilestoneDue = "milestone_due",
        MilestoneOverdue = "milestone_overdue",
        MilestoneReported = "milestone_reported",
        MilestoneSentBack = "milestone_sent_back",
        PhoneCode = "phone_code",
    }
}

impl Topic {
    /// Topics a staff member may also have sent by SMS or e-mail: every one told to staff.
    pub const STAFF: &'static [Topic] = &[
        Topic::DispatchedToUnit,
        Topic::ReturnedToUnit,
        Topic::PressOrder,
        Topic::ReworkOrder,
        Topic::DeadlineWarning,
        Topic::Overdue,
        Topic::Escalated,
        Topic::ExtensionRequested,
        Topic::OrderAnswered,
        Topic::OrderOverdue,
        Topic::RectificationPressed,
    ];

    /// Topics of tasks assigned from above: told in the workbench by the milestone timer
    /// and the reviews (`store::tasks`), not by this module's table.
    pub const TASK: &'static [Topic] =
        &[Topic::MilestoneDue, Topic::MilestoneOverdue, Topic::MilestoneReported, Topic::MilestoneSentBack];

    pub fn for_requester(self) -> bool {
        !Topic::STAFF.contains(&self) && !Topic::TASK.contains(&self)
    }

    /// Whether quiet hours hold it back: a code the resident is waiting for on the page
    /// goes at once, whatever the hour.
    pub fn waits_for_quiet_hours(self) -> bool {
        self != Topic::PhoneCode
    }
}

vocabulary! {
    /// How a notification leaves: by text message, by mail, to another system, or into
    /// a staff member's workbench.
    Medium {
        Sms = "sms",
        Email = "email",
        Webhook = "webhook",
    }
}

/// What causes notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// Intake: a new request, of interest to other systems only.
    Submitted,
    /// A lifecycle action, with the request before and after it.
    Action(Action),
    OrderOpened(OrderKind),
    OrderStep(OrderStep),
    /// The resolve deadline is within the warning lead.
    DeadlineNear,
    /// The resolve deadline has passed; `level` further periods have passed since (the
    /// levels the request has climbed, `DeadlinePolicy::escalation_levels`).
    Overdue {
        level: i64,
    },
}

/// Who is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// The person who raised the request, by SMS to the phone they left.
    Requester,
    /// The handlers of a unit.
    Handlers(i64),
    /// The leaders of the unit `up` levels above the end of `path` (0: the unit itself),
    /// or of the nearest unit above it that has leaders.
    Leaders { path: String, up: usize },
    /// One staff member.
    User(i64),
}

/// Who a rule tells, before it is applied to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    Requester,
    /// The handlers of the unit now assigned.
    AssignedHandlers,
    /// The leaders over the unit assigned, one level up for every level climbed.
    LeadersOver,
    /// The supervisor who opened the order.
    OrderOpener,
    /// The leader answerable for the inspection point a rectification came from (包保领导).
    PointLeader,
}

/// The people a change concerns beyond the request's own units, where it has them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Related {
    /// The supervisor who opened the order a step concerns.
    pub order_opener: Option<i64>,
    /// The 包保领导 of the point a rectification request came from.
    pub point_leader: Option<i64>,
}

pub struct Rule {
    pub cause: Cause,
    pub topic: Topic,
    pub to: To,
}

const fn rule(cause: Cause, topic: Topic, to: To) -> Rule {
    Rule { cause, topic, to }
}

/// Who is told what: every notification the platform sends to a person comes from a row
/// here. Webhooks are told of every event their subscription names (`event_type`).
pub const TABLE: &[Rule] = &[
    rule(Cause::Action(Action::Accept), Topic::Accepted, To::Requester),
    rule(Cause::Action(Action::Dispatch), Topic::Dispatched, To::Requester),
    rule(Cause::Action(Action::Dispatch), Topic::DispatchedToUnit, To::AssignedHandlers),
    rule(Cause::Action(Action::Answer), Topic::Replied, To::Requester),
    rule(Cause::Action(Action::Resolve), Topic::Replied, To::Requester),
    rule(Cause::Action(Action::Reject), Topic::Rejected, To::Requester),
    rule(Cause::Action(Action::Reopen), Topic::Reopened, To::Requester),
    rule(Cause::Action(Action::Reopen), Topic::ReturnedToUnit, To::AssignedHandlers),
    rule(Cause::Action(Action::Rectify), Topic::DispatchedToUnit, To::AssignedHandlers),
    rule(Cause::Action(Action::Adopt), Topic::DispatchedToUnit, To::AssignedHandlers),
    rule(Cause::Action(Action::ReinspectFail), Topic::ReturnedToUnit, To::AssignedHandlers),
    rule(Cause::Action(Action::Press), Topic::PressOrder, To::AssignedHandlers),
    rule(Cause::Action(Action::RequestExtension), Topic::ExtensionRequested, To::LeadersOver),
    rule(Cause::OrderOpened(OrderKind::Rework), Topic::ReworkOrder, To::AssignedHandlers),
    // A rectification pressed (the same item failing again) climbs to the point's leader.
    rule(Cause::OrderOpened(OrderKind::Press), Topic::RectificationPressed, To::PointLeader),
    rule(Cause::OrderStep(OrderStep::Answer), Topic::OrderAnswered, To::OrderOpener),
    rule(Cause::OrderStep(OrderStep::Escalate), Topic::OrderOverdue, To::OrderOpener),
    rule(Cause::DeadlineNear, Topic::DeadlineWarning, To::AssignedHandlers),
    rule(Cause::Overdue { level: 0 }, Topic::Overdue, To::AssignedHandlers),
    rule(Cause::Overdue { level: 1 }, Topic::Escalated, To::LeadersOver),
];

/// One notification a change causes, before it is addressed to people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub topic: Topic,
    pub audience: Audience,
}

/// What a cause tells, about a request as it stands after the change, and the people
/// it concerns beyond its units.
pub fn notices(cause: Cause, request: &Request, related: &Related) -> Vec<Notice> {
    // Every level climbed past the first is told by the level-1 row, one level higher up.
    let (key, up) = match cause {
        Cause::Overdue { level } if level >= 1 => (Cause::Overdue { level: 1 }, level as usize),
        other => (other, 0),
    };
    TABLE
        .iter()
        .filter(|rule| rule.cause == key)
        .filter_map(|rule| {
            let audience = match rule.to {
                // Only where the requester left a number to text.
                To::Requester => (!request.new.requester_phone.trim().is_empty()).then_some(Audience::Requester)?,
                To::AssignedHandlers => Audience::Handlers(request.assignee_unit_id?),
                To::LeadersOver => Audience::Leaders { path: request.assignee_path.clone()?, up },
                To::OrderOpener => Audience::User(related.order_opener?),
                To::PointLeader => Audience::User(related.point_leader?),
            };
            Some(Notice { topic: rule.topic, audience })
        })
        .collect()
}

/// The name another system subscribes to for a cause: `request.dispatch`,
/// `order.answer`, `deadline.overdue`. `request.submit` is intake.
pub fn event_type(cause: Cause) -> String {
    match cause {
        Cause::Submitted => SUBMITTED.into(),
        Cause::Action(action) => format!("request.{}", action.as_str()),
        Cause::OrderOpened(_) => "order.open".into(),
        Cause::OrderStep(step) => format!("order.{}", step.as_str()),
        Cause::DeadlineNear => "deadline.warning".into(),
        Cause::Overdue { .. } => "deadline.overdue".into(),
    }
}

/// Intake's event type: no lifecycle action names a submission.
pub const SUBMITTED: &str = "request.submit";

/// Every event type a subscription may name, for the admin's choice; `*` is all.
pub fn event_types() -> Vec<String> {
    let mut types = vec![event_type(Cause::Submitted)];
    types.extend(Action::ALL.iter().map(|a| event_type(Cause::Action(*a))));
    types.push(event_type(Cause::OrderOpened(OrderKind::Press)));
    types.extend(OrderStep::ALL.iter().map(|s| event_type(Cause::OrderStep(*s))));
    types.push(event_type(Cause::DeadlineNear));
    types.push(event_type(Cause::Overdue { level: 0 }));
    types
}

/// Whether a subscription to `subscribed` receives `event`.
pub fn subscribed(subscribed: &str, event: &str) -> bool {
    subscribed == "*" || subscribed == event
}

/// The key that makes a notification once: a receiver that sees it twice has been sent
/// it twice (delivery is at least once), and a timer that finds the same deadline twice
/// writes it once. `event` is the event's id in the chain, or what identifies a deadline.
pub fn idempotency_key(event: &str, topic_or_type: &str, recipient: &str) -> String {
    format!("{event}:{topic_or_type}:{recipient}")
}

/// The unit `up` levels above the last in a path (`/1/4/17/`), and the ones above it,
/// nearest first: leaders are looked for there in this order.
pub fn units_above(path: &str, up: usize) -> Vec<i64> {
    let ids: Vec<i64> = path.split('/').filter_map(|p| p.parse().ok()).collect();
    ids.iter().rev().skip(up).copied().collect()
}

/// Whether a request is still waiting on the deadline that a warning or overdue notice
/// was about.
pub fn deadline_applies(request: &Request) -> bool {
    matches!(request.status, Status::Dispatched | Status::InProgress) && request.resolve_by.is_some()
}

#[cfg(test)]
mod tests;

/// Longest webhook URL kept.
pub const MAX_URL: usize = 2_000;

/// What a webhook subscription must name: a known event type (or `*`) and an http(s) URL.
pub fn check_subscription(event_type: &str, url: &str) -> Result<(), crate::Broken> {
    let invalid = |field, reason: &str| crate::Broken::Invalid { field, reason: reason.into() };
    if event_type != "*" && !event_types().iter().any(|t| t == event_type) {
        return Err(invalid("event_type", "not an event type"));
    }
    let url = url.trim();
    if url.is_empty() {
        return Err(crate::Broken::Missing("url"));
    }
    let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    if !scheme_ok || url.len() > MAX_URL || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("url", "an http:// or https:// address"));
    }
    Ok(())
}

/// Where a staff member's copies go: a phone number of digits (and `+`, `-`, spaces) and
/// a mail address with one `@`, each optional.
pub fn check_contact(phone: &str, email: &str) -> Result<(), crate::Broken> {
    let invalid = |field, reason: &str| crate::Broken::Invalid { field, reason: reason.into() };
    let phone = phone.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !phone.is_empty()
        && (phone.len() > 32 || digits < 5 || !phone.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c)))
    {
        return Err(invalid("phone", "digits only"));
    }
    let email = email.trim();
    if !email.is_empty() {
        let parts: Vec<&str> = email.split('@').collect();
        let fine = parts.len() == 2
            && !parts[0].is_empty()
            && parts[1].contains('.')
            && email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\"(),;:".contains(c));
        if !fine {
            return Err(invalid("email", "an address like name@example.cn"));
        }
    }
    Ok(())
}
