//! The admin pages over HTTP: only admins get in, each within their subtree; every form
//! needs its CSRF token; units, people, categories, deadlines and the calendar change as
//! an admin would expect, and the changes page and the exports show what was done.

mod support;

use axum::http::StatusCode;
use gongzhi_domain::Role;
use gongzhi_store::testing::manhole;

use support::{town_with_admins, Browser, Page, CSRF};

/// A page shows no raw catalogue key.
fn all_words(page: &Page) {
    for prefix in ["admin.", "refused.", "calendar.", "unit_kind.", "audit.", "policy.", "nav.", "password."] {
        assert!(!page.html.contains(&format!(">{prefix}")), "a raw key {prefix}… shows on the page");
    }
    assert!(!page.html.contains(">?<"), "a missing dynamic word shows as ?");
}

#[tokio::test]
async fn only_admins_get_in() {
    let (store, _, t) = town_with_admins().await;
    let mut stranger = Browser::new(&store);
    assert_eq!(stranger.get("/admin/users").await.location(), "/login?next=/admin/users");
    let mut handler = Browser::new(&store);
    handler.login("handler_c1", "demo-password").await;
    assert!(!handler.get("/work").await.html.contains("id=\"nav-admin\""));
    for path in
        ["/admin/units", "/admin/users", "/admin/categories", "/admin/calendar", "/admin/changes", "/admin/users.xlsx"]
    {
        let page = handler.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.html.contains("只有管理员可以使用此页面"), "{path}");
    }
    let unit = t.community.to_string();
    let post = handler
        .post(
            "/admin/users",
            &[
                ("_csrf", CSRF),
                ("login", "x1"),
                ("name", "x"),
                ("role", "admin"),
                ("unit_id", &unit),
                ("password", "long-enough"),
            ],
        )
        .await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    assert!(store.account_by_login("x1").await.unwrap().is_none());

    // The street's admin sees the street, not the department beside it.
    let mut street = Browser::new(&store);
    street.login("admin_s1", "admin-password").await;
    let units = street.get("/admin/units").await;
    assert!(units.html.contains("柳湾社区") && !units.html.contains("区住建局"));
    assert_eq!(street.get(&format!("/admin/units/{}", t.department)).await.status, StatusCode::NOT_FOUND);
    let supervisor = store.account_by_login("supervisor").await.unwrap().unwrap();
    assert_eq!(street.get(&format!("/admin/users/{}", supervisor.id)).await.status, StatusCode::NOT_FOUND);
    let category = street.post("/admin/categories", &[("_csrf", CSRF), ("name", "街道自设")]).await;
    assert!(category.html.contains("只有区级管理员可以修改全区设置"), "{}", category.html);
}

