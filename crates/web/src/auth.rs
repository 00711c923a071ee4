//! Who is calling: a staff member by bearer token (API clients) or session cookie
//! (browsers), or nobody; from which address; and logging in, with the throttle
//! `gongzhi_app::accounts::log_in` describes.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use gongzhi_app::accounts::LoginLimits;
use gongzhi_domain::time;
use gongzhi_store::{Account, StoreError};

use crate::error::ApiError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "gongzhi_session";

/// A logged-in staff member.
pub struct Caller(pub Account);

fn bearer(parts: &Parts) -> Option<&str> {
    parts.headers.get(AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    cookie_in(&parts.headers, name)
}

/// The value of the cookie `name` the browser sent, read by axum-extra's cookie jar.
pub fn cookie_in(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers).get(name).map(|cookie| cookie.value().to_string())
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
        Some(token) => Ok(state.store.session_account(&token, gongzhi_domain::time::now()).await?),
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
/// Whatever it says must be an IP address, written the one way `IpAddr` writes it, so
/// that the throttle's keys stay short and one address has one key.
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
            .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok());
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|info| info.0.ip());
        Ok(ClientAddr(forwarded.or(peer).map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".into())))
    }
}

pub use gongzhi_app::accounts::LoginRefused;

impl From<LoginRefused> for ApiError {
    fn from(refused: LoginRefused) -> ApiError {
        match refused {
            LoginRefused::Malformed => StoreError::Refused("bad_login").into(),
            LoginRefused::Throttled => ApiError::throttled(),
            LoginRefused::Wrong => ApiError::new(StatusCode::UNAUTHORIZED, "bad_credentials", "api.bad_credentials"),
            LoginRefused::Unavailable(error) => error.into(),
        }
    }
}

/// The account whose login and password these are, as typed at `addr`, within the
/// configured limits.
pub async fn log_in(state: &AppState, login: &str, password: &str, addr: &str) -> Result<Account, LoginRefused> {
    let config = &state.config;
    let limits = LoginLimits {
        attempts: config.login_attempts,
        window: config.throttle_window,
        account_attempts: config.login_account_attempts,
        account_window: config.login_account_window,
    };
    gongzhi_app::accounts::log_in(&state.store, &limits, login, password, addr, time::now()).await
}

/// Whether a request comes with staff credentials: any bearer token, or the cookie of a
/// live session.
pub async fn carries_staff(headers: &axum::http::HeaderMap, state: &AppState) -> Result<bool, StoreError> {
    if headers.contains_key(AUTHORIZATION) {
        return Ok(true);
    }
    match cookie_in(headers, SESSION_COOKIE).filter(|token| !token.is_empty()) {
        Some(token) => Ok(state.store.session_account(&token, time::now()).await?.is_some()),
        None => Ok(false),
    }
}

/// A session cookie: HttpOnly so scripts cannot read it, SameSite=Lax so other sites'
/// forms do not carry it, Secure behind HTTPS.
pub fn cookie_header(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}")
}
