//! The JSON API, `/api/v1`. See docs/api.md for the contract with examples.

pub mod bulletins;
pub mod catalogue;
pub mod requests;
pub mod session;
pub mod stats;
pub mod supervision;
pub mod track;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::error::ApiError;
use crate::AppState;

pub async fn health(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => Json(json!({ "status": "ok", "database": state.store.backend().name() })).into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" }))).into_response()
        }
    }
}

pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no_such_endpoint", "没有这个接口", "no such endpoint")
}

/// A panic is a bug; the caller still gets a proper answer and the server goes on.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    tracing::error!(%detail, "handler panicked");
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "系统内部错误，已记录", "internal error, logged")
        .into_response()
}

/// `YYYY-MM-DD` as a local date.
pub fn parse_date(text: &str, field: &str) -> Result<chrono::NaiveDate, ApiError> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        ApiError::bad_request(
            format!("{field} 应为 YYYY-MM-DD 格式的日期"),
            format!("{field} must be a date YYYY-MM-DD"),
        )
    })
}
