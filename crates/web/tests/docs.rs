//! Sends every example of docs/api.md, in order, to a real router and database, and
//! checks each answer against the documented one: the status, every documented field's
//! presence, and the value of the fields a client relies on.

use axum::body::Body;
use axum::http::Request;
use gongzhi_store::testing::town;
use gongzhi_store::{on_both, Store};
use gongzhi_web::{router, AppState, WebConfig};
use serde_json::Value;
use std::collections::HashMap;
use tower::ServiceExt;

on_both!(every_api_example_works_as_documented);

/// Fields whose documented values are checked, not only their presence.
const EXACT: &[&str] = &[
    "status",
    "status_label",
    "code",
    "message",
    "message_en",
    "current_version",
    "phone",
    "reply",
    "version",
    "intake",
    "satisfaction_rate",
    "title",
];

struct Example {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
    status: u16,
    response: Value,
}

fn examples(doc: &str) -> Vec<Example> {
    let blocks: Vec<(&str, &str)> = doc
        .split("```")
        .skip(1)
        .step_by(2)
        .filter_map(|block| block.split_once('\n'))
        .filter(|(tag, _)| *tag == "http" || *tag == "http-response")
        .collect();
    blocks
        .chunks(2)
        .map(|pair| {
            let [("http", request), ("http-response", response)] = pair else {
                panic!("an http block must be followed by its response: {pair:?}")
            };
            let (head, body) = request.split_once("\n\n").unwrap_or((request, ""));
            let mut lines = head.lines();
            let (method, path) = lines.next().unwrap().split_once(' ').unwrap();
            let headers =
                lines.filter_map(|l| l.split_once(": ")).map(|(k, v)| (k.to_string(), v.to_string())).collect();
            let (status_line, response_body) = response.split_once("\n\n").unwrap_or((response, ""));
            let status = status_line.split_whitespace().nth(1).unwrap().parse().unwrap();
            Example {
                method: method.into(),
                path: path.into(),
                headers,
                body: body.trim().into(),
                status,
                response: serde_json::from_str(response_body.trim()).unwrap_or(Value::Null),
            }
        })
        .collect()
}

fn fill(text: &str, values: &HashMap<String, String>) -> String {
    values.iter().fold(text.to_string(), |text, (key, value)| text.replace(&format!("{{{key}}}"), value))
}

/// Every documented field is there; the ones in `EXACT` have the documented value.
fn matches(documented: &Value, actual: &Value, at: &str) {
    match (documented, actual) {
        (Value::Object(doc), Value::Object(got)) => {
            for (key, value) in doc {
                let got = got.get(key).unwrap_or_else(|| panic!("{at}: field `{key}` is missing in {actual}"));
                if EXACT.contains(&key.as_str()) && !value.is_object() {
                    assert_eq!(value, got, "{at}: field `{key}`");
                }
                matches(value, got, &format!("{at}.{key}"));
            }
        }
        (Value::Array(doc), Value::Array(got)) => {
            if let (Some(first), false) = (doc.first(), got.is_empty()) {
                matches(first, &got[0], &format!("{at}[0]"));
            }
            assert_eq!(doc.is_empty(), got.is_empty(), "{at}: documented {documented}, got {actual}");
        }
        _ => {}
    }
}

async fn every_api_example_works_as_documented(store: Store, _url: String) {
    let t = town(&store).await;
    let mut values: HashMap<String, String> = HashMap::new();
    values.insert("community".into(), t.community.to_string());
    values.insert("district".into(), t.district.to_string());
    values.insert("today".into(), gongzhi_domain::time::local_date(gongzhi_domain::time::now()).to_string());
    for (name, login) in
        [("operator_token", "operator"), ("dispatcher_token", "dispatcher"), ("handler_token", "handler_c1")]
    {
        values.insert(name.into(), store.create_api_token(login, "docs").await.unwrap());
    }
    let app = router(AppState::new(store, WebConfig::default()));
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api.md")).unwrap();
    let examples = examples(&doc);
    assert!(examples.len() >= 12, "docs/api.md has {} examples", examples.len());
    for example in examples {
        let path = fill(&example.path, &values);
        let mut request = Request::builder().method(example.method.as_str()).uri(&path);
        for (key, value) in &example.headers {
            request = request.header(key, fill(value, &values));
        }
        let response =
            app.clone().oneshot(request.body(Body::from(fill(&example.body, &values))).unwrap()).await.unwrap();
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let at = format!("{} {path}", example.method);
        assert_eq!(status, example.status, "{at}: {body}");
        matches(&example.response, &body, &at);
        for key in ["id", "tracking_code"] {
            if let Some(value) = body.get(key) {
                values.insert(key.into(), value.as_str().map(String::from).unwrap_or_else(|| value.to_string()));
            }
        }
    }
}
