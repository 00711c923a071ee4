//! The API as clients meet it: real store (SQLite and PostgreSQL), real router, requests
//! sent as HTTP.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use gongzhi_store::testing::{town, Town};
use gongzhi_store::{on_both, Store};
use gongzhi_web::{router, AppState, WebConfig};
use serde_json::{json, Value};
use tower::ServiceExt;

on_both!(
    a_resident_and_the_staff_carry_a_request_to_closed,
    bad_input_gets_a_clear_error_and_changes_nothing,
    the_same_submission_twice_makes_one_request,
    scope_and_phone_numbers,
    sessions_expire_and_logins_are_throttled,
    tracking_codes_cannot_be_guessed,
    staff_read_a_tracking_code_once_at_intake,
    a_choice_that_counts_is_never_assumed,
    a_strangers_idempotency_key_gets_nothing_of_the_residents,
    the_requesters_routes_refuse_staff_credentials,
    a_new_password_revokes_the_accounts_tokens,
);

struct Client {
    app: Router,
}

struct Reply {
    status: StatusCode,
    body: Value,
    headers: axum::http::HeaderMap,
}

impl Client {
    fn new(store: Store, config: WebConfig) -> Client {
        Client { app: router(AppState::new(store, config)) }
    }

    async fn send(&self, method: &str, uri: &str, auth: Option<&str>, body: Option<Value>) -> Reply {
        self.send_from(method, uri, auth, body, None).await
    }

    /// As `send`, from an address (when the config trusts X-Forwarded-For).
    async fn send_from(
        &self,
        method: &str,
        uri: &str,
        auth: Option<&str>,
        body: Option<Value>,
        from: Option<&str>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(from) = from {
            request = request.header("x-forwarded-for", from);
        }
        if let Some(auth) = auth {
            request = if auth.starts_with("gongzhi_session=") {
                request.header(header::COOKIE, auth)
            } else {
                request.header(header::AUTHORIZATION, format!("Bearer {auth}"))
            };
        }
        let body = match body {
            Some(value) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(value.to_string())
            }
            None => Body::empty(),
        };
        self.raw(request.body(body).unwrap()).await
    }

    async fn raw(&self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
        Reply { status, body, headers }
    }

    async fn act(&self, id: i64, action: &str, auth: &str, mut fields: Value, version: i64) -> Reply {
        fields["version"] = json!(version);
        self.send("POST", &format!("/api/v1/requests/{id}/{action}"), Some(auth), Some(fields)).await
    }
}

fn submission(t: &Town) -> Value {
    json!({
        "kind": "complaint",
        "title": "柳湾社区井盖缺失",
        "content": "柳湾社区3栋门口井盖缺失一个多星期，晚上有老人差点踩空。",
        "address": "柳湾路18号",
        "unit_id": t.community,
        "category_id": t.category,
        "requester_name": "王女士",
        "requester_phone": "13812341234"
    })
}

async fn tokens(store: &Store) -> [String; 6] {
    let mut out = Vec::new();
    for login in ["operator", "dispatcher", "handler_c1", "handler_c2", "leader_s1", "supervisor"] {
        out.push(store.create_api_token(login, "test").await.unwrap());
    }
    out.try_into().unwrap()
}