#[tokio::test]
async fn an_admin_adds_a_person_who_then_logs_in() {
    let (store, _, t) = town_with_admins().await;
    let mut admin = Browser::new(&store);
    admin.login("admin", "admin-password").await;
    let home = admin.get("/work").await;
    assert!(home.html.contains("id=\"nav-admin\""));
    let list = admin.get("/admin/users").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.html.contains("handler_c1") && list.html.contains("id=\"add-user\""));
    all_words(&list);

    let unit = t.other_community.to_string();
    let mut form = vec![
        ("_csrf", "forged"),
        ("login", "cadre_c2"),
        ("name", "桃源社区干部"),
        ("role", "handler"),
        ("unit_id", unit.as_str()),
        ("password", "first-pass-1"),
    ];
    let forged = admin.post("/admin/users", &form).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.html.contains("页面已过期") && forged.html.contains("value=\"cadre_c2\""), "kept as typed");
    assert!(store.account_by_login("cadre_c2").await.unwrap().is_none());
    form[0] = ("_csrf", CSRF);
    form[5] = ("password", "short");
    let short = admin.post("/admin/users", &form).await;
    assert!(short.html.contains("密码至少需要 8 个字符"));
    form[1] = ("login", "handler_c1");
    form[5] = ("password", "first-pass-1");
    assert!(admin.post("/admin/users", &form).await.html.contains("已存在"));
    form[1] = ("login", "cadre_c2");
    let added = admin.post("/admin/users", &form).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let id = store.account_by_login("cadre_c2").await.unwrap().unwrap().id;
    assert_eq!(added.location(), format!("/admin/users/{id}?saved=1"));
    let detail = admin.get(added.location()).await;
    assert!(detail.html.contains("已保存") && detail.html.contains("桃源社区干部"));
    all_words(&detail);

    let mut cadre = Browser::new(&store);
    cadre.login("cadre_c2", "first-pass-1").await;
    assert_eq!(cadre.get("/work").await.status, StatusCode::OK);

    // A new role and unit; a reset password ends the cadre's session; so do stopped logins.
    let street = t.street.to_string();
    let path = format!("/admin/users/{id}");
    let changed =
        admin.post(&format!("{path}/change"), &[("_csrf", CSRF), ("role", "leader"), ("unit_id", &street)]).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    assert_eq!(store.account(id).await.unwrap().role, Role::Leader);
    let mismatch = admin
        .post(&format!("{path}/password"), &[("_csrf", CSRF), ("password", "second-pass-2"), ("again", "other")])
        .await;
    assert!(mismatch.html.contains("两次输入的新密码不一致"));
    admin
        .post(
            &format!("{path}/password"),
            &[("_csrf", CSRF), ("password", "second-pass-2"), ("again", "second-pass-2")],
        )
        .await;
    assert_eq!(cadre.get("/work").await.location(), "/login?expired=1&next=/work");
    cadre.login("cadre_c2", "second-pass-2").await;
    admin.post(&format!("{path}/disable"), &[("_csrf", CSRF)]).await;
    assert_eq!(cadre.get("/work").await.location(), "/login?expired=1&next=/work", "a disabled login ends at once");
    let refused = cadre.post("/login", &[("_csrf", CSRF), ("login", "cadre_c2"), ("password", "second-pass-2")]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let own = store.account_by_login("admin").await.unwrap().unwrap().id;
    let itself = admin.post(&format!("/admin/users/{own}/disable"), &[("_csrf", CSRF)]).await;
    assert!(itself.html.contains("不能修改或停用自己的账号"), "{}", itself.html);

    // The changes page tells it in Chinese, and so does its spreadsheet.
    let changes = admin.get("/admin/changes").await;
    for words in ["禁止登录", "重置密码", "调整角色或单位", "新增人员", "cadre_c2", "区管理员"] {
        assert!(changes.html.contains(words), "{words}");
    }
    all_words(&changes);
    let sheet = admin.get("/admin/changes.xlsx").await;
    let rows = &support::xlsx(&sheet.bytes).unwrap()[0].1;
    assert_eq!(rows[0], ["时间", "操作人", "操作", "对象", "内容"]);
    assert_eq!(rows[1][2], "禁止登录");
    assert_eq!(rows.len(), 5);
    let people = admin.get("/admin/users.xlsx").await;
    let people = &support::xlsx(&people.bytes).unwrap()[0].1;
    assert_eq!(people.len(), 1 + 9);
    assert!(people.iter().any(|row| row[0] == "cadre_c2" && row[2] == "负责人" && row[4] == "已禁止登录"));
}

#[tokio::test]
async fn the_list_of_people_goes_by_pages() {
    let (store, _, t) = town_with_admins().await;
    let hash = gongzhi_store::hash_password("demo-password").unwrap();
    for n in 0..55 {
        store.add_user(&format!("grid_{n:02}"), "网格员", Role::Volunteer, t.community, &hash).await.unwrap();
    }
    let mut admin = Browser::new(&store);
    admin.login("admin", "admin-password").await;
    let first = admin.get("/admin/users").await;
    assert!(first.html.contains("href=\"/admin/users?page=2\"") && !first.html.contains("rel=\"prev\""));
    assert!(first.html.contains("1 / 2 页 · 共 63"), "{}", first.html);
    let second = admin.get("/admin/users?page=2").await;
    assert!(second.html.contains("grid_54") && !second.html.contains(">handler_c1<"));
    assert!(second.html.contains("href=\"/admin/users?page=1\"") && !second.html.contains("rel=\"next\""));
    let beyond = admin.get("/admin/users?page=99").await;
    assert!(beyond.html.contains("2 / 2 页") && beyond.html.contains("grid_54"), "the last page instead");
    let export = admin.get("/admin/users.xlsx").await;
    assert_eq!(support::xlsx(&export.bytes).unwrap()[0].1.len(), 1 + 63, "the export holds every page");
}

