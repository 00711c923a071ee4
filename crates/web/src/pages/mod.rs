//! Server-rendered pages: the public portal and the staff workbench, in Chinese first.
//!
//! Pages work without JavaScript; htmx only makes some of them quicker. Every form that
//! changes something carries a CSRF token that must match the `gongzhi_csrf` cookie, and
//! a cross-site Origin or `Sec-Fetch-Site` is refused outright.

pub mod account;
pub mod admin;
pub mod assets;
pub mod bulletin_sections;
pub mod bulletins;
pub mod campaigns;
pub mod co_creation;
pub mod dashboard;
pub mod deliberation;
pub mod deliberation_view;
pub mod desk;
pub mod error;
pub mod figures;
pub mod hot;
pub mod inspection;
pub mod inspection_admin;
pub mod intake;
pub mod leader;
pub mod lists;
pub mod login;
pub mod map;
pub mod meetings;
pub mod notify;
pub mod photos;
pub mod portal;
pub mod proposals;
pub mod resident_phone;
pub mod screen;
pub mod search;
pub mod supervision;
pub mod tasks;
pub mod upload;
pub mod work;

use askama::Template;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use gongzhi_store::Account;

use crate::auth::{cookie_header, cookie_in, Caller, SESSION_COOKIE};
use crate::i18n::{Lang, Messages};
use crate::AppState;

pub use error::{PageError, PageResult};

pub const CSRF_COOKIE: &str = "gongzhi_csrf";
pub const LANG_COOKIE: &str = "lang";

/// What every page knows: the words, who is looking, the CSRF token for its forms.
pub struct Chrome {
    pub t: Messages,
    pub user: Option<Account>,
    pub csrf: String,
    /// Set when the visitor had no CSRF cookie yet: the response sets it.
    new_csrf: bool,
    /// A session cookie came but its session has ended (expired, logged out elsewhere,
    /// password changed, login disabled).
    pub expired: bool,
    /// This page, to come back to after logging in.
    pub(crate) here: String,
    secure: bool,
    /// The viewer's unread notifications, for the header (up to 100).
    pub unread: i64,
}

impl Chrome {
    pub fn other_lang(&self) -> &'static str {
        self.t.lang.other().code()
    }

    /// Adds the cookies this page needs to a rendered response.
    pub fn finish(&self, mut response: Response) -> Response {
        if self.new_csrf {
            let secure = if self.secure { "; Secure" } else { "" };
            let cookie = format!("{CSRF_COOKIE}={}; Path=/; SameSite=Strict{secure}", self.csrf);
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(SET_COOKIE, value);
            }
        }
        response
    }

    /// Sends someone who is not logged in to the login page, which brings them back
    /// here afterwards and says so when their session has expired.
    pub fn to_login(&self) -> Response {
        let next = login::encode_next(&self.here);
        let location =
            if self.expired { format!("/login?expired=1&next={next}") } else { format!("/login?next={next}") };
        let mut response = (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, location)]).into_response();
        if self.expired {
            // The ended session's cookie goes, so the next visit is not called expired again.
            if let Ok(value) = HeaderValue::from_str(&cookie_header(SESSION_COOKIE, "", 0, self.secure)) {
                response.headers_mut().append(SET_COOKIE, value);
            }
        }
        response
    }
}

impl FromRequestParts<AppState> for Chrome {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let query_lang = parts.uri.query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")));
        let lang_cookie = cookie_in(&parts.headers, LANG_COOKIE);
        let lang = Lang::from_code(query_lang.or(lang_cookie.as_deref()));
        let user = <Caller as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await
            .ok()
            .flatten()
            .map(|Caller(account)| account);
        let existing = cookie_in(&parts.headers, CSRF_COOKIE).filter(|c| c.len() == 64);
        let new_csrf = existing.is_none();
        let csrf = existing.unwrap_or_else(gongzhi_store::new_token);
        let expired = user.is_none() && cookie_in(&parts.headers, SESSION_COOKIE).is_some_and(|c| !c.is_empty());
        let here = login::return_path(parts);
        let secure = state.config.secure_cookies;
        // A count the header can do without: a failing database shows on the page itself.
        let unread = match &user {
            Some(user) => gongzhi_app::notify::unread(&state.store, &user.staff()).await.unwrap_or(0),
            None => 0,
        };
        Ok(Chrome { t: Messages::new(lang), user, csrf, new_csrf, expired, here, secure, unread })
    }
}

/// Renders a template into a page with the chrome's cookies.
pub fn page(chrome: &Chrome, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => chrome.finish(Html(html).into_response()),
        Err(error) => {
            tracing::error!(%error, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, chrome.t.get("error.title").to_string()).into_response()
        }
    }
}

/// Renders a page with the status it answers: a form coming back refused says so in
/// its status as well as in its words.
pub fn page_as(chrome: &Chrome, template: &impl Template, status: StatusCode) -> Response {
    let mut response = page(chrome, template);
    *response.status_mut() = status;
    response
}

/// A value as JSON for a `<script type="application/json">` element, safe whatever its
/// strings hold: no `<` can end the element early.
pub(crate) fn script_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into()).replace('<', "\\u003c")
}

/// A form that carries nothing but its CSRF token: a button that does one thing.
#[derive(serde::Deserialize, Default)]
pub struct CsrfForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
}

/// Whether a state-changing form comes from our own pages: the token matches the cookie
/// and the browser does not say it came from another site.
pub fn same_site_form(headers: &HeaderMap, token: &str) -> bool {
    let cookie = cookie_in(headers, CSRF_COOKIE);
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let cross_site = matches!(fetch_site, Some("cross-site"));
    let host = headers.get("host").and_then(|v| v.to_str().ok());
    let origin_ok = match (headers.get("origin").and_then(|v| v.to_str().ok()), host) {
        (Some(origin), Some(host)) => origin.split("://").nth(1) == Some(host),
        (Some(_), None) => false,
        (None, _) => true,
    };
    !token.is_empty() && cookie.as_deref() == Some(token) && !cross_site && origin_ok
}

/// The language switch: remembers the choice in a cookie and goes back to the page it
/// was chosen on — a page of this site only; any other Referer goes home.
pub async fn switch_language(axum::extract::Path(code): axum::extract::Path<String>, headers: HeaderMap) -> Response {
    let lang = Lang::from_code(Some(&code));
    let back = login::referer_path(&headers).unwrap_or("/").to_string();
    let cookie = cookie_header(LANG_COOKIE, lang.code(), 365 * 24 * 3600, false);
    (StatusCode::SEE_OTHER, [(SET_COOKIE, cookie), (axum::http::header::LOCATION, back)]).into_response()
}

/// Headers every response carries: only our own scripts and styles, no framing, no
/// content sniffing, no referrer to other sites.
pub async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut response: Response,
) -> Response {
    let headers = response.headers_mut();
    headers.insert("content-security-policy", state.csp.clone());
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    response
}
