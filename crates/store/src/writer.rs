//! The one writer: every change to requests passes through here, so that concurrent
//! actions share transactions (group commit) while each keeps its own savepoint, its own
//! place in the event chain and its own answer.
//!
//! The batch takes the chain-head row first; on PostgreSQL that row lock orders the
//! writers of several app instances, on SQLite the database lock does.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gongzhi_domain::lifecycle::{decide, Context};
use gongzhi_domain::measures::{self, Counters};
use gongzhi_domain::request::{number_for, NewRequest};
use gongzhi_domain::time::Millis;
use gongzhi_domain::unit::{may_take, Duty};
use gongzhi_domain::*;
use rand::Rng;
use sqlx::{AnyConnection, Connection, Executor, Row};
use tokio::sync::{mpsc, oneshot};

use crate::attachments::Photos;
use crate::chain::{self, Head, NewEvent};
use crate::metrics::Tally;
use crate::notify::write::Said;
use crate::settings::{self, Settings};
use crate::{rows, search, snapshot, stats, Result, Store, StoreError};
use gongzhi_domain::notify::Cause;

/// A request that intake created, or found again by its idempotency key.
#[derive(Debug, Clone)]
pub struct Created {
    pub request: Request,
    /// True when the idempotency key had been seen: nothing new was created.
    pub replayed: bool,
}

/// A request with its history, written as it stands (demo data, benchmarks, imports of
/// historical records). Its id is given by the store.
#[derive(Debug, Clone)]
pub struct Imported {
    pub request: Request,
    /// (when, actor, draft) in the order they happened, after the submission itself.
    pub events: Vec<(Millis, String, lifecycle::EventDraft)>,
}

// A job is moved once, through the writer's queue: the size of the largest kind costs
// nothing worth a box.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Job {
    Create {
        new: NewRequest,
        key: Option<String>,
        actor: Actor,
        at: Millis,
        /// Intake's routing suggestion, stored with the request in the same transaction.
        suggestion: Option<crate::suggestions::NewSuggestion>,
        /// Photos sent with the submission, kept with its event.
        photos: Vec<Vec<u8>>,
        /// The Open311 client system that sent it, recorded with it.
        origin: Option<crate::open311::Origin>,
        /// What its recorder does with it at once (受理, 直接答复), in the same transaction.
        then: Option<Command>,
        reply: oneshot::Sender<Result<Created>>,
    },
    Act {
        id: i64,
        version: Option<i64>,
        command: Command,
        actor: Actor,
        at: Millis,
        /// Photos sent with the action, kept with the event it writes.
        photos: Vec<Vec<u8>>,
        reply: oneshot::Sender<Result<Request>>,
    },
    Import {
        items: Vec<Imported>,
        reply: oneshot::Sender<Result<Vec<i64>>>,
    },
    /// Rows of a historical file, each under its source id, and the job they move.
    ImportFile {
        batch: crate::import::Batch,
        at: Millis,
        reply: oneshot::Sender<Result<crate::import::Stored>>,
    },
    PiiAccess {
        user_id: i64,
        request_ids: Vec<i64>,
        at: Millis,
    },
    /// One large step of the search index catching up.
    CatchUp {
        reply: oneshot::Sender<Result<usize>>,
    },
    /// The deadline timer: notifications for the deadlines crossed since it last looked.
    Sweep {
        at: Millis,
        reply: oneshot::Sender<Result<usize>>,
    },
    /// A supervision act (draw, callback, order, talk): its rows and its events together.
    Supervise {
        act: crate::supervision::Act,
        actor: Actor,
        at: Millis,
        reply: oneshot::Sender<Result<crate::supervision::Written>>,
    },
    /// A change to deliberation: a proposal, a support, a comment hidden, a meeting or a
    /// decision — an adoption with the request it creates.
    Deliberate {
        act: crate::deliberation::Act,
        actor: Actor,
        at: Millis,
        reply: oneshot::Sender<Result<crate::deliberation::Recorded>>,
    },
}

/// Largest number of jobs that share one transaction.
const BATCH: usize = 256;

pub(crate) fn start(conn: AnyConnection, settings: Arc<settings::Cache>, counters: Arc<Tally>) -> mpsc::Sender<Job> {
    let (sender, receiver) = mpsc::channel(4096);
    tokio::spawn(run(conn, settings, counters, receiver));
    sender
}

