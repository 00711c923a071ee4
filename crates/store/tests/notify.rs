//! The outbox as the store keeps it, on SQLite and PostgreSQL: notifications are written
//! with the change that causes them and not for a change refused; deadlines crossed are
//! told once however often the timer looks; claims by several workers never share a row,
//! and a lease that runs out lets another worker take over.

use std::collections::HashSet;

use gongzhi_domain::notify::{Medium, Topic};
use gongzhi_domain::time::{DAY, HOUR};
use gongzhi_domain::*;
use gongzhi_store::testing::{dispatched, manhole, staff, town};
use gongzhi_store::{on_both, NotifyPrefs, Store};
use sqlx::{Connection, Executor, Row};

on_both!(
    an_action_writes_its_notifications_and_a_refused_one_writes_none,
    each_deadline_crossed_is_told_once_and_overdue_work_climbs_to_the_leaders,
    workers_claiming_at_once_never_share_a_notification,
    a_lease_that_runs_out_passes_the_notification_to_another_worker
);

async fn outbox_rows(url: &str) -> Vec<(String, String, String)> {
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let rows = conn.fetch_all("SELECT medium, topic, recipient FROM outbox ORDER BY id").await.unwrap();
    rows.iter().map(|r| (r.get("medium"), r.get("topic"), r.get("recipient"))).collect()
}

async fn an_action_writes_its_notifications_and_a_refused_one_writes_none(store: Store, url: String) {
    sqlx::any::install_default_drivers();
    let t = town(&store).await;
    let prefs = NotifyPrefs {
        phone: "13900001111".into(),
        email: "h@yx.gov.cn".into(),
        sms: vec![Topic::DispatchedToUnit],
        email_topics: vec![Topic::Overdue],
    };
    store.set_notify_prefs(t.handler.user_id, &prefs).await.unwrap();
    let hook = store.add_subscription("*", "http://127.0.0.1:9/hook", "s", 0).await.unwrap();
    let r = dispatched(&store, &t, manhole(t.community, None)).await;
    let rows = outbox_rows(&url).await;
    let sms: Vec<_> = rows.iter().filter(|r| r.0 == "sms").collect();
    assert_eq!(sms.len(), 3, "accepted and dispatched to the resident, dispatched to the handler: {rows:?}");
    assert!(rows.contains(&("sms".into(), "dispatched_to_unit".into(), "13900001111".into())), "{rows:?}");
    assert!(!rows.iter().any(|r| r.0 == "email"), "the handler asked for mail about overdue work only");
    let hooks: Vec<&str> = rows.iter().filter(|r| r.0 == "webhook").map(|r| r.1.as_str()).collect();
    assert_eq!(hooks, ["request.submit", "request.accept", "request.dispatch"]);
    assert!(rows.contains(&("sms".into(), "accepted".into(), "13812341234".into())), "{rows:?}");
    assert!(rows.contains(&("sms".into(), "dispatched".into(), "13812341234".into())), "{rows:?}");
    assert_eq!(store.unread(t.handler.user_id, 100).await.unwrap(), 1);
    assert_eq!(store.unread(t.other_handler.user_id, 100).await.unwrap(), 0);

    // A stale version is refused: nothing is written, nobody is told.
    let before = outbox_rows(&url).await.len();
    let claim = store.act(r.id, Some(r.version - 1), Command::Claim, staff(&t.handler)).await;
    assert!(matches!(claim, Err(gongzhi_store::StoreError::Conflict { .. })), "{claim:?}");
    let wrong_unit = store.act(r.id, None, Command::Claim, staff(&t.other_handler)).await;
    assert!(wrong_unit.is_err());
    assert_eq!(outbox_rows(&url).await.len(), before);
    // An ended subscription is told nothing more.
    store.end_subscription(hook).await.unwrap();
    store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    assert_eq!(outbox_rows(&url).await.len(), before);
}