async fn a_resident_and_the_staff_carry_a_request_to_closed(store: Store, _url: String) {
    let t = town(&store).await;
    let [operator, dispatcher, handler, _, leader, _] = tokens(&store).await;
    let client = Client::new(store.clone(), WebConfig::default());

    let created = client.send("POST", "/api/v1/requests", None, Some(submission(&t))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    let code = created.body["tracking_code"].as_str().unwrap().to_string();
    assert_eq!(created.body["status"], "submitted");

    // The operator logs in with a password and works with the session cookie.
    let login = client
        .send("POST", "/api/v1/login", None, Some(json!({ "login": "operator", "password": "demo-password" })))
        .await;
    assert_eq!(login.status, StatusCode::OK);
    let cookie = login.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let session = cookie.split(';').next().unwrap().to_string();
    let r = client.act(id, "accept", &session, json!({}), 1).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let _ = operator;

    let r = client.act(id, "dispatch", &dispatcher, json!({ "unit_id": t.community }), 2).await;
    assert_eq!(r.body["status"], "dispatched");
    let r = client.act(id, "claim", &handler, json!({}), 3).await;
    assert_eq!(r.body["status"], "in_progress");
    let until = r.body["resolve_by"].as_i64().unwrap() + 5 * 86_400_000;
    let r = client.act(id, "request-extension", &handler, json!({ "until": until, "reason": "井盖需定制" }), 4).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = client.act(id, "approve-extension", &leader, json!({}), 5).await;
    assert_eq!(r.body["resolve_by"], json!(until));
    let r = client.act(id, "resolve", &handler, json!({ "reply": "井盖已补装", "contacted": true }), 6).await;
    assert_eq!(r.body["status"], "resolved");

    // The resident follows it by code: no personal data, no internal notes.
    let tracked = client.send("GET", &format!("/api/v1/track/{code}"), None, None).await;
    assert_eq!(tracked.status, StatusCode::OK);
    let text = tracked.body.to_string();
    assert!(!text.contains("13812341234") && !text.contains("王女士") && !text.contains("井盖需定制"), "{text}");
    assert_eq!(tracked.body["reply"], "井盖已补装");
    let evaluated = client
        .send(
            "POST",
            &format!("/api/v1/track/{code}/evaluate"),
            None,
            Some(json!({ "solved": true, "satisfaction": "satisfied" })),
        )
        .await;
    assert_eq!(evaluated.body["status"], "closed", "{:?}", evaluated.body);

    let detail = client.send("GET", &format!("/api/v1/requests/{id}"), Some(&dispatcher), None).await;
    let actions: Vec<&str> =
        detail.body["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["submit", "accept", "dispatch", "claim", "request-extension", "approve-extension", "resolve", "evaluate"]
    );

    let today = gongzhi_domain::time::local_date(gongzhi_domain::time::now());
    let stats = client
        .send("GET", &format!("/api/v1/stats?unit={}&from={today}&to={today}", t.district), Some(&dispatcher), None)
        .await;
    assert_eq!(stats.body["measures"]["intake"], 1, "{:?}", stats.body);
    assert_eq!(stats.body["measures"]["satisfaction_rate"], 1.0);
    let health = client.send("GET", "/healthz", None, None).await;
    assert_eq!(health.body["status"], "ok");
    let metrics = client.send("GET", "/metrics", None, None).await;
    assert!(metrics
        .body
        .as_str()
        .unwrap()
        .contains("gongzhi_http_requests_total{method=\"POST\",path=\"/api/v1/requests\",status=\"201\"} 1"));
}

async fn bad_input_gets_a_clear_error_and_changes_nothing(store: Store, _url: String) {
    let t = town(&store).await;
    let [operator, dispatcher, handler, ..] = tokens(&store).await;
    let client = Client::new(store.clone(), WebConfig::default());
    let post = |body: &'static str| {
        Request::builder()
            .method("POST")
            .uri("/api/v1/requests")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let r = client.raw(post("{\"kind\": ")).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));
    assert_eq!(r.body["error"]["message"], "请求内容不是有效的 JSON");
    let mut unknown = submission(&t);
    unknown["colour"] = json!("red");
    let r = client.send("POST", "/api/v1/requests", None, Some(unknown)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["message_en"].as_str().unwrap().contains("colour"));
    let mut missing = submission(&t);
    missing.as_object_mut().unwrap().remove("title");
    assert_eq!(
        client.send("POST", "/api/v1/requests", None, Some(missing)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut empty = submission(&t);
    empty["title"] = json!("  ");
    let r = client.send("POST", "/api/v1/requests", None, Some(empty)).await;
    assert_eq!(r.body["error"]["message"], "请填写标题");
    let mut nowhere = submission(&t);
    nowhere["unit_id"] = json!(987654);
    let r = client.send("POST", "/api/v1/requests", None, Some(nowhere)).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_unit")));
    // A department is no place a problem is, on any channel.
    let mut department = submission(&t);
    department["unit_id"] = json!(t.department);
    let r = client.send("POST", "/api/v1/requests", None, Some(department.clone())).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("not_a_place")));
    assert_eq!(r.body["error"]["message"], "「区住建局」不是社区、村或网格，诉求所在地请选择社区、村或网格");
    let r = client.send("POST", "/api/v1/requests", Some(&operator), Some(department)).await;
    assert_eq!(r.body["error"]["code"], "not_a_place");
    let mut no_category = submission(&t);
    no_category["category_id"] = json!(987654);
    assert_eq!(
        client.send("POST", "/api/v1/requests", None, Some(no_category)).await.body["error"]["code"],
        "unknown_category"
    );
    let huge = format!("{{\"kind\":\"help\",\"title\":\"x\",\"content\":\"{}\"}}", "长".repeat(300_000));
    let r = client
        .raw(
            Request::builder()
                .method("POST")
                .uri("/api/v1/requests")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(huge))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let mut hotline = submission(&t);
    hotline["channel"] = json!("hotline");
    assert_eq!(client.send("POST", "/api/v1/requests", None, Some(hotline)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(store.count_requests().await.unwrap(), 0, "nothing was created");

    let id = client.send("POST", "/api/v1/requests", Some(&operator), Some(submission(&t))).await.body["id"]
        .as_i64()
        .unwrap();
    // Impossible transition: the message names the rule.
    let r = client.act(id, "claim", &handler, json!({}), 1).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["message"], "当前状态为「待受理」，不能执行「领办」");
    // The wrong role.
    let r = client.act(id, "dispatch", &operator, json!({ "unit_id": t.community }), 1).await;
    assert_eq!(r.body["error"]["code"], "wrong_state");
    let r = client.act(id, "accept", &dispatcher, json!({}), 1).await;
    assert_eq!(
        (r.status, r.body["error"]["message"].as_str()),
        (StatusCode::FORBIDDEN, Some("「派单员」角色不能执行「受理」"))
    );
    // A stale version.
    assert_eq!(client.act(id, "accept", &operator, json!({}), 1).await.status, StatusCode::OK);
    let r = client.act(id, "reject", &operator, json!({ "reason": "重复" }), 1).await;
    assert_eq!((r.status, r.body["error"]["current_version"].as_i64()), (StatusCode::CONFLICT, Some(2)));
    // Unknown actions, fields, versions and ids.
    assert_eq!(client.act(id, "teleport", &operator, json!({}), 2).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        client.act(id, "reject", &operator, json!({ "reason": "x", "why": 1 }), 2).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        client
            .send("POST", &format!("/api/v1/requests/{id}/reject"), Some(&operator), Some(json!({ "reason": "x" })))
            .await
            .body["error"]["code"],
        "missing_version"
    );
    assert_eq!(
        client.send("GET", "/api/v1/requests/999999", Some(&operator), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(client.send("GET", "/api/v1/requests/abc", Some(&operator), None).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        client.send("GET", "/api/v1/requests?status=lost", Some(&operator), None).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        client.send("GET", "/api/v1/requests?colour=red", Some(&operator), None).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        client.send("GET", "/api/v1/stats?from=2026-13-01&to=2026-01-01", Some(&operator), None).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(client.send("GET", "/api/v1/requests", None, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        client.send("GET", "/api/v1/requests", Some("not-a-token"), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let detail = client.send("GET", &format!("/api/v1/requests/{id}"), Some(&operator), None).await;
    assert_eq!(detail.body["version"], 2, "refusals changed nothing");
    assert!(store.verify_chain().await.unwrap().is_intact());
}

async fn the_same_submission_twice_makes_one_request(store: Store, _url: String) {
    let t = town(&store).await;
    let client = Client::new(store.clone(), WebConfig::default());
    let with_key = || {
        Request::builder()
            .method("POST")
            .uri("/api/v1/requests")
            .header(header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", "form-7f3a")
            .body(Body::from(submission(&t).to_string()))
            .unwrap()
    };
    let first = client.raw(with_key()).await;
    let second = client.raw(with_key()).await;
    assert_eq!((first.status, second.status), (StatusCode::CREATED, StatusCode::OK));
    assert_eq!(first.body, second.body);
    assert_eq!(store.count_requests().await.unwrap(), 1);
}

async fn scope_and_phone_numbers(store: Store, url: String) {
    let t = town(&store).await;
    let [operator, dispatcher, handler, other_handler, ..] = tokens(&store).await;
    let client = Client::new(store.clone(), WebConfig::default());
    let id = client.send("POST", "/api/v1/requests", Some(&operator), Some(submission(&t))).await.body["id"]
        .as_i64()
        .unwrap();
    // The other community's handler can neither read, list nor act.
    assert_eq!(
        client.send("GET", &format!("/api/v1/requests/{id}"), Some(&other_handler), None).await.status,
        StatusCode::NOT_FOUND
    );
    let listed = client.send("GET", "/api/v1/requests", Some(&other_handler), None).await;
    assert_eq!(listed.body["items"], json!([]));
    assert_eq!(
        client.act(id, "progress", &other_handler, json!({ "note": "x" }), 1).await.status,
        StatusCode::NOT_FOUND
    );
    // The dispatcher sees a masked number, the community's handler the real one, logged.
    let masked = client.send("GET", &format!("/api/v1/requests/{id}"), Some(&dispatcher), None).await;
    assert_eq!(masked.body["requester"]["phone"], "138****1234");
    let real = client.send("GET", &format!("/api/v1/requests/{id}"), Some(&handler), None).await;
    assert_eq!(real.body["requester"]["phone"], "13812341234");
    // The access log is written behind other writes; a later write has flushed it.
    store
        .create(gongzhi_store::testing::manhole(t.community, None), None, gongzhi_domain::Actor::Requester)
        .await
        .unwrap();
    use sqlx::{Connection, Row};
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM pii_access WHERE user_id = $1 AND request_id = $2")
        .bind(t.handler.user_id)
        .bind(id)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(row.try_get::<i64, _>("n").unwrap(), 1);
}

async fn sessions_expire_and_logins_are_throttled(store: Store, _url: String) {
    town(&store).await;
    let config = WebConfig { session_ttl: 1, login_attempts: 3, ..WebConfig::default() };
    let client = Client::new(store.clone(), config);
    let login = client
        .send("POST", "/api/v1/login", None, Some(json!({ "login": "operator", "password": "demo-password" })))
        .await;
    let session = login.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(
        client.send("GET", "/api/v1/me", Some(&session), None).await.status,
        StatusCode::UNAUTHORIZED,
        "expired"
    );
    for _ in 0..3 {
        let wrong =
            client.send("POST", "/api/v1/login", None, Some(json!({ "login": "operator", "password": "guess" }))).await;
        assert_eq!(wrong.body["error"]["message"], "用户名或密码错误");
    }
    let locked = client
        .send("POST", "/api/v1/login", None, Some(json!({ "login": "operator", "password": "demo-password" })))
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn tracking_codes_cannot_be_guessed(store: Store, _url: String) {
    town(&store).await;
    let client = Client::new(store.clone(), WebConfig { track_attempts: 3, ..WebConfig::default() });
    for code in ["AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC"] {
        let r = client.send("GET", &format!("/api/v1/track/{code}"), None, None).await;
        assert_eq!(
            (r.status, r.body["error"]["message"].as_str()),
            (StatusCode::NOT_FOUND, Some("查询码不正确，请核对后重试"))
        );
    }
    assert_eq!(client.send("GET", "/api/v1/track/DDDDDDDDDD", None, None).await.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn staff_read_a_tracking_code_once_at_intake(store: Store, _url: String) {
    let t = town(&store).await;
    let [operator, dispatcher, handler, _, leader, supervisor] = tokens(&store).await;
    let client = Client::new(store.clone(), WebConfig::default());
    // The operator who took the call reads the code back to the caller from intake's answer.
    let created = client.send("POST", "/api/v1/requests", Some(&operator), Some(submission(&t))).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["id"].as_i64().unwrap();
    let code = created.body["tracking_code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 10);
    client.act(id, "accept", &operator, json!({}), 1).await;
    let dispatched = client.act(id, "dispatch", &dispatcher, json!({ "unit_id": t.community }), 2).await;
    let claimed = client.act(id, "claim", &handler, json!({}), 3).await;
    // After intake no answer to staff holds it: not a request, a list, a queue or an action.
    let mut answers = vec![dispatched, claimed];
    for token in [&operator, &dispatcher, &handler, &leader, &supervisor] {
        answers.push(client.send("GET", &format!("/api/v1/requests/{id}"), Some(token), None).await);
        answers.push(client.send("GET", "/api/v1/requests", Some(token), None).await);
        answers.push(client.send("GET", "/api/v1/requests?q=井盖", Some(token), None).await);
        answers.push(client.send("GET", "/api/v1/queues/handling", Some(token), None).await);
    }
    for answer in answers {
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        let text = answer.body.to_string();
        assert!(!text.contains(&code) && !text.contains("tracking_code"), "the code leaked: {text}");
    }
    let detail = client.send("GET", &format!("/api/v1/requests/{id}"), Some(&handler), None).await;
    assert_eq!(detail.body["number"], created.body["number"], "the request itself is all there");
}

async fn a_choice_that_counts_is_never_assumed(store: Store, _url: String) {
    let t = town(&store).await;
    let [operator, dispatcher, handler, ..] = tokens(&store).await;
    let client = Client::new(store.clone(), WebConfig::default());
    let id = client.send("POST", "/api/v1/requests", Some(&operator), Some(submission(&t))).await.body["id"]
        .as_i64()
        .unwrap();
    client.act(id, "accept", &operator, json!({}), 1).await;
    client.act(id, "dispatch", &dispatcher, json!({ "unit_id": t.community }), 2).await;
    client.act(id, "claim", &handler, json!({}), 3).await;
    // Whether the requester was contacted is the handler's to say, not the API's to assume.
    let r = client.act(id, "resolve", &handler, json!({ "reply": "井盖已补装" }), 4).await;
    assert_eq!(
        (r.status, r.body["error"]["code"].as_str(), r.body["error"]["message"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("missing_field"), Some("请填写是否已与诉求人联系"))
    );
    let r = client.act(id, "resolve", &handler, json!({ "reply": "井盖已补装", "contacted": false }), 4).await;
    assert_eq!((r.status, r.body["contacted"].as_bool()), (StatusCode::OK, Some(false)), "{:?}", r.body);
    // Nor is a verdict recorded from a call without both its answers.
    for (fields, missing) in
        [(json!({ "solved": true }), "请填写满意度"), (json!({ "satisfaction": "satisfied" }), "请填写是否解决")]
    {
        let r = client.act(id, "evaluate", &operator, fields, 5).await;
        assert_eq!((r.status, r.body["error"]["message"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(missing)));
    }
    let detail = client.send("GET", &format!("/api/v1/requests/{id}"), Some(&operator), None).await;
    assert_eq!((detail.body["status"].as_str(), detail.body["version"].as_i64()), (Some("resolved"), Some(5)));
}

async fn a_strangers_idempotency_key_gets_nothing_of_the_residents(store: Store, _url: String) {
    let t = town(&store).await;
    let client = Client::new(store.clone(), WebConfig { trust_forwarded: true, ..WebConfig::default() });
    let submit = |body: Value, from: &'static str| {
        let request = Request::post("/api/v1/requests")
            .header(header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", "form-7f3a")
            .header("x-forwarded-for", from)
            .body(Body::from(body.to_string()))
            .unwrap();
        client.raw(request)
    };
    let mine = submit(submission(&t), "198.51.100.7").await;
    assert_eq!(mine.status, StatusCode::CREATED);
    let code = mine.body["tracking_code"].as_str().unwrap().to_string();

    // A stranger elsewhere sends the same key, with the same words even: theirs is a new
    // request, and the resident's code is not in the answer.
    let stranger = submit(submission(&t), "203.0.113.9").await;
    assert_eq!(stranger.status, StatusCode::CREATED, "{:?}", stranger.body);
    assert_ne!(stranger.body["id"], mine.body["id"]);
    assert!(!stranger.body.to_string().contains(&code));
    // From the resident's own address but with another body, the key is refused.
    let mut other = submission(&t);
    other["title"] = json!("别的诉求");
    let refused = submit(other, "198.51.100.7").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", refused.body);
    assert_eq!(refused.body["error"]["code"], "idempotency_mismatch");
    assert!(!refused.body.to_string().contains(&code));
    // The resident's own retry still finds their request.
    let again = submit(submission(&t), "198.51.100.7").await;
    assert_eq!((again.status, &again.body), (StatusCode::OK, &mine.body));
    // A staff member's keys are theirs alone, too.
    let [operator, ..] = tokens(&store).await;
    let mut taken = Request::post("/api/v1/requests")
        .header(header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", "form-7f3a")
        .header("x-forwarded-for", "198.51.100.7");
    taken = taken.header(header::AUTHORIZATION, format!("Bearer {operator}"));
    let staff = client.raw(taken.body(Body::from(submission(&t).to_string())).unwrap()).await;
    assert_eq!(staff.status, StatusCode::CREATED);
    assert_eq!(store.count_requests().await.unwrap(), 3);
}

async fn the_requesters_routes_refuse_staff_credentials(store: Store, _url: String) {
    let t = town(&store).await;
    let [operator, dispatcher, handler, ..] = tokens(&store).await;
    let client = Client::new(store.clone(), WebConfig::default());
    let created = client.send("POST", "/api/v1/requests", None, Some(submission(&t))).await;
    let (id, code) =
        (created.body["id"].as_i64().unwrap(), created.body["tracking_code"].as_str().unwrap().to_string());
    client.act(id, "accept", &operator, json!({}), 1).await;
    client.act(id, "dispatch", &dispatcher, json!({ "unit_id": t.community }), 2).await;
    client.act(id, "claim", &handler, json!({}), 3).await;
    client.act(id, "resolve", &handler, json!({ "reply": "井盖已补装", "contacted": true }), 4).await;
    let login = client
        .send("POST", "/api/v1/login", None, Some(json!({ "login": "handler_c1", "password": "demo-password" })))
        .await;
    let session = login.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();

    // The handler who resolved it cannot rate their own work, by token or by session.
    let satisfied = json!({ "solved": true, "satisfaction": "satisfied" });
    for credentials in [handler.as_str(), session.as_str(), "not-a-token"] {
        let evaluate = client
            .send("POST", &format!("/api/v1/track/{code}/evaluate"), Some(credentials), Some(satisfied.clone()))
            .await;
        assert_eq!(evaluate.status, StatusCode::FORBIDDEN, "{:?}", evaluate.body);
        assert_eq!(evaluate.body["error"]["code"], "staff_not_requester");
        assert_eq!(evaluate.body["error"]["message"], "工作人员不能以诉求人的身份查询、评价或申请重办诉求");
        let reopen = client
            .send("POST", &format!("/api/v1/track/{code}/reopen"), Some(credentials), Some(json!({ "reason": "x" })))
            .await;
        assert_eq!(reopen.status, StatusCode::FORBIDDEN);
        let track = client.send("GET", &format!("/api/v1/track/{code}"), Some(credentials), None).await;
        assert_eq!(track.status, StatusCode::FORBIDDEN);
    }
    let r = client.send("GET", &format!("/api/v1/requests/{id}"), Some(&dispatcher), None).await;
    assert_eq!(r.body["status"], "resolved", "nothing was evaluated");

    // The tracking page's form refuses a logged-in cadre too, in words.
    let app = client.app.clone();
    let post = |cookie: String| {
        let request = Request::post(format!("/track/{code}/evaluate"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie)
            .body(Body::from("_csrf=x&solved=yes&satisfaction=satisfied"))
            .unwrap();
        app.clone().oneshot(request)
    };
    let page = post(session.clone()).await.unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let html = axum::body::to_bytes(page.into_body(), usize::MAX).await.unwrap();
    let html = String::from_utf8_lossy(&html);
    assert!(html.contains("工作人员登录状态下不能以诉求人的身份评价或申请重办"), "{html}");
    // The form comes back as it was chosen, for the requester to send themselves.
    assert!(html.contains("value=\"satisfied\" checked") && html.contains("value=\"yes\" checked"), "{html}");
    // An ended session is no credential: the resident's browser left logged out is not
    // turned away as staff.
    let stale = post("gongzhi_session=0123abcd".into()).await.unwrap();
    let stale = axum::body::to_bytes(stale.into_body(), usize::MAX).await.unwrap();
    assert!(!String::from_utf8_lossy(&stale).contains("工作人员登录状态下"));

    // The requester, without credentials, evaluates.
    let evaluated = client.send("POST", &format!("/api/v1/track/{code}/evaluate"), None, Some(satisfied)).await;
    assert_eq!(evaluated.body["status"], "closed", "{:?}", evaluated.body);
}

async fn a_new_password_revokes_the_accounts_tokens(store: Store, _url: String) {
    let t = town(&store).await;
    let hash = gongzhi_store::hash_password("admin-password").unwrap();
    let admin = store.add_user("admin", "区管理员", gongzhi_domain::Role::Admin, t.district, &hash).await.unwrap();
    let client = Client::new(store.clone(), WebConfig::default());
    let me = |token: String| {
        let client = &client;
        async move { client.send("GET", "/api/v1/me", Some(&token), None).await.status }
    };
    let laptop = store.create_api_token("handler_c1", "laptop").await.unwrap();
    let script = store.create_api_token("handler_c1", "script").await.unwrap();
    let theirs = store.create_api_token("handler_c2", "script").await.unwrap();
    assert_eq!(me(laptop.clone()).await, StatusCode::OK);
    let listed: Vec<String> =
        store.api_tokens(Some(t.handler.user_id)).await.unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(listed, ["laptop", "script"]);

    // One token revoked by its id stops working; the other goes on.
    let id = store.api_tokens(Some(t.handler.user_id)).await.unwrap()[1].id;
    store.revoke_api_token(id).await.unwrap();
    assert_eq!(me(script).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(laptop.clone()).await, StatusCode::OK);

    // The admin resets the password: the tokens made before go with the old password.
    store
        .reset_password(&admin.staff(), t.handler.user_id, "fresh-password-1", gongzhi_domain::time::now())
        .await
        .unwrap();
    assert_eq!(me(laptop).await, StatusCode::UNAUTHORIZED);
    assert!(store.api_tokens(Some(t.handler.user_id)).await.unwrap().is_empty());
    assert_eq!(me(theirs.clone()).await, StatusCode::OK, "another's tokens stay");

    // Changing one's own password does the same.
    store.change_password(t.other_handler.user_id, "demo-password", "fresh-password-2", "").await.unwrap();
    assert_eq!(me(theirs).await, StatusCode::UNAUTHORIZED);
}
