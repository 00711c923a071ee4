//! Staff log in with a password and get a session cookie; logging out ends the session.

use askama::Template;
use axum::extract::State;
use axum::http::header::{LOCATION, SET_COOKIE};
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
}

pub async fn show(chrome: Chrome) -> Response {
    page(&chrome, &LoginPage { chrome: &chrome, login: "", error: None })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn submit(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let refuse = |key: &'static str| {
        let mut response =
            page(&chrome, &LoginPage { chrome: &chrome, login: &form.login, error: Some(chrome.t.get(key)) });
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
    (StatusCode::SEE_OTHER, [(SET_COOKIE, cookie), (LOCATION, "/work".to_string())]).into_response()
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
