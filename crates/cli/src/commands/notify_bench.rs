//! `gongzhi bench-notify`: how fast the delivery worker empties the outbox into a local
//! webhook receiver, and what writing the outbox costs intake — creates per second with
//! a webhook subscribed to every submission (one outbox row each; a submission texts
//! nobody) against none, in alternating rounds on the same database.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use gongzhi_app::notify::channels::Channels;
use gongzhi_app::notify::{self, sign, Config, Worker};
use gongzhi_app::{submit, NoSuggestions, Submission};
use gongzhi_domain::notify::SUBMITTED;
use gongzhi_domain::time;
use gongzhi_store::testing::{manhole, town};
use gongzhi_store::Store;

#[derive(clap::Args)]
pub struct Args {
    /// The database to measure on (default: a new SQLite file in the temporary folder).
    #[arg(long)]
    on: Option<String>,
    /// Creates in each round of the intake measurement.
    #[arg(long, default_value_t = 4_000)]
    creates: usize,
    /// Rounds of each kind, alternating; the median is reported.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Submissions sent at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Notifications delivered in the throughput measurement.
    #[arg(long, default_value_t = 20_000)]
    notifications: usize,
    /// Deliveries under way at once.
    #[arg(long, default_value_t = 64)]
    deliveries: usize,
}

/// The receiver: counts each idempotency key once and checks every signature.
#[derive(Clone, Default)]
struct Receiver {
    keys: Arc<Mutex<HashSet<String>>>,
    bad: Arc<AtomicUsize>,
    secrets: Arc<Mutex<Vec<String>>>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let secrets = r.secrets.lock().map(|s| s.clone()).unwrap_or_default();
    let signature = header(sign::HEADER);
    if !secrets.iter().any(|secret| sign::verify(secret, &signature, &body, time::now() / 1_000, 300)) {
        r.bad.fetch_add(1, Ordering::Relaxed);
        return StatusCode::UNAUTHORIZED;
    }
    if let Ok(mut keys) = r.keys.lock() {
        keys.insert(header("idempotency-key"));
    }
    StatusCode::NO_CONTENT
}

pub async fn run(args: &Args) -> Result<()> {
    let url = match &args.on {
        Some(url) => url.clone(),
        None => {
            let path = std::env::temp_dir().join(format!("gongzhi-bench-notify-{}.db", std::process::id()));
            format!("sqlite://{}", path.display())
        }
    };
    let store = Store::open(&url).await.context("open the database")?;
    let t = town(&store).await;
    let admin = gongzhi_domain::role::Staff { role: gongzhi_domain::Role::Admin, ..t.supervisor.clone() };

    let receiver = Receiver::default();
    let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    println!("共治 通知基准 / notification benchmark on {}", store.backend().name());
    let submit_many = |count: usize| {
        let store = store.clone();
        let unit = t.community;
        let concurrency = args.concurrency.max(1);
        async move {
            let started = Instant::now();
            let mut tasks = tokio::task::JoinSet::new();
            for n in 0..concurrency {
                let store = store.clone();
                let share = count / concurrency + usize::from(n < count % concurrency);
                tasks.spawn(async move {
                    for _ in 0..share {
                        let new = manhole(unit, None);
                        let actor = gongzhi_domain::Actor::Requester;
                        submit(&store, &NoSuggestions, Submission::new(new, actor)).await?;
                    }
                    Ok::<_, gongzhi_app::AppError>(())
                });
            }
            while let Some(done) = tasks.join_next().await {
                done??;
            }
            Ok::<f64, anyhow::Error>(count as f64 / started.elapsed().as_secs_f64())
        }
    };
    // Warm up the database and the writer before anything is timed.
    submit_many(args.creates.min(1_000)).await?;

    let (mut without, mut with) = (Vec::new(), Vec::new());
    for round in 0..args.rounds {
        without.push(submit_many(args.creates).await?);
        let s = notify::subscribe(&store, &admin, SUBMITTED, &hook, time::now()).await?;
        receiver.secrets.lock().map_err(|_| anyhow::anyhow!("lock"))?.push(s.secret.clone());
        with.push(submit_many(args.creates).await?);
        notify::unsubscribe(&store, &admin, s.id).await?;
        println!(
            "  round {}: {:.0} creates/s without the outbox, {:.0} with one webhook row each",
            round + 1,
            without[round],
            with[round]
        );
    }
    let (a, b) = (median(&mut without), median(&mut with));
    println!("intake: {a:.0} creates/s without, {b:.0} with the outbox ({:+.1}%)", (b - a) / a * 100.0);

    // The rows written so far, topped up to the number asked for, all to the receiver.
    let s = notify::subscribe(&store, &admin, SUBMITTED, &hook, time::now()).await?;
    receiver.secrets.lock().map_err(|_| anyhow::anyhow!("lock"))?.push(s.secret.clone());
    let written = args.rounds * args.creates;
    if args.notifications > written {
        submit_many(args.notifications - written).await?;
    }
    let pending = store.outbox_counts(i64::MAX).await?.pending as usize;
    let mut config = Config::new("http://127.0.0.1");
    config.concurrency = args.deliveries;
    let channels = Channels::new(None, None, true, Duration::from_secs(10)).map_err(anyhow::Error::msg)?;
    let worker = Worker::new(store.clone(), config, channels);
    let started = Instant::now();
    // Only the webhooks the receiver took count, over the whole time.
    let (mut worked, mut sent) = (0, 0);
    while worked < pending {
        let round = worker.round().await?;
        if round.claimed() == 0 {
            break;
        }
        worked += round.sent + round.dead + round.off;
        sent += round.sent;
    }
    let seconds = started.elapsed().as_secs_f64();
    let received = receiver.keys.lock().map(|k| k.len()).unwrap_or_default();
    println!(
        "delivery: {sent} webhooks sent in {seconds:.2} s = {:.0} notifications/s, {worked} of {pending} rows \
         worked through ({received} received once each, {} signatures refused)",
        sent as f64 / seconds,
        receiver.bad.load(Ordering::Relaxed)
    );
    store.close().await;
    Ok(())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values.get(values.len() / 2).copied().unwrap_or_default()
}
