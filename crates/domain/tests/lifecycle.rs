//! The lifecycle as stories and as properties: whatever sequence of actions people try,
//! the request never reaches an invalid state, every accepted action yields exactly one
//! event that records its move, and every refused action names the rule it broke.

use gongzhi_domain::calendar::WorkCalendar;
use gongzhi_domain::deadline::DeadlinePolicy;
use gongzhi_domain::lifecycle::{decide, Context, Target, TABLE};
use gongzhi_domain::measures::contribution;
use gongzhi_domain::request::NewRequest;
use gongzhi_domain::role::Staff;
use gongzhi_domain::time::{self, DAY, HOUR};
use gongzhi_domain::*;
use proptest::prelude::*;

const START: i64 = 1_735_700_000_000; // early January 2025

fn new_request() -> Request {
    let new = NewRequest {
        kind: Kind::Complaint,
        channel: Channel::Hotline,
        title: "小区井盖缺失".into(),
        content: "幸福路18号小区门口井盖缺失，夜间行人容易踩空。".into(),
        address: "幸福路18号".into(),
        unit_id: 3,
        category_id: None,
        urgent: false,
        requester_type: RequesterType::Resident,
        requester_name: "张三".into(),
        requester_phone: "13812341234".into(),
        anonymous: false,
        location: None,
    };
    let mut request = Request::submitted(new, "/1/2/3/".into(), START);
    request.id = 7;
    request
}

fn staff(user_id: i64, role: Role, unit_id: i64, unit_path: &str) -> Actor {
    Actor::Staff(Staff { user_id, role, unit_id, unit_path: unit_path.into() })
}

fn cast() -> Vec<Actor> {
    vec![
        staff(1, Role::Operator, 1, "/1/"),
        staff(2, Role::Dispatcher, 1, "/1/"),
        staff(3, Role::Handler, 3, "/1/2/3/"),
        staff(4, Role::Handler, 9, "/1/9/"),
        staff(5, Role::Leader, 2, "/1/2/"),
        staff(6, Role::Supervisor, 1, "/1/"),
        staff(7, Role::Volunteer, 3, "/1/2/3/"),
        staff(8, Role::Handler, 5, "/1/2/5/"),
        Actor::Requester,
        Actor::System,
    ]
}

fn path_of(unit: i64) -> Option<&'static str> {
    match unit {
        3 => Some("/1/2/3/"),
        9 => Some("/1/9/"),
        5 => Some("/1/2/5/"),
        _ => None,
    }
}

fn run(request: &Request, command: &Command, actor: &Actor, now: i64) -> Result<Outcome, Broken> {
    static CALENDAR: std::sync::OnceLock<WorkCalendar> = std::sync::OnceLock::new();
    let calendar = CALENDAR.get_or_init(WorkCalendar::official);
    let policy = DeadlinePolicy::default();
    let dispatch_path = match command {
        Command::Dispatch { unit_id, .. } => path_of(*unit_id),
        _ => None,
    };
    let ctx = Context { now, policy: &policy, calendar, dispatch_path, category_resolve_days: None, rework_due: None };
    decide(request, command, actor, &ctx)
}

/// A supervisor's reopen for rework, with the rework order's due date.
fn rework(request: &Request, command: &Command, actor: &Actor, now: i64, due: i64) -> Result<Outcome, Broken> {
    let calendar = WorkCalendar::official();
    let policy = DeadlinePolicy::default();
    let ctx = Context {
        now,
        policy: &policy,
        calendar: &calendar,
        dispatch_path: None,
        category_resolve_days: None,
        rework_due: Some(due),
    };
    decide(request, command, actor, &ctx)
}

