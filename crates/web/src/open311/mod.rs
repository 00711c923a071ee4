//! Open311 GeoReport v2 at `/open311/v2/`: discovery, the services (our categories),
//! posting a request with a client's key, reading requests that came by Open311, and
//! tokens. Each resource answers in JSON or XML by its extension (`services.json`,
//! `requests/2026050100000012.xml`). See docs/api.md, "Open311".

mod format;

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use gongzhi_app::open311::Post;
use gongzhi_app::AppError;
use gongzhi_domain::catalogue::Category;
use gongzhi_domain::open311::{datetime, parse_datetime, span, Posted, State as Open, MAX_REQUESTS};
use gongzhi_domain::{time, Broken};
use gongzhi_store::open311::{Latest, Sent, SentQuery};
use gongzhi_store::StoreError;
use serde_json::{json, Value};

use crate::messages::{self, Text};
use crate::AppState;
pub use format::Format;
use format::Reply;

/// The specification this interface follows, and when it last changed.
const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
const CHANGESET: &str = "2026-05-01T00:00:00+08:00";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{resource}", get(read).post(post))
        .route("/open311/v2/{resource}/{id}", get(read_one))
}

type Answer = Result<Reply, Reply>;

/// The format a path asks for by its last extension; XML when it asks for none.
fn format_of(path: &str) -> Format {
    Format::split(path.rsplit('/').next().unwrap_or_default()).1.unwrap_or(Format::Xml)
}

/// A refusal made before any handler ran (`guard`), as GeoReport says errors.
pub(crate) fn refusal(path: &str, status: StatusCode, key: &str) -> axum::response::Response {
    Reply::error(format_of(path), status, Text::from_catalogue(key)).into_response()
}

/// The framework's own refusals under `/open311/` — a method the resource does not
/// take, a body over the limit, a request that took too long — come as plain text or
/// empty; they are given the specification's error shape here, keeping their status.
pub async fn errors(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let status = response.status();
    let shaped = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/xml"));
    if !path.starts_with("/open311/") || shaped || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let key = match status {
        StatusCode::METHOD_NOT_ALLOWED => "api.method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "guard.too_large",
        StatusCode::NOT_FOUND => "open311.no_resource_at_all",
        StatusCode::REQUEST_TIMEOUT => "api.timeout",
        _ if status.is_server_error() => "error.unavailable",
        _ => "open311.bad_form",
    };
    refusal(&path, status, key)
}

fn not_found(format: Format, key: &str, what: &str) -> Reply {
    Reply::error(format, StatusCode::NOT_FOUND, Text::filled(key, &[("what", what)]))
}

fn bad(format: Format, rule: &Broken) -> Reply {
    Reply::error(format, StatusCode::BAD_REQUEST, messages::broken(rule))
}

/// What a use case's refusal says to a client.
fn refused(format: Format, error: AppError) -> Reply {
    match StoreError::from(error) {
        StoreError::Rule(rule) => bad(format, &rule),
        StoreError::Refused(code @ ("open311_key" | "open311_key_revoked")) => {
            Reply::error(format, StatusCode::FORBIDDEN, Text::from_catalogue(&format!("refused.{code}")))
        }
        StoreError::NotFound => Reply::error(format, StatusCode::NOT_FOUND, Text::from_catalogue("open311.no_service")),
        StoreError::Refused(code) => {
            Reply::error(format, StatusCode::BAD_REQUEST, Text::from_catalogue(&format!("refused.{code}")))
        }
        error => {
            tracing::error!(%error, "open311 failed");
            Reply::error(format, StatusCode::SERVICE_UNAVAILABLE, Text::from_catalogue("error.unavailable"))
        }
    }
}

/// The resource's name and format; an unknown format is not found.
fn resource(name: &str) -> Result<(&str, Format), Reply> {
    match Format::split(name) {
        (name, Some(format)) => Ok((name, format)),
        (_, None) => Err(not_found(Format::Xml, "open311.no_format", name)),
    }
}

