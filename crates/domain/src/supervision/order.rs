//! Rework (回炉) and press (督办) orders: a supervisor names a reason and a due date, the
//! unit answers in writing, the supervisor closes the order or sends it back. An order
//! still unanswered at its due date climbs one level up the unit tree, to the leaders of
//! the unit above, and gets a new due date there.

use serde::{Deserialize, Serialize};

use super::{required, Refused};
use crate::calendar::WorkCalendar;
use crate::request::{vocabulary, Status};
use crate::role::{Role, Staff};
use crate::time::Millis;

vocabulary! {
    /// 回炉 sends finished or badly filled work back; 督办 pushes slow work.
    OrderKind {
        Rework = "rework",
        Press = "press",
    }
}

vocabulary! {
    /// Open until the unit answers; answered until the supervisor closes it or sends it
    /// back.
    OrderStatus {
        Open = "open",
        Answered = "answered",
        Closed = "closed",
    }
}

vocabulary! {
    /// What can happen to an order after it is opened.
    OrderStep {
        Answer = "answer",
        Close = "close",
        SendBack = "send_back",
        Escalate = "escalate",
    }
}

/// Who takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taker {
    /// The unit's handlers and the leaders over it.
    Unit,
    /// A supervisor over the unit.
    Supervisor,
    /// The timer.
    System,
}

/// What must hold of the order's request for the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    /// The request is no longer open: the rework was resolved again (or the request was
    /// closed or merged since). A rework order is not closed over work still being redone.
    RequestFinished,
}

/// One step of an order: the kinds it applies to, the status it moves from and to, who
/// takes it, and what it needs of the request.
pub struct StepRule {
    pub step: OrderStep,
    pub kinds: &'static [OrderKind],
    pub from: OrderStatus,
    pub to: OrderStatus,
    pub by: Taker,
    pub needs: Needs,
    /// What it does to the request: a rework sent back over work resolved again sends
    /// that work back too (the lifecycle's reopen), due by the order's new date.
    pub then: Then,
}

/// What a step does to the order's request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    Nothing,
    /// Finished work goes back to its unit, with the order's due date as its deadline.
    ReopenFinished,
}

const BOTH: &[OrderKind] = &[OrderKind::Rework, OrderKind::Press];

/// Every step an order takes. Opening is not here: a request has at most one order of
/// each kind that is not closed (`may_open`).
pub const STEPS: &[StepRule] = &[
    StepRule {
        step: OrderStep::Answer,
        kinds: BOTH,
        from: OrderStatus::Open,
        to: OrderStatus::Answered,
        by: Taker::Unit,
        needs: Needs::Nothing,
        then: Then::Nothing,
    },
    StepRule {
        step: OrderStep::Close,
        kinds: &[OrderKind::Rework],
        from: OrderStatus::Answered,
        to: OrderStatus::Closed,
        by: Taker::Supervisor,
        needs: Needs::RequestFinished,
        then: Then::Nothing,
    },
    StepRule {
        step: OrderStep::Close,
        kinds: &[OrderKind::Press],
        from: OrderStatus::Answered,
        to: OrderStatus::Closed,
        by: Taker::Supervisor,
        needs: Needs::Nothing,
        then: Then::Nothing,
    },
    StepRule {
        step: OrderStep::SendBack,
        kinds: &[OrderKind::Rework],
        from: OrderStatus::Answered,
        to: OrderStatus::Open,
        by: Taker::Supervisor,
        needs: Needs::Nothing,
        then: Then::ReopenFinished,
    },
    StepRule {
        step: OrderStep::SendBack,
        kinds: &[OrderKind::Press],
        from: OrderStatus::Answered,
        to: OrderStatus::Open,
        by: Taker::Supervisor,
        needs: Needs::Nothing,
        then: Then::Nothing,
    },
    StepRule {
        step: OrderStep::Escalate,
        kinds: BOTH,
        from: OrderStatus::Open,
        to: OrderStatus::Open,
        by: Taker::System,
        needs: Needs::Nothing,
        then: Then::Nothing,
    },
];

