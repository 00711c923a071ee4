//! One intake for every channel, and actions that keep their own photos: a place switched
//! off is refused alike by the public form, the API and an import of records; a progress
//! note's photos stay with that note while someone else acts on the request at the same
//! moment. Real router, real store, both databases.

mod support;

use axum::http::{header, Request, StatusCode};
use gongzhi_app::{Act, AppError};
use gongzhi_domain::{Broken, Command, Role};
use gongzhi_store::testing::{dispatched, manhole, staff, town};
use gongzhi_store::{hash_password, on_both, Imported, Store};
use support::{Browser, CSRF};
use tower::ServiceExt;

on_both!(an_inactive_place_is_refused_on_every_channel, photos_stay_with_their_own_action_under_concurrent_actions);

async fn an_inactive_place_is_refused_on_every_channel(store: Store, _url: String) {
    let t = town(&store).await;
    let hash = hash_password("admin-password").unwrap();
    let admin = store.add_user("admin", "区管理员", Role::Admin, t.district, &hash).await.unwrap();
    store.set_unit_active(&admin.staff(), t.other_community, false, gongzhi_domain::time::now()).await.unwrap();
    let place = t.other_community.to_string();

    // A resident's form, kept open since the community was switched off, is sent back
    // with the reason and everything typed.
    let mut resident = Browser::new(&store);
    let form = [
        ("_csrf", CSRF),
        ("_key", "form-1"),
        ("kind", "complaint"),
        ("unit_id", place.as_str()),
        ("title", "路灯不亮"),
        ("content", "桃源路18号路灯坏了一个多星期"),
        ("phone", "13812341234"),
    ];
    let page = resident.post("/submit", &form).await;
    assert!(page.html.contains("桃源社区") && page.html.contains("路灯坏了一个多星期"), "{}", page.html);
    assert!(!page.html.contains("id=\"tracking-code\""), "no request was made: {}", page.html);

    // The API says the same, by its code.
    let body = serde_json::json!({
        "kind": "complaint", "title": "路灯不亮", "content": "桃源路18号路灯坏了",
        "unit_id": t.other_community, "requester_phone": "13812341234"
    });
    let request = Request::builder()
        .method("POST")
        .uri("/api/v1/requests")
        .header(header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    let response = resident.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(answer["error"]["code"], "unit_inactive", "{answer}");

    // Records imported from elsewhere, as the demo data and historical imports come.
    let mut old =
        gongzhi_domain::Request::submitted(manhole(t.other_community, None), format!("/{}/", t.other_community), 0);
    old.new.channel = gongzhi_domain::Channel::Import;
    let refused = gongzhi_app::import(&store, vec![Imported { request: old, events: vec![] }]).await;
    assert!(matches!(refused, Err(AppError::Rule(Broken::UnitInactive { .. }))), "{refused:?}");

    assert_eq!(store.count_requests().await.unwrap(), 0, "nothing was made on any channel");
}

async fn photos_stay_with_their_own_action_under_concurrent_actions(store: Store, _url: String) {
    let t = town(&store).await;
    let mut handler = Browser::new(&store);
    assert_eq!(handler.login("handler_c1", "demo-password").await.status, StatusCode::SEE_OTHER);
    for round in 0..8u8 {
        let r = dispatched(&store, &t, manhole(t.community, None)).await;
        let r = gongzhi_app::act(&store, Act::new(r.id, None, Command::Claim, staff(&t.handler))).await.unwrap();
        // The handler sends a note with a photo while a supervisor presses the request.
        let mut photo = support::PNG.to_vec();
        photo.push(round);
        let version = r.version.to_string();
        let note = format!("已到现场查看 {round}");
        let path = format!("/work/requests/{}/progress", r.id);
        let fields = [("_csrf", CSRF), ("version", version.as_str()), ("note", note.as_str())];
        let files = [("photos", "site.png", "image/png", photo.as_slice())];
        let press = Command::Press { note: "请加快办理".into(), due: None };
        let (page, pressed) = tokio::join!(
            handler.post_multipart(&path, &fields, &files),
            gongzhi_app::act(&store, Act::new(r.id, None, press, staff(&t.supervisor)))
        );
        pressed.unwrap();
        let events = store.events_of(r.id).await.unwrap();
        let photos = store.photos_of(r.id).await.unwrap();
        match events.iter().find(|e| e.action == "progress") {
            Some(progress) => {
                assert_eq!(photos.len(), 1, "round {round}: {photos:?}");
                assert_eq!(photos[0].event_id, Some(progress.id), "round {round}: the photo is the note's");
            }
            // The press came first and the note met a newer version: neither it nor its
            // photo was kept, and the handler is told.
            None => {
                assert_eq!(page.status, StatusCode::CONFLICT, "round {round}");
                assert!(photos.is_empty(), "round {round}: {photos:?}");
            }
        }
    }
}