async fn read(
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Answer {
    let (name, format) = resource(&name)?;
    match name {
        "discovery" => Ok(discovery(format, &headers)),
        "services" => services(&state, format).await,
        "requests" => requests(&state, format, query.as_deref().unwrap_or_default()).await,
        _ => Err(not_found(format, "open311.no_resource", name)),
    }
}

async fn read_one(State(state): State<AppState>, Path((kind, id)): Path<(String, String)>) -> Answer {
    let (id, format) = resource(&id)?;
    let store = &state.store;
    let failed = |error: StoreError| refused(format, error.into());
    match kind.as_str() {
        "services" => {
            let categories = store.categories().await.map_err(failed)?;
            let found = id.parse::<i64>().ok().and_then(|code| categories.into_iter().find(|c| c.id == code));
            let service = found.ok_or_else(|| not_found(format, "open311.no_such_service", id))?;
            // No category asks questions beyond the request's own fields.
            let definition = json!({ "service_code": service.id.to_string(), "attributes": [] });
            Ok(Reply::ok(format, "service_definition", definition))
        }
        "requests" => {
            let sent = store.open311_request(id).await.map_err(failed)?;
            let sent = sent.ok_or_else(|| not_found(format, "open311.no_request", id))?;
            Ok(Reply::ok(format, "service_requests", Value::Array(views(&state, vec![sent]).await.map_err(failed)?)))
        }
        "tokens" => {
            let sent = store.open311_by_token(id).await.map_err(failed)?;
            let sent = sent.ok_or_else(|| not_found(format, "open311.no_token", id))?;
            let found = json!([{ "service_request_id": sent.request.number, "token": sent.token }]);
            Ok(Reply::ok(format, "service_requests", found))
        }
        _ => Err(not_found(format, "open311.no_resource", &kind)),
    }
}

/// Where clients find this interface, its formats and how to get a key.
fn discovery(format: Format, headers: &HeaderMap) -> Reply {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let words = |key| Text::from_catalogue(key);
    let (contact, key_service) = (words("open311.contact"), words("open311.key_service"));
    let body = json!({
        "changeset": CHANGESET,
        "contact": format!("{} / {}", contact.zh, contact.en),
        "key_service": format!("{} / {}", key_service.zh, key_service.en),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": format!("http://{host}/open311/v2"),
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    });
    Reply::ok(format, "discovery", body)
}

/// A category's path from the top, as the description of its service.
fn path(categories: &HashMap<i64, &Category>, category: &Category) -> String {
    let mut names = vec![category.name.as_str()];
    let mut parent = category.parent_id;
    while let Some(up) = parent.and_then(|id| categories.get(&id)).filter(|_| names.len() < 8) {
        names.push(up.name.as_str());
        parent = up.parent_id;
    }
    names.reverse();
    names.join(" / ")
}

/// The services: the catalogue's categories that have none below them, grouped by
/// their parent, found by the words people use for them.
async fn services(state: &AppState, format: Format) -> Answer {
    let failed = |error: StoreError| refused(format, error.into());
    let categories = state.store.categories().await.map_err(failed)?;
    let words = state.store.category_words().await.map_err(failed)?;
    let by_id: HashMap<i64, &Category> = categories.iter().map(|c| (c.id, c)).collect();
    let parents: std::collections::HashSet<i64> = categories.iter().filter_map(|c| c.parent_id).collect();
    let services: Vec<Value> = categories
        .iter()
        .filter(|c| !parents.contains(&c.id))
        .map(|c| {
            json!({
                "service_code": c.id.to_string(),
                "service_name": c.name,
                "description": path(&by_id, c),
                "metadata": false,
                "type": "realtime",
                "keywords": words.get(&c.id).map(|w| w.join(", ")).unwrap_or_default(),
                "group": c.parent_id.and_then(|p| by_id.get(&p)).map(|p| p.name.as_str()).unwrap_or_default(),
            })
        })
        .collect();
    Ok(Reply::ok(format, "services", Value::Array(services)))
}

/// A query string's fields; the last of a repeated one counts.
fn fields(query: &str, format: Format) -> Result<HashMap<String, String>, Reply> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|_| Reply::error(format, StatusCode::BAD_REQUEST, Text::from_catalogue("open311.bad_query")))?;
    Ok(pairs.into_iter().filter(|(_, v)| !v.trim().is_empty()).collect())
}

/// A comma-separated list.
fn list(text: Option<&String>) -> Vec<&str> {
    text.map(|t| t.split(',').map(str::trim).filter(|p| !p.is_empty()).collect()).unwrap_or_default()
}

