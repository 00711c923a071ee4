//! Supervision (回头看) as stories, on SQLite and on PostgreSQL: a supervisor draws a
//! sample, calls back, finds a result that was never fed back, orders rework, the unit
//! answers and the supervisor closes; draws reproduce from their seed; late orders climb
//! the unit tree; review rules flag badly kept entries; stale and overdue work is listed;
//! reminder talks are kept; nobody sees beyond their subtree.

use chrono::NaiveDate;
use gongzhi_domain::measures::{contribution, Counters};
use gongzhi_domain::role::Staff;
use gongzhi_domain::supervision::callback::{Answers, AttemptResult, CallbackState, Question};
use gongzhi_domain::supervision::order::{due_after, OrderKind, OrderStatus, DEFAULT_DAYS};
use gongzhi_domain::supervision::{Rule, SampleRule};
use gongzhi_domain::time::{self, Millis, DAY, HOUR};
use gongzhi_domain::*;
use gongzhi_store::testing::{dispatched, manhole, staff, town, Town};
use gongzhi_store::{on_both, CallInput, DrawSpec, ListFilter, NewOrder, OrderFilter, Store, StoreError};

on_both!(
    a_supervisor_finds_a_result_not_fed_back_and_the_unit_reworks_it,
    the_same_seed_draws_the_same_sample,
    late_orders_climb_the_unit_tree,
    supervisors_see_only_their_subtree,
    review_rules_flag_badly_kept_entries,
    stale_and_overdue_work_by_unit_and_cadre,
    reminder_talks_are_kept_per_cadre,
    a_rework_is_judged_by_its_own_deadline_and_closes_once_resolved_again,
    a_request_holds_one_open_order_of_each_kind,
);

const YES: Answers = Answers { from_public: true, measures_known: true, result_fed_back: true, satisfied: true };

/// A request carried to resolved by the community's handler, with a progress note.
async fn resolved(store: &Store, t: &Town, contacted: bool) -> Request {
    let r = dispatched(store, t, manhole(t.community, Some(t.category))).await;
    let r = store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    let note = Command::Progress { note: "已联系市政养护单位到场查看".into() };
    let r = store.act(r.id, None, note, staff(&t.handler)).await.unwrap();
    let resolve = Command::Resolve { reply: "已补装井盖，并电话告知诉求人".into(), contacted };
    store.act(r.id, None, resolve, staff(&t.handler)).await.unwrap()
}

fn today() -> NaiveDate {
    time::local_date(time::now())
}

fn all_of(unit_id: i64) -> DrawSpec {
    DrawSpec { unit_id, from: today(), to: today(), rule: SampleRule { rate_percent: 100, minimum: 1 }, seed: None }
}

fn call(result: AttemptResult) -> CallInput {
    CallInput {
        result,
        note: "诉求人称没人告诉过他结果".into(),
        rework_reason: "回访发现：结果未反馈".into(),
        rework_due: time::now() + 5 * DAY,
    }
}

async fn actions(store: &Store, id: i64) -> Vec<String> {
    store.events_of(id).await.unwrap().into_iter().map(|e| e.action).collect()
}

