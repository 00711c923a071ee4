//! The requester's side: following a request by its tracking code, evaluating the result
//! and asking for it to be reopened. No account, so wrong codes are throttled per address;
//! and no staff credentials (see `guard`), so a cadre cannot pose as the requester.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gongzhi_app::Act;
use gongzhi_domain::lifecycle::Command;
use gongzhi_domain::{time, Actor, Satisfaction, Status};
use gongzhi_store::{StoreError, TrackView};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::ClientAddr;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::AppState;

/// Longest tracking code looked up, in characters; real ones have 10.
const MAX_CODE: usize = 32;

fn unknown_code() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "unknown_tracking_code", "api.unknown_tracking_code")
}

/// Looks a code up unless this address has guessed wrong too often. Each lookup is
/// counted before it is made, in one statement, and taken back when the code exists: at
/// most `track_attempts` wrong codes a window are ever looked up from one address,
/// however many arrive at once. A text that cannot be a code is not looked up at all.
pub async fn guarded<T>(
    state: &AppState,
    addr: &str,
    code: &str,
    lookup: impl std::future::Future<Output = Result<T, StoreError>>,
) -> ApiResult<T> {
    if code.is_empty() || code.len() > MAX_CODE || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(unknown_code());
    }
    let key = format!("track:{addr}");
    if state.store.count_attempt(&key, state.config.throttle_window, time::now()).await? > state.config.track_attempts {
        return Err(ApiError::throttled());
    }
    match lookup.await {
        Ok(found) => {
            state.store.forgive_attempt(&key).await?;
            Ok(found)
        }
        Err(StoreError::NotFound) => Err(unknown_code()),
        Err(error) => Err(error.into()),
    }
}

#[utoipa::path(get, path = "/track/{code}", tag = "tracking", params(("code" = String, Path, description = "The tracking code the requester was given")),
    responses(
        (status = 200, description = "The request as its requester sees it", body = TrackView),
        (status = 403, description = "Staff credentials were sent", body = ErrorBody),
        (status = 404, description = "No request has this code", body = ErrorBody),
        (status = 429, description = "Too many wrong codes from this address", body = ErrorBody),
    ))]
pub async fn track(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(code): Path<String>,
) -> ApiResult<Json<TrackView>> {
    Ok(Json(guarded(&state, &addr, &code, state.store.track(&code)).await?))
}

/// The requester's verdict: both `solved` and `satisfaction` are required.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    solved: bool,
    satisfaction: Satisfaction,
    #[serde(default)]
    comment: String,
}

/// Asking for the request to be handled again.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reopening {
    reason: String,
}

/// What the requester sends: an evaluation to `evaluate`, a reopening to `reopen`. For
/// the document: `act` knows from the path which one it reads, and so refuses a body
/// with the error of that one.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum RequesterBody {
    Evaluation(Evaluation),
    Reopening(Reopening),
}

/// The request after the requester's act.
#[derive(Serialize, ToSchema)]
pub struct RequesterActed {
    pub number: String,
    pub status: Status,
}

#[utoipa::path(post, path = "/track/{code}/{action}", tag = "tracking", request_body = RequesterBody,
    params(
        ("code" = String, Path, description = "The tracking code the requester was given"),
        ("action" = String, Path, description = "`evaluate` or `reopen`"),
    ),
    responses(
        (status = 200, description = "Done", body = RequesterActed),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "Staff credentials were sent", body = ErrorBody),
        (status = 404, description = "No request has this code, or no such action", body = ErrorBody),
        (status = 422, description = "Invalid or missing fields, already satisfied, the window passed, or the lifecycle does not allow it now", body = ErrorBody),
        (status = 429, description = "Too many wrong codes from this address", body = ErrorBody),
    ))]
pub async fn act(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path((code, action)): Path<(String, String)>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<RequesterActed>> {
    let fields = |e: serde_json::Error| crate::json::invalid_fields(&e.to_string());
    let command = match action.as_str() {
        "evaluate" => {
            let e: Evaluation = serde_json::from_value(body).map_err(fields)?;
            Command::Evaluate { solved: e.solved, satisfaction: e.satisfaction, comment: e.comment }
        }
        "reopen" => {
            let r: Reopening = serde_json::from_value(body).map_err(fields)?;
            Command::Reopen { reason: r.reason }
        }
        _ => return Err(ApiError::new(StatusCode::NOT_FOUND, "unknown_action", "api.requester_actions")),
    };
    let request = guarded(&state, &addr, &code, state.store.request_by_tracking_code(&code)).await?;
    let request = gongzhi_app::act(&state.store, Act::new(request.id, None, command, Actor::Requester)).await?;
    Ok(Json(RequesterActed { number: request.number, status: request.status }))
}
