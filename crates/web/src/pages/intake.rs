//! The intake desk (受理台): the page hotline and window operators use while the caller
//! waits. The caller's number comes first and brings up their earlier requests in the
//! operator's scope; as the call is typed, the routing suggestion and possible duplicates
//! appear, each taken with one key; a call about work still open is counted on it as a
//! repeat call (重复来电) instead of made into a new request; a consultation can be
//! answered at once. Saved, the request's number and tracking code are shown large to
//! read back, and the next call is one key away.
//!
//! The page works as plain forms: the 查询 button brings up what the script fetches as
//! one types (`callers`, `suggested`), and every refusal comes back beside its field with
//! everything typed. `assets/intake.js` only makes it quicker.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gongzhi_app::intake::{self as desk, Call};
use gongzhi_app::AppError;
use gongzhi_domain::catalogue::{self, Resolved};
use gongzhi_domain::geo::Point;
use gongzhi_domain::request::NewRequest;
use gongzhi_domain::role::Staff;
use gongzhi_domain::time;
use gongzhi_domain::*;
use gongzhi_domain::{intake, phone};
use gongzhi_store::{Account, StoreError};
use serde::Deserialize;

use super::desk::UnitGroup;
use super::upload::Posted;
use super::{page, same_site_form, Chrome, PageError, PageResult};
use crate::AppState;

/// The desk's form as typed, kept whole so that a refusal loses nothing.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeskForm {
    channel: String,
    phone: String,
    kind: String,
    title: String,
    content: String,
    /// The answer given at once to a consultation (即时办结).
    answer: String,
    category: String,
    unit_id: String,
    address: String,
    /// Where the problem is, in WGS-84 degrees, as typed or set by the map's pin.
    lat: String,
    long: String,
    urgent: Option<String>,
    name: String,
    enterprise: Option<String>,
    anonymous: Option<String>,
    #[serde(rename = "_csrf")]
    csrf: String,
    /// Made when the form is shown: pressing Enter twice records one request.
    #[serde(rename = "_key")]
    key: String,
    /// Sent by the 查询 button: show the caller's requests and the suggestions, save nothing.
    look: Option<String>,
    /// The open request this call is about, for a repeat call.
    repeat_of: String,
    /// What the caller said this time; the call's content when left empty.
    repeat_note: String,
}

impl DeskForm {
    fn fresh(channel: Channel) -> DeskForm {
        DeskForm { channel: channel.as_str().into(), key: gongzhi_store::new_token(), ..DeskForm::default() }
    }
}

/// A refusal said beside the field it is about (`field` empty: above the form).
pub struct Problem {
    field: &'static str,
    text: String,
}

/// An earlier request of the caller, or one the call may repeat.
pub struct Earlier {
    id: i64,
    number: String,
    date: String,
    title: String,
    status: &'static str,
    /// The unit handling it, or its place until it has one.
    unit: String,
    /// Still open: a call about it is a repeat call.
    open: bool,
    /// How alike it is to the call, for a possible duplicate ("91%").
    similarity: String,
}

/// The caller's earlier requests in the operator's scope.
pub struct Callers {
    /// The number as kept, shown whole to the operator (the look is recorded).
    phone: String,
    total: i64,
    rows: Vec<Earlier>,
    /// From the caller's latest request, to fill in what the form still lacks.
    name: String,
    place: Option<i64>,
}

/// What intake suggests for the call as typed so far.
pub struct Suggested {
    /// The suggested category's whole path, as the category box takes it.
    category: String,
    unit: String,
    /// The suggested unit, when it is a place the operator may record the call for.
    place: Option<i64>,
    confidence: String,
    terms: String,
    duplicates: Vec<Earlier>,
}

impl Suggested {
    fn is_empty(&self) -> bool {
        self.category.is_empty() && self.unit.is_empty() && self.duplicates.is_empty()
    }
}

#[derive(Template)]
#[template(path = "intake/desk.html")]
struct DeskPage<'a> {
    chrome: &'a Chrome,
    form: &'a DeskForm,
    channels: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, String)>,
    groups: Vec<UnitGroup>,
    categories_json: String,
    callers: Option<Callers>,
    suggested: Option<Suggested>,
    problem: Option<Problem>,
    /// The role answers at once and records repeat calls (an admin at the desk does not).
    answers: bool,
    /// The map whose pin sets the coordinates.
    map: super::map::MapSetup,
}

impl DeskPage<'_> {
    /// The refusal to show beside `field`, if it is about that field.
    fn error_for(&self, field: &str) -> Option<&str> {
        self.problem.as_ref().filter(|p| p.field == field).map(|p| p.text.as_str())
    }

    fn place_chosen(&self, id: &i64) -> bool {
        self.form.unit_id == id.to_string()
    }
}

