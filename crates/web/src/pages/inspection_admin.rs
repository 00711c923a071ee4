//! The admin's inspection pages: points and their four-level chains (one by one, or in
//! bulk from the XLSX template), checklists (uploaded as XLSX or CSV, or edited as
//! text, each change a new version), and campaigns.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use gongzhi_app::inspection::{self as inspect, RowRefused};
use gongzhi_domain::inspection::{ItemDraft, POINT_KINDS};
use gongzhi_domain::role::Staff;
use gongzhi_domain::time;
use gongzhi_domain::unit::UnitKind;
use gongzhi_domain::Role;
use gongzhi_store::inspection::{Assignment, ChecklistHead, ItemRow, NewPoint, Point};
use gongzhi_store::Account;
use serde::Deserialize;

use super::inspection::{signed_in, words};
use super::{page, same_site_form, Chrome, PageError, PageResult};
use crate::export::{self, Cell, Sheet};
use crate::AppState;

/// Largest file taken, in bytes.
const MAX_FILE: usize = 2 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work/inspections/admin", get(show))
        .route("/work/inspections/admin/points", post(add_point))
        .route("/work/inspections/admin/kinds", post(add_kind))
        .route("/work/inspections/admin/chains.xlsx", get(chains_template))
        .route(
            "/work/inspections/admin/chains",
            post(upload_chains).layer(axum::extract::DefaultBodyLimit::max(MAX_FILE + 64 * 1024)),
        )
        .route(
            "/work/inspections/admin/checklists",
            post(upload_checklist).layer(axum::extract::DefaultBodyLimit::max(MAX_FILE + 64 * 1024)),
        )
        .route("/work/inspections/checklists/{id}", get(checklist).post(edit_checklist))
        .route("/work/inspections/admin/campaigns", post(add_campaign))
}

fn admin(chrome: &Chrome) -> Result<Result<(&Account, Staff), Response>, PageError> {
    let user = match signed_in(chrome) {
        Ok(user) => user,
        Err(to_login) => return Ok(Err(to_login)),
    };
    if user.role != Role::Admin {
        return Err(PageError::forbidden("refused.not_admin"));
    }
    Ok(Ok((user, user.staff())))
}

struct Kind {
    code: String,
    name: String,
}

#[derive(Template)]
#[template(path = "inspection/admin.html")]
struct AdminPage<'a> {
    chrome: &'a Chrome,
    points: Vec<(Point, String)>,
    kinds: Vec<Kind>,
    places: Vec<(i64, String)>,
    checklists: Vec<ChecklistHead>,
    inspectors: Vec<(i64, String)>,
    notice: Option<(bool, String)>,
}

async fn render(state: &AppState, chrome: &Chrome, staff: &Staff, notice: Option<(StatusCode, String)>) -> PageResult {
    let store = &state.store;
    let mut kinds: Vec<Kind> = POINT_KINDS
        .iter()
        .map(|code| Kind { code: code.to_string(), name: chrome.t.lookup(&format!("kind.point.{code}")).to_string() })
        .collect();
    kinds.extend(store.point_kinds().await?.into_iter().map(|(code, name)| Kind { code, name }));
    let kind_name = |code: &str| kinds.iter().find(|k| k.code == code).map(|k| k.name.clone()).unwrap_or_default();
    let points = store.points(staff).await?.into_iter().map(|p| (kind_name(&p.kind), p)).map(|(k, p)| (p, k)).collect();
    let places = store
        .units()
        .await?
        .into_iter()
        .filter(|u| matches!(u.kind, UnitKind::Community | UnitKind::Village | UnitKind::Grid) && staff.covers(&u.path))
        .map(|u| (u.id, u.name))
        .collect();
    let inspectors = store
        .accounts()
        .await?
        .into_iter()
        .filter(|a| a.role == Role::Inspector && a.active)
        .map(|a| (a.id, a.name))
        .collect();
    let status = notice.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let notice = notice.map(|(s, words)| (s.is_success() || s.is_redirection(), words));
    let template =
        AdminPage { chrome, points, kinds, places, checklists: store.checklists().await?, inspectors, notice };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

async fn show(State(state): State<AppState>, chrome: Chrome) -> PageResult {
    let (_, staff) = match admin(&chrome)? {
        Ok(found) => found,
        Err(to_login) => return Ok(to_login),
    };
    render(&state, &chrome, &staff, None).await
}

/// The admin who sent a form from our own page, or the login page to answer instead.
fn posted_by_admin(chrome: &Chrome, headers: &HeaderMap, csrf: &str) -> Result<Result<Staff, Response>, PageError> {
    let (_, staff) = match admin(chrome)? {
        Ok(found) => found,
        Err(to_login) => return Ok(Err(to_login)),
    };
    if !same_site_form(headers, csrf) {
        return Err(PageError::forbidden("form.csrf"));
    }
    Ok(Ok(staff))
}

fn back() -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, "/work/inspections/admin")]).into_response()
}

