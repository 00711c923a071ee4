//! The door under load, on SQLite and PostgreSQL: guesses at a password or a tracking
//! code that arrive all at once are cut at the limit, not checked one and all; a
//! stranger guessing from elsewhere cannot lock an account's owner out; passed windows
//! do not pile up.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use futures_util::future::join_all;
use gongzhi_domain::time::{self, HOUR};
use gongzhi_store::testing::{manhole, town};
use gongzhi_store::{on_both, Store};
use gongzhi_web::{router, AppState, WebConfig};
use serde_json::json;
use tower::ServiceExt;

on_both!(
    sixty_concurrent_wrong_passwords_are_not_all_checked,
    in_a_burst_no_more_than_the_limit_is_checked,
    a_stranger_cannot_lock_the_owner_out,
    concurrent_tracking_code_guesses_stop_at_the_limit,
    passed_windows_are_cleared,
);

/// Behind the deployment's own proxy, so that each test may say where a call comes from.
fn app(store: &Store, config: WebConfig) -> Router {
    router(AppState::new(store.clone(), WebConfig { trust_forwarded: true, ..config }))
}

async fn log_in(app: &Router, login: &str, password: &str, from: &str) -> StatusCode {
    let request = Request::post("/api/v1/login")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", from)
        .body(Body::from(json!({ "login": login, "password": password }).to_string()))
        .unwrap();
    app.clone().oneshot(request).await.unwrap().status()
}

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

async fn sixty_concurrent_wrong_passwords_are_not_all_checked(store: Store, _url: String) {
    town(&store).await;
    let app = app(&store, WebConfig::default());
    let guesses = (0..60).map(|n| {
        let app = app.clone();
        async move { log_in(&app, "dispatcher", &format!("guess-{n}"), "203.0.113.9").await }
    });
    let statuses = join_all(guesses).await;
    assert_eq!(count(&statuses, StatusCode::UNAUTHORIZED), 10, "only the limit was checked: {statuses:?}");
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 50);
}

async fn in_a_burst_no_more_than_the_limit_is_checked(store: Store, _url: String) {
    town(&store).await;
    let app = app(&store, WebConfig::default());
    // 299 guesses and, last, the right password, all at once from one address.
    let burst = (0..300).map(|n| {
        let app = app.clone();
        let password = if n == 299 { "demo-password".to_string() } else { format!("guess-{n}") };
        async move { log_in(&app, "dispatcher", &password, "203.0.113.9").await }
    });
    let statuses = join_all(burst).await;
    let checked = count(&statuses, StatusCode::UNAUTHORIZED) + count(&statuses, StatusCode::OK);
    assert!(checked <= 10, "{checked} passwords were checked: {statuses:?}");
    assert_eq!(statuses[299], StatusCode::TOO_MANY_REQUESTS, "the right password came after the limit");
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 300 - checked);
}

async fn a_stranger_cannot_lock_the_owner_out(store: Store, _url: String) {
    town(&store).await;
    let app = app(&store, WebConfig::default());
    let (office, home) = ("198.51.100.7", "198.51.100.8");
    assert_eq!(log_in(&app, "dispatcher", "demo-password", office).await, StatusCode::OK);

    // Someone elsewhere tries the dispatcher's password until they are stopped.
    for n in 0..15 {
        let status = log_in(&app, "dispatcher", &format!("guess-{n}"), "203.0.113.9").await;
        let expected = if n < 10 { StatusCode::UNAUTHORIZED } else { StatusCode::TOO_MANY_REQUESTS };
        assert_eq!(status, expected, "guess {n}");
    }
    // Stopped there only: the dispatcher logs in at the office, and from home too.
    assert_eq!(log_in(&app, "dispatcher", "demo-password", office).await, StatusCode::OK);
    assert_eq!(log_in(&app, "dispatcher", "demo-password", home).await, StatusCode::OK);

    // Guesses spread over many addresses meet the account's own, slower limit: thirty an
    // hour from addresses the account has not logged in from, the ten above among them.
    let mut statuses = Vec::new();
    for n in 0..40 {
        statuses.push(log_in(&app, "dispatcher", "guess", &format!("192.0.2.{n}")).await);
    }
    assert_eq!(count(&statuses, StatusCode::UNAUTHORIZED), 20, "{statuses:?}");
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 20);
    let stranger = log_in(&app, "dispatcher", "demo-password", "192.0.2.200").await;
    assert_eq!(stranger, StatusCode::TOO_MANY_REQUESTS, "even the right password, from an address never used");
    // Where the dispatcher has logged in before, they still get in.
    assert_eq!(log_in(&app, "dispatcher", "demo-password", office).await, StatusCode::OK);
    assert_eq!(log_in(&app, "dispatcher", "demo-password", home).await, StatusCode::OK);
    // And other accounts are not held up at all.
    assert_eq!(log_in(&app, "operator", "demo-password", "192.0.2.201").await, StatusCode::OK);
}