#[derive(Template)]
#[template(path = "intake/callers_fragment.html")]
struct CallersFragment<'a> {
    chrome: &'a Chrome,
    callers: Callers,
    answers: bool,
}

#[derive(Template)]
#[template(path = "intake/suggested_fragment.html")]
struct SuggestedFragment<'a> {
    chrome: &'a Chrome,
    suggested: Suggested,
    answers: bool,
}

#[derive(Template)]
#[template(path = "intake/saved.html")]
struct Saved<'a> {
    chrome: &'a Chrome,
    id: i64,
    number: &'a str,
    /// The requester's key, shown this once to read back to the caller.
    code: &'a str,
    /// 待派单, or 已办结 for a consultation answered at once.
    status: &'static str,
    answered: bool,
    next: String,
}

#[derive(Template)]
#[template(path = "intake/repeated.html")]
struct Repeated<'a> {
    chrome: &'a Chrome,
    r: &'a Request,
    status: &'static str,
    next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeskQuery {
    /// The channel of the last call: the next one is likely the same.
    channel: String,
    phone: String,
}

/// The operator at the desk, or why not: the login page, or a refusal for other roles.
fn operator(chrome: &Chrome) -> Result<Result<Account, Response>, PageError> {
    match &chrome.user {
        None => Ok(Err(chrome.to_login())),
        Some(user) if intake::open_to(user.role) => Ok(Ok(user.clone())),
        Some(_) => Err(PageError::forbidden("intake.forbidden")),
    }
}

/// The channel chosen, or the phone: most calls come by phone.
fn channel_of(text: &str) -> Channel {
    intake::channel(text).unwrap_or(Channel::Hotline)
}

fn next_call(form: &DeskForm) -> String {
    format!("/work/intake?channel={}", channel_of(&form.channel).as_str())
}

pub async fn show(State(state): State<AppState>, chrome: Chrome, Query(query): Query<DeskQuery>) -> PageResult {
    let user = match operator(&chrome)? {
        Ok(user) => user,
        Err(login) => return Ok(login),
    };
    let form = DeskForm::fresh(channel_of(&query.channel));
    render(&state, &chrome, &user, &form, None, false).await
}

