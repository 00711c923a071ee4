//! The stories every backend must tell the same way. Each runs on SQLite and on
//! PostgreSQL.

use std::collections::BTreeMap;

use chrono::Duration;
use gongzhi_domain::measures::{contribution, Counters};
use gongzhi_domain::time::{self, DAY};
use gongzhi_domain::*;
use gongzhi_store::testing::{dispatched, manhole, staff, town};
use gongzhi_store::{on_both, Store};
use gongzhi_store::{ListFilter, Queue, StoreError};
use sqlx::{Connection, Executor};

on_both!(
    a_request_goes_from_a_resident_to_closed,
    scope_hides_other_communities,
    a_stale_version_conflicts_and_loses_nothing,
    one_idempotency_key_makes_one_request,
    a_forbidden_move_changes_nothing,
    tampering_with_an_event_is_found,
    aggregates_match_a_recount,
    imported_history_keeps_the_chain,
    queues_and_pages_follow_deadlines,
    accounts_sessions_and_tokens,
    guessing_is_throttled,
);

async fn a_request_goes_from_a_resident_to_closed(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let created = store.create(manhole(t.community, Some(t.category)), None, Actor::Requester).await.unwrap();
    let r = created.request;
    assert_eq!(r.status, Status::Submitted);
    assert_eq!(r.tracking_code.len(), 10);
    let r = store.act(r.id, Some(r.version), Command::Accept, staff(&t.operator)).await.unwrap();
    let r = store
        .act(
            r.id,
            Some(r.version),
            Command::Dispatch { unit_id: t.community, co_unit_ids: vec![], instructions: String::new() },
            staff(&t.dispatcher),
        )
        .await
        .unwrap();
    assert_eq!(r.status, Status::Dispatched);
    let due = r.resolve_by.expect("dispatch sets the deadline");
    assert!(due > r.dispatched_at.unwrap() + 14 * DAY, "a complaint has 15 working days");
    let r = store.act(r.id, Some(r.version), Command::Claim, staff(&t.handler)).await.unwrap();
    assert_eq!(r.handler_id, Some(t.handler.user_id));
    let r = store
        .act(r.id, Some(r.version), Command::Progress { note: "已联系施工队".into() }, staff(&t.handler))
        .await
        .unwrap();
    let until = due + 5 * DAY;
    let r = store
        .act(r.id, Some(r.version), Command::RequestExtension { until, reason: "井盖需定制".into() }, staff(&t.handler))
        .await
        .unwrap();
    let r = store.act(r.id, Some(r.version), Command::ApproveExtension, staff(&t.leader)).await.unwrap();
    assert_eq!(r.resolve_by, Some(until));
    let r = store
        .act(
            r.id,
            Some(r.version),
            Command::Resolve { reply: "井盖已补装，已电话告知".into(), contacted: true },
            staff(&t.handler),
        )
        .await
        .unwrap();
    // The resident evaluates by tracking code.
    let tracked = store.request_by_tracking_code(&r.tracking_code.to_lowercase()).await.unwrap();
    assert_eq!(tracked.id, r.id);
    let evaluation =
        Command::Evaluate { solved: true, satisfaction: Satisfaction::Satisfied, comment: "很快".into() };
    let r = store.act(r.id, None, evaluation, Actor::Requester).await.unwrap();
    assert_eq!(r.status, Status::Closed);

    let events = store.events_of(r.id).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "submit",
            "accept",
            "dispatch",
            "claim",
            "progress",
            "request-extension",
            "approve-extension",
            "resolve",
            "evaluate"
        ]
    );
    assert_eq!(r.version as usize, events.len(), "one event per accepted action");
    assert!(store.verify_chain().await.unwrap().is_intact());

    let view = store.track(&r.tracking_code).await.unwrap();
    assert_eq!(view.reply.as_deref(), Some("井盖已补装，已电话告知"));
    // The requester follows the work: progress notes are shown; extensions stay internal.
    assert!(view.steps.iter().any(|s| s.action == "progress" && s.note.is_some()), "progress notes are public");
    assert!(!view.steps.iter().any(|s| s.action.ends_with("extension")), "extensions stay internal");
    assert_eq!(view.unit.as_deref(), Some("柳湾社区"), "the handling unit is named");

    let today = time::local_date(time::now());
    let m =
        store.measures(t.district, today - Duration::days(1), today + Duration::days(60), time::now()).await.unwrap();
    assert_eq!(m.intake, 1);
    assert_eq!(m.closure_rate, Some(1.0));
    assert_eq!(m.satisfaction_rate, Some(1.0));
    assert_eq!(m.response_rate, Some(1.0));
    // The other community's subtree saw nothing.
    let other = store.measures(t.other_community, today, today, time::now()).await.unwrap();
    assert_eq!(other.intake, 0);
}

