//! API tokens as an admin meets them on a person's page: listed by name, never shown,
//! revoked one by one, all revoked by a password reset; each revocation on the record of
//! changes. On SQLite and PostgreSQL.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use gongzhi_store::testing::town;
use gongzhi_store::{hash_password, on_both, Store};
use support::{Browser, CSRF};
use tower::ServiceExt;

on_both!(an_admin_sees_and_revokes_a_persons_tokens);

async fn an_admin_sees_and_revokes_a_persons_tokens(store: Store, _url: String) {
    let t = town(&store).await;
    let hash = hash_password("admin-password").unwrap();
    store.add_user("admin_s1", "街道管理员", gongzhi_domain::Role::Admin, t.street, &hash).await.unwrap();
    let laptop = store.create_api_token("handler_c1", "办公电脑").await.unwrap();
    let script = store.create_api_token("handler_c1", "夜间脚本").await.unwrap();
    let mut admin = Browser::new(&store);
    admin.login("admin_s1", "admin-password").await;
    let app = admin.app.clone();
    let calls = |token: String| {
        let app = app.clone();
        async move {
            let request = Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap();
            app.oneshot(request).await.unwrap().status()
        }
    };

    let page = admin.get(&format!("/admin/users/{}", t.handler.user_id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("API 令牌") && page.html.contains("办公电脑") && page.html.contains("夜间脚本"));
    assert!(!page.html.contains(&laptop) && !page.html.contains(&script), "the tokens themselves are never shown");
    let tokens = store.api_tokens(Some(t.handler.user_id)).await.unwrap();
    let night = tokens.iter().find(|t| t.name == "夜间脚本").unwrap().id.to_string();
    assert!(page.html.contains(&format!("name=\"token_id\" value=\"{night}\"")));

    // One revoked from the page: it stops at once, the other goes on.
    let path = format!("/admin/users/{}/revoke-token", t.handler.user_id);
    let forged = admin.post(&path, &[("_csrf", "forged"), ("token_id", &night)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(calls(script.clone()).await, StatusCode::OK, "a forged form revokes nothing");
    let done = admin.post(&path, &[("_csrf", CSRF), ("token_id", &night)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(calls(script).await, StatusCode::UNAUTHORIZED);
    assert_eq!(calls(laptop.clone()).await, StatusCode::OK);
    let page = admin.get(done.location()).await;
    assert!(!page.html.contains("夜间脚本") && page.html.contains("办公电脑"));
    // A token of someone outside the admin's subtree, or of another person, is not theirs to revoke.
    let other = store.create_api_token("dispatcher", "派单脚本").await.unwrap();
    let other_id = store.api_tokens(None).await.unwrap().iter().find(|t| t.name == "派单脚本").unwrap().id.to_string();
    let outside = admin
        .post(
            &format!("/admin/users/{}/revoke-token", t.dispatcher.user_id),
            &[("_csrf", CSRF), ("token_id", &other_id)],
        )
        .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    let mismatched = admin.post(&path, &[("_csrf", CSRF), ("token_id", &other_id)]).await;
    assert_eq!(mismatched.status, StatusCode::NOT_FOUND);
    assert_eq!(calls(other).await, StatusCode::OK);

    // A password reset revokes the rest, and the page says it will.
    let reset = format!("/admin/users/{}/password", t.handler.user_id);
    assert!(page.html.contains("API 令牌全部吊销"));
    let reset =
        admin.post(&reset, &[("_csrf", CSRF), ("password", "fresh-password-1"), ("again", "fresh-password-1")]).await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    assert_eq!(calls(laptop).await, StatusCode::UNAUTHORIZED);
    let page = admin.get(&format!("/admin/users/{}", t.handler.user_id)).await;
    assert!(page.html.contains("该人员没有 API 令牌"), "{}", page.html);

    let changes = admin.get("/admin/changes").await;
    assert!(changes.html.contains("吊销 API 令牌") && changes.html.contains("夜间脚本"), "{}", changes.html);
}