/// The desk with the form as typed; with `look`, the caller's requests and the
/// suggestions filled in as the script would.
async fn render(
    state: &AppState,
    chrome: &Chrome,
    user: &Account,
    form: &DeskForm,
    refusal: Option<(StatusCode, Problem)>,
    look: bool,
) -> PageResult {
    let staff = user.staff();
    let places = places(state, &staff).await?;
    let entries = gongzhi_app::catalogue::entries(&state.store).await?;
    let (callers, suggested) = if look {
        (callers(state, chrome, &staff, &form.phone).await?, suggested(state, chrome, user, form).await?)
    } else {
        (None, None)
    };
    let t = &chrome.t;
    let (status, problem) = match refusal {
        Some((status, problem)) => (status, Some(problem)),
        None => (StatusCode::OK, None),
    };
    let template = DeskPage {
        chrome,
        form,
        channels: intake::CHANNELS.iter().map(|c| (c.as_str(), t.lookup(&format!("channel.{}", c.as_str())))).collect(),
        kinds: Kind::ALL.iter().enumerate().map(|(i, k)| (k.as_str(), format!("{} {}", i + 1, t.kind(*k)))).collect(),
        groups: groups(chrome, places),
        categories_json: super::portal::categories_json(&entries),
        callers,
        suggested,
        problem,
        answers: intake::answers_and_counts_calls(user.role),
        map: super::map::MapSetup::of(state),
    };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

/// The places an operator records calls for: the active communities, villages and grids
/// of their scope, with the units above them to name the picker's groups.
async fn places(state: &AppState, staff: &Staff) -> Result<(Vec<Unit>, HashMap<i64, String>), StoreError> {
    let inactive = state.store.inactive_units().await?;
    let units = state.store.units().await?;
    let names = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let places =
        units.into_iter().filter(|u| u.kind.is_place() && staff.covers(&u.path) && !inactive.contains(&u.id)).collect();
    Ok((places, names))
}

/// The place picker's groups, in the order of the unit tree: each subdistrict's or
/// town's communities and villages, each community's grids.
fn groups(chrome: &Chrome, (mut places, names): (Vec<Unit>, HashMap<i64, String>)) -> Vec<UnitGroup> {
    places.sort_by(|a, b| a.path.cmp(&b.path));
    let mut parents: Vec<(i64, bool)> = Vec::new();
    for place in &places {
        if let Some(parent) = place.parent_id.filter(|p| !parents.iter().any(|(q, _)| q == p)) {
            let of_grids = places.iter().any(|u| u.id == parent);
            parents.push((parent, of_grids));
        }
    }
    let t = &chrome.t;
    parents
        .into_iter()
        .map(|(parent, of_grids)| {
            let units = places.iter().filter(|u| u.parent_id == Some(parent)).map(|u| (u.id, u.name.clone())).collect();
            let name = names.get(&parent).map(String::as_str).unwrap_or_default();
            let key = if of_grids { "intake.group_grids" } else { "desk.group_local" };
            UnitGroup { label: t.get(key).replace("{place}", name), units }
        })
        .collect()
}

/// An earlier request as the desk lists it.
fn earlier(chrome: &Chrome, r: &Request, names: &HashMap<i64, String>, similarity: String) -> Earlier {
    let unit = r.assignee_unit_id.unwrap_or(r.new.unit_id);
    Earlier {
        id: r.id,
        number: r.number.clone(),
        date: time::local_date(r.created_at).format("%Y-%m-%d").to_string(),
        title: r.new.title.clone(),
        status: chrome.t.status(r.status),
        unit: names.get(&unit).cloned().unwrap_or_default(),
        open: r.status.is_open(),
        similarity,
    }
}

/// A number worth looking up: as many digits as the shortest number the desk takes.
fn dialled(phone: &str) -> bool {
    phone::check(phone, "phone").is_ok() && !phone.trim().is_empty()
}

/// The caller's earlier requests, when the number is one; every one shown is recorded
/// as a look at the caller's number.
async fn callers(state: &AppState, chrome: &Chrome, staff: &Staff, phone: &str) -> Result<Option<Callers>, PageError> {
    if !dialled(phone) {
        return Ok(None);
    }
    let found = desk::callers(&state.store, staff, phone).await.map_err(StoreError::from)?;
    let names = super::work::unit_names(state).await?;
    let latest = found.items.iter().find(|r| !r.new.anonymous);
    Ok(Some(Callers {
        phone: phone::normalize(phone),
        total: found.total,
        name: latest.map(|r| r.new.requester_name.clone()).unwrap_or_default(),
        place: latest.map(|r| r.new.unit_id),
        rows: found.items.iter().map(|r| earlier(chrome, r, &names, String::new())).collect(),
    }))
}

/// The coordinates as typed: none when both fields are empty. A field that is not a
/// number is kept as no number, which intake's check refuses by the field's name.
fn located(lat: &str, long: &str) -> Option<Point> {
    let degrees = |text: &str| text.trim().parse::<f64>().unwrap_or(f64::NAN);
    match (lat.trim(), long.trim()) {
        ("", "") => None,
        (lat, long) => Some(Point { lat: degrees(lat), long: degrees(long) }),
    }
}

/// The call as typed, of this kind and category.
fn typed(form: &DeskForm, kind: Kind, category_id: Option<i64>) -> NewRequest {
    NewRequest {
        kind,
        channel: channel_of(&form.channel),
        title: form.title.trim().to_string(),
        content: form.content.trim().to_string(),
        address: form.address.trim().to_string(),
        unit_id: form.unit_id.parse().unwrap_or(0),
        category_id,
        urgent: form.urgent.is_some(),
        requester_type: if form.enterprise.is_some() { RequesterType::Enterprise } else { RequesterType::Resident },
        requester_name: form.name.trim().to_string(),
        requester_phone: form.phone.trim().to_string(),
        anonymous: form.anonymous.is_some(),
        location: located(&form.lat, &form.long),
    }
}

/// The call as typed so far, for the suggestion service: a kind not chosen yet is one
/// that suggests nothing in particular.
fn draft(form: &DeskForm) -> NewRequest {
    typed(form, Kind::parse(&form.kind).unwrap_or(Kind::Complaint), None)
}

/// Fewest characters of title and content worth a suggestion.
const SUGGEST_FROM: usize = 4;

/// What intake suggests for the call as typed, if there is enough to go on.
async fn suggested(
    state: &AppState,
    chrome: &Chrome,
    user: &Account,
    form: &DeskForm,
) -> Result<Option<Suggested>, PageError> {
    let new = draft(form);
    if new.title.chars().count() + new.content.chars().count() < SUGGEST_FROM {
        return Ok(None);
    }
    let staff = user.staff();
    let found = desk::suggest_draft(&state.store, &*state.suggester, &staff, &new).await.map_err(StoreError::from)?;
    let (places, names) = places(state, &staff).await?;
    let s = found.suggestion.unwrap_or_default();
    let unit = s.unit_id.filter(|u| names.contains_key(u));
    let category = match s.category_id {
        Some(id) => state.store.category_path(id).await?,
        None => String::new(),
    };
    let suggested = Suggested {
        category,
        unit: unit.and_then(|u| names.get(&u).cloned()).unwrap_or_default(),
        place: unit.filter(|u| places.iter().any(|p| p.id == *u)),
        confidence: s.confidence.map(|c| format!("{:.0}%", c * 100.0)).unwrap_or_default(),
        terms: s.terms.iter().take(4).cloned().collect::<Vec<_>>().join(" · "),
        duplicates: found
            .duplicates
            .iter()
            .map(|r| {
                let similarity = s.duplicates.iter().find(|d| d.id == r.id).map(|d| d.similarity).unwrap_or_default();
                earlier(chrome, r, &names, format!("{:.0}%", similarity * 100.0))
            })
            .collect(),
    };
    Ok((!suggested.is_empty()).then_some(suggested))
}

/// Where a refusal is said: beside the field it names, or above the form.
fn field_of(error: &AppError) -> &'static str {
    let named = match error {
        AppError::Rule(Broken::Missing(field) | Broken::Invalid { field, .. } | Broken::UnitInactive { field, .. }) => {
            field
        }
        AppError::Rule(Broken::NotAPlace { .. } | Broken::PlaceOutOfScope { .. }) => "unit_id",
        AppError::Store(StoreError::UnknownUnit(_)) => "unit_id",
        AppError::Store(StoreError::UnknownCategory(_)) => "category",
        _ => "",
    };
    match named {
        "requester_phone" => "phone",
        "requester_name" => "name",
        "reply" => "answer",
        other => other,
    }
}

