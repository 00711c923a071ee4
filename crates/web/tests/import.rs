//! An admin imports a district's historical hotline records on the page: uploads a GBK
//! CSV, checks the guessed columns and the preview, tries the import (nothing stored),
//! downloads the validation report, saves the mapping, starts the import and watches it
//! finish in the background; the intake figure moves by exactly the imported rows, and
//! the same file again with the saved mapping stores nothing twice. A file that is not a
//! table is refused on the page with the reason. Real router, real store, both databases.

mod support;

use axum::http::StatusCode;
use gongzhi_domain::time;
use gongzhi_store::testing::town;
use gongzhi_store::{hash_password, on_both, Store};
use support::{Browser, CSRF};

on_both!(an_admin_imports_a_file_and_the_figures_count_it, a_file_that_is_not_a_table_is_refused_with_the_reason);

async fn admin(store: &Store) -> (Browser, gongzhi_store::testing::Town) {
    let t = town(store).await;
    let hash = hash_password("admin-password").unwrap();
    store.add_user("admin", "区管理员", gongzhi_domain::Role::Admin, t.district, &hash).await.unwrap();
    let mut browser = Browser::new(store);
    browser.login("admin", "admin-password").await;
    (browser, t)
}

/// A 12345 export: three good rows and one whose date cannot be read.
fn export() -> Vec<u8> {
    let day = |back: i64| time::display(time::now() - back * time::DAY);
    let text = format!(
        "工单编号,来电时间,诉求内容,所属社区,诉求分类,答复内容,答复时间,满意度\n\
         GZ001,{},柳湾路路灯不亮已经一周,柳湾社区,城乡建设/市政设施/井盖,已修复,{},满意\n\
         GZ002,{},桃源路井盖缺失,桃源社区,,,,\n\
         GZ003,{},小区楼道堆放杂物,柳湾社区,,已清理,{},基本满意\n\
         GZ004,二〇二四年三月,夜间施工噪音,柳湾社区,,,,\n",
        day(10),
        day(8),
        day(5),
        day(4),
        day(3)
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    gbk.into_owned()
}

/// The count of the intake figure on the figures page, for the district this month and last.
async fn intake(browser: &mut Browser, district: i64) -> i64 {
    let today = time::local_date(time::now());
    let from = today - chrono::Duration::days(60);
    let page = browser.get(&format!("/work/figures?unit={district}&from={from}&to={today}&figure=intake")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    page.html
        .split("id=\"part-intake\"")
        .nth(1)
        .and_then(|s| s.split("class=\"count\">").nth(1))
        .and_then(|s| s.split('<').next())
        .unwrap()
        .parse()
        .unwrap()
}

fn job_of(location: &str) -> String {
    location.trim_start_matches("/admin/import/").split('?').next().unwrap().to_string()
}

/// The mapping form as the page sent it, with what the admin changes.
fn form<'a>(op: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("_csrf", CSRF),
        ("op", op),
        ("col_number", "工单编号"),
        ("col_created_at", "来电时间"),
        ("col_content", "诉求内容"),
        ("col_unit", "所属社区"),
        ("col_category", "诉求分类"),
        ("col_reply", "答复内容"),
        ("col_replied_at", "答复时间"),
        ("col_satisfaction", "满意度"),
        ("default_kind", "complaint"),
    ];
    form.extend_from_slice(extra);
    form
}

async fn an_admin_imports_a_file_and_the_figures_count_it(store: Store, _url: String) {
    let (mut admin, t) = admin(&store).await;
    let before = intake(&mut admin, t.district).await;

    let page = admin
        .post_multipart("/admin/import", &[("_csrf", CSRF)], &[("file", "12345导出.csv", "text/csv", &export())])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let job = job_of(page.location());
    let path = format!("/admin/import/{job}");

    // The columns are guessed from the GBK headers, and the first rows previewed as mapped.
    let page = admin.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("<option value=\"来电时间\" selected>"), "{}", page.html);
    assert!(page.html.contains("柳湾路路灯不亮已经一周"), "the preview shows the rows");
    assert!(page.html.contains("第 5 行【来电时间】“二〇二四年三月”：日期时间无法识别"), "{}", page.html);

    // A dry run stores nothing and reports every refused row; the mapping is saved.
    let page = admin.post(&path, &form("check", &[("save_as", "12345导出")])).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("试导入完成，未写入任何数据：共 4 行，可导入 3 行"), "{}", page.html);
    assert_eq!(store.count_requests().await.unwrap(), 0);
    let report = admin.get(&format!("{path}/report.xlsx")).await;
    assert_eq!(report.status, StatusCode::OK);
    let sheets = support::xlsx(&report.bytes).unwrap();
    assert_eq!(sheets[0].1[0], ["行号", "列", "内容", "问题"]);
    assert_eq!(sheets[0].1[1][..3], ["5", "来电时间", "二〇二四年三月"]);
    assert!(sheets[0].1[1][3].starts_with("日期时间无法识别"));

    // The import runs in the background; its page follows it to the end.
    let page = admin.post(&path, &form("start", &[])).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let mut html = String::new();
    for _ in 0..100 {
        html = admin.get(&path).await.html;
        if html.contains("id=\"import-state\">导入完成") {
            break;
        }
        assert!(html.contains("http-equiv=\"refresh\""), "a running import's page refreshes itself");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(html.contains("id=\"import-imported\">3<"), "{html}");
    assert_eq!(store.count_requests().await.unwrap(), 3);
    assert_eq!(intake(&mut admin, t.district).await - before, 3, "the figure moves by exactly the imported rows");

    // The same file again, with the saved mapping: every row is skipped.
    let page = admin
        .post_multipart("/admin/import", &[("_csrf", CSRF)], &[("file", "12345导出.csv", "text/csv", &export())])
        .await;
    let again = format!("/admin/import/{}", job_of(page.location()));
    let page = admin.post(&again, &[("_csrf", CSRF), ("op", "load"), ("use_mapping", "12345导出")]).await;
    assert!(page.html.contains("<option value=\"满意度\" selected>"), "{}", page.html);
    let page = admin.post(&again, &form("start", &[])).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    for _ in 0..100 {
        html = admin.get(&again).await.html;
        if html.contains("id=\"import-state\">导入完成") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(html.contains("id=\"import-skipped\">3<") && html.contains("id=\"import-imported\">0<"), "{html}");
    assert_eq!(store.count_requests().await.unwrap(), 3);
}

async fn a_file_that_is_not_a_table_is_refused_with_the_reason(store: Store, _url: String) {
    let (mut admin, _) = admin(&store).await;
    let png = support::PNG;
    let page =
        admin.post_multipart("/admin/import", &[("_csrf", CSRF)], &[("file", "照片.png", "image/png", png)]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("文件不是表格或文本"), "{}", page.html);
    let page = admin
        .post_multipart(
            "/admin/import",
            &[("_csrf", CSRF)],
            &[("file", "latin1.csv", "text/csv", b"a,b\ncaf\xe9,\xff\xfe\xfd\n")],
        )
        .await;
    assert!(page.html.contains("文件编码既不是 UTF-8 也不是 GBK"), "{}", page.html);
    // Nobody but an admin gets to the page.
    let mut handler = Browser::new(&store);
    handler.login("handler_c1", "demo-password").await;
    assert_eq!(handler.get("/admin/import").await.status, StatusCode::FORBIDDEN);
}
