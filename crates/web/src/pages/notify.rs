//! A staff member's notifications (`/work/notifications`): what the platform told them,
//! newest first, unread ones marked, each linked to its request; marking read one by one
//! or all at once. The unread count is in every page's header (`Chrome::unread`). Which
//! topics also go by SMS or mail is chosen on the account page (`account.rs`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Form;
use gongzhi_app::notify;
use gongzhi_domain::notify::Topic;
use gongzhi_domain::time;
use gongzhi_store::{InboxEntry, NotifyPrefs};
use serde::Deserialize;

use super::{page, same_site_form, Chrome, PageResult};
use crate::AppState;

#[derive(Template)]
#[template(path = "work/notifications.html")]
struct NotificationsPage<'a> {
    chrome: &'a Chrome,
    entries: Vec<Line>,
    /// The link to older notifications, when there are more.
    older: Option<String>,
    refused: bool,
    any_unread: bool,
}

/// One notification as the list shows it.
struct Line {
    id: i64,
    topic: &'static str,
    request: Option<i64>,
    task: Option<i64>,
    number: String,
    title: String,
    note: String,
    at: String,
    read: bool,
}

impl Line {
    fn of(chrome: &Chrome, entry: InboxEntry) -> Line {
        Line {
            id: entry.id,
            topic: chrome.t.lookup(&format!("notify.topic.{}", entry.topic.as_str())),
            request: entry.request_id,
            task: entry.task_id,
            number: entry.number,
            title: entry.title,
            note: entry.note,
            at: time::display(entry.created_at),
            read: entry.read,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    before: Option<i64>,
    #[serde(default)]
    refused: Option<String>,
}

pub async fn list(State(state): State<AppState>, chrome: Chrome, Query(query): Query<ListQuery>) -> PageResult {
    let Some(user) = chrome.user.as_ref() else { return Ok(chrome.to_login()) };
    let entries = notify::inbox(&state.store, &user.staff(), query.before).await.map_err(crate::ApiError::from)?;
    let older = (entries.len() as i64 == notify::PAGE)
        .then(|| entries.last().map(|e| format!("/work/notifications?before={}", e.id)))
        .flatten();
    let any_unread = entries.iter().any(|e| !e.read);
    let entries = entries.into_iter().map(|e| Line::of(&chrome, e)).collect();
    let refused = query.refused.is_some();
    let template = NotificationsPage { chrome: &chrome, entries, older, refused, any_unread };
    Ok(page(&chrome, &template))
}

#[derive(Deserialize, Default)]
pub struct ReadForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    /// One notification; none means all.
    #[serde(default)]
    id: Option<String>,
}

pub async fn mark_read(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Form(form): Form<ReadForm>,
) -> PageResult {
    let Some(user) = chrome.user.as_ref() else { return Ok(chrome.to_login()) };
    if !same_site_form(&headers, &form.csrf) {
        return Ok((StatusCode::SEE_OTHER, [(LOCATION, "/work/notifications?refused=1")]).into_response());
    }
    let ids: Option<Vec<i64>> = match form.id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(id.parse().into_iter().collect()),
    };
    notify::mark_read(&state.store, &user.staff(), ids.as_deref(), time::now()).await.map_err(crate::ApiError::from)?;
    let back = super::login::referer_path(&headers)
        .filter(|p| p.starts_with("/work/notifications"))
        .unwrap_or("/work/notifications")
        .to_string();
    Ok((StatusCode::SEE_OTHER, [(LOCATION, back)]).into_response())
}

/// The preferences form on the account page: where copies go and which topics.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PrefsForm {
    #[serde(rename = "_csrf")]
    pub csrf: String,
    pub phone: String,
    pub email: String,
    /// Checked boxes arrive as `sms=dispatched_to_unit&sms=overdue…`, read by `parse`.
    #[serde(skip)]
    pub sms: Vec<Topic>,
    #[serde(skip)]
    pub email_topics: Vec<Topic>,
}

impl PrefsForm {
    pub fn of(prefs: &NotifyPrefs) -> PrefsForm {
        PrefsForm {
            csrf: String::new(),
            phone: prefs.phone.clone(),
            email: prefs.email.clone(),
            sms: prefs.sms.clone(),
            email_topics: prefs.email_topics.clone(),
        }
    }

    /// Reads the posted form, repeated checkboxes included.
    pub fn parse(body: &str) -> PrefsForm {
        let mut form = PrefsForm::default();
        for (name, value) in serde_urlencoded::from_str::<Vec<(String, String)>>(body).unwrap_or_default() {
            match name.as_str() {
                "_csrf" => form.csrf = value,
                "phone" => form.phone = value,
                "email" => form.email = value,
                "sms" => form.sms.extend(Topic::parse(&value)),
                "mail" => form.email_topics.extend(Topic::parse(&value)),
                _ => {}
            }
        }
        form
    }

    pub fn prefs(&self) -> NotifyPrefs {
        NotifyPrefs {
            phone: self.phone.clone(),
            email: self.email.clone(),
            sms: self.sms.clone(),
            email_topics: self.email_topics.clone(),
        }
    }

    /// One line a topic: its name and whether each box is ticked.
    pub fn rows(&self, chrome: &Chrome) -> Vec<(&'static str, &'static str, bool, bool)> {
        Topic::STAFF
            .iter()
            .map(|t| {
                let label = chrome.t.lookup(&format!("notify.topic.{}", t.as_str()));
                (t.as_str(), label, self.sms.contains(t), self.email_topics.contains(t))
            })
            .collect()
    }
}