/// A refusal to say on the desk; a failure of the store is an error page of its own.
fn refusal(chrome: &Chrome, error: AppError) -> Result<(StatusCode, Problem), PageError> {
    if matches!(error, AppError::Rule(Broken::Missing("unit_id"))) {
        return Ok(refused(chrome, StatusCode::UNPROCESSABLE_ENTITY, "unit_id", "intake.choose_place"));
    }
    let field = field_of(&error);
    let said = PageError::refusal(StoreError::from(error))?;
    Ok((said.status, Problem { field, text: said.text.in_lang(chrome.t.lang) }))
}

/// A refusal in the catalogue's words, beside `field`.
fn refused(chrome: &Chrome, status: StatusCode, field: &'static str, key: &str) -> (StatusCode, Problem) {
    (status, Problem { field, text: chrome.t.get(key).to_string() })
}

/// The call as a request, or what is wrong with it before it goes to intake: the kind
/// has no default, and the category is one of the catalogue's.
fn request_of(
    chrome: &Chrome,
    form: &DeskForm,
    entries: &[catalogue::Entry],
) -> Result<NewRequest, (StatusCode, Problem)> {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let Some(kind) = Kind::parse(&form.kind) else {
        return Err(refused(chrome, unprocessable, "kind", "intake.choose_kind"));
    };
    let category_id = match catalogue::resolve(&form.category, entries) {
        Resolved::Nothing => None,
        Resolved::One(id) => Some(id),
        Resolved::Choice(ids) => {
            let paths: Vec<&str> =
                entries.iter().filter(|e| ids.contains(&e.id)).map(|e| e.path.as_str()).take(6).collect();
            let text = chrome.t.get("intake.which_category").replace("{paths}", &paths.join(" | "));
            return Err((unprocessable, Problem { field: "category", text }));
        }
        Resolved::Unknown => return Err(refused(chrome, unprocessable, "category", "submit.unknown_category")),
    };
    Ok(typed(form, kind, category_id))
}

/// A form that came with a problem of its own (a forged token, U+0000) is refused
/// before anything is done, and comes back as typed.
fn form_problem(
    chrome: &Chrome,
    headers: &HeaderMap,
    form: &DeskForm,
    problem: Option<super::upload::FormProblem>,
) -> Option<(StatusCode, Problem)> {
    if let Some(problem) = problem {
        return Some(refused(chrome, problem.status(), "", problem.key()));
    }
    (!same_site_form(headers, &form.csrf)).then(|| refused(chrome, StatusCode::FORBIDDEN, "", "form.csrf"))
}

/// What a posted desk form asks for.
enum Asked {
    /// Record the call as a request.
    Record,
    /// Count it on the open request it is about.
    Repeat,
}

