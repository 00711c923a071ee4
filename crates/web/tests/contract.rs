//! Answers keep to their contract: every error under `/api/v1` has the documented JSON
//! shape and a status that means what docs/api.md says; page actions answer the status of
//! what went wrong; redirects stay on the site; `/metrics` stays bounded and can be
//! protected, and counts the writer, the pool and the work done; every answer carries a
//! request id that every log line of the request carries too; assets travel compressed
//! and are revalidated by ETag. On SQLite and PostgreSQL.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use gongzhi_domain::{Actor, Channel, Command};
use gongzhi_store::testing::{manhole, town};
use gongzhi_store::{on_both, Store};
use gongzhi_web::{metrics_router, router, AppState, WebConfig};
use serde_json::Value;
use support::{Browser, CSRF};
use tower::ServiceExt;

on_both!(
    api_errors_have_the_documented_shape,
    a_lookup_always_answers_with_somewhere_to_go,
    page_actions_answer_the_status_of_their_refusal,
    the_language_switch_goes_back_only_to_this_site,
    metrics_stay_bounded_and_can_be_protected,
    metrics_count_the_writer_the_pool_and_the_work,
    assets_travel_compressed_and_are_revalidated,
);

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
    text: String,
}

async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Answer { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null), text }
}

fn with_token(method: &str, path: &str, token: &str) -> axum::http::request::Builder {
    Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"))
}

/// The documented shape: `{"error": {"code", "message" (Chinese), "message_en"}}`.
fn assert_shape(answer: &Answer, status: StatusCode, code: &str, at: &str) {
    assert_eq!(answer.status, status, "{at}: {}", answer.text);
    let content_type = answer.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("application/json"), "{at}: {content_type}");
    assert_eq!(answer.body["error"]["code"], code, "{at}: {}", answer.text);
    let message = answer.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{at}: Chinese first: {message}");
    assert!(answer.body["error"]["message_en"].as_str().is_some_and(|m| !m.is_empty()), "{at}");
}