async fn run(
    mut conn: AnyConnection,
    settings: Arc<settings::Cache>,
    counters: Arc<Tally>,
    mut jobs: mpsc::Receiver<Job>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut units = HashMap::new();
    // Requests written since the search index last caught up; at start an earlier run
    // may have left some, so the first quiet moment looks.
    let mut pending = search::CATCH_UP as usize;
    loop {
        // The index catches up in full steps while intake goes on, and with whatever is
        // left once writes pause: steps of a few requests each would touch the same
        // index pages over and over, and cost intake most of its time.
        let received = if pending >= search::CATCH_UP as usize {
            None
        } else if pending > 0 {
            // Cancel-safe: a timeout takes no job off the queue.
            tokio::time::timeout(QUIET, jobs.recv_many(&mut batch, BATCH)).await.ok()
        } else {
            Some(jobs.recv_many(&mut batch, BATCH).await)
        };
        let Some(received) = received else {
            pending = catch_up(&mut conn, pending).await;
            continue;
        };
        if received == 0 {
            break;
        }
        // An adoption creates a request too.
        pending += batch.iter().filter(|job| matches!(job, Job::Create { .. } | Job::Deliberate { .. })).count();
        // Imported rows wait in the pending list until writes pause: indexed between
        // the batches of a file, they would cost the import most of its time.
        if batch.iter().any(|job| matches!(job, Job::ImportFile { .. })) {
            pending = pending.max(1);
        }
        // Fast path: the whole batch in one transaction. A statement failing midway
        // spoils it (PostgreSQL refuses anything after an error), so then the batch is
        // rolled back and done again with a savepoint around each job.
        let started = Instant::now();
        let mut outcome = write_batch(&mut conn, &settings, &batch, &mut units, false).await;
        if matches!(outcome, Err(Retry::Careful)) {
            outcome = write_batch(&mut conn, &settings, &batch, &mut units, true).await;
        }
        let seconds = started.elapsed().as_secs_f64();
        counters.batch_size.observe(batch.len() as f64);
        counters.commit_seconds.observe(seconds);
        tracing::debug!(jobs = batch.len(), ms = seconds * 1e3, "write batch");
        match outcome {
            Ok(results) => {
                for (job, result) in batch.drain(..).zip(results) {
                    answer(job, result);
                }
            }
            Err(failure) => {
                let error = match failure {
                    Retry::Careful => "a write failed twice".to_string(),
                    Retry::Failed(error) => error.to_string(),
                };
                tracing::error!(%error, "a write batch failed and was rolled back");
                for job in batch.drain(..) {
                    answer(
                        job,
                        Done::Failed(StoreError::Database(sqlx::Error::Protocol(format!("write failed: {error}")))),
                    );
                }
            }
        }
    }
}

/// How long writes must pause before the search index catches up with fewer than a
/// full step of requests.
const QUIET: Duration = Duration::from_millis(200);

/// One step of the search index catching up, in its own transaction; returns how many
/// requests may still wait for it.
async fn catch_up(conn: &mut AnyConnection, pending: usize) -> usize {
    let started = Instant::now();
    let step = async {
        let mut tx = conn.begin().await?;
        let indexed = search::catch_up(&mut tx, search::CATCH_UP).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(indexed)
    };
    let result = step.await;
    tracing::debug!(ms = started.elapsed().as_secs_f64() * 1e3, ?result, "search index catch-up step");
    match result {
        // A full step may have left more (an earlier run's, or a burst's): look again.
        Ok(indexed) if indexed as i64 == search::CATCH_UP => pending.saturating_sub(indexed).max(1),
        Ok(_) => 0,
        Err(error) => {
            tracing::warn!(%error, "the search index could not catch up; it tries again after the next write");
            0
        }
    }
}

/// What a job came to, before anyone is told.
enum Done {
    Created(Result<Created>),
    Acted(Result<Request>),
    Imported(Result<Vec<i64>>),
    ImportedFile(Result<crate::import::Stored>),
    Logged,
    Supervised(Result<crate::supervision::Written>),
    Deliberated(Result<crate::deliberation::Recorded>),
    CaughtUp(Result<usize>),
    Swept(Result<usize>),
    Failed(StoreError),
}

fn answer(job: Job, done: Done) {
    match (job, done) {
        (Job::Create { reply, .. }, Done::Created(result)) => drop(reply.send(result)),
        (Job::Act { reply, .. }, Done::Acted(result)) => drop(reply.send(result)),
        (Job::Import { reply, .. }, Done::Imported(result)) => drop(reply.send(result)),
        (Job::Create { reply, .. }, Done::Failed(error)) => drop(reply.send(Err(error))),
        (Job::Act { reply, .. }, Done::Failed(error)) => drop(reply.send(Err(error))),
        (Job::Import { reply, .. }, Done::Failed(error)) => drop(reply.send(Err(error))),
        (Job::ImportFile { reply, .. }, Done::ImportedFile(result)) => drop(reply.send(result)),
        (Job::ImportFile { reply, .. }, Done::Failed(error)) => drop(reply.send(Err(error))),
        (Job::Supervise { reply, .. }, Done::Supervised(result)) => drop(reply.send(result)),
        (Job::Supervise { reply, .. }, Done::Failed(error)) => drop(reply.send(Err(error))),
        (Job::Deliberate { reply, .. }, Done::Deliberated(result)) => drop(reply.send(result)),
        (Job::Deliberate { reply, .. }, Done::Failed(error)) => drop(reply.send(Err(error))),
        (Job::CatchUp { reply, .. }, Done::CaughtUp(result)) => drop(reply.send(result)),
        (Job::CatchUp { reply, .. }, Done::Failed(error)) => drop(reply.send(Err(error))),
        (Job::Sweep { reply, .. }, Done::Swept(result)) => drop(reply.send(result)),
        (Job::Sweep { reply, .. }, Done::Failed(error)) => drop(reply.send(Err(error))),
        _ => {}
    }
}

