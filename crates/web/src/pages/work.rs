//! The staff workbench: a home page with the queues of one's role and scope, and the
//! request page with its timeline and every action the role may take now.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gongzhi_app::{Act, AppError};
use gongzhi_domain::deadline::Urgency;
use gongzhi_domain::lifecycle::{Action, Command};
use gongzhi_domain::time::{self, Millis, DAY};
use gongzhi_domain::*;
use gongzhi_store::{Account, EventRecord, Queue, StoreError};
use serde::Deserialize;
use std::collections::HashMap;

use super::upload::Posted;
use super::{page, same_site_form, Chrome};
use crate::AppState;

use gongzhi_domain::time::display as when;

/// A row of a queue or list.
pub struct Row {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status: &'static str,
    pub place: String,
    pub due: String,
    pub urgency: &'static str,
}

pub(crate) fn row(r: &Request, chrome: &Chrome, places: &HashMap<i64, String>, state: &AppState, now: Millis) -> Row {
    let policy = &state.store.settings().policy;
    let urgency = match policy.urgency_of(r, now) {
        Some(Urgency::Overdue) => "overdue",
        Some(Urgency::DueSoon) => "due_soon",
        Some(Urgency::OnTrack) => "on_track",
        None => "",
    };
    Row {
        id: r.id,
        number: r.number.clone(),
        title: r.new.title.clone(),
        status: chrome.t.status(r.status),
        place: places.get(&r.new.unit_id).cloned().unwrap_or_default(),
        due: r.resolve_by.map(when).unwrap_or_default(),
        urgency,
    }
}

pub(crate) async fn unit_names(state: &AppState) -> HashMap<i64, String> {
    state.store.units().await.map(|units| units.into_iter().map(|u| (u.id, u.name)).collect()).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "work/home.html")]
struct Home<'a> {
    chrome: &'a Chrome,
    user: &'a Account,
    counts: Vec<(&'static str, &'static str, i64)>,
    queue: &'static str,
    rows: Vec<Row>,
    page: u64,
    more: bool,
}

impl Home<'_> {
    fn queue_label(&self) -> &'static str {
        self.chrome.t.lookup(&format!("queue.{}", self.queue))
    }
}

#[derive(Deserialize)]
pub struct HomeQuery {
    queue: Option<String>,
    page: Option<String>,
}

/// Rows a workbench page shows.
const PAGE: u32 = 50;

/// The queue a role works from first.
fn first_queue(role: Role) -> Queue {
    match role {
        Role::Operator => Queue::Intake,
        Role::Dispatcher => Queue::Dispatch,
        Role::Handler | Role::Volunteer => Queue::Claim,
        _ => Queue::Overdue,
    }
}

pub async fn home(State(state): State<AppState>, chrome: Chrome, Query(query): Query<HomeQuery>) -> Response {
    let Some(user) = chrome.user.clone() else { return chrome.to_login() };
    let staff = user.staff();
    let now = time::now();
    let queue = query.queue.as_deref().and_then(Queue::parse).unwrap_or_else(|| first_queue(user.role));
    // A page number that is not one shows the first page; a huge one shows an empty page.
    let page_number = query.page.as_deref().and_then(|p| p.parse::<u64>().ok()).unwrap_or(1).clamp(1, 1_000_000);
    let offset = (page_number - 1) * u64::from(PAGE);
    let (counts, mut items) = match (
        state.store.queue_counts(&staff, now).await,
        state.store.queue_page(&staff, queue, now, offset, PAGE + 1).await,
    ) {
        (Ok(counts), Ok(items)) => (counts, items),
        _ => return (StatusCode::SERVICE_UNAVAILABLE, chrome.t.get("error.unavailable").to_string()).into_response(),
    };
    let places = unit_names(&state).await;
    let counts =
        counts.into_iter().map(|(q, n)| (q.as_str(), chrome.t.lookup(&format!("queue.{}", q.as_str())), n)).collect();
    let more = items.len() > PAGE as usize;
    items.truncate(PAGE as usize);
    let rows = items.iter().map(|r| row(r, &chrome, &places, &state, now)).collect();
    let home = Home { chrome: &chrome, user: &user, counts, queue: queue.as_str(), rows, page: page_number, more };
    page(&chrome, &home)
}

