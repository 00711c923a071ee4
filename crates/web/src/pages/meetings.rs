//! A meeting (议事会) as community staff record it, at the meeting on a phone or later at
//! a desk: the form with its agenda ticked from the open proposals, then the meeting's
//! page with a decision form for each entry — adopt with the unit, person and deadline,
//! decline with the reason residents will read, or defer. Supervisors read it without
//! the forms.

use askama::Template;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone};
use gongzhi_app::deliberation as deliberate;
use gongzhi_domain::deliberation::{Adoption, Decision, NewMeeting, ProposalStatus};
use gongzhi_domain::role::Staff;
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::unit::{Unit, UnitKind};
use gongzhi_store::deliberation::ProposalOrder;
use serde::Deserialize;

use super::deliberation::{acts, community_in_scope, store_error, Desk, HomeQuery, LISTED};
use super::deliberation_view::{checked, refusal, see_other, Decided, Line};
use super::error::Refusal;
use super::upload::Posted;
use super::{page_as, Chrome, CsrfForm, PageError, PageResult};
use crate::AppState;

pub fn routes(config: &crate::WebConfig) -> Router<AppState> {
    let photos = DefaultBodyLimit::max(super::upload::body_limit(config));
    Router::new()
        .route("/work/deliberation/meetings", post(hold).layer(photos))
        .route("/work/deliberation/meetings/new", get(new_meeting))
        .route("/work/deliberation/meetings/{id}", get(meeting))
        .route("/work/deliberation/meetings/{id}/decide", post(decide))
        .route("/work/deliberation/meetings/{id}/photos", post(add_photos).layer(photos))
        .route("/meetings/{id}/photos/{n}", get(public_photo))
}

/// The addresses of a meeting's photos under a base (`/meetings/ID`).
pub(crate) async fn photo_links(state: &AppState, meeting_id: i64) -> Result<Vec<String>, PageError> {
    let count = state.store.meeting_photo_count(meeting_id).await?;
    Ok((1..=count).map(|n| format!("/meetings/{meeting_id}/photos/{n}")).collect())
}

/// `/meetings/{id}/photos/{n}`: a meeting's photos are public, as its record is.
pub async fn public_photo(State(state): State<AppState>, Path((id, n)): Path<(i64, i64)>) -> Response {
    super::photos::serve_kept(state.store.meeting_photo(id, n).await)
}

/// A meeting as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MeetingForm {
    unit_id: String,
    held_at: String,
    place: String,
    topic: String,
    participants: String,
    minutes: String,
    /// The proposal ids ticked, joined by commas.
    agenda: String,
    /// The volunteers and party members ticked, joined by commas.
    volunteers: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

impl MeetingForm {
    fn ticked(&self) -> Vec<i64> {
        ids(&self.agenda)
    }

    fn volunteers(&self) -> Vec<i64> {
        ids(&self.volunteers)
    }
}

/// The ids of a group of ticked boxes.
fn ids(joined: &str) -> Vec<i64> {
    joined.split(',').filter_map(|id| id.trim().parse().ok()).collect()
}

impl MeetingForm {}

#[derive(Template)]
#[template(path = "deliberation/staff_new_meeting.html")]
struct NewMeetingPage<'a> {
    chrome: &'a Chrome,
    unit: Unit,
    form: MeetingForm,
    /// Proposals a meeting may take up: not yet decided and not on another agenda.
    open: Vec<Line>,
    ticked: Vec<i64>,
    /// Volunteers and party members who may be ticked as taking part.
    volunteers: Vec<(i64, String, String)>,
    ticked_volunteers: Vec<i64>,
    error: Option<String>,
}

async fn show_new_meeting(
    state: &AppState,
    chrome: &Chrome,
    staff: &Staff,
    unit_id: i64,
    form: MeetingForm,
    refusal: Refusal,
) -> PageResult {
    let unit = community_in_scope(state, staff, unit_id).await?;
    let open = state
        .store
        .proposals(unit.id, ProposalOrder::MostSupported, 0, LISTED)
        .await?
        .iter()
        .filter(|p| matches!(p.status, ProposalStatus::Open | ProposalStatus::Deferred))
        .map(|p| Line::of(chrome, p))
        .collect();
    let (status, error) = super::error::said(refusal);
    let (ticked, ticked_volunteers) = (form.ticked(), form.volunteers());
    let volunteers = volunteers_for(state, &unit).await?;
    let page = NewMeetingPage { chrome, unit, form, open, ticked, volunteers, ticked_volunteers, error };
    Ok(page_as(chrome, &page, status))
}

/// The unit above a community (its subdistrict or town), whose cadres and volunteers
/// work with it; the community itself at the top.
async fn above(state: &AppState, community: &Unit) -> Result<Unit, PageError> {
    match community.parent_id {
        Some(parent) => Ok(state.store.unit(parent).await?),
        None => Ok(community.clone()),
    }
}

