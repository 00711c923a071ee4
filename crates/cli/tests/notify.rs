//! The outbox survives what a server meets in production, with the real binary: killed
//! with SIGKILL while a thousand notifications wait and while they are being delivered,
//! it delivers every one after a restart and none for a submission the kill rolled back;
//! and two instances on one PostgreSQL deliver five thousand notifications between them
//! without sending any twice.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use gongzhi_app::notify::sign;
use gongzhi_domain::role::Staff;
use gongzhi_domain::*;
use gongzhi_store::testing::{fresh, manhole, town, Town};
use gongzhi_store::{Backend, Store};
use sqlx::{Connection, Executor, Row};

/// Each key received, with the request it was about and how often it came.
#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<HashMap<String, (i64, usize)>>>,
    secret: Arc<Mutex<String>>,
    bad: Arc<AtomicUsize>,
    /// Milliseconds each delivery is held, so that a kill finds some under way.
    delay: Arc<AtomicUsize>,
}

impl Receiver {
    fn distinct(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    fn repeats(&self) -> usize {
        self.seen.lock().unwrap().values().map(|(_, n)| n - 1).sum()
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let delay = r.delay.load(Ordering::Relaxed) as u64;
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let secret = r.secret.lock().unwrap().clone();
    if !sign::verify(&secret, &header("x-gongzhi-signature"), &body, time::now() / 1_000, 300) {
        r.bad.fetch_add(1, Ordering::Relaxed);
        return StatusCode::UNAUTHORIZED;
    }
    let event: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let request = event["request"]["id"].as_i64().unwrap_or(-1);
    r.seen.lock().unwrap().entry(header("idempotency-key")).or_insert((request, 0)).1 += 1;
    StatusCode::NO_CONTENT
}

async fn receiver() -> (Receiver, String) {
    let r = Receiver::default();
    let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (r, url)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running `gongzhi serve`; killed with SIGKILL when dropped.
struct Server {
    child: tokio::process::Child,
    base: String,
}

impl Server {
    async fn start(url: &str, data: &PathBuf, deliver: bool) -> Server {
        let port = free_port();
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_gongzhi"))
            .arg("--database-url")
            .arg(url)
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--checkpoint-minutes", "0"])
            .args(["--notify-deliver", if deliver { "true" } else { "false" }, "--notify-lease-seconds", "3"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start gongzhi serve");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if client.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
                return Server { child, base };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("gongzhi serve did not answer");
    }

    /// SIGKILL: no shutdown, no flush; whatever was not committed is lost.
    async fn kill(mut self) {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
    }
}

async fn subscribe(store: &Store, t: &Town, url: &str, r: &Receiver) {
    let admin = Staff { role: Role::Admin, ..t.supervisor.clone() };
    let s = gongzhi_app::notify::subscribe(store, &admin, "request.submit", url, time::now()).await.unwrap();
    *r.secret.lock().unwrap() = s.secret;
}

/// Submits through the server's public API, `n` at a time, until `stop`; returns the ids
/// the server said it created.
async fn submit(base: String, unit: i64, count: usize, in_flight: usize) -> Vec<i64> {
    let client = reqwest::Client::new();
    let created = Arc::new(Mutex::new(Vec::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..in_flight {
        let (client, created, next, base) = (client.clone(), created.clone(), next.clone(), base.clone());
        tasks.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < count {
                let new = manhole(unit, None);
                let body = serde_json::json!({
                    "kind": "complaint", "title": new.title, "content": new.content, "address": new.address,
                    "unit_id": unit, "requester_name": new.requester_name, "requester_phone": new.requester_phone,
                });
                match client.post(format!("{base}/api/v1/requests")).json(&body).send().await {
                    Ok(response) if response.status() == StatusCode::CREATED => {
                        let answer: serde_json::Value = response.json().await.unwrap_or_default();
                        created.lock().unwrap().extend(answer["id"].as_i64());
                    }
                    Ok(response) => panic!("intake refused: {}", response.status()),
                    // The server was killed under this submission.
                    Err(_) => return,
                }
            }
        });
    }
    tasks.join_all().await;
    let ids = created.lock().unwrap().clone();
    ids
}

async fn requests_in(url: &str) -> Vec<i64> {
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let rows = conn.fetch_all("SELECT id FROM requests ORDER BY id").await.unwrap();
    rows.iter().map(|r| r.get::<i64, _>("id")).collect()
}

async fn wait_for(what: &str, seconds: u64, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(seconds), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn killed_twice_it_delivers_every_notification_and_none_for_a_rolled_back_submission(backend: Backend) {
    let (store, url) = fresh(backend).await;
    let t = town(&store).await;
    let (r, hook) = receiver().await;
    subscribe(&store, &t, &hook, &r).await;
    let data = std::env::temp_dir().join(format!("gongzhi-notify-crash-{}-{}", backend.name(), std::process::id()));

    // 1. An instance that only writes: a thousand submissions answered, more under way
    //    when it is killed.
    let writer = Server::start(&url, &data, false).await;
    let answered = submit(writer.base.clone(), t.community, 1_000, 32).await;
    assert_eq!(answered.len(), 1_000);
    let late = tokio::spawn(submit(writer.base.clone(), t.community, 100_000, 32));
    tokio::time::sleep(Duration::from_millis(300)).await;
    writer.kill().await;
    let late = late.await.unwrap();
    let stored = requests_in(&url).await;
    assert!(stored.len() >= 1_000 + late.len(), "every answered submission was kept");
    let pending = store.outbox_counts(i64::MAX).await.unwrap().pending as usize;
    assert_eq!(pending, stored.len(), "one notification waits for each stored request");
    assert!(pending >= 1_000);

    // 2. Restarted with delivery, slowed down by the receiver, and killed again midway.
    r.delay.store(100, Ordering::Relaxed);
    let deliverer = Server::start(&url, &data, true).await;
    wait_for("deliveries to begin", 60, || r.distinct() >= 200).await;
    deliverer.kill().await;
    let before_restart = r.distinct();
    assert!(before_restart < pending, "the kill came while notifications were being delivered");

    // 3. Restarted: its claims' leases run out and every notification arrives.
    r.delay.store(0, Ordering::Relaxed);
    let last = Server::start(&url, &data, true).await;
    wait_for("every notification", 120, || r.distinct() >= pending).await;
    // Those the killed instance had sent but not yet marked come again once its leases
    // run out; the outbox is done only when none waits.
    let started = Instant::now();
    while store.outbox_counts(i64::MAX).await.unwrap().pending > 0 {
        assert!(started.elapsed() < Duration::from_secs(60), "timed out waiting for the outbox to empty");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seen = r.seen.lock().unwrap().clone();
    let about: std::collections::BTreeSet<i64> = seen.values().map(|(id, _)| *id).collect();
    let stored: std::collections::BTreeSet<i64> = stored.into_iter().collect();
    assert_eq!(about, stored, "one for each stored request, none for a submission the kill rolled back");
    assert_eq!(seen.len(), stored.len(), "each once by its key");
    assert_eq!(r.bad.load(Ordering::Relaxed), 0, "every signature checks");
    assert_eq!(store.outbox_counts(i64::MAX).await.unwrap().pending, 0);
    eprintln!(
        "{}: {} stored ({} answered before the kill, {} more answered while it came), {} delivered, {} repeated \
         after the second kill (at least once)",
        backend.name(),
        stored.len(),
        answered.len(),
        late.len(),
        seen.len(),
        r.repeats()
    );
    last.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_killed_twice_it_delivers_every_notification_and_none_for_a_rolled_back_submission() {
    killed_twice_it_delivers_every_notification_and_none_for_a_rolled_back_submission(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_killed_twice_it_delivers_every_notification_and_none_for_a_rolled_back_submission() {
    killed_twice_it_delivers_every_notification_and_none_for_a_rolled_back_submission(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgres_deliver_five_thousand_notifications_none_twice() {
    let (store, url) = fresh(Backend::Postgres).await;
    let t = town(&store).await;
    let (r, hook) = receiver().await;
    subscribe(&store, &t, &hook, &r).await;
    // Written before either instance starts, so both find the whole outbox waiting.
    let mut writing = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let store = store.clone();
        writing.spawn(async move {
            for _ in 0..100 {
                store.create(manhole(t.community, None), None, Actor::Requester).await.unwrap();
            }
        });
    }
    writing.join_all().await;
    assert_eq!(store.outbox_counts(i64::MAX).await.unwrap().pending, 5_000);
    r.delay.store(2, Ordering::Relaxed);
    let data = std::env::temp_dir().join(format!("gongzhi-notify-two-{}", std::process::id()));
    let (a, b) = tokio::join!(Server::start(&url, &data, true), Server::start(&url, &data, true));
    wait_for("five thousand notifications", 180, || r.distinct() >= 5_000).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(r.distinct(), 5_000);
    assert_eq!(r.repeats(), 0, "no notification sent twice");
    let mut conn = sqlx::AnyConnection::connect(url.as_str()).await.unwrap();
    let rows = conn.fetch_all("SELECT claimed_by, COUNT(*) AS n FROM outbox GROUP BY claimed_by").await.unwrap();
    let shares: Vec<i64> = rows.iter().map(|r| r.get::<i64, _>("n")).collect();
    assert_eq!(shares.len(), 2, "both instances delivered: {shares:?}");
    eprintln!("two instances delivered {shares:?}");
    a.kill().await;
    b.kill().await;
}