/// A whole queue as a spreadsheet, up to the export limit.
pub async fn queue_export(State(state): State<AppState>, chrome: Chrome, Query(query): Query<HomeQuery>) -> Response {
    let Some(user) = chrome.user.clone() else { return chrome.to_login() };
    let staff = user.staff();
    let now = time::now();
    let queue = query.queue.as_deref().and_then(Queue::parse).unwrap_or_else(|| first_queue(user.role));
    let mut found = Vec::new();
    loop {
        let batch = gongzhi_store::MAX_PAGE;
        match state.store.queue_page(&staff, queue, now, found.len() as u64, batch).await {
            Ok(items) => {
                let last = items.len() < batch as usize;
                found.extend(items);
                if last || found.len() >= super::search::EXPORT_ROWS {
                    break;
                }
            }
            Err(_) => {
                return (StatusCode::SERVICE_UNAVAILABLE, chrome.t.get("error.unavailable").to_string()).into_response()
            }
        }
    }
    let names = unit_names(&state).await;
    let mut sheet = super::search::request_sheet(&chrome, &names, &found);
    sheet.name = chrome.t.lookup(&format!("queue.{}", queue.as_str())).to_string();
    crate::export::download(&format!("{}.xlsx", sheet.name), vec![sheet]).await
}

/// One action form on the request page.
pub struct ActionForm {
    name: &'static str,
    label: &'static str,
    /// The fields the action needs, by name.
    fields: Vec<&'static str>,
    /// Irreversible: the browser asks again before sending.
    confirm: bool,
    /// Takes photos (progress notes and replies).
    photos: bool,
}

fn fields(action: Action) -> Vec<&'static str> {
    match action {
        Action::Reject | Action::Return | Action::DenyExtension | Action::Reopen => vec!["reason"],
        Action::Answer => vec!["reply"],
        Action::Resolve => vec!["reply", "contacted"],
        Action::Dispatch => vec!["unit_id", "co_unit_ids"],
        Action::Progress | Action::Press => vec!["note"],
        Action::RequestExtension => vec!["until", "reason"],
        Action::Evaluate => vec!["solved", "satisfaction"],
        Action::Merge => vec!["into"],
        _ => vec![],
    }
}

#[derive(Template)]
#[template(path = "work/request.html")]
struct RequestPage<'a> {
    chrome: &'a Chrome,
    r: &'a Request,
    phone: String,
    name: String,
    place: String,
    assignee: String,
    /// The co-units' names, joined.
    co_units: String,
    timeline: Vec<(String, &'static str, String, String)>,
    actions: Vec<ActionForm>,
    units: Vec<(i64, String)>,
    error: Option<String>,
    photos: Vec<String>,
    typed: Option<Typed>,
}

/// An action form that came back: what was typed into it, and the choices or fields it
/// left out, each said next to its field.
pub struct Typed {
    action: &'static str,
    fields: ActionFields,
    missing: Vec<&'static str>,
}

impl RequestPage<'_> {
    fn when(&self, at: &Millis) -> String {
        when(*at)
    }

    fn typed(&self, action: &str) -> Option<&Typed> {
        self.typed.as_ref().filter(|typed| typed.action == action)
    }

    /// What was typed into a field of an action's form, to show it again.
    fn value(&self, action: &str, field: &str) -> &str {
        self.typed(action).map(|typed| typed.fields.text(field)).unwrap_or_default()
    }

    /// Whether a choice was made: only ever by the person, never by default.
    fn chosen(&self, action: &str, field: &str, value: &str) -> bool {
        self.value(action, field) == value
    }

    fn missing(&self, action: &str, field: &str) -> bool {
        self.typed(action).is_some_and(|typed| typed.missing.contains(&field))
    }
}

