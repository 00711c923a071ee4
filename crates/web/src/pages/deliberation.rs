//! The staff's deliberation pages, for a phone at the meeting as much as for a desk: the
//! proposals and meetings of the communities in the viewer's scope, moderation of their
//! comments, and paper proposals copied in; the meetings themselves are `meetings`'.
//! Handlers, leaders and admins act on the communities of their subtree; supervisors
//! read the same pages without their forms.

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use gongzhi_app::deliberation as deliberate;
use gongzhi_domain::deliberation::{Comment, ProposalChannel, COMMUNITY_STAFF};
use gongzhi_domain::role::Staff;
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::unit::{Unit, UnitKind};
use gongzhi_domain::Role;
use gongzhi_store::deliberation::ProposalOrder;
use gongzhi_store::StoreError;
use serde::Deserialize;

use super::deliberation_view::{checked, day, refusal, see_other, unit_page, Decided, Line, ProposeForm};
use super::error::Refusal;
use super::upload::Posted;
use super::{page_as, Chrome, CsrfForm, PageError, PageResult};
use crate::AppState;

/// Proposals the agenda form offers.
pub(crate) const LISTED: u32 = 100;
/// Proposals a page of the staff list shows.
const PER_PAGE: u32 = 50;
/// The deepest page asked for: deeper is a script's, and an offset that long helps nobody.
const LAST_PAGE: u32 = 1000;
const MEETINGS_LISTED: u32 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work/deliberation", get(home))
        .route("/work/deliberation/paper", post(record_paper))
        .route("/work/deliberation/proposals/{id}", get(proposal))
        .route("/work/deliberation/proposals/{id}/confirm", post(confirm))
        .route("/work/deliberation/comments/{id}/hide", post(hide))
}

/// Who looks at deliberation — the community staff, and supervisors reading — with the
/// page's chrome. Anyone else is answered before the handler runs: sent to log in, or
/// told whose pages these are.
pub struct Desk {
    pub chrome: Chrome,
    pub staff: Staff,
}

impl FromRequestParts<AppState> for Desk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Desk, Response> {
        let chrome = Chrome::from_request_parts(parts, state).await?;
        let Some(user) = chrome.user.as_ref() else { return Err(chrome.to_login()) };
        if !(COMMUNITY_STAFF.contains(&user.role) || user.role == Role::Supervisor) {
            return Err(PageError::forbidden("deliberation.not_for_role").into_response());
        }
        let staff = user.staff();
        Ok(Desk { chrome, staff })
    }
}

/// Whether the viewer may change things, not only read them.
pub(crate) fn acts(staff: &Staff) -> bool {
    COMMUNITY_STAFF.contains(&staff.role)
}

/// A community of the viewer's subtree; outside it reads as absent.
pub(crate) async fn community_in_scope(state: &AppState, staff: &Staff, id: i64) -> Result<Unit, PageError> {
    let unit = unit_page(state, id).await?;
    if !staff.covers(&unit.path) {
        return Err(PageError::not_found());
    }
    Ok(unit)
}

/// The communities and villages of the viewer's subtree, by path.
async fn communities(state: &AppState, staff: &Staff) -> Result<Vec<Unit>, StoreError> {
    let inactive = state.store.inactive_units().await?;
    let mut units: Vec<Unit> = state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| matches!(u.kind, UnitKind::Community | UnitKind::Village))
        .filter(|u| staff.covers(&u.path) && !inactive.contains(&u.id))
        .collect();
    units.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(units)
}

pub(crate) fn store_error(error: gongzhi_app::AppError) -> PageError {
    PageError::from(StoreError::from(error))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HomeQuery {
    pub(crate) unit: String,
    done: String,
    page: String,
}

/// What the staff home was asked for: a community, a page of its proposals (from 1),
/// and what was just done.
struct Asked {
    unit_id: Option<i64>,
    page: u32,
    notice: Option<&'static str>,
}

impl Asked {
    fn community(unit_id: Option<i64>) -> Asked {
        Asked { unit_id, page: 1, notice: None }
    }
}

/// A proposal waiting for its number to be confirmed, with the number to call.
pub struct Waiting {
    line: Line,
    name: String,
    phone: String,
    content: String,
}

#[derive(Template)]
#[template(path = "deliberation/staff_home.html")]
struct Home<'a> {
    chrome: &'a Chrome,
    communities: Vec<Unit>,
    unit: Option<Unit>,
    acts: bool,
    proposals: Vec<Line>,
    /// The page of the list, from 1, and whether another follows.
    page: u32,
    more: bool,
    waiting: Vec<Waiting>,
    meetings: Vec<(i64, String, String, usize)>,
    paper: ProposeForm,
    error: Option<String>,
    notice: Option<&'static str>,
}