fn command_strategy() -> impl Strategy<Value = Command> {
    prop_oneof![
        Just(Command::Accept),
        Just(Command::Reject { reason: "不属于受理范围".into() }),
        Just(Command::Answer { reply: "已电话解答".into() }),
        prop::sample::select(vec![3_i64, 9, 5, 404]).prop_map(|unit_id| Command::Dispatch {
            unit_id,
            co_unit_ids: vec![5],
            instructions: String::new()
        }),
        Just(Command::Claim),
        Just(Command::Return { reason: "非本单位职责".into() }),
        Just(Command::Progress { note: "已到现场查看".into() }),
        (1_i64..40)
            .prop_map(|d| Command::RequestExtension { until: START + d * DAY, reason: "需协调施工".into() }),
        Just(Command::ApproveExtension),
        Just(Command::DenyExtension { reason: "理由不足".into() }),
        Just(Command::Resolve { reply: "井盖已补装".into(), contacted: true }),
        (any::<bool>(), prop::sample::select(Satisfaction::ALL.to_vec()))
            .prop_map(|(solved, satisfaction)| Command::Evaluate { solved, satisfaction, comment: String::new() }),
        Just(Command::AutoClose),
        Just(Command::Reopen { reason: "问题依旧".into() }),
        prop::sample::select(vec![7_i64, 8]).prop_map(|into| Command::Merge { into }),
        Just(Command::Press { note: "请加快办理".into(), due: None }),
        Just(Command::Progress { note: String::new() }),
        Just(Command::RepeatCall { phone: "13812341234".into(), note: "又打电话来问进展".into() }),
    ]
}