async fn a_supervisor_finds_a_result_not_fed_back_and_the_unit_reworks_it(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let first = resolved(store, &t, true).await;
    let second = resolved(store, &t, true).await;
    // Still in hand: not a candidate.
    dispatched(store, &t, manhole(t.community, None)).await;

    let sample = store.draw_sample(&t.supervisor, &all_of(t.district), time::now()).await.unwrap();
    assert_eq!((sample.population, sample.items, sample.finished), (2, 2, 0));
    let queue = store.callback_queue(&t.supervisor, 0, 50).await.unwrap();
    assert_eq!(queue.total, 2);
    let item = queue.items.iter().find(|i| i.request_id == first.id).unwrap().clone();
    assert_eq!((item.unit_id, item.state), (t.community, CallbackState::Pending));

    // Nobody answers the first call: tried again later.
    let missed = store.record_callback(&t.supervisor, item.id, call(AttemptResult::NotReached), time::now()).await;
    assert_eq!(missed.unwrap().order_id, None);
    let (item, attempts) = store.callback_item(&t.supervisor, item.id).await.unwrap();
    assert_eq!((item.state, attempts.len()), (CallbackState::Retry, 1));
    assert_eq!(store.callback_queue(&t.supervisor, 0, 50).await.unwrap().total, 2, "still waiting for a call");

    // Reached: the problem was real, the measures known, but nobody reported the result.
    let answers = Answers { result_fed_back: false, ..YES };
    let written = store
        .record_callback(&t.supervisor, item.id, call(AttemptResult::Reached(answers)), time::now())
        .await
        .unwrap();
    let order_id = written.order_id.expect("a failing answer opens a rework order");
    let (item, attempts) = store.callback_item(&t.supervisor, item.id).await.unwrap();
    assert_eq!((item.state, item.answers, attempts.len()), (CallbackState::Reached, Some(answers), 2));
    let again = store.record_callback(&t.supervisor, item.id, call(AttemptResult::NotReached), time::now()).await;
    assert!(matches!(again, Err(StoreError::Refused("callback_finished"))), "{again:?}");

    // The resolved request went back to work at its unit, and the timeline says why.
    let order = store.order(&t.supervisor, order_id).await.unwrap();
    assert_eq!(
        (order.kind, order.status, order.unit_id, order.request_id),
        (OrderKind::Rework, OrderStatus::Open, t.community, first.id)
    );
    let reworked = store.request(first.id, &t.supervisor).await.unwrap();
    assert_eq!((reworked.status, reworked.reopen_count), (Status::InProgress, 1));
    let timeline = actions(store, first.id).await;
    assert!(
        timeline.ends_with(&["sample", "callback", "callback", "reopen", "rework"].map(String::from)),
        "{timeline:?}"
    );

    // Another community's handler cannot answer it, nor even see it.
    let other = store.answer_order(&t.other_handler, order_id, "不是我们的", time::now()).await;
    assert!(matches!(other, Err(StoreError::NotFound)), "{other:?}");
    // The supervisor cannot close before the unit answers.
    let early = store.close_order(&t.supervisor, order_id, "", time::now()).await;
    assert!(matches!(early, Err(StoreError::Refused("order_state"))), "{early:?}");
    let mine = store.orders(&t.handler, &OrderFilter::default(), 0, 50).await.unwrap();
    assert_eq!(mine.items.iter().map(|o| o.id).collect::<Vec<_>>(), vec![order_id]);
    let again = Command::Resolve { reply: "已上门向诉求人当面反馈补装结果".into(), contacted: true };
    store.act(first.id, None, again, staff(&t.handler)).await.unwrap();
    let answered = store.answer_order(&t.handler, order_id, "已上门向诉求人反馈办理结果", time::now()).await.unwrap();
    assert_eq!((answered.status, answered.answered_by), (OrderStatus::Answered, Some(t.handler.user_id)));
    let closed = store.close_order(&t.supervisor, order_id, "经再次回访核实", time::now()).await.unwrap();
    assert_eq!((closed.status, closed.closed_by), (OrderStatus::Closed, Some(t.supervisor.user_id)));
    let timeline = actions(store, first.id).await;
    assert!(timeline.ends_with(&["order-answer", "order-close"].map(String::from)), "{timeline:?}");

    // The callback figures, each with its requests.
    let summary = store.callback_summary(t.district, today(), today()).await.unwrap();
    assert_eq!((summary.sampled.count, summary.reached.count, summary.pending.count), (2, 1, 1));
    assert_eq!(summary.sampled.request_ids, vec![first.id, second.id]);
    assert_eq!(summary.reached.request_ids, vec![first.id]);
    assert_eq!(summary.callback_rate, Some(0.5));
    let fed_back = summary.questions.iter().find(|q| q.question == Question::ResultFedBack).unwrap();
    assert_eq!((fed_back.passed.count, fed_back.failed.request_ids.clone()), (0, vec![first.id]));
    let satisfied = summary.questions.iter().find(|q| q.question == Question::Satisfied).unwrap();
    assert_eq!((satisfied.passed.count, satisfied.failed.count), (1, 0));
    // The other community handled nothing drawn; the department neither.
    let elsewhere = store.callback_summary(t.other_community, today(), today()).await.unwrap();
    assert_eq!((elsewhere.sampled.count, elsewhere.callback_rate), (0, None));
    assert!(store.verify_chain().await.unwrap().is_intact());
}

