//! The supervision pages over HTTP, as a supervisor and the unit meet them: draw a
//! sample, call back (the number shown only in the workspace, and logged), find a result
//! that was never fed back, the unit answers the rework order, the supervisor closes it.
//! Every form needs its CSRF token; nobody sees beyond their subtree; lists export.

mod support;

use axum::http::StatusCode;
use gongzhi_domain::time;
use gongzhi_domain::*;
use gongzhi_store::testing::{dispatched, manhole, staff, town, Town};
use gongzhi_store::{on_both, Backend, Store};
use gongzhi_web::export;
use serde_json::{json, Value};
use support::{pii_views, Browser, Page, CSRF};

on_both!(the_api_draws_calls_back_and_orders, unsatisfied_closures_are_listed_for_supervisors);

/// A page shows no raw catalogue key.
fn all_words(page: &Page) {
    for prefix in ["supervision.", "question.", "callback_state.", "order_", "rule.", "refused.", "nav.", "action."] {
        assert!(!page.html.contains(&format!(">{prefix}")), "a raw key {prefix}… shows on the page");
    }
    assert!(!page.html.contains(">?<"), "a missing dynamic word shows as ?");
}

async fn resolved(store: &Store, t: &Town) -> Request {
    let r = dispatched(store, t, manhole(t.community, Some(t.category))).await;
    store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    let note = Command::Progress { note: "已联系市政养护单位到场查看".into() };
    store.act(r.id, None, note, staff(&t.handler)).await.unwrap();
    let resolve = Command::Resolve { reply: "已补装井盖".into(), contacted: true };
    store.act(r.id, None, resolve, staff(&t.handler)).await.unwrap()
}

async fn setup() -> (Store, String, Town) {
    let (store, url) = gongzhi_store::testing::fresh(Backend::Sqlite).await;
    let t = town(&store).await;
    (store, url, t)
}

