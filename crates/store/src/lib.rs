//! Where Gongzhi keeps its data: SQLite for one machine, PostgreSQL for deployments that
//! outgrow it.
//!
//! One implementation serves both through sqlx's `Any` driver: the SQL is written once in
//! the dialect both databases share, and each backend has its own migrations folder for
//! the schema, where the dialects differ. Two hand-written copies of every query would
//! drift apart; one copy run by one conformance suite on both databases cannot.
//!
//! Writes go through one writer task per process that groups concurrent actions into one
//! transaction (group commit): each action still gets its own savepoint, its own event in
//! the hash chain and its own answer, but they share one fsync. Reads go to a pool.
//! Scope is enforced here, in every query, not left to callers.
//!
//! The store does not decide what an action does — `gongzhi_domain::lifecycle` does — and
//! it renders nothing.

mod accounts;
mod accuracy;
mod admin;
pub mod anchors;
mod attachments;
mod audit;
mod bulletins;
pub mod campaigns;
mod category_words;
mod chain;
mod co_units;
pub mod deliberation;
mod error;
mod figures;
pub mod history;
mod import;
pub mod inspection;
mod intake;
mod lists;
mod map;
pub mod metrics;
mod notify;
pub mod open311;
mod queries;
mod replay;
mod rows;
mod search;
mod settings;
mod snapshot;
mod stats;
mod suggestions;
mod supervision;
pub mod tasks;
pub mod testing;
mod throttle;
mod units;
mod writer;