/// What must hold of a request in each state, whatever led there.
fn assert_valid(r: &Request) {
    use Status::*;
    match r.status {
        Submitted | PendingDispatch => {
            assert!(r.assignee_unit_id.is_none() && r.assignee_path.is_none() && r.handler_id.is_none(), "{r:?}");
        }
        Dispatched => {
            assert!(r.assignee_unit_id.is_some() && r.dispatched_at.is_some() && r.resolve_by.is_some(), "{r:?}");
            assert!(r.handler_id.is_none() && r.claimed_at.is_none(), "{r:?}");
        }
        InProgress => {
            assert!(r.assignee_unit_id.is_some() && r.handler_id.is_some() && r.claimed_at.is_some(), "{r:?}");
            assert!(r.resolved_at.is_none() && r.closed_at.is_none(), "{r:?}");
        }
        Resolved => assert!(r.resolved_at.is_some() && r.reply.is_some() && r.closed_at.is_none(), "{r:?}"),
        Closed => assert!(r.resolved_at.is_some() && r.closed_at.is_some(), "{r:?}"),
        Merged => assert!(r.merged_into.is_some_and(|into| into != r.id), "{r:?}"),
        Rejected => {}
    }
    if let Some(path) = &r.assignee_path {
        assert!(r.assignee_unit_id.is_some() && path.ends_with(&format!("/{}/", r.assignee_unit_id.unwrap())));
    }
    assert!(!r.co_unit_ids.contains(&r.assignee_unit_id.unwrap_or(-1)));
    if matches!(r.status, Resolved | Closed) || r.reopen_count > 0 {
        assert!(r.first_resolved_at.is_some_and(|first| first <= r.resolved_at.unwrap_or(i64::MAX)), "{r:?}");
    }
    // Every request is counted exactly once as intake, however it moved, with every
    // repeat call it drew.
    let intake: i64 = contribution(r).values().map(|c| c.intake).sum();
    assert_eq!(intake, 1);
    assert_eq!(contribution(r).values().map(|c| c.repeat_calls).sum::<i64>(), r.repeat_calls);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_sequence_of_actions_reaches_an_invalid_state(
        steps in prop::collection::vec((command_strategy(), 0_usize..10, 0_i64..(3 * DAY)), 1..40)
    ) {
        let actors = cast();
        let mut request = new_request();
        let mut now = START;
        let mut events = 0;
        for (command, who, wait) in steps {
            now += wait;
            let before = request.clone();
            match run(&request, &command, &actors[who], now) {
                Ok(outcome) => {
                    events += 1;
                    prop_assert_eq!(outcome.request.version, before.version + 1);
                    prop_assert_eq!(outcome.event.action, command.action());
                    prop_assert_eq!(outcome.event.from, before.status);
                    prop_assert_eq!(outcome.event.to, outcome.request.status);
                    let row = command.action().transition();
                    prop_assert!(row.from.contains(&before.status));
                    match row.to {
                        Target::To(status) => prop_assert_eq!(outcome.request.status, status),
                        Target::Same => prop_assert_eq!(outcome.request.status, before.status),
                        Target::BackToWork => prop_assert!(matches!(outcome.request.status, Status::InProgress | Status::PendingDispatch)),
                    }
                    if command.action() == Action::Reopen && outcome.request.status == Status::InProgress {
                        prop_assert!(!outcome.request.is_overdue(now), "reopened work is not born overdue");
                    }
                    request = outcome.request;
                }
                Err(_) => prop_assert_eq!(&request, &before),
            }
            assert_valid(&request);
        }
        prop_assert_eq!(request.version, 1 + events);
    }

    /// A repeat call is counted on open work by an operator of its scope and changes
    /// nothing else; on finished work, or by anyone else, it is refused.
    #[test]
    fn a_repeat_call_counts_on_open_work_and_changes_nothing_else(
        steps in prop::collection::vec((command_strategy(), 0_usize..10), 0..12),
        who in 0_usize..10,
    ) {
        let actors = cast();
        let mut request = new_request();
        for (command, actor) in steps {
            if let Ok(outcome) = run(&request, &command, &actors[actor], START + HOUR) {
                request = outcome.request;
            }
        }
        let call = Command::RepeatCall { phone: "138 1234-5678".into(), note: "又来电催办".into() };
        match run(&request, &call, &actors[who], START + 2 * HOUR) {
            Ok(outcome) => {
                prop_assert!(request.status.is_open() && who == 0, "{:?} by {who}", request.status);
                let mut expected = request.clone();
                expected.version += 1;
                expected.repeat_calls += 1;
                prop_assert_eq!(&outcome.request, &expected);
                prop_assert_eq!(outcome.event.note.as_str(), "又来电催办");
                prop_assert_eq!(outcome.event.payload["phone"].as_str(), Some("138****5678"), "the event keeps the number masked");
            }
            Err(broken) => prop_assert!(
                !request.status.is_open() || who != 0,
                "refused on {:?} by the operator: {broken}", request.status
            ),
        }
    }

    /// Finished work a supervisor sends back for rework, however late, gets the rework
    /// order's due date as its deadline: not overdue when it reopens, and counted on time
    /// exactly when it is resolved again by that date, on that date's day.
    #[test]
    fn a_rework_is_judged_by_its_own_deadline(
        handled in 1_i64..(20 * DAY),
        found in 0_i64..(60 * DAY),
        given in 1_i64..(10 * DAY),
        redone in 1_i64..(15 * DAY),
    ) {
        let actors = cast();
        let (dispatcher, handler, supervisor) = (&actors[1], &actors[2], &actors[5]);
        let mut request = new_request();
        request.status = Status::PendingDispatch;
        let mut now = START;
        for (command, actor, wait) in [
            (Command::Dispatch { unit_id: 3, co_unit_ids: vec![], instructions: String::new() }, dispatcher, 0),
            (Command::Claim, handler, HOUR),
            (Command::Resolve { reply: "井盖已补装".into(), contacted: true }, handler, handled),
        ] {
            now += wait;
            request = run(&request, &command, actor, now).unwrap().request;
        }
        now += found;
        let due = now + given;
        let reopen = Command::Reopen { reason: "回访发现结果未反馈".into() };
        let reworked = rework(&request, &reopen, supervisor, now, due).unwrap().request;
        prop_assert_eq!((reworked.status, reworked.resolve_by), (Status::InProgress, Some(due)));
        prop_assert!(!reworked.is_overdue(now));
        let counted: Vec<_> = contribution(&reworked).into_iter().filter(|(_, c)| c.resolve_due > 0).collect();
        prop_assert_eq!(counted.len(), 1);
        prop_assert_eq!(counted[0].0.1, time::day_number(due));
        prop_assert_eq!(counted[0].1.resolved_on_time + counted[0].1.resolved_late, 0);
        prop_assert_eq!(rework(&request, &reopen, supervisor, now, now).unwrap_err(), Broken::Invalid { field: "due", reason: "must be later than now".into() });

        let again = run(&reworked, &Command::Resolve { reply: "已当面反馈".into(), contacted: true }, handler, now + redone);
        let done = again.unwrap().request;
        let cell = contribution(&done).into_values().find(|c| c.resolve_due > 0).unwrap();
        prop_assert_eq!(cell.resolved_on_time == 1, now + redone <= due);
        prop_assert_eq!(cell.resolved_late == 1, now + redone > due);
    }

    #[test]
    fn terminal_states_accept_nothing(command in command_strategy(), who in 0_usize..10) {
        for status in [Status::Rejected, Status::Merged] {
            let mut request = new_request();
            request.status = status;
            request.merged_into = Some(8);
            prop_assert!(
                matches!(run(&request, &command, &cast()[who], START), Err(Broken::WrongState { .. })),
                "terminal states accept nothing"
            );
        }
    }
}