#[derive(Deserialize)]
struct PointForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    long: String,
}

async fn add_point(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    axum::Form(form): axum::Form<PointForm>,
) -> PageResult {
    let staff = match posted_by_admin(&chrome, &headers, &form.csrf)? {
        Ok(staff) => staff,
        Err(to_login) => return Ok(to_login),
    };
    let number = |text: &str| text.trim().parse::<f64>().ok().filter(|n| n.is_finite());
    let new = NewPoint {
        kind: form.kind.trim().to_string(),
        name: form.name,
        address: form.address,
        unit_id: form.unit.trim().parse().unwrap_or(0),
        lat: number(&form.lat),
        long: number(&form.long),
    };
    match inspect::add_point(&state.store, &staff, new, time::now()).await {
        Ok(_) => Ok(back()),
        Err(error) => render(&state, &chrome, &staff, Some(words(&chrome, error))).await,
    }
}

#[derive(Deserialize)]
struct KindForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
}

/// Adds a point kind beside the built-in ones.
async fn add_kind(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    axum::Form(form): axum::Form<KindForm>,
) -> PageResult {
    let staff = match posted_by_admin(&chrome, &headers, &form.csrf)? {
        Ok(staff) => staff,
        Err(to_login) => return Ok(to_login),
    };
    match inspect::add_point_kind(&state.store, &staff, form.code.trim(), &form.name).await {
        Ok(()) => Ok(back()),
        Err(error) => render(&state, &chrome, &staff, Some(words(&chrome, error))).await,
    }
}

/// The template for chains: every point in scope with its chain as it stands.
async fn chains_template(State(state): State<AppState>, chrome: Chrome) -> PageResult {
    let (_, staff) = match admin(&chrome)? {
        Ok(found) => found,
        Err(to_login) => return Ok(to_login),
    };
    let store = &state.store;
    let accounts = store.accounts().await?;
    let login = |id: Option<i64>| id.and_then(|id| accounts.iter().find(|a| a.id == id)).map(|a| a.login.clone());
    let units = store.units().await?;
    let code = |id: Option<i64>| id.and_then(|id| units.iter().find(|u| u.id == id)).map(|u| u.code.clone());
    let mut rows = Vec::new();
    for p in store.points(&staff).await? {
        let volunteers = store.point_volunteer_logins(p.id).await?.join("、");
        rows.push(vec![
            Cell::Int(p.id),
            Cell::Text(p.name.clone()),
            login(p.leader_id).into(),
            code(p.department_id).into(),
            login(p.cadre_id).into(),
            Cell::Text(volunteers),
        ]);
    }
    let header = [
        "chain.col.point_id",
        "chain.col.point",
        "chain.col.leader",
        "chain.col.department",
        "chain.col.cadre",
        "chain.col.volunteers",
    ]
    .iter()
    .map(|k| chrome.t.get(k).to_string())
    .collect();
    let sheet = Sheet { name: chrome.t.get("chain.sheet").to_string(), header, rows };
    let bytes = export::workbook(&[sheet.into()]).map_err(|_| PageError::unavailable())?;
    let headers = [(CONTENT_TYPE, export::XLSX_TYPE), (CONTENT_DISPOSITION, "attachment; filename=\"chains.xlsx\"")];
    Ok((headers, bytes).into_response())
}

