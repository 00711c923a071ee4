//! Who takes a request and who works on it: the places and units intake and dispatch
//! accept on every channel. Each story runs on SQLite and PostgreSQL.

use gongzhi_domain::*;
use gongzhi_store::testing::{manhole, staff, town};
use gongzhi_store::{hash_password, on_both, Store, StoreError};

on_both!(only_active_places_take_requests_and_only_active_units_take_work,);

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
