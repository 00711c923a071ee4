//! Tasks assigned from above as a district runs them: the district's leader issues
//! "2026年依法治区重点任务" from its workbook; the community's cadre reports a milestone
//! with its evidence, the subdistrict's leader sends it back and then accepts it; the
//! subdistrict's own task is reviewed by the district's leader, never by its own; a
//! milestone left unreported is told of to its cadre and then climbs to the supervisors;
//! the cadre's task list of the three lists, the dashboard and the progress workbook
//! count it all. Real router, real store, both databases.

mod support;

use axum::http::StatusCode;
use chrono::Duration;
use gongzhi_domain::time::{self, DAY, HOUR};
use gongzhi_domain::Role;
use gongzhi_store::testing::town;
use gongzhi_store::{hash_password, on_both, Store};
use gongzhi_web::export::{self, Cell, Sheet};
use support::{Browser, CSRF, PNG};

on_both!(a_task_list_goes_from_its_workbook_to_completion_with_a_milestone_sent_back, bad_input_is_refused_in_chinese,);

/// A workbook of the task list's columns and these rows.
fn workbook(rows: &[[&str; 7]]) -> Vec<u8> {
    let sheet = Sheet {
        name: "责任清单".into(),
        header: gongzhi_domain::tasks::COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: rows.iter().map(|r| r.iter().map(|c| Cell::Text(c.to_string())).collect()).collect(),
    };
    export::workbook(&[sheet.into()]).unwrap()
}

fn day(offset: i64) -> String {
    (time::local_date(time::now()) + Duration::days(offset)).to_string()
}

async fn logged_in(store: &Store, login: &str) -> Browser {
    let mut browser = Browser::new(store);
    browser.login(login, "demo-password").await;
    browser
}

/// The id after `prefix` in a page, e.g. the first milestone form's.
fn ids_after(html: &str, prefix: &str) -> Vec<i64> {
    html.split(prefix)
        .skip(1)
        .filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .collect()
}