async fn volunteers_for(state: &AppState, community: &Unit) -> Result<Vec<(i64, String, String)>, PageError> {
    let above = above(state, community).await?;
    Ok(state.store.volunteers_for(&community.path, &above.path).await?)
}

/// `/work/deliberation/meetings/new?unit=…`: the form a meeting is recorded with.
pub async fn new_meeting(
    State(state): State<AppState>,
    Desk { chrome, staff }: Desk,
    Query(query): Query<HomeQuery>,
) -> PageResult {
    let unit_id = query.unit.trim().parse().map_err(|_| PageError::not_found())?;
    let now = time::to_datetime(time::now()).with_timezone(&time::local());
    let form = MeetingForm { held_at: now.format("%Y-%m-%dT%H:%M").to_string(), ..MeetingForm::default() };
    show_new_meeting(&state, &chrome, &staff, unit_id, form, None).await
}

/// A local date and time from a `datetime-local` field, or a bare date (at 00:00).
fn local_time(text: &str) -> Option<Millis> {
    let text = text.trim();
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))?;
    time::local().from_local_datetime(&naive).single().map(|at| at.timestamp_millis())
}

pub async fn hold(
    State(state): State<AppState>,
    Desk { chrome, staff }: Desk,
    headers: HeaderMap,
    Posted { form, photos, problem }: Posted<MeetingForm>,
) -> PageResult {
    let unit_id: i64 = form.unit_id.trim().parse().map_err(|_| PageError::not_found())?;
    if let Some(refusal) = checked(&chrome, &headers, &form.csrf, problem) {
        return show_new_meeting(&state, &chrome, &staff, unit_id, form, Some(refusal)).await;
    }
    let Some(held_at) = local_time(&form.held_at) else {
        let refusal = super::error::refused(&chrome, StatusCode::UNPROCESSABLE_ENTITY, "deliberation.bad_time");
        return show_new_meeting(&state, &chrome, &staff, unit_id, form, refusal).await;
    };
    let new = NewMeeting {
        unit_id,
        held_at,
        place: form.place.trim().to_string(),
        topic: form.topic.trim().to_string(),
        participants: form.participants.trim().to_string(),
        minutes: form.minutes.trim().to_string(),
        agenda: form.ticked(),
        volunteers: form.volunteers(),
    };
    match deliberate::hold_meeting(&state.store, &staff, new, photos, time::now()).await {
        Ok(id) => Ok(see_other(format!("/work/deliberation/meetings/{id}"))),
        Err(error) => {
            let refusal = refusal(&chrome, error)?;
            show_new_meeting(&state, &chrome, &staff, unit_id, form, refusal).await
        }
    }
}

/// A decision as typed on one agenda entry.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecideForm {
    proposal_id: String,
    decision: String,
    reason: String,
    unit_id: String,
    responsible_id: String,
    deadline: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

#[derive(Template)]
#[template(path = "deliberation/staff_meeting.html")]
struct MeetingPage<'a> {
    chrome: &'a Chrome,
    meeting: gongzhi_domain::deliberation::Meeting,
    community: Unit,
    day: String,
    decided: Vec<Decided>,
    acts: bool,
    /// Units that may answer for adopted work: the community, the units above it, and
    /// the departments.
    units: Vec<(i64, String)>,
    people: Vec<(i64, String, String)>,
    volunteers: Vec<(i64, String)>,
    photos: Vec<String>,
    /// Why photos added later were refused.
    photo_error: Option<String>,
    me: i64,
    deadline: String,
    /// The entry whose decision was refused, why, and the form as typed.
    error: Option<(i64, String)>,
    form: DecideForm,
}

impl MeetingPage<'_> {
    fn error_of(&self, proposal_id: &i64) -> Option<&str> {
        self.error.as_ref().filter(|(id, _)| id == proposal_id).map(|(_, words)| words.as_str())
    }

    fn typed(&self, proposal_id: &i64) -> Option<&DecideForm> {
        self.error.as_ref().filter(|(id, _)| id == proposal_id).map(|_| &self.form)
    }
}

