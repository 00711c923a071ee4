//! Historical imports (`/admin/import`): upload a hotline system's XLSX or CSV file, see
//! which column holds what (guessed from the headers, changed with a select per field,
//! saved under a name), preview the first rows as mapped, check the whole file without
//! storing anything, and import it in the server's background. The job's page shows its
//! progress from the database and refreshes itself until the job is done, so a reload or
//! another instance shows the same.

use std::collections::BTreeMap;
use std::io;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Form;
use gongzhi_app::import::{self as import, ImportError, Plan};
use gongzhi_domain::import::{Field, Mapping, Problem};
use gongzhi_domain::{time, Kind};
use serde::Deserialize;

use super::{render, unavailable, Admin, Notice};
use crate::export::{self, Cell, MadeSheet};
use crate::i18n::{Lang, Messages};
use crate::pages::{same_site_form, Chrome};
use crate::AppState;

/// Largest file the page takes, in bytes: a few hundred thousand records.
pub const MAX_FILE: usize = 64 * 1024 * 1024;

/// A problem as a sentence: row, column, value and reason.
pub fn describe(problem: &Problem, lang: Lang) -> String {
    let t = Messages::new(lang);
    t.get("import.problem_line")
        .replace("{row}", &problem.row.to_string())
        .replace("{column}", &problem.column)
        .replace("{value}", &problem.value)
        .replace("{reason}", t.get(&format!("import.reason.{}", problem.reason)))
}

/// The validation report as a spreadsheet: row, column, value, reason.
pub fn report_workbook(problems: &[Problem], lang: Lang) -> io::Result<Vec<u8>> {
    export::workbook(&[report_sheet(problems.to_vec(), lang)])
}

fn report_sheet(problems: Vec<Problem>, lang: Lang) -> MadeSheet {
    let t = Messages::new(lang);
    let header =
        ["import.row", "import.column", "import.value", "import.reason"].iter().map(|k| t.get(k).to_string()).collect();
    MadeSheet::new(t.get("import.report").to_string(), header, problems.len(), move |i| {
        let p = &problems[i];
        let reason = Messages::new(lang).get(&format!("import.reason.{}", p.reason)).to_string();
        vec![Cell::Int(p.row as i64), p.column.clone().into(), p.value.clone().into(), reason.into()]
    })
}

/// One line of the jobs list.
pub struct JobRow {
    id: i64,
    file_name: String,
    state: &'static str,
    started: String,
    imported: i64,
    problems: i64,
}

#[derive(Template)]
#[template(path = "admin/import.html")]
struct ImportsPage<'a> {
    chrome: &'a Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    jobs: Vec<JobRow>,
    max_mb: usize,
}

fn state_key(job: &gongzhi_store::ImportJob) -> &'static str {
    match job.state.as_str() {
        _ if import::stalled(job, time::now()) => "import.state.stalled",
        "uploaded" => "import.state.uploaded",
        "checked" => "import.state.checked",
        "running" => "import.state.running",
        "done" => "import.state.done",
        _ => "import.state.failed",
    }
}

async fn list_page(state: &AppState, chrome: &Chrome, notice: Option<Notice>) -> Response {
    let Ok(jobs) = import::jobs(&state.store).await else { return unavailable(chrome) };
    let jobs = jobs
        .iter()
        .map(|j| JobRow {
            id: j.id,
            file_name: j.file_name.clone(),
            state: chrome.t.get(state_key(j)),
            started: time::display(j.started_at),
            imported: j.imported,
            problems: j.problems,
        })
        .collect();
    let page = ImportsPage { chrome, tab: "import", notice, jobs, max_mb: MAX_FILE / 1024 / 1024 };
    render(chrome, &page, page.notice.as_ref())
}

pub async fn list(State(state): State<AppState>, Admin { chrome, .. }: Admin) -> Response {
    list_page(&state, &chrome, None).await
}

fn refused(chrome: &Chrome, error: &ImportError) -> Notice {
    let mut text = chrome.t.get(&format!("import.error.{}", error.code())).to_string();
    if let ImportError::MissingColumns(missing) = error {
        text = format!("{text}{}", missing.join("、"));
    }
    Notice { status: axum::http::StatusCode::UNPROCESSABLE_ENTITY, error: true, text }
}

