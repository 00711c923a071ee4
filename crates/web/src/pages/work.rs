//! The staff workbench: a home page with the queues of one's role and scope, and the
//! request page with its timeline and every action the role may take now.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use gongzhi_app::audit;
use gongzhi_app::{Act, AppError};
use gongzhi_domain::deadline::{time_left, TimeLeft, Urgency};
use gongzhi_domain::lifecycle::{Action, Command};
use gongzhi_domain::time::{self, Millis, DAY};
use gongzhi_domain::*;
use gongzhi_store::{Account, EventRecord, Queue, StoreError};
use serde::Deserialize;
use std::collections::HashMap;

use super::upload::Posted;
use super::{page, same_site_form, Chrome, PageResult};
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

pub(crate) async fn unit_names(state: &AppState) -> Result<HashMap<i64, String>, StoreError> {
    Ok(state.store.units().await?.into_iter().map(|u| (u.id, u.name)).collect())
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

/// The queues a role acts on, the most pressing first: late work before new work. A
/// queue the role cannot act on is not counted on its workbench.
fn queues_of(role: Role) -> &'static [Queue] {
    use Queue::*;
    match role {
        Role::Operator => &[Intake],
        Role::Dispatcher => &[Dispatch],
        Role::Handler | Role::Volunteer => &[Overdue, DueSoon, Claim, Handling, CoUnit],
        Role::Leader => &[Overdue, DueSoon, Handling, Claim, CoUnit],
        _ => &[Overdue, DueSoon, Intake, Dispatch, Claim, Handling, CoUnit],
    }
}

/// The queue the workbench opens on: the most pressing of the role's queues that has work
/// in it, or the role's own first queue when all are empty.
fn opening_queue(role: Role, counts: &[(Queue, i64)]) -> Queue {
    let waiting = |queue: &Queue| counts.iter().any(|(q, n)| q == queue && *n > 0);
    queues_of(role).iter().copied().find(waiting).unwrap_or_else(|| first_queue(role))
}

pub async fn home(State(state): State<AppState>, chrome: Chrome, Query(query): Query<HomeQuery>) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let staff = user.staff();
    let now = time::now();
    let counts = state.store.queue_counts(&staff, now).await?;
    let queue = query.queue.as_deref().and_then(Queue::parse).unwrap_or_else(|| opening_queue(user.role, &counts));
    // A page number that is not one shows the first page; a huge one shows an empty page.
    let page_number = query.page.as_deref().and_then(|p| p.parse::<u64>().ok()).unwrap_or(1).clamp(1, 1_000_000);
    let offset = (page_number - 1) * u64::from(PAGE);
    let mut items = state.store.queue_page(&staff, queue, now, offset, PAGE + 1).await?;
    let places = unit_names(&state).await?;
    let counts = queues_of(user.role)
        .iter()
        .map(|q| {
            let n = counts.iter().find(|(c, _)| c == q).map(|(_, n)| *n).unwrap_or_default();
            (q.as_str(), chrome.t.lookup(&format!("queue.{}", q.as_str())), n)
        })
        .collect();
    let more = items.len() > PAGE as usize;
    items.truncate(PAGE as usize);
    let rows = items.iter().map(|r| row(r, &chrome, &places, &state, now)).collect();
    let home = Home { chrome: &chrome, user: &user, counts, queue: queue.as_str(), rows, page: page_number, more };
    Ok(page(&chrome, &home))
}

/// A whole queue as a spreadsheet, up to the export limit.
pub async fn queue_export(State(state): State<AppState>, chrome: Chrome, Query(query): Query<HomeQuery>) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let staff = user.staff();
    let now = time::now();
    let queue = query.queue.as_deref().and_then(Queue::parse).unwrap_or_else(|| first_queue(user.role));
    let mut found = Vec::new();
    loop {
        let batch = gongzhi_store::MAX_PAGE;
        let items = state.store.queue_page(&staff, queue, now, found.len() as u64, batch).await?;
        let last = items.len() < batch as usize;
        found.extend(items);
        if last || found.len() >= super::search::EXPORT_ROWS {
            break;
        }
    }
    let names = unit_names(&state).await?;
    let mut sheet = super::search::request_sheet(&chrome, &names, &found);
    sheet.name = chrome.t.lookup(&format!("queue.{}", queue.as_str())).to_string();
    Ok(crate::export::download(&format!("{}.xlsx", sheet.name), vec![sheet]).await)
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
    /// `go` for the usual next step, `danger` for what undoes or removes work, else `quiet`.
    look: &'static str,
}

/// Actions in the order they are usually taken: the step that moves the work on first,
/// what sends it back or away last.
const USUAL_ORDER: &[Action] = &[
    Action::Claim,
    Action::Resolve,
    Action::Accept,
    Action::Answer,
    Action::Dispatch,
    Action::ApproveExtension,
    Action::Evaluate,
    Action::Progress,
    Action::RepeatCall,
    Action::RequestExtension,
    Action::Press,
    Action::Reopen,
    Action::DenyExtension,
    Action::Merge,
    Action::Reject,
    Action::Return,
];

