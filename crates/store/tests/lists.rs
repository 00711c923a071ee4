//! The three lists of a cadre and of a unit, told on both databases: what a cadre claimed
//! in a period, the measures noted, the outcome, the review rules broken, and who may
//! read them.

use chrono::Duration;
use gongzhi_domain::lists::Summary;
use gongzhi_domain::supervision::Rule;
use gongzhi_domain::time;
use gongzhi_domain::*;
use gongzhi_store::testing::{town, week_of_claims};
use gongzhi_store::{on_both, Claims, Owner, Store, StoreError};

on_both!(a_cadres_three_lists_hold_what_they_claimed, a_units_lists_gather_its_cadres_and_stay_in_scope);

async fn a_cadres_three_lists_hold_what_they_claimed(store: Store, _url: String) {
    let t = town(&store).await;
    let mine = week_of_claims(&store, &t).await;
    let today = time::local_date(time::now());
    let cadre = Claims { owner: Owner::Cadre(t.handler.user_id), from: today, to: today, closed_only: false };

    let (summary, page) = store.lists(&t.leader, &cadre, 0, 50).await.unwrap();
    assert_eq!(summary, Summary { claimed: 5, closed: 3 });
    assert_eq!(summary.line_zh(), "领办 5 件，办结 3 件，办结率 60.0%");
    assert_eq!(page.total, 5);
    // Latest claim first; the returned request is no longer the cadre's.
    let ids: Vec<i64> = page.items.iter().map(|e| e.request_id).collect();
    assert_eq!(ids, mine.iter().rev().copied().collect::<Vec<_>>());

    let entry = |id: i64| page.items.iter().find(|e| e.request_id == id).unwrap();
    // The problem list: from whom (masked), through which channel, when.
    assert_eq!(entry(mine[0]).requester.as_deref(), Some("王女士 138****1234"));
    assert_eq!(entry(mine[0]).channel, Channel::Web);
    // The task list: the measures noted, the deadline.
    assert_eq!(entry(mine[0]).measures.len(), 1);
    assert_eq!(entry(mine[0]).measures[0].text, "已联系市政养护单位到场查看");
    assert!(entry(mine[0]).resolve_by.is_some() && entry(mine[0]).handler_id == Some(t.handler.user_id));
    // The outcome list: the reply, the feedback, the verdict.
    assert_eq!(entry(mine[0]).status, Status::Closed);
    assert_eq!(entry(mine[0]).contacted, Some(true));
    assert_eq!(entry(mine[0]).satisfaction, Some(Satisfaction::Satisfied));
    assert_eq!(entry(mine[3]).reply, None);
    // The review rules: resolved with no measure noted is flagged; work in hand is not.
    assert!(entry(mine[0]).flags.is_empty(), "{:?}", entry(mine[0]).flags);
    assert_eq!(entry(mine[2]).flags, vec![Rule::MeasuresStated]);
    assert!(entry(mine[3]).flags.is_empty());

    // Pages of the same list.
    let (_, second) = store.lists(&t.leader, &cadre, 2, 2).await.unwrap();
    assert_eq!(second.items.iter().map(|e| e.request_id).collect::<Vec<_>>(), vec![mine[2], mine[1]]);
    assert_eq!(second.total, 5);

    // The 办结 of the summary line lists exactly the closed ones.
    let closed = Claims { closed_only: true, ..cadre };
    let (same, done) = store.lists(&t.leader, &closed, 0, 50).await.unwrap();
    assert_eq!((same, done.total), (summary, 3));
    assert_eq!(done.items.iter().map(|e| e.request_id).collect::<Vec<_>>(), vec![mine[2], mine[1], mine[0]]);

    // Another period holds none of it.
    let yesterday = today - Duration::days(1);
    let before = Claims { from: yesterday, to: yesterday, ..cadre };
    let (none, empty) = store.lists(&t.leader, &before, 0, 50).await.unwrap();
    assert_eq!((none, empty.items.len()), (Summary::default(), 0));
    let backwards = Claims { from: today, to: yesterday, ..cadre };
    assert!(matches!(store.lists(&t.leader, &backwards, 0, 50).await, Err(StoreError::Invalid(_))));
}

async fn a_units_lists_gather_its_cadres_and_stay_in_scope(store: Store, _url: String) {
    let t = town(&store).await;
    week_of_claims(&store, &t).await;
    let today = time::local_date(time::now());
    let claimed = |viewer, owner| {
        let store = store.clone();
        let claims = Claims { owner, from: today, to: today, closed_only: false };
        async move { store.lists(viewer, &claims, 0, 50).await.map(|(s, _)| s) }
    };
    assert_eq!(claimed(&t.leader, Owner::Unit(t.street)).await.unwrap(), Summary { claimed: 7, closed: 3 });
    assert_eq!(claimed(&t.supervisor, Owner::Unit(t.district)).await.unwrap(), Summary { claimed: 7, closed: 3 });
    assert_eq!(claimed(&t.leader, Owner::Unit(t.community)).await.unwrap(), Summary { claimed: 5, closed: 3 });
    assert_eq!(claimed(&t.leader, Owner::Unit(t.other_community)).await.unwrap(), Summary { claimed: 2, closed: 0 });
    assert_eq!(claimed(&t.leader, Owner::Unit(t.department)).await.unwrap_err().to_string(), "not found");

    // A cadre reads their own lists; a cadre of another community reads neither theirs
    // nor their community's: out of scope looks like absent.
    assert!(claimed(&t.handler, Owner::Cadre(t.handler.user_id)).await.is_ok());
    assert!(matches!(claimed(&t.other_handler, Owner::Cadre(t.handler.user_id)).await, Err(StoreError::NotFound)));
    assert!(matches!(claimed(&t.other_handler, Owner::Unit(t.community)).await, Err(StoreError::NotFound)));
    assert!(matches!(claimed(&t.leader, Owner::Cadre(999_999)).await, Err(StoreError::NotFound)));
}