/// A posted desk form, done or refused; refused, the form comes back as typed with the
/// refusal beside its field.
async fn posted(
    state: &AppState,
    chrome: &Chrome,
    headers: &HeaderMap,
    Posted { form, problem, .. }: Posted<DeskForm>,
    asked: Asked,
) -> PageResult {
    let user = match operator(chrome)? {
        Ok(user) => user,
        Err(login) => return Ok(login),
    };
    if let Some(refusal) = form_problem(chrome, headers, &form, problem) {
        return render(state, chrome, &user, &form, Some(refusal), false).await;
    }
    if form.look.is_some() {
        return render(state, chrome, &user, &form, None, true).await;
    }
    let done = match asked {
        Asked::Record => record_call(state, chrome, &user, &form).await?,
        Asked::Repeat => repeat_call(state, chrome, &user, &form).await?,
    };
    match done {
        Ok(response) => Ok(response),
        Err(refusal) => render(state, chrome, &user, &form, Some(refusal), true).await,
    }
}

/// Records the call: accepted at once, or a consultation answered at once; then the
/// number and tracking code to read back.
pub async fn record(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    form: Posted<DeskForm>,
) -> PageResult {
    posted(&state, &chrome, &headers, form, Asked::Record).await
}

/// Counts the call on the open request it is about (重复来电) instead of making a new one.
pub async fn repeat(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    form: Posted<DeskForm>,
) -> PageResult {
    posted(&state, &chrome, &headers, form, Asked::Repeat).await
}

/// The page after a call is recorded, or why it is not.
type Done = Result<Result<Response, (StatusCode, Problem)>, PageError>;

async fn record_call(state: &AppState, chrome: &Chrome, user: &Account, form: &DeskForm) -> Done {
    let entries = gongzhi_app::catalogue::entries(&state.store).await?;
    let new = match request_of(chrome, form, &entries) {
        Ok(new) => new,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let key = (!form.key.is_empty() && form.key.len() <= 128).then(|| form.key.clone());
    let call = Call { new, answer: form.answer.clone(), key, staff: user.staff() };
    let created = match desk::record(&state.store, &*state.suggester, call).await {
        Ok(created) => created,
        Err(error) => return Ok(Err(refusal(chrome, error)?)),
    };
    let r = &created.request;
    let saved = Saved {
        chrome,
        id: r.id,
        number: &r.number,
        code: &r.tracking_code,
        status: chrome.t.status(r.status),
        answered: r.status == Status::Resolved,
        next: next_call(form),
    };
    Ok(Ok(page(chrome, &saved)))
}

async fn repeat_call(state: &AppState, chrome: &Chrome, user: &Account, form: &DeskForm) -> Done {
    // Without the script the request's own button sends its id beside the form's empty
    // field, and the two arrive joined by a comma.
    let chosen = form.repeat_of.split(',').map(str::trim).rfind(|id| !id.is_empty()).unwrap_or_default();
    let Ok(id) = chosen.parse::<i64>() else {
        return Ok(Err(refused(chrome, StatusCode::UNPROCESSABLE_ENTITY, "", "intake.repeat_which")));
    };
    let note = if form.repeat_note.trim().is_empty() { &form.content } else { &form.repeat_note };
    match desk::repeat_call(&state.store, user.staff(), id, &form.phone, note).await {
        Ok(r) => {
            let status = chrome.t.status(r.status);
            Ok(Ok(page(chrome, &Repeated { chrome, r: &r, status, next: next_call(form) })))
        }
        Err(error) => Ok(Err(refusal(chrome, error)?)),
    }
}

/// The caller's earlier requests, as the page shows them beside the number: for the
/// script that asks as the number is typed.
pub async fn caller_fragment(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(query): Query<DeskQuery>,
) -> PageResult {
    let user = match operator(&chrome)? {
        Ok(user) => user,
        Err(login) => return Ok(login),
    };
    let answers = intake::answers_and_counts_calls(user.role);
    Ok(match callers(&state, &chrome, &user.staff(), &query.phone).await? {
        Some(callers) => page(&chrome, &CallersFragment { chrome: &chrome, callers, answers }),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// The suggestion for the call as typed so far, as the page shows it: for the script
/// that asks while the operator types.
pub async fn suggested_fragment(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Posted { form, problem, .. }: Posted<DeskForm>,
) -> PageResult {
    let user = match operator(&chrome)? {
        Ok(user) => user,
        Err(login) => return Ok(login),
    };
    if let Some((status, _)) = form_problem(&chrome, &headers, &form, problem) {
        return Ok(status.into_response());
    }
    let answers = intake::answers_and_counts_calls(user.role);
    Ok(match suggested(&state, &chrome, &user, &form).await? {
        Some(suggested) => page(&chrome, &SuggestedFragment { chrome: &chrome, suggested, answers }),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}