enum Retry {
    /// A statement failed in the fast path: do the batch again with savepoints.
    Careful,
    Failed(StoreError),
}

impl From<sqlx::Error> for Retry {
    fn from(error: sqlx::Error) -> Retry {
        Retry::Failed(StoreError::Database(error))
    }
}

impl From<StoreError> for Retry {
    fn from(error: StoreError) -> Retry {
        Retry::Failed(error)
    }
}

/// What the jobs of one batch share.
pub(crate) struct Batch<'p> {
    pub(crate) head: Head,
    pub(crate) next_id: i64,
    settings: Arc<Settings>,
    /// A unit's path and kind never change once made; the writer keeps those it has
    /// looked up.
    units: &'p mut HashMap<i64, Unit>,
    /// The units switched off, read once a batch when it first names a unit: an admin
    /// may switch one at any time, on any instance.
    inactive: Option<HashSet<i64>>,
    /// The webhook subscriptions, read once a batch when a job first tells of an event.
    listeners: Option<Vec<crate::notify::write::Listener>>,
    /// The notifications the batch's jobs caused, written just before it commits.
    told: crate::notify::write::Told,
}

impl Batch<'_> {
    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Notes the notifications `said` causes, to be written in the batch's transaction.
    pub(crate) async fn tell(&mut self, conn: &mut AnyConnection, said: &crate::notify::write::Said<'_>) -> Result<()> {
        if self.listeners.is_none() {
            self.listeners = Some(crate::notify::write::listeners(conn).await?);
        }
        crate::notify::write::tell(conn, &mut self.told, self.listeners.as_deref().unwrap_or_default(), said).await
    }
}

/// Runs `work` in its own savepoint, so that a refusal met halfway, or a failed
/// statement, undoes all it wrote while the batch's other jobs stand.
pub(crate) async fn in_savepoint<T>(
    conn: &mut AnyConnection,
    work: impl AsyncFnOnce(&mut AnyConnection) -> Result<T>,
) -> Result<T> {
    conn.execute("SAVEPOINT step").await?;
    let result = work(&mut *conn).await;
    conn.execute(if result.is_ok() { "RELEASE SAVEPOINT step" } else { "ROLLBACK TO SAVEPOINT step" }).await?;
    result
}

/// Errors a job can only meet after a failed statement, which spoils the transaction.
fn spoils(result: &Result<impl Sized>) -> bool {
    matches!(result, Err(StoreError::Database(_) | StoreError::Duplicate(_) | StoreError::Migration(_)))
}

