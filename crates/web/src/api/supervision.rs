//! Supervision over JSON, `/api/v1/supervision/…`: the same acts as the pages — draw,
//! call back, open, answer, close and send back orders — and the callback summary that
//! bulletins and dashboards show.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gongzhi_app::supervision::{self, OrderStep};
use gongzhi_domain::supervision::callback::{Answers, AttemptResult};
use gongzhi_domain::supervision::order::{due_after, Order, OrderKind, OrderStatus, DEFAULT_DAYS};
use gongzhi_domain::supervision::SampleRule;
use gongzhi_domain::time::{self, DAY};
use gongzhi_store::{CallInput, CallbackSummary, DrawSpec, NewOrder, OrderFilter, Sample, SampleItem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::parse_date;
use super::stats::UnitRef;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(summary))
        .routes(routes!(draw))
        .routes(routes!(sample))
        .routes(routes!(queue))
        .routes(routes!(call))
        .routes(routes!(orders, open))
        .routes(routes!(order))
        .routes(routes!(act))
}

/// The end of a local date given as `YYYY-MM-DD`.
fn end_of_day(text: &str, field: &str) -> ApiResult<i64> {
    Ok(time::start_of(parse_date(text, field)?) + DAY - 1)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// The unit whose subtree is summed up; the caller's own by default.
    unit: Option<i64>,
    /// `YYYY-MM-DD`, local.
    from: String,
    /// `YYYY-MM-DD`, local, inclusive.
    to: String,
}

#[derive(Serialize, ToSchema)]
pub struct SummaryView {
    pub unit: UnitRef,
    pub from: String,
    pub to: String,
    pub summary: CallbackSummary,
}

/// The callback rate and the answers to the four questions, with the requests behind
/// each figure, for a unit of the caller's subtree.
#[utoipa::path(get, path = "/supervision/callback-summary", tag = "supervision", params(SummaryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The summary", body = SummaryView),
        (status = 400, description = "A bad query, date or period", body = ErrorBody),
        (status = 404, description = "No such unit in the caller's scope", body = ErrorBody),
    ))]
async fn summary(
    State(state): State<AppState>,
    Caller(account): Caller,
    ApiQuery(query): ApiQuery<SummaryQuery>,
) -> ApiResult<Json<SummaryView>> {
    let (from, to) = (parse_date(&query.from, "from")?, parse_date(&query.to, "to")?);
    let unit = state.store.unit(query.unit.unwrap_or(account.unit_id)).await?;
    if !account.staff().covers(&unit.path) {
        return Err(ApiError::not_found());
    }
    let summary = state.store.callback_summary(unit.id, from, to).await?;
    Ok(Json(SummaryView { unit: UnitRef { id: unit.id, name: unit.name }, from: query.from, to: query.to, summary }))
}

/// A draw: `rate_percent` of each unit's finished requests, at least `minimum`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawBody {
    unit_id: i64,
    /// `YYYY-MM-DD`: the local dates whose first resolutions are drawn from.
    from: String,
    to: String,
    rate_percent: u32,
    minimum: u32,
    seed: Option<u64>,
}

/// A sample and its drawn requests.
#[derive(Serialize, ToSchema)]
pub struct SampleView {
    pub sample: Sample,
    pub items: Vec<SampleItem>,
}

#[utoipa::path(post, path = "/supervision/samples", tag = "supervision", request_body = DrawBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Drawn", body = SampleView),
        (status = 400, description = "Malformed JSON, a bad date or period", body = ErrorBody),
        (status = 403, description = "Only supervisors draw", body = ErrorBody),
        (status = 404, description = "No such unit in the caller's scope", body = ErrorBody),
        (status = 422, description = "Invalid fields or rule", body = ErrorBody),
    ))]
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
    Ok((StatusCode::CREATED, Json(SampleView { sample, items })).into_response())
}

#[utoipa::path(get, path = "/supervision/samples/{id}", tag = "supervision", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The sample", body = SampleView),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 403, description = "Only supervisors", body = ErrorBody),
        (status = 404, description = "No such sample in the caller's scope", body = ErrorBody),
    ))]
async fn sample(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<SampleView>> {
    let staff = account.staff();
    let sample = state.store.sample(&staff, id).await?;
    let items = state.store.sample_items(&staff, id).await?;
    Ok(Json(SampleView { sample, items }))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    offset: Option<i64>,
    /// 50 by default.
    limit: Option<i64>,
    /// Orders only.
    status: Option<OrderStatus>,
    /// Orders only.
    kind: Option<OrderKind>,
    /// Orders only.
    request_id: Option<i64>,
}

/// One page of the callbacks still to make, and how many there are in all.
#[derive(Serialize, ToSchema)]
pub struct SampleItemPage {
    pub items: Vec<SampleItem>,
    pub total: i64,
}

/// One page of orders, and how many there are in all.
#[derive(Serialize, ToSchema)]
pub struct OrderPage {
    pub items: Vec<Order>,
    pub total: i64,
}

#[utoipa::path(get, path = "/supervision/callbacks", tag = "supervision", params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Callbacks to make", body = SampleItemPage),
        (status = 400, description = "A bad query", body = ErrorBody),
        (status = 403, description = "Only supervisors", body = ErrorBody),
    ))]