async fn scope_hides_other_communities(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let mine = store.create(manhole(t.community, None), None, staff(&t.operator)).await.unwrap().request;
    let theirs = store.create(manhole(t.other_community, None), None, staff(&t.operator)).await.unwrap().request;
    let now = time::now();
    let listed = store.list(&t.handler, &ListFilter::default(), now).await.unwrap();
    assert_eq!(listed.items.iter().map(|r| r.id).collect::<Vec<_>>(), vec![mine.id]);
    assert!(matches!(store.request(theirs.id, &t.handler).await, Err(StoreError::NotFound)));
    let acted =
        store.act(theirs.id, Some(theirs.version), Command::Progress { note: "x".into() }, staff(&t.handler)).await;
    assert!(matches!(acted, Err(StoreError::NotFound)));
    // The subdistrict's leader sees both; the district's dispatcher too.
    assert_eq!(store.list(&t.leader, &ListFilter::default(), now).await.unwrap().items.len(), 2);
    assert_eq!(store.list(&t.dispatcher, &ListFilter::default(), now).await.unwrap().items.len(), 2);
    // Dispatched to the department, the request enters the department's scope.
    let theirs = store.act(theirs.id, Some(1), Command::Accept, staff(&t.operator)).await.unwrap();
    store
        .act(
            theirs.id,
            Some(theirs.version),
            Command::Dispatch { unit_id: t.department, co_unit_ids: vec![], instructions: String::new() },
            staff(&t.dispatcher),
        )
        .await
        .unwrap();
    let department_staff = gongzhi_domain::role::Staff {
        user_id: 99,
        role: Role::Handler,
        unit_id: t.department,
        unit_path: store.unit(t.department).await.unwrap().path,
    };
    assert_eq!(store.queue(&department_staff, Queue::Claim, now, 20).await.unwrap().len(), 1);
    assert!(store.request(theirs.id, &department_staff).await.is_ok());
}

async fn a_stale_version_conflicts_and_loses_nothing(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let r = dispatched(store, &t, manhole(t.community, None)).await;
    let r = store.act(r.id, Some(r.version), Command::Claim, staff(&t.handler)).await.unwrap();
    // Two handlers' notes on the same version at once: one wins, one is told.
    let note = |text: &str| Command::Progress { note: text.into() };
    let (a, b) = tokio::join!(
        store.act(r.id, Some(r.version), note("第一条"), staff(&t.handler)),
        store.act(r.id, Some(r.version), note("第二条"), staff(&t.handler)),
    );
    let conflicts = [&a, &b].iter().filter(|x| matches!(x, Err(StoreError::Conflict { .. }))).count();
    assert_eq!(conflicts, 1, "{a:?} {b:?}");
    let now = store.request(r.id, &t.handler).await.unwrap();
    assert_eq!(now.version, r.version + 1);
    // The loser retries with the version it is told and nothing is lost.
    let Err(StoreError::Conflict { current }) = (if a.is_err() { a } else { b }) else { unreachable!() };
    store.act(r.id, Some(current), note("重试"), staff(&t.handler)).await.unwrap();
    let notes: Vec<String> =
        store.events_of(r.id).await.unwrap().into_iter().filter(|e| e.action == "progress").map(|e| e.note).collect();
    assert_eq!(notes.len(), 2);
    assert!(notes.contains(&"重试".to_string()));
}

async fn one_idempotency_key_makes_one_request(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let first = store.create(manhole(t.community, None), Some("web:abc".into()), Actor::Requester).await.unwrap();
    let again = store.create(manhole(t.community, None), Some("web:abc".into()), Actor::Requester).await.unwrap();
    assert!(!first.replayed && again.replayed);
    assert_eq!(first.request.id, again.request.id);
    // Ten at once with one key still make one.
    let tries = (0..10).map(|_| store.create(manhole(t.community, None), Some("web:burst".into()), Actor::Requester));
    let results = futures_util::future::join_all(tries).await;
    let ids: std::collections::BTreeSet<i64> = results.into_iter().map(|r| r.unwrap().request.id).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(store.count_requests().await.unwrap(), 2);
}

