//! Tasks assigned from above (责任清单, 重点任务): the workbench page of what is waiting on
//! the viewer (milestones to report, reports to review, milestones overdue), the task
//! lists with their progress, a task with its milestones, reports and evidence, issuing a
//! list from its workbook, and the progress as a workbook.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use gongzhi_domain::role::Staff;
use gongzhi_domain::tasks::{self, MilestoneStatus, Standing, COLUMNS, MAX_FILES, MAX_FILE_BYTES};
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::Role;
use gongzhi_store::tasks::{FileRow, MilestoneLine, MilestoneRow, MilestonesOf, StepRow, TaskListHead, TaskRow};
use gongzhi_store::Account;
use serde::Deserialize;

use super::inspection::{signed_in, words};
use super::{page, same_site_form, Chrome, PageError, PageResult};
use crate::export::{self, Cell, Sheet};
use crate::AppState;

/// Largest workbook taken when a list is issued.
const MAX_WORKBOOK: usize = 2 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    let report_limit = axum::extract::DefaultBodyLimit::max(MAX_FILES * MAX_FILE_BYTES + 64 * 1024);
    Router::new()
        .route("/work/tasks", get(home))
        .route("/work/tasks/template.xlsx", get(template))
        .route("/work/tasks/import", post(import).layer(axum::extract::DefaultBodyLimit::max(MAX_WORKBOOK + 64 * 1024)))
        .route("/work/tasks/lists/{id}", get(list))
        .route("/work/tasks/lists/{id}/progress.xlsx", get(progress_xlsx))
        .route("/work/tasks/{id}", get(task))
        .route("/work/tasks/milestones/{id}/report", post(report).layer(report_limit))
        .route("/work/tasks/milestones/{id}/review", post(review))
        .route("/work/tasks/files/{id}", get(file))
}

/// Who issues lists: leaders and admins.
fn issues(role: Role) -> bool {
    matches!(role, Role::Leader | Role::Admin)
}

/// A milestone as a line of a table.
pub(crate) struct Line {
    pub(crate) id: i64,
    pub(crate) task_id: i64,
    pub(crate) task: String,
    pub(crate) owner: String,
    pub(crate) responsible: String,
    pub(crate) title: String,
    pub(crate) due: String,
    pub(crate) status: &'static str,
    /// `overdue`, `late`, `on_time`, `in_review` or `open`: the badge's class.
    pub(crate) standing: &'static str,
    pub(crate) standing_words: &'static str,
    pub(crate) note: String,
}

fn standing_code(standing: Standing) -> &'static str {
    match standing {
        Standing::OnTime => "on_time",
        Standing::Late => "late",
        Standing::Overdue => "overdue",
        Standing::InReview => "in_review",
        Standing::Open => "open",
    }
}

fn date(at: Millis) -> String {
    tasks::due_date(at).to_string()
}