/// The request page; after a refused action, with the refusal's words and status, and
/// what was typed.
async fn show_request(
    state: &AppState,
    chrome: &Chrome,
    user: &Account,
    id: i64,
    refusal: Option<(StatusCode, String)>,
    typed: Option<Typed>,
) -> Response {
    let request = match state.store.request(id, &user.staff()).await {
        Ok(request) => request,
        Err(StoreError::NotFound) => {
            let mut response = page(chrome, &NotFound { chrome });
            *response.status_mut() = StatusCode::NOT_FOUND;
            return response;
        }
        Err(_) => {
            return (StatusCode::SERVICE_UNAVAILABLE, chrome.t.get("error.unavailable").to_string()).into_response()
        }
    };
    let events: Vec<EventRecord> = state.store.events_of(id).await.unwrap_or_default();
    let names = unit_names(state).await;
    let people: HashMap<String, String> = state
        .store
        .accounts()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|a| (format!("user:{}", a.id), a.name))
        .collect();
    let actor = |name: &str| match name {
        "requester" => chrome.t.get("request.requester").to_string(),
        "system" => chrome.t.get("request.system").to_string(),
        other => people.get(other).cloned().unwrap_or_else(|| other.to_string()),
    };
    if crate::view::sees_phone(user) {
        state.store.log_pii_access(user.id, vec![id]).await;
    }
    let (name, phone) = crate::view::requester(&request, user);
    let actions = gongzhi_app::visibility::actions(&request, user.role)
        .into_iter()
        .map(|action| ActionForm {
            name: action.as_str(),
            label: chrome.t.action(action.as_str()),
            fields: fields(action),
            confirm: matches!(
                action,
                Action::Reject | Action::Merge | Action::Resolve | Action::Answer | Action::Return
            ),
            photos: matches!(action, Action::Progress | Action::Resolve),
        })
        .collect();
    let (status, error) = match refusal {
        Some((status, words)) => (status, Some(words)),
        None => (StatusCode::OK, None),
    };
    let units = super::desk::targets(state).await.unwrap_or_default();
    let template = RequestPage {
        chrome,
        r: &request,
        phone,
        name: name.unwrap_or_else(|| chrome.t.get("request.anonymous").to_string()),
        place: names.get(&request.new.unit_id).cloned().unwrap_or_default(),
        assignee: request.assignee_unit_id.and_then(|u| names.get(&u).cloned()).unwrap_or_default(),
        co_units: request.co_unit_ids.iter().filter_map(|u| names.get(u).cloned()).collect::<Vec<_>>().join("、"),
        timeline: events
            .iter()
            .map(|e| (when(e.at), chrome.t.action(&e.action), e.note.clone(), actor(&e.actor)))
            .collect(),
        actions,
        units,
        error,
        photos: super::photos::links(
            &format!("/work/requests/{id}"),
            &state.store.photos_of(id).await.unwrap_or_default(),
        ),
        typed,
    };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    response
}

#[derive(Template)]
#[template(path = "work/not_found.html")]
struct NotFound<'a> {
    chrome: &'a Chrome,
}

