//! Importing historical records (历史数据导入) from a hotline system's XLSX or CSV files:
//! read the file (`read`), map its columns (guessed from the headers, edited, saved by
//! name), check every row against the domain's rules (`gongzhi_domain::import`), and
//! store the rows that pass in batches, each batch one transaction of the store's bulk
//! path, under its source id so that running the same file again stores nothing twice.
//!
//! The command line runs `check` and `run` in the foreground; the admin page keeps the
//! upload as a job (`upload`) and runs it in the server's background (`start_job`).

pub mod read;

use std::collections::{HashMap, HashSet};

use gongzhi_domain::catalogue::{self, DaysFrom};
use gongzhi_domain::import::{self as rules, Directory, Field, Mapping, Problem, Reason, Record, Rules};
use gongzhi_domain::role::Staff;
use gongzhi_domain::time::{self, Millis};
use gongzhi_store::{ImportBatch, ImportChecked, ImportJob, Imported, Store, StoreError, Stored};
use serde::Serialize;

pub use read::{read, Format, Table, Unreadable};

use crate::AppError;

/// Rows stored per transaction.
pub const BATCH: usize = 5_000;

/// Problems kept with a job for its report: enough for any file worth fixing row by row.
pub const MAX_REPORT: usize = 100_000;

/// Rows a preview shows.
pub const PREVIEW_ROWS: usize = 10;

/// The first rows of a file, checked as the mapping reads them: what the page shows
/// before anything is run.
pub async fn preview(store: &Store, file_name: &str, table: &Table, mapping: &Mapping) -> Result<Plan> {
    let first = Table {
        format: table.format,
        headers: table.headers.clone(),
        rows: table.rows.iter().take(PREVIEW_ROWS).cloned().collect(),
    };
    check(store, file_name, &first, mapping).await
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Unreadable(#[from] Unreadable),
    #[error("the file lacks the columns the mapping names: {}", .0.join(", "))]
    MissingColumns(Vec<String>),
    #[error("no mapping is saved under `{0}`")]
    UnknownMapping(String),
    #[error("a mapping needs a name")]
    MappingName,
    #[error("this import is not there, or its file is no longer kept")]
    NotFound,
    #[error("this import is already running or done")]
    Started,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for ImportError {
    fn from(error: StoreError) -> ImportError {
        ImportError::App(error.into())
    }
}

impl ImportError {
    /// A stable code for the message catalogue (`import.error.{code}`).
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Unreadable(why) => why.code(),
            ImportError::MissingColumns(_) => "missing_columns",
            ImportError::UnknownMapping(_) => "unknown_mapping",
            ImportError::MappingName => "mapping_name",
            ImportError::NotFound => "not_found",
            ImportError::Started => "started",
            ImportError::App(_) => "store",
        }
    }
}

pub type Result<T, E = ImportError> = std::result::Result<T, E>;

/// A mapping saved under `name`.
pub async fn mapping_named(store: &Store, name: &str) -> Result<Mapping> {
    let saved = store.import_mapping(name.trim()).await?.ok_or_else(|| ImportError::UnknownMapping(name.into()))?;
    serde_json::from_str(&saved.mapping).map_err(|_| ImportError::UnknownMapping(name.into()))
}

/// Saves a mapping under a name, replacing one of that name.
pub async fn save_mapping(store: &Store, name: &str, mapping: &Mapping) -> Result<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(ImportError::MappingName);
    }
    let json = serde_json::to_string(mapping).unwrap_or_default();
    Ok(store.save_import_mapping(name, &json, time::now()).await?)
}

/// The names of the saved mappings.
pub async fn mapping_names(store: &Store) -> Result<Vec<String>> {
    Ok(store.import_mappings().await?.into_iter().map(|m| m.name).collect())
}

/// What checking a file found: the rows that pass, under their source ids, and the
/// problems of those that do not.
#[derive(Debug, Clone)]
pub struct Plan {
    pub file_name: String,
    pub format: Format,
    /// Rows of the file under its header, blank ones left out.
    pub total_rows: usize,
    pub records: Vec<(String, Record)>,
    pub problems: Vec<Problem>,
    /// Rows that pass whose source id is stored already: a run skips them.
    pub stored_already: usize,
}

impl Plan {
    /// Rows with at least one problem.
    pub fn refused_rows(&self) -> usize {
        self.problems.iter().map(|p| p.row).collect::<HashSet<_>>().len()
    }

    /// The report as kept with a job.
    pub fn report_json(&self) -> String {
        serde_json::to_string(&self.problems[..self.problems.len().min(MAX_REPORT)]).unwrap_or_else(|_| "[]".into())
    }
}