/// The fields of an upload: its CSRF token, a name and the file.
async fn read_upload(mut parts: Multipart) -> Option<(String, String, Vec<u8>)> {
    let (mut csrf, mut name, mut bytes) = (String::new(), String::new(), Vec::new());
    while let Ok(Some(field)) = parts.next_field().await {
        match field.name().unwrap_or_default() {
            "file" => bytes = field.bytes().await.ok()?.to_vec(),
            "_csrf" => csrf = field.text().await.ok()?,
            "name" => name = field.text().await.ok()?,
            _ => {}
        }
    }
    Some((csrf, name, bytes))
}

/// An admin's upload from our own page: who sent it, the name given and the file; or
/// the page to answer instead (the login, or the admin page saying the file is unreadable).
async fn upload(
    state: &AppState,
    chrome: &Chrome,
    headers: &HeaderMap,
    parts: Multipart,
) -> Result<Result<(Staff, String, Vec<u8>), Response>, PageError> {
    let (_, staff) = match admin(chrome)? {
        Ok(found) => found,
        Err(to_login) => return Ok(Err(to_login)),
    };
    let Some((csrf, name, bytes)) = read_upload(parts).await else {
        let unreadable = (StatusCode::UNPROCESSABLE_ENTITY, chrome.t.get("refused.file_unreadable").to_string());
        return render(state, chrome, &staff, Some(unreadable)).await.map(Err);
    };
    if !same_site_form(headers, &csrf) {
        return Err(PageError::forbidden("form.csrf"));
    }
    Ok(Ok((staff, name, bytes)))
}

fn row_words(chrome: &Chrome, refused: &RowRefused) -> String {
    chrome.t.get(&format!("chain_row.{}", refused.code)).replace("{line}", &refused.line.to_string())
}

async fn upload_chains(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    parts: Multipart,
) -> PageResult {
    let (staff, _, bytes) = match upload(&state, &chrome, &headers, parts).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let rows = match inspect::xlsx_rows(&bytes) {
        Ok(rows) => rows,
        Err(error) => return render(&state, &chrome, &staff, Some(words(&chrome, error))).await,
    };
    let said = match inspect::import_chains(&state.store, &staff, &rows).await {
        Ok(Ok(n)) => (StatusCode::OK, chrome.t.get("chain.imported").replace("{n}", &n.to_string())),
        Ok(Err(refused)) => (StatusCode::UNPROCESSABLE_ENTITY, row_words(&chrome, &refused)),
        Err(error) => words(&chrome, error),
    };
    render(&state, &chrome, &staff, Some(said)).await
}

/// Why a checklist file was refused, in the viewer's words.
fn checklist_words(chrome: &Chrome, error: gongzhi_app::AppError) -> (StatusCode, String) {
    if let gongzhi_app::AppError::Rule(gongzhi_domain::Broken::Invalid { field: "checklist", reason }) = &error {
        // "line N: …": the line is said in Chinese, the rest by the kind of problem.
        let line = reason.strip_prefix("line ").and_then(|r| r.split(':').next()).unwrap_or("?");
        let problem = if reason.contains("category `") {
            "checklist_row.category"
        } else if reason.contains("points") {
            "checklist_row.points"
        } else if reason.contains("severity") {
            "checklist_row.severity"
        } else if reason.contains("empty") {
            "checklist_row.text"
        } else {
            "checklist_row.long"
        };
        return (StatusCode::UNPROCESSABLE_ENTITY, chrome.t.get(problem).replace("{line}", line));
    }
    words(chrome, error)
}

async fn upload_checklist(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    parts: Multipart,
) -> PageResult {
    let (staff, name, bytes) = match upload(&state, &chrome, &headers, parts).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let stored = match inspect::read_checklist(&bytes) {
        Ok(items) => inspect::add_checklist(&state.store, &staff, &name, &items, time::now()).await,
        Err(error) => Err(error),
    };
    match stored {
        Ok(id) => {
            Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/work/inspections/checklists/{id}"))]).into_response())
        }
        Err(error) => render(&state, &chrome, &staff, Some(checklist_words(&chrome, error))).await,
    }
}

#[derive(Template)]
#[template(path = "inspection/checklist.html")]
struct ChecklistPage<'a> {
    chrome: &'a Chrome,
    head: ChecklistHead,
    items: Vec<(ItemRow, &'static str)>,
    text: String,
    is_admin: bool,
    error: Option<String>,
}

