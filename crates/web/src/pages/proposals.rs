//! The portal's deliberation pages (大家事 大家议 大家办), public, phone first and working
//! without JavaScript: a community's proposals, meetings and results; a proposal's page
//! with its supports, comments and what became of it down to the work done; the form a
//! resident puts a proposal or a wish forward with. No phone number is ever shown: the
//! store masks proposers' numbers and keeps supporters' and commenters' only as digests.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use gongzhi_app::deliberation as deliberate;
use gongzhi_domain::deliberation::{self, NewComment, NewProposal, ProposalChannel, ProposalKind, ProposalStatus};
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::unit::Unit;
use gongzhi_store::deliberation::{AdoptedResult, ProposalOrder, ProposalView};
use gongzhi_store::StoreError;
use serde::Deserialize;

use super::deliberation_view::{checked, day, refusal, see_other, track_state, unit_page, Decided, Line, ProposeForm};
use super::error::Refusal;
use super::portal::Place;
use super::resident_phone::{self, Voice};
use super::upload::Posted;
use super::{page, page_as, Chrome, PageError, PageResult};
use crate::auth::ClientAddr;
use crate::AppState;

/// Proposals a community page lists at a time.
const PER_PAGE: u32 = 20;
/// Meetings a community page shows with their decisions.
const MEETINGS_SHOWN: u32 = 5;
/// Adopted proposals a community page shows with their work's progress.
const RESULTS_SHOWN: u32 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/proposals", get(index))
        .route("/proposals/new", get(new_form).post(submit))
        .route("/proposals/{id}", get(proposal))
        .route("/proposals/{id}/support", post(support))
        .route("/proposals/{id}/comments", post(comment))
        .route("/proposals/{id}/photos/{n}", get(photo))
        .route("/communities/{id}", get(community))
        .route("/meetings/{id}", get(meeting))
}

#[derive(Template)]
#[template(path = "deliberation/index.html")]
struct Index<'a> {
    chrome: &'a Chrome,
    places: Vec<Place>,
}

/// `/proposals`: the communities to choose from, and the way to put something forward.
pub async fn index(State(state): State<AppState>, chrome: Chrome) -> PageResult {
    let places = super::portal::places(&state).await?;
    Ok(page(&chrome, &Index { chrome: &chrome, places }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    order: String,
    page: String,
    done: String,
}

/// A meeting in a community's list, with what it decided.
pub struct MeetingLine {
    id: i64,
    day: String,
    place: String,
    topic: String,
    decided: Vec<Decided>,
}

/// An adopted proposal and how far its work has come.
pub struct ResultLine {
    id: i64,
    title: String,
    day: String,
    state: &'static str,
    percent: Option<u8>,
}

impl ResultLine {
    fn of(chrome: &Chrome, r: AdoptedResult) -> ResultLine {
        ResultLine {
            id: r.proposal_id,
            title: r.title,
            day: day(r.decided_at),
            state: track_state(chrome, r.status),
            percent: deliberation::percent_done(r.status),
        }
    }
}

#[derive(Template)]
#[template(path = "deliberation/community.html")]
struct Community<'a> {
    chrome: &'a Chrome,
    unit: Unit,
    /// Just put forward, waiting for the community's staff to confirm the number.
    waiting: bool,
    supported: bool,
    page: u32,
    proposals: Vec<Line>,
    more: bool,
    meetings: Vec<MeetingLine>,
    results: Vec<ResultLine>,
}

/// `/communities/{id}`: 大家事 大家议 大家办 — a community's proposals (newest or most
/// supported), its latest meetings with their decisions, and the adopted work.
pub async fn community(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(id): Path<i64>,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let unit = unit_page(&state, id).await?;
    let supported = query.order == "supported";
    let order = if supported { ProposalOrder::MostSupported } else { ProposalOrder::Latest };
    // Deep pages are a script's, not a resident's: they stop where an index stops helping.
    let page_no = query.page.trim().parse::<u32>().unwrap_or(0).min(1000);
    let store = &state.store;
    let (proposals, meetings, results) = tokio::join!(
        store.proposals(id, order, page_no * PER_PAGE, PER_PAGE + 1),
        store.meetings(id, MEETINGS_SHOWN),
        store.adopted_results(id, RESULTS_SHOWN),
    );
    let mut proposals: Vec<Line> = proposals?.iter().map(|p| Line::of(&chrome, p)).collect();
    let more = proposals.len() > PER_PAGE as usize;
    proposals.truncate(PER_PAGE as usize);
    let mut lines = Vec::new();
    for m in meetings? {
        let (_, agenda) = store.meeting(m.id).await?;
        lines.push(MeetingLine {
            id: m.id,
            day: day(m.new.held_at),
            place: m.new.place,
            topic: m.new.topic,
            decided: agenda.iter().map(|e| Decided::of(&chrome, e)).collect(),
        });
    }
    let results = results?.into_iter().map(|r| ResultLine::of(&chrome, r)).collect();
    let waiting = query.done == "waiting";
    let template = Community {
        chrome: &chrome,
        unit,
        waiting,
        supported,
        page: page_no,
        proposals,
        more,
        meetings: lines,
        results,
    };
    Ok(page(&chrome, &template))
}

#[derive(Template)]
#[template(path = "deliberation/submit.html")]
struct SubmitPage<'a> {
    chrome: &'a Chrome,
    form: &'a ProposeForm,
    places: Vec<Place>,
    error: Option<String>,
    voice: &'a Voice,
    /// Where a code is asked for first, to come back to this form.
    confirm_link: String,
}

