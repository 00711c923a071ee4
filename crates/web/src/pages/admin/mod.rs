//! The admin pages (`/admin/…`): units, people, categories and deadlines, the working
//! calendar, how units are scored, Open311 client systems, and the record of every change. Only admins get in; each sees and changes
//! calendar, how units are scored, notifications and webhooks, and the record of every change. Only admins get in; each sees and changes
//! their own unit's subtree, which the store enforces again.
//!
//! Every change is a plain form post with the CSRF token; a change that works goes back
//! to its page with a note that it was saved (post/redirect/get), one that is refused
//! shows the page again with the reason.

mod calendar;
mod categories;
pub mod import;
mod notifications;
mod open311;
mod settings;
mod units;
mod users;

use askama::Template;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Query, State};
use axum::http::header::LOCATION;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::time;
use gongzhi_store::{AuditEntry, Listing, StoreError};
use serde::Deserialize;

use super::{page, Chrome};
use crate::export::{self, Cell, Sheet};
use crate::AppState;

/// Rows on one page of a list.
pub const PER_PAGE: i64 = 50;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { (StatusCode::SEE_OTHER, [(LOCATION, "/admin/units")]) }))
        .route("/admin/units", get(units::list))
        .route("/admin/units/{id}", get(units::detail))
        .route("/admin/units/{id}/{op}", post(units::change))
        .route("/admin/users", get(users::list).post(users::add))
        .route("/admin/users.xlsx", get(users::export))
        .route("/admin/users/{id}", get(users::detail))
        .route("/admin/users/{id}/{op}", post(users::change))
        .route("/admin/categories", get(categories::list).post(categories::add))
        .route("/admin/categories/{id}", get(categories::detail).post(categories::change))
        .route("/admin/deadlines", post(categories::deadlines))
        .route("/admin/calendar", get(calendar::show).post(calendar::load))
        .route("/admin/calendar.csv", get(calendar::download))
        .route("/admin/calendar/toggle", post(calendar::toggle))
        .route("/admin/settings", get(settings::page).post(settings::save))
        .route("/admin/open311", get(open311::list).post(open311::add))
        .route("/admin/open311/{id}/revoke", post(open311::revoke))
        .route(
            "/admin/import",
            get(import::list).post(import::upload).layer(DefaultBodyLimit::max(import::MAX_FILE + 64 * 1024)),
        )
        .route("/admin/import/{id}", get(import::show).post(import::act))
        .route("/admin/import/{id}/report.xlsx", get(import::report))
        .route("/admin/notifications", get(notifications::page))
        .route("/admin/notifications/{id}/resend", post(notifications::resend))
        .route("/admin/subscriptions", post(notifications::subscribe))
        .route("/admin/subscriptions/{id}/end", post(notifications::unsubscribe))
        .route("/admin/changes", get(changes))
        .route("/admin/changes.xlsx", get(changes_export))
}

/// An admin page's visitor: the page chrome and the admin. Anyone else is sent to log
/// in, or told the page is not theirs, before the handler runs.
pub struct Admin {
    pub chrome: Chrome,
    pub staff: Staff,
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let chrome = Chrome::from_request_parts(parts, state).await?;
        match &chrome.user {
            None => Err(chrome.to_login()),
            Some(user) if user.role == Role::Admin => Ok(Admin { staff: user.staff(), chrome }),
            Some(_) => {
                let mut response = page(&chrome, &Forbidden { chrome: &chrome });
                *response.status_mut() = StatusCode::FORBIDDEN;
                Err(response)
            }
        }
    }
}

#[derive(Template)]
#[template(path = "admin/forbidden.html")]
struct Forbidden<'a> {
    chrome: &'a Chrome,
}

/// What the page says above its content: saved, or why not.
pub struct Notice {
    pub status: StatusCode,
    pub error: bool,
    pub text: String,
}

impl Notice {
    fn saved(chrome: &Chrome) -> Notice {
        Notice { status: StatusCode::OK, error: false, text: chrome.t.get("admin.saved").into() }
    }

    fn refused(chrome: &Chrome, key: &str) -> Notice {
        Notice { status: StatusCode::UNPROCESSABLE_ENTITY, error: true, text: chrome.t.get(key).into() }
    }

    /// A form that did not come from our own page: refused as forbidden, what was typed
    /// kept.
    fn csrf(chrome: &Chrome) -> Notice {
        Notice { status: StatusCode::FORBIDDEN, ..Notice::refused(chrome, "form.csrf") }
    }

    fn from_store(chrome: &Chrome, error: impl Into<crate::ApiError>) -> Notice {
        let error = error.into();
        Notice { status: error.status, error: true, text: error.text.in_lang(chrome.t.lang) }
    }
}

/// `?saved=1` after a change went through; `?page=N` on lists.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    saved: Option<String>,
}

