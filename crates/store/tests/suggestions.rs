//! Suggestions in the store, on both databases: intake stores what it suggested with the
//! request, the dispatcher's choice decides whether it counts as right, models are kept by
//! version, and the texts duplicate and hot-issue detection read respect time and scope.

use chrono::Duration;
use gongzhi_domain::time;
use gongzhi_domain::*;
use gongzhi_store::testing::{manhole, staff, town, Town};
use gongzhi_store::{on_both, DuplicateRef, NewSuggestion, Store, StoreError};

on_both!(
    a_suggestion_is_stored_with_the_request_and_counted_when_dispatched,
    models_are_kept_by_version,
    closed_requests_are_what_routing_learns_from,
    texts_for_duplicates_and_hot_issues_keep_to_time_and_scope,
);

/// The first-level category above the town's one three-level category.
async fn first_level(store: &Store) -> i64 {
    store.categories().await.unwrap().iter().find(|c| c.level == 1).unwrap().id
}

fn suggesting(category: i64, unit: i64, duplicates: Vec<DuplicateRef>) -> NewSuggestion {
    NewSuggestion {
        category_id: Some(category),
        unit_id: Some(unit),
        confidence: Some(0.875),
        terms: vec!["井盖".into(), "缺失".into()],
        duplicates,
        model_version: Some(1),
    }
}

async fn dispatch_to(store: &Store, t: &Town, id: i64, unit: i64) -> Request {
    let r = store.act(id, None, Command::Accept, staff(&t.operator)).await.unwrap();
    store
        .act(
            r.id,
            None,
            Command::Dispatch { unit_id: unit, co_unit_ids: vec![], instructions: String::new() },
            staff(&t.dispatcher),
        )
        .await
        .unwrap()
}

