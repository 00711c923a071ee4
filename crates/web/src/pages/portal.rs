//! The public portal, phone first and working without JavaScript: submit a request, get
//! its tracking code, follow it, evaluate the result.

use gongzhi_app::photos;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gongzhi_app::{Act, Submission};
use gongzhi_domain::catalogue::{self, Resolved};
use gongzhi_domain::lifecycle::Command;
use gongzhi_domain::request::NewRequest;
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::*;
use gongzhi_store::{StoreError, TrackView};
use serde::Deserialize;

use super::upload::{FormProblem, Posted};
use super::{page, same_site_form, Chrome, PageError, PageResult};
use crate::auth::ClientAddr;
use crate::AppState;

#[derive(Template)]
#[template(path = "portal/home.html")]
struct Home<'a> {
    chrome: &'a Chrome,
}

pub async fn home(chrome: Chrome) -> Response {
    page(&chrome, &Home { chrome: &chrome })
}

/// A place to pick: a community or village, named with its subdistrict or town.
pub struct Place {
    pub(crate) id: i64,
    pub(crate) name: String,
}

/// The form as typed, kept whole so that a refused submission loses nothing.
#[derive(Deserialize, Default)]
pub struct SubmitForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    anonymous: Option<String>,
    #[serde(default)]
    enterprise: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
    /// Made when the form is shown: a double click submits once.
    #[serde(default, rename = "_key")]
    key: String,
}

#[derive(Template)]
#[template(path = "portal/submit.html")]
struct SubmitPage<'a> {
    chrome: &'a Chrome,
    form: &'a SubmitForm,
    kinds: Vec<(&'static str, &'static str)>,
    places: Vec<Place>,
    categories: Vec<catalogue::Entry>,
    /// The categories and their words for the search script.
    categories_json: String,
    /// The paths a typed word may mean, when it fits more than one category.
    choice: Vec<String>,
    error: Option<String>,
    /// How many photos of what size and type the form takes.
    photo_hint: String,
    /// Photos sent with the form before, held until it goes through.
    held: usize,
}

/// Places, and the catalogue's categories by path ("城乡建设 / 市政设施 / 井盖") with the
/// words people use for them, for the form.
async fn choices(state: &AppState) -> Result<(Vec<Place>, Vec<catalogue::Entry>), StoreError> {
    Ok((places(state).await?, gongzhi_app::catalogue::entries(&state.store).await?))
}

/// The active communities and villages, each named with its subdistrict or town.
pub(crate) async fn places(state: &AppState) -> Result<Vec<Place>, StoreError> {
    let units = state.store.units().await?;
    let inactive = state.store.inactive_units().await?;
    let names: HashMap<i64, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    Ok(units
        .iter()
        .filter(|u| matches!(u.kind, UnitKind::Community | UnitKind::Village) && !inactive.contains(&u.id))
        .map(|u| {
            let parent = u.parent_id.and_then(|p| names.get(&p)).copied().unwrap_or_default();
            Place { id: u.id, name: format!("{parent} {}", u.name) }
        })
        .collect())
}

/// The categories and their words as JSON for the category box's search, safe inside a
/// script element whatever a category is called.
pub(crate) fn categories_json(entries: &[catalogue::Entry]) -> String {
    let list: Vec<_> = entries.iter().map(|e| serde_json::json!({ "path": e.path, "words": e.words })).collect();
    super::script_json(&list)
}

fn kinds(chrome: &Chrome) -> Vec<(&'static str, &'static str)> {
    Kind::ALL.iter().map(|k| (k.as_str(), chrome.t.kind(*k))).collect()
}

