//! The three lists (三张清单) of a cadre or a unit for a period: the problem list, the task
//! list and the outcome list, with the summary line, a page at a time; the same as an
//! XLSX file of three sheets; and a printable view of all three.
//!
//! The columns of each list are written once (`tables`): the page, the print view and
//! the spreadsheet all take them from there.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use gongzhi_domain::lists::{Entry, Summary};
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::Role;
use gongzhi_store::{Account, Claims, Owner, StoreError, MAX_ENTRIES};
use serde::Deserialize;

use super::figures::{scope_of, units_in_scope, ScopeQuery, PAGE};
use super::{page, Chrome, PageError, PageResult};
use crate::export::{self, Cell, MadeSheet};
use crate::i18n::Messages;
use crate::AppState;

pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/work/lists", get(lists))
        .route("/work/lists.xlsx", get(export))
        .route("/work/lists/print", get(print))
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ListsQuery {
    #[serde(flatten)]
    scope: ScopeQuery,
    /// A cadre's user id: their lists instead of the unit's.
    cadre: String,
    /// `1`: only the entries resolved or closed (the 办结 of the summary line).
    closed: String,
    /// Which list a page shows: `problem`, `task` or `outcome`.
    list: String,
    page: String,
}

/// Whose lists for which period, as asked and checked.
struct Asked {
    claims: Claims,
    /// The unit or the cadre, by name.
    owner: String,
    unit_id: i64,
    cadre_id: Option<i64>,
    /// The query string without list and page, for links.
    query: String,
}

/// This month so far: lists are reviewed month by month.
fn this_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (today.with_day(1).unwrap_or(today), today)
}

async fn asked(state: &AppState, user: &Account, query: &ListsQuery) -> Result<Asked, &'static str> {
    let staff = user.staff();
    let today = time::local_date(time::now());
    let scope = scope_of(state, &staff, &query.scope, this_month(today)).await?;
    // A handler looking at nothing in particular sees their own lists.
    let own = query.cadre.is_empty() && query.scope.unit.is_empty() && user.role == Role::Handler;
    let cadre: Option<i64> = match query.cadre.trim() {
        "" if own => Some(user.id),
        "" => None,
        text => Some(text.parse().map_err(|_| "lists.bad_cadre")?),
    };
    let (owner, name) = match cadre {
        Some(id) => {
            let account = state.store.account(id).await.map_err(|_| "lists.bad_cadre")?;
            if account.id != user.id && !staff.covers(&account.unit_path) {
                return Err("lists.bad_cadre");
            }
            (Owner::Cadre(id), account.name)
        }
        None => (Owner::Unit(scope.unit.id), scope.unit.name.clone()),
    };
    let closed_only = query.closed == "1";
    // The unit stays in every link, a cadre's too: the tabs and pages keep what was chosen.
    let mut link = format!("unit={}&from={}&to={}", scope.unit.id, scope.from, scope.to);
    if let Some(id) = cadre {
        link.push_str(&format!("&cadre={id}"));
    }
    if closed_only {
        link.push_str("&closed=1");
    }
    Ok(Asked {
        claims: Claims { owner, from: scope.from, to: scope.to, closed_only },
        owner: name,
        unit_id: scope.unit.id,
        cadre_id: cadre,
        query: link,
    })
}

/// Names the lists show: people and units by id.
struct Names {
    people: HashMap<i64, String>,
    units: HashMap<i64, String>,
}

async fn names(state: &AppState) -> Result<Names, StoreError> {
    let people = state.store.accounts().await?.into_iter().map(|a| (a.id, a.name)).collect();
    let units = state.store.units().await?.into_iter().map(|u| (u.id, u.name)).collect();
    Ok(Names { people, units })
}

/// One cell of a list; `href` links it to the request.
pub struct CellView {
    pub text: String,
    pub href: Option<String>,
}

/// One of the three lists.
pub struct TableView {
    pub id: &'static str,
    pub title: &'static str,
    pub header: Vec<&'static str>,
    /// Each column's class: `prose` for free text that wraps, `short` for numbers,
    /// names, dates and states, kept on one line on paper.
    pub classes: Vec<&'static str>,
    pub rows: Vec<Vec<CellView>>,
}

/// The columns of free text; the rest are short and never broken a character a line.
const PROSE: &[&str] =
    &["request.title", "lists.requester", "lists.measures", "lists.reply", "lists.verdict", "lists.flags"];