async fn a_suggestion_is_stored_with_the_request_and_counted_when_dispatched(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let level1 = first_level(store).await;
    let today = time::local_date(time::now());

    // The first report of the missing manhole cover: intake suggests the department.
    let first = store
        .create_suggested(
            manhole(t.community, Some(t.category)),
            Some("key-1".into()),
            Actor::Requester,
            Some(suggesting(level1, t.department, vec![])),
        )
        .await
        .unwrap()
        .request;
    let stored = store.suggestion(first.id).await.unwrap().expect("stored with the request");
    assert_eq!(stored.suggested, suggesting(level1, t.department, vec![]));
    assert_eq!(stored.created_at, first.created_at);

    // The same form sent again creates nothing and suggests nothing new.
    let again = store
        .create_suggested(
            manhole(t.community, Some(t.category)),
            Some("key-1".into()),
            Actor::Requester,
            Some(suggesting(level1, t.community, vec![])),
        )
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(store.suggestion(first.id).await.unwrap().unwrap().suggested.unit_id, Some(t.department));

    // A second resident writes about the same cover; intake names the first as a duplicate
    // and suggests the community this time.
    let duplicate = DuplicateRef {
        id: first.id,
        number: first.number.clone(),
        similarity: 0.91,
        shared_terms: vec!["柳湾社区".into(), "井盖缺失".into()],
    };
    let second = store
        .create_suggested(
            manhole(t.community, Some(t.category)),
            None,
            staff(&t.operator),
            Some(suggesting(level1, t.community, vec![duplicate.clone()])),
        )
        .await
        .unwrap()
        .request;
    let found = store.suggestions_for(&[first.id, second.id, 999]).await.unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[&second.id].suggested.duplicates, vec![duplicate]);

    // Waiting requests do not count yet.
    let before = store.suggestion_accuracy(t.district, today, today).await.unwrap();
    assert_eq!((before.dispatched, before.unit_accuracy), (0, None));

    // The dispatcher sends both to the department: the first suggestion was right, the
    // second wrong about the unit; both were right about the category.
    dispatch_to(store, &t, first.id, t.department).await;
    dispatch_to(store, &t, second.id, t.department).await;
    let accuracy = store.suggestion_accuracy(t.district, today, today).await.unwrap();
    assert_eq!((accuracy.dispatched, accuracy.unit_matched), (2, 1));
    assert_eq!(accuracy.unit_accuracy, Some(0.5));
    assert_eq!((accuracy.categorised, accuracy.category_matched, accuracy.category_accuracy), (2, 2, Some(1.0)));

    // A request without a suggestion, dispatched, is not counted either way.
    let plain = store.create(manhole(t.community, Some(t.category)), None, staff(&t.operator)).await.unwrap();
    dispatch_to(store, &t, plain.request.id, t.community).await;
    assert_eq!(store.suggestion_accuracy(t.district, today, today).await.unwrap().dispatched, 2);

    // A third is sent to the community against the suggestion, returned by its handler and
    // sent on to the department: it counts once, as the unit it went to in the end.
    let third = store
        .create_suggested(
            manhole(t.community, Some(t.category)),
            None,
            staff(&t.operator),
            Some(suggesting(level1, t.department, vec![])),
        )
        .await
        .unwrap()
        .request;
    dispatch_to(store, &t, third.id, t.community).await;
    let wrong = store.suggestion_accuracy(t.district, today, today).await.unwrap();
    assert_eq!((wrong.dispatched, wrong.unit_matched), (3, 1));
    assert_eq!(store.suggestion_accuracy(t.community, today, today).await.unwrap().dispatched, 1);
    let back = Command::Return { reason: "不属本社区管辖".into() };
    store.act(third.id, None, back, staff(&t.handler)).await.unwrap();
    assert_eq!(store.suggestion_accuracy(t.district, today, today).await.unwrap().dispatched, 2);
    assert_eq!(store.suggestion_accuracy(t.community, today, today).await.unwrap().dispatched, 0);
    let on = Command::Dispatch { unit_id: t.department, co_unit_ids: vec![], instructions: String::new() };
    store.act(third.id, None, on, staff(&t.dispatcher)).await.unwrap();
    let right = store.suggestion_accuracy(t.district, today, today).await.unwrap();
    assert_eq!((right.dispatched, right.unit_matched, right.category_matched), (3, 2, 3));
    assert_eq!(store.suggestion_accuracy(t.department, today, today).await.unwrap().dispatched, 3);

    // Scope and period: the other community saw none; yesterday saw none.
    let other = store.suggestion_accuracy(t.other_community, today, today).await.unwrap();
    assert_eq!((other.dispatched, other.unit_accuracy), (0, None));
    let yesterday = today - Duration::days(1);
    assert_eq!(store.suggestion_accuracy(t.district, yesterday, yesterday).await.unwrap().dispatched, 0);
    assert!(store.suggestion_accuracy(t.district, today, yesterday).await.is_err());

    // A handler of the other community does not learn of the duplicate's existence.
    let heads = store.request_heads(&[first.id], &t.other_handler).await.unwrap();
    assert!(heads.is_empty());
    let heads = store.request_heads(&[first.id], &t.dispatcher).await.unwrap();
    assert_eq!(heads[&first.id].number, first.number);
    assert_eq!(heads[&first.id].status, Status::Dispatched);
}

async fn models_are_kept_by_version(store: Store, _url: String) {
    assert_eq!(store.route_model_version().await.unwrap(), None);
    assert!(store.route_model().await.unwrap().is_none());
    let scores = serde_json::json!({ "holdout": { "accuracy": 0.8 } });
    let v1 = store.save_route_model(120, &scores, "{\"format\":\"one\"}").await.unwrap();
    let v2 = store.save_route_model(340, &scores, "{\"format\":\"two\"}").await.unwrap();
    assert!(v2 > v1);
    assert_eq!(store.route_model_version().await.unwrap(), Some(v2));
    let latest = store.route_model().await.unwrap().unwrap();
    assert_eq!((latest.version, latest.trained_from, latest.model.as_str()), (v2, 340, "{\"format\":\"two\"}"));
    assert_eq!(latest.scores, scores);
}

