//! Whatever a client sends, the server answers with a 4xx and goes on: thousands of
//! malformed, truncated and random requests, none of which may get a 5xx or change data;
//! and text holding U+0000 or far too long is refused alike on SQLite and PostgreSQL,
//! which takes neither.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use gongzhi_store::testing::{manhole, town};
use gongzhi_store::{on_both, Store};
use gongzhi_web::{router, AppState, WebConfig};
use serde_json::json;
use support::{Browser, CSRF};
use tower::ServiceExt;

on_both!(no_input_gets_a_server_error, nul_and_overlong_values_are_refused_alike);

/// A small deterministic generator, so a failure can be replayed.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() as usize % items.len()]
    }

    fn text(&mut self) -> String {
        let len = self.next() % 40;
        (0..len).map(|_| char::from_u32((self.next() % 0x3000) as u32).unwrap_or('?')).collect()
    }
}

const PATHS: &[&str] = &[
    "/api/v1/requests",
    "/api/v1/requests/1",
    "/api/v1/requests/1/accept",
    "/api/v1/requests/1/dispatch",
    "/api/v1/requests/-1/claim",
    "/api/v1/requests/99999999999999999999/resolve",
    "/api/v1/requests/1/%E4%BD%A0",
    "/api/v1/track/ABC",
    "/api/v1/track/ABC/evaluate",
    "/api/v1/track/ABC/reopen",
    "/api/v1/stats",
    "/api/v1/stats?unit=1&from=2026-01-01&to=2025-01-01",
    "/api/v1/queues/nope",
    "/api/v1/login",
    "/api/v1/requests?limit=-5",
    "/api/v1/requests?cursor=9.9.9",
    "/api/v1/requests?created_from=yesterday",
    "/api/v1/requests?q=%00",
    "/api/v1/requests/%00",
    "/api/v1/track/%00",
    "/api/v1/track/AB%00CD/evaluate",
    "/api/v1/track/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "/track?code=%00",
    "/track/%00",
    "/track/AB%00/evaluate",
    "/login",
    "/submit",
];

const BODIES: &[&str] = &[
    "",
    "{",
    "[]",
    "null",
    "{\"version\": \"one\"}",
    "{\"version\": 1}",
    "{\"version\": 9007199254740993}",
    "{\"kind\": \"complaint\", \"title\": 5}",
    "{\"login\": [], \"password\": {}}",
    "{\"version\": 1, \"unit_id\": -1}",
    "{\"version\": 1, \"until\": -99999999999999}",
    "{\"solved\": \"yes\"}",
    "\u{0}\u{1}",
    "{\"login\": \"oper\\u0000ator\", \"password\": \"demo-password\"}",
    "{\"kind\": \"help\", \"title\": \"\\u0000\", \"content\": \"x\", \"unit_id\": 3, \"requester_phone\": \"1\"}",
    "{\"version\": 1, \"note\": \"a\\u0000b\"}",
    "{\"solved\": true, \"satisfaction\": \"satisfied\", \"comment\": \"\\u0000\"}",
    "login=oper%00ator&password=x&_csrf=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "title=%00&content=x&unit_id=3&phone=1&_csrf=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
];