async fn show_submit(
    state: &AppState,
    chrome: &Chrome,
    form: &ProposeForm,
    voice: &Voice,
    refusal: Refusal,
) -> PageResult {
    let places = super::portal::places(state).await?;
    let (status, error) = super::error::said(refusal);
    let back = format!("/proposals/new?unit={}&kind={}", form.unit().unwrap_or_default(), form.kind_chosen().as_str());
    let confirm_link = resident_phone::link(&back);
    Ok(page_as(chrome, &SubmitPage { chrome, form, places, error, voice, confirm_link }, status))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    unit: String,
    kind: String,
}

/// `/proposals/new?unit=…&kind=wish`: the form, with the community and kind chosen when
/// the resident came from a community's page.
pub async fn new_form(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Query(query): Query<NewQuery>,
) -> PageResult {
    let kind = ProposalKind::parse(&query.kind).unwrap_or(ProposalKind::Suggestion).as_str().to_string();
    let form = ProposeForm { kind, unit_id: query.unit, ..ProposeForm::default() };
    let voice = resident_phone::voice(&state, &headers).await;
    show_submit(&state, &chrome, &form, &voice, None).await
}

pub async fn submit(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Posted { form, problem, .. }: Posted<ProposeForm>,
) -> PageResult {
    let voice = resident_phone::voice(&state, &headers).await;
    if let Some(refusal) = checked(&chrome, &headers, &form.csrf, problem) {
        return show_submit(&state, &chrome, &form, &voice, Some(refusal)).await;
    }
    let Some(unit_id) = form.unit() else {
        let refusal = super::error::refused(&chrome, StatusCode::UNPROCESSABLE_ENTITY, "proposal.choose_community");
        return show_submit(&state, &chrome, &form, &voice, refusal).await;
    };
    let Some(phone) = voice.phone(&form.phone) else {
        return show_submit(&state, &chrome, &form, &voice, resident_phone::unconfirmed(&chrome)).await;
    };
    let new = NewProposal { proposer_phone: phone, ..form.proposal(ProposalChannel::Portal, unit_id) };
    match deliberate::submit(&state.store, new, voice.confirmed(), time::now()).await {
        Ok(id) if voice.confirmed() => Ok(see_other(format!("/proposals/{id}?done=submitted"))),
        // Unlisted until the community's staff confirm it: its community's page says so.
        Ok(_) => Ok(see_other(format!("/communities/{unit_id}?done=waiting"))),
        Err(error) => {
            let refusal = refusal(&chrome, error)?;
            show_submit(&state, &chrome, &form, &voice, refusal).await
        }
    }
}

/// A support or a comment as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VoiceForm {
    phone: String,
    name: String,
    body: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

