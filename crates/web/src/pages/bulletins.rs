//! Bulletins (通报) on the workbench and on the public site: a supervisor generates one
//! for a unit and a week or month, reviews it, adds remarks and publishes it; the
//! public site lists what is published. Each can be printed on A4 and downloaded as an
//! XLSX file; `gongzhi bulletin pdf` prints the public print view to PDF.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use gongzhi_domain::bulletin::{Period, PeriodKind};
use gongzhi_domain::figures::Measure;
use gongzhi_domain::time;
use gongzhi_domain::Role;
use gongzhi_store::{Bulletin, Store, StoreError};
use serde::Deserialize;

use super::error::{refusal, refused, said, Refusal};
use super::figures::{content_view, shown, units_in_scope, ContentView, Scope, RANKED};
use super::{page, same_site_form, Chrome, PageError, PageResult};
use crate::export::{self, Cell, Sheet};
use crate::i18n::{Lang, Messages};
use crate::AppState;
use gongzhi_app::publishing::{self, Review};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work/bulletins", get(index).post(generate))
        .route("/work/bulletins/{id}", get(show))
        .route("/work/bulletins/{id}/print", get(print))
        .route("/work/bulletins/{id}/{act}", post(review))
        .route("/work/bulletins/{id}/xlsx", get(export_staff))
        .route("/bulletins", get(public_index))
        .route("/bulletins/{id}", get(public_show))
        .route("/bulletins/{id}/print", get(public_print))
        .route("/bulletins/{id}/xlsx", get(public_export))
}

/// Bulletins a page lists.
const PAGE: i64 = 20;

/// A bulletin's line in a list.
pub struct Line {
    id: i64,
    unit: String,
    period: String,
    status: &'static str,
    when: String,
    provisional: bool,
}

fn period_label(chrome: &Chrome, b: &Bulletin) -> String {
    label(chrome, &b.period())
}

fn line(chrome: &Chrome, b: &Bulletin) -> Line {
    Line {
        id: b.id,
        unit: b.content.unit.name.clone(),
        period: period_label(chrome, b),
        status: chrome.t.lookup(&format!("bulletin.status.{}", b.status.as_str())),
        when: time::display(b.published_at.unwrap_or(b.created_at)),
        provisional: b.is_provisional(),
    }
}

/// How pages name a period: 2026年5月, week 19 of 2026 ….
fn label(chrome: &Chrome, period: &Period) -> String {
    match chrome.t.lang {
        crate::i18n::Lang::Zh => period.label_zh(),
        crate::i18n::Lang::En => period.label_en(),
    }
}

/// A bulletin's content as its pages show it: linked to its requests on staff pages,
/// and marked when it is provisional.
fn bulletin_view(chrome: &Chrome, b: &Bulletin, links: Option<&Scope>) -> ContentView {
    let mut view = content_view(chrome, &b.content, links);
    view.provisional = b.is_provisional();
    view
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: String,
}

impl PageQuery {
    fn number(&self) -> i64 {
        self.page.parse().unwrap_or(1).max(1)
    }
}

fn pager(base: &str, page: i64, total: i64) -> (Option<String>, Option<String>) {
    (
        (page > 1).then(|| format!("{base}?page={}", page - 1)),
        (page * PAGE < total).then(|| format!("{base}?page={}", page + 1)),
    )
}

fn not_found() -> PageError {
    PageError::new(StatusCode::NOT_FOUND, "error.not_found_title", "bulletin.not_found")
}

#[derive(Template)]
#[template(path = "bulletins/index.html")]
struct Index<'a> {
    chrome: &'a Chrome,
    lines: Vec<Line>,
    page: i64,
    prev: Option<String>,
    next: Option<String>,
    /// Supervisors generate bulletins: the units they may choose from.
    units: Option<Vec<(i64, String)>>,
    /// What an empty date means: the last complete week and month.
    default_period: String,
    error: Option<String>,
}

async fn index_page(state: &AppState, chrome: &Chrome, page_number: i64, refusal: Refusal) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let staff = user.staff();
    let found = state.store.bulletins(&staff, (page_number - 1) * PAGE, PAGE).await?;
    let (prev, next) = pager("/work/bulletins", page_number, found.total);
    let units = if user.role == Role::Supervisor { Some(units_in_scope(state, &staff).await?) } else { None };
    let (status, error) = said(refusal);
    let today = time::local_date(time::now());
    let template = Index {
        chrome,
        lines: found.items.iter().map(|b| line(chrome, b)).collect(),
        page: page_number,
        prev,
        next,
        units,
        default_period: chrome
            .t
            .get("bulletin.default_period")
            .replace("{week}", &label(chrome, &Period::last_complete(PeriodKind::Weekly, today)))
            .replace("{month}", &label(chrome, &Period::last_complete(PeriodKind::Monthly, today))),
        error,
    };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

