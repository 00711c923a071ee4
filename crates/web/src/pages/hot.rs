//! Hot issues for leaders and supervisors: the problems many residents raised in their
//! scope over a chosen period, clusters that grow ranked first, each with the words its
//! requests share and links to every one of them.
//!
//! The work is bounded whatever the size of the database: the newest requests of the
//! period in scope are read from the creation-time index, at most `MAX_REQUESTS`, and the
//! page says so when the period held more.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate};
use gongzhi_domain::role::Staff;
use gongzhi_domain::time::{self, Millis, DAY};
use gongzhi_domain::Role;
use gongzhi_text::hot::{hot_issues, HotConfig, HotDoc, HotIssue};
use serde::Deserialize;

use super::{page, Chrome, PageError};
use crate::export::{self, Cell, Sheet};
use crate::suggest::message;
use crate::AppState;

/// Requests of a period looked at, newest first. Clustering takes about 3 s of processor
/// time for 5,000 real messages and 7 s for 10,000 (it grows faster than the count), so a
/// page keeps to the newest 5,000 and says when the period held more.
pub const MAX_REQUESTS: u32 = 5_000;
/// Clusters a page shows.
const PAGE: usize = 50;
/// Member links shown per cluster; the export lists them all.
const SHOWN_MEMBERS: usize = 12;
/// Longest period one may ask for.
const MAX_DAYS: i64 = 366;
/// "Recent" for growth: the last days of the period.
const RECENT_DAYS: i64 = 7;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct HotQuery {
    from: String,
    to: String,
    page: String,
}

/// Who may look: those who watch a subtree's work.
fn may_see(role: Role) -> bool {
    matches!(role, Role::Leader | Role::Supervisor | Role::Admin)
}

/// The period asked for, the last 30 days by default, or the message key of what is wrong.
fn period(query: &HotQuery, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), &'static str> {
    let date = |text: &str, default: NaiveDate| {
        if text.is_empty() {
            Ok(default)
        } else {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "hot.bad_period")
        }
    };
    let to = date(&query.to, today)?;
    let from = date(&query.from, to - Duration::days(29))?;
    if to < from || (to - from).num_days() >= MAX_DAYS {
        return Err("hot.bad_period");
    }
    Ok((from, to))
}

/// A period's hot issues in one scope, with the numbers of their requests.
pub struct Found {
    issues: Vec<HotIssue>,
    numbers: HashMap<i64, String>,
    /// The period held more requests than were looked at.
    capped: bool,
    computed_at: Millis,
}

/// Hot issues computed lately, by scope and period. Clustering a period costs seconds of
/// processor time; paging through it or exporting it should not cost that again, nor
/// should several leaders asking at once take every core. A cache only: what it holds is
/// computed again from the database when it has gone.
pub struct HotCache {
    found: Mutex<HashMap<(String, NaiveDate, NaiveDate), Arc<Found>>>,
    /// One clustering at a time; the others wait their turn.
    turn: tokio::sync::Semaphore,
}

impl Default for HotCache {
    fn default() -> Self {
        HotCache { found: Mutex::new(HashMap::new()), turn: tokio::sync::Semaphore::new(1) }
    }
}

/// How long computed hot issues are shown before they are computed again.
const FRESH_FOR: Millis = 10 * 60_000;
/// Periods and scopes kept at most.
const KEPT: usize = 64;

impl HotCache {
    fn get(&self, key: &(String, NaiveDate, NaiveDate), now: Millis) -> Option<Arc<Found>> {
        let found = self.found.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        found.get(key).filter(|f| now - f.computed_at < FRESH_FOR).cloned()
    }

    fn put(&self, key: (String, NaiveDate, NaiveDate), value: Arc<Found>) {
        let mut found = self.found.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = value.computed_at;
        found.retain(|_, f| now - f.computed_at < FRESH_FOR);
        if found.len() >= KEPT {
            found.clear();
        }
        found.insert(key, value);
    }
}

