//! One's own account: changing the password. The new one must be typed twice; the
//! session in use stays, every other session of the account ends and its API tokens are
//! revoked, so a password changed because it leaked locks out whoever had it.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use gongzhi_app::accounts;
use gongzhi_store::MIN_PASSWORD;
use serde::Deserialize;

use super::{page, same_site_form, Chrome};
use crate::auth::{cookie_in, SESSION_COOKIE};
use crate::AppState;

#[derive(Template)]
#[template(path = "work/password.html")]
struct PasswordPage<'a> {
    chrome: &'a Chrome,
    min: usize,
    error: Option<String>,
    done: bool,
}

fn show_page(chrome: &Chrome, status: StatusCode, error: Option<String>, done: bool) -> Response {
    let mut response = page(chrome, &PasswordPage { chrome, min: MIN_PASSWORD, error, done });
    *response.status_mut() = status;
    response
}

pub async fn show(chrome: Chrome) -> Response {
    if chrome.user.is_none() {
        return chrome.to_login();
    }
    show_page(&chrome, StatusCode::OK, None, false)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    again: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn change(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let Some(user) = chrome.user.as_ref() else { return chrome.to_login() };
    let refuse = |status, key: &str| show_page(&chrome, status, Some(chrome.t.get(key).into()), false);
    if !same_site_form(&headers, &form.csrf) {
        return refuse(StatusCode::FORBIDDEN, "form.csrf");
    }
    if form.new != form.again {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "password.mismatch");
    }
    let session = cookie_in(&headers, SESSION_COOKIE).unwrap_or_default();
    match accounts::change_password(&state.store, user.id, &form.current, &form.new, &session).await {
        Ok(()) => show_page(&chrome, StatusCode::OK, None, true),
        Err(error) => {
            let error = crate::ApiError::from(error);
            show_page(&chrome, error.status, Some(error.text.in_lang(chrome.t.lang)), false)
        }
    }
}