pub async fn request(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> Response {
    let Some(user) = chrome.user.clone() else { return chrome.to_login() };
    show_request(&state, &chrome, &user, id, None, None).await
}

/// Every field any action form may send.
#[derive(Deserialize, Default)]
pub struct ActionFields {
    #[serde(default)]
    version: i64,
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    reply: String,
    #[serde(default)]
    note: String,
    /// `yes` or `no`; nothing until the handler chooses.
    #[serde(default)]
    contacted: String,
    #[serde(default)]
    unit_id: Option<i64>,
    /// The co-units chosen in a multiple select, joined by commas.
    #[serde(default)]
    co_unit_ids: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    into: Option<i64>,
    #[serde(default)]
    solved: String,
    #[serde(default)]
    satisfaction: String,
    /// Where to go after the action: the desk sends people back to the desk.
    #[serde(default)]
    back: String,
}

impl ActionFields {
    /// A text field by name, as typed.
    fn text(&self, field: &str) -> &str {
        match field {
            "reason" => &self.reason,
            "reply" => &self.reply,
            "note" => &self.note,
            "contacted" => &self.contacted,
            "until" => &self.until,
            "solved" => &self.solved,
            "satisfaction" => &self.satisfaction,
            _ => "",
        }
    }
}

/// A yes-or-no choice as a form sends it; anything else is no choice at all.
pub(crate) fn yes_or_no(text: &str) -> Option<bool> {
    match text {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// The command a form asks for, or the fields it left out or got wrong. Choices that
/// count in the figures — contacted, solved, satisfaction — have no default.
fn command(action: Action, f: &ActionFields) -> Result<Command, Vec<&'static str>> {
    let mut missing = Vec::new();
    let mut need = |field: &'static str, present: bool| {
        if !present {
            missing.push(field);
        }
    };
    let co_unit_ids: Option<Vec<i64>> =
        f.co_unit_ids.split(',').filter(|id| !id.is_empty()).map(|id| id.parse().ok()).collect();
    let until = chrono::NaiveDate::parse_from_str(&f.until, "%Y-%m-%d").ok();
    let (contacted, solved) = (yes_or_no(&f.contacted), yes_or_no(&f.solved));
    let satisfaction = Satisfaction::parse(&f.satisfaction);
    match action {
        Action::Dispatch => {
            need("unit_id", f.unit_id.is_some());
            need("co_unit_ids", co_unit_ids.is_some());
        }
        Action::RequestExtension => need("until", until.is_some()),
        Action::Resolve => need("contacted", contacted.is_some()),
        Action::Evaluate => {
            need("solved", solved.is_some());
            need("satisfaction", satisfaction.is_some());
        }
        Action::Merge => need("into", f.into.is_some()),
        _ => {}
    }
    let command = match action {
        Action::Accept => Some(Command::Accept),
        Action::Reject => Some(Command::Reject { reason: f.reason.clone() }),
        Action::Answer => Some(Command::Answer { reply: f.reply.clone() }),
        Action::Dispatch => {
            f.unit_id.zip(co_unit_ids).map(|(unit_id, co_unit_ids)| Command::Dispatch { unit_id, co_unit_ids })
        }
        Action::Claim => Some(Command::Claim),
        Action::Return => Some(Command::Return { reason: f.reason.clone() }),
        Action::Progress => Some(Command::Progress { note: f.note.clone() }),
        Action::RequestExtension => until
            .map(|date| Command::RequestExtension { until: time::start_of(date) + DAY - 1, reason: f.reason.clone() }),
        Action::ApproveExtension => Some(Command::ApproveExtension),
        Action::DenyExtension => Some(Command::DenyExtension { reason: f.reason.clone() }),
        Action::Resolve => contacted.map(|contacted| Command::Resolve { reply: f.reply.clone(), contacted }),
        Action::Evaluate => solved.zip(satisfaction).map(|(solved, satisfaction)| Command::Evaluate {
            solved,
            satisfaction,
            comment: String::new(),
        }),
        Action::Reopen => Some(Command::Reopen { reason: f.reason.clone() }),
        Action::Merge => f.into.map(|into| Command::Merge { into }),
        Action::Press => Some(Command::Press { note: f.note.clone(), due: None }),
        Action::AutoClose => None,
    };
    command.ok_or(missing)
}

pub async fn act(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Path((id, action)): Path<(i64, String)>,
    Posted { form: fields, photos, problem }: Posted<ActionFields>,
) -> Response {
    let Some(user) = chrome.user.clone() else { return chrome.to_login() };
    let Some(action) = Action::parse(&action).filter(|a| *a != Action::AutoClose) else {
        let refusal = (StatusCode::UNPROCESSABLE_ENTITY, chrome.t.get("request.incomplete").into());
        return show_request(&state, &chrome, &user, id, Some(refusal), None).await;
    };
    // Whatever the form meets, it comes back as it was typed.
    let again = |error: Option<(StatusCode, String)>, fields: ActionFields, missing: Vec<&'static str>| {
        let typed = Typed { action: action.as_str(), fields, missing };
        show_request(&state, &chrome, &user, id, error, Some(typed))
    };
    if let Some(problem) = problem {
        return again(Some((StatusCode::UNPROCESSABLE_ENTITY, chrome.t.get(problem.key()).into())), fields, vec![])
            .await;
    }
    if !same_site_form(&headers, &fields.csrf) {
        return again(Some((StatusCode::FORBIDDEN, chrome.t.get("form.csrf").into())), fields, vec![]).await;
    }
    let version = fields.version;
    // Only our own pages, never another site.
    let back = if fields.back.starts_with("/work") && !fields.back.starts_with("//") {
        fields.back.clone()
    } else {
        format!("/work/requests/{id}")
    };
    let command = match command(action, &fields) {
        Ok(command) => command,
        Err(missing) => {
            let mut response = again(None, fields, missing).await;
            if response.status() == StatusCode::OK {
                *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            }
            return response;
        }
    };
    let taken = Act::new(id, Some(version), command, Actor::Staff(user.staff())).with_photos(photos);
    match gongzhi_app::act(&state.store, taken).await {
        Ok(_) => (StatusCode::SEE_OTHER, [(LOCATION, back)]).into_response(),
        Err(error) => {
            // A request that has moved on is a conflict here, as a stale version is: the
            // page was read before someone else acted.
            let moved_on = matches!(error, AppError::Rule(Broken::WrongState { .. }));
            let error = crate::ApiError::from(error);
            let status = if moved_on { StatusCode::CONFLICT } else { error.status };
            again(Some((status, error.text.in_lang(chrome.t.lang))), fields, vec![]).await
        }
    }
}