/// The milestones of the tasks a cadre answers for, or of those owned in a unit's
/// subtree, due in the local dates `from..=to`: the part of the task list (任务清单) of
/// the three lists that was assigned from above, with its summary line.
pub(crate) async fn assigned(
    state: &AppState,
    chrome: &Chrome,
    viewer: &Staff,
    owner: gongzhi_store::Owner,
    (from, to): (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<(Vec<Line>, String), gongzhi_store::StoreError> {
    let of = match owner {
        gongzhi_store::Owner::Cadre(id) => MilestonesOf::Person(id),
        gongzhi_store::Owner::Unit(id) => MilestonesOf::Subtree(state.store.unit(id).await?.path),
    };
    let due = (time::start_of(from), time::start_of(from.max(to).succ_opt().unwrap_or(to)));
    let now = time::now();
    let found = state.store.milestone_lines(viewer, &of, Some(due), None).await?;
    let count = |s: Standing| found.iter().filter(|m| m.standing(now) == s).count().to_string();
    let summary = chrome
        .t
        .get("tasks.lists_summary")
        .replace("{due}", &found.len().to_string())
        .replace("{on_time}", &count(Standing::OnTime))
        .replace("{overdue}", &count(Standing::Overdue));
    Ok((found.into_iter().map(|m| Line::of(chrome, m, now)).collect(), summary))
}

/// Milestone lines as a worksheet (the three lists' assigned tasks).
pub(crate) fn lines_sheet(chrome: &Chrome, lines: &[Line]) -> Sheet {
    let t = &chrome.t;
    let keys = [
        "tasks.col.task",
        "tasks.col.milestone",
        "tasks.col.owner",
        "tasks.col.responsible",
        "tasks.col.due",
        "tasks.col.status",
        "tasks.col.standing",
        "tasks.col.note",
    ];
    let rows = lines
        .iter()
        .map(|l| {
            [&l.task, &l.title, &l.owner, &l.responsible, &l.due]
                .into_iter()
                .map(|s| Cell::Text(s.clone()))
                .chain([l.status, l.standing_words].map(|s| Cell::Text(s.to_string())))
                .chain([Cell::Text(l.note.clone())])
                .collect()
        })
        .collect();
    Sheet {
        name: t.get("tasks.lists_section").into(),
        header: keys.iter().map(|k| t.get(k).to_string()).collect(),
        rows,
    }
}

impl Line {
    pub(crate) fn of(chrome: &Chrome, m: MilestoneLine, now: Millis) -> Line {
        let standing = standing_code(m.standing(now));
        Line {
            id: m.id,
            task_id: m.task_id,
            task: format!("{} · {}. {}", m.list_name, m.number, m.task_title),
            owner: m.owner_name.clone(),
            responsible: m.responsible_name.clone().unwrap_or_else(|| "—".into()),
            title: m.title.clone(),
            due: date(m.due_at),
            status: chrome.t.lookup(&format!("milestone.status.{}", m.status().as_str())),
            standing,
            standing_words: chrome.t.lookup(&format!("milestone.standing.{standing}")),
            note: m.last_note.unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "tasks/home.html")]
struct HomePage<'a> {
    chrome: &'a Chrome,
    to_report: Vec<Line>,
    to_review: Vec<Line>,
    overdue: Vec<Line>,
    /// The overdue list was asked for alone (a bulletin's or a dashboard's link).
    overdue_only: bool,
    lists: Vec<(TaskListHead, u8)>,
    issuer: bool,
    units: Vec<(i64, String)>,
    notice: Option<(bool, String)>,
}

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    #[serde(default)]
    overdue: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    /// With `to`: only the milestones due in these local dates (a bulletin's period).
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

impl HomeQuery {
    /// The period asked for, as instants `[from, to)`; `None` when none or a bad one was given.
    fn due(&self) -> Option<(Millis, Millis)> {
        let date = |d: &Option<String>| d.as_deref().and_then(|d| d.trim().parse::<chrono::NaiveDate>().ok());
        let (from, to) = (date(&self.from)?, date(&self.to)?);
        Some((time::start_of(from), time::start_of(to.succ_opt()?)))
    }
}

async fn render_home(
    state: &AppState,
    chrome: &Chrome,
    user: &Account,
    query: &HomeQuery,
    notice: Option<(StatusCode, String)>,
) -> PageResult {
    let store = &state.store;
    let staff = user.staff();
    let now = time::now();
    let lines = |found: Vec<MilestoneLine>| found.into_iter().map(|m| Line::of(chrome, m, now)).collect::<Vec<_>>();
    // A unit asked for (a bulletin's link) narrows the overdue list; outside the scope
    // it is the viewer's own subtree.
    let scope_path = match query.unit.as_deref().and_then(|u| u.trim().parse::<i64>().ok()) {
        Some(id) => match store.unit(id).await {
            Ok(unit) if staff.covers(&unit.path) => unit.path,
            _ => return Err(PageError::not_found()),
        },
        None => staff.unit_path.clone(),
    };
    let overdue_only = query.overdue.is_some();
    let overdue = if overdue_only || matches!(user.role, Role::Leader | Role::Supervisor | Role::Admin) {
        lines(store.milestone_lines(&staff, &MilestonesOf::Subtree(scope_path), query.due(), Some(now)).await?)
    } else {
        Vec::new()
    };
    let (to_report, to_review, lists) = if overdue_only {
        (Vec::new(), Vec::new(), Vec::new())
    } else {
        let mine = store.milestone_lines(&staff, &MilestonesOf::Person(user.id), None, None).await?;
        let own_unit = if matches!(user.role, Role::Handler | Role::Leader) {
            store.milestone_lines(&staff, &MilestonesOf::Subtree(staff.unit_path.clone()), None, None).await?
        } else {
            Vec::new()
        };
        let ours = own_unit.iter().filter(|m| m.owner_path == staff.unit_path);
        let mut to_report: Vec<MilestoneLine> =
            mine.iter().chain(ours).filter(|m| m.status().awaits_owner()).cloned().collect();
        to_report.sort_by_key(|m| (m.due_at, m.id));
        to_report.dedup_by_key(|m| m.id);
        let to_review: Vec<MilestoneLine> = if user.role == Role::Leader {
            own_unit
                .into_iter()
                .filter(|m| m.status() == MilestoneStatus::Reported && m.owner_path != staff.unit_path)
                .collect()
        } else {
            Vec::new()
        };
        let lists = store.task_lists(&staff).await?;
        let lists = lists.into_iter().map(|l| {
            let percent = tasks::percent_done(l.accepted, l.milestones);
            (l, percent)
        });
        (lines(to_report), lines(to_review), lists.collect())
    };
    let issuer = issues(user.role);
    let units = if issuer {
        store.units().await?.into_iter().filter(|u| staff.covers(&u.path)).map(|u| (u.id, u.name)).collect()
    } else {
        Vec::new()
    };
    let status = notice.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let notice = notice.map(|(s, words)| (s.is_success(), words));
    let template = HomePage { chrome, to_report, to_review, overdue, overdue_only, lists, issuer, units, notice };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

pub async fn home(State(state): State<AppState>, chrome: Chrome, Query(query): Query<HomeQuery>) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user.clone(),
        Err(to_login) => return Ok(to_login),
    };
    render_home(&state, &chrome, &user, &query, None).await
}

/// The workbook to fill in: the columns and one example task of two milestones.
async fn template(chrome: Chrome) -> PageResult {
    if let Err(to_login) = signed_in(&chrome) {
        return Ok(to_login);
    }
    let rows = tasks::EXAMPLE.iter().map(|cells| cells.iter().map(|c| Cell::Text(c.to_string())).collect()).collect();
    let sheet = Sheet {
        name: chrome.t.get("tasks.sheet").to_string(),
        header: COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows,
    };
    let bytes = export::workbook(&[sheet.into()]).map_err(|_| PageError::unavailable())?;
    let headers = [(CONTENT_TYPE, export::XLSX_TYPE), (CONTENT_DISPOSITION, "attachment; filename=\"tasks.xlsx\"")];
    Ok((headers, bytes).into_response())
}

/// The fields of a multipart form: its text fields and its files (name, bytes).
async fn read_parts(mut parts: Multipart) -> Option<(Vec<(String, String)>, Vec<(String, Vec<u8>)>)> {
    let (mut fields, mut files) = (Vec::new(), Vec::new());
    while let Ok(Some(field)) = parts.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => files.push((file_name, field.bytes().await.ok()?.to_vec())),
            None => fields.push((name, field.text().await.ok()?)),
        }
    }
    Some((fields, files))
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