async fn show_meeting(
    state: &AppState,
    chrome: &Chrome,
    staff: &Staff,
    id: i64,
    refused: Option<(i64, Refusal)>,
    form: DecideForm,
) -> PageResult {
    let (meeting, agenda) = deliberate::meeting(&state.store, id).await.map_err(store_error)?;
    let community = community_in_scope(state, staff, meeting.new.unit_id).await?;
    let all = state.store.units().await?;
    let units = all
        .iter()
        .filter(|u| community.path.starts_with(&u.path) || u.kind == UnitKind::Department)
        .map(|u| (u.id, u.name.clone()))
        .collect();
    // The cadres of the community's subdistrict or town answer for most adopted work.
    let above = all.iter().find(|u| Some(u.id) == community.parent_id).unwrap_or(&community);
    let people = state.store.people_under(&above.path).await?;
    let volunteers = state.store.meeting_volunteers(id).await?;
    let photos = photo_links(state, id).await?;
    let decided = agenda.iter().map(|e| Decided::of(chrome, e)).collect();
    // Entry 0 is the photo form's.
    let (status, error) = match refused {
        Some((proposal_id, refusal)) => {
            let (status, words) = super::error::said(refusal);
            (status, words.map(|w| (proposal_id, w)))
        }
        None => (StatusCode::OK, None),
    };
    let photo_error = error.as_ref().filter(|(id, _)| *id == 0).map(|(_, words)| words.clone());
    let deadline = (time::local_date(time::now()) + Duration::days(15)).to_string();
    let day = time::display(meeting.new.held_at);
    let template = MeetingPage {
        chrome,
        meeting,
        community,
        day,
        decided,
        acts: acts(staff),
        units,
        people,
        volunteers,
        photos,
        photo_error,
        me: staff.user_id,
        deadline,
        error,
        form,
    };
    Ok(page_as(chrome, &template, status))
}

/// `/work/deliberation/meetings/{id}`: the meeting's record and a decision form for each
/// entry still undecided.
pub async fn meeting(State(state): State<AppState>, Desk { chrome, staff }: Desk, Path(id): Path<i64>) -> PageResult {
    show_meeting(&state, &chrome, &staff, id, None, DecideForm::default()).await
}

/// Photos of a meeting added after it was recorded.
pub async fn add_photos(
    State(state): State<AppState>,
    Desk { chrome, staff }: Desk,
    headers: HeaderMap,
    Path(meeting_id): Path<i64>,
    Posted { form, photos, problem }: Posted<CsrfForm>,
) -> PageResult {
    let again = |refusal| show_meeting(&state, &chrome, &staff, meeting_id, Some((0, refusal)), DecideForm::default());
    if let Some(refusal) = checked(&chrome, &headers, &form.csrf, problem) {
        return again(Some(refusal)).await;
    }
    match deliberate::add_meeting_photos(&state.store, &staff, meeting_id, photos, time::now()).await {
        Ok(()) => Ok(see_other(format!("/work/deliberation/meetings/{meeting_id}#photos"))),
        Err(error) => {
            let refusal = refusal(&chrome, error)?;
            again(refusal).await
        }
    }
}

/// The end of a local day: an adoption's deadline is a date.
fn end_of(text: &str) -> Option<Millis> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(time::start_of(date + Duration::days(1)) - 1)
}

/// The decision a form says, or the catalogue key of what it lacks.
fn decision_of(form: &DecideForm) -> Result<Decision, &'static str> {
    match form.decision.as_str() {
        "adopt" => {
            let unit_id = form.unit_id.trim().parse().map_err(|_| "deliberation.choose_unit")?;
            let responsible_id = form.responsible_id.trim().parse().map_err(|_| "deliberation.choose_person")?;
            let deadline = end_of(&form.deadline).ok_or("deliberation.bad_deadline")?;
            Ok(Decision::Adopt(Adoption { unit_id, responsible_id, deadline }))
        }
        "decline" => Ok(Decision::Decline { reason: form.reason.trim().to_string() }),
        "defer" => Ok(Decision::Defer),
        _ => Err("deliberation.choose_decision"),
    }
}

pub async fn decide(
    State(state): State<AppState>,
    Desk { chrome, staff }: Desk,
    headers: HeaderMap,
    Path(meeting_id): Path<i64>,
    Posted { form, problem, .. }: Posted<DecideForm>,
) -> PageResult {
    let proposal_id: i64 = form.proposal_id.trim().parse().map_err(|_| PageError::not_found())?;
    if let Some(refusal) = checked(&chrome, &headers, &form.csrf, problem) {
        return show_meeting(&state, &chrome, &staff, meeting_id, Some((proposal_id, Some(refusal))), form).await;
    }
    let decision = match decision_of(&form) {
        Ok(decision) => decision,
        Err(key) => {
            let refusal = super::error::refused(&chrome, StatusCode::UNPROCESSABLE_ENTITY, key);
            return show_meeting(&state, &chrome, &staff, meeting_id, Some((proposal_id, refusal)), form).await;
        }
    };
    match deliberate::decide(&state.store, &staff, meeting_id, proposal_id, decision, time::now()).await {
        Ok(_) => Ok(see_other(format!("/work/deliberation/meetings/{meeting_id}#p{proposal_id}"))),
        Err(error) => {
            let refusal = refusal(&chrome, error)?;
            show_meeting(&state, &chrome, &staff, meeting_id, Some((proposal_id, refusal)), form).await
        }
    }
}
