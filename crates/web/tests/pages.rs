//! Every page over HTTP: what a person sees, in Chinese first, and what each form does
//! with good and bad input. Real router, real SQLite.

use axum::http::{header, StatusCode};
use gongzhi_store::testing::{manhole, town, Town};
use gongzhi_store::{Backend, Store};

mod support;

use support::{encode, Browser, Page, CSRF};

/// A page shows no raw catalogue key: every word came from the catalogue.
fn no_missing_words(page: &Page) {
    for prefix in ["nav.", "submit.", "track.", "login.", "work.", "request.", "queue.", "status.", "action."] {
        assert!(!page.html.contains(&format!(">{prefix}")), "a raw key {prefix}… shows on the page");
    }
    assert!(!page.html.contains(">?<"), "a missing dynamic word shows as ?");
}

async fn setup() -> (Store, Town) {
    let (store, _) = gongzhi_store::testing::fresh(Backend::Sqlite).await;
    let t = town(&store).await;
    (store, t)
}

#[tokio::test]
async fn a_resident_submits_by_form_and_follows_the_request() {
    let (store, t) = setup().await;
    let mut browser = Browser::new(&store);
    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.html.contains("有事找政府，一网来反映"));
    assert!(home.headers["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    no_missing_words(&home);
    let form = browser.get("/submit").await;
    assert!(form.html.contains("柳湾社区") && form.html.contains("城乡建设 / 市政设施 / 井盖"));
    no_missing_words(&form);

    let unit = t.community.to_string();
    let mut fields = vec![
        ("_csrf", CSRF),
        ("_key", "k-1"),
        ("kind", "complaint"),
        ("category", "城乡建设 / 市政设施 / 井盖"),
        ("unit_id", unit.as_str()),
        ("title", "井盖缺失"),
        ("content", "柳湾路18号井盖缺失"),
        ("phone", "13812341234"),
    ];
    let done = browser.post("/submit", &fields).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    let code = done.html.split("id=\"tracking-code\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    // The same form sent twice (a double click) makes one request.
    browser.post("/submit", &fields).await;
    assert_eq!(store.count_requests().await.unwrap(), 1);

    let track = browser.get(&format!("/track/{code}")).await;
    assert!(track.html.contains("<strong id=\"status\">已收到，等待受理</strong>"), "{}", track.html);
    assert!(!track.html.contains("13812341234"));
    no_missing_words(&track);

    // Refused input keeps what was typed and says why.
    fields[3] = ("category", "不存在的分类");
    fields[1] = ("_key", "k-2");
    let refused = browser.post("/submit", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("没有找到这个分类") && refused.html.contains("柳湾路18号井盖缺失"));
    fields[3] = ("category", "");
    fields[5] = ("title", "");
    let empty = browser.post("/submit", &fields).await;
    assert!(empty.html.contains("请填写标题"), "{}", empty.html);
    fields[0] = ("_csrf", "forged");
    let forged = browser.post("/submit", &fields).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "a form from elsewhere is not allowed");
    assert!(forged.html.contains("页面已过期"));
    assert_eq!(store.count_requests().await.unwrap(), 1);

    let english = browser.get("/submit?lang=en").await;
    assert!(english.html.contains("Report a problem") && english.html.contains("lang=\"en\""));
    let wrong = browser.get("/track/AAAAAAAAAA").await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert!(wrong.html.contains("查询码不正确"));
    assert_eq!(browser.get("/assets/app.css").await.status, StatusCode::OK);
    assert_eq!(browser.get("/assets/nothing.js").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn staff_log_in_work_their_queue_and_meet_conflicts() {
    let (store, t) = setup().await;
    let mine = store.create(manhole(t.community, None), None, gongzhi_domain::Actor::Requester).await.unwrap().request;
    let theirs =
        store.create(manhole(t.other_community, None), None, gongzhi_domain::Actor::Requester).await.unwrap().request;
    let mut browser = Browser::new(&store);
    assert_eq!(browser.get("/work").await.status, StatusCode::SEE_OTHER, "not logged in");
    let wrong = browser.post("/login", &[("_csrf", CSRF), ("login", "operator"), ("password", "nope")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.html.contains("用户名或密码错误"));
    let ok = browser.post("/login", &[("_csrf", CSRF), ("login", "operator"), ("password", "demo-password")]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let home = browser.get("/work").await;
    assert!(home.html.contains("待受理") && home.html.contains(&mine.number), "{}", home.html);
    no_missing_words(&home);
    let page = browser.get(&format!("/work/requests/{}", mine.id)).await;
    assert!(page.html.contains("id=\"action-accept\"") && page.html.contains("13812341234"));
    no_missing_words(&page);
    let accepted =
        browser.post(&format!("/work/requests/{}/accept", mine.id), &[("_csrf", CSRF), ("version", "1")]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    // Someone else acted first: the stale form is told so, and nothing changes.
    let stale = browser
        .post(&format!("/work/requests/{}/reject", mine.id), &[("_csrf", CSRF), ("version", "1"), ("reason", "重复")])
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.html.contains("该诉求已被他人处理，请刷新后再试"));
    // A form without the token does nothing.
    let forged =
        browser.post(&format!("/work/requests/{}/reject", mine.id), &[("version", "2"), ("reason", "x")]).await;
    assert!(forged.html.contains("页面已过期"));
    assert_eq!(store.request(mine.id, &t.operator).await.unwrap().version, 2);

    // A community's handler cannot open another community's request.
    let mut handler = Browser::new(&store);
    handler.post("/login", &[("_csrf", CSRF), ("login", "handler_c1"), ("password", "demo-password")]).await;
    assert_eq!(handler.get(&format!("/work/requests/{}", theirs.id)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(handler.get(&format!("/work/requests/{}", mine.id)).await.status, StatusCode::OK);
    let out = handler.post("/logout", &[("_csrf", CSRF)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(handler.get("/work").await.status, StatusCode::SEE_OTHER, "logged out");
}

#[tokio::test]
async fn the_dispatch_desk_dispatches_in_two_clicks() {
    let (store, t) = setup().await;
    let new = manhole(t.community, Some(t.category));
    let r = store.create(new, None, gongzhi_domain::Actor::Requester).await.unwrap().request;
    store
        .act(r.id, None, gongzhi_domain::Command::Accept, gongzhi_domain::Actor::Staff(t.operator.clone()))
        .await
        .unwrap();
    let mut browser = Browser::new(&store);
    browser.post("/login", &[("_csrf", CSRF), ("login", "dispatcher"), ("password", "demo-password")]).await;
    let desk = browser.get("/work/dispatch").await;
    assert!(desk.html.contains("城乡建设 / 市政设施 / 井盖") && desk.html.contains(&r.number), "{}", desk.html);
    // The category's unit is chosen already.
    assert!(
        desk.html.contains(&format!("<option value=\"{}\" selected>区住建局</option>", t.department)),
        "{}",
        desk.html
    );
    no_missing_words(&desk);
    // Units come grouped by level, each found by name, and the dispatcher may write
    // instructions for the unit.
    assert!(desk.html.contains("<optgroup label=\"区直部门\">"), "{}", desk.html);
    assert!(desk.html.contains(&format!("data-filter=\"unit-{}\"", r.id)));
    assert!(desk.html.contains(&format!("<textarea name=\"instructions\" id=\"instructions-{}\"", r.id)));
    // The form comes back to where its row was, to say what was sent.
    let back = format!("/work/dispatch?page=1&sent={}&at=#sent", r.id);
    assert!(desk.html.contains(&back.replace('&', "&#38;")), "{}", desk.html);
    let department = t.department.to_string();
    let instructions = "请先联系诉求人核实井盖位置";
    let sent = browser
        .post(
            &format!("/work/requests/{}/dispatch", r.id),
            &[
                ("_csrf", CSRF),
                ("version", "2"),
                ("unit_id", &department),
                ("instructions", instructions),
                ("back", &back),
            ],
        )
        .await;
    assert_eq!((sent.status, sent.headers[header::LOCATION].to_str().unwrap()), (StatusCode::SEE_OTHER, back.as_str()));
    assert_eq!(store.request(r.id, &t.dispatcher).await.unwrap().assignee_unit_id, Some(t.department));
    let events = store.events_of(r.id).await.unwrap();
    assert_eq!(events.last().map(|e| (e.action.as_str(), e.note.as_str())), Some(("dispatch", instructions)));
    let after = browser.get(back.trim_end_matches("#sent")).await;
    assert!(after.html.contains(&format!("已将 {} 派给 区住建局", r.number)), "{}", after.html);
    let offsite = browser
        .post(
            &format!("/work/requests/{}/press", r.id),
            &[("_csrf", CSRF), ("version", "3"), ("note", "x"), ("back", "//evil.example/")],
        )
        .await;
    assert_ne!(offsite.headers.get(header::LOCATION).map(|l| l.to_str().unwrap()), Some("//evil.example/"));
}

#[tokio::test]
async fn a_leader_sees_the_measures_and_the_trend_of_the_subtree() {
    let (store, t) = setup().await;
    store.create(manhole(t.community, None), None, gongzhi_domain::Actor::Requester).await.unwrap();
    let mut browser = Browser::new(&store);
    browser.post("/login", &[("_csrf", CSRF), ("login", "leader_s1"), ("password", "demo-password")]).await;
    let page = browser.get("/work/overview").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("青石街道 · 工作概况"), "{}", page.html);
    let intake = page.html.split("id=\"figure-intake\"").nth(1).unwrap();
    assert!(intake.starts_with(" title=\"本期新受理的诉求件数"));
    // The tile opens the requests it counts, and its definition is a click away.
    assert!(intake.contains("<span>受理量</span><a href=\"/work/figures?unit="), "{intake}");
    assert!(intake.contains("&#38;figure=intake\" class=\"value\"><b>1</b></a>"), "{intake}");
    assert!(intake.contains("href=\"#how-intake\""));
    assert!(page.html.contains("id=\"how-intake\""));
    let data = page.html.split("id=\"trend-data\">").nth(1).unwrap().split("</script>").next().unwrap();
    let trend: serde_json::Value = serde_json::from_str(data).unwrap();
    assert_eq!(trend["series"][0]["data"], serde_json::json!([1]));
    no_missing_words(&page);
}

#[tokio::test]
async fn the_public_statistics_name_no_one() {
    let (store, t) = setup().await;
    store.create(manhole(t.community, None), None, gongzhi_domain::Actor::Requester).await.unwrap();
    let mut browser = Browser::new(&store);
    let page = browser.get("/stats").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html.contains("云溪区 · 办理情况统计") && page.html.contains("<td>青石街道</td><td>1</td>"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("王女士") && !page.html.contains("13812341234"));
    no_missing_words(&page);
}

#[tokio::test]
async fn search_finds_a_word_pages_through_and_exports_what_it_found() {
    let (store, t) = setup().await;
    for i in 0..3 {
        store.create(manhole(t.community, Some(t.category)), None, gongzhi_domain::Actor::Requester).await.unwrap();
        let mut lamp = manhole(t.other_community, None);
        lamp.title = format!("路灯不亮{i}");
        lamp.content = "桃源路路灯坏了".into();
        store.create(lamp, None, gongzhi_domain::Actor::Requester).await.unwrap();
    }
    let mut browser = Browser::new(&store);
    browser.post("/login", &[("_csrf", CSRF), ("login", "operator"), ("password", "demo-password")]).await;

    let empty = browser.get("/work/search").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.html.contains("关键词"));
    no_missing_words(&empty);

    let found = browser.get(&format!("/work/search?q={}", encode("井盖"))).await;
    assert_eq!(found.status, StatusCode::OK);
    assert_eq!(found.html.matches("柳湾社区井盖缺失").count(), 3);
    assert!(!found.html.contains("路灯不亮"));
    no_missing_words(&found);

    // Combined with a filter that excludes everything.
    let none = browser.get(&format!("/work/search?q={}&status=closed", encode("井盖"))).await;
    assert!(none.html.contains("没有找到"));

    let short = browser.get(&format!("/work/search?q={}", encode("井"))).await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(short.html.contains("关键词太短"));
    let bad_date = browser.get("/work/search?from=2026-02-31").await;
    assert_eq!(bad_date.status, StatusCode::BAD_REQUEST);
    assert!(bad_date.html.contains("日期格式不正确"));

    let export = browser.get(&format!("/work/search.xlsx?q={}", encode("路灯"))).await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.headers[header::CONTENT_TYPE], gongzhi_web::export::XLSX_TYPE);
    assert!(export.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
}

#[tokio::test]
async fn an_exported_list_reads_back_row_for_row() {
    let (store, t) = setup().await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let mut lamp = manhole(t.community, None);
        lamp.title = format!("路灯不亮{i}");
        ids.push(store.create(lamp, None, gongzhi_domain::Actor::Requester).await.unwrap().request.number);
    }
    let mut browser = Browser::new(&store);
    browser.post("/login", &[("_csrf", CSRF), ("login", "operator"), ("password", "demo-password")]).await;
    let export = browser.get(&format!("/work/search.xlsx?q={}", encode("路灯"))).await;
    let sheets = support::xlsx(&export.bytes).expect("a workbook");
    let rows = &sheets[0].1;
    assert_eq!(rows[0][0], "编号");
    let mut numbers: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    numbers.sort();
    ids.sort();
    assert_eq!(numbers, ids);
    assert!(rows[1..].iter().all(|r| r[7] == "待受理"));
    assert!(rows[1..].iter().all(|r| r[4] == "群众"), "who raised it has its column");

    // An enterprise's request is found by the requester filter, alone.
    let mut shop = manhole(t.community, None);
    shop.title = "路灯不亮影响门店经营".into();
    shop.requester_type = gongzhi_domain::RequesterType::Enterprise;
    let shop = store.create(shop, None, gongzhi_domain::Actor::Requester).await.unwrap().request.number;
    let page = browser.get(&format!("/work/search?q={}&requester=enterprise", encode("路灯"))).await;
    assert!(page.html.contains(&shop), "{}", page.html);
    assert!(ids.iter().all(|n| !page.html.contains(n.as_str())), "residents' requests are left out");
    let bad = browser.get("/work/search?requester=martian").await;
    assert_eq!(bad.status, axum::http::StatusCode::BAD_REQUEST);

    // The intake queue exports the same five.
    let export = browser.get("/work/queue.xlsx?queue=intake").await;
    let sheets = support::xlsx(&export.bytes).expect("a workbook");
    assert_eq!(sheets[0].0, "待受理");
    assert_eq!(sheets[0].1.len(), 6, "the four and the enterprise's, under the header");
}

#[tokio::test]
async fn the_workbench_pages_through_a_long_queue() {
    let (store, t) = setup().await;
    for _ in 0..53 {
        store.create(manhole(t.community, None), None, gongzhi_domain::Actor::Requester).await.unwrap();
    }
    let mut browser = Browser::new(&store);
    browser.post("/login", &[("_csrf", CSRF), ("login", "operator"), ("password", "demo-password")]).await;
    let first = browser.get("/work?queue=intake").await;
    assert_eq!(first.html.matches("/work/requests/").count(), 50);
    assert!(first.html.contains("page=2"));
    let second = browser.get("/work?queue=intake&page=2").await;
    assert_eq!(second.html.matches("/work/requests/").count(), 3);
    assert!(!second.html.contains("page=3"));
    assert!(second.html.contains("page=1"));
    // Nonsense page numbers show the first page rather than an error.
    let odd = browser.get("/work?queue=intake&page=abc").await;
    assert_eq!(odd.html.matches("/work/requests/").count(), 50);
}

#[tokio::test]
async fn the_desk_names_co_units_and_they_find_the_work() {
    let (store, t) = setup().await;
    let staff = |s: &gongzhi_domain::role::Staff| gongzhi_domain::Actor::Staff(s.clone());
    let r = store.create(manhole(t.community, Some(t.category)), None, staff(&t.operator)).await.unwrap().request;
    store.act(r.id, None, gongzhi_domain::Command::Accept, staff(&t.operator)).await.unwrap();
    let mut dispatcher = Browser::new(&store);
    dispatcher.login("dispatcher", "demo-password").await;
    let desk = dispatcher.get("/work/dispatch").await;
    assert!(desk.html.contains("name=\"co_unit_ids\" multiple"), "the desk offers co-units: {}", desk.html);
    no_missing_words(&desk);

    // The desk's form: the lead unit, and two co-units chosen in the multiple select.
    let (lead, other, department) = (t.community.to_string(), t.other_community.to_string(), t.department.to_string());
    let sent = dispatcher
        .post(
            &format!("/work/requests/{}/dispatch", r.id),
            &[
                ("_csrf", CSRF),
                ("version", "2"),
                ("unit_id", &lead),
                ("co_unit_ids", &other),
                ("co_unit_ids", &department),
                ("back", "/work/dispatch"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    let page = dispatcher.get(&format!("/work/requests/{}", r.id)).await;
    assert!(page.html.contains("<span id=\"co-units\">桃源社区、区住建局</span>"), "{}", page.html);

    // The helping community's handler finds it on the workbench, in the list and by a word.
    let mut helper = Browser::new(&store);
    helper.login("handler_c2", "demo-password").await;
    let home = helper.get("/work").await;
    assert!(home.html.contains("id=\"queue-co_unit\""), "{}", home.html);
    no_missing_words(&home);
    let queue = helper.get("/work?queue=co_unit").await;
    assert!(queue.html.contains(&r.number), "{}", queue.html);
    let found = helper.get(&format!("/work/search?q={}", encode("井盖"))).await;
    assert!(found.html.contains(&r.number), "{}", found.html);
    let listed = helper.get("/work/search?status=dispatched").await;
    assert!(listed.html.contains(&r.number), "{}", listed.html);

    // A co-unit that is no longer active cannot be named; the form says which and why.
    let hash = gongzhi_store::hash_password("admin-password").unwrap();
    let admin = store.add_user("admin", "区管理员", gongzhi_domain::Role::Admin, t.district, &hash).await.unwrap();
    store.set_unit_active(&admin.staff(), t.other_community, false, gongzhi_domain::time::now()).await.unwrap();
    let r2 = store.create(manhole(t.community, None), None, staff(&t.operator)).await.unwrap().request;
    store.act(r2.id, None, gongzhi_domain::Command::Accept, staff(&t.operator)).await.unwrap();
    let page = dispatcher.get(&format!("/work/requests/{}", r2.id)).await;
    assert!(!page.html.contains(&format!("<option value=\"{other}\">")), "an inactive unit is not offered");
    let refused = dispatcher
        .post(
            &format!("/work/requests/{}/dispatch", r2.id),
            &[("_csrf", CSRF), ("version", "2"), ("unit_id", &lead), ("co_unit_ids", &other)],
        )
        .await;
    assert!(refused.html.contains("协办单位「桃源社区」已停用"), "{}", refused.html);
    assert_eq!(store.request(r2.id, &t.dispatcher).await.unwrap().status, gongzhi_domain::Status::PendingDispatch);
}

#[tokio::test]
async fn nothing_that_counts_is_chosen_for_anyone() {
    use gongzhi_domain::{Actor, Command, Status};
    let (store, t) = setup().await;
    let r = gongzhi_store::testing::dispatched(&store, &t, manhole(t.community, None)).await;
    store.act(r.id, None, Command::Claim, Actor::Staff(t.handler.clone())).await.unwrap();
    let request = format!("/work/requests/{}", r.id);

    // The handler's reply form asks whether the requester was contacted, and answers
    // nothing for them.
    let mut handler = Browser::new(&store);
    handler.login("handler_c1", "demo-password").await;
    let page = handler.get(&request).await;
    assert!(
        page.html.contains("name=\"contacted\" value=\"yes\">")
            && page.html.contains("name=\"contacted\" value=\"no\">")
    );
    assert!(!page.html.contains(" checked"), "nothing is ticked: {}", page.html);
    no_missing_words(&page);
    let reply = "井盖已补装，已电话告知王女士。";
    let unchosen =
        handler.post(&format!("{request}/resolve"), &[("_csrf", CSRF), ("version", "4"), ("reply", reply)]).await;
    assert_eq!(unchosen.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unchosen.html.contains("id=\"missing-resolve-contacted\">请选择是否已与诉求人联系</p>"),
        "said next to the choice: {}",
        unchosen.html
    );
    assert!(unchosen.html.contains(&format!(">{reply}</textarea>")), "the reply is kept");
    assert_eq!(store.request(r.id, &t.handler).await.unwrap().status, Status::InProgress);
    let chosen = handler
        .post(
            &format!("{request}/resolve"),
            &[("_csrf", CSRF), ("version", "4"), ("reply", reply), ("contacted", "no")],
        )
        .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.html);
    assert_eq!(store.request(r.id, &t.handler).await.unwrap().contacted, Some(false));

    // The resident's evaluation: no verdict is ticked, and one left out is asked for
    // next to its question, with the comment kept.
    let code = store.request(r.id, &t.handler).await.unwrap().tracking_code;
    let mut resident = Browser::new(&store);
    let track = resident.get(&format!("/track/{code}")).await;
    assert!(track.html.contains("id=\"evaluation\"") && !track.html.contains(" checked"), "{}", track.html);
    let comment = "井盖装好了，但周边路面还没修";
    let evaluate = format!("/track/{code}/evaluate");
    let unchosen = resident.post(&evaluate, &[("_csrf", CSRF), ("comment", comment)]).await;
    assert_eq!(unchosen.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unchosen.html.contains("id=\"missing-solved\">请选择问题是否解决</p>"), "{}", unchosen.html);
    assert!(unchosen.html.contains("id=\"missing-satisfaction\">请选择满意程度</p>"));
    assert!(unchosen.html.contains(&format!(">{comment}</textarea>")), "the comment is kept");
    let half = resident
        .post(&evaluate, &[("_csrf", CSRF), ("satisfaction", "basically_satisfied"), ("comment", comment)])
        .await;
    assert!(half.html.contains("id=\"missing-solved\"") && !half.html.contains("id=\"missing-satisfaction\""));
    assert!(half.html.contains("value=\"basically_satisfied\" checked"), "the choice made is kept");
    assert_eq!(store.request(r.id, &t.handler).await.unwrap().status, Status::Resolved, "nothing was recorded");

    // Staff recording a verdict from a call choose it too.
    let mut operator = Browser::new(&store);
    operator.login("operator", "demo-password").await;
    let page = operator.get(&request).await;
    assert!(page.html.contains("id=\"action-evaluate\"") && !page.html.contains(" checked"), "{}", page.html);
    let unchosen =
        operator.post(&format!("{request}/evaluate"), &[("_csrf", CSRF), ("version", "5"), ("solved", "yes")]).await;
    assert_eq!(unchosen.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unchosen.html.contains("id=\"missing-evaluate-satisfaction\">请选择满意程度</p>"));
    assert!(unchosen.html.contains("name=\"solved\" value=\"yes\" checked"));
    assert_eq!(store.request(r.id, &t.handler).await.unwrap().status, Status::Resolved);
}

#[tokio::test]
async fn a_dissatisfied_resident_asks_for_it_to_be_handled_again() {
    use gongzhi_domain::{Actor, Command, Status};
    let (store, t) = setup().await;
    let r = gongzhi_store::testing::dispatched(&store, &t, manhole(t.community, None)).await;
    store.act(r.id, None, Command::Claim, Actor::Staff(t.handler.clone())).await.unwrap();
    let reply = Command::Resolve { reply: "井盖已补装".into(), contacted: true };
    let r = store.act(r.id, None, reply, Actor::Staff(t.handler.clone())).await.unwrap();
    let track = format!("/track/{}", r.tracking_code);
    let mut resident = Browser::new(&store);
    assert!(!resident.get(&track).await.html.contains("id=\"reopen\""), "first the verdict");

    // Not solved, not satisfied: thanked, and shown the way back and what it means.
    let verdict = [("_csrf", CSRF), ("solved", "no"), ("satisfaction", "unsatisfied"), ("comment", "路面还没修")];
    let said = resident.post(&format!("{track}/evaluate"), &verdict).await;
    assert_eq!(said.status, StatusCode::OK);
    assert!(said.html.contains("感谢您的评价。对办理结果不满意，您可以在下方申请重办。"), "{}", said.html);
    assert!(said.html.contains("id=\"reopen\"") && said.html.contains("退回原承办单位重新办理"), "{}", said.html);
    assert!(said.html.contains("id=\"reopen-until\">请在 "));
    no_missing_words(&said);

    // A reason is asked for next to its field.
    let reopen = format!("{track}/reopen");
    let bare = resident.post(&reopen, &[("_csrf", CSRF), ("reason", "  ")]).await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bare.html.contains("id=\"missing-reason\">请写明申请重办的理由</p>"), "{}", bare.html);
    assert_eq!(store.request(r.id, &t.handler).await.unwrap().status, Status::Closed);

    let asked = resident.post(&reopen, &[("_csrf", CSRF), ("reason", "井盖周边路面塌陷仍未修复")]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.html.contains("已收到您的重办申请"), "{}", asked.html);
    assert!(asked.html.contains("<strong id=\"status\">正在办理</strong>") && !asked.html.contains("id=\"reopen\""));
    let again = store.request(r.id, &t.handler).await.unwrap();
    assert_eq!((again.status, again.handler_id), (Status::InProgress, Some(t.handler.user_id)));
    assert!(!again.is_overdue(gongzhi_domain::time::now()));
    // A second try, from a page kept open, is refused and says why.
    let twice = resident.post(&reopen, &[("_csrf", CSRF), ("reason", "再申请一次")]).await;
    assert!(twice.html.contains("当前状态为「办理中」，不能执行「重办」"), "{}", twice.html);
}

#[tokio::test]
async fn no_staff_page_or_export_shows_a_tracking_code() {
    let (store, t) = setup().await;
    let r = gongzhi_store::testing::dispatched(&store, &t, manhole(t.community, Some(t.category))).await;
    let code = store.request(r.id, &t.dispatcher).await.unwrap().tracking_code;
    for login in ["operator", "dispatcher", "handler_c1", "leader_s1", "supervisor"] {
        let mut staff = Browser::new(&store);
        staff.login(login, "demo-password").await;
        for path in [
            format!("/work/requests/{}", r.id),
            "/work?queue=claim".to_string(),
            format!("/work/search?q={}", encode("井盖")),
            format!("/work/search.xlsx?q={}", encode("井盖")),
            "/work/queue.xlsx?queue=claim".to_string(),
        ] {
            let page = staff.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{login} {path}");
            let text = match support::xlsx(&page.bytes) {
                Ok(sheets) => format!("{sheets:?}"),
                Err(_) => page.html,
            };
            assert!(text.contains(&r.number), "{login} {path} lists the request");
            assert!(!text.contains(&code), "{login} {path} shows the tracking code");
        }
    }
}