/// The form, as typed when it comes back with a refusal's status and words; `choice`
/// names the categories a word the resident typed could mean.
async fn show_form(
    state: &AppState,
    chrome: &Chrome,
    form: &SubmitForm,
    refusal: super::error::Refusal,
    choice: &[i64],
) -> PageResult {
    let (places, categories) = choices(state).await?;
    let held = held_photos(state, &form.key).await?.len();
    let choice = categories.iter().filter(|e| choice.contains(&e.id)).map(|e| e.path.clone()).collect();
    let (status, error) = super::error::said(refusal);
    let config = &state.config;
    let photo_hint = chrome
        .t
        .get("photo.hint")
        .replace("{count}", &config.photo_max_count.to_string())
        .replace("{mb}", &(config.photo_max_bytes / (1024 * 1024)).to_string());
    let categories_json = categories_json(&categories);
    let kinds = kinds(chrome);
    let template =
        SubmitPage { chrome, form, kinds, places, categories, categories_json, choice, error, photo_hint, held };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

/// The photos held for a form, by its key; a form without a usable key holds none.
async fn held_photos(state: &AppState, key: &str) -> Result<Vec<Vec<u8>>, StoreError> {
    if key.is_empty() || key.len() > 128 {
        return Ok(vec![]);
    }
    state.store.held_photos(key).await
}

pub async fn submit_form(State(state): State<AppState>, chrome: Chrome) -> PageResult {
    let form = SubmitForm { kind: "complaint".into(), key: gongzhi_store::new_token(), ..SubmitForm::default() };
    show_form(&state, &chrome, &form, None, &[]).await
}

#[derive(Template)]
#[template(path = "portal/submitted.html")]
struct Submitted<'a> {
    chrome: &'a Chrome,
    number: &'a str,
    code: &'a str,
    /// The day a reply is due at the latest, counted in working days on the official
    /// calendar as if it were handled from today.
    reply_by: String,
}

/// The latest day a new request should have its reply: its resolve deadline counted from
/// now on the working calendar, with its category's own days where it has them.
async fn expected_reply(state: &AppState, r: &Request) -> String {
    let settings = state.store.settings();
    let days = match r.new.category_id {
        Some(id) => state.store.category(id).await.ok().and_then(|c| c.resolve_days),
        None => None,
    };
    let due = settings.policy.deadlines(&settings.calendar, r.created_at, r.new.kind, r.new.urgent, days);
    time::local_date(due.resolve_by).format("%Y-%m-%d").to_string()
}

