//! Requests: intake, lists, one request with its timeline, the queues, and actions.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use gongzhi_app::audit;
use gongzhi_app::{Act, Submission};
use gongzhi_domain::geo::Point;
use gongzhi_domain::lifecycle::{Action, Command};
use gongzhi_domain::request::NewRequest;
use gongzhi_domain::time;
use gongzhi_domain::*;
use gongzhi_store::{ListFilter, Queue};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, ClientAddr};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::view::RequestView;
use crate::{view, AppState};

/// The intake form as JSON. `requester_phone` is required unless `anonymous`.
#[derive(Deserialize, ToSchema)]
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
    /// Where the problem is (WGS-84), when the caller knows.
    location: Option<Point>,
}

fn resident() -> RequesterType {
    RequesterType::Resident
}

/// A request taken in. `tracking_code` is the requester's key and is given here only.
#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
    pub number: String,
    pub tracking_code: String,
    pub status: Status,
}

const MAX_IDEMPOTENCY_KEY: usize = 128;

/// Intake. An `Idempotency-Key` belongs to its caller — a staff member, or for the
/// public the address it came from — and to what was sent with it: another caller's key
/// is a new key, and the same key with another body is refused (`422`).
#[utoipa::path(post, path = "/requests", tag = "requests", request_body = CreateBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 128 visible characters; a retry with the same key and body returns the first answer")),
    security((), ("bearer" = [])),
    responses(
        (status = 201, description = "Taken in", body = Created),
        (status = 200, description = "The same key and body again: the request the first call created", body = Created),
        (status = 400, description = "Malformed JSON or a bad Idempotency-Key", body = ErrorBody),
        (status = 401, description = "Unknown or expired credentials", body = ErrorBody),
        (status = 403, description = "The public submits by web or mobile only", body = ErrorBody),
        (status = 422, description = "Invalid fields, an unknown, inactive or non-place unit, an unknown category, a reused key", body = ErrorBody),
    ))]
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
        location: body.location,
    };
    let created = gongzhi_app::submit(
        &state.store,
        &*state.suggester,
        Submission { new, key, actor, photos: vec![], then: None },
    )
    .await?;
    let r = &created.request;
    let status = if created.replayed { StatusCode::OK } else { StatusCode::CREATED };
    let body = Created { id: r.id, number: r.number.clone(), tracking_code: r.tracking_code.clone(), status: r.status };
    Ok((status, Json(body)).into_response())
}

/// List filters as a query string: `status` takes a comma-separated list; dates are
/// local `YYYY-MM-DD`, `created_to` inclusive.
#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Comma-separated statuses.
    status: Option<String>,
    unit_id: Option<i64>,
    assignee_unit_id: Option<i64>,
    handler_id: Option<i64>,
    category_id: Option<i64>,
    kind: Option<Kind>,
    channel: Option<Channel>,
    /// `resident` or `enterprise` (市场主体诉求).
    requester_type: Option<RequesterType>,
    /// `YYYY-MM-DD`, local.
    created_from: Option<String>,
    /// `YYYY-MM-DD`, local, inclusive.
    created_to: Option<String>,
    overdue: Option<bool>,
    urgent: Option<bool>,
    /// Full-text search over title and content.
    q: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// At most 100; 20 by default.
    limit: Option<u32>,
}