/// Actions that undo, refuse or remove work: kept apart in colour and asked again.
fn destructive(action: Action) -> bool {
    matches!(action, Action::Reject | Action::Return | Action::Merge | Action::DenyExtension)
}

fn fields(action: Action) -> Vec<&'static str> {
    match action {
        Action::Reject | Action::Return | Action::DenyExtension | Action::Reopen => vec!["reason"],
        Action::Answer => vec!["reply"],
        Action::Resolve => vec!["reply", "contacted"],
        Action::Dispatch => vec!["unit_id", "co_unit_ids", "instructions"],
        Action::Progress | Action::Press => vec!["note"],
        Action::RepeatCall => vec!["phone", "note"],
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
    /// The coordinates, in words, when the channel gave them.
    location: Option<String>,
    /// The map that shows them.
    map: super::map::MapSetup,
    assignee: String,
    /// The handler who claimed it, by name.
    handler: Option<String>,
    /// The co-units' names, joined.
    co_units: String,
    /// The category the requester chose, as its whole path.
    category: String,
    /// Time left to resolve, in words, with its colour.
    time_left: Option<(&'static str, String)>,
    /// What the last action did, said once after the page comes back.
    done: Option<String>,
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
    refusal: super::error::Refusal,
    typed: Option<Typed>,
    done: Option<Action>,
) -> PageResult {
    let request = match state.store.request(id, &user.staff()).await {
        Ok(request) => request,
        Err(StoreError::NotFound) => {
            let mut response = page(chrome, &NotFound { chrome });
            *response.status_mut() = StatusCode::NOT_FOUND;
            return Ok(response);
        }
        Err(error) => return Err(error.into()),
    };
    // Independent reads, each on its own connection: the page waits for the slowest only.
    let category = async {
        match request.new.category_id {
            Some(category) => state.store.category_path(category).await,
            None => Ok(String::new()),
        }
    };
    let (events, units, inactive, photos, category) = tokio::join!(
        state.store.events_of(id),
        state.store.units(),
        state.store.inactive_units(),
        state.store.photos_of(id),
        category
    );
    let (events, units, inactive, photos, category): (Vec<EventRecord>, _, _, _, _) =
        (events?, units?, inactive?, photos?, category?);
    // Only those who acted on this request are named: the district may have thousands.
    let mut acted: Vec<i64> = events.iter().filter_map(|e| e.actor.strip_prefix("user:")?.parse().ok()).collect();
    acted.sort_unstable();
    acted.dedup();
    let people = state.store.account_names(&acted).await?;
    let actor = |name: &str| match name {
        "requester" => chrome.t.get("request.requester").to_string(),
        "system" => chrome.t.get("request.system").to_string(),
        other => other
            .strip_prefix("user:")
            .and_then(|id| people.get(&id.parse().ok()?).cloned())
            .unwrap_or_else(|| other.to_string()),
    };
    let names: HashMap<i64, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    if crate::view::sees_phone(user) {
        audit::saw_phones(&state.store, user.id, vec![id]).await;
    }
    let (name, phone) = crate::view::requester(&request, user);
    let mut open: Vec<Action> = gongzhi_app::visibility::actions(&request, user.role);
    open.sort_by_key(|action| USUAL_ORDER.iter().position(|a| a == action).unwrap_or(USUAL_ORDER.len()));
    let actions = open
        .iter()
        .enumerate()
        .map(|(at, action)| ActionForm {
            name: action.as_str(),
            label: chrome.t.action(action.as_str()),
            fields: fields(*action),
            confirm: destructive(*action) || matches!(action, Action::Resolve | Action::Answer),
            photos: matches!(action, Action::Progress | Action::Resolve),
            look: if destructive(*action) {
                "danger"
            } else if at == 0 {
                "go"
            } else {
                "quiet"
            },
        })
        .collect();
    let (status, error) = super::error::said(refusal);
    let units = super::desk::targets_among(units, &inactive);
    let time_left = request.resolve_by.filter(|_| request.status.is_open()).map(|due| {
        let settings = state.store.settings();
        match time_left(&settings.calendar, due, time::now()) {
            TimeLeft::WorkingDays(n) => {
                let look = if n <= 1 { "due_soon" } else { "on_track" };
                (look, chrome.t.get("request.left_days").replace("{n}", &n.to_string()))
            }
            TimeLeft::Today => ("due_soon", chrome.t.get("request.left_today").to_string()),
            TimeLeft::Overdue(n) => ("overdue", chrome.t.get("request.overdue_days").replace("{n}", &n.to_string())),
        }
    });
    let done = done.map(|action| chrome.t.get("request.done").replace("{action}", chrome.t.action(action.as_str())));
    let handler = match request.handler_id {
        Some(id) => Some(state.store.account(id).await?.name),
        None => None,
    };
    let template = RequestPage {
        handler,
        category,
        time_left,
        done,
        chrome,
        r: &request,
        phone,
        name: name.unwrap_or_else(|| chrome.t.get("request.anonymous").to_string()),
        place: names.get(&request.new.unit_id).cloned().unwrap_or_default(),
        location: request.new.location.map(|p| {
            chrome
                .t
                .get("request.location")
                .replace("{lat}", &format!("{:.6}", p.lat))
                .replace("{long}", &format!("{:.6}", p.long))
        }),
        map: super::map::MapSetup::of(state),
        assignee: request.assignee_unit_id.and_then(|u| names.get(&u).cloned()).unwrap_or_default(),
        co_units: request.co_unit_ids.iter().filter_map(|u| names.get(u).cloned()).collect::<Vec<_>>().join("、"),
        timeline: events.iter().map(|e| (when(e.at), chrome.t.action(&e.action), said(e), actor(&e.actor))).collect(),
        actions,
        units,
        error,
        photos: super::photos::links(&format!("/work/requests/{id}"), &photos),
        typed,
    };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

/// What the timeline says of an event: its note, and for a repeat call the caller's
/// number as the event kept it, masked.
fn said(event: &EventRecord) -> String {
    let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap_or_default();
    match payload["phone"].as_str().filter(|p| !p.is_empty() && event.action == Action::RepeatCall.as_str()) {
        Some(phone) if event.note.is_empty() => phone.to_string(),
        Some(phone) => format!("{phone}：{}", event.note),
        None => event.note.clone(),
    }
}

#[derive(Template)]
#[template(path = "work/not_found.html")]
struct NotFound<'a> {
    chrome: &'a Chrome,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The request page; `?done=<action>` after an action says that it was taken.
pub async fn request(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let done = query.done.as_deref().and_then(Action::parse);
    show_request(&state, &chrome, &user, id, None, None, done).await
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
    /// A repeat caller's number.
    #[serde(default)]
    phone: String,
    /// `yes` or `no`; nothing until the handler chooses.
    #[serde(default)]
    contacted: String,
    #[serde(default)]
    unit_id: Option<i64>,
    /// The co-units chosen in a multiple select, joined by commas.
    #[serde(default)]
    co_unit_ids: String,
    /// 派单说明: what the dispatcher tells the unit.
    #[serde(default)]
    instructions: String,
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
            "phone" => &self.phone,
            "instructions" => &self.instructions,
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
        Action::Dispatch => f.unit_id.zip(co_unit_ids).map(|(unit_id, co_unit_ids)| Command::Dispatch {
            unit_id,
            co_unit_ids,
            instructions: f.instructions.clone(),
        }),
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
        Action::RepeatCall => Some(Command::RepeatCall { phone: f.phone.clone(), note: f.note.clone() }),
        // Taken by their own use cases (`gongzhi_app::inspection`, a meeting's decision in
        // `gongzhi_app::deliberation`), never from this form.
        Action::AutoClose | Action::Rectify | Action::ReinspectPass | Action::ReinspectFail | Action::Adopt => None,
    };
    command.ok_or(missing)
}

pub async fn act(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Path((id, action)): Path<(i64, String)>,
    Posted { form: fields, photos, problem }: Posted<ActionFields>,
) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let Some(action) = Action::parse(&action).filter(|a| *a != Action::AutoClose) else {
        let refusal = (StatusCode::UNPROCESSABLE_ENTITY, chrome.t.get("request.incomplete").into());
        return show_request(&state, &chrome, &user, id, Some(refusal), None, None).await;
    };
    // Whatever the form meets, it comes back as it was typed.
    let again = |error: super::error::Refusal, fields: ActionFields, missing: Vec<&'static str>| {
        let typed = Typed { action: action.as_str(), fields, missing };
        show_request(&state, &chrome, &user, id, error, Some(typed), None)
    };
    if let Some(problem) = problem {
        return again(Some((problem.status(), chrome.t.get(problem.key()).into())), fields, vec![]).await;
    }
    if !same_site_form(&headers, &fields.csrf) {
        return again(Some((StatusCode::FORBIDDEN, chrome.t.get("form.csrf").into())), fields, vec![]).await;
    }
    let version = fields.version;
    // Only our own pages, never another site.
    let back = if fields.back.starts_with("/work") && !fields.back.starts_with("//") {
        fields.back.clone()
    } else {
        format!("/work/requests/{id}?done={}", action.as_str())
    };
    let command = match command(action, &fields) {
        Ok(command) => command,
        Err(missing) => {
            let mut response = again(None, fields, missing).await?;
            if response.status() == StatusCode::OK {
                *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            }
            return Ok(response);
        }
    };
    let taken = Act::new(id, Some(version), command, Actor::Staff(user.staff())).with_photos(photos);
    match gongzhi_app::act(&state.store, taken).await {
        Ok(_) => Ok((StatusCode::SEE_OTHER, [(LOCATION, back)]).into_response()),
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
