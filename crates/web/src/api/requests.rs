//! Requests: intake, lists, one request with its timeline, the queues, and actions.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use gongzhi_app::visibility::actions;
use gongzhi_app::{Act, Submission};
use gongzhi_domain::lifecycle::{Action, Command};
use gongzhi_domain::request::NewRequest;
use gongzhi_domain::time;
use gongzhi_domain::*;
use gongzhi_store::{ListFilter, Queue};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::auth::{Caller, ClientAddr};
use crate::error::{ApiError, ApiResult};
use crate::json::{ApiJson, ApiQuery};
use crate::{view, AppState};

/// The intake form as JSON.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    kind: Kind,
    channel: Option<Channel>,
    title: String,
    content: String,
    #[serde(default)]
    address: String,
    unit_id: i64,
    category_id: Option<i64>,
    #[serde(default)]
    urgent: bool,
    #[serde(default = "resident")]
    requester_type: RequesterType,
    #[serde(default)]
    requester_name: String,
    #[serde(default)]
    requester_phone: String,
    #[serde(default)]
    anonymous: bool,
}

fn resident() -> RequesterType {
    RequesterType::Resident
}

const MAX_IDEMPOTENCY_KEY: usize = 128;

/// Intake. An `Idempotency-Key` belongs to its caller — a staff member, or for the
/// public the address it came from — and to what was sent with it: another caller's key
/// is a new key, and the same key with another body is refused (`422`).
pub async fn create(
    State(state): State<AppState>,
    caller: Option<Caller>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<Response> {
    let (actor, channel, namespace) = match &caller {
        Some(Caller(account)) => {
            (Actor::Staff(account.staff()), body.channel.unwrap_or(Channel::Hotline), format!("user:{}", account.id))
        }
        None => {
            // The public may only say it came by web or phone app; the rest are staff's.
            let channel = body.channel.unwrap_or(Channel::Web);
            if !matches!(channel, Channel::Web | Channel::Mobile) {
                return Err(ApiError::forbidden("api.public_channel"));
            }
            (Actor::Requester, channel, format!("public:{addr}"))
        }
    };
    let key = match headers.get("idempotency-key") {
        Some(value) => {
            let key = value
                .to_str()
                .ok()
                .filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY)
                .ok_or_else(|| ApiError::bad_request("api.idempotency_key"))?;
            Some(format!("{namespace}:{key}"))
        }
        None => None,
    };
    let new = NewRequest {
        kind: body.kind,
        channel,
        title: body.title,
        content: body.content,
        address: body.address,
        unit_id: body.unit_id,
        category_id: body.category_id,
        urgent: body.urgent,
        requester_type: body.requester_type,
        requester_name: body.requester_name,
        requester_phone: body.requester_phone,
        anonymous: body.anonymous,
    };
    let created =
        gongzhi_app::submit(&state.store, &*state.suggester, Submission { new, key, actor, photos: vec![] }).await?;
    let r = &created.request;
    let status = if created.replayed { StatusCode::OK } else { StatusCode::CREATED };
    let body = json!({ "id": r.id, "number": r.number, "tracking_code": r.tracking_code, "status": r.status });
    Ok((status, Json(body)).into_response())
}

/// List filters as a query string: `status` takes a comma-separated list; dates are
/// local `YYYY-MM-DD`, `created_to` inclusive.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    unit_id: Option<i64>,
    assignee_unit_id: Option<i64>,
    handler_id: Option<i64>,
    category_id: Option<i64>,
    kind: Option<Kind>,
    channel: Option<Channel>,
    created_from: Option<String>,
    created_to: Option<String>,
    overdue: Option<bool>,
    urgent: Option<bool>,
    /// Full-text search over title and content.
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
}

fn filter_of(query: ListQuery) -> ApiResult<ListFilter> {
    let mut status = Vec::new();
    for part in query.status.iter().flat_map(|s| s.split(',')).filter(|p| !p.is_empty()) {
        status.push(Status::parse(part).ok_or_else(|| {
            ApiError::filled(StatusCode::BAD_REQUEST, "bad_request", "api.unknown_status", &[("status", part)])
        })?);
    }
    let day = |text: &Option<String>, field: &str, next: bool| -> ApiResult<Option<i64>> {
        text.as_deref()
            .map(|t| {
                super::parse_date(t, field).map(|d| time::start_of(if next { d.succ_opt().unwrap_or(d) } else { d }))
            })
            .transpose()
    };
    Ok(ListFilter {
        status,
        unit_id: query.unit_id,
        assignee_unit_id: query.assignee_unit_id,
        handler_id: query.handler_id,
        category_id: query.category_id,
        kind: query.kind,
        channel: query.channel,
        created_from: day(&query.created_from, "created_from", false)?,
        created_to: day(&query.created_to, "created_to", true)?,
        overdue: query.overdue,
        urgent: query.urgent,
        text: match query.q.filter(|q| !q.trim().is_empty()) {
            Some(q) if !gongzhi_store::searchable(&q) => {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, "search_too_short", "api.search_too_short"))
            }
            q => q,
        },
        cursor: query.cursor,
        limit: query.limit,
    })
}