async fn show_home(
    state: &AppState,
    chrome: &Chrome,
    staff: &Staff,
    asked: Asked,
    paper: ProposeForm,
    refusal: Refusal,
) -> PageResult {
    let Asked { unit_id, page, notice } = asked;
    let communities = communities(state, staff).await?;
    let unit = match unit_id {
        Some(id) => Some(community_in_scope(state, staff, id).await?),
        None => communities.first().cloned(),
    };
    let (mut proposals, mut meetings, mut waiting) = (vec![], vec![], vec![]);
    if let Some(unit) = &unit {
        let store = &state.store;
        let (listed, held) = tokio::join!(
            store.proposals(unit.id, ProposalOrder::Latest, (page - 1) * PER_PAGE, PER_PAGE + 1),
            store.meetings(unit.id, MEETINGS_LISTED)
        );
        proposals = listed?.iter().map(|p| Line::of(chrome, p)).collect();
        meetings = held?.into_iter().map(|m| (m.id, day(m.new.held_at), m.new.topic, m.new.agenda.len())).collect();
        waiting = deliberate::waiting(store, staff, unit.id, time::now())
            .await
            .map_err(store_error)?
            .into_iter()
            .map(|p| Waiting {
                line: Line::of(chrome, &p),
                name: p.new.proposer_name,
                phone: p.new.proposer_phone,
                content: p.new.content,
            })
            .collect();
    }
    let more = proposals.len() > PER_PAGE as usize;
    proposals.truncate(PER_PAGE as usize);
    let (status, error) = super::error::said(refusal);
    let paper = ProposeForm { unit_id: unit.as_ref().map(|u| u.id.to_string()).unwrap_or_default(), ..paper };
    let acts = acts(staff);
    let template =
        Home { chrome, communities, unit, acts, proposals, page, more, waiting, meetings, paper, error, notice };
    Ok(page_as(chrome, &template, status))
}

/// `/work/deliberation?unit=…`: a community's proposals and meetings, and the forms to
/// copy a paper proposal and to record a meeting.
pub async fn home(
    State(state): State<AppState>,
    Desk { chrome, staff }: Desk,
    Query(query): Query<HomeQuery>,
) -> PageResult {
    let notice = match query.done.as_str() {
        "paper" => Some("deliberation.paper_recorded"),
        "confirmed" => Some("deliberation.proposal_confirmed"),
        _ => None,
    };
    let unit_id = query.unit.trim().parse().ok();
    let page = query.page.trim().parse::<u32>().unwrap_or(1).clamp(1, LAST_PAGE);
    show_home(&state, &chrome, &staff, Asked { unit_id, page, notice }, ProposeForm::default(), None).await
}

/// A waiting proposal confirmed with its proposer: listed from now on.
pub async fn confirm(
    State(state): State<AppState>,
    Desk { chrome, staff }: Desk,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Posted { form, problem, .. }: Posted<CsrfForm>,
) -> PageResult {
    let view = deliberate::proposal(&state.store, id).await.map_err(store_error)?;
    let unit_id = Some(view.proposal.new.unit_id);
    if let Some(refusal) = checked(&chrome, &headers, &form.csrf, problem) {
        return show_home(&state, &chrome, &staff, Asked::community(unit_id), ProposeForm::default(), Some(refusal))
            .await;
    }
    match deliberate::confirm_proposal(&state.store, &staff, id, time::now()).await {
        Ok(()) => Ok(see_other(format!("/work/deliberation?unit={}&done=confirmed", view.proposal.new.unit_id))),
        Err(error) => {
            let refusal = refusal(&chrome, error)?;
            show_home(&state, &chrome, &staff, Asked::community(unit_id), ProposeForm::default(), refusal).await
        }
    }
}