async fn concurrent_tracking_code_guesses_stop_at_the_limit(store: Store, _url: String) {
    let t = town(&store).await;
    let resident = gongzhi_domain::Actor::Requester;
    let real = store.create(manhole(t.community, None), None, resident).await.unwrap().request.tracking_code;
    let app = app(&store, WebConfig::default());
    // 200 guesses at once, by the API, the tracking page and its photos alike.
    let guesses = (0..200).map(|n| {
        let app = app.clone();
        let code = format!("ZZ{n:08}");
        let path = match n % 3 {
            0 => format!("/api/v1/track/{code}"),
            1 => format!("/track/{code}"),
            _ => format!("/track/{code}/photos/1"),
        };
        async move {
            let request = Request::get(path).header("x-forwarded-for", "203.0.113.9").body(Body::empty()).unwrap();
            app.oneshot(request).await.unwrap().status()
        }
    });
    let statuses = join_all(guesses).await;
    assert_eq!(count(&statuses, StatusCode::NOT_FOUND), 20, "only the limit was looked up: {statuses:?}");
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 180);
    // The address is stopped even for a code that exists; another address is not.
    let get = |path: String, from: &'static str| {
        let app = app.clone();
        async move {
            let request = Request::get(path).header("x-forwarded-for", from).body(Body::empty()).unwrap();
            app.oneshot(request).await.unwrap().status()
        }
    };
    assert_eq!(get(format!("/api/v1/track/{real}"), "203.0.113.9").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(get(format!("/api/v1/track/{real}"), "198.51.100.7").await, StatusCode::OK);
    // A resident looking at their own request again and again is not counted.
    for _ in 0..30 {
        assert_eq!(get(format!("/track/{real}"), "198.51.100.7").await, StatusCode::OK);
    }
}

async fn passed_windows_are_cleared(store: Store, url: String) {
    town(&store).await;
    let app = app(&store, WebConfig::default());
    for n in 0..25 {
        log_in(&app, &format!("nobody{n}"), "guess", &format!("192.0.2.{n}")).await;
    }
    assert_eq!(log_in(&app, "dispatcher", "demo-password", "198.51.100.7").await, StatusCode::OK);
    let rows = || {
        let url = url.clone();
        async move {
            use sqlx::{Connection, Row};
            let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
            let row = sqlx::query("SELECT COUNT(*) AS n FROM throttle").fetch_one(&mut conn).await.unwrap();
            row.try_get::<i64, _>("n").unwrap()
        }
    };
    // Each unknown login holds a window per address and one for the login.
    assert_eq!(rows().await, 52);
    assert_eq!(store.clear_passed_attempts(time::now()).await.unwrap(), 0, "nothing has passed yet");
    // The per-address windows pass after ten minutes, the per-account ones after an hour.
    store.clear_passed_attempts(time::now() + HOUR / 6 + 1).await.unwrap();
    assert_eq!(rows().await, 26);
    // A month on, the windows are gone, and so are the addresses the account logged in from.
    let later = time::now() + 31 * 24 * HOUR;
    assert_eq!(store.clear_passed_attempts(later).await.unwrap(), 26 + 1);
    assert_eq!(rows().await, 0);
}
