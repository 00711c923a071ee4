//! Whatever a client sends, the server answers with a 4xx and goes on: thousands of
//! malformed, truncated and random requests, none of which may get a 5xx or change data.

use axum::body::Body;
use axum::http::{header, Request};
use gongzhi_store::testing::town;
use gongzhi_store::Backend;
use gongzhi_web::{router, AppState, WebConfig};
use tower::ServiceExt;

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
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_input_gets_a_server_error() {
    let (store, _) = gongzhi_store::testing::fresh(Backend::Sqlite).await;
    town(&store).await;
    let token = store.create_api_token("operator", "noise").await.unwrap();
    let app = router(AppState::new(store.clone(), WebConfig { track_attempts: 1_000_000, ..WebConfig::default() }));
    let mut noise = Noise(7);
    for round in 0..2_000 {
        let method = noise.pick(&["GET", "POST", "PUT", "DELETE", "PATCH"]);
        let path = noise.pick(PATHS);
        let body = if noise.next().is_multiple_of(3) { noise.text() } else { noise.pick(BODIES).to_string() };
        let mut request = Request::builder().method(method).uri(path);
        if noise.next().is_multiple_of(2) {
            request = request.header(
                header::CONTENT_TYPE,
                noise.pick(&["application/json", "text/plain", "application/json; charset=gbk"]),
            );
        }
        if noise.next().is_multiple_of(2) {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = app.clone().oneshot(request.body(Body::from(body.clone())).unwrap()).await.unwrap();
        assert!(response.status().as_u16() < 500, "round {round}: {method} {path} {body:?} -> {}", response.status());
    }
    assert_eq!(store.count_requests().await.unwrap(), 0, "noise created nothing");
    assert!(store.verify_chain().await.unwrap().is_intact());
}