async fn write_batch(
    conn: &mut AnyConnection,
    cache: &settings::Cache,
    jobs: &[Job],
    units: &mut HashMap<i64, Unit>,
    careful: bool,
) -> Result<Vec<Done>, Retry> {
    let mut tx = conn.begin().await?;
    // Taking the head row first serialises writers across app instances.
    tx.execute("UPDATE chain_head SET seq = seq WHERE id = 1").await?;
    let row = sqlx::query("SELECT seq, hash FROM chain_head WHERE id = 1").fetch_one(&mut *tx).await?;
    let head = Head { seq: row.try_get("seq")?, hash: row.try_get("hash")? };
    let next_id: i64 =
        sqlx::query("SELECT COALESCE(MAX(id), 0) AS id FROM requests").fetch_one(&mut *tx).await?.try_get("id")?;
    let settings = settings::current(cache, &mut tx).await?;
    let told = Default::default();
    let mut batch = Batch { head, next_id: next_id + 1, settings, units, inactive: None, listeners: None, told };

    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        let saved = (batch.head.clone(), batch.next_id, batch.told.mark());
        if careful {
            tx.execute("SAVEPOINT job").await?;
        }
        let (done, spoilt) = match job {
            Job::Create { new, key, actor, at, suggestion, photos, origin, then, .. } => {
                let intake =
                    Intake { new, key: key.as_deref(), actor, at: *at, suggestion: suggestion.as_ref(), photos };
                let result = create(&mut tx, &mut batch, intake, then.as_ref(), origin.as_ref()).await;
                {
                    let spoilt = spoils(&result);
                    (Done::Created(result), spoilt)
                }
            }
            Job::Act { id, version, command, actor, at, photos, .. } => {
                let result = act_with_photos(&mut tx, &mut batch, *id, *version, command, actor, *at, photos).await;
                {
                    let spoilt = spoils(&result);
                    (Done::Acted(result), spoilt)
                }
            }
            Job::Import { items, .. } => {
                let result = import(&mut tx, &mut batch, &items.iter().collect::<Vec<_>>(), Index::Now).await;
                {
                    let spoilt = spoils(&result);
                    (Done::Imported(result), spoilt)
                }
            }
            Job::ImportFile { batch: rows, at, .. } => {
                let result = crate::import::store_batch(&mut tx, &mut batch, rows, *at).await;
                let spoilt = spoils(&result);
                (Done::ImportedFile(result), spoilt)
            }
            Job::PiiAccess { user_id, request_ids, at } => {
                let result = log_access(&mut tx, *user_id, request_ids, *at).await;
                {
                    let spoilt = spoils(&result);
                    (Done::Logged, spoilt)
                }
            }
            Job::CatchUp { .. } => {
                let result = search::catch_up(&mut tx, search::BULK_CATCH_UP).await;
                let spoilt = spoils(&result);
                (Done::CaughtUp(result), spoilt)
            }
            Job::Sweep { at, .. } => {
                let result = crate::notify::sweep(&mut tx, &mut batch, *at).await;
                let spoilt = spoils(&result);
                (Done::Swept(result), spoilt)
            }
            Job::Supervise { act, actor, at, .. } => {
                let result = crate::supervision::run(&mut tx, &mut batch, act, actor, *at).await;
                let spoilt = spoils(&result);
                (Done::Supervised(result), spoilt)
            }
            Job::Deliberate { act, actor, at, .. } => {
                let change = async |conn: &mut AnyConnection| {
                    crate::deliberation::apply(conn, &mut batch, act, actor, *at).await
                };
                let result = in_savepoint(&mut tx, change).await;
                let spoilt = spoils(&result);
                (Done::Deliberated(result), spoilt)
            }
        };
        if spoilt && !careful {
            drop(tx);
            return Err(Retry::Careful);
        }
        if careful {
            tx.execute(if spoilt { "ROLLBACK TO SAVEPOINT job" } else { "RELEASE SAVEPOINT job" }).await?;
        }
        if spoilt
            || matches!(
                &done,
                Done::Created(Err(_))
                    | Done::Acted(Err(_))
                    | Done::Imported(Err(_))
                    | Done::ImportedFile(Err(_))
                    | Done::Supervised(Err(_))
                    | Done::Deliberated(Err(_))
                    | Done::Swept(Err(_))
            )
        {
            let (head, next_id, told) = saved;
            (batch.head, batch.next_id) = (head, next_id);
            batch.told.back_to(told);
        }
        results.push(done);
    }
    batch.told.write(&mut tx).await?;
    sqlx::query("UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(batch.head.seq)
        .bind(batch.head.hash.as_str())
        .execute(&mut *tx)
        .await?;
    // Only after this, durable, may anyone hear that their write succeeded.
    tx.commit().await?;
    Ok(results)
}

pub(crate) fn actor_name(actor: &Actor) -> String {
    match actor {
        Actor::Staff(staff) => format!("user:{}", staff.user_id),
        Actor::Requester => "requester".into(),
        Actor::System => "system".into(),
    }
}

/// Unambiguous to read out over the phone: no 0/O, 1/I/L.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

pub fn tracking_code() -> String {
    let mut rng = rand::thread_rng();
    (0..10).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect()
}

/// The unit a request names for a duty, if it may take it now (`unit::may_take`): the one
/// check of every intake channel and every dispatch.
pub(crate) async fn unit_for(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    unit_id: i64,
    duty: Duty,
    field: &'static str,
) -> Result<Unit> {
    let unit = match batch.units.get(&unit_id) {
        Some(unit) => unit.clone(),
        None => crate::units::unit_in(conn, unit_id).await?,
    };
    if batch.inactive.is_none() {
        let rows = sqlx::query("SELECT id FROM units WHERE active = 0").fetch_all(&mut *conn).await?;
        batch.inactive = Some(rows.iter().map(|row| row.try_get("id")).collect::<Result<_, _>>()?);
    }
    let active = !batch.inactive.as_ref().is_some_and(|inactive| inactive.contains(&unit_id));
    // A refusal names the unit as it is called now, not as it was when it was kept.
    let unit = match may_take(&unit, active, duty, field) {
        Ok(()) => unit,
        Err(_) => crate::units::unit_in(conn, unit_id).await?,
    };
    may_take(&unit, active, duty, field)?;
    batch.units.insert(unit_id, unit.clone());
    Ok(unit)
}