pub async fn list(
    State(state): State<AppState>,
    Caller(account): Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let filter = filter_of(query)?;
    let now = time::now();
    let page = state.store.list(&account.staff(), &filter, now).await?;
    let policy = &state.store.settings().policy;
    let mut items: Vec<Value> = page.items.iter().map(|r| view::request(r, &account, policy, now)).collect();
    crate::suggest::attach(&state.store, &account, &mut items).await;
    log_unmasked(&state, &account, page.items.iter().map(|r| r.id)).await;
    Ok(Json(json!({ "items": items, "next_cursor": page.next_cursor })))
}

/// Every view of real phone numbers is itself recorded.
async fn log_unmasked(state: &AppState, account: &gongzhi_store::Account, ids: impl Iterator<Item = i64>) {
    if view::sees_phone(account) {
        state.store.log_pii_access(account.id, ids.collect()).await;
    }
}

pub async fn detail(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let request = state.store.request(id, &account.staff()).await?;
    let events = state.store.events_of(id).await?;
    let now = time::now();
    let mut body = view::request(&request, &account, &state.store.settings().policy, now);
    let timeline: Vec<Value> = events
        .iter()
        .map(|e| json!({ "id": e.id, "at": e.at, "actor": e.actor, "action": e.action, "from": e.from_status, "to": e.to_status, "note": e.note, "payload": serde_json::from_str::<Value>(&e.payload).unwrap_or(Value::Null) }))
        .collect();
    body["timeline"] = Value::Array(timeline);
    body["actions"] = json!(actions(&request, account.role).iter().map(|a| a.as_str()).collect::<Vec<_>>());
    log_unmasked(&state, &account, std::iter::once(id)).await;
    crate::suggest::attach(&state.store, &account, std::slice::from_mut(&mut body)).await;
    Ok(Json(body))
}

/// `POST /requests/{id}/{action}` with the action's fields and the `version` the caller
/// saw.
pub async fn act(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path((id, action)): Path<(i64, String)>,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let action = Action::parse(&action).ok_or_else(|| {
        ApiError::filled(StatusCode::NOT_FOUND, "unknown_action", "api.unknown_action", &[("action", &action)])
    })?;
    let (version, command) = command_of(action, body)?;
    let actor = Actor::Staff(account.staff());
    let request = gongzhi_app::act(&state.store, Act::new(id, Some(version), command, actor)).await?;
    Ok(Json(view::request(&request, &account, &state.store.settings().policy, time::now())))
}

/// Splits `version` off the body and reads the rest as the action's fields.
fn command_of(action: Action, mut body: Map<String, Value>) -> ApiResult<(i64, Command)> {
    let version = body
        .remove("version")
        .and_then(|v| v.as_i64())
        .ok_or_else(|| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "missing_version", "api.missing_version"))?;
    if matches!(action, Action::AutoClose) {
        return Err(ApiError::forbidden("api.auto_close"));
    }
    body.insert("action".into(), Value::String(action.as_str().into()));
    let command: Command = serde_json::from_value(Value::Object(body)).map_err(|e| match left_out(&e) {
        Some(field) => ApiError::from(gongzhi_store::StoreError::Rule(Broken::Missing(field))),
        None => crate::json::invalid_fields(&e.to_string()),
    })?;
    Ok((version, command))
}

/// The field an action's body left out, if it is one the rules name. None has a default:
/// whether the requester was contacted, whether it was solved and how satisfied they are
/// count in the figures, so the caller must say.
fn left_out(error: &serde_json::Error) -> Option<&'static str> {
    let text = error.to_string();
    let name = text.strip_prefix("missing field `")?.split('`').next()?;
    ["contacted", "solved", "satisfaction", "reply", "reason", "note", "unit_id", "until", "into"]
        .into_iter()
        .find(|field| *field == name)
}

pub async fn queue_counts(State(state): State<AppState>, Caller(account): Caller) -> ApiResult<Json<Value>> {
    let counts = state.store.queue_counts(&account.staff(), time::now()).await?;
    let map: Map<String, Value> = counts.into_iter().map(|(q, n)| (q.as_str().to_string(), json!(n))).collect();
    Ok(Json(Value::Object(map)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    limit: Option<u32>,
}

pub async fn queue(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path(name): Path<String>,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> ApiResult<Json<Value>> {
    let queue = Queue::parse(&name).ok_or_else(|| {
        ApiError::filled(StatusCode::NOT_FOUND, "unknown_queue", "api.unknown_queue", &[("queue", &name)])
    })?;
    let now = time::now();
    let items = state.store.queue(&account.staff(), queue, now, query.limit.unwrap_or(50)).await?;
    let policy = &state.store.settings().policy;
    log_unmasked(&state, &account, items.iter().map(|r| r.id)).await;
    let mut items: Vec<Value> = items.iter().map(|r| view::request(r, &account, policy, now)).collect();
    crate::suggest::attach(&state.store, &account, &mut items).await;
    Ok(Json(json!({ "items": items })))
}