/// The rows' problems as a job keeps them.
pub fn report_of(json: &str) -> Vec<Problem> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The source id of a row without one of its own: the file's name and the row's number.
pub fn row_source(file_name: &str, row: usize) -> String {
    format!("{file_name}#{row}")
}

/// Checks every row of a file against the rules as the mapping reads it. Writes nothing.
pub async fn check(store: &Store, file_name: &str, table: &Table, mapping: &Mapping) -> Result<Plan> {
    let columns = mapping.locate(&table.headers).map_err(ImportError::MissingColumns)?;
    let units = store.units().await?;
    let inactive: HashSet<i64> = store.inactive_units().await?.into_iter().collect();
    let categories = store.categories().await?;
    let category_days: HashMap<i64, u32> = categories
        .iter()
        .filter_map(|c| match catalogue::days_from(&categories, c.id) {
            DaysFrom::Own(days) | DaysFrom::Parent(days, _) => Some((c.id, days)),
            DaysFrom::Policy => None,
        })
        .collect();
    let directory = Directory::new(&units, &inactive, &categories);
    let settings = store.settings();
    let now = time::now();
    let rules = Rules { policy: &settings.policy, calendar: &settings.calendar, category_days: &category_days, now };
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let mut sources = HashSet::new();
    let mut numbers = HashSet::new();
    let mut total_rows = 0;
    for (i, cells) in table.rows.iter().enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        total_rows += 1;
        // The spreadsheet's own numbering: the header is row 1.
        let row = i + 2;
        match rules::read_row(cells, row, &columns, mapping, &directory, &rules) {
            Ok(record) => {
                let source = record.source_id.clone().unwrap_or_else(|| row_source(file_name, row));
                let number = record.request.number.clone();
                if !sources.insert(source.clone()) {
                    problems.push(problem(&columns, Field::SourceId, row, &source, Reason::DuplicateSource));
                } else if !number.is_empty() && !numbers.insert(number.clone()) {
                    problems.push(problem(&columns, Field::Number, row, &number, Reason::DuplicateNumber));
                } else {
                    records.push((source, record));
                }
            }
            Err(found) => problems.extend(found),
        }
    }
    // Rows stored by an earlier run are skipped; the numbers of the others must be free.
    let asked: Vec<&str> = records.iter().map(|(s, _)| s.as_str()).collect();
    let stored = store.stored_sources(&asked).await?;
    let numbered: Vec<&str> = records
        .iter()
        .filter(|(s, r)| !stored.contains(s) && !r.request.number.is_empty())
        .map(|(_, r)| r.request.number.as_str())
        .collect();
    let taken = store.numbers_taken(&numbered).await?;
    if !taken.is_empty() {
        records.retain(|(source, record)| {
            let clash = !stored.contains(source) && taken.contains(&record.request.number);
            if clash {
                let row = row_of(table, &columns, record);
                problems.push(problem(&columns, Field::Number, row, &record.request.number, Reason::NumberTaken));
            }
            !clash
        });
    }
    problems.sort_by_key(|p| p.row);
    let stored_already = records.iter().filter(|(s, _)| stored.contains(s)).count();
    Ok(Plan { file_name: file_name.to_string(), format: table.format, total_rows, records, problems, stored_already })
}

fn problem(columns: &rules::Columns, field: Field, row: usize, value: &str, reason: Reason) -> Problem {
    Problem { row, column: columns.header(field), value: value.chars().take(60).collect(), reason }
}

/// The row of a record whose number clashes, found again by its number (rare).
fn row_of(table: &Table, columns: &rules::Columns, record: &Record) -> usize {
    table.rows.iter().position(|cells| columns.get(cells, Field::Number) == record.request.number).map_or(0, |i| i + 2)
}

/// How far a run has come.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Progress {
    /// Rows that pass, stored or skipped so far.
    pub done: usize,
    pub total: usize,
    pub imported: usize,
    pub skipped: usize,
    pub batches: usize,
}

/// How to run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    pub batch: usize,
    /// The job the batches move.
    pub job: Option<i64>,
    /// Stop after this many batches, as if the run were cut short.
    pub stop_after: Option<usize>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { batch: BATCH, job: None, stop_after: None }
    }
}

/// Stores the rows that passed, a batch per transaction, skipping those an earlier run
/// stored; `progress` hears of each batch once it is committed.
pub async fn run(
    store: &Store,
    plan: &Plan,
    options: RunOptions,
    mut progress: impl FnMut(&Progress),
) -> Result<Progress> {
    let mut done = Progress { total: plan.records.len(), ..Progress::default() };
    let size = options.batch.max(1);
    for chunk in plan.records.chunks(size) {
        if options.stop_after.is_some_and(|n| done.batches >= n) {
            break;
        }
        let items = chunk
            .iter()
            .map(|(source, record)| {
                (source.clone(), Imported { request: record.request.clone(), events: record.events.clone() })
            })
            .collect();
        let Stored { imported, skipped } = store
            .import_batch(ImportBatch { items, job: options.job, rows_done: (done.done + chunk.len()) as i64 })
            .await?;
        done.done += chunk.len();
        done.imported += imported;
        done.skipped += skipped;
        done.batches += 1;
        progress(&done);
    }
    Ok(done)
}