async fn import(State(state): State<AppState>, chrome: Chrome, headers: HeaderMap, parts: Multipart) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user.clone(),
        Err(to_login) => return Ok(to_login),
    };
    let query = HomeQuery::default();
    let Some((fields, files)) = read_parts(parts).await else {
        let unreadable = (StatusCode::UNPROCESSABLE_ENTITY, chrome.t.get("refused.file_unreadable").to_string());
        return render_home(&state, &chrome, &user, &query, Some(unreadable)).await;
    };
    if !same_site_form(&headers, field(&fields, "_csrf")) {
        return Err(PageError::forbidden("form.csrf"));
    }
    if !issues(user.role) {
        return Err(PageError::forbidden("refused.not_task_issuer"));
    }
    let staff = user.staff();
    let unit_id = field(&fields, "unit").trim().parse().unwrap_or(staff.unit_id);
    let said = match files.first() {
        None => (StatusCode::UNPROCESSABLE_ENTITY, chrome.t.get("refused.file_unreadable").to_string()),
        Some((_, bytes)) => match gongzhi_app::inspection::xlsx_rows(bytes) {
            Err(error) => words(&chrome, error),
            Ok(rows) => match gongzhi_app::tasks::import(&state.store, &staff, field(&fields, "name"), unit_id, &rows)
                .await
            {
                Ok(Ok(id)) => {
                    return Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("/work/tasks/lists/{id}"))]).into_response())
                }
                Ok(Err(refused)) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    chrome.t.get(&format!("task_row.{}", refused.code)).replace("{line}", &refused.line.to_string()),
                ),
                Err(error) => words(&chrome, error),
            },
        },
    };
    render_home(&state, &chrome, &user, &query, Some(said)).await
}