fn id_after(location: &str, prefix: &str) -> i64 {
    location.strip_prefix(prefix).and_then(|rest| rest.split(['?', '/']).next()).unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_supervisor_calls_back_and_the_unit_answers_the_rework() {
    let (store, url, t) = setup().await;
    let r = resolved(&store, &t).await;
    let today = time::local_date(time::now()).to_string();
    let mut supervisor = Browser::new(&store);
    supervisor.login("supervisor", "demo-password").await;
    let home = supervisor.get("/work/supervision").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.html.contains("督查回头看") && home.html.contains("id=\"nav-supervision\""), "{}", home.html);
    all_words(&home);

    // The draw.
    let form = supervisor.get("/work/supervision/draw").await;
    assert!(form.html.contains("id=\"draw-form\"") && form.html.contains("柳湾社区"));
    all_words(&form);
    let district = t.district.to_string();
    let draw = [
        ("_csrf", CSRF),
        ("unit", district.as_str()),
        ("from", today.as_str()),
        ("to", today.as_str()),
        ("rate", "100"),
        ("minimum", "1"),
        ("seed", "42"),
    ];
    let bad = supervisor.post("/work/supervision/draw", &[draw.as_slice(), &[("rate", "0")]].concat()).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.html);
    let drawn = supervisor.post("/work/supervision/draw", &draw).await;
    assert_eq!(drawn.status, StatusCode::SEE_OTHER, "{}", drawn.html);
    let sample = supervisor.get(drawn.location()).await;
    assert!(sample.html.contains(&r.number) && sample.html.contains("<code id=\"seed\">42</code>"), "{}", sample.html);
    all_words(&sample);
    let audit = supervisor.get(&format!("{}?verify=1", drawn.location())).await;
    assert!(audit.html.contains("复核一致"), "{}", audit.html);

    // The queue and the workspace: the number is shown there, and only there.
    let queue = supervisor.get("/work/supervision/callbacks").await;
    assert!(queue.html.contains(&r.number) && !queue.html.contains("13812341234"), "{}", queue.html);
    all_words(&queue);
    let link = queue.html.split("href=\"/work/supervision/callbacks/").nth(1).unwrap();
    let item: i64 = link.split('"').next().unwrap().parse().unwrap();
    let request_page = supervisor.get(&format!("/work/requests/{}", r.id)).await;
    assert!(request_page.html.contains("138****1234") && !request_page.html.contains("13812341234"));
    assert!(request_page.html.contains("抽中回访"), "the draw is in the timeline");
    let path = format!("/work/supervision/callbacks/{item}");
    let workspace = supervisor.get(&path).await;
    assert!(workspace.html.contains("<strong class=\"code\" id=\"callback-phone\">13812341234</strong>"));
    all_words(&workspace);
    // The access log is written behind other writes; a write flushes it.
    store.create(manhole(t.community, None), None, Actor::Requester).await.unwrap();
    assert_eq!(pii_views(&url, t.supervisor.user_id, r.id).await, 1);

    // Not reached; then reached, with a question left unanswered; then in full.
    let missed = supervisor.post(&path, &[("_csrf", CSRF), ("result", "not_reached"), ("note", "无人接听")]).await;
    assert_eq!(missed.status, StatusCode::SEE_OTHER);
    let again = supervisor.get(&path).await;
    assert!(again.html.contains("data-state=\"retry\"") && again.html.contains("无人接听"), "{}", again.html);
    let mut answers = vec![
        ("_csrf", CSRF),
        ("result", "reached"),
        ("from_public", "yes"),
        ("measures_known", "yes"),
        ("result_fed_back", "no"),
        ("note", "诉求人说没人告诉他处理结果"),
    ];
    let partial = supervisor.post(&path, &answers).await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(partial.html.contains("请逐项选择四个问题的回答"));
    // Said next to the question left out; what was chosen and noted is kept.
    assert!(partial.html.contains("id=\"missing-satisfied\">请选择「是」或「否」</p>"), "{}", partial.html);
    assert!(!partial.html.contains("id=\"missing-from_public\""));
    assert!(partial.html.contains("name=\"result_fed_back\" value=\"no\" checked"));
    assert!(partial.html.contains(">诉求人说没人告诉他处理结果</textarea>"));
    answers.push(("satisfied", "yes"));
    let forged = supervisor.post(&path, &[&answers[1..], &[("_csrf", "forged")]].concat()).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "a form from elsewhere is not allowed");
    assert!(forged.html.contains("页面已过期"));
    let done = supervisor.post(&path, &answers).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let order: i64 = done.location().split("order=").nth(1).unwrap().parse().unwrap();
    let recorded = supervisor.get(done.location()).await;
    assert!(recorded.html.contains("data-state=\"reached\"") && recorded.html.contains("id=\"rework-order\""));
    assert!(!recorded.html.contains("id=\"reached-form\""), "a finished callback takes no more calls");
    let reworked = store.request(r.id, &t.supervisor).await.unwrap();
    assert_eq!(reworked.status, Status::InProgress, "the result was not fed back: back to work");

    // The unit's handler finds the order and answers it.
    let mut handler = Browser::new(&store);
    handler.login("handler_c1", "demo-password").await;
    let mine = handler.get("/work/supervision/orders").await;
    assert!(mine.html.contains(&format!("id=\"order-{order}\"")) && mine.html.contains("id=\"nav-orders\""));
    assert!(!mine.html.contains("id=\"open-order\""), "only supervisors open orders");
    all_words(&mine);
    let order_path = format!("/work/supervision/orders/{order}");
    let page = handler.get(&order_path).await;
    assert!(page.html.contains("结果已反馈？否") && page.html.contains("id=\"answer-form\""), "{}", page.html);
    assert!(!page.html.contains("id=\"close-form\""));
    all_words(&page);
    assert_eq!(handler.get("/work/supervision").await.status, StatusCode::NOT_FOUND, "supervisors only");
    let answered =
        handler.post(&format!("{order_path}/answer"), &[("_csrf", CSRF), ("text", "已上门反馈办理结果")]).await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.html);
    let twice = handler.post(&format!("{order_path}/answer"), &[("_csrf", CSRF), ("text", "再答一次")]).await;
    assert!(twice.html.contains("该督办单当前状态不能进行此操作"), "{}", twice.html);

    // Another community's handler cannot see it at all.
    let mut other = Browser::new(&store);
    other.login("handler_c2", "demo-password").await;
    assert_eq!(other.get(&order_path).await.status, StatusCode::NOT_FOUND);

    // Not while the request is still being redone: the page says what it waits for.
    let waiting = supervisor.get(&order_path).await;
    assert!(waiting.html.contains("id=\"rework-unfinished\"") && !waiting.html.contains("id=\"close-form\""));
    assert!(waiting.html.contains("id=\"return-form\""), "the answer can still be sent back");
    let early = supervisor.post(&format!("{order_path}/close"), &[("_csrf", CSRF), ("text", "")]).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.html.contains("回炉件尚未重新办结"), "{}", early.html);
    let again = Command::Resolve { reply: "已上门当面反馈补装结果".into(), contacted: true };
    store.act(r.id, None, again, staff(&t.handler)).await.unwrap();

    // Resolved again: the supervisor closes it.
    let close = supervisor.get(&order_path).await;
    assert!(close.html.contains("已上门反馈办理结果") && close.html.contains("id=\"close-form\""));
    assert!(!close.html.contains("id=\"rework-unfinished\""));
    let closed = supervisor.post(&format!("{order_path}/close"), &[("_csrf", CSRF), ("text", "经再次回访核实")]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let closed = supervisor.get(&order_path).await;
    assert!(closed.html.contains("data-status=\"closed\"") && closed.html.contains("经再次回访核实"));
    let timeline = supervisor.get(&format!("/work/requests/{}", r.id)).await;
    for step in ["回访", "回炉", "单位答复", "督查销号"] {
        assert!(timeline.html.contains(&format!("<strong>{step}</strong>")), "{step} in the timeline");
    }

    // Each figure of the home page lists exactly the requests it counts.
    let home = supervisor.get("/work/supervision").await;
    assert!(home.html.contains("id=\"figure-reached\"><span>回访接通</span><b>1</b>"), "{}", home.html);
    let behind = supervisor.get("/work/supervision/figures?figure=result_fed_back").await;
    assert!(behind.html.contains("<span id=\"figure-count\">1</span>") && behind.html.contains(&r.number));
    all_words(&behind);
    let none = supervisor.get("/work/supervision/figures?figure=satisfied").await;
    assert!(none.html.contains("<span id=\"figure-count\">0</span>") && !none.html.contains(&r.number));
    assert_eq!(supervisor.get("/work/supervision/figures?figure=nonsense").await.status, StatusCode::NOT_FOUND);

    // Lists leave as spreadsheets.
    let sheet = supervisor.get("/work/supervision/orders.xlsx").await;
    assert_eq!(sheet.headers["content-type"], export::XLSX_TYPE);
    let book = support::xlsx(&sheet.bytes).unwrap();
    assert!(book[0].1.iter().any(|row| row.contains(&r.number)), "{book:?}");
    let samples = support::xlsx(&supervisor.get("/work/supervision/samples.xlsx").await.bytes).unwrap();
    assert_eq!(samples.len(), 2);
    assert!(samples[1].1.iter().any(|row| row.contains(&r.number) && row.contains(&"已回访".to_string())));
    assert!(store.verify_chain().await.unwrap().is_intact());
}

