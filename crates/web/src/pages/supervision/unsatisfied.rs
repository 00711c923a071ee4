//! Unsatisfied closures (不满意件): requests whose requester said 未解决 or 不满意, by unit
//! and period, for supervisors and leaders to look into; each row leads to its request.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use gongzhi_domain::role::Role;
use gongzhi_domain::time;
use gongzhi_store::{Account, Verdict, VerdictFilter};
use serde::Deserialize;

use super::{parse_date, refuse, user_of, when, Names, Pager};
use crate::export::{self, Cell, Sheet};
use crate::pages::error::{refusal, refused, said};
use crate::pages::{page, Chrome, PageError, PageResult};
use crate::AppState;

const ROLES: &[Role] = &[Role::Supervisor, Role::Leader];

/// Days the list covers when no period is asked for, today included.
const DEFAULT_DAYS: i64 = 30;

/// The filter as the browser sends it: every field a string, empty when unset.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UnsatisfiedQuery {
    unit: String,
    from: String,
    to: String,
    page: Option<i64>,
}

/// An unsatisfied closure as a row.
pub struct VerdictRow {
    pub request_id: i64,
    pub number: String,
    pub title: String,
    pub unit: String,
    pub cadre: String,
    pub solved: &'static str,
    pub satisfaction: &'static str,
    pub comment: String,
    pub evaluated: String,
    pub status: &'static str,
    pub reopened: i64,
}

#[derive(Template)]
#[template(path = "supervision/unsatisfied.html")]
struct UnsatisfiedPage<'a> {
    chrome: &'a Chrome,
    units: Vec<(i64, String)>,
    unit: String,
    from: String,
    to: String,
    header: Vec<&'static str>,
    rows: Vec<VerdictRow>,
    pager: Pager,
    export: String,
    error: Option<String>,
}

/// The filter a query asks for, with the query string that repeats it; or why not.
async fn filter_of(
    state: &AppState,
    user: &Account,
    query: &UnsatisfiedQuery,
) -> Result<(VerdictFilter, String), &'static str> {
    let today = time::local_date(time::now());
    let date = |text: &str, default: NaiveDate| match text.trim() {
        "" => Ok(default),
        text => parse_date(text).ok_or("supervision.bad_date"),
    };
    let (from, to) = (date(&query.from, today - Duration::days(DEFAULT_DAYS - 1))?, date(&query.to, today)?);
    let unit_path = match query.unit.trim() {
        "" => None,
        id => {
            let unit = match id.parse() {
                Ok(id) => state.store.unit(id).await.ok(),
                Err(_) => None,
            };
            Some(unit.filter(|u| user.staff().covers(&u.path)).ok_or("search.bad_field")?.path)
        }
    };
    let repeated = format!("unit={}&from={from}&to={to}", query.unit.trim());
    Ok((VerdictFilter { unit_path, from, to }, repeated))
}

fn rows(chrome: &Chrome, names: &Names, verdicts: Vec<Verdict>) -> Vec<VerdictRow> {
    let t = &chrome.t;
    verdicts
        .into_iter()
        .map(|Verdict { request: r, comment }| VerdictRow {
            request_id: r.id,
            number: r.number,
            title: r.new.title,
            unit: names.unit(r.assignee_unit_id.unwrap_or(r.new.unit_id)),
            cadre: r.handler_id.map(|h| names.person(h)).unwrap_or_default(),
            solved: match r.solved {
                Some(true) => t.get("track.yes"),
                Some(false) => t.get("track.no"),
                None => "",
            },
            satisfaction: r.satisfaction.map(|s| t.lookup(&format!("satisfaction.{}", s.as_str()))).unwrap_or(""),
            comment,
            evaluated: r.evaluated_at.map(when).unwrap_or_default(),
            status: t.status(r.status),
            reopened: r.reopen_count,
        })
        .collect()
}

pub async fn list(State(state): State<AppState>, chrome: Chrome, Query(query): Query<UnsatisfiedQuery>) -> PageResult {
    let Some(user) = user_of(&chrome, ROLES) else { return Ok(refuse(&chrome)) };
    let staff = user.staff();
    let units = crate::pages::figures::units_in_scope(&state, &staff).await?;
    let today = time::local_date(time::now());
    let mut template = UnsatisfiedPage {
        chrome: &chrome,
        units,
        unit: query.unit.trim().to_string(),
        from: if query.from.is_empty() {
            (today - Duration::days(DEFAULT_DAYS - 1)).to_string()
        } else {
            query.from.clone()
        },
        to: if query.to.is_empty() { today.to_string() } else { query.to.clone() },
        header: HEADER.iter().map(|k| chrome.t.get(k)).collect(),
        rows: vec![],
        pager: Pager::new("/work/supervision/unsatisfied", None, 0),
        export: "/work/supervision/unsatisfied.xlsx".into(),
        error: None,
    };
    let listed = match filter_of(&state, &user, &query).await {
        Ok((filter, repeated)) => {
            template.export = format!("/work/supervision/unsatisfied.xlsx?{repeated}");
            match state.store.unsatisfied(&staff, &filter, 0, 1).await {
                Ok(first) => {
                    let pager =
                        Pager::new(format!("/work/supervision/unsatisfied?{repeated}"), query.page, first.total);
                    let listing = state.store.unsatisfied(&staff, &filter, pager.offset(), super::PER_PAGE).await?;
                    template.pager = pager;
                    Ok(listing)
                }
                Err(error) => Err(refusal(&chrome, error)?),
            }
        }
        Err(key) => Err(refused(&chrome, StatusCode::BAD_REQUEST, key)),
    };
    let status = match listed {
        Ok(listing) => {
            template.rows = rows(&chrome, &Names::load(&state).await?, listing.items);
            StatusCode::OK
        }
        Err(refusal) => {
            let (status, error) = said(refusal);
            template.error = error;
            status
        }
    };
    let mut response = page(&chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

pub async fn export(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(query): Query<UnsatisfiedQuery>,
) -> PageResult {
    let Some(user) = user_of(&chrome, ROLES) else { return Ok(refuse(&chrome)) };
    let t = &chrome.t;
    let (filter, _) = filter_of(&state, &user, &query)
        .await
        .map_err(|key| PageError::new(StatusCode::BAD_REQUEST, "error.title", key))?;
    let listing = state.store.unsatisfied(&user.staff(), &filter, 0, super::EXPORT_ROWS).await?;
    let rows = rows(&chrome, &Names::load(&state).await?, listing.items)
        .into_iter()
        .map(|r| {
            vec![
                Cell::Text(r.number),
                Cell::Text(r.title),
                Cell::Text(r.unit),
                Cell::Text(r.cadre),
                Cell::Text(r.solved.into()),
                Cell::Text(r.satisfaction.into()),
                Cell::Text(r.comment),
                Cell::Text(r.evaluated),
                Cell::Text(r.status.into()),
                Cell::Int(r.reopened),
            ]
        })
        .collect();
    let header = HEADER.iter().map(|k| t.get(k).to_string()).collect();
    let sheet = Sheet { name: t.get("supervision.unsatisfied").into(), header, rows };
    Ok(export::download("unsatisfied.xlsx", vec![sheet]).await)
}

/// The columns of the list and its export, by catalogue key.
const HEADER: [&str; 10] = [
    "request.number",
    "request.title",
    "request.assignee",
    "supervision.cadre",
    "supervision.solved",
    "track.satisfaction",
    "supervision.comment",
    "supervision.evaluated",
    "request.status",
    "supervision.reopened",
];