async fn queue(
    State(state): State<AppState>,
    Caller(account): Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<SampleItemPage>> {
    let listing =
        state.store.callback_queue(&account.staff(), query.offset.unwrap_or(0), query.limit.unwrap_or(50)).await?;
    Ok(Json(SampleItemPage { items: listing.items, total: listing.total }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum CallResult {
    Reached,
    NotReached,
}

/// A call: `answers` are required when the requester was reached.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallBody {
    result: CallResult,
    answers: Option<Answers>,
    #[serde(default)]
    note: String,
    /// When an answer fails: the rework order's due date, `YYYY-MM-DD`.
    rework_due: Option<String>,
}

/// The callback after a call, and the rework order a failed answer opened.
#[derive(Serialize, ToSchema)]
pub struct CallRecorded {
    pub item: SampleItem,
    pub order_id: Option<i64>,
}

/// Records a call. The requester's number is not in the answer: the workspace page
/// shows it, and logs that it did.
#[utoipa::path(post, path = "/supervision/callbacks/{item}", tag = "supervision", request_body = CallBody,
    params(("item" = i64, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "Recorded", body = CallRecorded),
        (status = 400, description = "Malformed JSON, a bad date, or a reached call without answers", body = ErrorBody),
        (status = 403, description = "Only supervisors", body = ErrorBody),
        (status = 404, description = "No such callback in the caller's scope", body = ErrorBody),
        (status = 409, description = "The request already has an open order of that kind", body = ErrorBody),
        (status = 422, description = "Invalid fields, or the callback is finished", body = ErrorBody),
    ))]
async fn call(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path(item): Path<i64>,
    ApiJson(body): ApiJson<CallBody>,
) -> ApiResult<Json<CallRecorded>> {
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
    Ok(Json(CallRecorded { item, order_id: written.order_id }))
}

#[utoipa::path(get, path = "/supervision/orders", tag = "supervision", params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Orders of the caller's scope", body = OrderPage),
        (status = 400, description = "A bad query", body = ErrorBody),
        (status = 403, description = "The role has no orders", body = ErrorBody),
    ))]
async fn orders(
    State(state): State<AppState>,
    Caller(account): Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<OrderPage>> {
    let filter = OrderFilter { status: query.status, kind: query.kind, request_id: query.request_id };
    let (offset, limit) = (query.offset.unwrap_or(0), query.limit.unwrap_or(50));
    let listing = state.store.orders(&account.staff(), &filter, offset, limit).await?;
    Ok(Json(OrderPage { items: listing.items, total: listing.total }))
}

/// A press or rework order on a request, due at the end of `due` (`YYYY-MM-DD`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenBody {
    kind: OrderKind,
    request_id: i64,
    reason: String,
    due: String,
}

#[utoipa::path(post, path = "/supervision/orders", tag = "supervision", request_body = OpenBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Opened", body = Order),
        (status = 400, description = "Malformed JSON or a bad date", body = ErrorBody),
        (status = 403, description = "Only supervisors open orders", body = ErrorBody),
        (status = 404, description = "No such request in the caller's scope", body = ErrorBody),
        (status = 409, description = "The request already has an open order of that kind", body = ErrorBody),
        (status = 422, description = "Invalid fields, or the request cannot take an order now", body = ErrorBody),
    ))]
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
    Ok((StatusCode::CREATED, Json(order)).into_response())
}

#[utoipa::path(get, path = "/supervision/orders/{id}", tag = "supervision", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The order", body = Order),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 403, description = "The role has no orders", body = ErrorBody),
        (status = 404, description = "No such order in the caller's scope", body = ErrorBody),
    ))]
async fn order(State(state): State<AppState>, Caller(account): Caller, Path(id): Path<i64>) -> ApiResult<Json<Order>> {
    Ok(Json(state.store.order(&account.staff(), id).await?))
}

/// `text` is the answer or the note; `due` (`YYYY-MM-DD`) the new date when sent back.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActBody {
    #[serde(default)]
    text: String,
    due: Option<String>,
}

/// `answer` (the unit), `close` or `return` (the supervisor).
#[utoipa::path(post, path = "/supervision/orders/{id}/{act}", tag = "supervision", request_body = ActBody,
    params(("id" = i64, Path), ("act" = String, Path, description = "`answer`, `close` or `return`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The order after the act", body = Order),
        (status = 400, description = "Malformed JSON, a bad date, or `return` without `due`", body = ErrorBody),
        (status = 403, description = "The role may not take this act", body = ErrorBody),
        (status = 404, description = "No such order in the caller's scope, or no such act", body = ErrorBody),
        (status = 422, description = "Invalid fields, or the order's state does not allow it", body = ErrorBody),
    ))]
async fn act(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path((id, act)): Path<(i64, String)>,
    ApiJson(body): ApiJson<ActBody>,
) -> ApiResult<Json<Order>> {
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
    Ok(Json(order))
}
