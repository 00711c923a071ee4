//! Open311 GeoReport v2 as a client system meets it: discovery, services and their
//! definitions, posting with a key, reading requests back by number, by token and by
//! filters, in JSON and in XML with the specification's element names; every error in
//! the specification's shape; keys made and revoked by an admin. Real router, real
//! store, both databases.

mod support;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use gongzhi_domain::lifecycle::Command;
use gongzhi_store::testing::{staff, town, Town};
use gongzhi_store::{on_both, Store};
use quick_xml::events::Event;
use serde_json::Value;
use support::{encode, Browser, CSRF};
use tower::ServiceExt;

on_both!(
    a_client_posts_a_request_and_follows_it_to_closed,
    requests_are_filtered_by_number_service_state_and_time,
    every_error_comes_in_the_specification_s_shape,
    an_admin_makes_a_key_once_and_revokes_it,
);

struct Answer {
    status: StatusCode,
    kind: String,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

async fn call(b: &Browser, method: &str, uri: &str, form: &[(&str, &str)]) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    let body = if form.is_empty() {
        Body::empty()
    } else {
        request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded; charset=utf-8");
        Body::from(form.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&"))
    };
    let response = b.app.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let kind = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Answer { status, kind, text: String::from_utf8(bytes.to_vec()).unwrap() }
}

async fn get(b: &Browser, uri: &str) -> Answer {
    call(b, "GET", uri, &[]).await
}

/// Every element path of an XML document (`services/service/service_code`), and the
/// text under each path, in order.
fn xml(text: &str) -> (BTreeSet<String>, Vec<(String, String)>) {
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"), "{text}");
    let mut reader = quick_xml::Reader::from_str(text);
    let (mut stack, mut paths, mut texts) = (Vec::<String>::new(), BTreeSet::new(), Vec::new());
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("{e}: {text}")) {
            Event::Start(e) => {
                stack.push(e.name().into_inner().to_string());
                paths.insert(stack.join("/"));
            }
            Event::Empty(e) => {
                let name = e.name().into_inner().to_string();
                paths.insert(format!("{}/{name}", stack.join("/")));
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => texts.push((stack.join("/"), t.xml10_content().into_owned())),
            Event::GeneralRef(r) => {
                let entity = match r.xml10_content().as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("entity {other}"),
                };
                texts.push((stack.join("/"), entity.to_string()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (paths, texts)
}

fn text_at(texts: &[(String, String)], path: &str) -> Vec<String> {
    texts.iter().filter(|(p, _)| p == path).map(|(_, t)| t.clone()).collect()
}

fn has_all(paths: &BTreeSet<String>, wanted: &[&str]) {
    for path in wanted {
        assert!(paths.contains(*path), "no <{path}> in {paths:?}");
    }
}

async fn client_key(store: &Store, t: &Town) -> String {
    gongzhi_app::open311::add_client(store, "城市服务App", t.community, None).await.unwrap().1
}

/// A report of a missing manhole cover, as a client sends it.
fn report<'a>(key: &'a str, code: &'a str, description: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("api_key", key),
        ("jurisdiction_id", "yunxi.gov.cn"),
        ("service_code", code),
        ("lat", "28.2283"),
        ("long", "112.9388"),
        ("address_string", "柳湾路18号"),
        ("email", "wang@example.com"),
        ("first_name", "芳"),
        ("last_name", "王"),
        ("phone", "13812341234"),
        ("description", description),
        ("media_url", "https://photos.example.com/2026/manhole.jpg"),
        ("device_id", "tt222111"),
        ("attribute[WHISPAWN]", "123456"),
    ]
}

const REQUEST_FIELDS: &[&str] = &[
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "lat",
    "long",
    "media_url",
];

async fn a_client_posts_a_request_and_follows_it_to_closed(store: Store, _url: String) {
    let t = town(&store).await;
    let key = client_key(&store, &t).await;
    let b = Browser::new(&store);
    let code = t.category.to_string();

    // Discovery names the specification and both formats.
    let found = get(&b, "/open311/v2/discovery.json").await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.kind.starts_with("application/json"), "{}", found.kind);
    let endpoint = &found.json()["endpoints"][0];
    assert_eq!(endpoint["specification"], "http://wiki.open311.org/GeoReport_v2");
    assert_eq!(endpoint["formats"], serde_json::json!(["text/xml", "application/json"]));
    let found = get(&b, "/open311/v2/discovery.xml").await;
    assert!(found.kind.starts_with("text/xml"), "{}", found.kind);
    let (paths, _) = xml(&found.text);
    has_all(&paths, &["discovery/changeset", "discovery/contact", "discovery/key_service"]);
    has_all(&paths, &["discovery/endpoints/endpoint/url", "discovery/endpoints/endpoint/formats/format"]);

    // The services are the catalogue's leaves, grouped by their parent.
    let services = get(&b, "/open311/v2/services.json").await.json();
    let services = services.as_array().unwrap();
    assert_eq!(services.len(), 1, "{services:?}");
    let manhole = &services[0];
    assert_eq!(manhole["service_code"], code.as_str());
    assert_eq!((manhole["service_name"].as_str(), manhole["group"].as_str()), (Some("井盖"), Some("市政设施")));
    assert_eq!(manhole["description"], "城乡建设 / 市政设施 / 井盖");
    assert_eq!((manhole["metadata"].as_bool(), manhole["type"].as_str()), (Some(false), Some("realtime")));
    assert!(manhole["keywords"].is_string());
    let (paths, texts) = xml(&get(&b, "/open311/v2/services.xml").await.text);
    let fields = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"];
    has_all(&paths, &fields.map(|f| format!("services/service/{f}")).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(text_at(&texts, "services/service/metadata"), ["false"]);

    // A category without questions of its own has an empty list of attributes.
    let definition = get(&b, &format!("/open311/v2/services/{code}.json")).await.json();
    assert_eq!(definition, serde_json::json!({ "service_code": code, "attributes": [] }));
    let (paths, texts) = xml(&get(&b, &format!("/open311/v2/services/{code}.xml")).await.text);
    has_all(&paths, &["service_definition/service_code", "service_definition/attributes"]);
    assert_eq!(text_at(&texts, "service_definition/service_code"), [code.clone()]);

    // The client posts; the answer gives our number and a token.
    let posted =
        call(&b, "POST", "/open311/v2/requests.json", &report(&key, &code, "柳湾路18号井盖缺失\n晚上很危险")).await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.text);
    let answer = posted.json();
    let number = answer[0]["service_request_id"].as_str().unwrap().to_string();
    let token = answer[0]["token"].as_str().unwrap().to_string();
    assert!(answer[0]["service_notice"].as_str().unwrap().contains("受理"));
    assert!(answer[0]["account_id"].is_null());
    // It is one of ours: channel Open311, the client's place, its client on its first event.
    let request = store.open311_request(&number).await.unwrap().unwrap().request;
    assert_eq!((request.new.channel.as_str(), request.new.unit_id), ("open311", t.community));
    assert_eq!((request.new.requester_name.as_str(), request.new.title.as_str()), ("王芳", "柳湾路18号井盖缺失"));
    let events = store.events_of(request.id).await.unwrap();
    let payload: Value = serde_json::from_str(&events[0].payload).unwrap();
    let client = store.open311_clients().await.unwrap()[0].id;
    assert_eq!((payload["channel"].as_str(), payload["open311_client"].as_i64()), (Some("open311"), Some(client)));

    // In XML too, the same shape.
    let posted = call(&b, "POST", "/open311/v2/requests.xml", &report(&key, &code, "桃源街路灯不亮")).await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.text);
    let (paths, texts) = xml(&posted.text);
    has_all(&paths, &["service_requests/request/service_request_id", "service_requests/request/token"]);
    has_all(&paths, &["service_requests/request/service_notice", "service_requests/request/account_id"]);
    assert_eq!(text_at(&texts, "service_requests/request/service_request_id").len(), 1);