pub async fn index(State(state): State<AppState>, chrome: Chrome, Query(query): Query<PageQuery>) -> PageResult {
    index_page(&state, &chrome, query.number(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GenerateForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    unit: String,
    kind: String,
    date: String,
}

pub async fn generate(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Form(form): Form<GenerateForm>,
) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    if !same_site_form(&headers, &form.csrf) {
        return index_page(&state, &chrome, 1, refused(&chrome, StatusCode::FORBIDDEN, "form.csrf")).await;
    }
    let kind = PeriodKind::parse(&form.kind).filter(|k| *k != PeriodKind::Custom);
    // No date: the last complete week or month, not the one still running.
    let today = time::local_date(time::now());
    let date = match form.date.trim() {
        "" => kind.map(|k| Period::last_complete(k, today).from),
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
    };
    let unit = form.unit.trim().parse::<i64>().ok();
    let (Some(kind), Some(date), Some(unit)) = (kind, date, unit) else {
        let bad_form = refused(&chrome, StatusCode::UNPROCESSABLE_ENTITY, "bulletin.bad_form");
        return index_page(&state, &chrome, 1, bad_form).await;
    };
    match publishing::generate(&state.store, &user.staff(), unit, kind, date, time::now())
        .await
        .map_err(StoreError::from)
    {
        Ok(b) => Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/work/bulletins/{}", b.id))]).into_response()),
        Err(StoreError::NotFound | StoreError::UnknownUnit(_)) => {
            index_page(&state, &chrome, 1, refused(&chrome, StatusCode::UNPROCESSABLE_ENTITY, "publish.bad_unit")).await
        }
        Err(StoreError::AlreadyOpen { id, .. }) => {
            // The period's draft exists: go on with it.
            Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/work/bulletins/{id}?existing=1"))]).into_response())
        }
        Err(error) => index_page(&state, &chrome, 1, refusal(&chrome, error)?).await,
    }
}

#[derive(Template)]
#[template(path = "bulletins/bulletin.html")]
struct Show<'a> {
    chrome: &'a Chrome,
    id: i64,
    content: ContentView,
    remarks: String,
    published: bool,
    published_at: String,
    /// Supervisors review and publish drafts.
    editable: bool,
    /// Its period was not over when its figures were taken: publishing asks to confirm.
    provisional: bool,
    /// Opened because the period's draft already existed.
    existing: bool,
    error: Option<String>,
}

/// The scope a bulletin's figures link to: its unit and its period, live.
async fn scope_of_bulletin(state: &AppState, b: &Bulletin) -> Option<Scope> {
    let unit = state.store.unit(b.unit_id).await.ok()?;
    Some(Scope { unit, from: b.period().from, to: b.period().to })
}

async fn show_page(state: &AppState, chrome: &Chrome, id: i64, existing: bool, refusal: Refusal) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let b = bulletin(state.store.bulletin(&user.staff(), id).await)?;
    let scope = scope_of_bulletin(state, &b).await;
    let (status, error) = said(refusal);
    let template = Show {
        chrome,
        id: b.id,
        content: bulletin_view(chrome, &b, scope.as_ref()),
        remarks: b.remarks.clone(),
        published: b.is_published(),
        published_at: b.published_at.map(time::display).unwrap_or_default(),
        editable: user.role == Role::Supervisor && !b.is_published(),
        provisional: b.is_provisional(),
        existing,
        error,
    };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

