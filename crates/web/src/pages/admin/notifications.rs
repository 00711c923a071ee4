//! The admin's view of notifications (`/admin/notifications`): how many wait, the dead
//! letters — each with why its last try failed and a button to send it again — and the
//! other states for looking up what was sent; and the webhook subscriptions, added with
//! their signing secret shown once, and ended.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use gongzhi_app::notify;
use gongzhi_domain::time;
use gongzhi_store::{OutboxCounts, Subscription};
use serde::Deserialize;

use super::{render, saved, unavailable, Admin, Notice};
use crate::pages::{same_site_form, Chrome, CsrfForm};
use crate::AppState;

#[derive(Template)]
#[template(path = "admin/notifications.html")]
struct NotificationsPage<'a> {
    chrome: &'a Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    status: &'static str,
    /// Each state's tab: its name and its label.
    tabs: Vec<(&'static str, &'static str)>,
    counts: OutboxCounts,
    rows: Vec<Row>,
    older: Option<String>,
    subscriptions: Vec<Subscription>,
    event_types: Vec<String>,
    /// A subscription just added, whose secret is shown this once.
    added: Option<Subscription>,
    form: HookForm,
}

struct Row {
    id: i64,
    medium: &'static str,
    topic: String,
    request_id: Option<i64>,
    recipient: String,
    attempts: i64,
    at: String,
    next: String,
    error: String,
}

const STATES: [&str; 4] = ["dead", "pending", "sent", "off"];

#[derive(Deserialize, Default)]
pub struct OutboxQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    before: Option<i64>,
    #[serde(default)]
    saved: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct HookForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    event_type: String,
    url: String,
}

async fn show(
    state: &AppState,
    admin: &Admin,
    query: &OutboxQuery,
    notice: Option<Notice>,
    added: Option<Subscription>,
    form: HookForm,
) -> Response {
    let chrome = &admin.chrome;
    let status = STATES.into_iter().find(|s| Some(*s) == query.status.as_deref()).unwrap_or("dead");
    let listed = notify::outbox(&state.store, &admin.staff, status, query.before).await;
    let subscriptions = notify::subscriptions(&state.store, &admin.staff).await;
    let (Ok((counts, entries)), Ok(subscriptions)) = (listed, subscriptions) else { return unavailable(chrome) };
    let older = (entries.len() as i64 == notify::PAGE)
        .then(|| entries.last().map(|e| format!("/admin/notifications?status={status}&before={}", e.id)))
        .flatten();
    let rows = entries
        .into_iter()
        .map(|e| Row {
            id: e.id,
            medium: chrome.t.lookup(&format!("notify.medium.{}", e.medium)),
            topic: e.topic,
            request_id: e.request_id,
            recipient: masked(&e.medium, &e.recipient),
            attempts: e.attempts,
            at: time::display(e.created_at),
            next: time::display(e.next_at),
            error: e.last_error.unwrap_or_default(),
        })
        .collect();
    let notice = notice.or_else(|| query.saved.as_ref().map(|_| Notice::saved(chrome)));
    let template = NotificationsPage {
        chrome,
        tab: "notifications",
        status,
        tabs: STATES.iter().map(|s| (*s, chrome.t.lookup(&format!("notify.state.{s}")))).collect(),
        counts,
        rows,
        older,
        subscriptions,
        event_types: gongzhi_domain::notify::event_types(),
        added,
        form,
        notice,
    };
    let notice = template.notice.as_ref().map(|n| Notice { status: n.status, error: n.error, text: String::new() });
    render(chrome, &template, notice.as_ref())
}

/// Phone numbers are personal: the list shows them masked, like everywhere else.
fn masked(medium: &str, recipient: &str) -> String {
    match medium {
        "sms" => gongzhi_domain::phone::mask(recipient),
        "webhook" => format!("#{recipient}"),
        _ => recipient.to_string(),
    }
}

pub async fn page(State(state): State<AppState>, admin: Admin, Query(query): Query<OutboxQuery>) -> Response {
    show(&state, &admin, &query, None, None, HookForm::default()).await
}

pub async fn resend(
    State(state): State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let act = notify::resend(&state.store, &admin.staff, id, time::now());
    act_on_row(&state, &admin, &headers, &form, act).await
}

pub async fn subscribe(
    State(state): State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    Form(form): Form<HookForm>,
) -> Response {
    let query = OutboxQuery::default();
    if !same_site_form(&headers, &form.csrf) {
        let notice = Notice::csrf(&admin.chrome);
        return show(&state, &admin, &query, Some(notice), None, form).await;
    }
    match notify::subscribe(&state.store, &admin.staff, &form.event_type, &form.url, time::now()).await {
        Ok(added) => {
            let notice = Notice::saved(&admin.chrome);
            show(&state, &admin, &query, Some(notice), Some(added), HookForm::default()).await
        }
        Err(error) => {
            let notice = Notice::from_store(&admin.chrome, error);
            show(&state, &admin, &query, Some(notice), None, form).await
        }
    }
}

pub async fn unsubscribe(
    State(state): State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let act = notify::unsubscribe(&state.store, &admin.staff, id);
    act_on_row(&state, &admin, &headers, &form, act).await
}

/// A button on one row of the page (resend, unsubscribe): done only from this site's
/// form; back to the page, or the page again with the reason.
async fn act_on_row(
    state: &AppState,
    admin: &Admin,
    headers: &HeaderMap,
    form: &CsrfForm,
    act: impl std::future::Future<Output = gongzhi_app::Result<()>>,
) -> Response {
    let query = OutboxQuery::default();
    let notice = if !same_site_form(headers, &form.csrf) {
        Notice::csrf(&admin.chrome)
    } else {
        match act.await {
            Ok(()) => return saved("/admin/notifications"),
            Err(error) => Notice::from_store(&admin.chrome, error),
        }
    };
    show(state, admin, &query, Some(notice), None, HookForm::default()).await
}
