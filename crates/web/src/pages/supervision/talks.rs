//! Reminder talks (谈话提醒): who was talked to, when, why, about which requests. For
//! supervisors only.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use gongzhi_domain::role::Role;
use gongzhi_domain::time;
use gongzhi_store::{Account, Talk};
use serde::Deserialize;

use super::{parse_date, refusal, refuse, requests, see_other, unavailable, user_of, when, Names, Pager};
use crate::export::{self, Cell, Sheet};
use crate::pages::{page, same_site_form, Chrome};
use crate::AppState;

/// A talk as a row.
pub struct TalkRow {
    pub id: i64,
    pub cadre: String,
    pub unit: String,
    pub held: String,
    pub reason: String,
    pub requests: Vec<(i64, String)>,
    pub by: String,
}

async fn talk_rows(state: &AppState, user: &Account, talks: &[Talk]) -> Vec<TalkRow> {
    let names = Names::load(state).await;
    let found = requests(state, user, talks.iter().flat_map(|t| t.request_ids.iter().copied())).await;
    talks
        .iter()
        .map(|t| TalkRow {
            id: t.id,
            cadre: names.person(t.cadre_id),
            unit: names.unit(t.unit_id),
            held: when(t.held_at),
            reason: t.reason.clone(),
            requests: t.request_ids.iter().filter_map(|id| found.get(id).map(|r| (r.id, r.number.clone()))).collect(),
            by: names.person(t.recorded_by),
        })
        .collect()
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct TalksQuery {
    cadre: Option<i64>,
    page: Option<i64>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct TalkForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    cadre: String,
    held: String,
    reason: String,
    requests: String,
}

#[derive(Template)]
#[template(path = "supervision/talks.html")]
struct TalksPage<'a> {
    chrome: &'a Chrome,
    rows: Vec<TalkRow>,
    pager: Pager,
    cadres: Vec<(i64, String)>,
    form: TalkForm,
    export: String,
    error: Option<String>,
}

async fn show(
    state: &AppState,
    chrome: &Chrome,
    user: &Account,
    query: TalksQuery,
    form: TalkForm,
    error: Option<String>,
) -> Response {
    let staff = user.staff();
    let Ok(total) = state.store.talks(&staff, query.cadre, 0, 1).await.map(|l| l.total) else {
        return unavailable(chrome);
    };
    let base = match query.cadre {
        Some(cadre) => format!("/work/supervision/talks?cadre={cadre}"),
        None => "/work/supervision/talks".to_string(),
    };
    let pager = Pager::new(base, query.page, total);
    let (Ok(listing), Ok(accounts)) =
        (state.store.talks(&staff, query.cadre, pager.offset(), super::PER_PAGE).await, state.store.accounts().await)
    else {
        return unavailable(chrome);
    };
    // Cadres are the people who handle and lead in the supervisor's subtree.
    let cadres = accounts
        .into_iter()
        .filter(|a| matches!(a.role, Role::Handler | Role::Leader) && staff.covers(&a.unit_path))
        .map(|a| (a.id, a.name))
        .collect();
    let template = TalksPage {
        chrome,
        rows: talk_rows(state, user, &listing.items).await,
        pager,
        cadres,
        form,
        export: match query.cadre {
            Some(cadre) => format!("/work/supervision/talks.xlsx?cadre={cadre}"),
            None => "/work/supervision/talks.xlsx".into(),
        },
        error,
    };
    let status = if template.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    response
}

pub async fn list(State(state): State<AppState>, chrome: Chrome, Query(query): Query<TalksQuery>) -> Response {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return refuse(&chrome) };
    let form = TalkForm {
        held: time::local_date(time::now()).to_string(),
        cadre: query.cadre.map(|c| c.to_string()).unwrap_or_default(),
        ..TalkForm::default()
    };
    show(&state, &chrome, &user, query, form, None).await
}

/// Request numbers or ids, separated by commas, spaces or new lines.
fn request_ids(text: &str) -> Option<Vec<i64>> {
    text.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let digits = if part.len() > 8 { &part[8..] } else { part };
            digits.parse().ok()
        })
        .collect()
}

pub async fn record(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Form(form): Form<TalkForm>,
) -> Response {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return refuse(&chrome) };
    let again = |error: String| show(&state, &chrome, &user, TalksQuery::default(), form.clone(), Some(error));
    if !same_site_form(&headers, &form.csrf) {
        return again(chrome.t.get("form.csrf").into()).await;
    }
    let (Ok(cadre), Some(held), Some(ids)) =
        (form.cadre.trim().parse::<i64>(), parse_date(&form.held), request_ids(&form.requests))
    else {
        return again(chrome.t.get("supervision.bad_talk").into()).await;
    };
    // Noon of the day it was held: the talk is dated, not timed.
    let held_at = time::start_of(held) + 12 * time::HOUR;
    match gongzhi_app::supervision::record_talk(
        &state.store,
        &user.staff(),
        cadre,
        held_at,
        &form.reason,
        ids,
        time::now(),
    )
    .await
    .map_err(gongzhi_store::StoreError::from)
    {
        Ok(_) => see_other(format!("/work/supervision/talks?cadre={cadre}")),
        Err(error) => {
            let message = refusal(&chrome, error);
            again(message).await
        }
    }
}

pub async fn export(State(state): State<AppState>, chrome: Chrome, Query(query): Query<TalksQuery>) -> Response {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return refuse(&chrome) };
    let Ok(listing) = state.store.talks(&user.staff(), query.cadre, 0, super::EXPORT_ROWS).await else {
        return unavailable(&chrome);
    };
    let t = &chrome.t;
    let rows = talk_rows(&state, &user, &listing.items)
        .await
        .into_iter()
        .map(|r| {
            let numbers: Vec<String> = r.requests.into_iter().map(|(_, n)| n).collect();
            vec![
                Cell::Text(r.cadre),
                Cell::Text(r.unit),
                Cell::Text(r.held),
                Cell::Text(r.reason),
                Cell::Text(numbers.join("、")),
                Cell::Text(r.by),
            ]
        })
        .collect();
    let header = ["supervision.cadre", "request.assignee", "supervision.held", "supervision.reason"]
        .iter()
        .chain(&["supervision.requests", "supervision.recorded_by"])
        .map(|k| t.get(k).to_string())
        .collect();
    export::download("talks.xlsx", vec![Sheet { name: t.get("supervision.talks").into(), header, rows }]).await
}