/// One page of requests, newest first.
#[derive(Serialize, ToSchema)]
pub struct RequestPage {
    pub items: Vec<RequestView>,
    /// For the next page; `null` on the last.
    pub next_cursor: Option<String>,
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
        requester_type: query.requester_type,
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

#[utoipa::path(get, path = "/requests", tag = "requests", params(ListQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "Requests of the caller's scope", body = RequestPage),
        (status = 400, description = "A bad query, date, cursor or search text", body = ErrorBody),
        (status = 422, description = "The unit the filter names does not exist", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(account): Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<RequestPage>> {
    let filter = filter_of(query)?;
    let now = time::now();
    let page = state.store.list(&account.staff(), &filter, now).await?;
    let policy = &state.store.settings().policy;
    let mut items: Vec<RequestView> = page.items.iter().map(|r| view::request(r, &account, policy, now)).collect();
    crate::suggest::attach(&state.store, &account, &mut items).await;
    log_unmasked(&state, &account, page.items.iter().map(|r| r.id)).await;
    Ok(Json(RequestPage { items, next_cursor: page.next_cursor }))
}

/// Every view of real phone numbers is itself recorded.
async fn log_unmasked(state: &AppState, account: &gongzhi_store::Account, ids: impl Iterator<Item = i64>) {
    if view::sees_phone(account) {
        audit::saw_phones(&state.store, account.id, ids.collect()).await;
    }
}

/// One event of a request's timeline.
#[derive(Serialize, ToSchema)]
pub struct TimelineEvent {
    pub id: i64,
    pub at: i64,
    /// `user:<id>`, `requester` or `system`.
    pub actor: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub note: String,
    /// The action's fields as recorded.
    pub payload: Value,
}

/// A request with its timeline and the actions the caller's role may take.
#[derive(Serialize, ToSchema)]
pub struct RequestDetail {
    #[serde(flatten)]
    pub request: RequestView,
    pub timeline: Vec<TimelineEvent>,
    pub actions: Vec<Action>,
}

#[utoipa::path(get, path = "/requests/{id}", tag = "requests", params(("id" = i64, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "The request", body = RequestDetail),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 404, description = "No such request in the caller's scope", body = ErrorBody),
    ))]
pub async fn detail(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<RequestDetail>> {
    let request = state.store.request(id, &account.staff()).await?;
    let events = state.store.events_of(id).await?;
    let now = time::now();
    let mut view = view::request(&request, &account, &state.store.settings().policy, now);
    let timeline = events
        .into_iter()
        .map(|e| TimelineEvent {
            payload: serde_json::from_str::<Value>(&e.payload).unwrap_or(Value::Null),
            id: e.id,
            at: e.at,
            actor: e.actor,
            action: e.action,
            from: e.from_status,
            to: e.to_status,
            note: e.note,
        })
        .collect();
    let actions = gongzhi_app::visibility::actions(&request, account.role);
    log_unmasked(&state, &account, std::iter::once(id)).await;
    crate::suggest::attach(&state.store, &account, std::slice::from_mut(&mut view)).await;
    Ok(Json(RequestDetail { request: view, timeline, actions }))
}

/// `POST /requests/{id}/{action}` with the action's fields and the `version` the caller
/// saw.
/// An action's fields and the version the caller saw. Which fields an action takes is
/// the lifecycle table of docs/api.md; a field the action does not take is refused.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// The version the caller last saw.
    #[schema(required = true, value_type = i64)]
    pub version: Option<i64>,
    /// `reject`, `return`, `deny-extension`, `reopen`, `request-extension`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `answer`, `resolve`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    /// `dispatch`: the lead unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<i64>,
    /// `dispatch`: the co-units (协办).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub co_unit_ids: Option<Vec<i64>>,
    /// `progress`, `press`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `request-extension`: the deadline asked for, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
    /// `resolve`: whether the requester was contacted. Required there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacted: Option<bool>,
    /// `evaluate`: required there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solved: Option<bool>,
    /// `evaluate`: required there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<Satisfaction>,
    /// `evaluate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `merge`: the request it joins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub into: Option<i64>,
    /// `press`: when the answer is due, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<i64>,
}

#[utoipa::path(post, path = "/requests/{id}/{action}", tag = "requests", request_body = ActionBody,
    params(("id" = i64, Path), ("action" = inline(Action), Path, description = "Any action but `auto-close`, which the system takes")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The request after the action", body = RequestView),
        (status = 400, description = "Malformed JSON or an id that is not a number", body = ErrorBody),
        (status = 403, description = "The role may not take this action here", body = ErrorBody),
        (status = 404, description = "No such request in scope, or no such action", body = ErrorBody),
        (status = 409, description = "Someone acted first: `current_version` says the version to retry with", body = ErrorBody),
        (status = 422, description = "Invalid or missing fields, or the lifecycle does not allow it now", body = ErrorBody),
    ))]