async fn a_forbidden_move_changes_nothing(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let r = store.create(manhole(t.community, None), None, staff(&t.operator)).await.unwrap().request;
    let refused = store.act(r.id, Some(r.version), Command::Claim, staff(&t.handler)).await;
    assert!(matches!(refused, Err(StoreError::Rule(Broken::WrongState { .. }))), "{refused:?}");
    let refused = store
        .act(
            r.id,
            Some(r.version),
            Command::Dispatch { unit_id: t.community, co_unit_ids: vec![], instructions: String::new() },
            staff(&t.operator),
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Rule(Broken::WrongState { .. }))));
    let r2 = store.act(r.id, Some(r.version), Command::Accept, staff(&t.operator)).await.unwrap();
    let refused = store
        .act(
            r.id,
            Some(r2.version),
            Command::Dispatch { unit_id: 424242, co_unit_ids: vec![], instructions: String::new() },
            staff(&t.dispatcher),
        )
        .await;
    assert!(matches!(refused, Err(StoreError::UnknownUnit(424242))));
    let refused = store
        .act(
            r.id,
            Some(r2.version),
            Command::Dispatch { unit_id: t.community, co_unit_ids: vec![], instructions: String::new() },
            staff(&t.operator),
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Rule(Broken::WrongRole { .. }))));
    let after = store.request(r.id, &t.operator).await.unwrap();
    assert_eq!(after, r2);
    assert_eq!(store.events_of(r.id).await.unwrap().len(), 2);
    let unknown = store.create(manhole(999_999, None), None, Actor::Requester).await;
    assert!(matches!(unknown, Err(StoreError::UnknownUnit(999_999))));
    assert!(store.verify_chain().await.unwrap().is_intact());
}

async fn tampering_with_an_event_is_found(store: Store, url: String) {
    let store = &store;
    let t = town(store).await;
    for _ in 0..3 {
        let r = store.create(manhole(t.community, None), None, staff(&t.operator)).await.unwrap().request;
        store.act(r.id, Some(r.version), Command::Accept, staff(&t.operator)).await.unwrap();
    }
    let report = store.verify_chain().await.unwrap();
    assert_eq!((report.events, report.first_broken.clone()), (6, None));
    // Someone with database access rewrites the note of event 4.
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    if url.starts_with("sqlite") {
        conn.execute("DROP TRIGGER events_append_only_update").await.unwrap();
    } else {
        conn.execute("ALTER TABLE events DISABLE TRIGGER events_append_only").await.unwrap();
    }
    conn.execute("UPDATE events SET note = 'edited' WHERE id = 4").await.unwrap();
    let report = store.verify_chain().await.unwrap();
    assert_eq!(report.first_broken.map(|(id, _)| id), Some(4));
}

