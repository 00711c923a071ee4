//! The JSON API, `/api/v1`. See docs/api.md for the contract with examples.

pub mod bulletins;
pub mod catalogue;
mod openapi;
pub mod requests;
pub mod session;
pub mod stats;
pub mod supervision;
pub mod track;

use axum::extract::{Request, State};
use axum::http::header::{ALLOW, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::error::ApiError;
use crate::AppState;

pub use openapi::{document, routes, ROUTES};

/// `/healthz`: whether the database answers.
#[derive(Serialize)]
pub struct Health {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<&'static str>,
}

pub async fn health(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => Json(Health { status: "ok", database: Some(state.store.backend().name()) }).into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "unavailable", database: None })).into_response()
        }
    }
}

pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no_such_endpoint", "没有这个接口", "no such endpoint")
}

/// Every error under `/api/` has the shape docs/api.md gives. The framework's own
/// refusals — a path id that is not a number or overflows, a method the route does not
/// take, a body cut at its limit, a request that took too long — come as plain text or
/// empty, and are given that shape here, keeping their status.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let allow = response.headers().get(ALLOW).cloned();
    let detail = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_string())
        .unwrap_or_default();
    let error = match status {
        StatusCode::BAD_REQUEST => ApiError::new(
            status,
            "bad_request",
            "请求有误，请检查路径中的编号和查询参数",
            if detail.is_empty() { "bad request".to_string() } else { detail },
        ),
        StatusCode::NOT_FOUND => ApiError::new(status, "no_such_endpoint", "没有这个接口", "no such endpoint"),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            "method_not_allowed",
            "该接口不接受这种请求方法",
            "this endpoint does not take this method",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large(),
        StatusCode::REQUEST_TIMEOUT => {
            ApiError::new(status, "timeout", "处理超时，请稍后重试", "the request took too long; try again")
        }
        _ if status.is_server_error() => ApiError { status, ..ApiError::unavailable() },
        _ => ApiError::new(
            status,
            "bad_request",
            "请求有误",
            if detail.is_empty() { status.to_string() } else { detail },
        ),
    };
    let mut response = error.into_response();
    if let Some(allow) = allow {
        response.headers_mut().insert(ALLOW, allow);
    }
    response
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