async fn show_checklist(
    state: &AppState,
    chrome: &Chrome,
    id: i64,
    typed: Option<(StatusCode, String, String)>,
) -> PageResult {
    let Some(user) = chrome.user.as_ref() else { return Ok(chrome.to_login()) };
    let (head, items) = state.store.checklist(id).await?;
    let mut text = String::from("text,points,severity,category\n");
    for item in &items {
        text.push_str(&format!("{},{},{},{}\n", item.text, item.points, item.severity, item.category));
    }
    let (status, error) = match typed {
        Some((status, words, typed)) => {
            text = typed;
            (status, Some(words))
        }
        None => (StatusCode::OK, None),
    };
    let items = items
        .into_iter()
        .map(|i| {
            let label = chrome.t.lookup(&format!("severity.{}", i.severity));
            (i, label)
        })
        .collect();
    let template = ChecklistPage { chrome, head, items, text, is_admin: user.role == Role::Admin, error };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

async fn checklist(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    show_checklist(&state, &chrome, id, None).await
}

#[derive(Deserialize)]
struct EditForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    text: String,
}

/// Saves the edited text as the checklist's next version.
async fn edit_checklist(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<EditForm>,
) -> PageResult {
    let staff = match posted_by_admin(&chrome, &headers, &form.csrf)? {
        Ok(staff) => staff,
        Err(to_login) => return Ok(to_login),
    };
    let (head, _) = state.store.checklist(id).await?;
    let items: Result<Vec<ItemDraft>, _> = inspect::read_checklist(form.text.as_bytes());
    let stored = match items {
        Ok(items) => inspect::add_checklist(&state.store, &staff, &head.name, &items, time::now()).await,
        Err(error) => Err(error),
    };
    match stored {
        Ok(new) => {
            Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/work/inspections/checklists/{new}"))]).into_response())
        }
        Err(error) => {
            let (status, words) = checklist_words(&chrome, error);
            show_checklist(&state, &chrome, id, Some((status, words, form.text))).await
        }
    }
}

#[derive(Deserialize)]
struct CampaignForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    checklist: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// The chosen points' ids, joined by commas.
    #[serde(default)]
    points: String,
    #[serde(default)]
    inspector: String,
}

async fn add_campaign(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    super::upload::Posted { form, .. }: super::upload::Posted<CampaignForm>,
) -> PageResult {
    let staff = match posted_by_admin(&chrome, &headers, &form.csrf)? {
        Ok(staff) => staff,
        Err(to_login) => return Ok(to_login),
    };
    let date = |text: &str| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
    let name = form.name.trim();
    let checklist = form.checklist.trim().parse::<i64>().ok();
    let inspector = form.inspector.trim().parse::<i64>().ok();
    let points: Vec<Assignment> = form
        .points
        .split(',')
        .filter_map(|p| p.trim().parse().ok())
        .map(|point_id| Assignment { point_id, inspector_id: inspector })
        .collect();
    let refused = |key: &str| (StatusCode::UNPROCESSABLE_ENTITY, chrome.t.get(key).to_string());
    let problem = match (date(&form.from), date(&form.to), checklist) {
        _ if name.is_empty() || name.chars().count() > 100 => Some(refused("refused.bad_name")),
        (Some(from), Some(to), Some(_)) if from <= to && !points.is_empty() => None,
        (_, _, None) => Some(refused("inspection.choose_checklist")),
        _ if points.is_empty() => Some(refused("inspection.choose_point")),
        _ => Some(refused("inspection.bad_period")),
    };
    if let Some(problem) = problem {
        return render(&state, &chrome, &staff, Some(problem)).await;
    }
    let bounds = inspect::period(date(&form.from).unwrap_or_default(), date(&form.to).unwrap_or_default());
    let checklist = checklist.unwrap_or_default();
    if let Err(error) =
        inspect::plan_campaign(&state.store, &staff, name, checklist, bounds, &points, time::now()).await
    {
        return render(&state, &chrome, &staff, Some(words(&chrome, error))).await;
    }
    Ok(back())
}