async fn aggregates_match_a_recount(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    // A day's mix: answered, rejected, dispatched to either place, returned, resolved
    // late and on time, evaluated, reopened, merged.
    let mut ids = Vec::new();
    for i in 0..12_i64 {
        let unit = if i % 2 == 0 { t.community } else { t.other_community };
        let r = store.create(manhole(unit, Some(t.category)), None, staff(&t.operator)).await.unwrap().request;
        ids.push(r.id);
        let op = staff(&t.operator);
        let r = match i % 6 {
            0 => {
                store.act(r.id, None, Command::Answer { reply: "已解答".into() }, op).await.unwrap();
                continue;
            }
            1 => {
                store.act(r.id, None, Command::Reject { reason: "重复".into() }, op).await.unwrap();
                continue;
            }
            _ => store.act(r.id, None, Command::Accept, op).await.unwrap(),
        };
        if i == 11 {
            let merged = store.act(r.id, None, Command::Merge { into: ids[2] }, staff(&t.dispatcher)).await.unwrap();
            // The duplicate's requester follows the request it joined.
            let parent = store.request(ids[2], &t.dispatcher).await.unwrap();
            let view = store.track(&merged.tracking_code).await.unwrap();
            assert_eq!(view.merged_into.map(|m| m.number), Some(parent.number));
            continue;
        }
        store
            .act(
                r.id,
                None,
                Command::Dispatch { unit_id: t.community, co_unit_ids: vec![], instructions: String::new() },
                staff(&t.dispatcher),
            )
            .await
            .unwrap();
        if i % 6 == 3 {
            store.act(r.id, None, Command::Return { reason: "非本社区".into() }, staff(&t.handler)).await.unwrap();
            store
                .act(
                    r.id,
                    None,
                    Command::Dispatch { unit_id: t.department, co_unit_ids: vec![], instructions: String::new() },
                    staff(&t.dispatcher),
                )
                .await
                .unwrap();
            continue;
        }
        store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
        if i % 6 == 4 {
            continue;
        }
        store
            .act(r.id, None, Command::Resolve { reply: "已处理".into(), contacted: true }, staff(&t.handler))
            .await
            .unwrap();
        let verdict = if i % 4 == 0 { Satisfaction::Unsatisfied } else { Satisfaction::BasicallySatisfied };
        store
            .act(
                r.id,
                None,
                Command::Evaluate { solved: i % 4 != 0, satisfaction: verdict, comment: String::new() },
                Actor::Requester,
            )
            .await
            .unwrap();
        if verdict == Satisfaction::Unsatisfied {
            store.act(r.id, None, Command::Reopen { reason: "仍未解决".into() }, Actor::Requester).await.unwrap();
        }
    }
    // Recount from the requests themselves and compare with the maintained cells.
    let mut expected: BTreeMap<i64, Counters> = BTreeMap::new();
    let all =
        store.list(&t.dispatcher, &ListFilter { limit: Some(100), ..Default::default() }, time::now()).await.unwrap();
    assert_eq!(all.items.len(), 12);
    for r in &all.items {
        for ((unit, _day), c) in contribution(r) {
            expected.entry(unit).or_default().add(&c, 1);
        }
    }
    let today = time::local_date(time::now());
    let (from, to) = (today - Duration::days(2), today + Duration::days(60));
    for unit in [t.community, t.other_community, t.department] {
        let m = store.measures(unit, from, to, time::now()).await.unwrap();
        assert_eq!(m.counters, expected.get(&unit).copied().unwrap_or_default(), "unit {unit}");
    }
    let district = store.measures(t.district, from, to, time::now()).await.unwrap();
    assert_eq!(district.intake, 12);
    assert_eq!(district.counters.merged, 1);
    assert!(district.reopen_rate.unwrap() > 0.0);
    assert!(district.return_rate.unwrap() > 0.0);
}

async fn imported_history_keeps_the_chain(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let start = time::now() - 30 * DAY;
    let items: Vec<gongzhi_store::Imported> = (0..250)
        .map(|i| {
            let mut request = Request::submitted(manhole(t.community, None), String::new(), start + i * 60_000);
            request.unit_path = format!("/{}/{}/{}/", t.district, t.street, t.community);
            gongzhi_store::Imported { request, events: vec![] }
        })
        .collect();
    let ids = store.import(items).await.unwrap();
    assert_eq!(ids.len(), 250);
    let fresh = store.create(manhole(t.community, None), None, Actor::Requester).await.unwrap().request;
    assert_eq!(fresh.id, ids[249] + 1);
    let report = store.verify_chain().await.unwrap();
    assert_eq!((report.events, report.is_intact()), (251, true));
    let m =
        store.measures(t.street, time::local_date(start), time::local_date(time::now()), time::now()).await.unwrap();
    assert_eq!(m.intake, 251);
}