#[test]
fn every_action_has_exactly_one_row() {
    for action in Action::ALL {
        assert_eq!(TABLE.iter().filter(|row| row.action == *action).count(), 1, "{action}");
        assert_eq!(Action::parse(action.as_str()), Some(*action));
    }
    assert_eq!(TABLE.len(), Action::ALL.len());
}

#[test]
fn a_request_goes_from_intake_to_closed() {
    let actors = cast();
    let [operator, dispatcher, handler, _, leader, ..] = &actors[..] else { unreachable!() };
    let mut request = new_request();
    let mut now = START;
    let mut step = |request: &mut Request, command: Command, actor: &Actor| {
        now += HOUR;
        *request = run(request, &command, actor, now).expect("allowed").request;
    };
    step(&mut request, Command::Accept, operator);
    step(&mut request, Command::Dispatch { unit_id: 3, co_unit_ids: vec![], instructions: String::new() }, dispatcher);
    assert_eq!(request.status, Status::Dispatched);
    step(&mut request, Command::Claim, handler);
    let first_due = request.resolve_by.unwrap();
    step(&mut request, Command::RequestExtension { until: first_due + 5 * DAY, reason: "等待材料".into() }, handler);
    step(&mut request, Command::ApproveExtension, leader);
    assert_eq!(request.resolve_by, Some(first_due + 5 * DAY));
    step(&mut request, Command::Resolve { reply: "井盖已补装".into(), contacted: true }, handler);
    step(
        &mut request,
        Command::Evaluate { solved: true, satisfaction: Satisfaction::Satisfied, comment: String::new() },
        &Actor::Requester,
    );
    assert_eq!(request.status, Status::Closed);
    assert_eq!(request.version, 8);
}

#[test]
fn refusals_name_the_rule() {
    let actors = cast();
    let mut request = new_request();
    // An operator cannot dispatch.
    let refused = run(
        &request,
        &Command::Dispatch { unit_id: 3, co_unit_ids: vec![], instructions: String::new() },
        &actors[0],
        START,
    );
    request.status = Status::PendingDispatch;
    let dispatched = run(
        &request,
        &Command::Dispatch { unit_id: 3, co_unit_ids: vec![], instructions: String::new() },
        &actors[1],
        START,
    )
    .unwrap()
    .request;
    assert!(matches!(refused, Err(Broken::WrongState { .. })));
    assert!(matches!(
        run(
            &request,
            &Command::Dispatch { unit_id: 3, co_unit_ids: vec![], instructions: String::new() },
            &actors[0],
            START
        ),
        Err(Broken::WrongRole { .. })
    ));
    // A handler of another unit cannot claim.
    assert_eq!(
        run(&dispatched, &Command::Claim, &actors[3], START).unwrap_err(),
        Broken::NotAssignedUnit { action: Action::Claim }
    );
    // A leader of another subtree cannot approve.
    let leader_elsewhere = staff(9, Role::Leader, 9, "/1/9/");
    let mut claimed = run(&dispatched, &Command::Claim, &actors[2], START).unwrap().request;
    claimed.pending_extension = Some(START + 30 * DAY);
    assert_eq!(run(&claimed, &Command::ApproveExtension, &leader_elsewhere, START).unwrap_err(), Broken::OutOfScope);
    // A reply cannot be empty.
    assert_eq!(
        run(&claimed, &Command::Resolve { reply: " ".into(), contacted: false }, &actors[2], START).unwrap_err(),
        Broken::Missing("reply")
    );
}