/// The working days to resolve that a category sets, or failing that the nearest of
/// its parents: a first-level category's days hold for everything under it.
async fn category_days(conn: &mut AnyConnection, category_id: i64) -> Result<Option<u32>> {
    let mut next = Some(category_id);
    // Three levels at most; the bound only guards against a damaged tree.
    for depth in 0..8 {
        let Some(id) = next else { break };
        let row = sqlx::query("SELECT resolve_days, parent_id FROM categories WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else {
            return if depth == 0 { Err(StoreError::UnknownCategory(category_id)) } else { Ok(None) };
        };
        let days: Option<i64> = row.try_get("resolve_days")?;
        if let Some(days) = days {
            return Ok(Some(days.clamp(0, 365) as u32));
        }
        next = row.try_get("parent_id")?;
    }
    Ok(None)
}

pub(crate) async fn load(conn: &mut AnyConnection, id: i64) -> Result<Request> {
    let sql = format!("SELECT {} FROM requests WHERE id = $1", rows::select_columns());
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *conn).await?.ok_or(StoreError::NotFound)?;
    rows::request_from_row(&row)
}

/// Longest idempotency key kept, in bytes, with the caller's scope in front of it.
pub const MAX_IDEMPOTENCY_KEY: usize = 256;

fn check_idempotency_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY || key.contains('\0') {
        return Err(StoreError::Invalid(format!("an idempotency key is 1 to {MAX_IDEMPOTENCY_KEY} bytes")));
    }
    Ok(())
}

/// What a submission said, as a digest kept with its idempotency key: a replay must say
/// the same, or it is someone else's submission under a key they should not have.
fn submission_digest(new: &NewRequest) -> String {
    use sha2::Digest;
    let text = serde_json::to_string(new).unwrap_or_default();
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// A submission as the writer takes it.
pub(crate) struct Intake<'j> {
    pub(crate) new: &'j NewRequest,
    pub(crate) key: Option<&'j str>,
    pub(crate) actor: &'j Actor,
    pub(crate) at: Millis,
    pub(crate) suggestion: Option<&'j crate::suggestions::NewSuggestion>,
    pub(crate) photos: &'j [Vec<u8>],
}

/// The context of an action taken at intake: accepting or answering needs no unit, no
/// category and no order.
fn intake_context(settings: &Settings, at: Millis) -> Context<'_> {
    let (policy, calendar) = (&settings.policy, &settings.calendar);
    Context { now: at, policy, calendar, dispatch_path: None, category_resolve_days: None, rework_due: None }
}

/// Stores a new request, then takes `then` on it. Whether the rules allow `then` is
/// decided before anything is written, so that a refusal leaves no request behind. The
/// Open311 client that sent it, if one did, is recorded with it and named in its first
/// event.
pub(crate) async fn create(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    intake: Intake<'_>,
    then: Option<&Command>,
    origin: Option<&crate::open311::Origin>,
) -> Result<Created> {
    let Intake { new, key, actor, at, suggestion, photos } = intake;
    let photos = Photos::check(photos)?;
    let digest = key.map(|_| submission_digest(new));
    if let Some(key) = key {
        check_idempotency_key(key)?;
        let seen = sqlx::query("SELECT request_id, digest FROM idempotency WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(row) = seen {
            // Keys stored before digests were kept have none, and are taken at their word.
            let stored: String = row.try_get("digest")?;
            if !stored.is_empty() && Some(&stored) != digest.as_ref() {
                return Err(StoreError::Refused("idempotency_mismatch"));
            }
            let request = load(conn, row.try_get("request_id")?).await?;
            return Ok(Created { request, replayed: true });
        }
    }
    let path = unit_for(conn, batch, new.unit_id, Duty::Place, "unit_id").await?.path;
    if let Some(category) = new.category_id {
        category_days(conn, category).await?;
    }
    let mut request = Request::submitted(new.clone(), path, at);
    if let Some(command) = then {
        // A rectification goes to its department at once: that unit is read here too.
        let to = match command {
            Command::Rectify { unit_id, .. } | Command::Adopt { unit_id, .. } => {
                Some(unit_for(conn, batch, *unit_id, Duty::Handling, "unit_id").await?.path)
            }
            _ => None,
        };
        let ctx = Context { dispatch_path: to.as_deref(), ..intake_context(&batch.settings, at) };
        decide(&request, command, actor, &ctx)?;
    }
    request.id = batch.next_id;
    batch.next_id += 1;
    request.number = number_for(request.id, at);
    request.tracking_code = tracking_code();
    let sql = rows::insert_sql(crate::Backend::of_connection(conn), 1);
    rows::bind_moving(rows::bind_fixed(sqlx::query(&sql), &request), &request)
        .execute(&mut *conn)
        .await
        .map_err(|e| StoreError::from_insert(e, "request"))?;
    search::defer(conn, request.id).await?;
    let mut payload = serde_json::json!({ "channel": request.new.channel });
    if let Some(origin) = origin {
        crate::open311::record(conn, request.id, origin, at).await?;
        payload["open311_client"] = origin.client_id.into();
    }
    let event = batch.head.link(NewEvent {
        request_id: request.id,
        at,
        actor: actor_name(actor),
        action: "submit",
        from_status: "",
        to_status: Status::Submitted.as_str(),
        note: "",
        payload: payload.to_string(),
        snapshot: snapshot::whole(&request),
    });
    let event_id = event.id;
    chain::insert(conn, &[event]).await?;
    batch.tell(conn, &Said::of(Cause::Submitted, event_id, &request, "", at)).await?;
    photos.insert(conn, request.id, Some(event_id), at).await?;
    stats::apply(conn, &measures::delta(None, &request)).await?;
    if let (Some(key), Some(digest)) = (key, digest) {
        sqlx::query("INSERT INTO idempotency (key, request_id, created_at, digest) VALUES ($1, $2, $3, $4)")
            .bind(key)
            .bind(request.id)
            .bind(at)
            .bind(digest)
            .execute(&mut *conn)
            .await?;
    }
    if let Some(suggestion) = suggestion {
        crate::suggestions::insert(conn, request.id, at, suggestion).await?;
    }
    if let Some(command) = then {
        request = act(conn, batch, request.id, Some(request.version), command, actor, at, None).await?;
    }
    Ok(Created { request, replayed: false })
}

