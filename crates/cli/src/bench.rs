//! `gongzhi bench`: a realistic district of N requests in either database, then a
//! running server measured over HTTP the way its users load it — intake from many
//! clients at once, then a handler's queue, a subdistrict's filtered list, request
//! details and a month's measures — with the server's peak memory.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::{Datelike, Months, NaiveDate};
use gongzhi_domain::time;
use gongzhi_store::Store;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use sqlx::{Connection, Executor};

use crate::{corpus, seed, synth};

pub mod deliberation;
pub mod import;
pub mod inspection;
pub mod proactive;
mod publishing;

pub struct Options {
    pub requests: u64,
    /// A PostgreSQL URL to create the bench database next to; SQLite in a temporary folder
    /// when none.
    pub database_url: Option<String>,
    pub clients: usize,
    pub intake_seconds: u64,
    pub samples: usize,
    pub read_clients: usize,
    pub keep: bool,
    /// A database an earlier `--keep` run left, measured again without loading it anew.
    pub reuse: Option<String>,
}

pub(crate) struct Database {
    pub(crate) url: String,
    /// For PostgreSQL: the admin URL and the database to drop afterwards.
    drop: Option<(String, String)>,
    dir: Option<PathBuf>,
}

pub(crate) async fn database(database_url: Option<&str>, reuse: Option<&str>) -> Result<Database> {
    if let Some(url) = reuse {
        return Ok(Database { url: url.to_string(), drop: None, dir: None });
    }
    match database_url {
        Some(admin) if admin.starts_with("postgres") => {
            sqlx::any::install_default_drivers();
            let name = format!("gongzhi_bench_{}", std::process::id());
            let mut conn = sqlx::AnyConnection::connect(admin).await.context("connect to PostgreSQL")?;
            conn.execute(format!("CREATE DATABASE {name}").as_str()).await?;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
            Ok(Database { url: format!("{base}/{name}"), drop: Some((admin.to_string(), name)), dir: None })
        }
        Some(url) => bail!("bench takes a postgres:// URL, or none for SQLite; got {url}"),
        None => {
            let dir = std::env::temp_dir().join(format!("gongzhi-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            Ok(Database { url: format!("sqlite://{}", dir.join("gongzhi.db").display()), drop: None, dir: Some(dir) })
        }
    }
}

impl Database {
    /// Drops the database made for the run, unless it is to be kept.
    pub(crate) async fn finish(&self, keep: bool) {
        if keep {
            return;
        }
        if let Some((admin, name)) = &self.drop {
            if let Ok(mut conn) = sqlx::AnyConnection::connect(admin).await {
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.ok();
            }
        }
        if let Some(dir) = &self.dir {
            std::fs::remove_dir_all(dir).ok();
        }
    }
}

/// The people whose work is measured, with their API tokens.
struct Cast {
    operator: String,
    handler: String,
    leader: String,
    dispatcher: String,
    district: i64,
    subdistrict: i64,
    max_id: i64,
}

async fn cast(store: &Store) -> Result<Cast> {
    let accounts = store.accounts().await?;
    let units = store.units().await?;
    let first = |role: gongzhi_domain::Role, kind: gongzhi_domain::UnitKind| {
        accounts
            .iter()
            .find(|a| a.role == role && units.iter().any(|u| u.id == a.unit_id && u.kind == kind))
            .map(|a| a.login.clone())
            .with_context(|| format!("no {role} in a {kind}"))
    };
    use gongzhi_domain::{Role, UnitKind};
    let handler = first(Role::Handler, UnitKind::Community)?;
    let leader = first(Role::Leader, UnitKind::Subdistrict)?;
    let leader_unit = accounts.iter().find(|a| a.login == leader).map(|a| a.unit_id).unwrap_or(1);
    Ok(Cast {
        operator: gongzhi_app::accounts::create_api_token(store, "operator", "bench").await?,
        handler: gongzhi_app::accounts::create_api_token(store, &handler, "bench").await?,
        leader: gongzhi_app::accounts::create_api_token(store, &leader, "bench").await?,
        dispatcher: gongzhi_app::accounts::create_api_token(store, "dispatcher", "bench").await?,
        district: units.first().map(|u| u.id).unwrap_or(1),
        subdistrict: leader_unit,
        max_id: store.max_request_id().await?,
    })
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The server's peak resident memory so far, in MiB.
fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn percentiles(mut samples: Vec<f64>) -> Value {
    samples.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| samples.get(((samples.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN);
    json!({ "p50_ms": round(at(0.5)), "p99_ms": round(at(0.99)), "max_ms": round(at(1.0)), "samples": samples.len() })
}

pub(crate) fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub async fn run(options: Options) -> Result<Value> {
    let db = database(options.database_url.as_deref(), options.reuse.as_deref()).await?;
    let store = Store::open(&db.url).await?;
    if options.keep {
        eprintln!("bench: the database is kept at {}", db.url);
    }
    let started = Instant::now();
    let (district, world) = if options.reuse.is_some() {
        let district = synth::district(DISTRICT_SEED);
        let world = seed::world(&store, &district).await?;
        // The earlier run's intake, as autovacuum would have left it by now.
        store.analyze().await?;
        (district, world)
    } else {
        load_district(&store, options.requests).await?
    };
    let load_seconds = started.elapsed().as_secs_f64();
    let cast = cast(&store).await?;
    let publishing_cast = publishing::cast(&store).await?;
    let suggestion = suggestion_cost(&store, &district, &world).await?;
    store.close().await;
    drop(store);

    let client = client()?;
    let server = Server::start(&db.url, &client, &[]).await?;
    let base = server.base.clone();

    let intake = intake(&client, &base, &cast, &district, &world.unit_ids, &options).await?;
    let reads = reads(&client, &base, &cast, &options).await?;
    let publishing = publishing::measure(&client, &base, &publishing_cast, &options).await?;
    let rss = server.stop().await;

    db.finish(options.keep).await;
    let mut result = json!({
        "requests": if options.reuse.is_some() { cast.max_id.max(0) as u64 } else { options.requests },
        "backend": if db.url.starts_with("sqlite") { "sqlite" } else { "postgres" },
        "load_seconds": round(load_seconds),
        "intake_per_sec": intake["per_sec"],
        "intake": intake,
        "peak_rss_mb": rss.map(round),
    });
    result["suggestion"] = suggestion;
    for (name, figures) in reads {
        result[name] = figures;
    }
    for (name, figures) in publishing {
        result[name] = figures;
    }
    Ok(result)
}

/// The seed of the benchmark's district: a reused database is read back with the same.
pub(crate) const DISTRICT_SEED: u64 = 1;

/// A new district of `options.requests` requests, with real texts where the shared data is
/// at hand.
pub(crate) async fn load_district(store: &Store, requests: u64) -> Result<(synth::District, crate::simulate::World)> {
    let started = Instant::now();
    let (district, world) = seed::district(store, DISTRICT_SEED).await?;
    let corpus = corpus::Corpus::load(&corpus::default_dir());
    eprintln!(
        "bench: generating {} requests ({} texts)",
        requests,
        if corpus.is_some() { "real" } else { "generated" }
    );
    let step = (requests / 10).max(1);
    let generation = seed::Generation { count: requests, span_days: 365, seed: 7, corpus: corpus.as_ref() };
    seed::requests(store, &district, &world, &generation, |n| {
        if n % step == 0 || n == requests {
            eprintln!("bench: {n} requests written after {:.0} s", started.elapsed().as_secs_f64());
        }
    })
    .await?;
    Ok((district, world))
}

/// The client the measures are made with.
pub(crate) fn client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder().pool_max_idle_per_host(256).timeout(Duration::from_secs(60)).build()?)
}

/// A server on the bench's database, started as its own process as it runs in use.
pub(crate) struct Server {
    process: tokio::process::Child,
    pid: u32,
    pub(crate) base: String,
}

impl Server {
    /// Starts `gongzhi serve` on `url` with `extra` arguments and waits until it answers.
    pub(crate) async fn start(url: &str, client: &reqwest::Client, extra: &[&str]) -> Result<Server> {
        let port = free_port()?;
        let log =
            std::fs::File::create(std::env::temp_dir().join(format!("gongzhi-bench-{}.log", std::process::id())))?;
        let process = tokio::process::Command::new(std::env::current_exe()?)
            .args(["serve", "--database-url", url, "--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            // Warnings only, unless the one running the bench asks for more.
            .env("RUST_LOG", std::env::var("GONGZHI_BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()))
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .context("start the server")?;
        let pid = process.id().context("server pid")?;
        let base = format!("http://127.0.0.1:{port}");
        wait_healthy(client, &base).await?;
        Ok(Server { process, pid, base })
    }

    /// Stops the server; returns its peak resident memory in MiB.
    pub(crate) async fn stop(mut self) -> Option<f64> {
        let rss = peak_rss_mb(self.pid);
        self.process.kill().await.ok();
        rss
    }
}

async fn wait_healthy(client: &reqwest::Client, base: &str) -> Result<()> {
    for _ in 0..600 {
        if let Ok(response) = client.get(format!("{base}/healthz")).send().await {
            if response.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server did not become healthy within a minute")
}

/// `clients` clients submitting as fast as they are answered for `intake_seconds`. A
/// request counts once the server has acknowledged it, which it does only after commit.
async fn intake(
    client: &reqwest::Client,
    base: &str,
    cast: &Cast,
    district: &synth::District,
    unit_ids: &[i64],
    options: &Options,
) -> Result<Value> {
    let taxonomy = seed::taxonomy();
    let mut generator = synth::RequestGen::new(district, &taxonomy, 99);
    let bodies: Arc<Vec<Value>> = Arc::new(
        (0..4_000)
            .map(|_| {
                let spec = generator.next();
                json!({
                    "kind": spec.kind, "channel": "hotline", "title": spec.title, "content": spec.content,
                    "address": spec.address, "unit_id": unit_ids[spec.unit], "urgent": spec.urgent,
                    "requester_name": spec.requester_name, "requester_phone": spec.requester_phone,
                })
            })
            .collect(),
    );
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(options.intake_seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..options.clients {
        let (client, url, token) = (client.clone(), format!("{base}/api/v1/requests"), cast.operator.clone());
        let (bodies, ok, failed) = (bodies.clone(), ok.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut i = worker;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let response = client.post(&url).bearer_auth(&token).json(&bodies[i % bodies.len()]).send().await;
                match response {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                        ok.fetch_add(1, Ordering::Relaxed);
                        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
                // Clients step through the bodies apart, so they do not send the same one.
                i += STRIDE;
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let created = ok.load(Ordering::Relaxed);
    let mut figures = percentiles(latencies);
    figures["created"] = json!(created);
    figures["failed"] = json!(failed.load(Ordering::Relaxed));
    figures["clients"] = json!(options.clients);
    figures["seconds"] = json!(round(elapsed));
    figures["per_sec"] = json!(round(created as f64 / elapsed));
    Ok(figures)
}

const STRIDE: usize = 37;

/// The month windows of the past year, for the stats calls.
fn months() -> Vec<(NaiveDate, NaiveDate)> {
    let today = time::local_date(time::now());
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    (1..=12)
        .filter_map(|back| {
            let start = first.checked_sub_months(Months::new(back))?;
            let end = start.checked_add_months(Months::new(1))?.pred_opt()?;
            Some((start, end))
        })
        .collect()
}

async fn reads(
    client: &reqwest::Client,
    base: &str,
    cast: &Cast,
    options: &Options,
) -> Result<Vec<(&'static str, Value)>> {
    let months = months();
    let filters = [
        "status=in_progress,dispatched",
        "kind=complaint",
        "channel=hotline&status=closed",
        "overdue=true",
        "urgent=true",
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let ids: Vec<i64> = (0..options.samples).map(|_| rng.gen_range(1..=cast.max_id.max(1))).collect();
    let mut out = Vec::new();
    // Words residents use often, searched alone and with filters; the page search runs in a
    // subdistrict leader's scope.
    let words = ["井盖", "路灯", "噪音", "垃圾", "停车", "漏水", "物业", "施工", "油烟", "拖欠"];
    let search_filters = ["", "&status=open", "&kind=complaint", "&overdue=1", "&status=closed"];
    for name in
        ["queue", "list", "detail", "stats", "search", "page_workbench", "page_request", "page_overview", "page_search"]
    {
        let urls: Vec<(String, String)> = (0..options.samples)
            .map(|i| match name {
                "queue" => (format!("{base}/api/v1/queues/handling?limit=50"), cast.handler.clone()),
                "list" => (
                    format!(
                        "{base}/api/v1/requests?unit_id={}&{}&limit=20",
                        cast.subdistrict,
                        filters[i % filters.len()]
                    ),
                    cast.leader.clone(),
                ),
                "detail" => (format!("{base}/api/v1/requests/{}", ids[i]), cast.dispatcher.clone()),
                "search" => {
                    let word = words[i % words.len()];
                    (format!("{base}/api/v1/requests?q={word}&limit=20"), cast.dispatcher.clone())
                }
                "page_search" => {
                    let (word, filter) = (words[i % words.len()], search_filters[i % search_filters.len()]);
                    (format!("{base}/work/search?q={word}{filter}"), cast.leader.clone())
                }
                // Pages take the same bearer tokens as the API.
                "page_workbench" => (format!("{base}/work?queue=handling"), cast.handler.clone()),
                "page_request" => (format!("{base}/work/requests/{}", ids[i]), cast.dispatcher.clone()),
                "page_overview" => (format!("{base}/work/overview"), cast.leader.clone()),
                _ => {
                    let (from, to) = months[i % months.len()];
                    (format!("{base}/api/v1/stats?unit={}&from={from}&to={to}", cast.district), cast.dispatcher.clone())
                }
            })
            .collect();
        out.push((name, timed(client, urls, options.read_clients).await?));
    }
    Ok(out)
}

/// GETs every URL with `concurrency` clients and reports the latencies.
async fn timed(client: &reqwest::Client, urls: Vec<(String, String)>, concurrency: usize) -> Result<Value> {
    let client = client.clone();
    let count = urls.len();
    // An empty token reads as a resident, without an account.
    let get = move |i: usize| match urls[i].1.as_str() {
        "" => client.get(&urls[i].0),
        token => client.get(&urls[i].0).bearer_auth(token),
    };
    timed_requests(count, concurrency, get, |status| status.is_success()).await
}

/// Sends the `count` requests `make` makes (from their index) with `concurrency` clients
/// and reports the latencies of those answered as `answered` expects, counting the others
/// as errors. A latency includes reading the whole answer.
pub(crate) async fn timed_requests(
    count: usize,
    concurrency: usize,
    make: impl Fn(usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
    answered: fn(reqwest::StatusCode) -> bool,
) -> Result<Value> {
    let make = Arc::new(make);
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (make, next) = (make.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                if i >= count {
                    break;
                }
                let sent = Instant::now();
                match make(i).send().await {
                    Ok(response) if answered(response.status()) => {
                        let _ = response.bytes().await;
                        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await?;
        latencies.extend(l);
        errors += e;
    }
    let mut figures = percentiles(latencies);
    figures["errors"] = json!(errors);
    Ok(figures)
}

/// Creates the suggestion cost is measured over.
const SUGGESTED_CREATES: usize = 10_000;

/// What suggesting adds to a create, on the district just loaded: the routing model
/// (trained here from the district's closed requests) predicting with its explanation, the
/// duplicate candidates among the open requests, and the new request joining the index —
/// the work intake does beyond storing, timed one create at a time.
async fn suggestion_cost(store: &Store, district: &synth::District, world: &crate::simulate::World) -> Result<Value> {
    use gongzhi_app::suggestions::{self as suggest, Suggester};
    let started = Instant::now();
    let report = suggest::retrain(store).await?;
    let train_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let suggester = Suggester::start(store.clone());
    suggester.refresh().await?;
    let load_seconds = started.elapsed().as_secs_f64();
    let taxonomy = seed::taxonomy();
    let mut generator = synth::RequestGen::new(district, &taxonomy, 4_242);
    let mut next_id = store.max_request_id().await? + 1;
    let mut latencies = Vec::with_capacity(SUGGESTED_CREATES);
    let mut best_of_three = Vec::with_capacity(SUGGESTED_CREATES);
    let mut with_duplicates = 0;
    for _ in 0..SUGGESTED_CREATES {
        let new = world.new_request(&generator.next());
        let sent = Instant::now();
        let suggestion = suggester.suggest(&new).await;
        let suggested = sent.elapsed();
        let mut request = gongzhi_domain::Request::submitted(new, String::new(), time::now());
        request.id = next_id;
        request.number = format!("bench-{next_id}");
        let remembered = Instant::now();
        suggester.remember(&request);
        let remembered = remembered.elapsed();
        latencies.push((suggested + remembered).as_secs_f64() * 1000.0);
        // The same suggestion twice more: the fastest of the three is the work itself,
        // without the waits of a machine shared with other processes.
        let mut fastest = suggested;
        for _ in 0..2 {
            let again = Instant::now();
            let (n, at) = (&request.new, request.created_at);
            std::hint::black_box(suggester.suggest_cached(n.into(), Some(request.id), at));
            fastest = fastest.min(again.elapsed());
        }
        best_of_three.push((fastest + remembered).as_secs_f64() * 1000.0);
        next_id += 1;
        with_duplicates += usize::from(suggestion.is_some_and(|s| !s.duplicates.is_empty()));
    }
    let mut figures = percentiles(latencies);
    figures["best_of_three"] = percentiles(best_of_three);
    figures["creates"] = json!(SUGGESTED_CREATES);
    figures["with_duplicates"] = json!(with_duplicates);
    figures["indexed_at_start"] = json!(suggester.indexed().saturating_sub(SUGGESTED_CREATES));
    figures["trained_from"] = json!(report.examples);
    figures["holdout"] = report.holdout;
    figures["train_seconds"] = json!(round(train_seconds));
    figures["load_seconds"] = json!(round(load_seconds));
    let best = &figures["best_of_three"];
    eprintln!(
        "bench: suggestion adds {} ms at the median, {} ms at p99 (fastest of three: {} ms, {} ms)",
        figures["p50_ms"], figures["p99_ms"], best["p50_ms"], best["p99_ms"]
    );
    Ok(figures)
}
