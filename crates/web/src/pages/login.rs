//! Staff log in with a password and get a session cookie; logging out ends the session.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{LOCATION, REFERER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use gongzhi_domain::time;
use serde::Deserialize;

use super::{page, same_site_form, Chrome};
use crate::auth::{cookie_header, cookie_in, SESSION_COOKIE};
use crate::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    chrome: &'a Chrome,
    login: &'a str,
    error: Option<&'a str>,
    /// Where to go after logging in.
    next: &'a str,
}

/// `/login?expired=1&next=/work/requests/7`: where an ended session lands.
#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    expired: Option<String>,
    #[serde(default)]
    next: String,
}

pub async fn show(chrome: Chrome, Query(query): Query<LoginQuery>) -> Response {
    let expired = query.expired.is_some().then(|| chrome.t.get("login.expired"));
    page(&chrome, &LoginPage { chrome: &chrome, login: "", error: expired, next: safe_next(&query.next) })
}

/// Only a path on this site is a place to return to: never another site (`//evil`,
/// `/\evil`, `https://…`).
fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if local && next != "/login" && !next.starts_with("/login?") {
        next
    } else {
        "/work"
    }
}

/// The page being asked for, to come back to after logging in. A form's target is no
/// place to come back to: then the page the form was on, when the browser says so.
pub fn return_path(parts: &Parts) -> String {
    if parts.method == axum::http::Method::GET {
        return parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    }
    parts
        .headers
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string())))
        .unwrap_or_else(|| "/work".into())
}

/// A path as a query value.
pub fn encode_next(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    next: String,
}

pub async fn submit(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(&form.next);
    let refuse = |key: &'static str| {
        let mut response =
            page(&chrome, &LoginPage { chrome: &chrome, login: &form.login, error: Some(chrome.t.get(key)), next });
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        response
    };
    if !same_site_form(&headers, &form.csrf) {
        return refuse("form.csrf");
    }
    let now = time::now();
    let key = format!("login:{}", form.login);
    let window = state.config.throttle_window;
    match state.store.throttled(&key, window, state.config.login_attempts, now).await {
        Ok(false) => {}
        Ok(true) => return refuse("login.throttled"),
        Err(_) => return refuse("error.unavailable"),
    }
    let account = match state.store.authenticate(&form.login, &form.password).await {
        Ok(Some(account)) => account,
        Ok(None) => {
            let _ = state.store.record_failure(&key, window, now).await;
            return refuse("login.wrong");
        }
        Err(_) => return refuse("error.unavailable"),
    };
    let Ok(token) = state.store.start_session(account.id, now, state.config.session_ttl).await else {
        return refuse("error.unavailable");
    };
    let cookie = cookie_header(SESSION_COOKIE, &token, state.config.session_ttl / 1000, state.config.secure_cookies);
    (StatusCode::SEE_OTHER, [(SET_COOKIE, cookie), (LOCATION, next.to_string())]).into_response()
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<LogoutForm>) -> Response {
    if same_site_form(&headers, &form.csrf) {
        if let Some(token) = cookie_in(&headers, SESSION_COOKIE) {
            let _ = state.store.end_session(token).await;
        }
    }
    let cookie = cookie_header(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    (StatusCode::SEE_OTHER, [(SET_COOKIE, cookie), (LOCATION, "/".to_string())]).into_response()
}
