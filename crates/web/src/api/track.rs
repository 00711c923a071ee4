//! The requester's side: following a request by its tracking code, evaluating the result
//! and asking for it to be reopened. No account, so wrong codes are throttled per address.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gongzhi_domain::lifecycle::Command;
use gongzhi_domain::{time, Actor, Satisfaction};
use gongzhi_store::StoreError;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::ClientAddr;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::AppState;

/// Looks the code up unless this address has guessed wrong too often, and counts a miss.
async fn guarded<T>(
    state: &AppState,
    addr: &str,
    lookup: impl std::future::Future<Output = Result<T, StoreError>>,
) -> ApiResult<T> {
    let key = format!("track:{addr}");
    let now = time::now();
    let window = state.config.throttle_window;
    if state.store.throttled(&key, window, state.config.track_attempts, now).await? {
        return Err(ApiError::throttled());
    }
    match lookup.await {
        Err(StoreError::NotFound) => {
            state.store.record_failure(&key, window, now).await?;
            Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_tracking_code",
                "查询码不正确，请核对后重试",
                "no request has this tracking code",
            ))
        }
        other => Ok(other?),
    }
}

pub async fn track(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(code): Path<String>,
) -> ApiResult<Json<Value>> {
    let view = guarded(&state, &addr, state.store.track(&code)).await?;
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
    let fields = |e: serde_json::Error| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields", format!("字段有误：{e}"), e.to_string())
    };
    let command = match action.as_str() {
        "evaluate" => {
            let e: Evaluation = serde_json::from_value(body).map_err(fields)?;
            Command::Evaluate { solved: e.solved, satisfaction: e.satisfaction, comment: e.comment }
        }
        "reopen" => {
            let r: Reopening = serde_json::from_value(body).map_err(fields)?;
            Command::Reopen { reason: r.reason }
        }
        _ => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_action",
                "诉求人只能评价或申请重办",
                "a requester may evaluate or reopen",
            ))
        }
    };
    let request = guarded(&state, &addr, state.store.request_by_tracking_code(&code)).await?;
    let request = state.store.act(request.id, None, command, Actor::Requester).await?;
    Ok(Json(json!({ "number": request.number, "status": request.status })))
}