/// Takes the upload and keeps it as a job, or says why the file cannot be read.
pub async fn upload(
    State(state): State<AppState>,
    Admin { chrome, staff }: Admin,
    headers: HeaderMap,
    mut parts: Multipart,
) -> Response {
    let (mut csrf, mut name, mut bytes) = (String::new(), String::new(), Vec::new());
    loop {
        match parts.next_field().await {
            Ok(Some(field)) => {
                let field_name = field.name().unwrap_or_default().to_string();
                if field_name == "file" {
                    name = field.file_name().unwrap_or_default().to_string();
                    match field.bytes().await {
                        Ok(data) => bytes = data.to_vec(),
                        Err(_) => {
                            return list_page(&state, &chrome, Some(Notice::refused(&chrome, "import.too_large"))).await
                        }
                    }
                } else if field_name == "_csrf" {
                    csrf = field.text().await.unwrap_or_default();
                }
            }
            Ok(None) => break,
            Err(_) => return list_page(&state, &chrome, Some(Notice::refused(&chrome, "import.too_large"))).await,
        }
    }
    if !same_site_form(&headers, &csrf) {
        return list_page(&state, &chrome, Some(Notice::csrf(&chrome))).await;
    }
    if bytes.is_empty() {
        return list_page(&state, &chrome, Some(Notice::refused(&chrome, "import.no_file"))).await;
    }
    let name = if name.trim().is_empty() { "upload".to_string() } else { name };
    match import::upload(&state.store, &staff, &name, &bytes).await {
        Ok((id, _)) => super::saved(&format!("/admin/import/{id}")),
        Err(error) => list_page(&state, &chrome, Some(refused(&chrome, &error))).await,
    }
}

/// One field's select: its name and each header it may be read from.
pub struct FieldChoice {
    field: &'static str,
    label: String,
    chosen: String,
}

/// A row of the preview: its number, each mapped field's value, and what is wrong.
pub struct PreviewRow {
    row: usize,
    values: Vec<String>,
    problems: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin/import_job.html")]
struct JobPage<'a> {
    chrome: &'a Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    job: gongzhi_store::ImportJob,
    state_label: &'static str,
    /// Still running: the page refreshes itself.
    running: bool,
    /// The file is kept and the job may be checked or (again) started.
    editable: bool,
    stalled: bool,
    headers: Vec<String>,
    fields: Vec<FieldChoice>,
    default_unit: String,
    kinds: Vec<(&'static str, &'static str, bool)>,
    mappings: Vec<String>,
    preview_fields: Vec<String>,
    preview: Vec<PreviewRow>,
    problems: Vec<String>,
    more_problems: usize,
    percent: i64,
}

/// The form of a job's page: the mapping, what to do, and a name to save it under.
#[derive(Deserialize, Default)]
pub struct JobForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    op: String,
    #[serde(default)]
    default_unit: String,
    #[serde(default)]
    default_kind: String,
    #[serde(default)]
    save_as: String,
    #[serde(default)]
    use_mapping: String,
    #[serde(flatten)]
    columns: BTreeMap<String, String>,
}

impl JobForm {
    fn mapping(&self) -> Mapping {
        let columns = Field::ALL
            .iter()
            .filter_map(|f| {
                let header = self.columns.get(&format!("col_{f}"))?.trim();
                (!header.is_empty()).then(|| (*f, header.to_string()))
            })
            .collect();
        Mapping {
            columns,
            default_unit: self.default_unit.trim().to_string(),
            default_kind: Kind::parse(&self.default_kind),
        }
    }
}