const LISTS: [&str; 3] = ["problem", "task", "outcome"];

fn when(at: Option<Millis>) -> String {
    at.map(time::display).unwrap_or_default()
}

/// The header keys of one of the three lists.
fn header_keys(list: &str) -> &'static [&'static str] {
    match list {
        "problem" => &[
            "request.number",
            "request.title",
            "lists.requester",
            "lists.kind",
            "lists.channel",
            "lists.created",
            "lists.claimed_at",
            "lists.handler",
        ],
        "task" => &[
            "request.number",
            "request.title",
            "lists.measures",
            "lists.responsible",
            "lists.unit",
            "lists.deadline",
            "request.status",
        ],
        _ => &[
            "request.number",
            "request.title",
            "request.status",
            "lists.resolved",
            "lists.reply",
            "lists.contacted",
            "lists.verdict",
            "lists.flags",
        ],
    }
}

fn list_title(t: &Messages, list: &str) -> &'static str {
    t.get(match list {
        "problem" => "lists.problem",
        "task" => "lists.task",
        _ => "lists.outcome",
    })
}

/// One entry's row in one of the three lists.
fn row(t: &Messages, names: &Names, list: &str, e: &Entry) -> Vec<CellView> {
    let text = |s: String| CellView { text: s, href: None };
    let number = CellView { text: e.number.clone(), href: Some(format!("/work/requests/{}", e.request_id)) };
    let person = |id: Option<i64>| id.and_then(|id| names.people.get(&id).cloned()).unwrap_or_default();
    match list {
        "problem" => vec![
            number,
            text(e.title.clone()),
            text(e.requester.clone().unwrap_or_else(|| t.get("request.anonymous").to_string())),
            text(t.kind(e.kind).to_string()),
            text(t.lookup(&format!("channel.{}", e.channel.as_str())).to_string()),
            text(time::display(e.created_at)),
            text(when(e.claimed_at)),
            text(person(e.handler_id)),
        ],
        "task" => {
            let measures: Vec<String> =
                e.measures.iter().map(|n| format!("{} {}", time::display(n.at), n.text)).collect();
            vec![
                number,
                text(e.title.clone()),
                text(measures.join("；")),
                text(person(e.handler_id)),
                text(e.assignee_unit_id.and_then(|u| names.units.get(&u).cloned()).unwrap_or_default()),
                text(when(e.resolve_by)),
                text(t.status(e.status).to_string()),
            ]
        }
        _ => {
            let verdict = match (e.satisfaction, e.solved) {
                (Some(s), solved) => {
                    let solved = if solved == Some(true) { "lists.solved" } else { "lists.unsolved" };
                    format!("{}，{}", t.lookup(&format!("satisfaction.{}", s.as_str())), t.get(solved))
                }
                (None, _) => String::new(),
            };
            let flags: Vec<&str> = e.flags.iter().map(|r| t.lookup(&format!("lists.rule.{}", r.as_str()))).collect();
            let yes_no = match e.contacted {
                Some(true) => t.get("lists.yes").to_string(),
                Some(false) => t.get("lists.no").to_string(),
                None => String::new(),
            };
            vec![
                number,
                text(e.title.clone()),
                text(t.status(e.status).to_string()),
                text(when(e.resolved_at.filter(|_| e.is_closed()))),
                text(e.reply.clone().unwrap_or_default()),
                text(yes_no),
                text(verdict),
                text(flags.join("、")),
            ]
        }
    }
}

/// The problem, task and outcome lists of these entries.
fn tables(chrome: &Chrome, entries: &[Entry], names: &Names) -> Vec<TableView> {
    let t = &chrome.t;
    LISTS
        .iter()
        .map(|&list| TableView {
            id: list,
            title: list_title(t, list),
            header: header_keys(list).iter().map(|k| t.get(k)).collect(),
            classes: header_keys(list).iter().map(|k| if PROSE.contains(k) { "prose" } else { "short" }).collect(),
            rows: entries.iter().map(|e| row(t, names, list, e)).collect(),
        })
        .collect()
}

