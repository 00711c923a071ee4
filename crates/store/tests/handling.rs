//! Who takes a request and who works on it: the places and units intake and dispatch
//! accept on every channel. Each story runs on SQLite and PostgreSQL.

use gongzhi_domain::role::Staff;
use gongzhi_domain::time::{local_date, DAY};
use gongzhi_domain::unit::UnitKind;
use gongzhi_domain::*;
use gongzhi_store::testing::{dispatched, manhole, staff, town, Town};
use gongzhi_store::{hash_password, on_both, ListFilter, Queue, Store, StoreError, VerdictFilter};

on_both!(
    only_active_places_take_requests_and_only_active_units_take_work,
    a_co_unit_finds_the_work_it_helps_with,
    a_dissatisfied_requester_has_a_way_back,
);

fn broken(result: Result<impl std::fmt::Debug, StoreError>) -> Broken {
    match result {
        Err(StoreError::Rule(rule)) => rule,
        other => panic!("expected a broken rule, got {other:?}"),
    }
}

async fn only_active_places_take_requests_and_only_active_units_take_work(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let hash = hash_password("admin-password").unwrap();
    let admin = store.add_user("admin", "区管理员", Role::Admin, t.district, &hash).await.unwrap().staff();
    let now = time::now();

    // A problem is somewhere people live: not in a department, a subdistrict or the
    // district itself, whoever takes it in.
    for (unit, actor) in
        [(t.department, Actor::Requester), (t.district, staff(&t.operator)), (t.street, staff(&t.operator))]
    {
        let refused = store.create(manhole(unit, None), None, actor).await;
        assert!(matches!(broken(refused), Broken::NotAPlace { .. }));
    }

    // A deactivated community takes no new request, by the portal or by the hotline.
    let earlier = store.create(manhole(t.other_community, None), None, Actor::Requester).await.unwrap().request;
    let earlier = store.act(earlier.id, None, Command::Accept, staff(&t.operator)).await.unwrap();
    store.set_unit_active(&admin, t.other_community, false, now).await.unwrap();
    for actor in [Actor::Requester, staff(&t.operator)] {
        let refused = store.create(manhole(t.other_community, None), None, actor).await;
        assert_eq!(broken(refused), Broken::UnitInactive { field: "unit_id", unit: "桃源社区".into() });
    }
    assert_eq!(store.count_requests().await.unwrap(), 1, "nothing was created");

    // Nor is it sent work, as the unit that handles it or as a co-unit; its old requests
    // stay as they were until sent elsewhere.
    let to_inactive = Command::Dispatch { unit_id: t.other_community, co_unit_ids: vec![] };
    let refused = store.act(earlier.id, Some(earlier.version), to_inactive, staff(&t.dispatcher)).await;
    assert_eq!(broken(refused), Broken::UnitInactive { field: "unit_id", unit: "桃源社区".into() });
    let helped_by_inactive = Command::Dispatch { unit_id: t.community, co_unit_ids: vec![t.other_community] };
    let refused = store.act(earlier.id, Some(earlier.version), helped_by_inactive, staff(&t.dispatcher)).await;
    assert_eq!(broken(refused), Broken::UnitInactive { field: "co_unit_ids", unit: "桃源社区".into() });
    let unchanged = store.request(earlier.id, &t.dispatcher).await.unwrap();
    assert_eq!((unchanged.status, unchanged.version), (Status::PendingDispatch, earlier.version));
    // A department handles work even though it is no place.
    let helped = Command::Dispatch { unit_id: t.community, co_unit_ids: vec![t.department] };
    let sent = store.act(earlier.id, Some(earlier.version), helped, staff(&t.dispatcher)).await.unwrap();
    assert_eq!((sent.assignee_unit_id, sent.co_unit_ids), (Some(t.community), vec![t.department]));

    // Switched on again, it takes requests again, from the next write on.
    store.set_unit_active(&admin, t.other_community, true, now).await.unwrap();
    store.create(manhole(t.other_community, None), None, Actor::Requester).await.unwrap();
}

const NOTHING: [Vec<i64>; 4] = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];