/// Runs one lifecycle command with the photos sent with it, which are kept with the
/// event the command writes — in the same transaction, so no other action comes between.
#[allow(clippy::too_many_arguments)]
async fn act_with_photos(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    id: i64,
    version: Option<i64>,
    command: &Command,
    actor: &Actor,
    at: Millis,
    photos: &[Vec<u8>],
) -> Result<Request> {
    // Checked before anything is written: a refusal after a write would need a savepoint.
    let photos = Photos::check(photos)?;
    let request = act(conn, batch, id, version, command, actor, at, None).await?;
    // The event just linked is the chain's head.
    photos.insert(conn, id, Some(batch.head.seq), at).await?;
    Ok(request)
}

/// Runs one lifecycle command. A supervisor's reopen for rework passes the rework
/// order's due date, which becomes the request's new resolve deadline.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn act(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    id: i64,
    version: Option<i64>,
    command: &Command,
    actor: &Actor,
    at: Millis,
    rework_due: Option<Millis>,
) -> Result<Request> {
    let request = load(conn, id).await?;
    if let Actor::Staff(staff) = actor {
        // Out of scope looks like absent: existence is not leaked.
        if !request.visible_to(staff) {
            return Err(StoreError::NotFound);
        }
    }
    if let Some(seen) = version {
        if seen != request.version {
            return Err(StoreError::Conflict { current: request.version });
        }
    }
    let dispatch_path = match command {
        Command::Dispatch { unit_id, co_unit_ids, .. } => {
            for co in co_unit_ids {
                unit_for(conn, batch, *co, Duty::Handling, "co_unit_ids").await?;
            }
            Some(unit_for(conn, batch, *unit_id, Duty::Handling, "unit_id").await?.path)
        }
        Command::Rectify { unit_id, .. } | Command::Adopt { unit_id, .. } => {
            Some(unit_for(conn, batch, *unit_id, Duty::Handling, "unit_id").await?.path)
        }
        Command::Merge { into } => {
            let target =
                load(conn, *into).await.map_err(|_| StoreError::Invalid(format!("request {into} does not exist")))?;
            let visible = actor.staff().is_none_or(|staff| target.visible_to(staff));
            if !visible || target.status == Status::Merged || target.status == Status::Rejected {
                return Err(StoreError::Invalid(format!("request {into} cannot take a merge")));
            }
            None
        }
        Command::Press { .. } => {
            // Pressed by its press order already: that order is where the push goes on.
            crate::supervision::no_open_order(conn, id, gongzhi_domain::supervision::OrderKind::Press).await?;
            None
        }
        _ => None,
    };
    let category_resolve_days = match (command, request.new.category_id) {
        (Command::Dispatch { .. } | Command::Reopen { .. }, Some(category)) => category_days(conn, category).await?,
        _ => None,
    };
    let settings = &batch.settings;
    let ctx = Context {
        now: at,
        policy: &settings.policy,
        calendar: &settings.calendar,
        dispatch_path: dispatch_path.as_deref(),
        category_resolve_days,
        rework_due,
    };
    let outcome = decide(&request, command, actor, &ctx)?;
    let next = outcome.request;
    let sql = rows::update_sql();
    let updated =
        rows::bind_moving(sqlx::query(&sql), &next).bind(next.id).bind(request.version).execute(&mut *conn).await?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::Conflict { current: request.version });
    }
    if next.co_unit_ids != request.co_unit_ids {
        crate::co_units::record(conn, id, &next.co_unit_ids).await?;
    }
    let event = batch.head.link(NewEvent {
        request_id: id,
        at,
        actor: actor_name(actor),
        action: outcome.event.action.as_str(),
        from_status: outcome.event.from.as_str(),
        to_status: outcome.event.to.as_str(),
        note: &outcome.event.note,
        payload: outcome.event.payload.to_string(),
        snapshot: snapshot::change(&request, &next),
    });
    let event_id = event.id;
    chain::insert(conn, &[event]).await?;
    let cause = Cause::Action(outcome.event.action);
    batch.tell(conn, &Said::of(cause, event_id, &next, &outcome.event.note, at)).await?;
    stats::apply(conn, &measures::delta(Some(&request), &next)).await?;
    crate::accuracy::follow(conn, &request, &next).await?;
    Ok(next)
}

