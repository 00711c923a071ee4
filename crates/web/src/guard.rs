//! Checks made before any handler runs, so that no handler has to remember them:
//!
//! - No text anyone sends may hold U+0000. PostgreSQL cannot store it and answered such
//!   input with 503 where SQLite took it; both now refuse it alike, with 400, whether it
//!   comes in the path, the query or a form. JSON bodies are checked as they are read
//!   (`json::ApiJson`), the text fields of forms with photos in `pages::upload`.
//! - The requester's routes — everything under `/api/v1/track/`, and the forms posted
//!   to `/track/…` — refuse a caller who comes with staff credentials (403): a cadre
//!   must not track, evaluate or reopen a request as if they had raised it.

use askama::Template;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::pages::{page, Chrome};
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
    if requester_route(request.method(), request.uri().path()) {
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
    if !form {
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

fn requester_route(method: &Method, path: &str) -> bool {
    path.starts_with("/api/v1/track/") || (method == Method::POST && path.starts_with("/track/"))
}

#[derive(Template)]
#[template(path = "refused.html")]
struct Refused<'a> {
    chrome: &'a Chrome,
    title: &'a str,
    message: &'a str,
}

async fn refuse(state: &AppState, request: Request, stop: Stop) -> Response {
    if request.uri().path().starts_with("/api/") {
        return api_error(stop).into_response();
    }
    let (status, title, message) = match stop {
        Stop::Nul => (StatusCode::BAD_REQUEST, "error.title", "guard.nul"),
        Stop::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "error.title", "guard.too_large"),
        Stop::Staff => (StatusCode::FORBIDDEN, "guard.staff_title", "guard.staff"),
    };
    let (mut parts, _) = request.into_parts();
    let chrome = match Chrome::from_request_parts(&mut parts, state).await {
        Ok(chrome) => chrome,
        Err(response) => return response,
    };
    let mut response =
        page(&chrome, &Refused { chrome: &chrome, title: chrome.t.get(title), message: chrome.t.get(message) });
    *response.status_mut() = status;
    response
}

/// The answer to a form with photos whose text holds U+0000, found only once the form
/// is read: in words, as there is no page to show it on.
pub fn nul_in_form() -> Response {
    let words = |lang| crate::i18n::Messages::new(lang).get("guard.nul");
    let text = format!("{}\n{}\n", words(crate::i18n::Lang::Zh), words(crate::i18n::Lang::En));
    (StatusCode::BAD_REQUEST, text).into_response()
}

fn api_error(stop: Stop) -> ApiError {
    match stop {
        Stop::Nul => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_text",
            "输入中含有不允许的字符（U+0000）",
            "the input holds a character that is not allowed (U+0000)",
        ),
        Stop::TooLarge => ApiError::too_large(),
        Stop::Staff => ApiError::new(
            StatusCode::FORBIDDEN,
            "staff_not_requester",
            "工作人员不能以诉求人的身份查询、评价或申请重办诉求",
            "staff credentials cannot track, evaluate or reopen a request as its requester",
        ),
    }
}