impl OrderStep {
    /// The row of `STEPS` for this step on an order of `kind`.
    pub fn rule(self, kind: OrderKind) -> &'static StepRule {
        STEPS.iter().find(|r| r.step == self && r.kinds.contains(&kind)).expect("every step has a row for each kind")
    }
}

/// A request takes a new order of a kind only while it has none of that kind still open
/// or answered: a second would split the unit's answer and the supervisor's check in two.
/// `existing` are the request's orders.
pub fn may_open(kind: OrderKind, existing: &[Order]) -> Result<(), Refused> {
    match existing.iter().find(|o| o.kind == kind && o.status != OrderStatus::Closed) {
        Some(open) => Err(Refused::AlreadyOpen { kind, order_id: open.id }),
        None => Ok(()),
    }
}

/// Working days a unit has to answer unless the supervisor says otherwise.
pub const DEFAULT_DAYS: u32 = 5;
/// Working days an order gets again each time it climbs a level.
pub const ESCALATION_DAYS: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    pub id: i64,
    pub kind: OrderKind,
    pub request_id: i64,
    /// The unit that must answer: the one handling the request when the order was made.
    pub unit_id: i64,
    pub unit_path: String,
    /// Whose leaders the order stands before now: the unit, or an ancestor after
    /// escalation.
    pub holder_unit_id: i64,
    pub reason: String,
    pub due_at: Millis,
    pub status: OrderStatus,
    /// How many levels it has climbed.
    pub level: i64,
    pub answer: Option<String>,
    pub answered_at: Option<Millis>,
    pub answered_by: Option<i64>,
    pub close_note: Option<String>,
    pub closed_at: Option<Millis>,
    pub closed_by: Option<i64>,
    pub created_at: Millis,
    pub created_by: i64,
}

/// The end of the `days`th working day after `from`: when an order falls due.
pub fn due_after(calendar: &WorkCalendar, from: Millis, days: u32) -> Millis {
    crate::deadline::end_of_working_day(calendar, from, days).0
}

/// Whether the staff member supervises work of a unit with this path.
pub fn supervises(staff: &Staff, unit_path: &str) -> bool {
    staff.role == Role::Supervisor && staff.covers(unit_path)
}

impl Order {
    /// The handlers of the unit and the leaders over it answer.
    pub fn may_answer(&self, staff: &Staff) -> bool {
        match staff.role {
            Role::Handler => staff.unit_id == self.unit_id,
            Role::Leader => staff.covers(&self.unit_path),
            _ => false,
        }
    }

    /// Who may see the order: its supervisors and those who answer it.
    pub fn visible_to(&self, staff: &Staff) -> bool {
        supervises(staff, &self.unit_path) || self.may_answer(staff)
    }