async fn job_page(
    state: &AppState,
    chrome: &Chrome,
    id: i64,
    mapping: Option<Mapping>,
    plan: Option<&Plan>,
    notice: Option<Notice>,
) -> Response {
    let store = &state.store;
    let Ok((job, report)) = import::job(store, id).await else { return super::not_found(chrome) };
    let table = import::job_file(store, id).await.ok().map(|(_, table)| table);
    let headers = table.as_ref().map(|t| t.headers.clone()).unwrap_or_default();
    let mapping = mapping
        .or_else(|| serde_json::from_str::<Mapping>(&job.mapping).ok())
        .unwrap_or_else(|| Mapping::guess(&headers));
    let t = &chrome.t;
    let fields = Field::ALL
        .iter()
        .map(|f| FieldChoice {
            field: f.as_str(),
            label: t.get(&format!("import.field.{f}")).to_string(),
            chosen: mapping.columns.get(f).cloned().unwrap_or_default(),
        })
        .collect();
    let chosen_kind = mapping.default_kind.unwrap_or(Kind::Complaint);
    let kinds = Kind::ALL.iter().map(|k| (k.as_str(), t.lookup(&format!("kind.{k}")), *k == chosen_kind)).collect();
    let mut preview_fields = Vec::new();
    let mut preview = Vec::new();
    if let (Some(table), true) = (&table, job.state != "done") {
        if let Ok(columns) = mapping.locate(&table.headers) {
            let mapped: Vec<Field> = Field::ALL.iter().copied().filter(|f| columns.has(*f)).collect();
            preview_fields = mapped.iter().map(|f| t.get(&format!("import.field.{f}")).to_string()).collect();
            let checked = import::preview(store, &job.file_name, table, &mapping).await.ok();
            for (i, cells) in table.rows.iter().take(import::PREVIEW_ROWS).enumerate() {
                let row = i + 2;
                let values = mapped.iter().map(|f| columns.get(cells, *f).chars().take(40).collect()).collect();
                let problems = checked
                    .as_ref()
                    .map(|p| p.problems.iter().filter(|p| p.row == row).map(|p| describe(p, t.lang)).collect())
                    .unwrap_or_default();
                preview.push(PreviewRow { row, values, problems });
            }
        }
    }
    let shown: Vec<Problem> = match plan {
        Some(plan) => plan.problems.clone(),
        None => report,
    };
    let problems = shown.iter().take(20).map(|p| describe(p, t.lang)).collect();
    let more_problems = shown.len().saturating_sub(20);
    let stalled = import::stalled(&job, time::now());
    let running = job.state == "running" && !stalled;
    let editable = table.is_some() && !running && job.state != "done";
    let percent = if job.valid_rows > 0 { (job.done_rows * 100 / job.valid_rows).clamp(0, 100) } else { 0 };
    let mappings = import::mapping_names(store).await.unwrap_or_default();
    let page = JobPage {
        chrome,
        tab: "import",
        notice,
        state_label: t.get(state_key(&job)),
        job,
        running,
        editable,
        stalled,
        headers,
        fields,
        default_unit: mapping.default_unit.clone(),
        kinds,
        mappings,
        preview_fields,
        preview,
        problems,
        more_problems,
        percent,
    };
    render(chrome, &page, page.notice.as_ref())
}

pub async fn show(State(state): State<AppState>, Admin { chrome, .. }: Admin, Path(id): Path<i64>) -> Response {
    job_page(&state, &chrome, id, None, None, None).await
}

/// Preview, check or start a job with the mapping on the form; load or save a mapping.
pub async fn act(
    State(state): State<AppState>,
    Admin { chrome, .. }: Admin,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(form): Form<JobForm>,
) -> Response {
    let mut mapping = form.mapping();
    if !same_site_form(&headers, &form.csrf) {
        return job_page(&state, &chrome, id, Some(mapping), None, Some(Notice::csrf(&chrome))).await;
    }
    let store = &state.store;
    if form.op == "load" {
        return match import::mapping_named(store, &form.use_mapping).await {
            Ok(saved) => job_page(&state, &chrome, id, Some(saved), None, None).await,
            Err(error) => job_page(&state, &chrome, id, Some(mapping), None, Some(refused(&chrome, &error))).await,
        };
    }
    if !form.save_as.trim().is_empty() {
        if let Err(error) = import::save_mapping(store, &form.save_as, &mapping).await {
            return job_page(&state, &chrome, id, Some(mapping), None, Some(refused(&chrome, &error))).await;
        }
    }
    mapping.default_unit = mapping.default_unit.trim().to_string();
    match form.op.as_str() {
        "check" => match import::check_job(store, id, &mapping).await {
            Ok(plan) => {
                let notice =
                    Notice { status: axum::http::StatusCode::OK, error: false, text: checked_text(&chrome, &plan) };
                job_page(&state, &chrome, id, Some(mapping), Some(&plan), Some(notice)).await
            }
            Err(error) => job_page(&state, &chrome, id, Some(mapping), None, Some(refused(&chrome, &error))).await,
        },
        "start" => match import::start_job(store, id, mapping.clone()).await {
            Ok(()) => super::saved(&format!("/admin/import/{id}")),
            Err(error) => job_page(&state, &chrome, id, Some(mapping), None, Some(refused(&chrome, &error))).await,
        },
        _ => job_page(&state, &chrome, id, Some(mapping), None, None).await,
    }
}

fn checked_text(chrome: &Chrome, plan: &Plan) -> String {
    chrome
        .t
        .get("import.checked")
        .replace("{total}", &plan.total_rows.to_string())
        .replace("{valid}", &plan.records.len().to_string())
        .replace("{already}", &plan.stored_already.to_string())
        .replace("{refused}", &plan.refused_rows().to_string())
}

/// The job's validation report as a spreadsheet.
pub async fn report(State(state): State<AppState>, Admin { chrome, .. }: Admin, Path(id): Path<i64>) -> Response {
    let Ok((job, problems)) = import::job(&state.store, id).await else { return super::not_found(&chrome) };
    let name = format!("{}-{}.xlsx", chrome.t.get("import.report"), job.id);
    export::download(&name, vec![report_sheet(problems, chrome.t.lang)]).await.into_response()
}
