//! One's own account: which notifications also go by SMS or mail, and where; and
//! changing the password. The new one must be typed twice; the
//! session in use stays, every other session of the account ends and its API tokens are
//! revoked, so a password changed because it leaked locks out whoever had it.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use gongzhi_app::{accounts, notify};
use gongzhi_store::MIN_PASSWORD;
use serde::Deserialize;

use super::notify::PrefsForm;
use super::{page, same_site_form, Chrome, PageResult};
use crate::auth::{cookie_in, SESSION_COOKIE};
use crate::AppState;

#[derive(Template)]
#[template(path = "work/password.html")]
struct PasswordPage<'a> {
    chrome: &'a Chrome,
    min: usize,
    error: Option<String>,
    done: bool,
    prefs: PrefsForm,
    prefs_rows: Vec<(&'static str, &'static str, bool, bool)>,
    /// Why the preferences were refused, or that they were saved.
    prefs_notice: Option<(bool, String)>,
}

fn render(
    chrome: &Chrome,
    status: StatusCode,
    error: Option<String>,
    done: bool,
    prefs: PrefsForm,
    prefs_notice: Option<(bool, String)>,
) -> Response {
    let prefs_rows = prefs.rows(chrome);
    let template = PasswordPage { chrome, min: MIN_PASSWORD, error, done, prefs, prefs_rows, prefs_notice };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    response
}

pub async fn show(State(state): State<AppState>, chrome: Chrome) -> PageResult {
    let Some(user) = chrome.user.as_ref() else { return Ok(chrome.to_login()) };
    let prefs = notify::prefs(&state.store, &user.staff()).await.map_err(crate::ApiError::from)?;
    Ok(render(&chrome, StatusCode::OK, None, false, PrefsForm::of(&prefs), None))
}

/// Saves which notifications go by SMS and mail; a refusal shows the form as typed.
pub async fn save_prefs(State(state): State<AppState>, chrome: Chrome, headers: HeaderMap, body: String) -> Response {
    let Some(user) = chrome.user.as_ref() else { return chrome.to_login() };
    let form = PrefsForm::parse(&body);
    let refused = |status, text: String| render(&chrome, status, None, false, form.clone(), Some((true, text)));
    if !same_site_form(&headers, &form.csrf) {
        return refused(StatusCode::FORBIDDEN, chrome.t.get("form.csrf").into());
    }
    match notify::save_prefs(&state.store, &user.staff(), form.prefs()).await {
        Ok(()) => {
            let saved = chrome.t.get("notify.prefs_saved").to_string();
            render(&chrome, StatusCode::OK, None, false, form.clone(), Some((false, saved)))
        }
        Err(error) => {
            let error = crate::ApiError::from(error);
            refused(error.status, error.text.in_lang(chrome.t.lang))
        }
    }
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
    // The page shows the preferences beside the password form whatever happens to it.
    let prefs = notify::prefs(&state.store, &user.staff()).await.map(|p| PrefsForm::of(&p)).unwrap_or_default();
    let show_page = |status, error: Option<String>, done| render(&chrome, status, error, done, prefs.clone(), None);
    let refuse = |status, key: &str| show_page(status, Some(chrome.t.get(key).into()), false);
    if !same_site_form(&headers, &form.csrf) {
        return refuse(StatusCode::FORBIDDEN, "form.csrf");
    }
    if form.new != form.again {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "password.mismatch");
    }
    let session = cookie_in(&headers, SESSION_COOKIE).unwrap_or_default();
    match accounts::change_password(&state.store, user.id, &form.current, &form.new, &session).await {
        Ok(()) => show_page(StatusCode::OK, None, true),
        Err(error) => {
            let error = crate::ApiError::from(error);
            show_page(error.status, Some(error.text.in_lang(chrome.t.lang)), false)
        }
    }
}
