//! Checks made before any handler runs, so that no handler has to remember them:
//!
//! - No text anyone sends may hold U+0000. PostgreSQL cannot store it and answered such
//!   input with 503 where SQLite took it; both now refuse it alike, with 400, whether it
//!   comes in the path, the query or a form. JSON bodies are checked as they are read
//!   (`json::ApiJson`); the forms where people type their words (`keeps_typed`) are read
//!   by `pages::upload`, which hands them back to their page without the character and
//!   with the problem said, so nothing typed is lost.
//! - The requester's API routes — everything under `/api/v1/track/` — refuse a caller
//!   who comes with staff credentials (403): a cadre must not track, evaluate or reopen
//!   a request as if they had raised it. The requester's forms refuse them on the page,
//!   keeping what was typed (`pages::portal`).

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::pages::{Chrome, PageError};
use crate::AppState;

/// Why a request was stopped here.
#[derive(Clone, Copy)]
enum Stop {
    Nul,
    TooLarge,
    Staff,
}

pub async fn check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if holds_nul(request.uri()) {
        return refuse(&state, request, Stop::Nul).await;
    }
    if requester_route(request.uri().path()) {
        match crate::auth::carries_staff(request.headers(), &state).await {
            Ok(false) => {}
            Ok(true) => return refuse(&state, request, Stop::Staff).await,
            Err(error) => return ApiError::from(error).into_response(),
        }
    }
    let form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form || keeps_typed(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    // A form's body is read here to be looked at, then handed on whole. Forms without
    // photos are small; the routes that take photos get them as multipart.
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, crate::MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return refuse(&state, Request::from_parts(parts, Body::empty()), Stop::TooLarge).await,
    };
    // In a urlencoded body every `%` starts an escape, so `%00` is always a U+0000.
    if bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00") {
        return refuse(&state, Request::from_parts(parts, Body::empty()), Stop::Nul).await;
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// `%00` in the path or the query: a U+0000 once decoded.
fn holds_nul(uri: &Uri) -> bool {
    uri.path().contains("%00") || uri.query().is_some_and(|q| q.contains("%00"))
}

fn requester_route(path: &str) -> bool {
    path.starts_with("/api/v1/track/")
}

/// The forms that come back as typed when their text holds U+0000: their handlers read
/// them through `pages::upload::Posted`, which checks.
fn keeps_typed(method: &Method, path: &str) -> bool {
    method == Method::POST
        && (path == "/submit"
            || path.starts_with("/work/requests/")
            || path.starts_with("/work/intake")
            || path.starts_with("/track/"))
}

async fn refuse(state: &AppState, request: Request, stop: Stop) -> Response {
    if request.uri().path().starts_with("/api/") {
        return api_error(stop).into_response();
    }
    if request.uri().path().starts_with("/open311/") {
        let (status, key) = match stop {
            Stop::Nul => (StatusCode::BAD_REQUEST, "guard.nul"),
            Stop::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "guard.too_large"),
            Stop::Staff => (StatusCode::FORBIDDEN, "guard.staff"),
        };
        return crate::open311::refusal(request.uri().path(), status, key);
    }
    let error = match stop {
        Stop::Nul => PageError::new(StatusCode::BAD_REQUEST, "error.title", "guard.nul"),
        Stop::TooLarge => PageError::new(StatusCode::PAYLOAD_TOO_LARGE, "error.title", "guard.too_large"),
        Stop::Staff => PageError::new(StatusCode::FORBIDDEN, "guard.staff_title", "guard.staff"),
    };
    let (mut parts, _) = request.into_parts();
    match Chrome::from_request_parts(&mut parts, state).await {
        Ok(chrome) => error.page(&chrome),
        Err(response) => response,
    }
}

fn api_error(stop: Stop) -> ApiError {
    match stop {
        Stop::Nul => ApiError::new(StatusCode::BAD_REQUEST, "invalid_text", "api.nul"),
        Stop::TooLarge => ApiError::too_large(),
        Stop::Staff => ApiError::new(StatusCode::FORBIDDEN, "staff_not_requester", "api.staff_not_requester"),
    }
}