#[test]
fn a_requester_reopens_only_when_unsatisfied_and_within_the_window() {
    let actors = cast();
    let mut request = new_request();
    request.status = Status::PendingDispatch;
    let answered = run(&request, &Command::Answer { reply: "已解答".into() }, &actors[0], START).unwrap().request;
    let late = START + 8 * DAY;
    assert_eq!(
        run(&answered, &Command::Reopen { reason: "没解决".into() }, &Actor::Requester, late).unwrap_err(),
        Broken::WindowPassed
    );
    let reopened =
        run(&answered, &Command::Reopen { reason: "没解决".into() }, &Actor::Requester, START + DAY).unwrap().request;
    // Answered at intake, no unit had it: it goes back to dispatch.
    assert_eq!(reopened.status, Status::PendingDispatch);
    assert_eq!(run(&answered, &Command::AutoClose, &Actor::System, START + DAY).unwrap_err(), Broken::WindowOpen);
    assert_eq!(run(&answered, &Command::AutoClose, &Actor::System, late).unwrap().request.status, Status::Closed);
}

#[test]
fn free_text_with_control_characters_is_refused() {
    let actors = cast();
    let mut request = new_request();
    request.status = Status::PendingDispatch;
    let dispatched = run(
        &request,
        &Command::Dispatch { unit_id: 3, co_unit_ids: vec![], instructions: String::new() },
        &actors[1],
        START,
    )
    .unwrap()
    .request;
    let claimed = run(&dispatched, &Command::Claim, &actors[2], START).unwrap().request;
    let unprintable = Broken::Invalid { field: "note", reason: lifecycle::UNPRINTABLE.into() };
    for hidden in ["已上门\u{1f}{\"contacted\":true}", "已上门\u{0}", "已上门\u{1b}[31m", "已上门\u{85}"] {
        let note = Command::Progress { note: hidden.into() };
        assert_eq!(run(&claimed, &note, &actors[2], START).unwrap_err(), unprintable, "{hidden:?}");
    }
    // What a person types into a form: lines (CR LF from a textarea) and tabs.
    let note =
        Command::Progress { note: "已上门查看：\r\n1. 井盖缺失\t已设围挡\n2. 明日补装".into() };
    assert!(run(&claimed, &note, &actors[2], START).is_ok());
    let reply = Command::Resolve { reply: "已补装\u{7f}".into(), contacted: true };
    assert_eq!(
        run(&claimed, &reply, &actors[2], START).unwrap_err(),
        Broken::Invalid { field: "reply", reason: lifecycle::UNPRINTABLE.into() }
    );
}

#[test]
fn a_meetings_request_is_adopted_straight_to_its_unit_due_by_the_promised_day() {
    let at_meeting = Request { new: NewRequest { channel: Channel::Meeting, ..new_request().new }, ..new_request() };
    let due = START + 20 * DAY;
    let adopt = Command::Adopt { unit_id: 3, due, instructions: "五月议事会".into() };
    let calendar = WorkCalendar::official();
    let policy = DeadlinePolicy::default();
    let ctx = |path| Context {
        now: START,
        policy: &policy,
        calendar: &calendar,
        dispatch_path: path,
        category_resolve_days: None,
        rework_due: None,
    };
    let cadre = staff(3, Role::Handler, 3, "/1/2/3/");
    let adopted = decide(&at_meeting, &adopt, &cadre, &ctx(Some("/1/2/3/"))).unwrap();
    let r = adopted.request;
    assert_eq!((r.status, r.assignee_unit_id, r.resolve_by), (Status::Dispatched, Some(3), Some(due)));
    assert!(!r.deadline_estimated && r.respond_by.is_some_and(|by| by <= due));
    assert_eq!(adopted.event.note, "五月议事会");
    // Only a meeting's request, only by the community's staff, only with a day ahead.
    assert!(decide(&new_request(), &adopt, &cadre, &ctx(Some("/1/2/3/"))).is_err());
    let dispatcher = staff(2, Role::Dispatcher, 1, "/1/");
    assert!(decide(&at_meeting, &adopt, &dispatcher, &ctx(Some("/1/2/3/"))).is_err());
    let elsewhere = staff(4, Role::Handler, 9, "/1/9/");
    assert!(decide(&at_meeting, &adopt, &elsewhere, &ctx(Some("/1/2/3/"))).is_err());
    let past = Command::Adopt { unit_id: 3, due: START - HOUR, instructions: String::new() };
    assert!(decide(&at_meeting, &past, &cadre, &ctx(Some("/1/2/3/"))).is_err());
}