    // Read back by number: open, where and when, as the specification names it.
    let read = get(&b, &format!("/open311/v2/requests/{number}.json")).await.json();
    let read = &read[0];
    for field in REQUEST_FIELDS {
        assert!(read.get(*field).is_some(), "no {field} in {read}");
    }
    assert_eq!((read["status"].as_str(), read["service_code"].as_str()), (Some("open"), Some(code.as_str())));
    assert_eq!((read["lat"].as_f64(), read["long"].as_f64()), (Some(28.2283), Some(112.9388)));
    assert_eq!(read["media_url"], "https://photos.example.com/2026/manhole.jpg");
    assert_eq!(read["agency_responsible"], "柳湾社区");
    assert!(read["requested_datetime"].as_str().unwrap().ends_with("+08:00"), "{read}");
    let (paths, _) = xml(&get(&b, &format!("/open311/v2/requests/{number}.xml")).await.text);
    let wanted: Vec<String> = REQUEST_FIELDS.iter().map(|f| format!("service_requests/request/{f}")).collect();
    has_all(&paths, &wanted.iter().map(String::as_str).collect::<Vec<_>>());
    // The token leads to the same number.
    let (_, texts) = xml(&get(&b, &format!("/open311/v2/tokens/{token}.xml")).await.text);
    assert_eq!(text_at(&texts, "service_requests/request/service_request_id"), [number.clone()]);
    assert_eq!(text_at(&texts, "service_requests/request/token"), [token.clone()]);