async fn the_same_seed_draws_the_same_sample(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    for _ in 0..8 {
        resolved(store, &t, true).await;
    }
    let spec =
        DrawSpec { seed: Some(20_260_401), rule: SampleRule { rate_percent: 25, minimum: 1 }, ..all_of(t.street) };
    let first = store.draw_sample(&t.supervisor, &spec, time::now()).await.unwrap();
    assert_eq!((first.seed, first.population, first.items), (20_260_401, 8, 2));
    let second = store.draw_sample(&t.supervisor, &spec, time::now()).await.unwrap();
    let ids = |items: Vec<gongzhi_store::SampleItem>| items.into_iter().map(|i| i.request_id).collect::<Vec<_>>();
    let drawn = ids(store.sample_items(&t.supervisor, first.id).await.unwrap());
    assert_eq!(drawn, ids(store.sample_items(&t.supervisor, second.id).await.unwrap()));
    let audit = store.reproduce_sample(&t.supervisor, first.id).await.unwrap();
    assert!(audit.matches(), "{audit:?}");
    assert_eq!((audit.recorded.clone(), audit.population_now), (drawn.clone(), 8));
    // A fresh seed is recorded too, and reproduces.
    let random = store.draw_sample(&t.supervisor, &DrawSpec { seed: None, ..spec.clone() }, time::now()).await.unwrap();
    assert!(store.reproduce_sample(&t.supervisor, random.id).await.unwrap().matches());
    let listed = store.samples(&t.supervisor, 0, 50).await.unwrap();
    assert_eq!(listed.total, 3);
    // Out of range: refused with the field named.
    let bad = DrawSpec { rule: SampleRule { rate_percent: 0, minimum: 1 }, ..spec.clone() };
    assert!(matches!(
        store.draw_sample(&t.supervisor, &bad, time::now()).await,
        Err(StoreError::Rule(Broken::Invalid { field: "rate_percent", .. }))
    ));
    let backwards = DrawSpec { from: today(), to: today().pred_opt().unwrap(), ..spec };
    assert!(matches!(store.draw_sample(&t.supervisor, &backwards, time::now()).await, Err(StoreError::Invalid(_))));
}