/// A list the viewer sees, with its progress.
async fn list_head(state: &AppState, staff: &Staff, id: i64) -> Result<TaskListHead, PageError> {
    let lists = state.store.task_lists(staff).await?;
    lists.into_iter().find(|l| l.id == id).ok_or_else(PageError::not_found)
}

#[derive(Template)]
#[template(path = "tasks/list.html")]
struct ListPage<'a> {
    chrome: &'a Chrome,
    head: TaskListHead,
    tasks: Vec<(TaskRow, u8)>,
}

async fn list(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user.clone(),
        Err(to_login) => return Ok(to_login),
    };
    let staff = user.staff();
    let head = list_head(&state, &staff, id).await?;
    let tasks = state.store.tasks_of_list(&staff, id, time::now()).await?;
    let tasks = tasks
        .into_iter()
        .map(|t| {
            let percent = t.percent_done();
            (t, percent)
        })
        .collect();
    Ok(page(&chrome, &ListPage { chrome: &chrome, head, tasks }))
}

/// A list's progress, one row a milestone, as a workbook.
async fn progress_xlsx(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user.clone(),
        Err(to_login) => return Ok(to_login),
    };
    let staff = user.staff();
    let head = list_head(&state, &staff, id).await?;
    let now = time::now();
    let lines = state.store.milestone_lines(&staff, &MilestonesOf::List(id), None, None).await?;
    let when = |at: Option<Millis>| at.map(time::display).unwrap_or_default();
    let rows = lines
        .into_iter()
        .map(|m| {
            let standing = chrome.t.lookup(&format!("milestone.standing.{}", standing_code(m.standing(now))));
            vec![
                Cell::Text(m.number.clone()),
                Cell::Text(m.task_title.clone()),
                Cell::Text(m.owner_name.clone()),
                Cell::Text(m.responsible_name.clone().unwrap_or_default()),
                Cell::Text(m.title.clone()),
                Cell::Text(date(m.due_at)),
                Cell::Text(chrome.t.lookup(&format!("milestone.status.{}", m.status().as_str())).to_string()),
                Cell::Text(standing.to_string()),
                Cell::Text(when(m.reported_at)),
                Cell::Text(when(m.reviewed_at)),
                Cell::Int(m.sent_back),
                Cell::Text(m.last_note.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let header = [
        "tasks.col.number",
        "tasks.col.task",
        "tasks.col.owner",
        "tasks.col.responsible",
        "tasks.col.milestone",
        "tasks.col.due",
        "tasks.col.status",
        "tasks.col.standing",
        "tasks.col.reported",
        "tasks.col.reviewed",
        "tasks.col.sent_back",
        "tasks.col.note",
    ]
    .iter()
    .map(|k| chrome.t.get(k).to_string())
    .collect();
    let sheet = Sheet { name: chrome.t.get("tasks.progress_sheet").to_string(), header, rows };
    Ok(export::download(&format!("{}.xlsx", head.name), vec![sheet]).await)
}

/// A milestone on its task's page, with what the viewer may do to it.
struct MilestoneView {
    m: MilestoneRow,
    due: String,
    status: &'static str,
    standing: &'static str,
    standing_words: &'static str,
    may_report: bool,
    may_review: bool,
    steps: Vec<(StepRow, String, &'static str)>,
    files: Vec<FileRow>,
}

#[derive(Template)]
#[template(path = "tasks/task.html")]
struct TaskPage<'a> {
    chrome: &'a Chrome,
    task: TaskRow,
    percent: u8,
    milestones: Vec<MilestoneView>,
    error: Option<String>,
    max_files: usize,
}

async fn render_task(
    state: &AppState,
    chrome: &Chrome,
    staff: &Staff,
    id: i64,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let store = &state.store;
    let now = time::now();
    let (task, milestones) = store.task(staff, id, now).await?;
    let steps = store.task_steps(id).await?;
    let files = store.task_files(id).await?;
    let milestones = milestones
        .into_iter()
        .map(|m| {
            let standing = standing_code(m.standing(now));
            let status = m.status();
            MilestoneView {
                due: date(m.due_at),
                status: chrome.t.lookup(&format!("milestone.status.{}", status.as_str())),
                standing,
                standing_words: chrome.t.lookup(&format!("milestone.standing.{standing}")),
                may_report: status.awaits_owner() && tasks::may_report(staff, &task.ownership()).is_ok(),
                may_review: status == MilestoneStatus::Reported
                    && tasks::may_review(staff, &task.ownership(), m.reported_by).is_ok(),
                steps: steps
                    .iter()
                    .filter(|s| s.milestone_id == m.id)
                    .map(|s| {
                        (s.clone(), time::display(s.at), chrome.t.lookup(&format!("milestone.action.{}", s.action)))
                    })
                    .collect(),
                files: files.iter().filter(|f| f.milestone_id == m.id).cloned().collect(),
                m,
            }
        })
        .collect();
    let status = error.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let template = TaskPage {
        chrome,
        percent: task.percent_done(),
        task,
        milestones,
        error: error.map(|(_, words)| words),
        max_files: MAX_FILES,
    };
    let mut response = page(chrome, &template);
    *response.status_mut() = status;
    Ok(response)
}

async fn task(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user.clone(),
        Err(to_login) => return Ok(to_login),
    };
    render_task(&state, &chrome, &user.staff(), id, None).await
}

fn back_to(task_id: i64, milestone_id: i64) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, format!("/work/tasks/{task_id}#milestone-{milestone_id}"))]).into_response()
}