async fn closed_requests_are_what_routing_learns_from(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let r = store.create(manhole(t.community, Some(t.category)), None, Actor::Requester).await.unwrap().request;
    let r = dispatch_to(store, &t, r.id, t.community).await;
    assert!(store.training_rows(100).await.unwrap().is_empty(), "open requests teach nothing yet");
    let r = store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    let reply = Command::Resolve { reply: "已补装".into(), contacted: true };
    let r = store.act(r.id, None, reply, staff(&t.handler)).await.unwrap();
    let verdict = Command::Evaluate { solved: true, satisfaction: Satisfaction::Satisfied, comment: String::new() };
    store.act(r.id, None, verdict, Actor::Requester).await.unwrap();
    // One without a category is no example.
    store.create(manhole(t.community, None), None, Actor::Requester).await.unwrap();
    let rows = store.training_rows(100).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].category_id, rows[0].unit_id), (t.category, Some(t.community)));
    assert_eq!((rows[0].place_id, rows[0].kind), (t.community, Kind::Complaint), "where it was, and what kind");
    assert_eq!(rows[0].title, "柳湾社区井盖缺失");
}

async fn texts_for_duplicates_and_hot_issues_keep_to_time_and_scope(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let mut ids = Vec::new();
    for unit in [t.community, t.other_community, t.community] {
        ids.push(store.create(manhole(unit, None), None, Actor::Requester).await.unwrap().request.id);
    }
    let rejected = Command::Reject { reason: "重复提交".into() };
    store.act(ids[2], None, rejected, staff(&t.operator)).await.unwrap();

    // Another instance's intake: everything after the last id seen, oldest first.
    let after = store.texts_after(ids[0], 10).await.unwrap();
    assert_eq!(after.iter().map(|t| t.id).collect::<Vec<_>>(), vec![ids[1], ids[2]]);
    assert_eq!(after[0].requester.as_deref(), Some("13812341234"));
    assert_eq!((after[0].kind, after[0].address.as_str()), (Kind::Complaint, "柳湾路18号"), "what duplicates compare");
    assert_eq!(store.texts_after(ids[0], 1).await.unwrap().len(), 1);

    // Open ones, newest first; the rejected one is not open.
    let since = time::now() - time::DAY;
    let open = store.texts_in_states(&[Status::Submitted], since, 10).await.unwrap();
    assert_eq!(open.iter().map(|t| t.id).collect::<Vec<_>>(), vec![ids[1], ids[0]]);
    assert!(store.texts_in_states(&[Status::Submitted], time::now() + time::DAY, 10).await.unwrap().is_empty());
    let open_ids = store.ids_in_states(&[Status::Submitted, Status::Rejected], since, 2).await.unwrap();
    assert_eq!(open_ids, vec![ids[2], ids[1]], "newest first, to the limit");

    // Texts by id come in the order asked, without the ids of no request.
    let asked = [ids[2], ids[0], 999_999, ids[1]];
    let texts = store.texts_of(&asked).await.unwrap();
    assert_eq!(texts.iter().map(|t| t.id).collect::<Vec<_>>(), vec![ids[2], ids[0], ids[1]]);
    assert_eq!(texts[1].title, "柳湾社区井盖缺失");
    let too_many = vec![ids[0]; gongzhi_store::TEXTS_AT_ONCE + 1];
    assert!(matches!(store.texts_of(&too_many).await, Err(StoreError::Invalid(_))));

    // A period in a leader's scope: their subdistrict holds both communities; the
    // other community's handler sees only theirs; the cap says when there was more.
    let today = time::local_date(time::now());
    let (texts, capped) = store.texts_in_period(&t.leader, today, today, 10).await.unwrap();
    assert_eq!((texts.len(), capped), (2, false), "the rejected request is left out");
    let (texts, _) = store.texts_in_period(&t.other_handler, today, today, 10).await.unwrap();
    assert_eq!(texts.iter().map(|t| t.id).collect::<Vec<_>>(), vec![ids[1]]);
    let (texts, capped) = store.texts_in_period(&t.supervisor, today, today, 1).await.unwrap();
    assert_eq!((texts.len(), capped, texts[0].id), (1, true, ids[1]));
    let yesterday = today - Duration::days(1);
    assert!(store.texts_in_period(&t.leader, yesterday, yesterday, 10).await.unwrap().0.is_empty());
}