/// The ids a staff member finds: in the list, in the list by state, by a word, and in
/// their co-unit queue.
async fn found(store: &Store, who: &Staff) -> [Vec<i64>; 4] {
    let now = time::now();
    let ids = |items: Vec<Request>| items.into_iter().map(|r| r.id).collect::<Vec<_>>();
    let all = store.list(who, &ListFilter::default(), now).await.unwrap().items;
    let working = ListFilter { status: vec![Status::Dispatched, Status::InProgress], ..ListFilter::default() };
    let by_state = store.list(who, &working, now).await.unwrap().items;
    let word = ListFilter { text: Some("井盖".into()), ..ListFilter::default() };
    let by_word = store.list(who, &word, now).await.unwrap().items;
    let queue = store.queue(who, Queue::CoUnit, now, 20).await.unwrap();
    [ids(all), ids(by_state), ids(by_word), ids(queue)]
}

async fn a_co_unit_finds_the_work_it_helps_with(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let department = Staff {
        user_id: 99,
        role: Role::Handler,
        unit_id: t.department,
        unit_path: store.unit(t.department).await.unwrap().path,
    };
    let r = store.create(manhole(t.community, Some(t.category)), None, Actor::Requester).await.unwrap().request;
    store.act(r.id, None, Command::Accept, staff(&t.operator)).await.unwrap();
    // Before it helps, the neighbouring community and the department see nothing.
    for who in [&t.other_handler, &department] {
        assert_eq!(found(store, who).await, NOTHING);
    }

    // 柳湾社区 leads; 桃源社区 and the housing bureau help (named twice, kept once).
    let helped = Command::Dispatch {
        unit_id: t.community,
        co_unit_ids: vec![t.other_community, t.department, t.other_community, t.community],
    };
    let r = store.act(r.id, None, helped, staff(&t.dispatcher)).await.unwrap();
    assert_eq!(r.co_unit_ids, vec![t.other_community, t.department]);
    for who in [&t.other_handler, &department] {
        assert_eq!(found(store, who).await, [vec![r.id], vec![r.id], vec![r.id], vec![r.id]], "{who:?}");
        let counts = store.queue_counts(who, time::now()).await.unwrap();
        assert!(counts.contains(&(Queue::CoUnit, 1)), "{counts:?}");
    }
    // Found from the search index as well as before it.
    store.catch_up_search().await.unwrap();
    assert_eq!(found(store, &t.other_handler).await[2], vec![r.id]);
    // The lead unit's queues are as before; helping is not leading.
    assert_eq!(store.queue(&t.handler, Queue::Claim, time::now(), 20).await.unwrap().len(), 1);
    assert!(store.queue(&t.other_handler, Queue::Claim, time::now(), 20).await.unwrap().is_empty());

    // The co-unit notes its part while the lead unit has it in hand.
    store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    let note = Command::Progress { note: "桃源社区已协助排查管线".into() };
    store.act(r.id, None, note, staff(&t.other_handler)).await.unwrap();
    assert_eq!(found(store, &t.other_handler).await[3], vec![r.id]);

    // Handed back and sent on with other co-units, it leaves the old helpers' lists.
    let back = Command::Return { reason: "需重新派单".into() };
    store.act(r.id, None, back, staff(&t.handler)).await.unwrap();
    let grid = store.add_unit(Some(t.community), UnitKind::Grid, "G1", "柳湾一网格").await.unwrap();
    let others = Command::Dispatch { unit_id: t.community, co_unit_ids: vec![t.department, grid.id] };
    store.act(r.id, None, others, staff(&t.dispatcher)).await.unwrap();
    assert_eq!(found(store, &t.other_handler).await, NOTHING);
    assert_eq!(found(store, &department).await[0], vec![r.id]);
    // A unit that helps with a request is in use: deactivated, not deleted.
    let hash = hash_password("admin-password").unwrap();
    let admin = store.add_user("admin", "区管理员", Role::Admin, t.district, &hash).await.unwrap().staff();
    let deleted = store.delete_unit(&admin, grid.id, time::now()).await;
    assert!(matches!(deleted, Err(StoreError::Refused("unit_in_use"))), "{deleted:?}");
}

