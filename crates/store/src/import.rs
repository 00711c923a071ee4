//! Imports of historical files: their rows stored a batch per transaction under their
//! source ids, the mappings saved by name, and the jobs the server runs in the
//! background.
//!
//! A batch looks up which of its source ids are stored already and writes the others,
//! with their ids in `import_sources`, in the writer's transaction: a file imported
//! again, whole or after an interruption, stores nothing twice. The job's counts move
//! in the same transaction, so they say exactly what is stored.

use std::collections::HashSet;

use gongzhi_domain::time::Millis;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use tokio::sync::oneshot;

use crate::writer::{self, Imported, Index, Job};
use crate::{rows, Result, Store, StoreError};

/// Rows of one file for one transaction.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Each row's source id and record.
    pub items: Vec<(String, Imported)>,
    /// The job these rows belong to, if the server runs one.
    pub job: Option<i64>,
    /// Rows of the file taken through once this batch is stored, refused ones included.
    pub rows_done: i64,
}

/// What a batch stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stored {
    pub imported: usize,
    /// Rows whose source id was stored already, by an earlier run.
    pub skipped: usize,
}

/// Source ids asked about per statement.
const SOURCES_PER_STATEMENT: usize = 500;

/// Which of `values` a text column of a table holds: source ids stored already,
/// request numbers taken.
async fn held(conn: &mut AnyConnection, table: &str, column: &str, values: &[&str]) -> Result<HashSet<String>> {
    let mut found = HashSet::new();
    for chunk in values.chunks(SOURCES_PER_STATEMENT) {
        let sql = format!("SELECT {column} FROM {table} WHERE {column} IN ({})", rows::placeholders(1, chunk.len()));
        let mut query = sqlx::query(&sql);
        for value in chunk {
            query = query.bind(*value);
        }
        for row in query.fetch_all(&mut *conn).await? {
            found.insert(row.try_get::<String, _>(0)?);
        }
    }
    Ok(found)
}

pub(crate) async fn store_batch(
    conn: &mut AnyConnection,
    batch: &mut writer::Batch<'_>,
    rows_of: &Batch,
    at: Millis,
) -> Result<Stored> {
    let asked: Vec<&str> = rows_of.items.iter().map(|(source, _)| source.as_str()).collect();
    let stored = held(conn, "import_sources", "source_id", &asked).await?;
    let mut seen = HashSet::new();
    let (fresh, sources): (Vec<&Imported>, Vec<&str>) = rows_of
        .items
        .iter()
        .filter(|(source, _)| !stored.contains(source) && seen.insert(source.as_str()))
        .map(|(source, item)| (item, source.as_str()))
        .unzip();
    let ids = writer::import(conn, batch, &fresh, Index::Later).await?;
    for chunk in sources.iter().zip(&ids).collect::<Vec<_>>().chunks(SOURCES_PER_STATEMENT) {
        let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2)).collect();
        let sql = format!("INSERT INTO import_sources (source_id, request_id) VALUES {}", values.join(", "));
        let mut query = sqlx::query(&sql);
        for (source, id) in chunk {
            query = query.bind(**source).bind(**id);
        }
        query.execute(&mut *conn).await.map_err(|e| StoreError::from_insert(e, "import source"))?;
    }
    let done = Stored { imported: ids.len(), skipped: rows_of.items.len() - ids.len() };
    if let Some(job) = rows_of.job {
        sqlx::query(
            "UPDATE import_jobs SET done_rows = $1, imported = imported + $2, skipped = skipped + $3, \
             updated_at = $4 WHERE id = $5",
        )
        .bind(rows_of.rows_done)
        .bind(done.imported as i64)
        .bind(done.skipped as i64)
        .bind(at)
        .bind(job)
        .execute(&mut *conn)
        .await?;
    }
    Ok(done)
}

/// A mapping saved under a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedMapping {
    pub name: String,
    /// `gongzhi_domain::import::Mapping` as JSON.
    pub mapping: String,
    pub updated_at: Millis,
}

