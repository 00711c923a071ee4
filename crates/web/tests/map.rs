//! The map and the big screen over HTTP, on both databases: a leader's map counts the
//! open located requests of their subdistrict and never another's, a bad viewport is
//! refused in Chinese, the intake desk's coordinates are kept, the request page draws
//! where it is, tiles come only from the configured server, and the big screen's numbers
//! are those of `/api/v1/stats`.

mod support;

use axum::http::{header, Request as HttpRequest, StatusCode};
use chrono::Duration;
use gongzhi_domain::geo::Point;
use gongzhi_domain::time::{self, DAY};
use gongzhi_domain::*;
use gongzhi_store::testing::{manhole, month_of_work, town, Town};
use gongzhi_store::{hash_password, on_both, Imported, Store};
use gongzhi_web::pages::map::MapTiles;
use gongzhi_web::WebConfig;
use serde_json::Value;
use support::{Browser, CSRF};

on_both!(
    a_leader_s_map_counts_their_subdistrict_and_never_another_s,
    bad_viewports_are_refused_in_chinese,
    the_desk_s_pin_is_kept_and_the_request_page_shows_it,
    tiles_come_only_from_the_configured_server,
    the_big_screen_shows_the_figures_of_the_stats_api,
);

/// One grid cell at zoom 10; a box round it.
const NEAR: (f64, f64) = (28.20, 112.90);
const AROUND: &str = "112.5,28.0,113.5,28.8";

fn json_of(page: &support::Page) -> Value {
    serde_json::from_slice(&page.bytes).unwrap_or(Value::Null)
}

/// What `/api/v1/stats` says of the caller's unit for a period.
async fn stats(b: &mut Browser, from: &str, to: &str) -> Value {
    json_of(&b.get(&format!("/api/v1/stats?from={from}&to={to}")).await)
}

/// `count` open located requests of `unit`, one in ten overdue.
async fn located(store: &Store, unit: i64, count: usize) -> Vec<i64> {
    let path = store.unit(unit).await.unwrap().path;
    let now = time::now();
    let batch = (0..count)
        .map(|n| {
            let mut new = manhole(unit, None);
            new.location =
                Some(Point { lat: NEAR.0 + (n % 17) as f64 * 0.0005, long: NEAR.1 + (n % 13) as f64 * 0.0005 });
            let mut request = Request::submitted(new, path.clone(), now - DAY);
            if n % 10 == 0 {
                request.status = Status::InProgress;
                request.assignee_unit_id = Some(unit);
                request.assignee_path = Some(path.clone());
                request.resolve_by = Some(now - DAY / 2);
            }
            Imported { request, events: vec![] }
        })
        .collect();
    store.import(batch).await.unwrap()
}

/// A second subdistrict with a community and a leader of its own.
async fn second_subdistrict(store: &Store, t: &Town) -> i64 {
    let street = store.add_unit(Some(t.district), UnitKind::Subdistrict, "S2", "白沙街道").await.unwrap();
    let community = store.add_unit(Some(street.id), UnitKind::Community, "C9", "白沙社区").await.unwrap();
    let hash = hash_password("demo-password").unwrap();
    store.add_user("leader_s2", "白沙街道负责人", Role::Leader, street.id, &hash).await.unwrap();
    community.id
}