pub async fn record_paper(
    State(state): State<AppState>,
    Desk { chrome, staff }: Desk,
    headers: HeaderMap,
    Posted { form, problem, .. }: Posted<ProposeForm>,
) -> PageResult {
    let unit_id = form.unit();
    if let Some(refusal) = checked(&chrome, &headers, &form.csrf, problem) {
        return show_home(&state, &chrome, &staff, Asked::community(unit_id), form, Some(refusal)).await;
    }
    let Some(id) = unit_id else {
        let refusal = super::error::refused(&chrome, StatusCode::UNPROCESSABLE_ENTITY, "proposal.choose_community");
        return show_home(&state, &chrome, &staff, Asked::community(None), form, refusal).await;
    };
    let new = form.proposal(ProposalChannel::Paper, id);
    match deliberate::record_paper(&state.store, &staff, new, time::now()).await {
        Ok(_) => Ok(see_other(format!("/work/deliberation?unit={id}&done=paper"))),
        Err(error) => {
            let refusal = refusal(&chrome, error)?;
            show_home(&state, &chrome, &staff, Asked::community(Some(id)), form, refusal).await
        }
    }
}

#[derive(Template)]
#[template(path = "deliberation/staff_proposal.html")]
struct ProposalPage<'a> {
    chrome: &'a Chrome,
    line: Line,
    proposal: gongzhi_domain::deliberation::Proposal,
    community: String,
    comments: Vec<Comment>,
    decided: Vec<Decided>,
    acts: bool,
    error: Option<String>,
    reason: String,
}

impl ProposalPage<'_> {
    fn when(&self, at: &Millis) -> String {
        time::display(*at)
    }
}

async fn show_proposal(
    state: &AppState,
    chrome: &Chrome,
    staff: &Staff,
    id: i64,
    refusal: Refusal,
    reason: String,
) -> PageResult {
    let view = deliberate::proposal(&state.store, id).await.map_err(store_error)?;
    let community = community_in_scope(state, staff, view.proposal.new.unit_id).await?.name;
    // Moderators see hidden comments with who hid them and why; supervisors read what
    // residents read.
    let comments = if acts(staff) {
        deliberate::comments_to_moderate(&state.store, staff, id).await.map_err(store_error)?
    } else {
        view.comments.clone()
    };
    let decided = view.agenda.iter().map(|e| Decided::of(chrome, e)).collect();
    let (status, error) = super::error::said(refusal);
    let line = Line::of(chrome, &view.proposal);
    let template = ProposalPage {
        chrome,
        line,
        proposal: view.proposal,
        community,
        comments,
        decided,
        acts: acts(staff),
        error,
        reason,
    };
    Ok(page_as(chrome, &template, status))
}

/// `/work/deliberation/proposals/{id}`: a proposal with every comment, to moderate.
pub async fn proposal(State(state): State<AppState>, Desk { chrome, staff }: Desk, Path(id): Path<i64>) -> PageResult {
    show_proposal(&state, &chrome, &staff, id, None, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HideForm {
    proposal_id: String,
    reason: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub async fn hide(
    State(state): State<AppState>,
    Desk { chrome, staff }: Desk,
    headers: HeaderMap,
    Path(comment_id): Path<i64>,
    Posted { form, problem, .. }: Posted<HideForm>,
) -> PageResult {
    let proposal_id: i64 = form.proposal_id.trim().parse().map_err(|_| PageError::not_found())?;
    if let Some(refusal) = checked(&chrome, &headers, &form.csrf, problem) {
        return show_proposal(&state, &chrome, &staff, proposal_id, Some(refusal), form.reason).await;
    }
    match deliberate::hide_comment(&state.store, &staff, comment_id, form.reason.trim(), time::now()).await {
        Ok(()) => Ok(see_other(format!("/work/deliberation/proposals/{proposal_id}#comments"))),
        Err(error) => {
            let refusal = refusal(&chrome, error)?;
            show_proposal(&state, &chrome, &staff, proposal_id, refusal, form.reason).await
        }
    }
}