fn mapping_from_row(row: &sqlx::any::AnyRow) -> Result<SavedMapping> {
    Ok(SavedMapping {
        name: row.try_get("name")?,
        mapping: row.try_get("mapping")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Where an import job stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportJob {
    pub id: i64,
    pub file_name: String,
    pub user_id: i64,
    /// `uploaded`, `checked` (a dry run), `running`, `done` or `failed`.
    pub state: String,
    pub total_rows: i64,
    pub valid_rows: i64,
    pub done_rows: i64,
    pub imported: i64,
    pub skipped: i64,
    pub problems: i64,
    /// The mapping used, as JSON; empty before the file was checked.
    pub mapping: String,
    pub error: String,
    pub started_at: Millis,
    pub updated_at: Millis,
    pub finished_at: Option<Millis>,
}

const JOB_COLUMNS: &str = "id, file_name, user_id, state, total_rows, valid_rows, done_rows, imported, skipped, \
                           problems, mapping, error, started_at, updated_at, finished_at";

fn job_from_row(row: &sqlx::any::AnyRow) -> Result<ImportJob> {
    Ok(ImportJob {
        id: row.try_get("id")?,
        file_name: row.try_get("file_name")?,
        user_id: row.try_get("user_id")?,
        state: row.try_get("state")?,
        total_rows: row.try_get("total_rows")?,
        valid_rows: row.try_get("valid_rows")?,
        done_rows: row.try_get("done_rows")?,
        imported: row.try_get("imported")?,
        skipped: row.try_get("skipped")?,
        problems: row.try_get("problems")?,
        mapping: row.try_get("mapping")?,
        error: row.try_get("error")?,
        started_at: row.try_get("started_at")?,
        updated_at: row.try_get("updated_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

/// What checking a job's file found, kept with the job.
pub struct Checked<'a> {
    /// `checked` after a dry run, `running` when the rows are about to be stored.
    pub state: &'a str,
    /// The mapping used, as JSON.
    pub mapping: &'a str,
    pub total_rows: i64,
    pub valid_rows: i64,
    pub problems: i64,
    /// The validation report as JSON, kept for download.
    pub report: &'a str,
}

impl Store {
    /// Stores one batch of a file's rows, skipping those stored already; moves the job.
    pub async fn import_batch(&self, batch: Batch) -> Result<Stored> {
        let (reply, answer) = oneshot::channel();
        let at = gongzhi_domain::time::now();
        self.send(Job::ImportFile { batch, at, reply }, answer).await
    }

    /// Which of these source ids are stored already.
    pub async fn stored_sources(&self, ids: &[&str]) -> Result<HashSet<String>> {
        let mut conn = self.pool().acquire().await?;
        held(&mut conn, "import_sources", "source_id", ids).await
    }

    /// Which of these request numbers are taken already.
    pub async fn numbers_taken(&self, numbers: &[&str]) -> Result<HashSet<String>> {
        let mut conn = self.pool().acquire().await?;
        held(&mut conn, "requests", "number", numbers).await
    }

    pub async fn save_import_mapping(&self, name: &str, mapping: &str, at: Millis) -> Result<()> {
        sqlx::query(
            "INSERT INTO import_mappings (name, mapping, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(mapping)
        .bind(at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn import_mapping(&self, name: &str) -> Result<Option<SavedMapping>> {
        let row = sqlx::query("SELECT name, mapping, updated_at FROM import_mappings WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(mapping_from_row).transpose()
    }

    pub async fn import_mappings(&self) -> Result<Vec<SavedMapping>> {
        let rows = sqlx::query("SELECT name, mapping, updated_at FROM import_mappings ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(mapping_from_row).collect()
    }

    /// Keeps an uploaded file as a new job, `uploaded`; returns its id.
    pub async fn create_import_job(&self, file_name: &str, user_id: i64, file: &[u8], at: Millis) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO import_jobs (file_name, user_id, state, total_rows, valid_rows, done_rows, imported, \
             skipped, problems, mapping, report, file, error, started_at, updated_at) \
             VALUES ($1, $2, 'uploaded', 0, 0, 0, 0, 0, 0, '', '[]', $3, '', $4, $4) RETURNING id",
        )
        .bind(file_name)
        .bind(user_id)
        .bind(file)
        .bind(at)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// The file of a job, until the job is done.
    pub async fn import_job_file(&self, id: i64) -> Result<Option<Vec<u8>>> {
        let row =
            sqlx::query("SELECT file FROM import_jobs WHERE id = $1").bind(id).fetch_optional(self.pool()).await?;
        row.map(|row| Ok(row.try_get::<Vec<u8>, _>("file")?)).transpose()
    }

    /// Keeps what checking a job's file found, and moves the job to `checked.state`.
    pub async fn record_import_check(&self, id: i64, checked: &Checked<'_>, at: Millis) -> Result<()> {
        sqlx::query(
            "UPDATE import_jobs SET state = $1, mapping = $2, total_rows = $3, valid_rows = $4, problems = $5, \
             report = $6, error = '', finished_at = NULL, updated_at = $7 WHERE id = $8",
        )
        .bind(checked.state)
        .bind(checked.mapping)
        .bind(checked.total_rows)
        .bind(checked.valid_rows)
        .bind(checked.problems)
        .bind(checked.report)
        .bind(at)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Marks a job finished: `done`, when its file is let go, or `failed` with the error,
    /// when it is kept to run again.
    pub async fn finish_import_job(&self, id: i64, error: Option<&str>, at: Millis) -> Result<()> {
        let query = match error {
            None => sqlx::query(
                "UPDATE import_jobs SET state = 'done', error = '', file = $1, updated_at = $2, finished_at = $2 \
                 WHERE id = $3",
            )
            .bind(Vec::<u8>::new()),
            Some(error) => sqlx::query(
                "UPDATE import_jobs SET state = 'failed', error = $1, updated_at = $2, finished_at = $2 WHERE id = $3",
            )
            .bind(error.to_string()),
        };
        query.bind(at).bind(id).execute(self.pool()).await?;
        Ok(())
    }

    pub async fn import_job(&self, id: i64) -> Result<Option<ImportJob>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM import_jobs WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// The newest jobs first.
    pub async fn import_jobs(&self, limit: i64) -> Result<Vec<ImportJob>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM import_jobs ORDER BY id DESC LIMIT $1");
        let rows = sqlx::query(&sql).bind(limit).fetch_all(self.pool()).await?;
        rows.iter().map(job_from_row).collect()
    }

    /// A job's validation report, as JSON.
    pub async fn import_job_report(&self, id: i64) -> Result<Option<String>> {
        let row =
            sqlx::query("SELECT report FROM import_jobs WHERE id = $1").bind(id).fetch_optional(self.pool()).await?;
        row.map(|row| Ok(row.try_get("report")?)).transpose()
    }
}