/// A request dispatched now to 柳湾社区, claimed, and resolved `days` later.
async fn resolved_after(store: &Store, t: &Town, days: i64) -> Request {
    let r = dispatched(store, t, manhole(t.community, Some(t.category))).await;
    store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    let reply = Command::Resolve { reply: "已补装井盖并电话告知".into(), contacted: true };
    store.act_at(r.id, None, reply, staff(&t.handler), time::now() + days * DAY).await.unwrap()
}

async fn a_dissatisfied_requester_has_a_way_back(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let start = time::now();
    // Resolved late, three weeks on; the requester says the next day it is not solved.
    let r = resolved_after(store, &t, 21).await;
    let said = start + 22 * DAY;
    let verdict =
        Command::Evaluate {
            solved: false, satisfaction: Satisfaction::Unsatisfied, comment: "路面仍未修复".into()
        };
    let closed = store.act_at(r.id, None, verdict, Actor::Requester, said).await.unwrap();
    assert_eq!(closed.status, Status::Closed);
    assert!(store.track(&r.tracking_code).await.unwrap().reopen_until.is_some(), "the page may offer a way back");

    // Supervisors find it among the unsatisfied closures of the unit and the period.
    let day = local_date(said);
    let of = |unit: Option<i64>, from, to| {
        let store = store.clone();
        let supervisor = t.supervisor.clone();
        async move {
            let unit_path = match unit {
                Some(unit) => Some(store.unit(unit).await.unwrap().path),
                None => None,
            };
            let filter = VerdictFilter { unit_path, from, to };
            let listing = store.unsatisfied(&supervisor, &filter, 0, 50).await.unwrap();
            (listing.total, listing.items.into_iter().map(|v| (v.request.id, v.comment)).collect::<Vec<_>>())
        }
    };
    assert_eq!(of(None, day, day).await, (1, vec![(r.id, "路面仍未修复".to_string())]));
    assert_eq!(of(Some(t.community), day, day).await.0, 1);
    assert_eq!(of(Some(t.other_community), day, day).await.0, 0, "another unit's list");
    assert_eq!(of(None, day.pred_opt().unwrap(), day.pred_opt().unwrap()).await.0, 0, "another period");

    // The way back: to the unit and the cadre who had it, with a deadline of its own.
    let back = start + 23 * DAY;
    let reopened = store
        .act_at(r.id, None, Command::Reopen { reason: "路面还是坏的".into() }, Actor::Requester, back)
        .await
        .unwrap();
    assert_eq!((reopened.status, reopened.handler_id), (Status::InProgress, Some(t.handler.user_id)));
    assert!(!reopened.is_overdue(back), "not born overdue: due {:?}, reopened {back}", reopened.resolve_by);
    assert!(reopened.resolve_by.unwrap() > back + 14 * DAY, "a complaint's full 15 working days");
    // Still listed, now in hand again, until a new verdict.
    let listed = store.unsatisfied(&t.supervisor, &VerdictFilter { unit_path: None, from: day, to: day }, 0, 50).await;
    assert_eq!(listed.unwrap().items[0].request.status, Status::InProgress);

    // Solved and satisfied is the end of it; and the window closes for everyone.
    let content = resolved_after(store, &t, 1).await;
    let happy = Command::Evaluate { solved: true, satisfaction: Satisfaction::Satisfied, comment: String::new() };
    store.act_at(content.id, None, happy, Actor::Requester, start + 2 * DAY).await.unwrap();
    assert!(store.track(&content.tracking_code).await.unwrap().reopen_until.is_none());
    let again = Command::Reopen { reason: "想再看看".into() };
    let refused = store.act_at(content.id, None, again.clone(), Actor::Requester, start + 3 * DAY).await;
    assert_eq!(broken(refused), Broken::AlreadySatisfied);
    let late = resolved_after(store, &t, 1).await;
    let unsolved = Command::Evaluate { solved: false, satisfaction: Satisfaction::Satisfied, comment: String::new() };
    store.act_at(late.id, None, unsolved, Actor::Requester, start + 2 * DAY).await.unwrap();
    let refused = store.act_at(late.id, None, again, Actor::Requester, start + 9 * DAY).await;
    assert_eq!(broken(refused), Broken::WindowPassed);
}