pub async fn act(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path((id, action)): Path<(i64, String)>,
    ApiJson(body): ApiJson<ActionBody>,
) -> ApiResult<Json<RequestView>> {
    let action = Action::parse(&action).ok_or_else(|| {
        ApiError::filled(StatusCode::NOT_FOUND, "unknown_action", "api.unknown_action", &[("action", &action)])
    })?;
    let (version, command) = command_of(action, body)?;
    let actor = Actor::Staff(account.staff());
    let request = gongzhi_app::act(&state.store, Act::new(id, Some(version), command, actor)).await?;
    Ok(Json(view::request(&request, &account, &state.store.settings().policy, time::now())))
}

/// Splits `version` off the body and reads the rest as the action's fields.
fn command_of(action: Action, body: ActionBody) -> ApiResult<(i64, Command)> {
    let version = body
        .version
        .ok_or_else(|| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "missing_version", "api.missing_version"))?;
    let Ok(Value::Object(mut body)) = serde_json::to_value(body) else {
        return Err(ApiError::unavailable());
    };
    body.remove("version");
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

/// How many requests wait in each of the caller's queues.
#[derive(Serialize, ToSchema, Default)]
pub struct QueueCounts {
    /// 待受理
    pub intake: i64,
    /// 待派单
    pub dispatch: i64,
    /// 待领办
    pub claim: i64,
    /// 办理中
    pub handling: i64,
    /// 即将超期
    pub due_soon: i64,
    /// 已超期
    pub overdue: i64,
    /// 协办: work in hand the caller's unit helps with.
    pub co_unit: i64,
}

#[utoipa::path(get, path = "/queues", tag = "requests", security(("bearer" = [])),
    responses(
        (status = 200, description = "Counts of the caller's queues", body = QueueCounts),
    ))]
pub async fn queue_counts(State(state): State<AppState>, Caller(account): Caller) -> ApiResult<Json<QueueCounts>> {
    let mut counts = QueueCounts::default();
    for (queue, n) in state.store.queue_counts(&account.staff(), time::now()).await? {
        let slot = match queue {
            Queue::Intake => &mut counts.intake,
            Queue::Dispatch => &mut counts.dispatch,
            Queue::Claim => &mut counts.claim,
            Queue::Handling => &mut counts.handling,
            Queue::DueSoon => &mut counts.due_soon,
            Queue::Overdue => &mut counts.overdue,
            Queue::CoUnit => &mut counts.co_unit,
        };
        *slot = n;
    }
    Ok(Json(counts))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// 50 by default.
    limit: Option<u32>,
}

/// A queue, most pressing first.
#[derive(Serialize, ToSchema)]
pub struct RequestItems {
    pub items: Vec<RequestView>,
}

#[utoipa::path(get, path = "/queues/{queue}", tag = "requests",
    params(("queue" = inline(Queue), Path), QueueQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The queue", body = RequestItems),
        (status = 400, description = "A bad query", body = ErrorBody),
        (status = 404, description = "No such queue", body = ErrorBody),
    ))]
pub async fn queue(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path(name): Path<String>,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> ApiResult<Json<RequestItems>> {
    let queue = Queue::parse(&name).ok_or_else(|| {
        ApiError::filled(StatusCode::NOT_FOUND, "unknown_queue", "api.unknown_queue", &[("queue", &name)])
    })?;
    let now = time::now();
    let items = state.store.queue(&account.staff(), queue, now, query.limit.unwrap_or(50)).await?;
    let policy = &state.store.settings().policy;
    log_unmasked(&state, &account, items.iter().map(|r| r.id)).await;
    let mut items: Vec<RequestView> = items.iter().map(|r| view::request(r, &account, policy, now)).collect();
    crate::suggest::attach(&state.store, &account, &mut items).await;
    Ok(Json(RequestItems { items }))
}