async fn each_deadline_crossed_is_told_once_and_overdue_work_climbs_to_the_leaders(store: Store, url: String) {
    sqlx::any::install_default_drivers();
    let t = town(&store).await;
    let r = dispatched(&store, &t, manhole(t.community, None)).await;
    let due = r.resolve_by.unwrap();
    let policy = store.settings().policy.clone();
    let lead = policy.warning_lead_hours * HOUR;
    let period = i64::from(policy.standard_resolve_days) * DAY;
    let minute = 60_000;
    assert_eq!(store.sweep_deadlines(due - lead - minute).await.unwrap(), 0);
    assert_eq!(store.sweep_deadlines(due - lead + minute).await.unwrap(), 1, "the warning");
    assert_eq!(store.sweep_deadlines(due + minute).await.unwrap(), 1, "overdue");
    assert_eq!(store.sweep_deadlines(due + minute).await.unwrap(), 0, "a look at the same moment finds nothing new");
    assert_eq!(store.sweep_deadlines(due + period + minute).await.unwrap(), 1, "a period later: one level up");
    let topics = |user: i64| {
        let store = store.clone();
        async move { store.inbox(user, None, 50).await.unwrap().into_iter().map(|e| e.topic).collect::<Vec<_>>() }
    };
    assert_eq!(topics(t.handler.user_id).await, [Topic::Overdue, Topic::DeadlineWarning, Topic::DispatchedToUnit]);
    assert_eq!(topics(t.leader.user_id).await, [Topic::Escalated], "the subdistrict's leader, one level up");

    // Looked at again from the start (as after a lost write of the sweep's place): the
    // keys keep each deadline told once.
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    conn.execute("UPDATE notify_sweep SET swept_to = 0").await.unwrap();
    store.sweep_deadlines(due + minute).await.unwrap();
    assert_eq!(topics(t.handler.user_id).await.len(), 3);

    // Resolved work is not told of its deadline.
    let done = dispatched(&store, &t, manhole(t.community, None)).await;
    store.act(done.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    let resolve = Command::Resolve { reply: "已补装井盖".into(), contacted: true };
    store.act(done.id, None, resolve, staff(&t.handler)).await.unwrap();
    let due = done.resolve_by.unwrap();
    store.sweep_deadlines(due - minute).await.unwrap();
    assert_eq!(store.sweep_deadlines(due + minute).await.unwrap(), 0);
}

async fn workers_claiming_at_once_never_share_a_notification(store: Store, _url: String) {
    let t = town(&store).await;
    store.add_subscription("request.submit", "http://127.0.0.1:9/hook", "s", 0).await.unwrap();
    let mut creating = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let store = store.clone();
        let unit = t.community;
        creating.spawn(async move {
            for _ in 0..40 {
                store.create(manhole(unit, None), None, Actor::Requester).await.unwrap();
            }
        });
    }
    creating.join_all().await;
    let now = gongzhi_domain::time::now();
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..4 {
        let store = store.clone();
        workers.spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claimed = store
                    .claim_notifications(&format!("w{w}"), &[Medium::Webhook], now, now + 60_000, 16)
                    .await
                    .unwrap();
                if claimed.is_empty() {
                    return mine;
                }
                let ids: Vec<i64> = claimed.iter().map(|c| c.id).collect();
                store.record_sent(&format!("w{w}"), &ids, now).await.unwrap();
                mine.extend(ids);
            }
        });
    }
    let claims: Vec<Vec<i64>> = workers.join_all().await;
    let all: Vec<i64> = claims.iter().flatten().copied().collect();
    let distinct: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), 320, "every notification claimed");
    assert_eq!(distinct.len(), 320, "none by two workers");
    assert!(claims.iter().filter(|c| !c.is_empty()).count() >= 2, "the work was shared: {claims:?}");
}

async fn a_lease_that_runs_out_passes_the_notification_to_another_worker(store: Store, _url: String) {
    let t = town(&store).await;
    store.add_subscription("request.submit", "http://127.0.0.1:9/hook", "s", 0).await.unwrap();
    store.create(manhole(t.community, None), None, Actor::Requester).await.unwrap();
    let now = gongzhi_domain::time::now();
    let first = store.claim_notifications("a", &[Medium::Webhook], now, now + 1_000, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(store.claim_notifications("b", &[Medium::Webhook], now + 500, now + 2_000, 10).await.unwrap().is_empty());
    let taken = store.claim_notifications("b", &[Medium::Webhook], now + 1_000, now + 5_000, 10).await.unwrap();
    assert_eq!(taken.len(), 1, "the lease ran out");
    assert_eq!(taken[0].key, first[0].key);
    // The first worker's late answer does not count: the row is the second's now.
    store.record_failure("a", first[0].id, "late", None, now).await.unwrap();
    assert_eq!(store.outbox_counts(10).await.unwrap().dead, 0);
    store.record_sent("b", &[taken[0].id], now).await.unwrap();
    assert_eq!(store.outbox_counts(10).await.unwrap(), Default::default());
}
