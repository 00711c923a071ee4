//! A resident's number confirmed by a code, for the deliberation portal. Where an SMS
//! channel is configured, the portal asks for the number, sends a code through the
//! outbox and, once the code is typed back, keeps the confirmation for that browser in
//! a cookie holding an opaque token (the store keeps only its digest). Proposing,
//! supporting and commenting then speak with the confirmed number. Where none is
//! configured, the number is typed with each form, and a proposal waits for the
//! community's staff to confirm it.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use gongzhi_app::deliberation as deliberate;
use gongzhi_domain::deliberation::code;
use gongzhi_domain::time;
use serde::Deserialize;

use super::deliberation_view::{checked, refusal, see_other};
use super::error::Refusal;
use super::upload::Posted;
use super::{page_as, Chrome, PageResult};
use crate::auth::{cookie_header, cookie_in, ClientAddr};
use crate::AppState;

/// The cookie that holds a browser's token.
pub const PHONE_COOKIE: &str = "gongzhi_phone";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/proposals/phone", get(form))
        .route("/proposals/phone/code", post(send))
        .route("/proposals/phone/confirm", post(confirm))
}

/// Who speaks on the portal's forms: the number a code confirmed for this browser, or
/// the one typed where codes are not sent.
pub enum Voice {
    Confirmed(String),
    /// Codes are sent, but none confirmed a number here yet.
    Unconfirmed,
    /// No SMS channel: the number as typed on the form.
    Typed,
}

impl Voice {
    /// The number to use with what was `typed`, or None when a code must confirm one
    /// first.
    pub fn phone(&self, typed: &str) -> Option<String> {
        match self {
            Voice::Confirmed(phone) => Some(phone.clone()),
            Voice::Unconfirmed => None,
            Voice::Typed => Some(typed.trim().to_string()),
        }
    }

    /// The confirmed number as pages show it, masked.
    pub fn masked(&self) -> Option<String> {
        match self {
            Voice::Confirmed(phone) => Some(gongzhi_domain::phone::mask(phone)),
            _ => None,
        }
    }

    pub fn codes(&self) -> bool {
        !matches!(self, Voice::Typed)
    }

    pub fn confirmed(&self) -> bool {
        matches!(self, Voice::Confirmed(_))
    }
}

/// The voice of the browser that sent `headers`. A store that cannot say counts as no
/// confirmation: the resident is asked for a code again, never let through.
pub async fn voice(state: &AppState, headers: &HeaderMap) -> Voice {
    if !state.config.phone_codes {
        return Voice::Typed;
    }
    let Some(token) = cookie_in(headers, PHONE_COOKIE).filter(|t| t.len() == 64) else { return Voice::Unconfirmed };
    match deliberate::confirmed_phone(&state.store, &token, time::now()).await {
        Ok(Some(phone)) => Voice::Confirmed(phone),
        _ => Voice::Unconfirmed,
    }
}

/// The page to come back to: one of the portal's deliberation pages, nothing else.
pub fn next_path(raw: &str) -> String {
    let local = raw.starts_with('/') && !raw.starts_with("//") && !raw.contains('\\');
    let ours = ["/proposals", "/communities/"].iter().any(|p| raw.starts_with(p));
    if local && ours && raw.is_ascii() && !raw.chars().any(|c| c.is_control()) {
        raw.to_string()
    } else {
        "/proposals/new".to_string()
    }
}

/// The address of the code form that comes back to `next`.
pub fn link(next: &str) -> String {
    format!("/proposals/phone?next={}", urlencoding(next))
}