    /// The rule of `step` for this order, if its status allows the step.
    fn step(&self, step: OrderStep) -> Result<&'static StepRule, Refused> {
        let rule = step.rule(self.kind);
        if self.status == rule.from {
            Ok(rule)
        } else {
            Err(Refused::OrderState(self.status))
        }
    }

    /// Whether the supervisor could close the order now, its request being in `request`.
    pub fn may_close(&self, request: Status) -> Result<(), Refused> {
        match self.step(OrderStep::Close)?.needs {
            Needs::RequestFinished if request.is_open() => Err(Refused::ReworkUnfinished),
            _ => Ok(()),
        }
    }

    pub fn answered(&self, staff: &Staff, answer: &str, now: Millis) -> Result<Order, Refused> {
        if !self.may_answer(staff) {
            return Err(Refused::NotOrderUnit);
        }
        let rule = self.step(OrderStep::Answer)?;
        required(answer, "answer")?;
        Ok(Order {
            status: rule.to,
            answer: Some(answer.trim().to_string()),
            answered_at: Some(now),
            answered_by: Some(staff.user_id),
            ..self.clone()
        })
    }

    /// The supervisor accepts the answer (销号). A rework order closes only once its
    /// request is finished again; `request` is the request's status now.
    pub fn closed(&self, staff: &Staff, note: &str, now: Millis, request: Status) -> Result<Order, Refused> {
        if !supervises(staff, &self.unit_path) {
            return Err(Refused::NotSupervisor);
        }
        self.may_close(request)?;
        super::limited(note, "note")?;
        Ok(Order {
            status: OrderStep::Close.rule(self.kind).to,
            close_note: Some(note.trim().to_string()).filter(|n| !n.is_empty()),
            closed_at: Some(now),
            closed_by: Some(staff.user_id),
            ..self.clone()
        })
    }

    /// The supervisor does not accept the answer: open again, due anew.
    pub fn sent_back(&self, staff: &Staff, note: &str, due_at: Millis) -> Result<Order, Refused> {
        if !supervises(staff, &self.unit_path) {
            return Err(Refused::NotSupervisor);
        }
        let rule = self.step(OrderStep::SendBack)?;
        required(note, "note")?;
        Ok(Order { status: rule.to, answer: None, answered_at: None, answered_by: None, due_at, ..self.clone() })
    }

    /// An open order past its due date moves to the unit above its holder (`parent`, none
    /// at the root, where it stays) and is due again `next_due`. `None` when it is not late.
    pub fn escalated(&self, now: Millis, parent: Option<i64>, next_due: Millis) -> Option<Order> {
        if self.step(OrderStep::Escalate).is_err() || now <= self.due_at {
            return None;
        }
        Some(Order {
            level: self.level + 1,
            holder_unit_id: parent.unwrap_or(self.holder_unit_id),
            due_at: next_due,
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(user_id: i64, role: Role, unit_id: i64, unit_path: &str) -> Staff {
        Staff { user_id, role, unit_id, unit_path: unit_path.into() }
    }

    fn order() -> Order {
        Order {
            id: 1,
            kind: OrderKind::Rework,
            request_id: 9,
            unit_id: 3,
            unit_path: "/1/2/3/".into(),
            holder_unit_id: 3,
            reason: "结果未反馈".into(),
            due_at: 1_000,
            status: OrderStatus::Open,
            level: 0,
            answer: None,
            answered_at: None,
            answered_by: None,
            close_note: None,
            closed_at: None,
            closed_by: None,
            created_at: 0,
            created_by: 50,
        }
    }

    #[test]
    fn the_unit_answers_and_the_supervisor_closes() {
        let handler = staff(7, Role::Handler, 3, "/1/2/3/");
        let other = staff(8, Role::Handler, 4, "/1/2/4/");
        let leader = staff(9, Role::Leader, 2, "/1/2/");
        let supervisor = staff(50, Role::Supervisor, 1, "/1/");
        let open = order();
        assert_eq!(open.answered(&other, "已整改", 10), Err(Refused::NotOrderUnit));
        assert_eq!(open.answered(&supervisor, "已整改", 10), Err(Refused::NotOrderUnit));
        assert_eq!(open.answered(&handler, "  ", 10), Err(Refused::Missing("answer")));
        assert!(open.answered(&leader, "已督促社区整改", 10).is_ok(), "a leader over the unit answers too");
        assert_eq!(open.closed(&supervisor, "", 11, Status::Resolved), Err(Refused::OrderState(OrderStatus::Open)));
        let answered = open.answered(&handler, "已电话反馈办理结果", 10).unwrap();
        assert_eq!((answered.status, answered.answered_by), (OrderStatus::Answered, Some(7)));
        assert_eq!(answered.closed(&handler, "", 11, Status::Resolved), Err(Refused::NotSupervisor));
        let closed = answered.closed(&supervisor, "经回访核实", 11, Status::Resolved).unwrap();
        assert_eq!((closed.status, closed.closed_by), (OrderStatus::Closed, Some(50)));
        assert_eq!(closed.answered(&handler, "再答", 12), Err(Refused::OrderState(OrderStatus::Closed)));
    }

    #[test]
    fn a_rework_closes_only_once_the_work_is_finished_again() {
        let handler = staff(7, Role::Handler, 3, "/1/2/3/");
        let supervisor = staff(50, Role::Supervisor, 1, "/1/");
        let answered = order().answered(&handler, "正在重新上门处理", 10).unwrap();
        for still_open in [Status::Dispatched, Status::InProgress, Status::PendingDispatch] {
            assert_eq!(answered.closed(&supervisor, "", 11, still_open), Err(Refused::ReworkUnfinished));
        }
        for finished in [Status::Resolved, Status::Closed, Status::Merged] {
            assert!(answered.closed(&supervisor, "", 11, finished).is_ok(), "{finished}");
        }
        // A press order pushes slow work; its answer may be a date, so it closes over open work.
        let press = Order { kind: OrderKind::Press, ..answered };
        assert!(press.closed(&supervisor, "", 11, Status::InProgress).is_ok());
    }

    #[test]
    fn a_request_holds_one_unclosed_order_of_each_kind() {
        let handler = staff(7, Role::Handler, 3, "/1/2/3/");
        let supervisor = staff(50, Role::Supervisor, 1, "/1/");
        let rework = order();
        assert_eq!(may_open(OrderKind::Press, std::slice::from_ref(&rework)), Ok(()));
        let refused = Err(Refused::AlreadyOpen { kind: OrderKind::Rework, order_id: 1 });
        assert_eq!(may_open(OrderKind::Rework, std::slice::from_ref(&rework)), refused);
        let answered = rework.answered(&handler, "已处理", 10).unwrap();
        assert_eq!(may_open(OrderKind::Rework, std::slice::from_ref(&answered)), refused, "answered is not closed");
        let closed = answered.closed(&supervisor, "", 11, Status::Resolved).unwrap();
        assert_eq!(may_open(OrderKind::Rework, &[closed]), Ok(()));
    }

    #[test]
    fn every_step_has_a_rule_for_each_kind() {
        for step in OrderStep::ALL {
            for kind in OrderKind::ALL {
                assert_eq!(step.rule(*kind).step, *step);
            }
        }
        // Only a rework sent back sends the work back with it.
        let reopening: Vec<(OrderStep, &[OrderKind])> =
            STEPS.iter().filter(|r| r.then == Then::ReopenFinished).map(|r| (r.step, r.kinds)).collect();
        assert_eq!(reopening, vec![(OrderStep::SendBack, &[OrderKind::Rework][..])]);
    }

    #[test]
    fn an_answer_sent_back_opens_the_order_again() {
        let handler = staff(7, Role::Handler, 3, "/1/2/3/");
        let supervisor = staff(50, Role::Supervisor, 1, "/1/");
        let answered = order().answered(&handler, "已处理", 10).unwrap();
        assert_eq!(answered.sent_back(&supervisor, "", 99), Err(Refused::Missing("note")));
        let again = answered.sent_back(&supervisor, "未见整改照片", 99).unwrap();
        assert_eq!((again.status, again.answer.as_deref(), again.due_at), (OrderStatus::Open, None, 99));
        // Outside the supervisor's subtree the order is not theirs.
        let elsewhere = staff(51, Role::Supervisor, 5, "/1/5/");
        assert_eq!(answered.sent_back(&elsewhere, "x", 99), Err(Refused::NotSupervisor));
    }

    #[test]
    fn an_unanswered_order_climbs_one_level_when_late() {
        let open = order();
        assert_eq!(open.escalated(1_000, Some(2), 5_000), None, "not late yet");
        let up = open.escalated(1_001, Some(2), 5_000).unwrap();
        assert_eq!((up.level, up.holder_unit_id, up.due_at), (1, 2, 5_000));
        let top = up.escalated(5_001, None, 9_000).unwrap();
        assert_eq!((top.level, top.holder_unit_id), (2, 2), "at the root it stays");
        let handler = staff(7, Role::Handler, 3, "/1/2/3/");
        let answered = open.answered(&handler, "已处理", 10).unwrap();
        assert_eq!(answered.escalated(2_000, Some(2), 5_000), None, "answered orders wait for the supervisor");
    }
}