    // Staff carry it through; the client reads the progress, then the reply, closed.
    store.act(request.id, None, Command::Accept, staff(&t.operator)).await.unwrap();
    let dispatch = Command::Dispatch { unit_id: t.department, co_unit_ids: vec![], instructions: String::new() };
    store.act(request.id, None, dispatch, staff(&t.dispatcher)).await.unwrap();
    let read = get(&b, &format!("/open311/v2/requests/{number}.json")).await.json();
    assert_eq!(read[0]["agency_responsible"], "区住建局", "the unit that now answers for it");
    assert!(read[0]["expected_datetime"].as_str().unwrap().ends_with("+08:00"), "{read}");
    let worker = store.add_user("zj", "住建局干部", gongzhi_domain::Role::Handler, t.department, "x").await.unwrap();
    store.act(request.id, None, Command::Claim, staff(&worker.staff())).await.unwrap();
    let note = Command::Progress { note: "已联系施工队，明天补装".into() };
    store.act(request.id, None, note, staff(&worker.staff())).await.unwrap();
    let read = get(&b, &format!("/open311/v2/requests/{number}.json")).await.json();
    assert_eq!(
        (read[0]["status"].as_str(), read[0]["status_notes"].as_str()),
        (Some("open"), Some("已联系施工队，明天补装"))
    );
    let resolve = Command::Resolve { reply: "井盖已补装".into(), contacted: true };
    store.act(request.id, None, resolve, staff(&worker.staff())).await.unwrap();
    let read = get(&b, &format!("/open311/v2/requests/{number}.json")).await.json();
    assert_eq!((read[0]["status"].as_str(), read[0]["status_notes"].as_str()), (Some("closed"), Some("井盖已补装")));
    assert!(read[0]["updated_datetime"].as_str().unwrap() >= read[0]["requested_datetime"].as_str().unwrap());
}

async fn requests_are_filtered_by_number_service_state_and_time(store: Store, _url: String) {
    let t = town(&store).await;
    let rows = vec![["城乡建设".to_string(), "市政设施".to_string(), "路灯".to_string()]];
    store.load_catalogue(&rows, |_| Some(t.department)).await.unwrap();
    let lamp = store.categories().await.unwrap().iter().find(|c| c.name == "路灯").unwrap().id.to_string();
    let manhole = t.category.to_string();
    let key = client_key(&store, &t).await;
    let b = Browser::new(&store);
    let mut numbers = Vec::new();
    for (code, text) in [(&manhole, "井盖缺失"), (&lamp, "路灯不亮"), (&lamp, "路灯闪烁")] {
        let posted = call(&b, "POST", "/open311/v2/requests.json", &report(&key, code, text)).await;
        numbers.push(posted.json()[0]["service_request_id"].as_str().unwrap().to_string());
    }
    // A request taken by phone is not an Open311 request and is never given out here.
    store.create(gongzhi_store::testing::manhole(t.community, None), None, staff(&t.operator)).await.unwrap();
    let first = store.open311_request(&numbers[0]).await.unwrap().unwrap().request;
    let reject = Command::Reject { reason: "重复反映".into() };
    store.act(first.id, None, reject, staff(&t.operator)).await.unwrap();

    let ids = |answer: &Answer| -> Vec<String> {
        answer
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["service_request_id"].as_str().unwrap().to_string())
            .collect()
    };
    let newest_first: Vec<String> = numbers.iter().rev().cloned().collect();
    assert_eq!(ids(&get(&b, "/open311/v2/requests.json").await), newest_first, "the last 90 days by default");
    let by_service = get(&b, &format!("/open311/v2/requests.json?service_code={lamp}")).await;
    assert_eq!(ids(&by_service), newest_first[..2]);
    let closed = get(&b, "/open311/v2/requests.json?status=closed").await;
    assert_eq!(ids(&closed), [numbers[0].clone()]);
    assert_eq!(closed.json()[0]["status_notes"], "重复反映", "the reason it was refused");
    assert_eq!(ids(&get(&b, "/open311/v2/requests.json?status=open,closed").await).len(), 3);
    let picked = format!("/open311/v2/requests.json?service_request_id={},{}&status=open", numbers[0], numbers[2]);
    assert_eq!(ids(&get(&b, &picked).await), [numbers[2].clone(), numbers[0].clone()], "numbers override the rest");
    // A span before any of them, and one that ends now.
    let old = get(&b, "/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-03-01T00:00:00Z").await;
    assert_eq!((old.status, old.json()), (StatusCode::OK, serde_json::json!([])));
    let today = gongzhi_domain::open311::datetime(gongzhi_domain::time::now() + 60_000);
    let recent = get(&b, &format!("/open311/v2/requests.json?end_date={}", encode(&today))).await;
    assert_eq!(ids(&recent).len(), 3);
    // Empty fields count as not sent.
    assert_eq!(ids(&get(&b, "/open311/v2/requests.json?status=&service_code=").await).len(), 3);
    // The same list in XML.
    let (_, texts) = xml(&get(&b, &format!("/open311/v2/requests.xml?service_code={lamp}")).await.text);
    assert_eq!(text_at(&texts, "service_requests/request/service_request_id"), newest_first[..2]);
    // More than 90 days, or more than 1,000 numbers, are refused.
    let long = get(&b, "/open311/v2/requests.json?start_date=2026-01-01&end_date=2026-06-01").await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST, "{}", long.text);
    let many: Vec<String> = (0..1001).map(|i| i.to_string()).collect();
    let many = get(&b, &format!("/open311/v2/requests.json?service_request_id={}", many.join(","))).await;
    assert_eq!(many.status, StatusCode::BAD_REQUEST, "{}", many.text);
    assert_eq!(gongzhi_domain::open311::MAX_REQUESTS, 1_000);
}

