//! When the database fails under a page, the page says so with an error status and words
//! in both languages and a way to try again — it never shows an empty list as if there
//! were nothing to show. The failure is made by taking a table away mid-story, on SQLite
//! and on PostgreSQL alike.

mod support;

use axum::http::StatusCode;
use gongzhi_domain::Actor;
use gongzhi_store::testing::{manhole, town};
use gongzhi_store::{on_both, Store};
use sqlx::{Connection, Executor};
use support::{Browser, Page};

on_both!(a_failing_database_shows_an_error_page_not_an_empty_list);

/// Renames a table behind the store's back, so every query that reads it fails.
async fn rename(url: &str, from: &str, to: &str) {
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    conn.execute(format!("ALTER TABLE {from} RENAME TO {to}").as_str()).await.unwrap();
    conn.close().await.unwrap();
}

/// The page says, in Chinese first and English under it, that the service cannot answer
/// now, that nothing was lost, and offers to try again.
fn says_unavailable(page: &Page, what: &str) {
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{what}: {}", page.html);
    assert!(page.html.contains("系统暂时无法处理"), "{what}: {}", page.html);
    assert!(page.html.contains("您的数据不会丢失"), "{what}: {}", page.html);
    assert!(page.html.contains("Nothing you saved is lost"), "{what}: {}", page.html);
    assert!(page.html.contains("id=\"retry\""), "{what}: a way to try again");
}

async fn a_failing_database_shows_an_error_page_not_an_empty_list(store: Store, url: String) {
    sqlx::any::install_default_drivers();
    let t = town(&store).await;
    let request = store.create(manhole(t.community, None), None, Actor::Requester).await.unwrap().request;
    let code = request.tracking_code.clone();
    let mut staff = Browser::new(&store);
    staff.login("operator", "demo-password").await;
    let shown = staff.get(&format!("/work/requests/{}", request.id)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.html.contains("提交诉求"), "the timeline shows the submission");

    // The events are gone from under the store: the timeline cannot be read.
    rename(&url, "events", "events_away").await;
    let page = staff.get(&format!("/work/requests/{}", request.id)).await;
    says_unavailable(&page, "the request page without its timeline");
    assert!(!page.html.contains(&request.new.title), "no request shown with an empty timeline");
    // In English the English words come first.
    let english = staff.get(&format!("/work/requests/{}?lang=en", request.id)).await;
    let (en, zh) = (english.html.find("Nothing you saved is lost"), english.html.find("您的数据不会丢失"));
    assert!(en.is_some() && en < zh, "{}", english.html);
    rename(&url, "events_away", "events").await;
    assert_eq!(staff.get(&format!("/work/requests/{}", request.id)).await.status, StatusCode::OK);

    // The photos are gone: neither the requester's page nor the staff page shows none.
    rename(&url, "attachments", "attachments_away").await;
    let mut resident = Browser::new(&store);
    let tracked = resident.get(&format!("/track/{code}")).await;
    says_unavailable(&tracked, "the tracking page without its photos");
    let page = staff.get(&format!("/work/requests/{}", request.id)).await;
    says_unavailable(&page, "the request page without its photos");
    rename(&url, "attachments_away", "attachments").await;
    assert_eq!(resident.get(&format!("/track/{code}")).await.status, StatusCode::OK);
}