fn urlencoding(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).unwrap_or_default().trim_start_matches('=').to_string()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PhoneQuery {
    next: String,
    sent: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PhoneForm {
    phone: String,
    code: String,
    next: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

#[derive(Template)]
#[template(path = "deliberation/phone.html")]
struct PhonePage<'a> {
    chrome: &'a Chrome,
    /// The code was sent: the page asks for it.
    sent: bool,
    phone: String,
    next: String,
    /// The code form's way back to asking for a new code.
    again: String,
    confirmed: Option<String>,
    error: Option<String>,
    minutes: i64,
}

fn show(chrome: &Chrome, sent: bool, form: PhoneForm, voice: &Voice, refusal: Refusal) -> PageResult {
    let (status, error) = super::error::said(refusal);
    let minutes = code::LIFETIME / 60_000;
    let next = next_path(&form.next);
    let again = link(&next);
    let page = PhonePage { chrome, sent, phone: form.phone, next, again, confirmed: voice.masked(), error, minutes };
    Ok(page_as(chrome, &page, status))
}

/// `/proposals/phone?next=…`: the number asked for, or, once a code is sent, the code.
pub async fn form(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Query(query): Query<PhoneQuery>,
) -> PageResult {
    let voice = voice(&state, &headers).await;
    if !voice.codes() {
        // Nothing to confirm here: the forms take the number as typed.
        return Ok(see_other(next_path(&query.next)));
    }
    let form = PhoneForm { next: query.next, ..PhoneForm::default() };
    show(&chrome, query.sent == "1", form, &voice, None)
}

/// Sends a code to the number typed, and keeps the browser's token in its cookie.
pub async fn send(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Posted { form, problem, .. }: Posted<PhoneForm>,
) -> PageResult {
    let voice = voice(&state, &headers).await;
    if !voice.codes() {
        return Ok(see_other(next_path(&form.next)));
    }
    if let Some(refused) = checked(&chrome, &headers, &form.csrf, problem) {
        return show(&chrome, false, form, &voice, Some(refused));
    }
    match deliberate::send_code(&state.store, form.phone.trim(), &addr, time::now()).await {
        Ok(token) => {
            let next = next_path(&form.next);
            let back = format!("/proposals/phone?sent=1&next={}", urlencoding(&next));
            let cookie = cookie_header(PHONE_COOKIE, &token, code::CONFIRMED_FOR / 1000, state.config.secure_cookies);
            let mut response = see_other(back);
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(error) => {
            let refused = refusal(&chrome, error)?;
            show(&chrome, false, form, &voice, refused)
        }
    }
}

/// Checks the code typed; a right one goes back to the page the resident came from.
pub async fn confirm(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Posted { form, problem, .. }: Posted<PhoneForm>,
) -> PageResult {
    let voice = voice(&state, &headers).await;
    if !voice.codes() {
        return Ok(see_other(next_path(&form.next)));
    }
    if let Some(refused) = checked(&chrome, &headers, &form.csrf, problem) {
        return show(&chrome, true, form, &voice, Some(refused));
    }
    let Some(token) = cookie_in(&headers, PHONE_COOKIE) else {
        let refused = super::error::refused(&chrome, StatusCode::UNPROCESSABLE_ENTITY, "refused.code_not_sent");
        return show(&chrome, false, form, &voice, refused);
    };
    match deliberate::confirm_code(&state.store, &token, &form.code, time::now()).await {
        Ok(_) => Ok((StatusCode::SEE_OTHER, [(LOCATION, next_path(&form.next))]).into_response()),
        Err(error) => {
            let refused = refusal(&chrome, error)?;
            show(&chrome, true, form, &voice, refused)
        }
    }
}

/// A form that needs a confirmed number and came without one.
pub fn unconfirmed(chrome: &Chrome) -> Refusal {
    super::error::refused(chrome, StatusCode::FORBIDDEN, "refused.phone_unconfirmed")
}

#[cfg(test)]
mod tests {
    use super::next_path;

    #[test]
    fn only_the_portals_deliberation_pages_are_come_back_to() {
        assert_eq!(next_path("/proposals/12"), "/proposals/12");
        assert_eq!(next_path("/proposals/new?unit=3&kind=wish"), "/proposals/new?unit=3&kind=wish");
        assert_eq!(next_path("/communities/3"), "/communities/3");
        for bad in ["//evil.example/", "https://evil.example/", "/work/deliberation", "/proposals\\x", ""] {
            assert_eq!(next_path(bad), "/proposals/new", "{bad}");
        }
    }
}