pub async fn submit(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Posted { form, photos, problem }: Posted<SubmitForm>,
) -> PageResult {
    let refused = |status, key| super::error::refused(&chrome, status, key);
    if let Some(problem) = problem {
        return show_form(&state, &chrome, &form, refused(problem.status(), problem.key()), &[]).await;
    }
    if !same_site_form(&headers, &form.csrf) {
        return show_form(&state, &chrome, &form, refused(StatusCode::FORBIDDEN, "form.csrf"), &[]).await;
    }
    // Whatever is refused from here on, the photos sent are held for the form's next try.
    let refuse = |refusal: super::error::Refusal, choice: Vec<i64>| {
        let (state, chrome, form, photos) = (&state, &chrome, &form, &photos);
        async move {
            if !photos.is_empty() && !form.key.is_empty() && form.key.len() <= 128 {
                if let Err(error) = photos::hold(&state.store, &form.key, photos, time::now()).await {
                    tracing::warn!(%error, "photos of a refused form not held");
                }
            }
            show_form(state, chrome, form, refusal, &choice).await
        }
    };
    let entries = choices(&state).await?.1;
    let category_id = match catalogue::resolve(&form.category, &entries) {
        Resolved::Nothing => None,
        Resolved::One(id) => Some(id),
        Resolved::Choice(ids) => {
            let words = chrome.t.get("submit.choose_category").replace("{words}", form.category.trim());
            return refuse(Some((StatusCode::UNPROCESSABLE_ENTITY, words)), ids).await;
        }
        Resolved::Unknown => {
            return refuse(refused(StatusCode::UNPROCESSABLE_ENTITY, "submit.unknown_category"), vec![]).await
        }
    };
    // A deactivated place is not offered; a form kept open since it was is told so by
    // intake, which holds every channel to the same rule.
    let unit_id = form.unit_id.parse().unwrap_or(0);
    let new = NewRequest {
        kind: Kind::parse(&form.kind).unwrap_or(Kind::Complaint),
        channel: Channel::Web,
        title: form.title.trim().to_string(),
        content: form.content.trim().to_string(),
        address: form.address.trim().to_string(),
        unit_id,
        category_id,
        urgent: false,
        requester_type: if form.enterprise.is_some() { RequesterType::Enterprise } else { RequesterType::Resident },
        requester_name: form.name.trim().to_string(),
        requester_phone: form.phone.trim().to_string(),
        anonymous: form.anonymous.is_some(),
        location: None,
    };
    let key = (!form.key.is_empty() && form.key.len() <= 128).then(|| format!("form:{}", form.key));
    // The request and its photos are kept together, or the form comes back as typed.
    // Photos held from an earlier try of this form come first.
    let mut all = held_photos(&state, &form.key).await?;
    let had_held = !all.is_empty();
    all.extend(photos.iter().cloned());
    let submission = Submission { new, key, actor: Actor::Requester, photos: all, then: None };
    match gongzhi_app::submit(&state.store, &*state.suggester, submission).await {
        Ok(created) => {
            let r = &created.request;
            // Photos held from an earlier try of this form went in with the request; a
            // first try held none and writes nothing more.
            if had_held {
                if let Err(error) = photos::release(&state.store, &form.key).await {
                    tracing::warn!(%error, "held photos not let go");
                }
            }
            let reply_by = expected_reply(&state, r).await;
            let done = Submitted { chrome: &chrome, number: &r.number, code: &r.tracking_code, reply_by };
            Ok(page(&chrome, &done))
        }
        // Refused or failed, the form comes back as typed with its photos held: nothing is lost.
        Err(error) => {
            let error = crate::ApiError::from(error);
            refuse(Some((error.status, error.text.in_lang(chrome.t.lang))), vec![]).await
        }
    }
}

#[derive(Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/track.html")]
struct TrackPage<'a> {
    chrome: &'a Chrome,
    code: &'a str,
    view: Option<&'a TrackView>,
    error: Option<&'a str>,
    notice: Option<&'a str>,
    /// Photos the requester sent, and photos the handling unit added.
    photos: Vec<String>,
    unit_photos: Vec<String>,
    /// The requester's form as typed, when it comes back.
    form: TrackForm,
    /// The choices or fields it left out, each said next to its field.
    missing: Vec<&'static str>,
}

impl<'a> TrackPage<'a> {
    /// The page with nothing found yet and nothing typed.
    fn bare(chrome: &'a Chrome, code: &'a str, error: Option<&'a str>) -> TrackPage<'a> {
        let (view, notice, photos, unit_photos) = (None, None, vec![], vec![]);
        TrackPage {
            chrome,
            code,
            view,
            error,
            notice,
            photos,
            unit_photos,
            form: TrackForm::default(),
            missing: vec![],
        }
    }

    fn when(&self, at: &Millis) -> String {
        time::display(*at)
    }

    /// The state in the requester's words, not the staff's.
    fn state(&self, status: &Status) -> &'static str {
        self.chrome.t.lookup(&format!("track.state.{}", status.as_str()))
    }

    /// A step in the requester's words.
    fn step(&self, action: &str) -> &'static str {
        self.chrome.t.lookup(&format!("track.step.{action}"))
    }

    fn can_evaluate(&self) -> bool {
        self.view.is_some_and(|v| v.status == Status::Resolved)
    }

    /// The way back is offered once the requester has said it is not solved or not
    /// satisfactory, and until the evaluation window closes.
    fn reopen_until(&self) -> Option<String> {
        self.view.filter(|v| v.status == Status::Closed).and_then(|v| v.reopen_until).map(time::display)
    }

    fn missing(&self, field: &str) -> bool {
        self.missing.contains(&field)
    }
}