async fn late_orders_climb_the_unit_tree(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let slow = dispatched(store, &t, manhole(t.community, None)).await;
    let now = time::now();
    let press =
        NewOrder {
            kind: OrderKind::Press, request_id: slow.id, reason: "请三日内办结".into(), due_at: now + DAY
        };
    let order = store.open_order(&t.supervisor, press, now).await.unwrap();
    assert_eq!((order.holder_unit_id, order.level), (t.community, 0));
    assert_eq!(store.request(slow.id, &t.supervisor).await.unwrap().press_count, 1, "the lifecycle's press");
    // A press needs open work.
    let done = resolved(store, &t, true).await;
    let refused = NewOrder { kind: OrderKind::Press, request_id: done.id, reason: "x".into(), due_at: now + DAY };
    assert!(matches!(
        store.open_order(&t.supervisor, refused, now).await,
        Err(StoreError::Rule(Broken::WrongState { .. }))
    ));

    assert_eq!(store.escalate_orders(now).await.unwrap(), 0, "not due yet");
    let late = now + 2 * DAY;
    assert_eq!(store.escalate_orders(late).await.unwrap(), 1);
    let up = store.order(&t.supervisor, order.id).await.unwrap();
    assert_eq!((up.level, up.holder_unit_id), (1, t.street));
    assert!(up.due_at > late, "due again a few working days on");
    assert_eq!(store.escalate_orders(late).await.unwrap(), 0, "once per due date");
    let later = up.due_at + 1;
    assert_eq!(store.escalate_orders(later).await.unwrap(), 1);
    let top = store.order(&t.supervisor, order.id).await.unwrap();
    assert_eq!((top.level, top.holder_unit_id), (2, t.district));
    assert_eq!(store.escalate_orders(top.due_at + 1).await.unwrap(), 1);
    assert_eq!(store.order(&t.supervisor, order.id).await.unwrap().holder_unit_id, t.district, "the root keeps it");
    let events = store.events_of(slow.id).await.unwrap();
    let climbs: Vec<&str> = events.iter().filter(|e| e.action == "order-escalate").map(|e| e.actor.as_str()).collect();
    assert_eq!(climbs, vec!["system"; 3]);
    // The street's leader answers for the community; answered, it climbs no more.
    store.answer_order(&t.leader, order.id, "已督促社区限期办结", later).await.unwrap();
    assert_eq!(store.escalate_orders(later + 30 * DAY).await.unwrap(), 0);
    assert!(store.verify_chain().await.unwrap().is_intact());
}

async fn supervisors_see_only_their_subtree(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let hash = gongzhi_store::hash_password("demo-password").unwrap();
    let neighbour = store.add_user("supervisor_c2", "桃源督查", Role::Supervisor, t.other_community, &hash).await;
    let neighbour: Staff = neighbour.unwrap().staff();
    let r = resolved(store, &t, true).await;
    let sample = store.draw_sample(&t.supervisor, &all_of(t.district), time::now()).await.unwrap();
    let item = store.sample_items(&t.supervisor, sample.id).await.unwrap()[0].clone();

    // Out of scope answers like not found, whatever is asked.
    assert!(matches!(store.sample(&neighbour, sample.id).await, Err(StoreError::NotFound)));
    assert!(matches!(store.callback_item(&neighbour, item.id).await, Err(StoreError::NotFound)));
    let call = store.record_callback(&neighbour, item.id, call(AttemptResult::NotReached), time::now()).await;
    assert!(matches!(call, Err(StoreError::NotFound)), "{call:?}");
    assert_eq!(store.callback_queue(&neighbour, 0, 50).await.unwrap().total, 0);
    let theirs = DrawSpec { unit_id: t.community, ..all_of(t.community) };
    assert!(matches!(store.draw_sample(&neighbour, &theirs, time::now()).await, Err(StoreError::NotFound)));
    let rework = NewOrder { kind: OrderKind::Rework, request_id: r.id, reason: "x".into(), due_at: time::now() + DAY };
    assert!(matches!(store.open_order(&neighbour, rework.clone(), time::now()).await, Err(StoreError::NotFound)));
    // Their own community has nothing drawn.
    let own = store.draw_sample(&neighbour, &all_of(t.other_community), time::now()).await.unwrap();
    assert_eq!((own.population, own.items), (0, 0));
    assert_eq!(store.samples(&neighbour, 0, 50).await.unwrap().total, 1);

    // Only supervisors draw and order; a handler is refused before anything is read.
    let handler = store.draw_sample(&t.handler, &all_of(t.community), time::now()).await;
    assert!(matches!(handler, Err(StoreError::Refused("not_supervisor"))), "{handler:?}");
    let order = store.open_order(&t.leader, rework.clone(), time::now()).await;
    assert!(matches!(order, Err(StoreError::Refused("not_supervisor"))), "{order:?}");
    // A failed act leaves no event behind.
    let before = store.events_of(r.id).await.unwrap().len();
    let past = NewOrder { due_at: time::now() - DAY, ..rework };
    assert!(store.open_order(&t.supervisor, past, time::now()).await.is_err());
    assert_eq!(store.events_of(r.id).await.unwrap().len(), before);
    assert!(store.verify_chain().await.unwrap().is_intact());
}