/// The period's hot issues in the staff member's scope, from the cache when fresh.
async fn find(state: &AppState, staff: &Staff, from: NaiveDate, to: NaiveDate) -> Result<Arc<Found>, &'static str> {
    let key = (staff.unit_path.clone(), from, to);
    if let Some(found) = state.hot.get(&key, time::now()) {
        return Ok(found);
    }
    let _turn = state.hot.turn.acquire().await.map_err(|_| "error.unavailable")?;
    // Someone else may have computed it while this one waited.
    if let Some(found) = state.hot.get(&key, time::now()) {
        return Ok(found);
    }
    let (texts, capped) =
        state.store.texts_in_period(staff, from, to, MAX_REQUESTS).await.map_err(|_| "error.unavailable")?;
    let numbers: HashMap<i64, String> = texts.iter().map(|t| (t.id, t.number.clone())).collect();
    // A request adopted from a residents' proposal weighs with the proposal's supports.
    let ids: Vec<i64> = texts.iter().map(|t| t.id).collect();
    let supports = state.store.supports_of(&ids).await.map_err(|_| "error.unavailable")?;
    let now = time::now();
    // Growth is counted up to the end of the period, or now if it has not ended.
    let end = time::start_of(to.succ_opt().unwrap_or(to)).min(now) / 1000;
    let stock = state.suggester.stock_phrases();
    let issues = tokio::task::spawn_blocking(move || {
        let docs: Vec<HotDoc> = texts
            .into_iter()
            .map(|t| HotDoc {
                doc: gongzhi_text::dupes::Doc::new(t.id, message(&t.title, &t.content), t.created_at / 1000),
                title: Some(t.title),
                supports: supports.get(&t.id).copied().unwrap_or(0),
                requester: t.requester,
            })
            .collect();
        let config = HotConfig { window_secs: RECENT_DAYS * DAY / 1000, ..HotConfig::default() };
        hot_issues(&docs, end, &config, &stock)
    })
    .await
    .map_err(|_| "error.unavailable")?;
    let found = Arc::new(Found { issues, numbers, capped, computed_at: now });
    state.hot.put(key, found.clone());
    Ok(found)
}

/// One cluster as the page shows it.
pub struct Issue {
    rank: usize,
    label: String,
    title: String,
    score: String,
    size: usize,
    requesters: usize,
    recent: usize,
    growth: String,
    first: String,
    last: String,
    members: Vec<(i64, String)>,
    more: usize,
}

fn issue(rank: usize, h: &HotIssue, numbers: &HashMap<i64, String>) -> Issue {
    Issue {
        rank,
        label: h.label.clone(),
        title: h.title.clone(),
        score: format!("{:.2}", h.score),
        size: h.size,
        requesters: h.requesters,
        recent: h.recent,
        growth: format!("{:.0}%", 100.0 * h.recent as f64 / h.size.max(1) as f64),
        first: time::display(h.first_time * 1000),
        last: time::display(h.last_time * 1000),
        members: h
            .members
            .iter()
            .rev()
            .take(SHOWN_MEMBERS)
            .map(|id| (*id, numbers.get(id).cloned().unwrap_or_else(|| id.to_string())))
            .collect(),
        more: h.members.len().saturating_sub(SHOWN_MEMBERS),
    }
}

#[derive(Template)]
#[template(path = "work/hot.html")]
struct HotPage<'a> {
    chrome: &'a Chrome,
    from: String,
    to: String,
    issues: Vec<Issue>,
    total: usize,
    capped: bool,
    computed_at: String,
    max_requests: u32,
    page: usize,
    prev: Option<String>,
    next: Option<String>,
    export: String,
    error: Option<&'static str>,
}

/// The error page for a refusal, or for a failure of the store.
fn refused(_chrome: &Chrome, key: &'static str, status: StatusCode) -> Response {
    let error = match status {
        StatusCode::SERVICE_UNAVAILABLE => PageError::unavailable(),
        StatusCode::FORBIDDEN => PageError::forbidden(key),
        _ => PageError::new(status, "error.title", key),
    };
    error.into_response()
}

