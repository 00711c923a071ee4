//! Reminder talks (谈话提醒): who was talked to, when, why, about which requests. For
//! supervisors only.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Form;
use gongzhi_domain::role::Role;
use gongzhi_domain::time;
use gongzhi_store::{Account, StoreError, Talk};
use serde::Deserialize;

use super::{parse_date, refuse, requests, see_other, user_of, when, Names, Pager};
use crate::export::{self, Cell, Sheet};
use crate::pages::error::{refusal, refused, said, Refusal};
use crate::pages::{page, same_site_form, Chrome, PageResult};
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

async fn talk_rows(state: &AppState, user: &Account, talks: &[Talk]) -> Result<Vec<TalkRow>, StoreError> {
    let names = Names::load(state).await?;
    let found = requests(state, user, talks.iter().flat_map(|t| t.request_ids.iter().copied())).await?;
    Ok(talks
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
        .collect())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct TalksQuery {
    cadre: Option<i64>,
    page: Option<i64>,
    /// The cadre a talk was just recorded with.
    saved: Option<i64>,
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
    /// The cadres to choose from, grouped by unit: the unit's name and its people.
    cadres: Vec<(String, Vec<(i64, String)>)>,
    form: TalkForm,
    export: String,
    /// "只显示与张三（东风社区）的谈话": the filter on, cleared by a link.
    filter: Option<String>,
    /// The talk just recorded, with whom.
    saved: Option<String>,
    error: Option<String>,
}

async fn show(
    state: &AppState,
    chrome: &Chrome,
    user: &Account,
    query: TalksQuery,
    form: TalkForm,
    refusal: Refusal,
) -> PageResult {
    let staff = user.staff();
    let total = state.store.talks(&staff, query.cadre, 0, 1).await?.total;
    let base = match query.cadre {
        Some(cadre) => format!("/work/supervision/talks?cadre={cadre}"),
        None => "/work/supervision/talks".to_string(),
    };
    let pager = Pager::new(base, query.page, total);
    let listing = state.store.talks(&staff, query.cadre, pager.offset(), super::PER_PAGE).await?;
    let accounts = state.store.accounts().await?;
    let (status, error) = said(refusal);
    let names = Names::load(state).await?;
    // Cadres are the people who handle and lead in the supervisor's subtree, by unit, so
    // that two people of one name are told apart by where they work.
    let mut people: Vec<&Account> = accounts
        .iter()
        .filter(|a| matches!(a.role, Role::Handler | Role::Leader) && a.active && staff.covers(&a.unit_path))
        .collect();
    people.sort_by(|a, b| (&a.unit_path, &a.name).cmp(&(&b.unit_path, &b.name)));
    let mut cadres: Vec<(String, Vec<(i64, String)>)> = Vec::new();
    for person in people {
        let unit = names.unit(person.unit_id);
        let label = format!("{}（{}）", person.name, unit);
        match cadres.last_mut() {
            Some((name, list)) if *name == unit => list.push((person.id, label)),
            _ => cadres.push((unit, vec![(person.id, label)])),
        }
    }
    let who = |id: i64| {
        accounts
            .iter()
            .find(|a| a.id == id)
            .map(|a| format!("{}（{}）", a.name, names.unit(a.unit_id)))
            .unwrap_or_else(|| id.to_string())
    };
    let filter = query.cadre.map(|c| chrome.t.get("supervision.talks_filtered").replace("{cadre}", &who(c)));
    let saved = query.saved.map(|c| chrome.t.get("supervision.talk_saved").replace("{cadre}", &who(c)));
    let template = TalksPage {
        chrome,
        rows: talk_rows(state, user, &listing.items).await?,
        pager,
        cadres,
        form,
        export: match query.cadre {
            Some(cadre) => format!("/work/supervision/talks.xlsx?cadre={cadre}"),
            None => "/work/supervision/talks.xlsx".into(),
        },
        filter,
        saved,
        error,
    };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

pub async fn list(State(state): State<AppState>, chrome: Chrome, Query(query): Query<TalksQuery>) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    // Nobody is chosen for the next talk, whoever the list shows.
    let form = TalkForm { held: time::local_date(time::now()).to_string(), ..TalkForm::default() };
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
) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    let again = |refusal: Refusal| show(&state, &chrome, &user, TalksQuery::default(), form.clone(), refusal);
    if !same_site_form(&headers, &form.csrf) {
        return again(refused(&chrome, StatusCode::FORBIDDEN, "form.csrf")).await;
    }
    let (Ok(cadre), Some(held), Some(ids)) =
        (form.cadre.trim().parse::<i64>(), parse_date(&form.held), request_ids(&form.requests))
    else {
        return again(refused(&chrome, StatusCode::UNPROCESSABLE_ENTITY, "supervision.bad_talk")).await;
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
        Ok(_) => Ok(see_other(format!("/work/supervision/talks?saved={cadre}"))),
        Err(error) => again(refusal(&chrome, error)?).await,
    }
}

pub async fn export(State(state): State<AppState>, chrome: Chrome, Query(query): Query<TalksQuery>) -> PageResult {
    let Some(user) = user_of(&chrome, &[Role::Supervisor]) else { return Ok(refuse(&chrome)) };
    let listing = state.store.talks(&user.staff(), query.cadre, 0, super::EXPORT_ROWS).await?;
    let t = &chrome.t;
    let rows = talk_rows(&state, &user, &listing.items)
        .await?
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
    Ok(export::download("talks.xlsx", vec![Sheet { name: t.get("supervision.talks").into(), header, rows }]).await)
}