async fn review_rules_flag_badly_kept_entries(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let good = resolved(store, &t, true).await;
    let not_told = resolved(store, &t, false).await;
    // Closed with nobody's verdict: the window passed without an evaluation.
    let silent = resolved(store, &t, true).await;
    let window = store.settings().policy.evaluation_window_days * DAY;
    store.act_at(silent.id, None, Command::AutoClose, Actor::System, time::now() + window + 1).await.unwrap();
    let evaluated = resolved(store, &t, true).await;
    let verdict = Command::Evaluate { solved: true, satisfaction: Satisfaction::Satisfied, comment: String::new() };
    store.act(evaluated.id, None, verdict, Actor::Requester).await.unwrap();

    let run = store.review_entries(&t.supervisor, today(), today(), time::now()).await.unwrap();
    assert_eq!((run.checked, run.flagged), (4, 2));
    let flags = store.review_flags(&t.supervisor, 0, 50).await.unwrap();
    let mut found: Vec<(i64, Vec<Rule>)> = flags.items.iter().map(|f| (f.request_id, f.rules.clone())).collect();
    found.sort();
    assert_eq!(found, vec![(not_told.id, vec![Rule::ResultFedBack]), (silent.id, vec![Rule::VerdictPresent])]);
    assert!(flags.items.iter().all(|f| f.unit_id == t.community && f.handler_id == Some(t.handler.user_id)));
    // The unit sees its own flags; the neighbouring community none.
    assert_eq!(store.review_flags(&t.handler, 0, 50).await.unwrap().total, 2);
    assert_eq!(store.review_flags(&t.other_handler, 0, 50).await.unwrap().total, 0);
    assert!(!flags.items.iter().any(|f| f.request_id == good.id));
    // Reviewed again after nothing changed: the same flags, not twice.
    store.review_recent(time::now()).await.unwrap();
    assert_eq!(store.review_flags(&t.supervisor, 0, 50).await.unwrap().total, 2);
}

async fn stale_and_overdue_work_by_unit_and_cadre(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let month_ago = time::now() - 30 * DAY;
    // Dispatched a month ago, claimed the same day, nothing since: stale and overdue.
    let r = store.create(manhole(t.community, None), None, staff(&t.operator)).await.unwrap().request;
    store.act_at(r.id, None, Command::Accept, staff(&t.operator), month_ago).await.unwrap();
    let dispatch = Command::Dispatch { unit_id: t.community, co_unit_ids: vec![] };
    store.act_at(r.id, None, dispatch.clone(), staff(&t.dispatcher), month_ago).await.unwrap();
    let forgotten = store.act_at(r.id, None, Command::Claim, staff(&t.handler), month_ago).await.unwrap();
    // Dispatched a month ago to the other community and never claimed.
    let r = store.create(manhole(t.other_community, None), None, staff(&t.operator)).await.unwrap().request;
    store.act_at(r.id, None, Command::Accept, staff(&t.operator), month_ago).await.unwrap();
    let dispatch = Command::Dispatch { unit_id: t.other_community, co_unit_ids: vec![] };
    let unclaimed = store.act_at(r.id, None, dispatch, staff(&t.dispatcher), month_ago).await.unwrap();
    // Fresh work is neither.
    dispatched(store, &t, manhole(t.community, None)).await;

    let late = store.lateness(&t.supervisor, 3, time::now()).await.unwrap();
    let ids: Vec<i64> = late.items.iter().map(|l| l.request_id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&forgotten.id) && ids.contains(&unclaimed.id));
    assert!(late.items.iter().all(|l| l.stale && l.overdue && l.idle_days >= 3));
    let units: Vec<(Option<i64>, i64)> = late.by_unit.iter().map(|g| (g.id, g.overdue)).collect();
    assert!(units.contains(&(Some(t.community), 1)) && units.contains(&(Some(t.other_community), 1)));
    let cadres: Vec<(Option<i64>, Vec<i64>)> = late.by_cadre.iter().map(|g| (g.id, g.request_ids.clone())).collect();
    assert!(cadres.contains(&(Some(t.handler.user_id), vec![forgotten.id])));
    assert!(cadres.contains(&(None, vec![unclaimed.id])), "unclaimed work has no cadre yet");
    // A progress note today makes it no longer stale, still overdue.
    let note = Command::Progress { note: "已联系施工队".into() };
    store.act(forgotten.id, None, note, staff(&t.handler)).await.unwrap();
    let late = store.lateness(&t.leader, 3, time::now()).await.unwrap();
    let now_late = late.items.iter().find(|l| l.request_id == forgotten.id).unwrap();
    assert!(!now_late.stale && now_late.overdue);
    // A handler has no such list.
    assert!(store.lateness(&t.handler, 3, time::now()).await.is_err());
}

