//! What the portal's and the staff's deliberation pages both show and check: a proposal
//! in a list, a meeting's decision in residents' words, the proposal form as typed, and
//! the answers to a form's problems.

use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gongzhi_domain::deliberation::{self, Decision, NewProposal, ProposalChannel, ProposalKind};
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::unit::Unit;
use gongzhi_store::deliberation::AgendaEntry;
use gongzhi_store::StoreError;
use serde::Deserialize;

use super::error::Refusal;
use super::{same_site_form, Chrome, PageError};
use crate::AppState;

pub(crate) fn see_other(location: String) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

/// The unit a page is about; an id that names none is a page that does not exist.
pub(crate) async fn unit_page(state: &AppState, id: i64) -> Result<Unit, PageError> {
    match state.store.unit(id).await {
        Ok(unit) => Ok(unit),
        Err(StoreError::UnknownUnit(_) | StoreError::NotFound) => Err(PageError::not_found()),
        Err(error) => Err(error.into()),
    }
}

/// A local date as pages show it.
pub(crate) fn day(at: Millis) -> String {
    time::local_date(at).format("%Y-%m-%d").to_string()
}

/// A form that came with a problem or from another site: the page again with the
/// problem said beside the form, and nothing done.
pub(crate) fn checked(
    chrome: &Chrome,
    headers: &HeaderMap,
    csrf: &str,
    problem: Option<super::upload::FormProblem>,
) -> Refusal {
    if let Some(problem) = problem {
        return super::error::refused(chrome, problem.status(), problem.key());
    }
    if !same_site_form(headers, csrf) {
        return super::error::refused(chrome, StatusCode::FORBIDDEN, "form.csrf");
    }
    None
}

/// A store error the visitor's input caused, to say beside the form; a failure of the
/// store is an error page of its own.
pub(crate) fn refusal(chrome: &Chrome, error: gongzhi_app::AppError) -> Result<Refusal, PageError> {
    super::error::refusal(chrome, StoreError::from(error))
}

/// A proposal in a list.
pub struct Line {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub status: &'static str,
    /// `open`, `adopted`, … for the badge's colour.
    pub status_code: &'static str,
    pub supports: i64,
    pub day: String,
}

impl Line {
    pub fn of(chrome: &Chrome, p: &deliberation::Proposal) -> Line {
        Line {
            id: p.id,
            title: p.new.title.clone(),
            kind: chrome.t.proposal_kind(p.new.kind),
            status: chrome.t.proposal_status(p.status),
            status_code: p.status.as_str(),
            supports: p.supports,
            day: day(p.created_at),
        }
    }
}

/// What a meeting decided on one proposal, in residents' words.
pub struct Decided {
    pub meeting_id: i64,
    pub meeting_day: String,
    pub topic: String,
    pub proposal_id: i64,
    pub title: String,
    /// `adopt`, `decline`, `defer` or `pending`.
    pub code: &'static str,
    pub words: &'static str,
    pub reason: Option<String>,
    /// For an adoption: the state of the request it became and how far its work is.
    pub work_state: Option<&'static str>,
    pub percent: Option<u8>,
}

impl Decided {
    pub fn of(chrome: &Chrome, entry: &AgendaEntry) -> Decided {
        let code = match &entry.decision {
            Some(decision) => decision.action().as_str(),
            None => "pending",
        };
        let reason = match &entry.decision {
            Some(Decision::Decline { reason }) => Some(reason.clone()),
            _ => None,
        };
        let status = entry.request.as_ref().map(|r| r.status);
        Decided {
            meeting_id: entry.meeting_id,
            meeting_day: day(entry.held_at),
            topic: entry.topic.clone(),
            proposal_id: entry.proposal_id,
            title: entry.proposal_title.clone(),
            code,
            words: chrome.t.lookup(&format!("decision.{code}")),
            reason,
            work_state: status.map(|s| track_state(chrome, s)),
            percent: status.and_then(deliberation::percent_done),
        }
    }
}

/// A request's state in the requester's words, as the tracking page says it.
pub(crate) fn track_state(chrome: &Chrome, status: gongzhi_domain::Status) -> &'static str {
    chrome.t.lookup(&format!("track.state.{}", status.as_str()))
}
/// A proposal as typed, on the portal or by staff copying one from paper, kept whole so
/// that a refused one loses nothing.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProposeForm {
    pub(crate) kind: String,
    pub(crate) unit_id: String,
    pub(crate) title: String,
    pub(crate) content: String,
    pub(crate) name: String,
    pub(crate) phone: String,
    #[serde(rename = "_csrf")]
    pub(crate) csrf: String,
}

impl ProposeForm {
    /// The community chosen, when one is.
    pub(crate) fn unit(&self) -> Option<i64> {
        self.unit_id.trim().parse().ok()
    }

    pub(crate) fn kind_chosen(&self) -> ProposalKind {
        ProposalKind::parse(&self.kind).unwrap_or(ProposalKind::Suggestion)
    }

    pub(crate) fn proposal(&self, channel: ProposalChannel, unit_id: i64) -> NewProposal {
        NewProposal {
            kind: self.kind_chosen(),
            channel,
            unit_id,
            title: self.title.trim().to_string(),
            content: self.content.trim().to_string(),
            proposer_name: self.name.trim().to_string(),
            proposer_phone: self.phone.trim().to_string(),
        }
    }
}