async fn a_task_list_goes_from_its_workbook_to_completion_with_a_milestone_sent_back(store: Store, _url: String) {
    let t = town(&store).await;
    let hash = hash_password("demo-password").unwrap();
    let district_leader = store.add_user("leader_d", "区领导", Role::Leader, t.district, &hash).await.unwrap();
    let mut issuer = logged_in(&store, "leader_d").await;

    let (yesterday, soon, later) = (day(-1), day(10), day(30));
    let rows = [
        ["1", "推进老旧小区改造", "C1", "handler_c1", "验收报告、现场照片", "完成摸底调查", soon.as_str()],
        ["1", "", "", "", "", "完成改造并验收", yesterday.as_str()],
        ["2", "背街小巷整治", "青石街道", "leader_s1", "整治前后照片", "完成整治", later.as_str()],
    ];
    let fields = [("_csrf", CSRF), ("name", "2026年依法治区重点任务"), ("unit", &*t.district.to_string())];
    let bytes = workbook(&rows);
    let issued = issuer
        .post_multipart("/work/tasks/import", &fields, &[("file", "tasks.xlsx", export::XLSX_TYPE, &bytes)])
        .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.html);
    let list_page = issued.location().to_string();
    let list = issuer.get(&list_page).await;
    assert!(list.html.contains("推进老旧小区改造") && list.html.contains("背街小巷整治"), "{}", list.html);
    let task_ids = ids_after(&list.html, "id=\"task-");
    assert_eq!(task_ids.len(), 2);

    // The community's cadre has two milestones to report; the first goes with evidence.
    let mut cadre = logged_in(&store, "handler_c1").await;
    let home = cadre.get("/work/tasks").await;
    assert!(home.html.contains("完成摸底调查") && home.html.contains("完成改造并验收"), "{}", home.html);
    let task = cadre.get(&format!("/work/tasks/{}", task_ids[0])).await;
    let milestones = ids_after(&task.html, "/work/tasks/milestones/");
    let (first, second) = (milestones[0], milestones[1]);
    let pdf = b"%PDF-1.4 survey report".as_slice();
    let files = [("files", "现场.png", "image/png", PNG), ("files", "摸底报告.pdf", "application/pdf", pdf)];
    let reported = cadre
        .post_multipart(
            &format!("/work/tasks/milestones/{first}/report"),
            &[("_csrf", CSRF), ("note", "已完成 12 个小区摸底")],
            &files,
        )
        .await;
    assert_eq!(reported.status, StatusCode::SEE_OTHER, "{}", reported.html);
    let task = cadre.get(&format!("/work/tasks/{}", task_ids[0])).await;
    assert!(task.html.contains("已报送待审核") && task.html.contains("摸底报告.pdf"), "{}", task.html);
    let file_id = ids_after(&task.html, "/work/tasks/files/")[0];
    let photo = cadre.get(&format!("/work/tasks/files/{file_id}")).await;
    assert_eq!((photo.status, photo.bytes.as_slice()), (StatusCode::OK, PNG));
    // The cadre does not review their own report.
    let own =
        cadre.post(&format!("/work/tasks/milestones/{first}/review"), &[("_csrf", CSRF), ("decision", "accept")]).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);

    // The subdistrict's leader is told, sends it back with a reason, then accepts the new report.
    let mut reviewer = logged_in(&store, "leader_s1").await;
    let inbox = reviewer.get("/work/notifications").await;
    assert!(inbox.html.contains("交办任务进展待审核"), "{}", inbox.html);
    let waiting = reviewer.get("/work/tasks").await;
    assert!(waiting.html.contains("id=\"to-review\"") && waiting.html.contains("完成摸底调查"), "{}", waiting.html);
    let review = format!("/work/tasks/milestones/{first}/review");
    let no_reason = reviewer.post(&review, &[("_csrf", CSRF), ("decision", "send_back"), ("note", " ")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.html.contains("退回时请写明理由"), "{}", no_reason.html);
    let back = reviewer.post(&review, &[("_csrf", CSRF), ("decision", "send_back"), ("note", "缺少小区清单")]).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.html);
    let twice = reviewer.post(&review, &[("_csrf", CSRF), ("decision", "accept")]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "a sent-back milestone waits for a new report");
    assert!(cadre.get("/work/notifications").await.html.contains("交办任务进展被退回"));
    let again = cadre
        .post_multipart(
            &format!("/work/tasks/milestones/{first}/report"),
            &[("_csrf", CSRF), ("note", "补充小区清单")],
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.html);
    assert_eq!(reviewer.post(&review, &[("_csrf", CSRF), ("decision", "accept")]).await.status, StatusCode::SEE_OTHER);

    // The subdistrict's own task: its leader reports it and cannot judge it; the district's leader does.
    let task2 = reviewer.get(&format!("/work/tasks/{}", task_ids[1])).await;
    let street_milestone = ids_after(&task2.html, "/work/tasks/milestones/")[0];
    let path = format!("/work/tasks/milestones/{street_milestone}/report");
    let reported = reviewer.post_multipart(&path, &[("_csrf", CSRF), ("note", "整治完成")], &[]).await;
    assert_eq!(reported.status, StatusCode::SEE_OTHER);
    let review2 = format!("/work/tasks/milestones/{street_milestone}/review");
    let self_review = reviewer.post(&review2, &[("_csrf", CSRF), ("decision", "accept")]).await;
    assert_eq!(self_review.status, StatusCode::FORBIDDEN);
    assert_eq!(issuer.post(&review2, &[("_csrf", CSRF), ("decision", "accept")]).await.status, StatusCode::SEE_OTHER);

    // The unreported milestone, due yesterday: the cadre is told, and a week on the supervisors.
    let now = time::now();
    assert!(store.sweep_milestones(now).await.unwrap() >= 1);
    assert_eq!(store.sweep_milestones(now).await.unwrap(), 0, "a look repeated tells nothing twice");
    let told = cadre.get("/work/notifications").await;
    assert!(told.html.contains("交办任务节点已超期"), "{}", told.html);
    // It was due at the end of yesterday: a week and an hour after, it climbs.
    store.sweep_milestones(time::start_of(time::local_date(now)) + 7 * DAY + HOUR).await.unwrap();
    let mut supervisor = logged_in(&store, "supervisor").await;
    assert!(supervisor.get("/work/notifications").await.html.contains("交办任务节点已超期"));
    let home = supervisor.get("/work/supervision").await.html;
    assert!(home.contains("交办任务超期节点</span><b>1</b>"), "{home}");
    let overdue = supervisor.get(&format!("/work/tasks?overdue=1&unit={}", t.district)).await;
    assert!(overdue.html.contains("完成改造并验收") && !overdue.html.contains("完成摸底调查"), "{}", overdue.html);

    // The cadre's task list (三张清单) carries the assigned milestones due this month.
    let lists = cadre.get(&format!("/work/lists?list=task&from={}&to={}", day(-40), day(40))).await;
    assert!(
        lists.html.contains("id=\"assigned-summary\">交办任务节点 2 个，按期通过 1 个，超期未报 1 个"),
        "{}",
        lists.html
    );
    let exported = support::xlsx(&cadre.get(&format!("/work/lists.xlsx?from={}&to={}", day(-40), day(40))).await.bytes);
    let sheets = exported.unwrap();
    let assigned = sheets.iter().find(|(name, _)| name == "上级交办任务").expect("the assigned tasks' sheet");
    assert_eq!(assigned.1.len(), 3, "{assigned:?}");

    // The dashboard's 重点任务 section counts the milestones due in its period.
    let dashboard =
        supervisor.get(&format!("/work/dashboard?unit={}&from={}&to={}", t.district, day(-40), day(40))).await;
    assert!(dashboard.html.contains("id=\"tasks\"") && dashboard.html.contains("重点任务推进"), "{}", dashboard.html);

    // The last milestone reported and accepted: the list is done, and its workbook says so.
    let late = cadre
        .post_multipart(
            &format!("/work/tasks/milestones/{second}/report"),
            &[("_csrf", CSRF), ("note", "改造完成并验收")],
            &[],
        )
        .await;
    assert_eq!(late.status, StatusCode::SEE_OTHER);
    let review3 = format!("/work/tasks/milestones/{second}/review");
    assert_eq!(reviewer.post(&review3, &[("_csrf", CSRF), ("decision", "accept")]).await.status, StatusCode::SEE_OTHER);
    let done = issuer.get(&list_page).await;
    assert!(done.html.contains("3/3"), "{}", done.html);
    let progress = issuer.get(&format!("{list_page}/progress.xlsx")).await;
    let sheets = support::xlsx(&progress.bytes).unwrap();
    let rows = &sheets[0].1;
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows[1..].iter().all(|r| r[6] == "已通过"), "{rows:?}");
    assert_eq!(rows[2][7], "逾期完成", "reported after its deadline: {rows:?}");
    assert_eq!(rows[1][10], "1", "sent back once: {rows:?}");
    let _ = district_leader;
}

