//! Notifications leave the platform for real receivers started here: an HTTP server
//! that plays the SMS gateway, one that receives webhooks and checks their signatures,
//! and aiosmtpd, a real SMTP server, that stores the mail in a Maildir. On SQLite and
//! on PostgreSQL.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use gongzhi_app::notify::channels::{Channels, MailRelay, SmsGateway};
use gongzhi_app::notify::{self, sign, Config, Worker};
use gongzhi_domain::notify::schedule::{Backoff, QuietHours};
use gongzhi_domain::notify::Topic;
use gongzhi_domain::role::Staff;
use gongzhi_domain::time;
use gongzhi_domain::*;
use gongzhi_store::testing::{dispatched, manhole, staff, town, Town};
use gongzhi_store::{on_both, NotifyPrefs, Store};

on_both!(
    a_dispatch_reaches_the_resident_the_handler_and_a_subscribed_system,
    a_failing_receiver_is_retried_then_a_dead_letter_that_an_admin_sends_again,
    a_residents_text_waits_out_the_quiet_hours_and_a_cadres_does_not
);

/// What the HTTP receivers were sent: (idempotency key, headers of note, body).
#[derive(Clone, Default)]
struct Received {
    sms: Arc<Mutex<Vec<(String, String)>>>,
    hooks: Arc<Mutex<Vec<(String, String, String)>>>,
    bad_signatures: Arc<Mutex<usize>>,
    failing: Arc<AtomicBool>,
    secrets: Arc<Mutex<Vec<String>>>,
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

async fn gateway(State(r): State<Received>, headers: HeaderMap, body: String) -> StatusCode {
    r.sms.lock().unwrap().push((header(&headers, "idempotency-key"), body));
    StatusCode::OK
}

async fn hook(State(r): State<Received>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if r.failing.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let signature = header(&headers, "x-gongzhi-signature");
    let secrets = r.secrets.lock().unwrap().clone();
    if !secrets.iter().any(|s| sign::verify(s, &signature, &body, time::now() / 1_000, 300)) {
        *r.bad_signatures.lock().unwrap() += 1;
        return StatusCode::UNAUTHORIZED;
    }
    let body = String::from_utf8_lossy(&body).into_owned();
    r.hooks.lock().unwrap().push((header(&headers, "idempotency-key"), header(&headers, "x-gongzhi-event"), body));
    StatusCode::NO_CONTENT
}

/// The SMS gateway and the webhook receiver, on one local port.
async fn receivers() -> (Received, String) {
    let received = Received::default();
    let app = axum::Router::new().route("/sms", post(gateway)).route("/hook", post(hook)).with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (received, base)
}

/// aiosmtpd on a free port, storing mail in a Maildir; killed when dropped.
struct Smtp {
    child: tokio::process::Child,
    port: u16,
    maildir: PathBuf,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn smtp_python() -> String {
    let out = std::process::Command::new(workspace().join("scripts/smtp-venv")).output().expect("scripts/smtp-venv");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

async fn smtp() -> Smtp {
    let python = smtp_python();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let maildir = std::env::temp_dir().join(format!("gongzhi-mail-{}-{port}", std::process::id()));
    let child = tokio::process::Command::new(&python)
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .kill_on_drop(true)
        .spawn()
        .expect("start aiosmtpd");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Smtp { child, port, maildir };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("aiosmtpd did not start on port {port}");
}

/// The mail aiosmtpd stored, read by Python's own mail parser: (Message-ID, To,
/// subject, body).
fn mails(maildir: &Path) -> Vec<HashMap<String, String>> {
    let script = r#"
import email, email.header, json, mailbox, sys
out = []
for m in mailbox.Maildir(sys.argv[1], factory=None):
    subject = str(email.header.make_header(email.header.decode_header(m['Subject'])))
    body = m.get_payload(decode=True).decode(m.get_content_charset() or 'utf-8')
    out.append({'id': m['Message-ID'], 'to': m['To'], 'subject': subject, 'body': body})
print(json.dumps(out))
"#;
    let out = std::process::Command::new(smtp_python()).args(["-c", script]).arg(maildir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn admin(t: &Town) -> Staff {
    Staff { role: Role::Admin, ..t.supervisor.clone() }
}

fn config(quiet: QuietHours) -> Config {
    let mut config = Config::new("https://12345.yx.gov.cn");
    config.quiet = quiet;
    config.backoff = Backoff { first: 50, longest: 50, attempts: 3 };
    config
}

fn no_quiet() -> QuietHours {
    QuietHours::parse("none").unwrap()
}

fn channels(base: &str, mail: Option<&Smtp>) -> Channels {
    let sms = SmsGateway {
        url: format!("{base}/sms"),
        template: SmsGateway::DEFAULT_TEMPLATE.into(),
        content_type: SmsGateway::JSON.into(),
    };
    let mail = mail.map(|smtp| MailRelay {
        host: "127.0.0.1".into(),
        port: smtp.port,
        from: "共治平台 <noreply@yx.gov.cn>".into(),
        login: None,
    });
    Channels::new(Some(sms), mail, true, Duration::from_secs(5)).unwrap()
}

/// Runs the worker until nothing is due.
async fn deliver(worker: &Worker) {
    for _ in 0..100 {
        if worker.round().await.unwrap().claimed() == 0 {
            return;
        }
    }
    panic!("the outbox did not empty");
}

async fn a_dispatch_reaches_the_resident_the_handler_and_a_subscribed_system(store: Store, _url: String) {
    let (received, base) = receivers().await;
    let smtp = smtp().await;
    let t = town(&store).await;
    let prefs = NotifyPrefs {
        phone: "13900001111".into(),
        email: "handler@yx.gov.cn".into(),
        sms: vec![Topic::DispatchedToUnit],
        email_topics: vec![Topic::DispatchedToUnit, Topic::Overdue],
    };
    notify::save_prefs(&store, &t.handler, prefs).await.unwrap();
    let s =
        notify::subscribe(&store, &admin(&t), "request.dispatch", &format!("{base}/hook"), time::now()).await.unwrap();
    received.secrets.lock().unwrap().push(s.secret.clone());

    let r = dispatched(&store, &t, manhole(t.community, None)).await;
    deliver(&Worker::new(store.clone(), config(no_quiet()), channels(&base, Some(&smtp)))).await;

    // The resident: accepted, then dispatched, each with the code and the tracking link.
    let sms = received.sms.lock().unwrap().clone();
    let texts: Vec<(String, serde_json::Value)> =
        sms.iter().map(|(key, body)| (key.clone(), serde_json::from_str(body).unwrap())).collect();
    let to_resident: Vec<&str> =
        texts.iter().filter(|(_, b)| b["phone"] == "13812341234").map(|(_, b)| b["text"].as_str().unwrap()).collect();
    assert_eq!(to_resident.len(), 2, "{texts:?}");
    let link = format!("https://12345.yx.gov.cn/track/{}", r.tracking_code);
    assert!(to_resident.iter().any(|t| t.contains("您的诉求已受理")), "{to_resident:?}");
    assert!(to_resident.iter().any(|t| t.contains("您的诉求已派单办理")), "{to_resident:?}");
    for text in &to_resident {
        assert!(text.contains(&r.tracking_code) && text.ends_with(&link), "{text}");
        assert!(text.chars().count() <= 70, "{text}");
    }
    // The handler, who asked for dispatches by SMS and mail.
    let to_handler: Vec<&(String, serde_json::Value)> =
        texts.iter().filter(|(_, b)| b["phone"] == "13900001111").collect();
    assert_eq!(to_handler.len(), 1, "{texts:?}");
    assert!(to_handler[0].1["text"].as_str().unwrap().contains(&r.number));
    assert_eq!(to_handler[0].0, to_handler[0].1["id"].as_str().unwrap(), "the key is in the header and the body");
    let mail = mails(&smtp.maildir);
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0]["to"], "handler@yx.gov.cn");
    assert!(mail[0]["subject"].starts_with("新派单待领办"), "{:?}", mail[0]);
    assert!(mail[0]["body"].contains(&format!("https://12345.yx.gov.cn/work/requests/{}", r.id)), "{:?}", mail[0]);
    assert!(mail[0]["id"].starts_with("<e") && mail[0]["id"].ends_with("@yx.gov.cn>"), "{:?}", mail[0]);
    // The subscribed system: the dispatch only, signed.
    let hooks = received.hooks.lock().unwrap().clone();
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert_eq!(hooks[0].1, "request.dispatch");
    let body: serde_json::Value = serde_json::from_str(&hooks[0].2).unwrap();
    assert_eq!(body["id"], hooks[0].0);
    assert_eq!(body["request"]["number"], r.number);
    assert_eq!(body["request"]["assignee_unit_id"], t.community);
    assert_eq!(*received.bad_signatures.lock().unwrap(), 0);
    // And the handler's workbench.
    assert_eq!(notify::unread(&store, &t.handler).await.unwrap(), 1);
    let inbox = notify::inbox(&store, &t.handler, None).await.unwrap();
    assert_eq!((inbox[0].topic, inbox[0].request_id), (Topic::DispatchedToUnit, Some(r.id)));
    assert!(notify::inbox(&store, &t.other_handler, None).await.unwrap().is_empty(), "another unit is not told");
    notify::mark_read(&store, &t.handler, None, time::now()).await.unwrap();
    assert_eq!(notify::unread(&store, &t.handler).await.unwrap(), 0);
}

async fn a_failing_receiver_is_retried_then_a_dead_letter_that_an_admin_sends_again(store: Store, _url: String) {
    let (received, base) = receivers().await;
    let t = town(&store).await;
    let s =
        notify::subscribe(&store, &admin(&t), "request.submit", &format!("{base}/hook"), time::now()).await.unwrap();
    received.secrets.lock().unwrap().push(s.secret);
    received.failing.store(true, Ordering::SeqCst);
    store.create(manhole(t.community, None), None, staff(&t.operator)).await.unwrap();
    let worker = Worker::new(store.clone(), config(no_quiet()), channels(&base, None));
    let mut tries = 0;
    while store.outbox_counts(10).await.unwrap().dead == 0 {
        tries += worker.round().await.unwrap().claimed();
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(tries <= 3, "three tries, then a dead letter");
    }
    assert_eq!(tries, 3);
    let (_, dead) = notify::outbox(&store, &admin(&t), "dead", None).await.unwrap();
    assert_eq!(
        (dead.len(), dead[0].attempts, dead[0].last_error.as_deref()),
        (1, 3, Some("HTTP 503 Service Unavailable"))
    );
    assert!(notify::resend(&store, &t.handler, dead[0].id, time::now()).await.is_err(), "only an admin sends again");

    received.failing.store(false, Ordering::SeqCst);
    notify::resend(&store, &admin(&t), dead[0].id, time::now()).await.unwrap();
    deliver(&worker).await;
    let hooks = received.hooks.lock().unwrap().clone();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].0, dead[0].key, "sent again under the same idempotency key");
    assert_eq!(store.outbox_counts(10).await.unwrap(), Default::default());
}

async fn a_residents_text_waits_out_the_quiet_hours_and_a_cadres_does_not(store: Store, _url: String) {
    let (received, base) = receivers().await;
    let t = town(&store).await;
    let prefs = NotifyPrefs { phone: "13900001111".into(), sms: vec![Topic::DispatchedToUnit], ..Default::default() };
    notify::save_prefs(&store, &t.handler, prefs).await.unwrap();
    // Quiet from an hour ago to an hour from now, whatever the time of the test.
    let local = |at: i64| time::to_datetime(at).with_timezone(&time::local()).format("%H:%M").to_string();
    let now = time::now();
    let quiet = QuietHours::parse(&format!("{}-{}", local(now - time::HOUR), local(now + time::HOUR))).unwrap();
    dispatched(&store, &t, manhole(t.community, None)).await;
    let worker = Worker::new(store.clone(), config(quiet), channels(&base, None));
    let done = worker.round().await.unwrap();
    assert_eq!((done.sent, done.held), (1, 2), "the cadre's text goes, the resident's two wait");
    let sms = received.sms.lock().unwrap().clone();
    assert!(sms[0].1.contains("13900001111"), "{sms:?}");
    let (counts, waiting) = notify::outbox(&store, &admin(&t), "pending", None).await.unwrap();
    assert_eq!(counts.pending, 2);
    for w in waiting {
        let wait = w.next_at - now;
        assert!(wait > 50 * 60_000 && wait <= 61 * 60_000, "held until the quiet hours end: {wait} ms");
        assert_eq!(w.attempts, 0, "holding back is not a try");
    }
    assert_eq!(worker.round().await.unwrap().claimed(), 0, "nothing is due before then");
}