#[tokio::test]
async fn flags_late_work_and_talks_through_the_pages() {
    let (store, _, t) = setup().await;
    // Resolved without telling the requester: the review flags it.
    let r = dispatched(&store, &t, manhole(t.community, None)).await;
    store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    let resolve = Command::Resolve { reply: "已处理完毕".into(), contacted: false };
    let untold = store.act(r.id, None, resolve, staff(&t.handler)).await.unwrap();
    // Dispatched a month ago and never touched: stale and overdue.
    let month_ago = time::now() - 30 * time::DAY;
    let r = store.create(manhole(t.other_community, None), None, staff(&t.operator)).await.unwrap().request;
    store.act_at(r.id, None, Command::Accept, staff(&t.operator), month_ago).await.unwrap();
    let dispatch = Command::Dispatch { unit_id: t.other_community, co_unit_ids: vec![], instructions: String::new() };
    let forgotten = store.act_at(r.id, None, dispatch, staff(&t.dispatcher), month_ago).await.unwrap();

    let mut supervisor = Browser::new(&store);
    supervisor.login("supervisor", "demo-password").await;
    let today = time::local_date(time::now()).to_string();
    let review = [("_csrf", CSRF), ("from", today.as_str()), ("to", today.as_str())];
    let run = supervisor.post("/work/supervision/flags", &review).await;
    assert_eq!(run.location(), "/work/supervision/flags?checked=1&flagged=1");
    let flags = supervisor.get(run.location()).await;
    assert!(flags.html.contains(&format!("id=\"flag-{}\"", untold.id)) && flags.html.contains("结果未反馈"));
    all_words(&flags);
    // The unit sees its flag too, without the review form.
    let mut handler = Browser::new(&store);
    handler.login("handler_c1", "demo-password").await;
    let theirs = handler.get("/work/supervision/flags").await;
    assert!(theirs.html.contains(&untold.number) && !theirs.html.contains("id=\"review-form\""));

    let late = supervisor.get("/work/supervision/late").await;
    assert!(late.html.contains(&format!("id=\"late-{}\"", forgotten.id)) && late.html.contains("桃源社区"));
    assert!(late.html.contains("未领办"), "nobody claimed it: listed without a cadre");
    all_words(&late);
    let book = support::xlsx(&supervisor.get("/work/supervision/late.xlsx?days=3").await.bytes).unwrap();
    assert_eq!(book.len(), 3, "the items, by unit, by cadre");
    assert_eq!(book[0].1.len(), 2, "a header and the one late request");

    // A reminder talk about it, kept for supervisors.
    let cadre = t.other_handler.user_id.to_string();
    let talk = [
        ("_csrf", CSRF),
        ("cadre", cadre.as_str()),
        ("held", today.as_str()),
        ("reason", "诉求久拖未签收，提醒按时办理"),
        ("requests", forgotten.number.as_str()),
    ];
    let recorded = supervisor.post("/work/supervision/talks", &talk).await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.html);
    let talks = supervisor.get(recorded.location()).await;
    assert!(talks.html.contains("诉求久拖未签收") && talks.html.contains(&forgotten.number), "{}", talks.html);
    // The page says with whom it was recorded, lists every talk, and chooses nobody next.
    assert!(talks.html.contains("id=\"saved\"") && talks.html.contains("已记录与"), "{}", talks.html);
    assert!(!talks.html.contains("id=\"talks-filter\""), "the list is not filtered behind one's back");
    assert!(talks.html.contains("<option value=\"\" selected>"), "nobody chosen: {}", talks.html);
    let filtered = supervisor.get(&format!("/work/supervision/talks?cadre={cadre}")).await;
    assert!(filtered.html.contains("id=\"talks-filter\"") && filtered.html.contains("id=\"clear-filter\""));
    all_words(&talks);
    let unknown = supervisor.post("/work/supervision/talks", &[&talk[..4], &[("requests", "x")]].concat()).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(handler.get("/work/supervision/talks").await.status, StatusCode::NOT_FOUND);
    // A press order from the late list's link, in English this time.
    let form = supervisor.get(&format!("/work/supervision/orders?request={}&lang=en", forgotten.number)).await;
    assert!(form.html.contains(&format!("value=\"{}\"", forgotten.number)) && form.html.contains("Send a press"));
    let due = (time::local_date(time::now()) + chrono::Duration::days(3)).to_string();
    let press = [
        ("_csrf", CSRF),
        ("request", forgotten.number.as_str()),
        ("kind", "press"),
        ("reason", "请于三日内签收办理"),
        ("due", due.as_str()),
    ];
    let opened = supervisor.post("/work/supervision/orders", &press).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.html);
    let order = id_after(opened.location(), "/work/supervision/orders/");
    assert_eq!(store.order(&t.supervisor, order).await.unwrap().unit_id, t.other_community);
    // A second press on it is refused, naming the one open, with what was typed kept.
    let twice = supervisor.post("/work/supervision/orders", &press).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.html);
    assert!(twice.html.contains(&format!("未销号的督办单（第 {order} 号）")), "{}", twice.html);
    assert!(twice.html.contains("请于三日内签收办理"), "the reason typed is kept");
    let out_of_scope = supervisor
        .post("/work/supervision/orders", &[&press[..1], &[("request", "99999")], &press[2..]].concat())
        .await;
    assert!(out_of_scope.html.contains("未找到"), "{}", out_of_scope.html);
}