async fn a_leader_s_map_counts_their_subdistrict_and_never_another_s(store: Store, _url: String) {
    let t = town(&store).await;
    let other = second_subdistrict(&store, &t).await;
    let ours = located(&store, t.community, 350).await;
    let theirs = located(&store, other, 40).await;

    let mut leader = Browser::new(&store);
    leader.login("leader_s1", "demo-password").await;
    // The map page is reached from the menu and from the overview.
    assert!(leader.get("/work/overview").await.html.contains("href=\"/work/map\""));
    let page = leader.get("/work/map").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("诉求地图") && page.html.contains("id=\"map-no-tiles\""), "{}", page.html);

    // Zoomed out: one cluster of all 350, 35 of them overdue.
    let view = json_of(&leader.get(&format!("/work/map/points?bbox={AROUND}&zoom=10")).await);
    assert_eq!(view["kind"], "clusters", "{view}");
    let clusters = view["items"].as_array().unwrap();
    assert_eq!(clusters.len(), 1, "{view}");
    assert_eq!((clusters[0]["count"].as_i64(), clusters[0]["overdue"].as_i64()), (Some(350), Some(35)));

    // The other subdistrict's leader, in the same place, sees only their 40, one by one.
    let mut neighbour = Browser::new(&store);
    neighbour.login("leader_s2", "demo-password").await;
    let view = json_of(&neighbour.get(&format!("/work/map/points?bbox={AROUND}&zoom=10")).await);
    assert_eq!(view["kind"], "points", "{view}");
    let mut seen: Vec<i64> = view["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    seen.sort_unstable();
    assert_eq!(seen, theirs);
    assert!(view["items"].as_array().unwrap().iter().all(|p| p["number"].as_str().is_some_and(|n| !n.is_empty())));
    assert_eq!(view["items"].as_array().unwrap().iter().filter(|p| p["overdue"] == true).count(), 4);
    // Zoomed right in on a spot both have requests at: still only their own.
    let spot = format!(
        "/work/map/points?bbox={},{},{},{}&zoom=19",
        NEAR.1 - 0.0001,
        NEAR.0 - 0.0001,
        NEAR.1 + 0.0001,
        NEAR.0 + 0.0001
    );
    let view = json_of(&neighbour.get(&spot).await);
    assert!(view["items"].as_array().unwrap().iter().all(|p| !ours.contains(&p["id"].as_i64().unwrap())), "{view}");
    let view = json_of(&leader.get(&spot).await);
    assert!(view["items"].as_array().unwrap().iter().all(|p| !theirs.contains(&p["id"].as_i64().unwrap())), "{view}");
    assert!(!view["items"].as_array().unwrap().is_empty());

    // The district's dispatcher sees both subdistricts.
    let mut dispatcher = Browser::new(&store);
    dispatcher.login("dispatcher", "demo-password").await;
    let view = json_of(&dispatcher.get(&format!("/work/map/points?bbox={AROUND}&zoom=10")).await);
    assert_eq!(view["items"][0]["count"], 390, "{view}");

    // The filters: requests since tomorrow, or of a category none has, are none.
    let tomorrow = time::local_date(time::now()) + Duration::days(1);
    let view = json_of(&leader.get(&format!("/work/map/points?bbox={AROUND}&zoom=10&since={tomorrow}")).await);
    assert_eq!(view["items"], serde_json::json!([]), "{view}");
    let view = json_of(&leader.get(&format!("/work/map/points?bbox={AROUND}&zoom=10&category={}", t.category)).await);
    assert_eq!(view["items"], serde_json::json!([]), "{view}");
}

