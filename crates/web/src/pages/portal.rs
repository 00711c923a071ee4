//! The public portal, phone first and working without JavaScript: submit a request, get
//! its tracking code, follow it, evaluate the result.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use gongzhi_app::{Act, Submission};
use gongzhi_domain::lifecycle::Command;
use gongzhi_domain::request::NewRequest;
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::*;
use gongzhi_store::{StoreError, TrackView};
use serde::Deserialize;

use super::upload::Posted;
use super::{page, same_site_form, Chrome};
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
    id: i64,
    name: String,
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
    categories: Vec<String>,
    error: Option<String>,
    /// How many photos of what size and type the form takes.
    photo_hint: String,
}

/// Places and the catalogue's paths ("城乡建设 / 市政设施 / 井盖"), for the form.
async fn choices(state: &AppState) -> Result<(Vec<Place>, HashMap<String, i64>), StoreError> {
    let units = state.store.units().await?;
    let inactive = state.store.inactive_units().await?;
    let names: HashMap<i64, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    let places = units
        .iter()
        .filter(|u| matches!(u.kind, UnitKind::Community | UnitKind::Village) && !inactive.contains(&u.id))
        .map(|u| {
            let parent = u.parent_id.and_then(|p| names.get(&p)).copied().unwrap_or_default();
            Place { id: u.id, name: format!("{parent} {}", u.name) }
        })
        .collect();
    let categories = state.store.categories().await?;
    let by_id: HashMap<i64, (&str, Option<i64>)> =
        categories.iter().map(|c| (c.id, (c.name.as_str(), c.parent_id))).collect();
    let mut paths = HashMap::new();
    for category in &categories {
        let mut names = vec![category.name.as_str()];
        let mut parent = category.parent_id;
        while let Some((name, up)) = parent.and_then(|p| by_id.get(&p)).copied() {
            names.push(name);
            parent = up;
        }
        names.reverse();
        paths.insert(names.join(" / "), category.id);
    }
    Ok((places, paths))
}

fn kinds(chrome: &Chrome) -> Vec<(&'static str, &'static str)> {
    Kind::ALL.iter().map(|k| (k.as_str(), chrome.t.kind(*k))).collect()
}

async fn show_form(state: &AppState, chrome: &Chrome, form: &SubmitForm, error: Option<String>) -> Response {
    let (places, paths) = match choices(state).await {
        Ok(choices) => choices,
        Err(_) => {
            return (StatusCode::SERVICE_UNAVAILABLE, chrome.t.get("error.unavailable").to_string()).into_response()
        }
    };
    let mut categories: Vec<String> = paths.into_keys().collect();
    categories.sort();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let config = &state.config;
    let photo_hint = chrome
        .t
        .get("photo.hint")
        .replace("{count}", &config.photo_max_count.to_string())
        .replace("{mb}", &(config.photo_max_bytes / (1024 * 1024)).to_string());
    let template = SubmitPage { chrome, form, kinds: kinds(chrome), places, categories, error, photo_hint };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    response
}

pub async fn submit_form(State(state): State<AppState>, chrome: Chrome) -> Response {
    let form = SubmitForm { kind: "complaint".into(), key: gongzhi_store::new_token(), ..SubmitForm::default() };
    show_form(&state, &chrome, &form, None).await
}

#[derive(Template)]
#[template(path = "portal/submitted.html")]
struct Submitted<'a> {
    chrome: &'a Chrome,
    number: &'a str,
    code: &'a str,
}

