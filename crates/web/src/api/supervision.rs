//! Supervision over JSON, `/api/v1/supervision/…`: the same acts as the pages — draw,
//! call back, open, answer, close and send back orders — and the callback summary that
//! bulletins and dashboards show.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gongzhi_app::supervision::{self, OrderStep};
use gongzhi_domain::supervision::callback::{Answers, AttemptResult};
use gongzhi_domain::supervision::order::{due_after, OrderKind, OrderStatus, DEFAULT_DAYS};
use gongzhi_domain::supervision::SampleRule;
use gongzhi_domain::time::{self, DAY};
use gongzhi_store::{CallInput, DrawSpec, NewOrder, OrderFilter};
use serde::Deserialize;
use serde_json::{json, Value};

use super::parse_date;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::{ApiJson, ApiQuery};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/supervision/callback-summary", get(summary))
        .route("/supervision/samples", post(draw))
        .route("/supervision/samples/{id}", get(sample))
        .route("/supervision/callbacks", get(queue))
        .route("/supervision/callbacks/{item}", post(call))
        .route("/supervision/orders", get(orders).post(open))
        .route("/supervision/orders/{id}", get(order))
        .route("/supervision/orders/{id}/{act}", post(act))
}

/// The end of a local date given as `YYYY-MM-DD`.
fn end_of_day(text: &str, field: &str) -> ApiResult<i64> {
    Ok(time::start_of(parse_date(text, field)?) + DAY - 1)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    unit: Option<i64>,
    from: String,
    to: String,
}

/// The callback rate and the answers to the four questions, with the requests behind
/// each figure, for a unit of the caller's subtree.
async fn summary(
    State(state): State<AppState>,
    Caller(account): Caller,
    ApiQuery(query): ApiQuery<SummaryQuery>,
) -> ApiResult<Json<Value>> {
    let (from, to) = (parse_date(&query.from, "from")?, parse_date(&query.to, "to")?);
    let unit = state.store.unit(query.unit.unwrap_or(account.unit_id)).await?;
    if !account.staff().covers(&unit.path) {
        return Err(ApiError::not_found());
    }
    let summary = state.store.callback_summary(unit.id, from, to).await?;
    Ok(Json(
        json!({ "unit": { "id": unit.id, "name": unit.name }, "from": query.from, "to": query.to, "summary": summary }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawBody {
    unit_id: i64,
    from: String,
    to: String,
    rate_percent: u32,
    minimum: u32,
    seed: Option<u64>,
}

async fn draw(
    State(state): State<AppState>,
    Caller(account): Caller,
    ApiJson(body): ApiJson<DrawBody>,
) -> ApiResult<Response> {
    let spec = DrawSpec {
        unit_id: body.unit_id,
        from: parse_date(&body.from, "from")?,
        to: parse_date(&body.to, "to")?,
        rule: SampleRule { rate_percent: body.rate_percent, minimum: body.minimum },
        seed: body.seed,
    };
    let staff = account.staff();
    let (sample, items) = supervision::draw(&state.store, &staff, &spec, time::now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "sample": sample, "items": items }))).into_response())
}

async fn sample(State(state): State<AppState>, Caller(account): Caller, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let staff = account.staff();
    let sample = state.store.sample(&staff, id).await?;
    let items = state.store.sample_items(&staff, id).await?;
    Ok(Json(json!({ "sample": sample, "items": items })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    offset: Option<i64>,
    limit: Option<i64>,
    status: Option<OrderStatus>,
    kind: Option<OrderKind>,
    request_id: Option<i64>,
}

async fn queue(
    State(state): State<AppState>,
    Caller(account): Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Value>> {
    let listing =
        state.store.callback_queue(&account.staff(), query.offset.unwrap_or(0), query.limit.unwrap_or(50)).await?;
    Ok(Json(json!({ "items": listing.items, "total": listing.total })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum CallResult {
    Reached,
    NotReached,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallBody {
    result: CallResult,
    answers: Option<Answers>,
    #[serde(default)]
    note: String,
    /// When an answer fails: the rework order's due date, `YYYY-MM-DD`.
    rework_due: Option<String>,
}

/// Records a call. The requester's number is not in the answer: the workspace page
/// shows it, and logs that it did.
async fn call(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path(item): Path<i64>,
    ApiJson(body): ApiJson<CallBody>,
) -> ApiResult<Json<Value>> {
    let result = match (body.result, body.answers) {
        (CallResult::NotReached, _) => AttemptResult::NotReached,
        (CallResult::Reached, Some(answers)) => AttemptResult::Reached(answers),
        (CallResult::Reached, None) => return Err(ApiError::bad_request("api.answers_needed")),
    };
    let now = time::now();
    let rework_due = match body.rework_due.as_deref() {
        Some(text) => end_of_day(text, "rework_due")?,
        None => due_after(&state.store.settings().calendar, now, DEFAULT_DAYS),
    };
    let rework_reason = crate::pages::supervision::callback::rework_reason(&result, &body.note);
    let input = CallInput { result, note: body.note, rework_reason, rework_due };
    let staff = account.staff();
    let (written, item, _) = supervision::call(&state.store, &staff, item, input, now).await?;
    Ok(Json(json!({ "item": item, "order_id": written.order_id })))
}

async fn orders(
    State(state): State<AppState>,
    Caller(account): Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Value>> {
    let filter = OrderFilter { status: query.status, kind: query.kind, request_id: query.request_id };
    let (offset, limit) = (query.offset.unwrap_or(0), query.limit.unwrap_or(50));
    let listing = state.store.orders(&account.staff(), &filter, offset, limit).await?;
    Ok(Json(json!({ "items": listing.items, "total": listing.total })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenBody {
    kind: OrderKind,
    request_id: i64,
    reason: String,
    due: String,
}

async fn open(
    State(state): State<AppState>,
    Caller(account): Caller,
    ApiJson(body): ApiJson<OpenBody>,
) -> ApiResult<Response> {
    let new = NewOrder {
        kind: body.kind,
        request_id: body.request_id,
        reason: body.reason,
        due_at: end_of_day(&body.due, "due")?,
    };
    let order = supervision::open_order(&state.store, &account.staff(), new, time::now()).await?;
    Ok((StatusCode::CREATED, Json(json!(order))).into_response())
}

async fn order(State(state): State<AppState>, Caller(account): Caller, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(json!(state.store.order(&account.staff(), id).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActBody {
    #[serde(default)]
    text: String,
    due: Option<String>,
}

/// `answer` (the unit), `close` or `return` (the supervisor).
async fn act(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path((id, act)): Path<(i64, String)>,
    ApiJson(body): ApiJson<ActBody>,
) -> ApiResult<Json<Value>> {
    let staff = account.staff();
    let now = time::now();
    let step = match act.as_str() {
        "answer" => OrderStep::Answer(body.text),
        "close" => OrderStep::Close(body.text),
        "return" => {
            let due = body.due.as_deref().ok_or_else(|| ApiError::bad_request("api.due_needed"))?;
            OrderStep::SendBack { due_at: end_of_day(due, "due")?, note: body.text }
        }
        _ => return Err(super::not_found().await),
    };
    let order = supervision::order_step(&state.store, &staff, id, step, now).await?;
    Ok(Json(json!(order)))
}