/// Requests that came by Open311: by their numbers, or by time (90 days at most, the
/// last 90 by default), service and state; at most 1,000, newest first.
async fn requests(state: &AppState, format: Format, query: &str) -> Answer {
    let fields = fields(query, format)?;
    let invalid = |field: &'static str, reason: &str| bad(format, &Broken::Invalid { field, reason: reason.into() });
    let numbers: Vec<String> = list(fields.get("service_request_id")).into_iter().map(String::from).collect();
    if numbers.len() > MAX_REQUESTS as usize {
        return Err(invalid("service_request_id", "at most 1000"));
    }
    let mut categories = Vec::new();
    for code in list(fields.get("service_code")) {
        categories.push(code.parse::<i64>().map_err(|_| invalid("service_code", "a service_code from services"))?);
    }
    let mut statuses = Vec::new();
    for word in list(fields.get("status")) {
        statuses.extend(Open::parse(word).ok_or_else(|| invalid("status", "open or closed"))?.statuses());
    }
    let date = |field: &'static str| fields.get(field).map(|t| parse_datetime(t, field)).transpose();
    let (start, end) =
        (date("start_date").map_err(|r| bad(format, &r))?, date("end_date").map_err(|r| bad(format, &r))?);
    let (from, to) = span(start, end, time::now()).map_err(|r| bad(format, &r))?;
    let query = SentQuery { numbers, from, to, categories, statuses, limit: MAX_REQUESTS };
    let failed = |error: StoreError| refused(format, error.into());
    let sent = state.store.open311_requests(&query).await.map_err(failed)?;
    Ok(Reply::ok(format, "service_requests", Value::Array(views(state, sent).await.map_err(failed)?)))
}

/// Requests as GeoReport gives them.
async fn views(state: &AppState, sent: Vec<Sent>) -> Result<Vec<Value>, StoreError> {
    let ids: Vec<i64> = sent.iter().map(|s| s.request.id).collect();
    let (latest, categories, units) =
        tokio::join!(state.store.latest_of(&ids), state.store.categories(), state.store.units());
    let (latest, categories, units) = (latest?, categories?, units?);
    let service: HashMap<i64, &str> = categories.iter().map(|c| (c.id, c.name.as_str())).collect();
    let unit: HashMap<i64, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    let notice = Text::from_catalogue("open311.notice");
    Ok(sent
        .iter()
        .map(|s| {
            let r = &s.request;
            let last = latest.get(&r.id).cloned().unwrap_or_default();
            let Latest { at, note } = last;
            let responsible = r.assignee_unit_id.unwrap_or(r.new.unit_id);
            let category = r.new.category_id;
            json!({
                "service_request_id": r.number,
                "status": Open::of(r.status).as_str(),
                "status_notes": r.reply.clone().or(note),
                "service_name": category.and_then(|c| service.get(&c)).copied(),
                "service_code": category.map(|c| c.to_string()),
                "description": r.new.content,
                "agency_responsible": unit.get(&responsible).copied(),
                "service_notice": format!("{} / {}", notice.zh, notice.en),
                "requested_datetime": datetime(r.created_at),
                "updated_datetime": datetime(at.max(r.created_at)),
                "expected_datetime": r.resolve_by.map(datetime),
                "address": r.new.address,
                "lat": r.new.location.map(|p| p.lat),
                "long": r.new.location.map(|p| p.long),
                "media_url": Some(s.media_url.as_str()).filter(|u| !u.is_empty()),
            })
        })
        .collect())
}

/// `POST requests.{format}`, a form (`application/x-www-form-urlencoded`) with the
/// client's `api_key`.
async fn post(State(state): State<AppState>, Path(name): Path<String>, body: Bytes) -> Answer {
    let (name, format) = resource(&name)?;
    if name != "requests" {
        return Err(not_found(format, "open311.no_resource", name));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| Reply::error(format, StatusCode::BAD_REQUEST, Text::from_catalogue("open311.bad_form")))?;
    let mut form = fields(text, format)
        .map_err(|_| Reply::error(format, StatusCode::BAD_REQUEST, Text::from_catalogue("open311.bad_form")))?;
    let mut take = |field: &str| form.remove(field);
    let post = Post {
        api_key: take("api_key"),
        service_code: take("service_code"),
        email: take("email"),
        fields: Posted {
            lat: take("lat"),
            long: take("long"),
            address_string: take("address_string"),
            description: take("description"),
            first_name: take("first_name"),
            last_name: take("last_name"),
            phone: take("phone"),
            media_url: take("media_url"),
        },
    };
    let sent =
        gongzhi_app::open311::post(&state.store, &*state.suggester, post).await.map_err(|e| refused(format, e))?;
    let notice = Text::from_catalogue("open311.notice");
    let body = json!([{
        "service_request_id": sent.request.number,
        "token": sent.token,
        "service_notice": format!("{} / {}", notice.zh, notice.en),
        "account_id": null,
    }]);
    Ok(Reply::ok(format, "service_requests", body))
}