async fn no_input_gets_a_server_error(store: Store, _url: String) {
    town(&store).await;
    let token = store.create_api_token("operator", "noise").await.unwrap();
    let app = router(AppState::new(store.clone(), WebConfig { track_attempts: 1_000_000, ..WebConfig::default() }));
    let long_login = format!("{{\"login\": \"{}\", \"password\": \"x\"}}", "a".repeat(3_000));
    let mut noise = Noise(7);
    for round in 0..2_000 {
        let method = noise.pick(&["GET", "POST", "PUT", "DELETE", "PATCH"]);
        let path = noise.pick(PATHS);
        let body = match noise.next() % 6 {
            0 | 1 => noise.text(),
            2 => long_login.clone(),
            _ => noise.pick(BODIES).to_string(),
        };
        let mut request = Request::builder().method(method).uri(path);
        if noise.next().is_multiple_of(2) {
            request = request.header(
                header::CONTENT_TYPE,
                noise.pick(&[
                    "application/json",
                    "text/plain",
                    "application/json; charset=gbk",
                    "application/x-www-form-urlencoded",
                ]),
            );
        }
        if noise.next().is_multiple_of(2) {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if noise.next().is_multiple_of(4) {
            request = request.header("idempotency-key", "k".repeat(1 + (noise.next() % 3_000) as usize));
        }
        let response = app.clone().oneshot(request.body(Body::from(body.clone())).unwrap()).await.unwrap();
        let shown: String = body.chars().take(200).collect();
        assert!(response.status().as_u16() < 500, "round {round}: {method} {path} {shown:?} -> {}", response.status());
    }
    assert_eq!(store.count_requests().await.unwrap(), 0, "noise created nothing");
    assert!(store.verify_chain().await.unwrap().is_intact());
}

async fn status(app: &Router, request: axum::http::request::Builder, body: impl Into<Body>) -> StatusCode {
    app.clone().oneshot(request.body(body.into()).unwrap()).await.unwrap().status()
}

fn json_post(path: &str) -> axum::http::request::Builder {
    Request::post(path).header(header::CONTENT_TYPE, "application/json")
}

async fn nul_and_overlong_values_are_refused_alike(store: Store, _url: String) {
    let t = town(&store).await;
    let r = store.create(manhole(t.community, None), None, gongzhi_domain::Actor::Requester).await.unwrap().request;
    let token = store.create_api_token("handler_c1", "robustness").await.unwrap();
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    let long = "a".repeat(3_000);
    let submission = |field: &str, value: &str| {
        let mut body = json!({
            "kind": "complaint", "title": "井盖缺失", "content": "井盖缺失一个多星期",
            "unit_id": t.community, "requester_phone": "13812341234"
        });
        body[field] = json!(value);
        body.to_string()
    };

    // The API: a U+0000 in any text field, a login far too long, a key far too long.
    for field in ["title", "content", "address", "requester_name"] {
        let nul = status(&app, json_post("/api/v1/requests"), submission(field, "柳湾\u{0}社区")).await;
        assert_eq!(nul, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let overlong = status(&app, json_post("/api/v1/requests"), submission(field, &"长".repeat(20_000))).await;
        assert!(overlong.is_client_error(), "{field}: {overlong}");
    }
    for login in ["oper\u{0}ator", long.as_str(), "", "运营"] {
        let body = json!({ "login": login, "password": "demo-password" }).to_string();
        assert_eq!(
            status(&app, json_post("/api/v1/login"), body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{login:.20}"
        );
    }
    let body = json!({ "login": "operator", "password": "demo\u{0}" }).to_string();
    assert_eq!(status(&app, json_post("/api/v1/login"), body).await, StatusCode::UNPROCESSABLE_ENTITY);
    let keyed = json_post("/api/v1/requests").header("idempotency-key", &long);
    assert_eq!(status(&app, keyed, submission("title", "井盖")).await, StatusCode::BAD_REQUEST);
    let bearer = Request::get("/api/v1/me").header(header::AUTHORIZATION, format!("Bearer {long}"));
    assert_eq!(status(&app, bearer, Body::empty()).await, StatusCode::UNAUTHORIZED);
    let staff = |path: String| json_post(&path).header(header::AUTHORIZATION, format!("Bearer {token}"));
    let note = json!({ "version": 1, "note": "a\u{0}b" }).to_string();
    assert_eq!(
        status(&app, staff(format!("/api/v1/requests/{}/progress", r.id)), note).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let search = Request::get("/api/v1/requests?q=%E4%BA%95%00%E7%9B%96")
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    assert_eq!(status(&app, search, Body::empty()).await, StatusCode::BAD_REQUEST);
    assert_eq!(status(&app, Request::get("/api/v1/track/K7M2%00QX9PRA"), Body::empty()).await, StatusCode::BAD_REQUEST);
    assert_eq!(status(&app, Request::get(format!("/api/v1/track/{long}")), Body::empty()).await, StatusCode::NOT_FOUND);
    let evaluate = json!({ "solved": true, "satisfaction": "satisfied", "comment": "\u{0}" }).to_string();
    let path = format!("/api/v1/track/{}/evaluate", r.tracking_code);
    assert_eq!(status(&app, json_post(&path), evaluate).await, StatusCode::UNPROCESSABLE_ENTITY);

    // The pages: forms, plain or with photos, and addresses typed by hand.
    let mut resident = Browser::new(&store);
    for path in ["/track?code=%00", "/track/K7M2%00QX9PRA"] {
        assert_eq!(resident.get(path).await.status, StatusCode::BAD_REQUEST, "{path}");
    }
    assert_eq!(resident.get(&format!("/track/{long}")).await.status, StatusCode::NOT_FOUND);
    let nul_form = [("_csrf", CSRF), ("kind", "complaint"), ("title", "井盖\u{0}"), ("content", "x"), ("phone", "1")];
    let unit = t.community.to_string();
    let nul_form = [nul_form.as_slice(), &[("unit_id", unit.as_str())]].concat();
    // Refused, a form comes back as it was typed, less the character, and says why.
    for refused in [resident.post("/submit", &nul_form).await, resident.post_multipart("/submit", &nul_form, &[]).await]
    {
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.html.contains("输入中含有不允许的字符"), "{}", refused.html);
        assert!(refused.html.contains("value=\"井盖\""), "the title is kept: {}", refused.html);
    }
    let login = resident.post("/login", &[("_csrf", CSRF), ("login", "oper\u{0}ator"), ("password", "x")]).await;
    assert_eq!(login.status, StatusCode::BAD_REQUEST);
    let login = resident.post("/login", &[("_csrf", CSRF), ("login", &long), ("password", "x")]).await;
    assert_eq!(login.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(login.html.contains("用户名只能包含字母、数字、下划线、点或连字符"), "{}", login.html);
    assert!(login.html.contains(&long), "what was typed is kept");
    let evaluate = format!("/track/{}/evaluate", r.tracking_code);
    let form = [("_csrf", CSRF), ("solved", "yes"), ("satisfaction", "satisfied"), ("comment", "太\u{0}慢")];
    let refused = resident.post(&evaluate, &form).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains("输入中含有不允许的字符"), "{}", refused.html);

    let mut handler = Browser::new(&store);
    handler.login("handler_c1", "demo-password").await;
    // Work in hand, so that its page offers the progress form to come back to.
    let claimed = gongzhi_store::testing::dispatched(&store, &t, manhole(t.community, None)).await;
    let claim = gongzhi_domain::lifecycle::Command::Claim;
    let claimed = store.act(claimed.id, None, claim, gongzhi_store::testing::staff(&t.handler)).await.unwrap();
    let progress = format!("/work/requests/{}/progress", claimed.id);
    let version = claimed.version.to_string();
    let form = [("_csrf", CSRF), ("version", version.as_str()), ("note", "已到\u{0}现场")];
    for refused in [handler.post(&progress, &form).await, handler.post_multipart(&progress, &form, &[]).await] {
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.html.contains("已到现场"), "the note is kept: {}", refused.html);
    }
    // A session cookie far too long is no session.
    let mut stale = Browser::new(&store);
    stale.cookies.push(format!("gongzhi_session={long}"));
    assert_eq!(stale.get("/work").await.status, StatusCode::SEE_OTHER);

    assert_eq!(store.count_requests().await.unwrap(), 2, "nothing was made of it");
    let unchanged = store.request(claimed.id, &t.handler).await.unwrap().version;
    assert_eq!(unchanged, claimed.version, "the work in hand has no new note");
    assert_eq!(store.request(r.id, &t.handler).await.unwrap().version, 1, "nor changed");
    assert!(store.verify_chain().await.unwrap().is_intact());
}
