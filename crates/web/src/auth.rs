//! Who is calling: a staff member by bearer token (API clients) or session cookie
//! (browsers), or nobody.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use gongzhi_store::Account;

use crate::error::ApiError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "gongzhi_session";

/// A logged-in staff member.
pub struct Caller(pub Account);

fn bearer(parts: &Parts) -> Option<&str> {
    parts.headers.get(AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_in(&parts.headers, name)
}

pub fn cookie_in<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

async fn account(parts: &Parts, state: &AppState) -> Result<Option<Account>, ApiError> {
    if let Some(token) = bearer(parts) {
        // A bearer token that does not match is an error, not an anonymous call.
        return match state.store.token_account(token).await? {
            Some(account) => Ok(Some(account)),
            None => Err(ApiError::unauthorized()),
        };
    }
    match cookie(parts, SESSION_COOKIE) {
        Some(token) => Ok(state.store.session_account(token, gongzhi_domain::time::now()).await?),
        None => Ok(None),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        account(parts, state).await?.map(Caller).ok_or_else(ApiError::unauthorized)
    }
}

impl OptionalFromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, ApiError> {
        Ok(account(parts, state).await?.map(Caller))
    }
}

/// The caller's address, for throttling. X-Forwarded-For is believed only when the
/// deployment says a proxy of its own sets it; otherwise anyone could pick an address.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .filter(|_| state.config.trust_forwarded)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_string());
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip().to_string());
        Ok(ClientAddr(forwarded.or(peer).unwrap_or_else(|| "unknown".into())))
    }
}

/// A session cookie: HttpOnly so scripts cannot read it, SameSite=Lax so other sites'
/// forms do not carry it, Secure behind HTTPS.
pub fn cookie_header(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}")
}