impl ListQuery {
    fn notice(&self, chrome: &Chrome) -> Option<Notice> {
        self.saved.as_ref().map(|_| Notice::saved(chrome))
    }
}

/// Back to a page after a change, with the note that it was saved.
fn saved(path: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    (StatusCode::SEE_OTHER, [(LOCATION, format!("{path}{sep}saved=1"))]).into_response()
}

/// Renders an admin page with its notice's status.
fn render(chrome: &Chrome, template: &impl Template, notice: Option<&Notice>) -> Response {
    let mut response = page(chrome, template);
    if let Some(notice) = notice {
        *response.status_mut() = notice.status;
    }
    response
}

#[derive(Template)]
#[template(path = "admin/not_found.html")]
struct NotFound<'a> {
    chrome: &'a Chrome,
}

/// A unit, person or category that does not exist or lies outside the admin's subtree.
fn not_found(chrome: &Chrome) -> Response {
    let mut response = page(chrome, &NotFound { chrome });
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// The store failed: the error page, drawn for the viewer as the page answers.
fn unavailable(_chrome: &Chrome) -> Response {
    super::PageError::unavailable().into_response()
}

/// Page N of a list of `total` rows: the rows to skip, and the links around it.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    base: &'static str,
}

impl Pager {
    fn new(base: &'static str, requested: Option<i64>, total: i64) -> Pager {
        let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
        Pager { page: requested.unwrap_or(1).clamp(1, pages), pages, total, base }
    }

    /// The rows before page `page`.
    fn offset_of(page: Option<i64>) -> i64 {
        (page.unwrap_or(1).max(1) - 1) * PER_PAGE
    }

    pub fn prev(&self) -> Option<String> {
        (self.page > 1).then(|| format!("{}?page={}", self.base, self.page - 1))
    }

    pub fn next(&self) -> Option<String> {
        (self.page < self.pages).then(|| format!("{}?page={}", self.base, self.page + 1))
    }
}

/// Fetches the page asked for; one past the end shows the last page instead.
async fn paged<T, F, Fut>(
    base: &'static str,
    requested: Option<i64>,
    fetch: F,
) -> Result<(Listing<T>, Pager), StoreError>
where
    F: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = Result<Listing<T>, StoreError>>,
{
    let mut listing = fetch(Pager::offset_of(requested)).await?;
    let pager = Pager::new(base, requested, listing.total);
    if pager.page != requested.unwrap_or(1) {
        listing = fetch(Pager::offset_of(Some(pager.page))).await?;
    }
    Ok((listing, pager))
}

#[derive(Template)]
#[template(path = "admin/changes.html")]
struct ChangesPage<'a> {
    chrome: &'a Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    rows: Vec<ChangeRow>,
    pager: Pager,
}

pub struct ChangeRow {
    at: String,
    who: String,
    action: &'static str,
    subject: String,
    detail: String,
}

fn change_row(chrome: &Chrome, entry: &AuditEntry) -> ChangeRow {
    ChangeRow {
        at: time::display(entry.at),
        who: entry.user_name.clone(),
        action: chrome.t.lookup(&format!("audit.{}", entry.action)),
        subject: entry.subject.clone(),
        detail: entry.detail.clone(),
    }
}

pub async fn changes(
    State(state): State<AppState>,
    Admin { chrome, staff: admin }: Admin,
    Query(query): Query<ListQuery>,
) -> Response {
    let fetch = |offset| state.store.admin_changes(&admin, offset, PER_PAGE);
    let Ok((listing, pager)) = paged("/admin/changes", query.page, fetch).await else {
        return unavailable(&chrome);
    };
    let rows = listing.items.iter().map(|e| change_row(&chrome, e)).collect();
    render(&chrome, &ChangesPage { chrome: &chrome, tab: "changes", notice: None, rows, pager }, None)
}

/// All changes of the admin's subtree as a spreadsheet.
pub async fn changes_export(State(state): State<AppState>, Admin { chrome, staff: admin }: Admin) -> Response {
    let Ok(listing) = state.store.admin_changes(&admin, 0, export::MAX_ROWS as i64).await else {
        return unavailable(&chrome);
    };
    let t = &chrome.t;
    let header = ["admin.at", "admin.who", "admin.action", "admin.subject", "admin.detail"];
    let rows = listing
        .items
        .iter()
        .map(|e| {
            let row = change_row(&chrome, e);
            vec![Cell::from(row.at), row.who.into(), row.action.into(), row.subject.into(), row.detail.into()]
        })
        .collect();
    let sheet =
        Sheet { name: t.get("admin.changes").into(), header: header.iter().map(|k| t.get(k).into()).collect(), rows };
    export::download(&format!("{}.xlsx", t.get("admin.changes")), vec![sheet]).await
}