pub use accounts::{
    hash_password, new_token, well_formed_login, Account, TokenInfo, LOGIN_SOURCE_DAYS, MAX_TOKEN, MIN_PASSWORD,
};
pub use admin::{AuditEntry, Listing, UnitEntry};
pub use anchors::Anchor;
pub use attachments::{photo_type, Attachment, AttachmentInfo};
pub use audit::AuditReport;
pub use bulletins::Bulletin;
pub use chain::{Breach, ChainReport, EventRecord, Found};
pub use error::StoreError;
pub use figures::FigureScope;
pub use import::{Batch as ImportBatch, Checked as ImportChecked, ImportJob, SavedMapping, Stored};
pub use lists::{Claims, Owner, MAX_ENTRIES};
pub use map::{MapFilter, MapPoint, MapView};
pub use notify::{Claimed, InboxEntry, NotifyPrefs, OutboxCounts, OutboxEntry, Subscription, MAX_HOOK_URL};
pub use queries::{ListFilter, MergedInto, Page, Queue, TrackView, MAX_PAGE};
pub use replay::{Mismatch, ReplayReport, MAX_MISMATCHES};
pub use search::searchable;
pub use settings::Settings;
pub use suggestions::{
    DuplicateRef, NewSuggestion, RequestHead, RequestText, RouteModelRecord, Suggestion, SuggestionAccuracy,
    TrainingRow, TEXTS_AT_ONCE,
};
pub use supervision::{
    Attempt, CallInput, CallbackFigure, CallbackSummary, DrawSpec, Late, LateGroup, Lateness, NewOrder, OrderFilter,
    QuestionTally, Reproduction, ReviewFlag, ReviewRun, Sample, SampleItem, Talk, Verdict, VerdictFilter, Written,
};
pub use throttle::MAX_THROTTLE_KEY;
pub use writer::{Created, Imported};

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};
use tokio::sync::mpsc;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Invalid(format!("unsupported database url `{url}`: use sqlite:// or postgres://")))
        }
    }

    /// The backend a connection speaks to.
    pub(crate) fn of_connection(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name() == "SQLite" {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    writer: mpsc::Sender<writer::Job>,
    settings: Arc<settings::Cache>,
    counters: Arc<metrics::Tally>,
}

/// Statements slower than this are logged as warnings with their SQL: 500 ms, or
/// `GONGZHI_SLOW_STATEMENT_MS` when an operator looks for what a slow page waits on.
fn slow_statement() -> Duration {
    let millis = std::env::var("GONGZHI_SLOW_STATEMENT_MS").ok().and_then(|v| v.trim().parse().ok());
    Duration::from_millis(millis.unwrap_or(500))
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connects, migrates, and starts the writer. `sqlite://path/to/file.db` creates the
    /// file if needed.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Warn, slow_statement());
        let readers = match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 8,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(readers)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        prepare_sqlite(conn).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await?;
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        let mut conn = sqlx::AnyConnection::connect_with(&options).await?;
        if backend == Backend::Sqlite {
            prepare_sqlite(&mut conn).await?;
            // The checkpoint task does this work; this is only the backstop.
            conn.execute("PRAGMA wal_autocheckpoint = 20000").await?;
            // The writer touches the search postings all over their index: a larger cache
            // than the readers' keeps those pages in memory between batches.
            conn.execute("PRAGMA cache_size = -131072").await?;
            // A statement of many rows keeps a journal of its own, to undo just itself if
            // one row breaks a rule; in memory it costs no file writes.
            conn.execute("PRAGMA temp_store = MEMORY").await?;
            // Another process's write (a `gongzhi import` indexing its rows holds the lock
            // for seconds at a time) is waited for rather than failed: a write that waits
            // is late, one that fails is an error to whoever sent it.
            conn.execute("PRAGMA busy_timeout = 60000").await?;
        }
        let settings = Arc::new(settings::Cache::default());
        let counters = Arc::new(metrics::Tally::default());
        let writer = writer::start(conn, settings.clone(), counters.clone());
        let store = Store { pool, backend, writer, settings, counters };
        store.refresh_settings().await?;
        tokio::spawn(Chore::of(backend).run(store.pool.clone()));
        tokio::spawn(Chore::ClearAttempts.run(store.pool.clone()));
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Refreshes the planner's statistics and the requests' visibility map, as after a
    /// bulk import: PostgreSQL's autovacuum would get there too, but later (or never,
    /// where it is turned off), and plans made on stale counts read whole tables, and
    /// index-only reads of open work go to the table for every row not yet vacuumed.
    /// SQLite keeps its fixed plans.
    pub async fn analyze(&self) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("VACUUM requests, search_pending").execute(&self.pool).await?;
            sqlx::query("ANALYZE").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Closes the pool after the writer has finished what it was given.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Housekeeping the database needs on a schedule, off the writer's path.
#[derive(Clone, Copy)]
enum Chore {
    /// Copies SQLite's write-ahead log into the database once a second: left to the
    /// writer, every thousandth page would stall intake while it checkpoints.
    Checkpoint,
    /// Clears PostgreSQL's pending search list of the rows the catch-up deleted, once a
    /// minute. Every search reads that list; left full of dead rows (autovacuum may be
    /// off, and counts it from a table that is empty between bursts) it is read in full
    /// each time and misleads the planner into starting parallel workers for it.
    VacuumPending,
    /// Clears throttle windows that have passed and the addresses accounts have not
    /// logged in from for `LOGIN_SOURCE_DAYS`, once a minute: the throttle holds a row
    /// for every address and login ever tried, and would otherwise grow without end.
    ClearAttempts,
}

impl Chore {
    fn of(backend: Backend) -> Chore {
        match backend {
            Backend::Sqlite => Chore::Checkpoint,
            Backend::Postgres => Chore::VacuumPending,
        }
    }

    async fn run(self, pool: AnyPool) {
        let every = match self {
            Chore::Checkpoint => Duration::from_secs(1),
            Chore::VacuumPending | Chore::ClearAttempts => Duration::from_secs(60),
        };
        let mut tick = tokio::time::interval(every);
        while !pool.is_closed() {
            tick.tick().await;
            if let Err(error) = self.once(&pool).await {
                tracing::debug!(%error, "housekeeping skipped");
            }
        }
    }

    async fn once(self, pool: &AnyPool) -> Result<()> {
        match self {
            Chore::Checkpoint => sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(pool).await.map(|_| ())?,
            Chore::VacuumPending => sqlx::query("VACUUM (ANALYZE) search_pending").execute(pool).await.map(|_| ())?,
            Chore::ClearAttempts => throttle::clear_passed(pool, gongzhi_domain::time::now()).await.map(|_| ())?,
        }
        Ok(())
    }
}

/// WAL lets readers run beside the writer; `synchronous = FULL` makes every commit
/// durable (fsync) before it is acknowledged.
async fn prepare_sqlite(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    conn.execute("PRAGMA journal_mode = WAL").await?;
    conn.execute("PRAGMA synchronous = FULL").await?;
    conn.execute("PRAGMA busy_timeout = 10000").await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    conn.execute("PRAGMA cache_size = -16000").await?;
    Ok(())
}