/// What residents see of the work an adopted proposal became.
pub struct OutcomeView {
    state: &'static str,
    percent: Option<u8>,
    unit: Option<String>,
    /// The person the meeting made answer for it.
    responsible: Option<String>,
    resolve_by: Option<String>,
    reply: Option<String>,
    /// 满意 / 基本满意 / 不满意, and whether the proposer said it is solved.
    verdict: Option<&'static str>,
    solved: Option<&'static str>,
    /// Each public step, with the handling unit's progress note where it wrote one.
    steps: Vec<(&'static str, String, Option<String>)>,
    photos: Vec<String>,
}

async fn outcome(state: &AppState, chrome: &Chrome, view: &ProposalView) -> Result<Option<OutcomeView>, PageError> {
    let Some(request) = view.request() else { return Ok(None) };
    let o = state.store.outcome(request.id).await?;
    let track = o.track;
    let steps = track
        .steps
        .into_iter()
        .map(|s| (chrome.t.lookup(&format!("track.step.{}", s.action)), time::display(s.at), s.note))
        .collect();
    Ok(Some(OutcomeView {
        state: track_state(chrome, track.status),
        percent: deliberation::percent_done(track.status),
        unit: track.unit,
        responsible: view.responsible().map(str::to_string),
        resolve_by: track.resolve_by.map(day),
        reply: track.reply,
        verdict: track.satisfaction.map(|s| chrome.t.lookup(&format!("satisfaction.{}", s.as_str()))),
        solved: o.solved.map(|s| chrome.t.get(if s { "proposal.solved" } else { "proposal.not_solved" })),
        steps,
        photos: super::photos::links(&format!("/proposals/{}", view.proposal.id), &o.photos),
    }))
}

#[derive(Template)]
#[template(path = "deliberation/proposal.html")]
struct ProposalPage<'a> {
    chrome: &'a Chrome,
    view: &'a ProposalView,
    line: Line,
    community: String,
    decided: Vec<Decided>,
    outcome: Option<OutcomeView>,
    notice: Option<&'static str>,
    /// The form that was refused (`support` or `comment`) and why.
    error: Option<(&'static str, String)>,
    form: VoiceForm,
    voice: Voice,
    /// Where a code is asked for first, to come back to this page.
    confirm_link: String,
}

impl ProposalPage<'_> {
    fn when(&self, at: &Millis) -> String {
        time::display(*at)
    }

    fn takes_supports(&self) -> bool {
        self.view.proposal.status.takes_supports()
    }

    fn error_of(&self, which: &str) -> Option<&str> {
        self.error.as_ref().filter(|(w, _)| *w == which).map(|(_, words)| words.as_str())
    }
}

