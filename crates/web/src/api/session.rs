//! Logging in and out. A session is a random token in an HttpOnly cookie; its digest is
//! in the database, so every app instance knows it.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gongzhi_app::accounts;
use gongzhi_domain::time;
use gongzhi_domain::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{cookie_header, log_in, Caller, ClientAddr, SESSION_COOKIE};
use crate::error::{ApiResult, ErrorBody};
use crate::i18n::{Lang, Messages};
use crate::json::ApiJson;
use crate::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    login: String,
    password: String,
}

/// The staff member logged in.
#[derive(Serialize, ToSchema)]
pub struct AccountView {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    /// The role in Chinese.
    pub role_label: String,
    pub unit_id: i64,
}

impl From<&gongzhi_store::Account> for AccountView {
    fn from(account: &gongzhi_store::Account) -> AccountView {
        AccountView {
            id: account.id,
            login: account.login.clone(),
            name: account.name.clone(),
            role: account.role,
            role_label: Messages::new(Lang::Zh).role(account.role).to_string(),
            unit_id: account.unit_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoggedOut {
    pub logged_out: bool,
}

/// Logs in; throttled and timed as `auth` describes.
#[utoipa::path(post, path = "/login", tag = "session", request_body = Login,
    responses(
        (status = 200, description = "Logged in; the session cookie is set", body = AccountView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Wrong login or password", body = ErrorBody),
        (status = 422, description = "Invalid fields, or a login that cannot be one", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(body): ApiJson<Login>,
) -> ApiResult<Response> {
    let account = log_in(&state, &body.login, &body.password, &addr).await?;
    let token = accounts::start_session(&state.store, account.id, time::now(), state.config.session_ttl).await?;
    let max_age = state.config.session_ttl / 1000;
    let cookie = cookie_header(SESSION_COOKIE, &token, max_age, state.config.secure_cookies);
    Ok(([(SET_COOKIE, cookie)], Json(AccountView::from(&account))).into_response())
}

#[utoipa::path(post, path = "/logout", tag = "session",
    responses(
        (status = 200, description = "The session, if any, is ended", body = LoggedOut),
    ))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = crate::auth::cookie_in(&headers, SESSION_COOKIE) {
        accounts::end_session(&state.store, &token).await?;
    }
    let cookie = cookie_header(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    Ok(([(SET_COOKIE, cookie)], Json(LoggedOut { logged_out: true })).into_response())
}

#[utoipa::path(get, path = "/me", tag = "session", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = AccountView),
    ))]
pub async fn me(Caller(account): Caller) -> Json<AccountView> {
    Json(AccountView::from(&account))
}
