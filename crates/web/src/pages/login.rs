//! Staff log in with a password and get a session cookie; logging out ends the session.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{LOCATION, REFERER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use gongzhi_app::accounts;
use gongzhi_domain::time;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;

use super::{page, same_site_form, Chrome};
use crate::auth::{cookie_header, cookie_in, log_in, ClientAddr, LoginRefused, SESSION_COOKIE};
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
    match local_path(next) {
        Some(path) if path != "/login" && !path.starts_with("/login?") => path,
        _ => "/work",
    }
}

/// `path` when it is a path (and query) on this site: it starts with one `/`, and holds
/// no backslash, space or control character a browser might read as leading elsewhere.
pub fn local_path(path: &str) -> Option<&str> {
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(|c| c.is_control() || c.is_whitespace());
    local.then_some(path)
}

/// The path and query of a Referer, when they make a path on this site: a Referer whose
/// path would lead a browser elsewhere (`https://site//evil.example/`) gives none.
pub fn referer_path(headers: &HeaderMap) -> Option<&str> {
    let referer = headers.get(REFERER)?.to_str().ok()?;
    let (_, rest) = referer.split_once("://")?;
    local_path(&rest[rest.find('/')?..])
}

/// The page being asked for, to come back to after logging in. A form's target is no
/// place to come back to: then the page the form was on, when the browser says so.
pub fn return_path(parts: &Parts) -> String {
    if parts.method == axum::http::Method::GET {
        return parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    }
    referer_path(&parts.headers).unwrap_or("/work").to_string()
}

/// What a URL carries as it is (RFC 3986 unreserved characters); all else is escaped.
pub const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A path as a query value: its slashes stay readable.
const PATH_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'_').remove(b'.');

/// A path as a query value.
pub fn encode_next(path: &str) -> String {
    utf8_percent_encode(path, PATH_VALUE).to_string()
}

/// Text as one segment of a path: nothing but letters and digits is left as it is.
pub fn encode_segment(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
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
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(&form.next);
    let refuse = |status: StatusCode, key: &'static str| {
        let mut response =
            page(&chrome, &LoginPage { chrome: &chrome, login: &form.login, error: Some(chrome.t.get(key)), next });
        *response.status_mut() = status;
        response
    };
    if !same_site_form(&headers, &form.csrf) {
        return refuse(StatusCode::FORBIDDEN, "form.csrf");
    }
    let account = match log_in(&state, &form.login, &form.password, &addr).await {
        Ok(account) => account,
        Err(LoginRefused::Malformed) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, "refused.bad_login"),
        Err(LoginRefused::Throttled) => return refuse(StatusCode::TOO_MANY_REQUESTS, "login.throttled"),
        Err(LoginRefused::Wrong) => return refuse(StatusCode::UNAUTHORIZED, "login.wrong"),
        Err(LoginRefused::Unavailable(_)) => return refuse(StatusCode::SERVICE_UNAVAILABLE, "error.unavailable"),
    };
    let now = time::now();
    let Ok(token) = accounts::start_session(&state.store, account.id, now, state.config.session_ttl).await else {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "error.unavailable");
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
            let _ = accounts::end_session(&state.store, &token).await;
        }
    }
    let cookie = cookie_header(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    (StatusCode::SEE_OTHER, [(SET_COOKIE, cookie), (LOCATION, "/".to_string())]).into_response()
}