pub async fn hot(State(state): State<AppState>, chrome: Chrome, Query(query): Query<HotQuery>) -> Response {
    let Some(user) = chrome.user.clone() else { return chrome.to_login() };
    if !may_see(user.role) {
        return refused(&chrome, "hot.forbidden", StatusCode::FORBIDDEN);
    }
    let today = time::local_date(time::now());
    let page_no = query.page.parse::<usize>().unwrap_or(1).max(1);
    let (mut issues, mut total, mut capped, mut error) = (Vec::new(), 0, false, None);
    let mut computed_at = String::new();
    let (from, to) = match period(&query, today) {
        Ok((from, to)) => {
            match find(&state, &user.staff(), from, to).await {
                Ok(found) => {
                    total = found.issues.len();
                    capped = found.capped;
                    computed_at = time::display(found.computed_at);
                    issues = found
                        .issues
                        .iter()
                        .enumerate()
                        .skip((page_no - 1) * PAGE)
                        .take(PAGE)
                        .map(|(i, h)| issue(i + 1, h, &found.numbers))
                        .collect();
                }
                // No list stands in for issues that could not be found.
                Err(key) => return refused(&chrome, key, StatusCode::SERVICE_UNAVAILABLE),
            }
            (from.to_string(), to.to_string())
        }
        Err(key) => {
            error = Some(key);
            (query.from.clone(), query.to.clone())
        }
    };
    let link = |n: usize| format!("/work/hot?from={from}&to={to}&page={n}");
    let template = HotPage {
        chrome: &chrome,
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no * PAGE < total).then(|| link(page_no + 1)),
        export: format!("/work/hot.xlsx?from={from}&to={to}"),
        from,
        to,
        issues,
        total,
        capped,
        computed_at,
        max_requests: MAX_REQUESTS,
        page: page_no,
        error,
    };
    let mut response = page(&chrome, &template);
    if error.is_some() {
        *response.status_mut() = StatusCode::BAD_REQUEST;
    }
    response
}

/// The period's hot issues as a spreadsheet, every request of every cluster listed.
pub async fn export(State(state): State<AppState>, chrome: Chrome, Query(query): Query<HotQuery>) -> Response {
    let Some(user) = chrome.user.clone() else { return chrome.to_login() };
    if !may_see(user.role) {
        return refused(&chrome, "hot.forbidden", StatusCode::FORBIDDEN);
    }
    let today = time::local_date(time::now());
    let (from, to) = match period(&query, today) {
        Ok(period) => period,
        Err(key) => return refused(&chrome, key, StatusCode::BAD_REQUEST),
    };
    let found = match find(&state, &user.staff(), from, to).await {
        Ok(found) => found,
        Err(key) => return refused(&chrome, key, StatusCode::SERVICE_UNAVAILABLE),
    };
    let t = &chrome.t;
    let header = ["hot.rank", "hot.label", "hot.title_column", "hot.score", "hot.size", "hot.requesters", "hot.recent"]
        .iter()
        .chain(&["hot.first", "hot.last", "hot.members"])
        .map(|key| t.get(key).to_string())
        .collect();
    let numbers = &found.numbers;
    let mut rows: Vec<Vec<Cell>> = found
        .issues
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let members: Vec<&str> =
                h.members.iter().map(|id| numbers.get(id).map(String::as_str).unwrap_or_default()).collect();
            vec![
                Cell::Int(i as i64 + 1),
                Cell::Text(h.label.clone()),
                Cell::Text(h.title.clone()),
                Cell::Number((h.score * 100.0).round() / 100.0),
                Cell::Int(h.size as i64),
                Cell::Int(h.requesters as i64),
                Cell::Int(h.recent as i64),
                Cell::Text(time::display(h.first_time * 1000)),
                Cell::Text(time::display(h.last_time * 1000)),
                Cell::Text(members.join(" ")),
            ]
        })
        .collect();
    if found.capped {
        rows.push(vec![Cell::Text(t.get("hot.capped").replace("{max}", &MAX_REQUESTS.to_string()))]);
    }
    let sheet = Sheet { name: t.get("hot.title").to_string(), header, rows };
    export::download(&format!("hot-{from}-{to}.xlsx"), vec![sheet]).await
}