#[tokio::test]
async fn an_admin_shapes_units_categories_and_deadlines() {
    let (store, _, t) = town_with_admins().await;
    let mut admin = Browser::new(&store);
    admin.login("admin", "admin-password").await;
    let tree = admin.get("/admin/units").await;
    assert!(tree.html.contains("class=\"depth-2\"><a href=\"/admin/units/") && tree.html.contains("柳湾社区"));
    all_words(&tree);
    let unit_page = admin.get(&format!("/admin/units/{}", t.community)).await;
    assert!(unit_page.html.contains("云溪区 › 青石街道 › 柳湾社区"), "{}", unit_page.html);
    all_words(&unit_page);

    let base = format!("/admin/units/{}", t.community);
    let no_token = admin.post(&format!("{base}/add"), &[("kind", "grid"), ("code", "G1"), ("name", "一网格")]).await;
    assert!(no_token.html.contains("页面已过期"));
    let added = admin
        .post(&format!("{base}/add"), &[("_csrf", CSRF), ("kind", "grid"), ("code", "G1"), ("name", "一网格")])
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert!(admin.get("/admin/units").await.html.contains("一网格"));
    admin.post(&format!("{base}/rename"), &[("_csrf", CSRF), ("name", "柳湾新社区")]).await;
    assert_eq!(store.unit(t.community).await.unwrap().name, "柳湾新社区");

    // A community with requests is deactivated, and residents no longer see it.
    store.create(manhole(t.community, None), None, gongzhi_domain::Actor::Requester).await.unwrap();
    let delete = admin.post(&format!("{base}/delete"), &[("_csrf", CSRF)]).await;
    assert_eq!(delete.status, StatusCode::CONFLICT, "a unit in use conflicts with what it holds");
    assert!(delete.html.contains("不能删除，可改为停用"), "{}", delete.html);
    admin.post(&format!("{base}/deactivate"), &[("_csrf", CSRF)]).await;
    let mut resident = Browser::new(&store);
    assert!(!resident.get("/submit").await.html.contains("柳湾新社区"));
    assert!(resident.get("/submit").await.html.contains("桃源社区"));
    let community = t.community.to_string();
    let stale = [
        ("_csrf", CSRF),
        ("unit_id", community.as_str()),
        ("title", "井盖缺失"),
        ("content", "井盖缺失"),
        ("phone", "13812341234"),
    ];
    let refused = resident.post("/submit", &stale).await;
    assert!(refused.html.contains("单位「柳湾新社区」已停用"), "a form kept open since: {}", refused.html);
    admin.post(&format!("{base}/activate"), &[("_csrf", CSRF)]).await;
    assert!(resident.get("/submit").await.html.contains("柳湾新社区"));

    // Categories: a new one, then its own days and default unit.
    let categories = admin.get("/admin/categories").await;
    assert!(
        categories.html.contains("城乡建设")
            && categories
                .html
                .contains("name=\"standard_resolve_days\" type=\"number\" min=\"1\" max=\"365\" value=\"15\"")
    );
    all_words(&categories);
    // No category sets days yet: each row says the default applies.
    assert!(categories.html.contains("咨询、求助 3 个工作日，其他 15 个工作日（默认）"), "{}", categories.html);
    let subtree = admin.get("/admin/categories?top=1").await;
    assert!(subtree.html.contains("井盖"));
    let added = admin.post("/admin/categories", &[("_csrf", CSRF), ("name", "环境保护"), ("resolve_days", "")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let id = store.categories().await.unwrap().into_iter().find(|c| c.name == "环境保护").unwrap().id;
    let department = t.department.to_string();
    let bad = admin
        .post(
            &format!("/admin/categories/{id}"),
            &[("_csrf", CSRF), ("name", "环境保护"), ("default_unit_id", &department), ("resolve_days", "abc")],
        )
        .await;
    assert!(bad.html.contains("办理时限应为 1 到 365 个工作日"));
    admin
        .post(
            &format!("/admin/categories/{id}"),
            &[("_csrf", CSRF), ("name", "环境保护"), ("default_unit_id", &department), ("resolve_days", "7")],
        )
        .await;
    let category = store.category(id).await.unwrap();
    assert_eq!((category.default_unit_id, category.resolve_days), (Some(t.department), Some(7)));
    let page = admin.get(&format!("/admin/categories/{id}")).await;
    assert!(
        page.html.contains("value=\"7\"")
            && page.html.contains(&format!("<option value=\"{}\" selected>", t.department))
    );
    all_words(&page);
    // A first-level category's days hold beneath it, and the subtree says from where.
    let top = store.category(1).await.unwrap();
    let top_unit = top.default_unit_id.map(|u| u.to_string()).unwrap_or_default();
    admin
        .post(
            "/admin/categories/1",
            &[("_csrf", CSRF), ("name", &top.name), ("default_unit_id", &top_unit), ("resolve_days", "9")],
        )
        .await;
    let subtree = admin.get("/admin/categories?top=1").await;
    assert!(
        subtree.html.contains(&format!("9 个工作日 <span class=\"muted\">（继承自「{}」）</span>", top.name)),
        "{}",
        subtree.html
    );

    let policy = [
        ("_csrf", CSRF),
        ("urgent_respond_hours", "2"),
        ("urgent_resolve_hours", "24"),
        ("quick_respond_days", "1"),
        ("quick_resolve_days", "3"),
        ("standard_respond_days", "1"),
        ("standard_resolve_days", "10"),
        ("evaluation_window_days", "7"),
        ("warning_lead_hours", "48"),
    ];
    assert_eq!(admin.post("/admin/deadlines", &policy).await.status, StatusCode::SEE_OTHER);
    assert_eq!(store.settings().policy.standard_resolve_days, 10);
    let mut wrong = policy;
    wrong[2] = ("urgent_resolve_hours", "1");
    let refused = admin.post("/admin/deadlines", &wrong).await;
    assert!(refused.html.contains("领办时限不能长于办结时限"), "{}", refused.html);
}

#[tokio::test]
async fn an_admin_edits_the_working_calendar() {
    let (store, _, _) = town_with_admins().await;
    let mut admin = Browser::new(&store);
    admin.login("admin", "admin-password").await;
    let year = admin.get("/admin/calendar?year=2024").await;
    assert!(year.html.contains("class=\"day holiday\" name=\"date\" value=\"2024-10-01\""), "National Day");
    assert!(year.html.contains("class=\"day makeup\" name=\"date\" value=\"2024-10-12\""), "a make-up Saturday");
    all_words(&year);
    let working =
        |html: &str| html.split("id=\"working-days\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_eq!(working(&year.html), "251");

    let toggled = admin.post("/admin/calendar/toggle", &[("_csrf", CSRF), ("date", "2024-10-08")]).await;
    assert_eq!(toggled.location(), "/admin/calendar?year=2024&saved=1");
    let after = admin.get(toggled.location()).await;
    assert!(after.html.contains("class=\"day holiday\" name=\"date\" value=\"2024-10-08\""));
    assert_eq!(working(&after.html), "250");
    assert!(!store.settings().calendar.is_working_day(chrono::NaiveDate::from_ymd_opt(2024, 10, 8).unwrap()));
    let forged = admin.post("/admin/calendar/toggle", &[("date", "2024-10-09")]).await;
    assert!(forged.html.contains("页面已过期"));

    // A newer official file, uploaded; a broken one is refused with its line named.
    let csv = "date,kind,festival\r\n2031-01-01,holiday,元旦\r\n2031-01-26,workday,春节\r\n";
    let loaded = admin
        .post_multipart("/admin/calendar", &[("_csrf", CSRF)], &[("file", "2031.csv", "text/csv", csv.as_bytes())])
        .await;
    assert_eq!(loaded.status, StatusCode::SEE_OTHER, "{}", loaded.html);
    assert!(store.settings().calendar.covers(2031));
    let broken = "date,kind\n2031-02-30,holiday\n";
    let refused = admin.post_multipart("/admin/calendar", &[("_csrf", CSRF), ("csv", broken)], &[]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains("日历文件有误，未载入") && refused.html.contains("line 2"), "{}", refused.html);
    let unannounced = admin.get("/admin/calendar?year=2030").await;
    assert!(unannounced.html.contains("该年度尚未载入官方放假安排"));
    let file = admin.get("/admin/calendar.csv").await;
    assert_eq!(file.html, "date,kind,festival\n2031-01-01,holiday,元旦\n2031-01-26,workday,春节\n");
    let changes = admin.get("/admin/changes").await;
    assert!(
        changes.html.contains("载入日历文件")
            && changes.html.contains("调整工作日")
            && changes.html.contains("2024-10-08")
    );
}