/// A bulletin that was read, or the error page for one absent or not read.
fn bulletin(found: Result<Bulletin, StoreError>) -> Result<Bulletin, PageError> {
    match found {
        Err(StoreError::NotFound) => Err(not_found()),
        found => Ok(found?),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    existing: String,
}

pub async fn show(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(id): Path<i64>,
    Query(query): Query<ShowQuery>,
) -> PageResult {
    show_page(&state, &chrome, id, !query.existing.is_empty(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    remarks: String,
    /// Ticked to publish a bulletin of a period not over yet as provisional.
    provisional: String,
}

/// Saves a draft's remarks (`remarks`) or publishes it (`publish`), then goes back to the
/// bulletin, which says why when the store refused.
pub async fn review(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Path((id, act)): Path<(i64, String)>,
    Form(form): Form<ReviewForm>,
) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    if !same_site_form(&headers, &form.csrf) {
        return show_page(&state, &chrome, id, false, refused(&chrome, StatusCode::FORBIDDEN, "form.csrf")).await;
    }
    let staff = user.staff();
    let review = match act.as_str() {
        "remarks" => Review::Remarks(form.remarks.clone()),
        "publish" => Review::Publish { provisional: !form.provisional.is_empty() },
        _ => return Err(not_found()),
    };
    let done = publishing::review(&state.store, &staff, id, review, time::now()).await.map_err(StoreError::from);
    match done {
        Ok(_) => Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/work/bulletins/{id}"))]).into_response()),
        Err(StoreError::NotFound) => Err(not_found()),
        Err(error) => show_page(&state, &chrome, id, false, refusal(&chrome, error)?).await,
    }
}

#[derive(Template)]
#[template(path = "bulletins/print.html")]
struct Print<'a> {
    chrome: &'a Chrome,
    content: ContentView,
    remarks: String,
    published_at: String,
    anchor: Option<String>,
    /// The stylesheet itself, for a document printed without a server.
    standalone_css: Option<&'static str>,
}

/// The audit chain's head when the bulletin was published, as printed: a copy outside
/// the database of how long the chain was and how it ended (`gongzhi audit verify
/// --anchor SEQ:HASH` holds the chain against it).
async fn anchor_line(store: &Store, b: &Bulletin) -> Result<Option<String>, StoreError> {
    let anchor = store.bulletin_anchor(b.id).await?;
    Ok(anchor.map(|a| format!("seq {} · {} · {}", a.seq, a.short_hash(), time::display(a.at))))
}

async fn print_view<'a>(store: &Store, chrome: &'a Chrome, b: &Bulletin) -> Result<Print<'a>, StoreError> {
    Ok(Print {
        chrome,
        content: bulletin_view(chrome, b, None),
        remarks: b.remarks.clone(),
        published_at: b.published_at.map(time::display).unwrap_or_default(),
        anchor: anchor_line(store, b).await?,
        standalone_css: None,
    })
}

async fn print_page(state: &AppState, chrome: &Chrome, b: &Bulletin) -> PageResult {
    Ok(page(chrome, &print_view(&state.store, chrome, b).await?))
}

