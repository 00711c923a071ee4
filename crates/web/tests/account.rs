//! Sessions over HTTP: changing one's password, a session that expires and comes back
//! to the page it was on, the cookies' flags, and login throttling that holds across
//! app instances sharing one database.

mod support;

use std::time::Duration;

use axum::http::StatusCode;
use gongzhi_domain::time::HOUR;
use gongzhi_store::testing::manhole;
use gongzhi_store::Store;
use gongzhi_web::WebConfig;
use support::{town_with_admins, Browser, CSRF};

#[tokio::test]
async fn a_cadre_changes_their_password_and_other_sessions_end() {
    let (store, _, _) = town_with_admins().await;
    let mut desk = Browser::new(&store);
    let mut phone = Browser::new(&store);
    desk.login("handler_c1", "demo-password").await;
    phone.login("handler_c1", "demo-password").await;
    let form = desk.get("/work/password").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("修改密码") && form.html.contains("name=\"current\""));

    let change = |current: &'static str, new: &'static str, again: &'static str| {
        [("_csrf", CSRF), ("current", current), ("new", new), ("again", again)]
    };
    let wrong = desk.post("/work/password", &change("not-mine", "fresh-password-1", "fresh-password-1")).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.html.contains("当前密码不正确"), "{}", wrong.html);
    let differ = desk.post("/work/password", &change("demo-password", "fresh-password-1", "fresh-password-2")).await;
    assert!(differ.html.contains("两次输入的新密码不一致"));
    let short = desk.post("/work/password", &change("demo-password", "short", "short")).await;
    assert!(short.html.contains("密码至少需要 8 个字符"));
    let forged = desk
        .post(
            "/work/password",
            &[("current", "demo-password"), ("new", "fresh-password-1"), ("again", "fresh-password-1")],
        )
        .await;
    assert!(forged.html.contains("页面已过期"));
    assert_eq!(phone.get("/work").await.status, StatusCode::OK, "refusals changed nothing");

    let done = desk.post("/work/password", &change("demo-password", "fresh-password-1", "fresh-password-1")).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.html.contains("密码已修改"), "{}", done.html);
    assert_eq!(desk.get("/work").await.status, StatusCode::OK, "the session in use stays");
    let ended = phone.get("/work").await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(ended.location(), "/login?expired=1&next=/work", "the other session ended");

    let mut again = Browser::new(&store);
    let old = again.post("/login", &[("_csrf", CSRF), ("login", "handler_c1"), ("password", "demo-password")]).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    again.login("handler_c1", "fresh-password-1").await;
    // Not logged in at all: the page sends to the login, without a word about expiry.
    let mut stranger = Browser::new(&store);
    assert_eq!(stranger.get("/work/password").await.location(), "/login?next=/work/password");
}

#[tokio::test]
async fn an_expired_session_goes_to_the_login_and_back_to_its_page() {
    let (store, _, t) = town_with_admins().await;
    let r = store.create(manhole(t.community, None), None, gongzhi_domain::Actor::Requester).await.unwrap().request;
    let config = WebConfig { session_ttl: 1_000, ..WebConfig::default() };
    let mut browser = Browser::with_config(&store, config);
    browser.login("operator", "demo-password").await;
    let page = format!("/work/requests/{}", r.id);
    assert_eq!(browser.get(&page).await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1_200)).await;

    let expired = browser.get(&page).await;
    assert_eq!(expired.status, StatusCode::SEE_OTHER);
    assert_eq!(expired.location(), format!("/login?expired=1&next=/work/requests/{}", r.id));
    let login = browser.get(expired.location()).await;
    assert!(login.html.contains("登录已过期，请重新登录"), "{}", login.html);
    assert!(login.html.contains(&format!("name=\"next\" value=\"/work/requests/{}\"", r.id)));
    // The stale cookie went with the redirect: the next visit is simply not logged in.
    assert_eq!(browser.get("/work").await.location(), "/login?next=/work");

    let next = page.clone();
    let back = browser
        .post("/login", &[("_csrf", CSRF), ("login", "operator"), ("password", "demo-password"), ("next", &next)])
        .await;
    assert_eq!((back.status, back.location()), (StatusCode::SEE_OTHER, page.as_str()));
    // Only a page of this site is a place to come back to.
    for evil in ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/login"] {
        let mut b = Browser::new(&store);
        let answer = b
            .post("/login", &[("_csrf", CSRF), ("login", "operator"), ("password", "demo-password"), ("next", evil)])
            .await;
        assert_eq!(answer.location(), "/work", "{evil}");
    }
}

#[tokio::test]
async fn session_cookies_carry_their_flags() {
    let (store, _, _) = town_with_admins().await;
    let mut plain = Browser::new(&store);
    let login = plain.login("operator", "demo-password").await;
    let cookie = login.headers["set-cookie"].to_str().unwrap().to_string();
    for flag in ["gongzhi_session=", "HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=28800"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(!cookie.contains("Secure"));

    let secure = WebConfig { secure_cookies: true, session_ttl: 2 * HOUR, ..WebConfig::default() };
    let mut https = Browser::with_config(&store, secure);
    https.cookies.clear();
    let form = https.get("/login").await;
    let csrf = form.headers["set-cookie"].to_str().unwrap();
    assert!(csrf.contains("SameSite=Strict") && csrf.contains("Secure"), "{csrf}");
    https.cookies = vec![format!("gongzhi_csrf={CSRF}")];
    let login = https.login("operator", "demo-password").await;
    let cookie = login.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("Max-Age=7200"), "{cookie}");
}

#[tokio::test]
async fn login_throttling_holds_across_instances() {
    let (store, url, _) = town_with_admins().await;
    // A second app instance on the same database, as behind a load balancer.
    let second = Store::open(&url).await.unwrap();
    let config = WebConfig { login_attempts: 3, ..WebConfig::default() };
    let mut a = Browser::with_config(&store, config.clone());
    let mut b = Browser::with_config(&second, config);
    let wrong = [("_csrf", CSRF), ("login", "dispatcher"), ("password", "guess")];
    assert!(a.post("/login", &wrong).await.html.contains("用户名或密码错误"));
    assert!(b.post("/login", &wrong).await.html.contains("用户名或密码错误"));
    assert!(a.post("/login", &wrong).await.html.contains("用户名或密码错误"));
    // Three failures in all, on two instances: the right password is now refused on either.
    let right = [("_csrf", CSRF), ("login", "dispatcher"), ("password", "demo-password")];
    for browser in [&mut b, &mut a] {
        let refused = browser.post("/login", &right).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.html.contains("尝试次数过多，请稍后再试"), "{}", refused.html);
    }
    // Another account is not held up by it.
    b.login("operator", "demo-password").await;
}
