//! Coordinates of a request: a phone sends where the problem is, the dispatcher reads
//! it on the request, the audit holds it, bad coordinates are refused by name, and two
//! alike reports are duplicates only where they are close. Real router, both databases.

mod support;

use axum::http::{header, Request, StatusCode};
use gongzhi_store::testing::{town, Town};
use gongzhi_store::{on_both, Store};
use serde_json::{json, Value};
use sqlx::{AnyConnection, Connection};
use support::{Browser, Page};

on_both!(
    a_phone_s_coordinates_are_kept_shown_and_audited,
    coordinates_off_the_earth_are_refused_by_name,
    alike_reports_are_duplicates_only_where_they_are_close,
);

/// Near 柳湾路 in the test town; a few metres of latitude are 0.00001°.
const LAT: f64 = 28.228_3;
const LONG: f64 = 112.938_8;

fn submission(t: &Town, content: &str, phone: &str, location: Option<(f64, f64)>) -> Value {
    let mut body = json!({
        "kind": "complaint",
        "title": "井盖缺失",
        "content": content,
        "unit_id": t.community,
        "requester_phone": phone,
    });
    if let Some((lat, long)) = location {
        body["location"] = json!({ "lat": lat, "long": long });
    }
    body
}

async fn post_json(b: &mut Browser, path: &str, body: Value) -> Page {
    let request = Request::builder().method("POST").uri(path).header(header::CONTENT_TYPE, "application/json");
    b.send(request, body.to_string().into_bytes()).await
}

fn json_of(page: &Page) -> Value {
    serde_json::from_slice(&page.bytes).unwrap_or(Value::Null)
}

async fn a_phone_s_coordinates_are_kept_shown_and_audited(store: Store, url: String) {
    let t = town(&store).await;
    let mut resident = Browser::new(&store);
    let body = submission(&t, "柳湾路8号门口井盖缺失", "13811110001", Some((LAT, LONG)));
    let sent = post_json(&mut resident, "/api/v1/requests", body).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.html);
    let id = json_of(&sent)["id"].as_i64().unwrap();

    // The API gives them back as sent.
    let token = store.create_api_token("dispatcher", "test").await.unwrap();
    let request =
        Request::builder().uri(format!("/api/v1/requests/{id}")).header("authorization", format!("Bearer {token}"));
    let detail = json_of(&resident.send(request, vec![]).await);
    assert_eq!(detail["location"], json!({ "lat": LAT, "long": LONG }), "{detail}");

    // The dispatcher reads them on the request's page, in words.
    let mut dispatcher = Browser::new(&store);
    dispatcher.login("dispatcher", "demo-password").await;
    let page = dispatcher.get(&format!("/work/requests/{id}")).await;
    assert!(page.html.contains("位置 纬度 28.228300，经度 112.938800"), "{}", page.html);

    // A request without coordinates says nothing of them.
    let plain =
        post_json(&mut resident, "/api/v1/requests", submission(&t, "桃源街路灯不亮", "13811110002", None)).await;
    let plain = json_of(&plain)["id"].as_i64().unwrap();
    assert!(!dispatcher.get(&format!("/work/requests/{plain}")).await.html.contains("id=\"location\""));

    // The submission's event holds them: the audit finds the row as the events say, and
    // a coordinate moved afterwards in the database is named.
    assert_eq!(store.replay().await.unwrap().mismatch_count, 0);
    let mut conn = AnyConnection::connect(&url).await.unwrap();
    sqlx::query("UPDATE requests SET lat = $1 WHERE id = $2")
        .bind(LAT + 0.01)
        .bind(id)
        .execute(&mut conn)
        .await
        .unwrap();
    let report = store.replay().await.unwrap();
    assert_eq!(report.mismatch_count, 1, "{report:?}");
    assert_eq!((report.mismatches[0].request_id, report.mismatches[0].field.as_str()), (id, "lat"));
}

async fn coordinates_off_the_earth_are_refused_by_name(store: Store, _url: String) {
    let t = town(&store).await;
    let mut resident = Browser::new(&store);
    for (lat, long, field) in [(91.0, LONG, "纬度"), (LAT, -180.5, "经度")] {
        let sent =
            post_json(&mut resident, "/api/v1/requests", submission(&t, "井盖缺失", "13811110001", Some((lat, long))))
                .await;
        assert_eq!(sent.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", sent.html);
        let error = &json_of(&sent)["error"];
        assert_eq!(error["code"], "invalid_value");
        assert!(error["message"].as_str().unwrap().contains(field), "{error}");
    }
    // Half a point, or a point with words in it, is not a point.
    let mut half = submission(&t, "井盖缺失", "13811110001", None);
    half["location"] = json!({ "lat": LAT });
    assert_eq!(post_json(&mut resident, "/api/v1/requests", half).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut words = submission(&t, "井盖缺失", "13811110001", None);
    words["location"] = json!({ "lat": "north", "long": LONG });
    assert_eq!(post_json(&mut resident, "/api/v1/requests", words).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let list = store.list(&t.dispatcher, &Default::default(), gongzhi_domain::time::now()).await.unwrap();
    assert!(list.items.is_empty(), "nothing was taken in");
}

async fn alike_reports_are_duplicates_only_where_they_are_close(store: Store, _url: String) {
    let t = town(&store).await;
    let mut resident = Browser::new(&store);
    let text = "柳湾路8号门口井盖缺失一个多星期，晚上有老人差点踩空，请尽快补装井盖";
    let mut send = async |content: &str, phone: &str, location: Option<(f64, f64)>| {
        let sent = post_json(&mut resident, "/api/v1/requests", submission(&t, content, phone, location)).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.html);
        json_of(&sent)["id"].as_i64().unwrap()
    };
    let first = send(text, "13811110001", Some((LAT, LONG))).await;
    // The same words two kilometres north: another manhole.
    let far = send(text, "13811110002", Some((LAT + 0.019, LONG))).await;
    // Other words about a spot fifty metres off, and the same other words without a place.
    let reworded = "柳湾路8号的井盖没有了，晚上老人差点踩空，快来补装";
    let near = send(reworded, "13811110003", Some((LAT + 0.000_45, LONG))).await;
    let unplaced = send(reworded, "13811110004", None).await;

    let duplicates = async |id: i64| -> Vec<(i64, f64)> {
        let suggestion = store.suggestion(id).await.unwrap();
        suggestion.map(|s| s.suggested.duplicates.iter().map(|d| (d.id, d.similarity)).collect()).unwrap_or_default()
    };
    assert!(!duplicates(far).await.iter().any(|(id, _)| *id == first), "two kilometres apart is another problem");
    let near_found = duplicates(near).await;
    let near_similarity = near_found.iter().find(|(id, _)| *id == first).map(|(_, s)| *s);
    assert!(near_similarity.is_some(), "{near_found:?}");
    assert!(!near_found.iter().any(|(id, _)| *id == far), "{near_found:?}");
    let unplaced_similarity =
        duplicates(unplaced).await.iter().find(|(id, _)| *id == first).map(|(_, s)| *s).unwrap_or(0.0);
    assert!(near_similarity.unwrap() > unplaced_similarity, "{near_similarity:?} vs {unplaced_similarity}");
}