async fn report(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Path(id): Path<i64>,
    parts: Multipart,
) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user.clone(),
        Err(to_login) => return Ok(to_login),
    };
    let staff = user.staff();
    let task_id = state.store.milestone_task(&staff, id).await?;
    let Some((fields, files)) = read_parts(parts).await else {
        let unreadable = (StatusCode::UNPROCESSABLE_ENTITY, chrome.t.get("refused.file_unreadable").to_string());
        return render_task(&state, &chrome, &staff, task_id, Some(unreadable)).await;
    };
    if !same_site_form(&headers, field(&fields, "_csrf")) {
        return Err(PageError::forbidden("form.csrf"));
    }
    match gongzhi_app::tasks::report(&state.store, &staff, id, field(&fields, "note"), files, time::now()).await {
        Ok(()) => Ok(back_to(task_id, id)),
        Err(error) => render_task(&state, &chrome, &staff, task_id, Some(words(&chrome, error))).await,
    }
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

async fn review(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<ReviewForm>,
) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user.clone(),
        Err(to_login) => return Ok(to_login),
    };
    if !same_site_form(&headers, &form.csrf) {
        return Err(PageError::forbidden("form.csrf"));
    }
    let staff = user.staff();
    let task_id = state.store.milestone_task(&staff, id).await?;
    let accept = match form.decision.as_str() {
        "accept" => true,
        "send_back" => false,
        _ => {
            let said = (StatusCode::UNPROCESSABLE_ENTITY, chrome.t.get("refused.task_decision").to_string());
            return render_task(&state, &chrome, &staff, task_id, Some(said)).await;
        }
    };
    match gongzhi_app::tasks::review(&state.store, &staff, id, accept, &form.note, time::now()).await {
        Ok(()) => Ok(back_to(task_id, id)),
        Err(error) => render_task(&state, &chrome, &staff, task_id, Some(words(&chrome, error))).await,
    }
}

async fn file(State(state): State<AppState>, chrome: Chrome, Path(id): Path<i64>) -> PageResult {
    let user = match signed_in(&chrome) {
        Ok(user) => user.clone(),
        Err(to_login) => return Ok(to_login),
    };
    let (row, bytes) = state.store.task_file(&user.staff(), id).await?;
    // Photos show in the page; documents are downloaded under their own name.
    let disposition = if row.content_type.starts_with("image/") { "inline" } else { "attachment" };
    let encoded = percent_encoding::utf8_percent_encode(&row.name, percent_encoding::NON_ALPHANUMERIC);
    let headers = [
        (CONTENT_TYPE, row.content_type.clone()),
        (CONTENT_DISPOSITION, format!("{disposition}; filename*=UTF-8''{encoded}")),
    ];
    Ok((headers, bytes).into_response())
}