/// `/track?code=…` from the lookup form goes to the request's own page.
pub async fn lookup(chrome: Chrome, Query(query): Query<CodeQuery>) -> Response {
    match query.code.map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty()) {
        // Encoded: whatever was typed, the answer has a Location.
        Some(code) => (StatusCode::SEE_OTHER, [(LOCATION, format!("/track/{}", super::login::encode_segment(&code)))])
            .into_response(),
        None => page(&chrome, &TrackPage::bare(&chrome, "", None)),
    }
}

async fn show_track(
    state: &AppState,
    chrome: &Chrome,
    addr: &str,
    code: &str,
    notice: Option<(StatusCode, &str)>,
    form: TrackForm,
    missing: Vec<&'static str>,
) -> PageResult {
    match crate::api::track::guarded(state, addr, code, state.store.track(code)).await {
        Err(error) if error.status == StatusCode::TOO_MANY_REQUESTS => {
            let mut response = page(chrome, &TrackPage::bare(chrome, code, Some(chrome.t.get("login.throttled"))));
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            Ok(response)
        }
        Ok(view) => {
            let request = state.store.request_by_tracking_code(code).await?;
            let photos = state.store.photos_of(request.id).await?;
            // The resident's photos came with the submission (older ones without an event);
            // the unit's came with a progress note or the reply.
            let submitted: Vec<i64> = state
                .store
                .events_of(request.id)
                .await?
                .into_iter()
                .filter(|e| e.action == "submit")
                .map(|e| e.id)
                .collect();
            let (own, unit): (Vec<_>, Vec<_>) =
                photos.into_iter().partition(|p| p.event_id.is_none_or(|id| submitted.contains(&id)));
            let base = format!("/track/{code}");
            let (photos, unit_photos) = (super::photos::links(&base, &own), super::photos::links(&base, &unit));
            let status = match notice {
                Some((status, _)) => status,
                None if missing.is_empty() => StatusCode::OK,
                None => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let notice = notice.map(|(_, words)| words);
            let bare = TrackPage::bare(chrome, code, None);
            let template = TrackPage { view: Some(&view), notice, photos, unit_photos, form, missing, ..bare };
            let mut response = page(chrome, &template);
            *response.status_mut() = status;
            Ok(response)
        }
        Err(error) if error.status.is_server_error() => Err(error.into()),
        Err(_) => {
            let mut response = page(chrome, &TrackPage::bare(chrome, code, Some(chrome.t.get("track.unknown"))));
            *response.status_mut() = StatusCode::NOT_FOUND;
            Ok(response)
        }
    }
}

pub async fn track(
    State(state): State<AppState>,
    chrome: Chrome,
    ClientAddr(addr): ClientAddr,
    Path(code): Path<String>,
) -> PageResult {
    show_track(&state, &chrome, &addr, &code, None, TrackForm::default(), vec![]).await
}

/// The requester's form as the browser sends it. Nothing is chosen for them: a verdict
/// counts in the figures, so it must be theirs.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TrackForm {
    solved: String,
    satisfaction: String,
    comment: String,
    /// Why it should be handled again.
    reason: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub async fn evaluate(
    State(state): State<AppState>,
    chrome: Chrome,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Path(code): Path<String>,
    Posted { form, problem, .. }: Posted<TrackForm>,
) -> PageResult {
    if let Some(refusal) = refusal_of_form(&state, &chrome, &headers, &form, problem).await? {
        return show_track(&state, &chrome, &addr, &code, Some(refusal), form, vec![]).await;
    }
    let (solved, satisfaction) = (super::work::yes_or_no(&form.solved), Satisfaction::parse(&form.satisfaction));
    let (Some(solved), Some(satisfaction)) = (solved, satisfaction) else {
        let missing = [("solved", solved.is_none()), ("satisfaction", satisfaction.is_none())];
        let missing = missing.into_iter().filter(|(_, left_out)| *left_out).map(|(field, _)| field).collect();
        return show_track(&state, &chrome, &addr, &code, None, form, missing).await;
    };
    let command = Command::Evaluate { solved, satisfaction, comment: form.comment.trim().to_string() };
    // Not solved or not satisfied: thanked, and shown the way back just below.
    let thanks = if solved && satisfaction.counts_as_satisfied() { "track.thanks" } else { "track.thanks_unsatisfied" };
    match as_requester(&state, &addr, &code, command).await {
        Ok(_) => {
            let notice = Some((StatusCode::OK, chrome.t.get(thanks)));
            show_track(&state, &chrome, &addr, &code, notice, TrackForm::default(), vec![]).await
        }
        Err(error) if error.status.is_server_error() => Err(error.into()),
        // Refused, it says why and keeps the verdict as chosen.
        Err(error) => {
            let words = match error.status {
                StatusCode::NOT_FOUND => chrome.t.get("track.unknown"),
                StatusCode::TOO_MANY_REQUESTS => chrome.t.get("login.throttled"),
                _ => chrome.t.get("track.not_now"),
            };
            show_track(&state, &chrome, &addr, &code, Some((error.status, words)), form, vec![]).await
        }
    }
}

/// What stops a requester's form before it is read for what it asks: text that cannot
/// be kept, a form not from our pages, or staff credentials — a cadre must not evaluate
/// or reopen as if they had raised the request. The form comes back as typed.
async fn refusal_of_form(
    state: &AppState,
    chrome: &Chrome,
    headers: &HeaderMap,
    form: &TrackForm,
    problem: Option<FormProblem>,
) -> Result<Option<(StatusCode, &'static str)>, PageError> {
    let refusal = |status, key| Some((status, chrome.t.get(key)));
    if let Some(problem) = problem {
        return Ok(refusal(problem.status(), problem.key()));
    }
    if crate::auth::carries_staff(headers, state).await? {
        return Ok(refusal(StatusCode::FORBIDDEN, "guard.staff"));
    }
    if !same_site_form(headers, &form.csrf) {
        return Ok(refusal(StatusCode::FORBIDDEN, "form.csrf"));
    }
    Ok(None)
}

/// Takes the requester's own action on the request behind a tracking code.
async fn as_requester(state: &AppState, addr: &str, code: &str, command: Command) -> Result<Request, crate::ApiError> {
    let lookup = state.store.request_by_tracking_code(code);
    let request = crate::api::track::guarded(state, addr, code, lookup).await?;
    Ok(gongzhi_app::act(&state.store, Act::new(request.id, None, command, Actor::Requester)).await?)
}

/// 申请重办: the requester asks for the request to be handled again, with a reason.
pub async fn reopen(
    State(state): State<AppState>,
    chrome: Chrome,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Path(code): Path<String>,
    Posted { form, problem, .. }: Posted<TrackForm>,
) -> PageResult {
    if let Some(refusal) = refusal_of_form(&state, &chrome, &headers, &form, problem).await? {
        return show_track(&state, &chrome, &addr, &code, Some(refusal), form, vec![]).await;
    }
    if form.reason.trim().is_empty() {
        return show_track(&state, &chrome, &addr, &code, None, form, vec!["reason"]).await;
    }
    let command = Command::Reopen { reason: form.reason.trim().to_string() };
    match as_requester(&state, &addr, &code, command).await {
        Ok(_) => {
            let notice = Some((StatusCode::OK, chrome.t.get("track.reopened")));
            show_track(&state, &chrome, &addr, &code, notice, TrackForm::default(), vec![]).await
        }
        Err(error) if error.status.is_server_error() => Err(error.into()),
        // Refused, it says why and keeps the reason as typed.
        Err(error) => {
            let message = match error.status {
                StatusCode::NOT_FOUND => chrome.t.get("track.unknown").to_string(),
                _ => error.text.clone().in_lang(chrome.t.lang),
            };
            show_track(&state, &chrome, &addr, &code, Some((error.status, &message)), form, vec![]).await
        }
    }
}