/// The summary line in the page's language, each number linked to what it counts:
/// pieces of text, the numbers with their link and id.
pub struct SummaryView {
    pub pieces: Vec<(String, Option<(String, &'static str)>)>,
    /// The list of all claims, without the 办结 filter.
    pub claimed_href: String,
}

fn summary_view(chrome: &Chrome, summary: &Summary, asked: &Asked) -> SummaryView {
    let all = asked.query.replace("&closed=1", "");
    let claimed_href = format!("/work/lists?{all}");
    let closed_href = format!("/work/lists?{all}&closed=1&list=outcome");
    let mut pieces = Vec::new();
    let mut rest = chrome.t.get("lists.summary");
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|i| open + i) else { break };
        pieces.push((rest[..open].to_string(), None));
        let piece = match &rest[open + 1..close] {
            "claimed" => (summary.claimed.to_string(), Some((claimed_href.clone(), "claimed"))),
            "closed" => (summary.closed.to_string(), Some((closed_href.clone(), "closed"))),
            _ => (summary.closure_percent(), None),
        };
        pieces.push(piece);
        rest = &rest[close + 1..];
    }
    pieces.push((rest.to_string(), None));
    SummaryView { pieces, claimed_href }
}

#[derive(Template)]
#[template(path = "lists/lists.html")]
struct ListsPage<'a> {
    chrome: &'a Chrome,
    units: Vec<(i64, String)>,
    cadres: Vec<(i64, String)>,
    unit_id: i64,
    cadre_id: Option<i64>,
    from: String,
    to: String,
    owner: String,
    closed_only: bool,
    summary: Option<SummaryView>,
    tabs: Vec<(&'static str, &'static str, String)>,
    list: &'static str,
    table: Option<TableView>,
    page: i64,
    prev: Option<String>,
    next: Option<String>,
    export: String,
    print: String,
    error: Option<&'static str>,
    /// On the task list: the milestones assigned from above due in the period, and
    /// their summary line.
    assigned: Vec<super::tasks::Line>,
    assigned_summary: String,
}

/// The cadres a viewer may pick: the handlers of their subtree.
async fn cadres(state: &AppState, viewer: &Account) -> Result<Vec<(i64, String)>, StoreError> {
    let staff = viewer.staff();
    let accounts = state.store.accounts().await?.into_iter();
    let cadres = accounts.filter(|a| a.role == Role::Handler && (a.id == viewer.id || staff.covers(&a.unit_path)));
    Ok(cadres.map(|a| (a.id, a.name)).collect())
}

pub async fn lists(State(state): State<AppState>, chrome: Chrome, Query(query): Query<ListsQuery>) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let staff = user.staff();
    let list = LISTS.iter().copied().find(|l| *l == query.list).unwrap_or("problem");
    let page_number: i64 = query.page.parse().unwrap_or(1).max(1);
    let mut template = ListsPage {
        chrome: &chrome,
        units: units_in_scope(&state, &staff).await?,
        cadres: cadres(&state, &user).await?,
        unit_id: staff.unit_id,
        cadre_id: None,
        from: query.scope.from.clone(),
        to: query.scope.to.clone(),
        owner: String::new(),
        closed_only: false,
        summary: None,
        tabs: vec![],
        list,
        table: None,
        page: page_number,
        prev: None,
        next: None,
        export: String::new(),
        print: String::new(),
        error: None,
        assigned: Vec::new(),
        assigned_summary: String::new(),
    };
    let asked = match asked(&state, &user, &query).await {
        Ok(asked) => asked,
        Err(key) => {
            template.error = Some(key);
            let mut response = page(&chrome, &template);
            *response.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(response);
        }
    };
    let offset = (page_number - 1) * PAGE;
    let (summary, found) = state.store.lists(&staff, &asked.claims, offset, PAGE).await?;
    let names = names(&state).await?;
    template.table = tables(&chrome, &found.items, &names).into_iter().find(|t| t.id == list);
    template.tabs = LISTS
        .iter()
        .map(|l| (*l, chrome.t.lookup(&format!("lists.{l}")), format!("/work/lists?{}&list={l}", asked.query)))
        .collect();
    let pages = |n: i64| format!("/work/lists?{}&list={list}&page={n}", asked.query);
    template.prev = (page_number > 1).then(|| pages(page_number - 1));
    template.next = (offset + PAGE < found.total).then(|| pages(page_number + 1));
    template.export = format!("/work/lists.xlsx?{}", asked.query);
    template.print = format!("/work/lists/print?{}", asked.query);
    template.summary = Some(summary_view(&chrome, &summary, &asked));
    if list == "task" {
        let period = (asked.claims.from, asked.claims.to);
        (template.assigned, template.assigned_summary) =
            super::tasks::assigned(&state, &chrome, &staff, asked.claims.owner, period).await?;
    }
    template.unit_id = asked.unit_id;
    template.cadre_id = asked.cadre_id;
    template.from = asked.claims.from.to_string();
    template.to = asked.claims.to.to_string();
    template.owner = asked.owner;
    template.closed_only = asked.claims.closed_only;
    Ok(page(&chrome, &template))
}