async fn reminder_talks_are_kept_per_cadre(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let r = dispatched(store, &t, manhole(t.community, None)).await;
    let held: Millis = time::now() - DAY;
    let reason = "所办诉求久拖未动，提醒按时办结";
    let talk =
        store.record_talk(&t.supervisor, t.handler.user_id, held, reason, vec![r.id], time::now()).await.unwrap();
    assert_eq!((talk.cadre_id, talk.unit_id, talk.request_ids.clone()), (t.handler.user_id, t.community, vec![r.id]));
    // The timeline notes the talk; what was said stays with the supervisors.
    let event = store.events_of(r.id).await.unwrap().pop().unwrap();
    assert_eq!((event.action.as_str(), event.note.as_str()), ("talk", ""));
    assert!(!event.payload.contains("久拖"));
    let listed = store.talks(&t.supervisor, Some(t.handler.user_id), 0, 50).await.unwrap();
    assert_eq!((listed.total, listed.items[0].reason.as_str()), (1, reason));
    assert_eq!(store.talks(&t.supervisor, Some(t.other_handler.user_id), 0, 50).await.unwrap().total, 0);
    // Supervisors only.
    assert!(store.talks(&t.leader, None, 0, 50).await.is_err());
    assert!(store.talk(&t.handler, talk.id).await.is_err());
    let empty = store.record_talk(&t.supervisor, t.handler.user_id, held, " ", vec![], time::now()).await;
    assert!(matches!(empty, Err(StoreError::Rule(Broken::Missing("reason")))));
    assert!(store.verify_chain().await.unwrap().is_intact());
}

/// The community's counters for a wide period, as kept and as recounted from the requests.
async fn kept_and_recounted(store: &Store, t: &Town) -> (Counters, Counters) {
    let today = today();
    let (from, to) = (today - chrono::Duration::days(60), today + chrono::Duration::days(60));
    let kept = store.measures(t.community, from, to, time::now()).await.unwrap().counters;
    let all = store.list(&t.supervisor, &ListFilter { limit: Some(100), ..Default::default() }, time::now()).await;
    let mut recounted = Counters::default();
    for r in &all.unwrap().items {
        for ((unit, _), c) in contribution(r) {
            if unit == t.community {
                recounted.add(&c, 1);
            }
        }
    }
    (kept, recounted)
}