async fn queues_and_pages_follow_deadlines(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let mut urgent = manhole(t.community, None);
    urgent.urgent = true;
    for new in [manhole(t.community, None), urgent, manhole(t.community, None)] {
        dispatched(store, &t, new).await;
    }
    let now = time::now();
    let queue = store.queue(&t.handler, Queue::Claim, now, 10).await.unwrap();
    assert_eq!(queue.len(), 3);
    assert!(queue[0].new.urgent, "the urgent one is due first");
    let counts = store.queue_counts(&t.handler, now).await.unwrap();
    assert!(counts.contains(&(Queue::Claim, 3)));
    assert!(counts.contains(&(Queue::DueSoon, 1)));
    // A day and a half later the urgent one is overdue.
    let later = now + 36 * time::HOUR;
    assert_eq!(store.queue(&t.handler, Queue::Overdue, later, 10).await.unwrap().len(), 1);
    let overdue = ListFilter { overdue: Some(true), ..Default::default() };
    assert_eq!(store.list(&t.leader, &overdue, later).await.unwrap().items.len(), 1);
    // Pages of one walk the list without repeats.
    let leader = &t.leader;
    let walk = |mut filter: ListFilter| async move {
        let mut seen = Vec::new();
        loop {
            let page = store.list(leader, &filter, now).await.unwrap();
            seen.extend(page.items.iter().map(|r| r.id));
            match page.next_cursor {
                Some(cursor) => filter.cursor = Some(cursor),
                None => return seen,
            }
        }
    };
    let newest_first = walk(ListFilter { limit: Some(1), ..Default::default() }).await;
    let mut seen = newest_first.clone();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 3);
    // Read state by state, pages come out in the same order, none twice.
    let by_state =
        walk(ListFilter { status: vec![Status::InProgress, Status::Dispatched], limit: Some(1), ..Default::default() })
            .await;
    assert_eq!(by_state, newest_first);
    // Overdue work is working work: a closed state asked for adds nothing.
    let overdue_in = |status: Vec<Status>| ListFilter { overdue: Some(true), status, ..Default::default() };
    assert!(store.list(&t.leader, &overdue_in(vec![Status::Closed]), later).await.unwrap().items.is_empty());
    let found = store.list(&t.leader, &overdue_in(vec![Status::Closed, Status::Dispatched]), later).await.unwrap();
    assert_eq!(found.items.len(), 1);
    assert!(found.items[0].new.urgent);
    assert!(store
        .list(&t.leader, &ListFilter { cursor: Some("garbage".into()), ..Default::default() }, now)
        .await
        .is_err());
}

async fn accounts_sessions_and_tokens(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    assert!(store.authenticate("handler_c1", "wrong").await.unwrap().is_none());
    let account = store.authenticate("handler_c1", "demo-password").await.unwrap().expect("right password");
    assert_eq!(account.staff(), t.handler);
    let now = time::now();
    let token = store.start_session(account.id, now, time::HOUR).await.unwrap();
    assert!(store.session_account(&token, now + 1000).await.unwrap().is_some());
    assert!(store.session_account(&token, now + 2 * time::HOUR).await.unwrap().is_none(), "expired");
    store.set_password(account.id, "new-password-1").await.unwrap();
    assert!(store.session_account(&token, now + 1000).await.unwrap().is_none(), "a new password ends sessions");
    assert!(store.set_password(account.id, "short").await.is_err());
    let api = store.create_api_token("dispatcher", "bench").await.unwrap();
    assert_eq!(store.token_account(&api).await.unwrap().unwrap().staff(), t.dispatcher);
    assert!(store.token_account("not-a-token").await.unwrap().is_none());
    assert!(matches!(
        store.add_user("operator", "x", Role::Operator, t.district, "h").await,
        Err(StoreError::Duplicate(_))
    ));
}

async fn guessing_is_throttled(store: Store, _url: String) {
    let store = &store;
    let now = time::now();
    let window = 10 * 60_000;
    // Each attempt learns its place in the window as it is counted.
    for i in 0..5 {
        assert_eq!(store.count_attempt("track:10.0.0.9", window, now + i).await.unwrap(), i + 1);
    }
    assert_eq!(store.count_attempt("track:10.0.0.8", window, now + 10).await.unwrap(), 1, "another key");
    store.forgive_attempt("track:10.0.0.9").await.unwrap();
    assert_eq!(store.count_attempt("track:10.0.0.9", window, now + 11).await.unwrap(), 5, "one taken back");
    assert_eq!(store.count_attempt("track:10.0.0.9", window, now + window + 1).await.unwrap(), 1, "a new window");
    // Keys are bounded, and passed windows cleared.
    let long = format!("login:{}", "a".repeat(3_000));
    assert!(matches!(store.count_attempt(&long, window, now).await, Err(StoreError::Invalid(_))));
    assert!(matches!(store.count_attempt("track:\0", window, now).await, Err(StoreError::Invalid(_))));
    assert_eq!(store.clear_passed_attempts(now + window + 10).await.unwrap(), 1);
    assert_eq!(store.clear_passed_attempts(now + 3 * window).await.unwrap(), 1);
}