/// Why a bulletin could not be printed without a server.
#[derive(Debug, thiserror::Error)]
pub enum StandaloneError {
    #[error(transparent)]
    App(#[from] gongzhi_app::AppError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the print view failed: {0}")]
    Template(#[from] askama::Error),
}

/// A published bulletin's print view as one self-contained HTML document, its styles
/// inlined, in `lang`: what `gongzhi bulletin pdf` prints. It needs the database and the
/// templates, not the router, a session or a listening socket.
pub async fn standalone_print(store: &Store, id: i64, lang: Lang) -> Result<String, StandaloneError> {
    let b = gongzhi_app::publishing::published(store, id).await?;
    let chrome = Chrome {
        t: Messages::new(lang),
        user: None,
        csrf: String::new(),
        new_csrf: false,
        expired: false,
        here: String::new(),
        secure: false,
        unread: 0,
    };
    let mut view = print_view(store, &chrome, &b).await?;
    view.standalone_css = super::assets::text("app.css");
    Ok(view.render()?)
}

pub async fn print(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let b = bulletin(state.store.bulletin(&user.staff(), id).await)?;
    print_page(&state, &chrome, &b).await
}

/// A bulletin's figures as sheets: the measures, the ranking, the categories, the
/// overdue units and the callbacks.
fn sheets(chrome: &Chrome, b: &Bulletin) -> Vec<Sheet> {
    let t = &chrome.t;
    let c = &b.content;
    let words = |keys: &[&str]| keys.iter().map(|k| t.get(k).to_string()).collect::<Vec<_>>();
    let measure = |m: &Measure| t.lookup(&format!("measure.{}", m.as_str())).to_string();
    let mut figures = Sheet {
        name: t.get("bulletin.sheet.measures").into(),
        header: words(&["bulletin.measure", "bulletin.value"]),
        rows: vec![],
    };
    figures.rows.push(vec![Cell::from(t.get("bulletin.unit")), Cell::from(c.unit.name.as_str())]);
    figures.rows.push(vec![Cell::from(t.get("bulletin.period")), Cell::from(period_label(chrome, b))]);
    if b.is_provisional() {
        let note = format!("{}：{}", t.get("bulletin.provisional"), t.get("bulletin.provisional_note"));
        figures.rows.push(vec![Cell::from(t.get("bulletin.nature")), Cell::Text(note)]);
    }
    figures.rows.push(vec![Cell::from(t.get("publish.generated")), Cell::Text(time::display(c.generated_at))]);
    for m in Measure::ALL {
        figures.rows.push(vec![Cell::Text(measure(m)), Cell::Text(shown(chrome, *m, &c.measures))]);
    }
    if let Some(callbacks) = &c.callbacks {
        figures.rows.push(vec![Cell::from(t.get("bulletin.callbacks_sampled")), Cell::Int(callbacks.sampled)]);
        figures.rows.push(vec![Cell::from(t.get("bulletin.callbacks_reached")), Cell::Int(callbacks.reached)]);
        for (question, n) in &callbacks.answers {
            figures.rows.push(vec![Cell::from(t.lookup(&format!("publish.question.{question}"))), Cell::Int(*n)]);
        }
    }
    if !b.remarks.is_empty() {
        figures.rows.push(vec![Cell::from(t.get("bulletin.remarks")), Cell::from(b.remarks.as_str())]);
    }
    let mut header = words(&["bulletin.group", "bulletin.rank", "bulletin.unit"]);
    header.extend(RANKED.iter().map(measure));
    let ranking = Sheet {
        name: t.get("bulletin.sheet.ranking").into(),
        header,
        rows: c
            .ranking
            .iter()
            .map(|r| {
                let group = if r.unit.department { "publish.ranking_departments" } else { "publish.ranking_places" };
                let mut row = vec![
                    Cell::from(t.get(group)),
                    r.rank.map(|n| Cell::Int(n as i64)).unwrap_or(Cell::Empty),
                    Cell::from(r.unit.name.as_str()),
                ];
                row.extend(RANKED.iter().map(|m| Cell::Text(shown(chrome, *m, &r.measures))));
                row
            })
            .collect(),
    };
    let category_sheet = |name: &str, list: &[gongzhi_domain::bulletin::CategoryCount]| Sheet {
        name: t.get(name).into(),
        header: words(&["bulletin.category", "bulletin.count", "bulletin.previous"]),
        rows: list
            .iter()
            .map(|c| {
                let label = if c.name.is_empty() { t.get("publish.no_category").to_string() } else { c.name.clone() };
                vec![Cell::Text(label), Cell::Int(c.count), Cell::Int(c.previous)]
            })
            .collect(),
    };
    let overdue = Sheet {
        name: t.get("bulletin.sheet.overdue").into(),
        header: words(&["bulletin.unit", "measure.overdue_count"]),
        rows: c
            .overdue_units
            .iter()
            .map(|u| vec![Cell::from(u.unit.name.as_str()), Cell::Int(u.overdue_count)])
            .collect(),
    };
    let mut sheets = vec![
        figures,
        ranking,
        category_sheet("bulletin.sheet.top", &c.top_categories),
        category_sheet("bulletin.sheet.hot", &c.hot_categories),
        overdue,
    ];
    sheets.extend(c.enterprises.as_ref().map(|e| super::bulletin_sections::enterprise_sheet(chrome, e)));
    sheets.extend(c.inspections.as_ref().map(|i| super::bulletin_sections::sheet(chrome, i)));
    sheets.extend(c.tasks.as_ref().map(|s| super::bulletin_sections::task_sheet(chrome, s)));
    sheets
}

async fn download(chrome: &Chrome, b: &Bulletin) -> Response {
    let filename =
        format!("{}-{}-{}.xlsx", chrome.t.get("bulletin.title"), b.content.unit.name, period_label(chrome, b));
    export::download(&filename, sheets(chrome, b)).await
}

pub async fn export_staff(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    let Some(user) = chrome.user.clone() else { return Ok(chrome.to_login()) };
    let b = bulletin(state.store.bulletin(&user.staff(), id).await)?;
    Ok(download(&chrome, &b).await)
}

#[derive(Template)]
#[template(path = "bulletins/public_index.html")]
struct PublicIndex<'a> {
    chrome: &'a Chrome,
    lines: Vec<Line>,
    page: i64,
    prev: Option<String>,
    next: Option<String>,
}

pub async fn public_index(State(state): State<AppState>, chrome: Chrome, Query(query): Query<PageQuery>) -> PageResult {
    let page_number = query.number();
    let found = state.store.published_bulletins((page_number - 1) * PAGE, PAGE).await?;
    let (prev, next) = pager("/bulletins", page_number, found.total);
    let lines = found.items.iter().map(|b| line(&chrome, b)).collect();
    Ok(page(&chrome, &PublicIndex { chrome: &chrome, lines, page: page_number, prev, next }))
}

#[derive(Template)]
#[template(path = "bulletins/public.html")]
struct Public<'a> {
    chrome: &'a Chrome,
    id: i64,
    content: ContentView,
    remarks: String,
    published_at: String,
    anchor: Option<String>,
}

pub async fn public_show(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    let b = bulletin(state.store.published_bulletin(id).await)?;
    let template = Public {
        chrome: &chrome,
        id: b.id,
        content: bulletin_view(&chrome, &b, None),
        remarks: b.remarks.clone(),
        published_at: b.published_at.map(time::display).unwrap_or_default(),
        anchor: anchor_line(&state.store, &b).await?,
    };
    Ok(page(&chrome, &template))
}

pub async fn public_print(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    let b = bulletin(state.store.published_bulletin(id).await)?;
    print_page(&state, &chrome, &b).await
}

pub async fn public_export(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    let b = bulletin(state.store.published_bulletin(id).await)?;
    Ok(download(&chrome, &b).await)
}