async fn every_error_comes_in_the_specification_s_shape(store: Store, _url: String) {
    let t = town(&store).await;
    let key = client_key(&store, &t).await;
    let b = Browser::new(&store);
    let code = t.category.to_string();
    let with = |field: &'static str, value: &'static str| {
        let mut form = report(&key, &code, "井盖缺失");
        form.retain(|(f, _)| *f != field);
        if !value.is_empty() {
            form.push((field, value));
        }
        form
    };
    let revoked = client_key(&store, &t).await;
    let second = store.open311_clients().await.unwrap()[0].id;
    gongzhi_app::open311::revoke_client(&store, second, None).await.unwrap();
    let nowhere: Vec<(&str, &str)> = report(&key, &code, "井盖缺失")
        .into_iter()
        .filter(|(f, _)| !["lat", "long", "address_string"].contains(f))
        .collect();
    let post = "/open311/v2/requests.json";
    let cases: Vec<(&str, Vec<(&str, &str)>, StatusCode, &str)> = vec![
        (post, with("api_key", ""), StatusCode::FORBIDDEN, "api_key"),
        (post, with("api_key", "not-a-key"), StatusCode::FORBIDDEN, "api_key"),
        (post, with("api_key", Box::leak(revoked.into_boxed_str())), StatusCode::FORBIDDEN, "吊销"),
        (post, with("service_code", ""), StatusCode::BAD_REQUEST, "service_code"),
        (post, with("service_code", "99999"), StatusCode::NOT_FOUND, "service_code"),
        (post, with("service_code", "井盖"), StatusCode::NOT_FOUND, "service_code"),
        (post, nowhere, StatusCode::BAD_REQUEST, "address_string"),
        (post, with("lat", "north"), StatusCode::BAD_REQUEST, "纬度"),
        (post, with("long", "200"), StatusCode::BAD_REQUEST, "经度"),
        (post, with("long", ""), StatusCode::BAD_REQUEST, "long"),
        (post, with("phone", "call me"), StatusCode::BAD_REQUEST, "联系电话"),
        (post, with("media_url", "javascript:alert(1)"), StatusCode::BAD_REQUEST, "media_url"),
        ("/open311/v2/services.json", report(&key, &code, "x"), StatusCode::NOT_FOUND, "services"),
    ];
    for (uri, form, status, says) in cases {
        let answer = call(&b, "POST", uri, &form).await;
        assert_eq!(answer.status, status, "{form:?}: {}", answer.text);
        let error = &answer.json()[0];
        assert_eq!(error["code"].as_u64(), Some(u64::from(status.as_u16())), "{}", answer.text);
        let description = error["description"].as_str().unwrap();
        assert!(description.contains(says) && description.contains(" / "), "{description}");
        assert!(description.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "Chinese first: {description}");
    }
    // Nothing was taken in by any of them.
    assert!(get(&b, "/open311/v2/requests.json").await.json().as_array().unwrap().is_empty());

    let reads = [
        ("/open311/v2/services.csv", StatusCode::NOT_FOUND, "xml"),
        ("/open311/v2/services", StatusCode::NOT_FOUND, "xml"),
        ("/open311/v2/widgets.json", StatusCode::NOT_FOUND, "json"),
        ("/open311/v2/services/99999.xml", StatusCode::NOT_FOUND, "xml"),
        ("/open311/v2/services/井盖.json", StatusCode::NOT_FOUND, "json"),
        ("/open311/v2/requests/20260101000000001.json", StatusCode::NOT_FOUND, "json"),
        ("/open311/v2/tokens/NOSUCHTOKEN.xml", StatusCode::NOT_FOUND, "xml"),
        ("/open311/v2/requests.json?status=pending", StatusCode::BAD_REQUEST, "json"),
        ("/open311/v2/requests.xml?service_code=abc", StatusCode::BAD_REQUEST, "xml"),
        ("/open311/v2/requests.json?start_date=yesterday", StatusCode::BAD_REQUEST, "json"),
        ("/open311/v2/requests.json?start_date=2026-03-01&end_date=2026-02-01", StatusCode::BAD_REQUEST, "json"),
        ("/open311/v2/requests.json?status=%ZZ", StatusCode::BAD_REQUEST, "json"),
        ("/open311/v2/requests.json?q=%00", StatusCode::BAD_REQUEST, "json"),
    ];
    for (uri, status, format) in reads {
        let answer = get(&b, &uri.replace("井盖", &encode("井盖"))).await;
        assert_eq!(answer.status, status, "{uri}: {}", answer.text);
        if format == "xml" {
            assert!(answer.kind.starts_with("text/xml"), "{uri}: {}", answer.kind);
            let (paths, texts) = xml(&answer.text);
            has_all(&paths, &["errors/error/code", "errors/error/description"]);
            assert_eq!(text_at(&texts, "errors/error/code"), [status.as_u16().to_string()]);
        } else {
            assert_eq!(answer.json()[0]["code"].as_u64(), Some(u64::from(status.as_u16())), "{uri}");
        }
    }
    // The framework's own refusals come in the same shape.
    let wrong_method = call(&b, "DELETE", "/open311/v2/services.json", &[]).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.json()[0]["code"], 405);
    let huge = "x".repeat(300 * 1024);
    let too_big = call(&b, "POST", "/open311/v2/requests.xml", &[("api_key", &key), ("description", &huge)]).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    has_all(&xml(&too_big.text).0, &["errors/error/code"]);
}