async fn api_errors_have_the_documented_shape(store: Store, _url: String) {
    town(&store).await;
    let token = store.create_api_token("operator", "contract").await.unwrap();
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    let get = |path: &str| with_token("GET", path, &token).body(Body::empty()).unwrap();

    for path in ["/api/v1/requests/abc", "/api/v1/requests/99999999999999999999", "/api/v1/bulletins/1.5"] {
        assert_shape(&send(&app, get(path)).await, StatusCode::BAD_REQUEST, "bad_request", path);
    }
    for path in ["/api/v1/requests?limit=many", "/api/v1/requests?colour=red", "/api/v1/queues/claim?limit=-1"] {
        assert_shape(&send(&app, get(path)).await, StatusCode::BAD_REQUEST, "invalid_query", path);
    }
    // A method the route does not take: 405, saying which it does.
    let wrong = send(&app, with_token("DELETE", "/api/v1/requests", &token).body(Body::empty()).unwrap()).await;
    assert_shape(&wrong, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "DELETE /api/v1/requests");
    assert!(wrong.headers.get(header::ALLOW).is_some(), "the Allow header stays");
    let odd = send(&app, Request::builder().method("BREW").uri("/api/v1/track/ABC").body(Body::empty()).unwrap()).await;
    assert_shape(&odd, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "BREW /api/v1/track/ABC");
    // Bodies: not JSON, cut short, with a U+0000, too large.
    let post = |body: String| {
        with_token("POST", "/api/v1/requests", &token)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    assert_shape(&send(&app, post("{\"kind\": ".into())).await, StatusCode::BAD_REQUEST, "malformed_json", "cut");
    let nul = r#"{"kind": "help", "title": "a\u0000b", "content": "x", "unit_id": 1}"#;
    assert_shape(&send(&app, post(nul.into())).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_text", "nul");
    let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(300 * 1024));
    assert_shape(&send(&app, post(huge)).await, StatusCode::PAYLOAD_TOO_LARGE, "too_large", "huge");
    let plain =
        with_token("POST", "/api/v1/requests", &token).header(header::CONTENT_TYPE, "text/plain").body(Body::from("x"));
    assert_shape(&send(&app, plain.unwrap()).await, StatusCode::UNSUPPORTED_MEDIA_TYPE, "content_type", "text");
    // No such endpoint, and no credentials.
    assert_shape(&send(&app, get("/api/v1/nothing")).await, StatusCode::NOT_FOUND, "no_such_endpoint", "nothing");
    let anonymous = send(&app, Request::get("/api/v1/requests").body(Body::empty()).unwrap()).await;
    assert_shape(&anonymous, StatusCode::UNAUTHORIZED, "unauthorized", "anonymous");
}

async fn a_lookup_always_answers_with_somewhere_to_go(store: Store, _url: String) {
    town(&store).await;
    let mut browser = Browser::new(&store);
    let nul = browser.get("/track?code=%00").await;
    assert_eq!(nul.status, StatusCode::BAD_REQUEST);
    assert!(nul.html.contains("输入中含有不允许的字符"), "{}", nul.html);
    for typed in ["a%0Ab", "%E4%BD%A0%E5%A5%BD", "ab%20cd", "..%2F..%2Fwork"] {
        let page = browser.get(&format!("/track?code={typed}")).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{typed}");
        assert!(page.location().starts_with("/track/") && !page.location().contains("//"));
        let shown = browser.get(page.location()).await;
        assert_eq!(shown.status, StatusCode::NOT_FOUND, "{typed}: {}", shown.html);
        assert!(shown.html.contains("查询码不正确"), "{typed}");
    }
}

async fn page_actions_answer_the_status_of_their_refusal(store: Store, _url: String) {
    let t = town(&store).await;
    let r = store.create(manhole(t.community, None), None, Actor::Requester).await.unwrap().request;
    let mut operator = Browser::new(&store);
    operator.login("operator", "demo-password").await;
    let act = |action: &str| format!("/work/requests/{}/{action}", r.id);

    let forged = operator.post(&act("accept"), &[("_csrf", "forged"), ("version", "1")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "a form from elsewhere");
    assert!(forged.html.contains("页面已过期"));
    let empty = operator.post(&act("reject"), &[("_csrf", CSRF), ("version", "1"), ("reason", " ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "a reason left empty");
    assert!(empty.html.contains("请填写理由"), "{}", empty.html);
    let incomplete = operator.post(&act("merge"), &[("_csrf", CSRF), ("version", "1")]).await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY, "a field missing");

    let mut dispatcher = Browser::new(&store);
    dispatcher.login("dispatcher", "demo-password").await;
    let role = dispatcher.post(&act("accept"), &[("_csrf", CSRF), ("version", "1")]).await;
    assert_eq!(role.status, StatusCode::FORBIDDEN, "a role that may not");
    assert!(role.html.contains("「派单员」角色不能执行「受理」"), "{}", role.html);

    let mut stranger = Browser::new(&store);
    stranger.login("handler_c2", "demo-password").await;
    let out = stranger.post(&act("progress"), &[("_csrf", CSRF), ("version", "1"), ("note", "x")]).await;
    assert_eq!(out.status, StatusCode::NOT_FOUND, "out of scope looks absent");

    assert_eq!(operator.post(&act("accept"), &[("_csrf", CSRF), ("version", "1")]).await.status, StatusCode::SEE_OTHER);
    let stale = operator.post(&act("reject"), &[("_csrf", CSRF), ("version", "1"), ("reason", "重复")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "someone acted first");
    let moved = operator.post(&act("accept"), &[("_csrf", CSRF), ("version", "2")]).await;
    assert_eq!(moved.status, StatusCode::CONFLICT, "the request has moved on");
    assert!(moved.html.contains("当前状态为「待派单」，不能执行「受理」"), "{}", moved.html);
    assert_eq!(store.request(r.id, &t.operator).await.unwrap().version, 2, "refusals changed nothing");
}

async fn the_language_switch_goes_back_only_to_this_site(store: Store, _url: String) {
    let mut browser = Browser::new(&store);
    let switch = |referer: &'static str| {
        Request::get("/lang/en").header(header::REFERER, referer).header(header::HOST, "gongzhi.example")
    };
    for (referer, back) in [
        ("http://gongzhi.example/track?code=K7M2QX9PRA", "/track?code=K7M2QX9PRA"),
        ("https://gongzhi.example/work/requests/7", "/work/requests/7"),
        ("//evil.example/phish", "/"),
        ("https://evil.example/", "/"),
        ("https://evil.example", "/"),
        ("https://gongzhi.example//evil.example/phish", "/"),
        ("https://gongzhi.example/\\evil.example", "/"),
        ("https://gongzhi.example/%09/evil.example", "/%09/evil.example"),
        ("/\\evil", "/"),
        ("javascript:alert(1)", "/"),
    ] {
        let page = browser.send(switch(referer), Vec::new()).await;
        assert_eq!((page.status, page.location()), (StatusCode::SEE_OTHER, back), "{referer}");
    }
    assert!(browser.cookie("lang").is_some_and(|lang| lang == "en"));
}

async fn metrics_stay_bounded_and_can_be_protected(store: Store, _url: String) {
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    for n in 0..50 {
        let odd = Request::builder().method(format!("M{n}").as_str()).uri("/api/v1/requests").body(Body::empty());
        send(&app, odd.unwrap()).await;
        send(&app, Request::get(format!("/no/such/page/{n}")).body(Body::empty()).unwrap()).await;
    }
    let metrics = send(&app, Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(!metrics.text.contains("method=\"M1"), "{}", metrics.text);
    assert!(
        metrics
            .text
            .contains("gongzhi_http_requests_total{method=\"OTHER\",path=\"/api/v1/requests\",status=\"405\"} 50"),
        "{}",
        metrics.text
    );
    let series = metrics.text.lines().filter(|l| l.starts_with("gongzhi_http_requests_total{")).count();
    assert!(series <= 3, "{series} series: {}", metrics.text);

    // With a token, only its holder reads the page.
    let config = WebConfig { metrics_token: Some("s3cret-metrics".into()), ..WebConfig::default() };
    let guarded = router(AppState::new(store.clone(), config));
    let read = |token: Option<&str>| {
        let mut request = Request::get("/metrics");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        send(&guarded, request.body(Body::empty()).unwrap())
    };
    assert_eq!(read(None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(read(Some("s3cret-metric")).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(read(Some("s3cret-metrics")).await.status, StatusCode::OK);

    // On an address of its own, the site does not serve it at all.
    let state = AppState::new(store.clone(), WebConfig { metrics_on_site: false, ..WebConfig::default() });
    let (site, apart) = (router(state.clone()), metrics_router(state));
    send(&site, Request::get("/api/v1/units").body(Body::empty()).unwrap()).await;
    assert_eq!(send(&site, Request::get("/metrics").body(Body::empty()).unwrap()).await.status, StatusCode::NOT_FOUND);
    let metrics = send(&apart, Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert!(metrics.text.contains("path=\"/api/v1/units\",status=\"200\"} 1"), "{}", metrics.text);
}

/// The value of the one series `line` starts, or none when it is not on the page.
fn series(text: &str, line: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(line)?.strip_prefix(' ')?.parse().ok())
}

async fn metrics_count_the_writer_the_pool_and_the_work(store: Store, _url: String) {
    let t = town(&store).await;
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    let by_phone = gongzhi_domain::request::NewRequest { channel: Channel::Hotline, ..manhole(t.community, None) };
    let mut ids = Vec::new();
    for new in [manhole(t.community, None), manhole(t.community, None), by_phone] {
        ids.push(store.create(new, None, Actor::Requester).await.unwrap().request.id);
    }
    // A repeated submission with the same key creates nothing and is not counted twice.
    for _ in 0..2 {
        store.create(manhole(t.community, None), Some("same-key".into()), Actor::Requester).await.unwrap();
    }
    store.act(ids[0], None, Command::Accept, Actor::Staff(t.operator.clone())).await.unwrap();
    // A refused action changes nothing and counts nothing.
    assert!(store.act(ids[0], None, Command::Accept, Actor::Staff(t.operator.clone())).await.is_err());

    let page = send(&app, Request::get("/metrics").body(Body::empty()).unwrap()).await;
    let text = &page.text;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(series(text, "gongzhi_requests_created_total{channel=\"web\"}"), Some(3.0), "{text}");
    assert_eq!(series(text, "gongzhi_requests_created_total{channel=\"hotline\"}"), Some(1.0), "{text}");
    assert_eq!(series(text, "gongzhi_requests_created_total{channel=\"open311\"}"), Some(0.0), "{text}");
    assert_eq!(series(text, "gongzhi_actions_total{action=\"accept\"}"), Some(1.0), "{text}");
    assert_eq!(series(text, "gongzhi_actions_total{action=\"dispatch\"}"), Some(0.0), "{text}");
    // Every write above went through the writer: at least one batch, each of 1 to 256 jobs.
    let batches = series(text, "gongzhi_writer_batch_size_count{}").unwrap_or_default();
    assert!(batches >= 1.0, "{text}");
    assert_eq!(series(text, "gongzhi_writer_batch_size_bucket{le=\"+Inf\"}"), Some(batches), "{text}");
    assert_eq!(series(text, "gongzhi_writer_commit_seconds_count{}"), Some(batches), "{text}");
    assert!(series(text, "gongzhi_writer_batch_size_sum{}").unwrap_or_default() >= 6.0, "{text}");
    assert_eq!(series(text, "gongzhi_writer_queue_depth"), Some(0.0), "{text}");
    assert_eq!(series(text, "gongzhi_writer_queue_capacity"), Some(4096.0), "{text}");
    let open = series(text, "gongzhi_pool_connections").unwrap_or_default();
    let idle = series(text, "gongzhi_pool_idle_connections").unwrap_or(f64::MAX);
    assert!(open >= 1.0 && idle <= open, "{text}");
    assert!(series(text, "gongzhi_pool_max_connections").unwrap_or_default() >= open, "{text}");
    assert!(series(text, "gongzhi_pool_acquire_seconds").is_some_and(|s| (0.0..2.5).contains(&s)), "{text}");
    // Labels come from closed vocabularies: one series per channel and per action.
    let created = text.lines().filter(|l| l.starts_with("gongzhi_requests_created_total{")).count();
    assert_eq!(created, Channel::ALL.len());
    let acted = text.lines().filter(|l| l.starts_with("gongzhi_actions_total{")).count();
    assert_eq!(acted, gongzhi_domain::lifecycle::Action::ALL.len());
}

async fn assets_travel_compressed_and_are_revalidated(store: Store, _url: String) {
    let app = router(AppState::new(store, WebConfig::default()));
    let get = |encoding: &str, etag: Option<&str>| {
        let mut request = Request::get("/assets/echarts.min.js").header(header::ACCEPT_ENCODING, encoding);
        if let Some(etag) = etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        send(&app, request.body(Body::empty()).unwrap())
    };
    let plain = get("identity", None).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(plain.text.len() > 900_000, "{} bytes", plain.text.len());
    for (asked, sent) in [("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        let packed = get(asked, None).await;
        assert_eq!(packed.status, StatusCode::OK);
        assert_eq!(packed.headers[header::CONTENT_ENCODING], sent, "{asked}");
        assert!(packed.headers[header::VARY].to_str().unwrap().contains("accept-encoding"));
        let bytes = axum::body::to_bytes(
            app.clone()
                .oneshot(
                    Request::get("/assets/echarts.min.js")
                        .header(header::ACCEPT_ENCODING, asked)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap()
                .into_body(),
            usize::MAX,
        )
        .await
        .unwrap();
        assert!(bytes.len() < plain.text.len() / 3, "{sent}: {} bytes", bytes.len());
    }
    // The second visit asks whether its copy is still good, and gets an empty answer.
    let etag = plain.headers[header::ETAG].to_str().unwrap().to_string();
    assert!(plain.headers[header::CACHE_CONTROL].to_str().unwrap().contains("max-age="));
    let again = get("gzip", Some(&etag)).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.text.is_empty());
    let other =
        send(&app, Request::get("/assets/app.css").header(header::IF_NONE_MATCH, &etag).body(Body::empty()).unwrap())
            .await;
    assert_eq!(other.status, StatusCode::OK, "another file's tag does not match");
}

/// A log that keeps its lines, for reading them back.
#[derive(Clone, Default)]
struct Log(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn every_answer_and_its_log_lines_carry_a_request_id() {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let (store, _url) = gongzhi_store::testing::fresh(gongzhi_store::Backend::Sqlite).await;
    let app = router(AppState::new(store, WebConfig::default()));

    let given =
        send(&app, Request::get("/no/such/page").header("x-request-id", "desk-7f3a").body(Body::empty()).unwrap())
            .await;
    assert_eq!(given.headers["x-request-id"], "desk-7f3a", "the caller's id comes back");
    let made = send(&app, Request::get("/assets/app.css").body(Body::empty()).unwrap()).await;
    let id = made.headers["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a new UUID: {id}");
    let other = send(&app, Request::get("/assets/app.css").body(Body::empty()).unwrap()).await;
    assert_ne!(other.headers["x-request-id"].to_str().unwrap(), id, "each request its own");

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("tower_http::trace")).collect();
    let started = lines.iter().filter(|l| l.contains("started processing request")).count();
    assert_eq!(started, 3, "a line as each request starts:\n{text}");
    for id in ["desk-7f3a", &id] {
        let mine = lines.iter().filter(|l| l.contains(&format!("request{{id={id} "))).count();
        assert!(mine >= 2, "its start and its end carry {id}:\n{text}");
    }
    assert!(lines.iter().all(|l| l.contains("request{id=")), "every line in a request's span:\n{text}");
}