/// Brings the search index up to date with the imported requests (which searches find
/// meanwhile by reading them directly), in large steps; returns how many it indexed.
/// Left to itself the writer would index them in small steps between other writes, many
/// times slower; the command and the page's job both call this once the rows are stored.
pub async fn index_imported(store: &Store) -> Result<usize> {
    Ok(store.catch_up_search().await?)
}

/// Keeps an uploaded file as a job, once it is known to be readable; returns the job
/// and the file as read.
pub async fn upload(store: &Store, staff: &Staff, file_name: &str, bytes: &[u8]) -> Result<(i64, Table)> {
    let table = read(bytes)?;
    let name: String = file_name.chars().filter(|c| !c.is_control()).take(120).collect();
    let id = store.create_import_job(&name, staff.user_id, bytes, time::now()).await?;
    Ok((id, table))
}

/// A job with its file as read, while the file is kept.
pub async fn job_file(store: &Store, id: i64) -> Result<(ImportJob, Table)> {
    let job = store.import_job(id).await?.ok_or(ImportError::NotFound)?;
    let bytes = store.import_job_file(id).await?.filter(|b| !b.is_empty()).ok_or(ImportError::NotFound)?;
    Ok((job, read(&bytes)?))
}

/// A dry run of a job's file: checks it with the mapping and keeps the report with the
/// job. Stores no row.
pub async fn check_job(store: &Store, id: i64, mapping: &Mapping) -> Result<Plan> {
    let (job, table) = job_file(store, id).await?;
    if matches!(job.state.as_str(), "running" | "done") {
        return Err(ImportError::Started);
    }
    let plan = check(store, &job.file_name, &table, mapping).await?;
    keep_check(store, id, "checked", mapping, &plan).await?;
    Ok(plan)
}

async fn keep_check(store: &Store, id: i64, state: &str, mapping: &Mapping, plan: &Plan) -> Result<()> {
    let checked = ImportChecked {
        state,
        mapping: &serde_json::to_string(mapping).unwrap_or_default(),
        total_rows: plan.total_rows as i64,
        valid_rows: plan.records.len() as i64,
        problems: plan.problems.len() as i64,
        report: &plan.report_json(),
    };
    Ok(store.record_import_check(id, &checked, time::now()).await?)
}

/// Checks a job's file and stores its rows in the background; the job's row in the
/// database says how far it has come. A job that failed (or was cut short by a restart)
/// may be started again: the rows it stored are skipped.
pub async fn start_job(store: &Store, id: i64, mapping: Mapping) -> Result<()> {
    let (job, table) = job_file(store, id).await?;
    let fresh = job.state != "running" || time::now() - job.updated_at > STALLED;
    if job.state == "done" || !fresh {
        return Err(ImportError::Started);
    }
    let plan = check(store, &job.file_name, &table, &mapping).await?;
    keep_check(store, id, "running", &mapping, &plan).await?;
    let store = store.clone();
    tokio::spawn(async move {
        let options = RunOptions { job: Some(id), ..RunOptions::default() };
        let mut outcome = run(&store, &plan, options, |_| {}).await;
        if outcome.is_ok() {
            outcome = index_imported(&store).await.and(outcome);
        }
        let error = outcome.err().map(|e| e.to_string());
        if let Some(error) = &error {
            tracing::error!(job = id, %error, "an import stopped");
        }
        if let Err(e) = store.finish_import_job(id, error.as_deref(), time::now()).await {
            tracing::error!(job = id, error = %e, "an import's end could not be recorded");
        }
    });
    Ok(())
}

/// A running job whose counts have not moved for this long was cut short (its server
/// stopped): its page says so and offers to run it again.
pub const STALLED: Millis = 2 * 60_000;

/// Whether a job stopped without finishing.
pub fn stalled(job: &ImportJob, now: Millis) -> bool {
    job.state == "running" && now - job.updated_at > STALLED
}

/// The newest jobs.
pub async fn jobs(store: &Store) -> Result<Vec<ImportJob>> {
    Ok(store.import_jobs(20).await?)
}

/// A job and its report.
pub async fn job(store: &Store, id: i64) -> Result<(ImportJob, Vec<Problem>)> {
    let job = store.import_job(id).await?.ok_or(ImportError::NotFound)?;
    let report = store.import_job_report(id).await?.map(|json| report_of(&json)).unwrap_or_default();
    Ok((job, report))
}