/// Every entry of the lists asked for, up to what a spreadsheet carries.
async fn all_entries(state: &AppState, user: &Account, asked: &Asked) -> Result<(Summary, Vec<Entry>), StoreError> {
    let mut entries = Vec::new();
    loop {
        let (summary, found) =
            state.store.lists(&user.staff(), &asked.claims, entries.len() as i64, MAX_ENTRIES).await?;
        let done = found.items.is_empty();
        entries.extend(found.items);
        if done || entries.len() as i64 >= found.total || entries.len() >= export::MAX_ROWS {
            return Ok((summary, entries));
        }
    }
}

/// Everything an export or a print view needs: the lists asked for, their summary and
/// all their entries, and the names they show; or the answer to give instead.
async fn everything(
    state: &AppState,
    chrome: &Chrome,
    query: &ListsQuery,
) -> Result<(Asked, Summary, Vec<Entry>, Names), Response> {
    let Some(user) = chrome.user.clone() else { return Err(chrome.to_login()) };
    let refused = |key| PageError::new(StatusCode::BAD_REQUEST, "error.title", key).into_response();
    let asked = asked(state, &user, query).await.map_err(refused)?;
    let failed = |error| PageError::from(error).into_response();
    let (summary, entries) = all_entries(state, &user, &asked).await.map_err(failed)?;
    Ok((asked, summary, entries, names(state).await.map_err(failed)?))
}

/// The three lists as an XLSX file of three sheets.
pub async fn export(State(state): State<AppState>, chrome: Chrome, Query(query): Query<ListsQuery>) -> Response {
    let (asked, _, entries, names) = match everything(&state, &chrome, &query).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    // The rows are made as the file is written: a year of a busy cadre's entries is
    // over a hundred megabytes, and three tables of it would be several times that.
    let Some(viewer) = chrome.user.as_ref().map(|u| u.staff()) else { return chrome.to_login() };
    let period = (asked.claims.from, asked.claims.to);
    let assigned = match super::tasks::assigned(&state, &chrome, &viewer, asked.claims.owner, period).await {
        Ok((lines, _)) => super::tasks::lines_sheet(&chrome, &lines),
        Err(error) => return PageError::from(error).into_response(),
    };
    let (entries, names, t) = (Arc::new(entries), Arc::new(names), chrome.t);
    let mut sheets: Vec<MadeSheet> = LISTS
        .iter()
        .map(|&list| {
            let (entries, names) = (entries.clone(), names.clone());
            MadeSheet::new(
                list_title(&t, list).to_string(),
                header_keys(list).iter().map(|k| t.get(k).to_string()).collect(),
                entries.len(),
                move |i| row(&t, &names, list, &entries[i]).into_iter().map(|c| Cell::Text(c.text)).collect(),
            )
        })
        .collect();
    sheets.push(assigned.into());
    let filename =
        format!("{}-{}-{}-{}.xlsx", chrome.t.get("lists.title"), asked.owner, asked.claims.from, asked.claims.to);
    export::download(&filename, sheets).await
}

#[derive(Template)]
#[template(path = "lists/print.html")]
struct PrintPage<'a> {
    chrome: &'a Chrome,
    owner: String,
    from: String,
    to: String,
    summary: SummaryView,
    tables: Vec<TableView>,
    printed: String,
}

/// All three lists on A4 paper.
pub async fn print(State(state): State<AppState>, chrome: Chrome, Query(query): Query<ListsQuery>) -> Response {
    let (asked, summary, entries, names) = match everything(&state, &chrome, &query).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let template = PrintPage {
        chrome: &chrome,
        owner: asked.owner.clone(),
        from: asked.claims.from.to_string(),
        to: asked.claims.to.to_string(),
        summary: summary_view(&chrome, &summary, &asked),
        tables: tables(&chrome, &entries, &names),
        printed: time::display(time::now()),
    };
    page(&chrome, &template)
}