pub async fn submit(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Posted { form, photos, problem }: Posted<SubmitForm>,
) -> Response {
    if let Some(problem) = problem {
        return show_form(&state, &chrome, &form, Some(chrome.t.get(problem.key()).into())).await;
    }
    if !same_site_form(&headers, &form.csrf) {
        return show_form(&state, &chrome, &form, Some(chrome.t.get("form.csrf").into())).await;
    }
    let category_id = match form.category.trim() {
        "" => None,
        path => match choices(&state).await.map(|(_, paths)| paths.get(path).copied()) {
            Ok(Some(id)) => Some(id),
            _ => return show_form(&state, &chrome, &form, Some(chrome.t.get("submit.unknown_category").into())).await,
        },
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
    };
    let key = (!form.key.is_empty() && form.key.len() <= 128).then(|| format!("form:{}", form.key));
    // The request and its photos are kept together, or the form comes back as typed.
    let submission = Submission { new, key, actor: Actor::Requester, photos };
    match gongzhi_app::submit(&state.store, &*state.suggester, submission).await {
        Ok(created) => {
            let r = &created.request;
            let done = Submitted { chrome: &chrome, number: &r.number, code: &r.tracking_code };
            page(&chrome, &done)
        }
        Err(error) => {
            let text = crate::ApiError::from(error).text.in_lang(chrome.t.lang);
            show_form(&state, &chrome, &form, Some(text)).await
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
    photos: Vec<String>,
    /// The requester's form as typed, when it comes back.
    form: TrackForm,
    /// The choices or fields it left out, each said next to its field.
    missing: Vec<&'static str>,
}

impl<'a> TrackPage<'a> {
    /// The page with nothing found yet and nothing typed.
    fn bare(chrome: &'a Chrome, code: &'a str, error: Option<&'a str>) -> TrackPage<'a> {
        let (view, notice, photos, form, missing) = (None, None, vec![], TrackForm::default(), vec![]);
        TrackPage { chrome, code, view, error, notice, photos, form, missing }
    }

    fn when(&self, at: &Millis) -> String {
        time::display(*at)
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
    notice: Option<&str>,
    form: TrackForm,
    missing: Vec<&'static str>,
) -> Response {
    match crate::api::track::guarded(state, addr, code, state.store.track(code)).await {
        Err(error) if error.status == StatusCode::TOO_MANY_REQUESTS => {
            let mut response = page(chrome, &TrackPage::bare(chrome, code, Some(chrome.t.get("login.throttled"))));
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            response
        }
        Ok(view) => {
            let photos = match state.store.request_by_tracking_code(code).await {
                Ok(request) => state.store.photos_of(request.id).await.unwrap_or_default(),
                Err(_) => vec![],
            };
            let photos = super::photos::links(&format!("/track/{code}"), &photos);
            let status = if missing.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            let template =
                TrackPage { view: Some(&view), notice, photos, form, missing, ..TrackPage::bare(chrome, code, None) };
            let mut response = page(chrome, &template);
            *response.status_mut() = status;
            response
        }
        Err(_) => {
            let mut response = page(chrome, &TrackPage::bare(chrome, code, Some(chrome.t.get("track.unknown"))));
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
    }
}

pub async fn track(
    State(state): State<AppState>,
    chrome: Chrome,
    ClientAddr(addr): ClientAddr,
    Path(code): Path<String>,
) -> Response {
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
    Form(form): Form<TrackForm>,
) -> Response {
    if !same_site_form(&headers, &form.csrf) {
        return show_track(&state, &chrome, &addr, &code, Some(chrome.t.get("form.csrf")), form, vec![]).await;
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
    let notice = match as_requester(&state, &addr, &code, command).await {
        Ok(_) => chrome.t.get(thanks),
        Err(error) if error.status == StatusCode::NOT_FOUND => chrome.t.get("track.unknown"),
        Err(error) if error.status == StatusCode::TOO_MANY_REQUESTS => chrome.t.get("login.throttled"),
        Err(_) => chrome.t.get("track.not_now"),
    };
    show_track(&state, &chrome, &addr, &code, Some(notice), TrackForm::default(), vec![]).await
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
    Form(form): Form<TrackForm>,
) -> Response {
    if !same_site_form(&headers, &form.csrf) {
        return show_track(&state, &chrome, &addr, &code, Some(chrome.t.get("form.csrf")), form, vec![]).await;
    }
    if form.reason.trim().is_empty() {
        return show_track(&state, &chrome, &addr, &code, None, form, vec!["reason"]).await;
    }
    let command = Command::Reopen { reason: form.reason.trim().to_string() };
    match as_requester(&state, &addr, &code, command).await {
        Ok(_) => {
            let notice = Some(chrome.t.get("track.reopened"));
            show_track(&state, &chrome, &addr, &code, notice, TrackForm::default(), vec![]).await
        }
        // Refused, it says why and keeps the reason as typed.
        Err(error) => {
            let message = match error.status {
                StatusCode::NOT_FOUND => chrome.t.get("track.unknown").to_string(),
                _ => error.text.in_lang(chrome.t.lang),
            };
            show_track(&state, &chrome, &addr, &code, Some(&message), form, vec![]).await
        }
    }
}
