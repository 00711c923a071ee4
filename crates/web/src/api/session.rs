//! Logging in and out. A session is a random token in an HttpOnly cookie; its digest is
//! in the database, so every app instance knows it.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gongzhi_domain::time;
use serde::Deserialize;
use serde_json::json;

use crate::auth::{cookie_header, log_in, Caller, ClientAddr, SESSION_COOKIE};
use crate::error::ApiResult;
use crate::i18n::{Lang, Messages};
use crate::json::ApiJson;
use crate::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    login: String,
    password: String,
}

pub fn account_json(account: &gongzhi_store::Account) -> serde_json::Value {
    json!({
        "id": account.id,
        "login": account.login,
        "name": account.name,
        "role": account.role,
        "role_label": Messages::new(Lang::Zh).role(account.role),
        "unit_id": account.unit_id,
    })
}

/// Logs in; throttled and timed as `auth` describes.
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(body): ApiJson<Login>,
) -> ApiResult<Response> {
    let account = log_in(&state, &body.login, &body.password, &addr).await?;
    let token = state.store.start_session(account.id, time::now(), state.config.session_ttl).await?;
    let max_age = state.config.session_ttl / 1000;
    let cookie = cookie_header(SESSION_COOKIE, &token, max_age, state.config.secure_cookies);
    Ok(([(SET_COOKIE, cookie)], Json(account_json(&account))).into_response())
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = crate::auth::cookie_in(&headers, SESSION_COOKIE) {
        state.store.end_session(&token).await?;
    }
    let cookie = cookie_header(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    Ok(([(SET_COOKIE, cookie)], Json(json!({ "logged_out": true }))).into_response())
}

pub async fn me(Caller(account): Caller) -> Json<serde_json::Value> {
    Json(account_json(&account))
}