async fn bad_input_is_refused_in_chinese(store: Store, _url: String) {
    let t = town(&store).await;
    let hash = hash_password("demo-password").unwrap();
    store.add_user("leader_d", "区领导", Role::Leader, t.district, &hash).await.unwrap();
    let mut issuer = logged_in(&store, "leader_d").await;
    let due = day(5);
    let district = t.district.to_string();
    let fields = [("_csrf", CSRF), ("name", "2026年重点任务"), ("unit", district.as_str())];
    let cases: [(&[[&str; 7]], &str); 4] = [
        (&[["1", "任务", "不存在的单位", "", "", "节点", due.as_str()]], "第 2 行：责任单位不存在"),
        (&[["1", "任务", "C1", "nobody", "", "节点", due.as_str()]], "第 2 行：责任人登录名不存在"),
        (&[["1", "任务", "C1", "", "", "节点", "下半年"]], "第 2 行：完成时限不是日期"),
        (
            &[["1", "任务", "C1", "", "", "节点", due.as_str()], ["1", "另一任务", "C1", "", "", "节点", due.as_str()]],
            "第 3 行：",
        ),
    ];
    for (rows, said) in cases {
        let bytes = workbook(rows);
        let page = issuer
            .post_multipart("/work/tasks/import", &fields, &[("file", "t.xlsx", export::XLSX_TYPE, &bytes)])
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{said}");
        assert!(page.html.contains(said), "{said}: {}", page.html);
    }
    let junk = issuer
        .post_multipart("/work/tasks/import", &fields, &[("file", "t.xlsx", export::XLSX_TYPE, b"not a workbook")])
        .await;
    assert_eq!(junk.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing was issued by the refused files.
    assert!(store.task_lists(&t.supervisor).await.unwrap().is_empty());

    let bytes = workbook(&[["1", "任务", "C1", "handler_c1", "", "节点", due.as_str()]]);
    let issued =
        issuer.post_multipart("/work/tasks/import", &fields, &[("file", "t.xlsx", export::XLSX_TYPE, &bytes)]).await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER);
    let same =
        issuer.post_multipart("/work/tasks/import", &fields, &[("file", "t.xlsx", export::XLSX_TYPE, &bytes)]).await;
    assert!(same.html.contains("已有同名的任务清单"), "{}", same.html);
    let task_id = store.task_lists(&t.supervisor).await.unwrap()[0].id;
    let task_id = store.tasks_of_list(&t.supervisor, task_id, 0).await.unwrap()[0].id;

    // A handler elsewhere neither sees the task nor reports on it; a leader may not issue
    // outside their subtree; a handler may not issue at all.
    let mut other = logged_in(&store, "handler_c2").await;
    assert_eq!(other.get(&format!("/work/tasks/{task_id}")).await.status, StatusCode::NOT_FOUND);
    let (_, milestones) = store.task(&t.handler, task_id, 0).await.unwrap();
    let report = format!("/work/tasks/milestones/{}/report", milestones[0].id);
    assert_eq!(
        other.post_multipart(&report, &[("_csrf", CSRF), ("note", "x")], &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let bytes = workbook(&[["1", "任务", "C1", "", "", "节点", due.as_str()]]);
    let form = [("_csrf", CSRF), ("name", "越权"), ("unit", district.as_str())];
    let refused =
        other.post_multipart("/work/tasks/import", &form, &[("file", "t.xlsx", export::XLSX_TYPE, &bytes)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut street = logged_in(&store, "leader_s1").await;
    let outside = workbook(&[["1", "任务", "ZJ", "", "", "节点", due.as_str()]]);
    let page =
        street.post_multipart("/work/tasks/import", &form, &[("file", "t.xlsx", export::XLSX_TYPE, &outside)]).await;
    assert!(page.html.contains("第 2 行：责任单位不在您的管辖范围内"), "{}", page.html);

    // A report: words required, evidence of the kinds taken only, and nothing stored when refused.
    let mut cadre = logged_in(&store, "handler_c1").await;
    let empty = cadre.post_multipart(&report, &[("_csrf", CSRF), ("note", "  ")], &[]).await;
    assert!(empty.html.contains("请填写进展情况"), "{}", empty.html);
    let exe = [("files", "setup.exe", "application/octet-stream", b"MZ\x90\x00".as_slice())];
    let wrong = cadre.post_multipart(&report, &[("_csrf", CSRF), ("note", "进展")], &exe).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.html.contains("佐证材料只能是照片"), "{}", wrong.html);
    assert!(store.task_steps(task_id).await.unwrap().is_empty());
    let review = format!("/work/tasks/milestones/{}/review", milestones[0].id);
    let pending = street.post(&review, &[("_csrf", CSRF), ("decision", "accept")]).await;
    assert_eq!(pending.status, StatusCode::CONFLICT, "nothing reported yet");
    let odd = street.post(&review, &[("_csrf", CSRF), ("decision", "maybe")]).await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    for path in ["/work/tasks/abc", "/work/tasks/999999", "/work/tasks/files/999999", "/work/tasks/lists/-1"] {
        let page = cadre.get(path).await;
        assert!(matches!(page.status, StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST), "{path}: {}", page.status);
    }
}
