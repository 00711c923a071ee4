//! Sends every example of docs/api.md, in order, to a real router and database, and
//! checks each answer against the documented one: the status, every documented field's
//! presence, and the value of the fields a client relies on; and against the OpenAPI
//! document the server gives, which must list every route it serves.

use axum::body::Body;
use axum::http::Request;
use gongzhi_store::testing::town;
use gongzhi_store::{on_both, Store};
use gongzhi_web::{router, AppState, WebConfig, API_ROUTES};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use tower::ServiceExt;

on_both!(every_api_example_works_as_documented, the_openapi_document_lists_every_route_served);

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

async fn send(app: &axum::Router, request: Request<Body>) -> (u16, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn openapi(app: &axum::Router) -> Value {
    let (status, document) =
        send(app, Request::builder().uri("/api/v1/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(status, 200, "{document}");
    document
}

/// Whether a path as sent is an instance of a documented path such as `/requests/{id}`.
fn instance_of(template: &str, path: &str) -> bool {
    let (template, path): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    template.len() == path.len()
        && template.iter().zip(&path).all(|(t, p)| t == p || (t.starts_with('{') && !p.is_empty()))
}

/// Checks an answer against the schema the document gives for its route and status.
fn conforms(document: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let path = path.split('?').next().unwrap();
    let paths = document["paths"].as_object().unwrap();
    // A literal path wins over a template it is also an instance of.
    let (template, item) = paths
        .get_key_value(path)
        .or_else(|| paths.iter().find(|(template, _)| instance_of(template, path)))
        .unwrap_or_else(|| panic!("{path} is not in the OpenAPI document"));
    let operation = &item[method.to_lowercase()];
    let at = format!("{method} {template} → {status}");
    assert!(operation.is_object(), "{at}: the OpenAPI document has no such operation");
    let response = &operation["responses"][status.to_string()];
    assert!(response.is_object(), "{at}: the OpenAPI document does not give this status");
    let mut schema = response["content"]["application/json"]["schema"].clone();
    // The schema's references point into the document's components.
    schema["components"] = document["components"].clone();
    let validator = jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{at}: bad schema: {e}"));
    let errors: Vec<String> = validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{at}: the answer breaks the documented schema: {errors:?}\n{body}");
}

/// The document lists exactly the routes of `API_ROUTES`, and the router serves each of
/// them: none answers that there is no such endpoint or that it does not take the method.
async fn the_openapi_document_lists_every_route_served(store: Store, _url: String) {
    let app = router(AppState::new(store, WebConfig::default()));
    let document = openapi(&app).await;
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let documented: BTreeSet<String> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().unwrap().keys().map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    let listed: BTreeSet<String> = API_ROUTES.iter().map(|r| r.to_string()).collect();
    assert_eq!(documented, listed, "the document and the routes served differ");
    let probe = |method: &str, path: &str| {
        Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap()
    };
    for route in API_ROUTES {
        let (method, template) = route.split_once(' ').unwrap();
        let path: Vec<&str> = template.split('/').map(|s| if s.starts_with('{') { "1" } else { s }).collect();
        let path = path.join("/");
        let (status, body) = send(&app, probe(method, &path)).await;
        assert_ne!(status, 405, "{route} is not served: {body}");
        assert_ne!(body["error"]["code"], "no_such_endpoint", "{route} is not served");
        conforms(&document, method, &path, status, &body);
    }
    // What the probe would see of a route that is not served.
    let (status, body) = send(&app, probe("GET", "/api/v1/nothing")).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("no_such_endpoint")));
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
    let document = openapi(&app).await;
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api.md")).unwrap();
    let examples = examples(&doc);
    assert!(examples.len() >= 12, "docs/api.md has {} examples", examples.len());
    for example in examples {
        let path = fill(&example.path, &values);
        let mut request = Request::builder().method(example.method.as_str()).uri(&path);
        for (key, value) in &example.headers {
            request = request.header(key, fill(value, &values));
        }
        let (status, body) = send(&app, request.body(Body::from(fill(&example.body, &values))).unwrap()).await;
        let at = format!("{} {path}", example.method);
        assert_eq!(status, example.status, "{at}: {body}");
        matches(&example.response, &body, &at);
        if path.starts_with("/api/v1/") {
            conforms(&document, &example.method, &path, status, &body);
        }
        for key in ["id", "tracking_code"] {
            if let Some(value) = body.get(key) {
                values.insert(key.into(), value.as_str().map(String::from).unwrap_or_else(|| value.to_string()));
            }
        }
    }
}