/// A JSON call through the same cookie jar; the answer's status and body.
async fn call(browser: &mut Browser, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = axum::http::Request::builder().method(method).uri(path);
    let bytes = match body {
        Some(body) => {
            request = request.header("content-type", "application/json");
            body.to_string().into_bytes()
        }
        None => Vec::new(),
    };
    let page = browser.send(request, bytes).await;
    (page.status, serde_json::from_slice(&page.bytes).unwrap_or(Value::Null))
}

async fn the_api_draws_calls_back_and_orders(store: Store, _url: String) {
    let t = town(&store).await;
    let r = resolved(&store, &t).await;
    let today = time::local_date(time::now()).to_string();
    let mut supervisor = Browser::new(&store);
    let login = json!({ "login": "supervisor", "password": "demo-password" });
    assert_eq!(call(&mut supervisor, "POST", "/api/v1/login", Some(login)).await.0, StatusCode::OK);
    let draw =
        json!({ "unit_id": t.district, "from": today, "to": today, "rate_percent": 100, "minimum": 1, "seed": 7 });
    let (status, drawn) = call(&mut supervisor, "POST", "/api/v1/supervision/samples", Some(draw)).await;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    assert_eq!((drawn["sample"]["seed"].clone(), drawn["items"][0]["request_id"].clone()), (json!(7), json!(r.id)));
    let item = drawn["items"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/supervision/callbacks/{item}");
    let (status, refused) = call(&mut supervisor, "POST", &path, Some(json!({ "result": "reached" }))).await;
    assert_eq!((status, refused["error"]["code"].clone()), (StatusCode::BAD_REQUEST, json!("bad_request")));
    let answers = json!({ "from_public": true, "measures_known": true, "result_fed_back": false, "satisfied": true });
    let body = json!({ "result": "reached", "answers": answers, "note": "没人告诉他结果" });
    let (status, called) = call(&mut supervisor, "POST", &path, Some(body)).await;
    assert_eq!((status, called["item"]["state"].clone()), (StatusCode::OK, json!("reached")), "{called}");
    assert!(!called.to_string().contains("13812341234"), "the API does not hand out the number");
    let order = called["order_id"].as_i64().expect("a rework order");

    let summary = format!("/api/v1/supervision/callback-summary?unit={}&from={today}&to={today}", t.street);
    let (_, summary) = call(&mut supervisor, "GET", &summary, None).await;
    let figures = &summary["summary"];
    assert_eq!((figures["sampled"]["count"].clone(), figures["callback_rate"].clone()), (json!(1), json!(1.0)));
    assert_eq!(figures["questions"][2]["failed"]["request_ids"], json!([r.id]), "{summary}");

    let mut handler = Browser::new(&store);
    let login = json!({ "login": "handler_c1", "password": "demo-password" });
    call(&mut handler, "POST", "/api/v1/login", Some(login)).await;
    let (_, mine) = call(&mut handler, "GET", "/api/v1/supervision/orders?status=open", None).await;
    assert_eq!(mine["items"][0]["id"], json!(order));
    let answer = json!({ "text": "已上门反馈办理结果" });
    let (status, answered) =
        call(&mut handler, "POST", &format!("/api/v1/supervision/orders/{order}/answer"), Some(answer)).await;
    assert_eq!((status, answered["status"].clone()), (StatusCode::OK, json!("answered")), "{answered}");
    let (status, _) =
        call(&mut handler, "POST", &format!("/api/v1/supervision/orders/{order}/close"), Some(json!({}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only the supervisor closes");
    let close = format!("/api/v1/supervision/orders/{order}/close");
    let (status, early) = call(&mut supervisor, "POST", &close, Some(json!({}))).await;
    assert_eq!(
        (status, early["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("rework_unfinished"))
    );
    let again = Command::Resolve { reply: "已上门当面反馈补装结果".into(), contacted: true };
    store.act(r.id, None, again, staff(&t.handler)).await.unwrap();
    let (_, closed) =
        call(&mut supervisor, "POST", &format!("/api/v1/supervision/orders/{order}/close"), Some(json!({}))).await;
    assert_eq!(closed["status"], json!("closed"), "{closed}");
    // One press order at a time on a request: a second names the first.
    let slow = dispatched(&store, &t, manhole(t.community, None)).await;
    let due = (time::local_date(time::now()) + chrono::Duration::days(3)).to_string();
    let press = json!({ "kind": "press", "request_id": slow.id, "reason": "请三日内办结", "due": due });
    let (status, first) = call(&mut supervisor, "POST", "/api/v1/supervision/orders", Some(press.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, second) = call(&mut supervisor, "POST", "/api/v1/supervision/orders", Some(press)).await;
    assert_eq!((status, second["error"]["code"].clone()), (StatusCode::CONFLICT, json!("already_open")), "{second}");
    assert_eq!(second["error"]["open_id"], first["id"]);
    assert!(second["error"]["message"].as_str().unwrap().contains(&first["id"].to_string()));
    let (status, _) = call(&mut handler, "GET", "/api/v1/supervision/callbacks", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "callbacks are the supervisors'");
    assert!(store.verify_chain().await.unwrap().is_intact());
}

async fn unsatisfied_closures_are_listed_for_supervisors(store: Store, _url: String) {
    let t = town(&store).await;
    let unhappy = resolved(&store, &t).await;
    let verdict =
        Command::Evaluate { solved: false, satisfaction: Satisfaction::Unsatisfied, comment: "路面还没修".into() };
    store.act(unhappy.id, None, verdict, Actor::Requester).await.unwrap();
    let happy = resolved(&store, &t).await;
    let verdict = Command::Evaluate { solved: true, satisfaction: Satisfaction::Satisfied, comment: String::new() };
    store.act(happy.id, None, verdict, Actor::Requester).await.unwrap();

    let mut supervisor = Browser::new(&store);
    supervisor.login("supervisor", "demo-password").await;
    let home = supervisor.get("/work/supervision").await;
    assert!(home.html.contains("href=\"/work/supervision/unsatisfied\""), "in the supervision tabs");
    let list = supervisor.get("/work/supervision/unsatisfied").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    all_words(&list);
    let row = format!(
        "<tr id=\"verdict-{}\"><td><a href=\"/work/requests/{}\">{}</a>",
        unhappy.id, unhappy.id, unhappy.number
    );
    assert!(list.html.contains(&row), "each row leads to its request: {}", list.html);
    assert!(list.html.contains("路面还没修") && list.html.contains("<td>未解决</td><td>不满意</td>"));
    assert!(!list.html.contains(&format!("id=\"verdict-{}\"", happy.id)), "a satisfied closure is not listed");

    // By unit and by period; the export holds what the page lists.
    let today = time::local_date(time::now());
    let other = supervisor.get(&format!("/work/supervision/unsatisfied?unit={}", t.other_community)).await;
    assert!(!other.html.contains("id=\"verdict-"), "{}", other.html);
    let mine =
        supervisor.get(&format!("/work/supervision/unsatisfied?unit={}&from={today}&to={today}", t.community)).await;
    assert!(mine.html.contains(&row));
    let earlier = today - chrono::Duration::days(40);
    let before = supervisor.get(&format!("/work/supervision/unsatisfied?from={earlier}&to={earlier}")).await;
    assert!(!before.html.contains("id=\"verdict-"));
    let bad = supervisor.get("/work/supervision/unsatisfied?from=2026-02-31").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("role=\"alert\""), "{}", bad.html);
    let export = supervisor.get(&format!("/work/supervision/unsatisfied.xlsx?unit={}", t.community)).await;
    let sheets = support::xlsx(&export.bytes).expect("a workbook");
    assert_eq!(sheets[0].1.len(), 2, "a header and one row");
    assert_eq!((sheets[0].1[1][0].as_str(), sheets[0].1[1][6].as_str()), (unhappy.number.as_str(), "路面还没修"));

    // The leader of the street sees the street's; a handler has no such list.
    let mut leader = Browser::new(&store);
    leader.login("leader_s1", "demo-password").await;
    assert!(leader.get("/work/supervision/unsatisfied").await.html.contains(&row));
    let mut handler = Browser::new(&store);
    handler.login("handler_c1", "demo-password").await;
    assert_eq!(handler.get("/work/supervision/unsatisfied").await.status, StatusCode::NOT_FOUND);
}
