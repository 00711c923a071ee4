//! The supervisors' pages (回头看): their home with what waits for them, the draw, the
//! callback workspace, rework and press orders, flagged entries, stale and overdue work,
//! reminder talks. Units answer their orders and see their flags here too.
//!
//! Handlers stay thin: they check who is asking, call one store function and render.
//! Every list pages by 50 and leaves as XLSX; every form that changes something is a
//! POST carrying the CSRF token.

pub(crate) mod callback;
mod draw;
mod lists;
mod orders;
mod talks;
mod unsatisfied;

use std::collections::HashMap;

use askama::Template;
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use gongzhi_domain::role::Role;
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::Request;
use gongzhi_store::{Account, StoreError};
use serde::Deserialize;

use super::{page, Chrome};
use crate::i18n::{Lang, Messages};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work/supervision", get(lists::home))
        .route("/work/supervision/figures", get(lists::figure))
        .route("/work/supervision/draw", get(draw::form).post(draw::submit))
        .route("/work/supervision/samples", get(draw::samples))
        .route("/work/supervision/samples.xlsx", get(draw::samples_export))
        .route("/work/supervision/samples/{id}", get(draw::sample))
        .route("/work/supervision/callbacks", get(callback::queue))
        .route("/work/supervision/callbacks/{item}", get(callback::workspace).post(callback::record))
        .route("/work/supervision/orders", get(orders::list).post(orders::open))
        .route("/work/supervision/orders.xlsx", get(orders::export))
        .route("/work/supervision/orders/{id}", get(orders::show))
        .route("/work/supervision/orders/{id}/{act}", post(orders::act))
        .route("/work/supervision/flags", get(lists::flags).post(lists::review))
        .route("/work/supervision/flags.xlsx", get(lists::flags_export))
        .route("/work/supervision/late", get(lists::late))
        .route("/work/supervision/late.xlsx", get(lists::late_export))
        .route("/work/supervision/talks", get(talks::list).post(talks::record))
        .route("/work/supervision/talks.xlsx", get(talks::export))
        .route("/work/supervision/unsatisfied", get(unsatisfied::list))
        .route("/work/supervision/unsatisfied.xlsx", get(unsatisfied::export))
}

/// Rows a page shows.
pub const PER_PAGE: i64 = 50;
/// Rows an export carries at most.
const EXPORT_ROWS: i64 = 10_000;

/// Previous and next links of a paged list.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    /// The list's address with its other query parameters, to which `page=` is added.
    base: String,
}

impl Pager {
    pub fn new(base: impl Into<String>, requested: Option<i64>, total: i64) -> Pager {
        let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
        Pager { page: requested.unwrap_or(1).clamp(1, pages), pages, total, base: base.into() }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * PER_PAGE
    }

    fn link(&self, page: i64) -> String {
        let join = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{join}page={page}", self.base)
    }

    pub fn prev(&self) -> Option<String> {
        (self.page > 1).then(|| self.link(self.page - 1))
    }

    pub fn next(&self) -> Option<String> {
        (self.page < self.pages).then(|| self.link(self.page + 1))
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "work/not_found.html")]
struct NotFound<'a> {
    chrome: &'a Chrome,
}

/// What a page answers when the thing asked for is out of scope or absent, or when the
/// person may not use the page at all: the same, so nothing leaks.
pub fn not_found(chrome: &Chrome) -> Response {
    let mut response = page(chrome, &NotFound { chrome });
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

fn to_login() -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, "/login")]).into_response()
}

pub fn see_other(location: String) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

/// The logged-in user if they hold one of `roles`.
pub fn user_of(chrome: &Chrome, roles: &[Role]) -> Option<Account> {
    chrome.user.as_ref().filter(|user| roles.contains(&user.role)).cloned()
}

/// The answer to someone `user_of` turned away: the login page, or not found for those
/// logged in whose role has no business here.
pub fn refuse(chrome: &Chrome) -> Response {
    match chrome.user {
        None => to_login(),
        Some(_) => not_found(chrome),
    }
}

/// Names of units and staff, for lists that hold their ids.
pub struct Names {
    units: HashMap<i64, String>,
    people: HashMap<i64, String>,
}

impl Names {
    pub async fn load(state: &AppState) -> Result<Names, StoreError> {
        let units = state.store.units().await?.into_iter().map(|u| (u.id, u.name)).collect();
        let people = state.store.accounts().await?.into_iter().map(|a| (a.id, a.name)).collect();
        Ok(Names { units, people })
    }

    pub fn unit(&self, id: i64) -> String {
        self.units.get(&id).cloned().unwrap_or_default()
    }

    pub fn person(&self, id: i64) -> String {
        self.people.get(&id).cloned().unwrap_or_default()
    }
}

/// The requests behind a page's rows, by id, as far as the viewer may see them.
pub async fn requests(
    state: &AppState,
    user: &Account,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, Request>, StoreError> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(state.store.requests_by_ids(&user.staff(), &ids).await?.into_iter().map(|r| (r.id, r)).collect())
}

/// A local date as a form sends it, `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// The last instant of a local date: what "due on 3 May" means.
pub fn end_of(date: chrono::NaiveDate) -> Millis {
    time::start_of(date) + time::DAY - 1
}

pub fn when(at: Millis) -> String {
    time::display(at)
}

/// Words kept with the records in the office's language, whatever the page's.
pub fn office() -> Messages {
    Messages::new(Lang::Zh)
}