async fn an_admin_makes_a_key_once_and_revokes_it(store: Store, _url: String) {
    let t = town(&store).await;
    let hash = gongzhi_store::hash_password("admin-password").unwrap();
    store.add_user("admin", "区管理员", gongzhi_domain::Role::Admin, t.district, &hash).await.unwrap();
    let mut admin = Browser::new(&store);
    admin.login("admin", "admin-password").await;
    let page = admin.get("/admin/open311").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("id=\"clients-none\"") && page.html.contains("柳湾社区"), "{}", page.html);

    // A refused form keeps what was typed.
    let community = t.community.to_string();
    let refused = admin.post("/admin/open311", &[("_csrf", CSRF), ("name", "城市服务App")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("请选择诉求所属的社区") && refused.html.contains("value=\"城市服务App\""));
    let department = t.department.to_string();
    let refused =
        admin.post("/admin/open311", &[("_csrf", CSRF), ("name", "城市服务App"), ("unit_id", &department)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "a bureau is not a place");

    let made = admin.post("/admin/open311", &[("_csrf", CSRF), ("name", "城市服务App"), ("unit_id", &community)]).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.html);
    let key = made.html.split("id=\"key\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_eq!(key.len(), 64);
    assert!(!admin.get("/admin/open311").await.html.contains(&key), "the key is shown once");
    let b = Browser::new(&store);
    let code = t.category.to_string();
    let posted = call(&b, "POST", "/open311/v2/requests.json", &report(&key, &code, "井盖缺失")).await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.text);

    // Someone else's page cannot revoke it; the admin can, and the key stops at once.
    let id = store.open311_clients().await.unwrap()[0].id;
    let forged = admin.post(&format!("/admin/open311/{id}/revoke"), &[("_csrf", "forged")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let revoked = admin.post(&format!("/admin/open311/{id}/revoke"), &[("_csrf", CSRF)]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert!(admin.get("/admin/open311").await.html.contains("已吊销"));
    let refused = call(&b, "POST", "/open311/v2/requests.json", &report(&key, &code, "井盖缺失")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let changes = admin.get("/admin/changes").await.html;
    assert!(changes.contains("城市服务App"), "both changes are on record: {changes}");
    // Not an admin: not the page.
    let mut handler = Browser::new(&store);
    handler.login("handler_c1", "demo-password").await;
    assert_eq!(handler.get("/admin/open311").await.status, StatusCode::FORBIDDEN);
}
