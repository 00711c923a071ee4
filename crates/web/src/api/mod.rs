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
    ApiError::new(StatusCode::NOT_FOUND, "no_such_endpoint", "api.no_such_endpoint")
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
        StatusCode::BAD_REQUEST => {
            let detail = if detail.is_empty() { "bad request" } else { &detail };
            ApiError::invalid(status, "bad_request", "api.bad_request", detail)
        }
        StatusCode::NOT_FOUND => ApiError::new(status, "no_such_endpoint", "api.no_such_endpoint"),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(status, "method_not_allowed", "api.method_not_allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large(),
        StatusCode::REQUEST_TIMEOUT => ApiError::new(status, "timeout", "api.timeout"),
        _ if status.is_server_error() => ApiError { status, ..ApiError::unavailable() },
        _ => {
            let detail = if detail.is_empty() { status.to_string() } else { detail };
            ApiError::invalid(status, "bad_request", "api.bad_status", &detail)
        }
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
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "api.internal").into_response()
}

/// `YYYY-MM-DD` as a local date.
pub fn parse_date(text: &str, field: &str) -> Result<chrono::NaiveDate, ApiError> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| ApiError::filled(StatusCode::BAD_REQUEST, "bad_request", "api.bad_date", &[("field", field)]))
}