/// What a proposal's page was asked to show besides the proposal.
struct Shown {
    notice: Option<&'static str>,
    error: Option<(&'static str, Refusal)>,
    form: VoiceForm,
    voice: Voice,
}

async fn show_proposal(state: &AppState, chrome: &Chrome, id: i64, shown: Shown) -> PageResult {
    let Shown { notice, error, form, voice } = shown;
    let view = deliberate::proposal(&state.store, id).await.map_err(StoreError::from)?;
    if view.proposal.status == ProposalStatus::Unconfirmed {
        // Unlisted until the community's staff confirm it.
        return Err(PageError::not_found());
    }
    let community = state.store.unit(view.proposal.new.unit_id).await?.name;
    let outcome = outcome(state, chrome, &view).await?;
    let decided = view.agenda.iter().map(|e| Decided::of(chrome, e)).collect();
    let (status, error) = match error {
        Some((which, refusal)) => {
            let (status, words) = super::error::said(refusal);
            (status, words.map(|w| (which, w)))
        }
        None => (StatusCode::OK, None),
    };
    let line = Line::of(chrome, &view.proposal);
    let confirm_link = resident_phone::link(&format!("/proposals/{id}"));
    let template = ProposalPage {
        chrome,
        view: &view,
        line,
        community,
        decided,
        outcome,
        notice,
        error,
        form,
        voice,
        confirm_link,
    };
    Ok(page_as(chrome, &template, status))
}

/// `/proposals/{id}`: the proposal, its supports and comments, and what became of it.
pub async fn proposal(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let notice = match query.done.as_str() {
        "submitted" => Some("proposal.submitted"),
        "supported" => Some("proposal.supported"),
        "again" => Some("proposal.supported_again"),
        "commented" => Some("proposal.commented"),
        _ => None,
    };
    let voice = resident_phone::voice(&state, &headers).await;
    show_proposal(&state, &chrome, id, Shown { notice, error: None, form: VoiceForm::default(), voice }).await
}

/// The proposal's page again with a form refused beside itself.
async fn refused_form(
    state: &AppState,
    chrome: &Chrome,
    id: i64,
    which: &'static str,
    refusal: Refusal,
    (form, voice): (VoiceForm, Voice),
) -> PageResult {
    show_proposal(state, chrome, id, Shown { notice: None, error: Some((which, refusal)), form, voice }).await
}

pub async fn support(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Posted { form, problem, .. }: Posted<VoiceForm>,
) -> PageResult {
    let voice = resident_phone::voice(&state, &headers).await;
    if let Some(refusal) = checked(&chrome, &headers, &form.csrf, problem) {
        return refused_form(&state, &chrome, id, "support", Some(refusal), (form, voice)).await;
    }
    let Some(phone) = voice.phone(&form.phone) else {
        let refusal = resident_phone::unconfirmed(&chrome);
        return refused_form(&state, &chrome, id, "support", refusal, (form, voice)).await;
    };
    match deliberate::support(&state.store, id, &phone, &addr, time::now()).await {
        Ok(true) => Ok(see_other(format!("/proposals/{id}?done=supported#supports"))),
        Ok(false) => Ok(see_other(format!("/proposals/{id}?done=again#supports"))),
        Err(error) => {
            let refusal = refusal(&chrome, error)?;
            refused_form(&state, &chrome, id, "support", refusal, (form, voice)).await
        }
    }
}

pub async fn comment(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Posted { form, problem, .. }: Posted<VoiceForm>,
) -> PageResult {
    let voice = resident_phone::voice(&state, &headers).await;
    if let Some(refusal) = checked(&chrome, &headers, &form.csrf, problem) {
        return refused_form(&state, &chrome, id, "comment", Some(refusal), (form, voice)).await;
    }
    let Some(phone) = voice.phone(&form.phone) else {
        let refusal = resident_phone::unconfirmed(&chrome);
        return refused_form(&state, &chrome, id, "comment", refusal, (form, voice)).await;
    };
    let new = NewComment {
        proposal_id: id,
        author_name: form.name.trim().to_string(),
        phone,
        body: form.body.trim().to_string(),
    };
    match deliberate::comment(&state.store, new, time::now()).await {
        Ok(_) => Ok(see_other(format!("/proposals/{id}?done=commented#comments"))),
        Err(error) => {
            let refusal = refusal(&chrome, error)?;
            refused_form(&state, &chrome, id, "comment", refusal, (form, voice)).await
        }
    }
}

/// `/proposals/{id}/photos/{n}`: the photos of the work an adopted proposal became,
/// public as its page is.
pub async fn photo(State(state): State<AppState>, Path((id, n)): Path<(i64, i64)>) -> Response {
    let found = match state.store.proposal(id).await {
        Ok(view) => view.request().map(|r| r.id).ok_or(StoreError::NotFound),
        Err(error) => Err(error),
    };
    match found {
        Ok(request_id) => super::photos::serve(state.store.photo(request_id, n).await),
        Err(error) => super::photos::serve(Err(error)),
    }
}

#[derive(Template)]
#[template(path = "deliberation/meeting.html")]
struct MeetingPage<'a> {
    chrome: &'a Chrome,
    meeting: deliberation::Meeting,
    community: String,
    day: String,
    decided: Vec<Decided>,
    volunteers: Vec<(i64, String)>,
    photos: Vec<String>,
}

/// `/meetings/{id}`: a meeting's record as residents read it.
pub async fn meeting(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    let (meeting, agenda) = deliberate::meeting(&state.store, id).await.map_err(StoreError::from)?;
    let community = state.store.unit(meeting.new.unit_id).await?.name;
    let decided = agenda.iter().map(|e| Decided::of(&chrome, e)).collect();
    let day = time::display(meeting.new.held_at);
    let volunteers = state.store.meeting_volunteers(id).await?;
    let photos = super::meetings::photo_links(&state, id).await?;
    Ok(page(&chrome, &MeetingPage { chrome: &chrome, meeting, community, day, decided, volunteers, photos }))
}