async fn a_rework_is_judged_by_its_own_deadline_and_closes_once_resolved_again(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let now = time::now();
    let month_ago = now - 30 * DAY;
    // Resolved in good time a month ago: its deadline is long past.
    let r = store.create(manhole(t.community, Some(t.category)), None, staff(&t.operator)).await.unwrap().request;
    store.act_at(r.id, None, Command::Accept, staff(&t.operator), month_ago).await.unwrap();
    let dispatch = Command::Dispatch { unit_id: t.community, co_unit_ids: vec![] };
    store.act_at(r.id, None, dispatch, staff(&t.dispatcher), month_ago).await.unwrap();
    store.act_at(r.id, None, Command::Claim, staff(&t.handler), month_ago + HOUR).await.unwrap();
    let resolve = Command::Resolve { reply: "已补装井盖".into(), contacted: true };
    let done = store.act_at(r.id, None, resolve, staff(&t.handler), month_ago + 2 * HOUR).await.unwrap();
    assert!(done.resolve_by.unwrap() < now);
    let today = today();
    let (from, to) = (today - chrono::Duration::days(60), today + chrono::Duration::days(60));
    let before = store.measures(t.community, from, to, now).await.unwrap();
    assert_eq!((before.on_time_rate, before.overdue_count), (Some(1.0), 0));

    // The callback finds the result was never fed back: rework, due in five working days.
    let spec = DrawSpec { from: time::local_date(month_ago), ..all_of(t.district) };
    store.draw_sample(&t.supervisor, &spec, now).await.unwrap();
    let item = store.callback_queue(&t.supervisor, 0, 50).await.unwrap().items[0].clone();
    let due = due_after(&store.settings().calendar, now, DEFAULT_DAYS);
    let failing = AttemptResult::Reached(Answers { result_fed_back: false, ..YES });
    let input = CallInput { rework_due: due, ..call(failing) };
    let order_id = store.record_callback(&t.supervisor, item.id, input, now).await.unwrap().order_id.unwrap();

    // Back at work with the rework's own deadline: not overdue, not on the late list,
    // and the unit's figures do not count it late.
    let reworked = store.request(r.id, &t.supervisor).await.unwrap();
    assert_eq!((reworked.status, reworked.resolve_by), (Status::InProgress, Some(due)));
    assert!(!reworked.is_overdue(now), "a rework is not born overdue");
    let late = store.lateness(&t.supervisor, 3, now).await.unwrap();
    assert!(!late.items.iter().any(|l| l.request_id == r.id && l.overdue), "{:?}", late.items);
    let during = store.measures(t.community, from, to, now).await.unwrap();
    assert_eq!((during.overdue_count, during.counters.resolve_due), (0, 1));
    let reopen = store.events_of(r.id).await.unwrap().into_iter().find(|e| e.action == "reopen").unwrap();
    assert!(reopen.payload.contains(&due.to_string()), "the history says what it is judged by");

    // The unit answers, but the order is not closed over work still being redone.
    store.answer_order(&t.handler, order_id, "已重新上门，正在反馈办理结果", now).await.unwrap();
    let early = store.close_order(&t.supervisor, order_id, "", now).await;
    assert!(matches!(early, Err(StoreError::Refused("rework_unfinished"))), "{early:?}");
    assert_eq!(store.order(&t.supervisor, order_id).await.unwrap().status, OrderStatus::Answered);

    // Resolved again, but the supervisor does not accept the answer: the order and the
    // work go back, due by the order's new date.
    let again = Command::Resolve { reply: "已电话告知诉求人".into(), contacted: true };
    store.act_at(r.id, None, again, staff(&t.handler), now + HOUR).await.unwrap();
    let redue = due_after(&store.settings().calendar, now, DEFAULT_DAYS + 2);
    let back = store.send_back_order(&t.supervisor, order_id, "未当面反馈，请上门", redue, now + 2 * HOUR).await;
    assert_eq!(back.unwrap().status, OrderStatus::Open);
    let redo = store.request(r.id, &t.supervisor).await.unwrap();
    assert_eq!((redo.status, redo.resolve_by, redo.reopen_count), (Status::InProgress, Some(redue), 2));

    // Resolved again before that date: on time, by the rework's own deadline.
    let again = Command::Resolve { reply: "已上门当面向诉求人反馈补装结果".into(), contacted: true };
    store.act_at(r.id, None, again, staff(&t.handler), now + 3 * HOUR).await.unwrap();
    store.answer_order(&t.handler, order_id, "已上门当面反馈", now + 3 * HOUR).await.unwrap();
    let closed = store.close_order(&t.supervisor, order_id, "经再次回访核实", now + 4 * HOUR).await.unwrap();
    assert_eq!(closed.status, OrderStatus::Closed);
    let after = store.request(r.id, &t.supervisor).await.unwrap();
    assert_eq!((after.status, after.resolve_by), (Status::Resolved, Some(redue)), "销号 leaves it resolved");
    let measured = store.measures(t.community, from, to, now + 4 * HOUR).await.unwrap();
    assert_eq!((measured.on_time_rate, measured.overdue_count), (Some(1.0), 0));
    let (kept, recounted) = kept_and_recounted(store, &t).await;
    assert_eq!(kept, recounted);
    assert!(store.verify_chain().await.unwrap().is_intact());
}