/// When imported requests enter the search index.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Index {
    /// In the same transaction (demo data, which is searched at once).
    Now,
    /// Listed as pending, for the writer to index once writes pause.
    Later,
}

/// Requests per insert statement (43 columns a row), well within both databases'
/// parameter limits, and enough that round trips are a small share of an import.
const REQUESTS_PER_STATEMENT: usize = 100;

pub(crate) async fn import(
    conn: &mut AnyConnection,
    batch: &mut Batch<'_>,
    items: &[&Imported],
    index: Index,
) -> Result<Vec<i64>> {
    let mut requests = Vec::with_capacity(items.len());
    let mut events = Vec::with_capacity(items.len() * 6);
    let mut cells: BTreeMap<(i64, i64), Counters> = BTreeMap::new();
    for item in items {
        // Records from elsewhere meet the rule every channel meets: an inactive unit
        // takes no new requests. Checked before anything is written.
        unit_for(conn, batch, item.request.new.unit_id, Duty::Place, "unit_id").await?;
    }
    for item in items {
        let mut request = item.request.clone();
        request.id = batch.next_id;
        batch.next_id += 1;
        if request.number.is_empty() {
            request.number = number_for(request.id, request.created_at);
        }
        if request.tracking_code.is_empty() {
            request.tracking_code = tracking_code();
        }
        // The history arrives without the states between its steps: its last event
        // records the row as written.
        let whole = |last: bool| if last { snapshot::whole(&request) } else { String::new() };
        events.push(batch.head.link(NewEvent {
            request_id: request.id,
            at: request.created_at,
            actor: "requester".into(),
            action: "submit",
            from_status: "",
            to_status: Status::Submitted.as_str(),
            note: "",
            payload: serde_json::json!({ "channel": request.new.channel }).to_string(),
            snapshot: whole(item.events.is_empty()),
        }));
        for (i, (at, actor, draft)) in item.events.iter().enumerate() {
            events.push(batch.head.link(NewEvent {
                request_id: request.id,
                at: *at,
                actor: actor.clone(),
                action: draft.action.as_str(),
                from_status: draft.from.as_str(),
                to_status: draft.to.as_str(),
                note: &draft.note,
                payload: draft.payload.to_string(),
                snapshot: whole(i + 1 == item.events.len()),
            }));
        }
        for (key, delta) in measures::delta(None, &request) {
            cells.entry(key).or_default().add(&delta, 1);
        }
        requests.push(request);
    }
    let backend = crate::Backend::of_connection(conn);
    for chunk in requests.chunks(REQUESTS_PER_STATEMENT) {
        let sql = rows::insert_sql(backend, chunk.len());
        let mut query = sqlx::query(&sql);
        for request in chunk {
            query = rows::bind_moving(rows::bind_fixed(query, request), request);
        }
        query.execute(&mut *conn).await.map_err(|e| StoreError::from_insert(e, "request"))?;
    }
    for request in requests.iter().filter(|r| !r.co_unit_ids.is_empty()) {
        crate::co_units::record(conn, request.id, &request.co_unit_ids).await?;
    }
    match index {
        Index::Now => {
            search::index(conn, requests.iter().map(|r| (r.id, r.new.title.as_str(), r.new.content.as_str()))).await?
        }
        Index::Later => search::defer_all(conn, requests.iter().map(|r| r.id)).await?,
    }
    chain::insert(conn, &events).await?;
    stats::apply(conn, &cells).await?;
    Ok(requests.iter().map(|r| r.id).collect())
}

