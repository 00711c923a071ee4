//! The requester's side: following a request by its tracking code, evaluating the result
//! and asking for it to be reopened. No account, so wrong codes are throttled per address;
//! and no staff credentials (see `guard`), so a cadre cannot pose as the requester.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gongzhi_app::Act;
use gongzhi_domain::lifecycle::Command;
use gongzhi_domain::{time, Actor, Satisfaction};
use gongzhi_store::StoreError;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::ClientAddr;
use crate::error::{ApiError, ApiResult};
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

pub async fn track(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(code): Path<String>,
) -> ApiResult<Json<Value>> {
    let view = guarded(&state, &addr, &code, state.store.track(&code)).await?;
    Ok(Json(serde_json::to_value(view).unwrap_or_default()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    solved: bool,
    satisfaction: Satisfaction,
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reopening {
    reason: String,
}

pub async fn act(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path((code, action)): Path<(String, String)>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<Value>> {
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
    Ok(Json(json!({ "number": request.number, "status": request.status })))
}