async fn a_request_holds_one_open_order_of_each_kind(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let now = time::now();
    let slow = dispatched(store, &t, manhole(t.community, None)).await;
    let press =
        NewOrder {
            kind: OrderKind::Press, request_id: slow.id, reason: "请三日内办结".into(), due_at: now + DAY
        };
    let first = store.open_order(&t.supervisor, press.clone(), now).await.unwrap();
    // A second press is refused, naming the one open; the request is pressed once.
    let second = store.open_order(&t.supervisor, press.clone(), now).await;
    assert!(matches!(second, Err(StoreError::AlreadyOpen { what: "press_order", id }) if id == first.id), "{second:?}");
    assert_eq!(store.request(slow.id, &t.supervisor).await.unwrap().press_count, 1);
    // Nor is the request pressed again past its order, from the request's own page.
    let again = Command::Press { note: "再次催办".into(), due: None };
    let pressed = store.act(slow.id, None, again.clone(), staff(&t.supervisor)).await;
    assert!(matches!(pressed, Err(StoreError::AlreadyOpen { id, .. }) if id == first.id), "{pressed:?}");
    // Answered is not closed yet: still refused.
    store.answer_order(&t.handler, first.id, "已安排施工队，周五前办结", now).await.unwrap();
    assert!(store.open_order(&t.supervisor, press.clone(), now).await.is_err());
    // A rework beside it is an order of another kind; a second rework is refused too.
    let rework = NewOrder { kind: OrderKind::Rework, reason: "办理记录不完整".into(), ..press.clone() };
    let reworking = store.open_order(&t.supervisor, rework.clone(), now).await.unwrap();
    let twice = store.open_order(&t.supervisor, rework, now).await;
    assert!(
        matches!(twice, Err(StoreError::AlreadyOpen { what: "rework_order", id }) if id == reworking.id),
        "{twice:?}"
    );
    // Closed, the press makes room for a new one.
    store.close_order(&t.supervisor, first.id, "", now).await.unwrap();
    store.act(slow.id, None, again, staff(&t.supervisor)).await.unwrap();
    assert!(store.open_order(&t.supervisor, press, now).await.is_ok());

    // A finished request drawn twice and failing both calls: the second call joins the
    // rework order the first one opened.
    let done = resolved(store, &t, true).await;
    let failing = || call(AttemptResult::Reached(Answers { satisfied: false, ..YES }));
    let mut orders = Vec::new();
    for _ in 0..2 {
        let sample = store.draw_sample(&t.supervisor, &all_of(t.community), now).await.unwrap();
        let item = store.sample_items(&t.supervisor, sample.id).await.unwrap();
        let item = item.iter().find(|i| i.request_id == done.id).unwrap();
        orders.push(store.record_callback(&t.supervisor, item.id, failing(), now).await.unwrap().order_id);
    }
    assert!(orders[0].is_some());
    assert_eq!(orders[0], orders[1]);
    let filter = OrderFilter { request_id: Some(done.id), ..Default::default() };
    assert_eq!(store.orders(&t.supervisor, &filter, 0, 50).await.unwrap().total, 1);
    assert_eq!(store.request(done.id, &t.supervisor).await.unwrap().reopen_count, 1, "reopened once");
    assert!(store.verify_chain().await.unwrap().is_intact());
}