async fn log_access(conn: &mut AnyConnection, user_id: i64, request_ids: &[i64], at: Millis) -> Result<()> {
    for chunk in request_ids.chunks(100) {
        let rows: Vec<String> = (0..chunk.len()).map(|i| format!("($1, $2, ${})", i + 3)).collect();
        let sql = format!("INSERT INTO pii_access (at, user_id, request_id) VALUES {}", rows.join(", "));
        let mut query = sqlx::query(&sql).bind(at).bind(user_id);
        for id in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

impl Store {
    pub(crate) async fn send<T>(&self, job: Job, answer: oneshot::Receiver<Result<T>>) -> Result<T> {
        self.writer.send(job).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Brings the search index up to date with every request written so far, returning
    /// how many it indexed. The writer does this by itself when idle, in small steps that
    /// keep intake quick; searches read what is not indexed yet. After an import this
    /// indexes its rows in large steps, many times faster.
    pub async fn catch_up_search(&self) -> Result<usize> {
        let mut indexed = 0;
        // A step at a time, so that other writes go on between them.
        loop {
            let (reply, answer) = oneshot::channel();
            let step = self.send(Job::CatchUp { reply }, answer).await?;
            indexed += step;
            if (step as i64) < search::BULK_CATCH_UP {
                return Ok(indexed);
            }
        }
    }

    /// Intake: stores a new request with its first event. With an idempotency key, a
    /// repeated call returns the request the first call created.
    pub async fn create(&self, new: NewRequest, idempotency_key: Option<String>, actor: Actor) -> Result<Created> {
        self.create_with(new, idempotency_key, actor, None, Vec::new(), None, None).await
    }

    /// As `create`, storing intake's routing suggestion with the request.
    pub async fn create_suggested(
        &self,
        new: NewRequest,
        idempotency_key: Option<String>,
        actor: Actor,
        suggestion: Option<crate::suggestions::NewSuggestion>,
    ) -> Result<Created> {
        self.create_with(new, idempotency_key, actor, suggestion, Vec::new(), None, None).await
    }

    /// As `create_suggested`, keeping the photos sent with the submission with its
    /// first event, in the same transaction: the request and its photos are kept
    /// together or not at all. The request's own rules (`NewRequest::check`) are the
    /// caller's to check first; the unit's are checked here, where it is read. `then` is
    /// an action its recorder takes on it at once (accept, answer), in the same
    /// transaction: the request is made with it or, refused by the rules, not at all. The
    /// Open311 client that sent it, if one did, is recorded with it in the same
    /// transaction, and named in its first event.
    pub async fn create_with(
        &self,
        new: NewRequest,
        idempotency_key: Option<String>,
        actor: Actor,
        suggestion: Option<crate::suggestions::NewSuggestion>,
        photos: Vec<Vec<u8>>,
        then: Option<Command>,
        origin: Option<crate::open311::Origin>,
    ) -> Result<Created> {
        let (reply, answer) = oneshot::channel();
        let at = gongzhi_domain::time::now();
        let channel = new.channel;
        let action = then.as_ref().map(Command::action);
        let key = idempotency_key;
        let job = Job::Create { new, key, actor, at, suggestion, photos, origin, then, reply };
        let created = self.send(job, answer).await?;
        if !created.replayed {
            self.counters.created(channel);
            if let Some(action) = action {
                self.counters.acted(action);
            }
        }
        Ok(created)
    }

    /// Takes an action on a request. `version` is the one the actor saw; a stale one is a
    /// conflict and changes nothing.
    pub async fn act(&self, id: i64, version: Option<i64>, command: Command, actor: Actor) -> Result<Request> {
        self.act_at(id, version, command, actor, gongzhi_domain::time::now()).await
    }

    /// As `act`, at a given time: for timers and for replaying history.
    pub async fn act_at(
        &self,
        id: i64,
        version: Option<i64>,
        command: Command,
        actor: Actor,
        at: Millis,
    ) -> Result<Request> {
        self.act_with(id, version, command, actor, at, Vec::new()).await
    }

    /// As `act_at`, keeping the photos sent with the action with the event it writes, in
    /// the same transaction: a concurrent action on the request cannot come between
    /// them, and the action and its photos are kept together or not at all.
    pub async fn act_with(
        &self,
        id: i64,
        version: Option<i64>,
        command: Command,
        actor: Actor,
        at: Millis,
        photos: Vec<Vec<u8>>,
    ) -> Result<Request> {
        let (reply, answer) = oneshot::channel();
        let action = command.action();
        let request = self.send(Job::Act { id, version, command, actor, at, photos, reply }, answer).await?;
        self.counters.acted(action);
        Ok(request)
    }

    /// Writes requests with their histories in one transaction; returns their ids.
    pub async fn import(&self, items: Vec<Imported>) -> Result<Vec<i64>> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Import { items, reply }, answer).await
    }

    /// Writes the notifications of the deadlines crossed since the timer last looked, on
    /// any instance: each deadline is told once. Returns how many requests it told of.
    pub async fn sweep_deadlines(&self, at: Millis) -> Result<usize> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Sweep { at, reply }, answer).await
    }

    /// Records that a user saw these requesters' real phone numbers. Queued behind other
    /// writes rather than waited for, so reading stays fast.
    pub async fn log_pii_access(&self, user_id: i64, request_ids: Vec<i64>) {
        if request_ids.is_empty() {
            return;
        }
        let at = gongzhi_domain::time::now();
        let _ = self.writer.send(Job::PiiAccess { user_id, request_ids, at }).await;
    }
}