async fn bad_viewports_are_refused_in_chinese(store: Store, _url: String) {
    town(&store).await;
    let mut anonymous = Browser::new(&store);
    assert_eq!(
        anonymous.get(&format!("/work/map/points?bbox={AROUND}&zoom=10")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(anonymous.get("/work/map").await.location().starts_with("/login"));

    let mut leader = Browser::new(&store);
    leader.login("leader_s1", "demo-password").await;
    for (query, words) in [
        ("bbox=1,2,3&zoom=5", "四个数"),
        ("bbox=a,b,c,d&zoom=5", "四个数"),
        ("bbox=1,2,3,NaN&zoom=5", "四个数"),
        ("zoom=5", "四个数"),
        ("bbox=3,2,1,4&zoom=5", "西边界应小于东边界"),
        (&format!("bbox={AROUND}&zoom=99"), "缩放级别"),
        (&format!("bbox={AROUND}"), "缩放级别"),
        (&format!("bbox={AROUND}&zoom=10&category=x"), "分类"),
        (&format!("bbox={AROUND}&zoom=10&since=2026-13-01"), "YYYY-MM-DD"),
    ] {
        let page = leader.get(&format!("/work/map/points?{query}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}: {}", page.html);
        let message = json_of(&page)["error"]["message"].as_str().unwrap_or_default().to_string();
        assert!(message.contains(words), "{query}: {message}");
    }
    // A box reaching past the poles is cut to the earth, not refused.
    let page = leader.get("/work/map/points?bbox=-540,-100,540,100&zoom=0").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
}

async fn the_desk_s_pin_is_kept_and_the_request_page_shows_it(store: Store, _url: String) {
    let t = town(&store).await;
    let mut operator = Browser::new(&store);
    operator.login("operator", "demo-password").await;
    let desk = operator.get("/work/intake").await;
    assert!(desk.html.contains("id=\"intake-map\"") && desk.html.contains("name=\"lat\""), "{}", desk.html);

    let community = t.community.to_string();
    let mut call = vec![
        ("_csrf", CSRF),
        ("_key", "pin-1"),
        ("channel", "hotline"),
        ("phone", "13812341234"),
        ("kind", "complaint"),
        ("title", "柳湾路井盖缺失"),
        ("content", "柳湾路18号门口井盖缺失，晚上很危险。"),
        ("unit_id", community.as_str()),
        ("address", "柳湾路18号"),
        ("name", "王女士"),
        ("lat", "28.2283"),
        ("long", "北纬"),
    ];
    // A longitude that is not a number is refused beside its field, and nothing saved.
    let before = store.max_request_id().await.unwrap();
    let refused = operator.post("/work/intake", &call).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.html);
    assert!(refused.html.contains("id=\"error-long\""), "{}", refused.html);
    assert_eq!(store.max_request_id().await.unwrap(), before);

    call.retain(|(name, _)| *name != "long");
    call.push(("long", "112.9388"));
    let saved = operator.post("/work/intake", &call).await;
    assert!(saved.status.is_success() || saved.status.is_redirection(), "{}", saved.html);
    let id = store.max_request_id().await.unwrap();
    let request = store.request(id, &t.dispatcher).await.unwrap();
    assert_eq!(request.new.location, Some(Point { lat: 28.2283, long: 112.9388 }));

    // Its page draws it on a small map, with the map's script and styles.
    let mut dispatcher = Browser::new(&store);
    dispatcher.login("dispatcher", "demo-password").await;
    let page = dispatcher.get(&format!("/work/requests/{id}")).await;
    assert!(page.html.contains("id=\"request-map\"") && page.html.contains("data-lat=\"28.2283\""), "{}", page.html);
    assert!(page.html.contains("/assets/leaflet.js") && page.html.contains("/assets/leaflet.css"));
    for asset in ["leaflet.js", "leaflet.css", "map.js", "screen.js"] {
        assert_eq!(dispatcher.get(&format!("/assets/{asset}")).await.status, StatusCode::OK, "{asset}");
    }
}

async fn tiles_come_only_from_the_configured_server(store: Store, _url: String) {
    town(&store).await;
    let mut plain = Browser::new(&store);
    plain.login("leader_s1", "demo-password").await;
    let page = plain.get("/work/map").await;
    let policy = page.headers.get("content-security-policy").unwrap().to_str().unwrap().to_string();
    assert!(policy.contains("img-src 'self' data:;"), "{policy}");
    assert!(page.html.contains("data-tiles=\"\""));

    let tiles = MapTiles::new("http://127.0.0.1:9999/tiles/{z}/{x}/{y}.png", "© 区测绘院").unwrap();
    let mut tiled = Browser::with_config(&store, WebConfig { map_tiles: Some(tiles), ..WebConfig::default() });
    tiled.login("leader_s1", "demo-password").await;
    let page = tiled.get("/work/map").await;
    let policy = page.headers.get("content-security-policy").unwrap().to_str().unwrap().to_string();
    assert!(policy.contains("img-src 'self' data: http://127.0.0.1:9999;"), "{policy}");
    assert!(page.html.contains("data-tiles=\"http://127.0.0.1:9999/tiles/{z}/{x}/{y}.png\""), "{}", page.html);
    assert!(page.html.contains("© 区测绘院") && !page.html.contains("id=\"map-no-tiles\""));
}

async fn the_big_screen_shows_the_figures_of_the_stats_api(store: Store, _url: String) {
    let t = town(&store).await;
    month_of_work(&store, &t).await;
    let mut leader = Browser::new(&store);
    leader.login("leader_s1", "demo-password").await;
    let page = leader.get("/work/screen").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("指挥中心大屏") && page.html.contains("id=\"screen-data\""), "{}", page.html);

    let screen = json_of(&leader.get("/work/screen/data").await);
    let [today, from, to] = ["today", "from", "to"].map(|k| screen[k].as_str().unwrap().to_string());
    assert_eq!(screen["unit"], "青石街道");
    let today_stats = stats(&mut leader, &today, &today).await;
    let period_stats = stats(&mut leader, &from, &to).await;
    assert_eq!(screen["today_measures"], today_stats["measures"], "today");
    assert_eq!(screen["measures"], period_stats["measures"], "the period");
    assert!(screen["measures"]["intake"].as_i64().unwrap() > 0);
    assert!(!screen["trend"]["days"].as_array().unwrap().is_empty());
    assert!(!screen["ranking"].as_array().unwrap().is_empty());

    // A resident reports something: today's intake on the screen goes up by one.
    let mut resident = Browser::new(&store);
    let body = serde_json::json!({
        "kind": "complaint", "title": "路灯不亮", "content": "桃源街路灯不亮已经三天", "unit_id": t.community,
        "requester_phone": "13811110009",
    });
    let request =
        HttpRequest::builder().method("POST").uri("/api/v1/requests").header(header::CONTENT_TYPE, "application/json");
    assert_eq!(resident.send(request, body.to_string().into_bytes()).await.status, StatusCode::CREATED);
    let after = json_of(&leader.get("/work/screen/data").await);
    assert_eq!(after["today_measures"]["intake"].as_i64(), screen["today_measures"]["intake"].as_i64().map(|n| n + 1));
    assert_eq!(after["today_measures"], stats(&mut leader, &today, &today).await["measures"]);
}
