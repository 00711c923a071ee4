//! Suggestions over HTTP: a district with history trains its routing model; residents'
//! new requests come in with a suggested category and unit and their possible duplicates;
//! the dispatcher sees them on the desk, accepts a suggestion in one click and merges a
//! duplicate in another; the accuracy shows in the figures; leaders see hot issues.
//! Real router, real SQLite.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use gongzhi_domain::request::NewRequest;
use gongzhi_domain::time::{self, DAY, HOUR};
use gongzhi_domain::*;
use gongzhi_store::testing::{staff, town, Town};
use gongzhi_store::{Backend, Imported, Store};
use gongzhi_web::{router, AppState, WebConfig};
use serde_json::{json, Value};
use tower::ServiceExt;

mod support;

use support::{Browser, Page, CSRF};

/// The demo password of the test town's staff.
const PASSWORD: &str = "demo-password";

/// A browser on an app other browsers share, so that they meet the same suggestion cache.
fn browser(app: &Router) -> Browser {
    Browser { app: app.clone(), cookies: vec![format!("gongzhi_csrf={CSRF}")] }
}

async fn logged_in(app: &Router, login: &str) -> Browser {
    let mut b = browser(app);
    b.login(login, PASSWORD).await;
    b
}

async fn post_json(b: &mut Browser, path: &str, body: Value) -> Page {
    let request = Request::builder().method("POST").uri(path).header(header::CONTENT_TYPE, "application/json");
    b.send(request, body.to_string().into_bytes()).await
}

fn json_of(page: &Page) -> Value {
    serde_json::from_slice(&page.bytes).unwrap_or(Value::Null)
}

/// The value of the first `name="…" value="…"` hidden field after `marker` in `html`.
fn field_after(html: &str, marker: &str, name: &str) -> String {
    let rest = html.split(marker).nth(1).unwrap_or_else(|| panic!("{marker} is not on the page"));
    let rest = rest.split(&format!("name=\"{name}\" value=\"")).nth(1).unwrap_or_else(|| panic!("no {name}"));
    rest.split('"').next().unwrap().to_string()
}

const PLACES: &[&str] = &["柳湾路", "桃源街", "青石巷", "东风路", "河西大道"];
const CITY: &[&str] = &[
    "{p}{n}号门口井盖缺失，晚上有人差点踩空，请尽快补装井盖",
    "{p}{n}号附近路灯不亮已经一个月，夜里走路看不见，请维修路灯",
    "{p}{n}号路面塌陷破损，下雨积水，车辆无法通行，请修复道路",
    "{p}{n}号下水道堵塞，污水漫到路面，臭味很大，请疏通下水道",
];
const LABOUR: &[&str] = &[
    "我在{p}{n}号的工地干活，老板拖欠工资三个月不发，请帮忙讨薪",
    "{p}{n}号的公司不给员工缴纳社保，也不签劳动合同，要求补缴社保",
    "{p}{n}号的餐馆拖欠我两个月工资，老板电话不接，请劳动监察处理",
    "单位在{p}{n}号，辞退我不给经济补偿，也拖欠加班工资",
];

/// Closed requests of the past weeks: city works went to the housing bureau, labour
/// disputes to the subdistrict.
async fn history(store: &Store, t: &Town) -> i64 {
    let wages = wages_category(store).await;
    let start = time::now() - 40 * DAY;
    let mut items = Vec::new();
    for i in 0..48usize {
        let (texts, category, unit) =
            if i % 2 == 0 { (CITY, t.category, t.department) } else { (LABOUR, wages, t.street) };
        let content =
            texts[(i / 2) % texts.len()].replace("{p}", PLACES[i % PLACES.len()]).replace("{n}", &(i + 3).to_string());
        items.push(closed(store, i, start, content, t.community, category, unit).await);
    }
    store.import(items).await.unwrap();
    wages
}

/// The labour category the histories have beside the town's city works.
async fn wages_category(store: &Store) -> i64 {
    let labour = [["劳动和社会保障".to_string(), "劳动关系".to_string(), "拖欠工资".to_string()]];
    store.load_catalogue(&labour, |_| None).await.unwrap();
    store.categories().await.unwrap().iter().find(|c| c.name == "拖欠工资").unwrap().id
}

/// The `i`th complaint of a history, about `place`, handled by `unit` and closed.
async fn closed(
    store: &Store,
    i: usize,
    start: i64,
    content: String,
    place: i64,
    category: i64,
    unit: i64,
) -> Imported {
    let new = NewRequest {
        kind: Kind::Complaint,
        channel: Channel::Hotline,
        title: content.chars().take(14).collect(),
        content,
        address: String::new(),
        unit_id: place,
        category_id: Some(category),
        urgent: false,
        requester_type: RequesterType::Resident,
        requester_name: "张先生".into(),
        requester_phone: format!("139{:08}", i),
        anonymous: false,
        location: None,
    };
    let created = start + i as i64 * HOUR;
    let mut request = gongzhi_domain::Request::submitted(new, store.unit(place).await.unwrap().path, created);
    request.status = Status::Closed;
    request.assignee_unit_id = Some(unit);
    request.assignee_path = Some(store.unit(unit).await.unwrap().path);
    request.dispatched_at = Some(created + HOUR);
    request.closed_at = Some(created + 3 * DAY);
    Imported { request, events: vec![] }
}

async fn district_with_a_model() -> (Store, Town, i64, Router) {
    let (store, _) = gongzhi_store::testing::fresh(Backend::Sqlite).await;
    let t = town(&store).await;
    let wages = history(&store, &t).await;
    let report = gongzhi_web::suggest::retrain(&store).await.unwrap();
    assert_eq!(report.examples, 48);
    assert_eq!(report.labels, vec!["劳动和社会保障".to_string(), "城乡建设".to_string()]);
    assert!(report.holdout["accuracy"].as_f64().is_some(), "{}", report.holdout);
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    (store, t, wages, app)
}

/// A request as the API shows it to the holder of `token`.
async fn read_request(app: &Router, id: i64, token: String) -> Value {
    let request = Request::builder()
        .uri(format!("/api/v1/requests/{id}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    serde_json::from_slice::<Value>(&bytes).unwrap()
}

fn submission(t: &Town, title: &str, content: &str, phone: &str) -> Value {
    json!({ "kind": "complaint", "title": title, "content": content, "unit_id": t.community, "requester_phone": phone })
}

#[tokio::test]
async fn the_desk_shows_suggestions_and_duplicates_and_acts_on_them_in_one_click() {
    let (store, t, _, app) = district_with_a_model().await;
    let level1 = |name: &str| {
        let store = store.clone();
        let name = name.to_string();
        async move { store.categories().await.unwrap().into_iter().find(|c| c.name == name).unwrap().id }
    };
    let (city, labour) = (level1("城乡建设").await, level1("劳动和社会保障").await);

    // Two residents write about the same missing cover, a third about unpaid wages.
    let mut resident = browser(&app);
    let mut ids = Vec::new();
    for (title, content, phone) in [
        ("柳湾路8号井盖缺失", "柳湾路8号门口井盖缺失一个多星期，晚上有老人差点踩空，请尽快补装井盖", "13811110001"),
        ("柳湾路8号门口井盖丢了", "柳湾路8号门口的井盖缺失，晚上有老人差点踩空，请尽快补装", "13811110002"),
        ("老板拖欠工资", "我在桃源街工地干活，老板拖欠工资两个月不发，请帮忙讨薪", "13811110003"),
    ] {
        let created = post_json(&mut resident, "/api/v1/requests", submission(&t, title, content, phone)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.html);
        ids.push(json_of(&created)["id"].as_i64().unwrap());
    }
    let (first, second, wages) = (ids[0], ids[1], ids[2]);
    for id in &ids {
        store.act(*id, None, Command::Accept, staff(&t.operator)).await.unwrap();
    }

    // The API shows the suggestion to the dispatcher, not to a handler.
    let dispatcher_token = store.create_api_token("dispatcher", "test").await.unwrap();
    let handler_token = store.create_api_token("handler_c1", "test").await.unwrap();
    let read = |id: i64, token: String| read_request(&app, id, token);
    let seen = read(second, dispatcher_token.clone()).await;
    let s = &seen["suggestion"];
    assert_eq!((s["category_id"].as_i64(), s["unit_id"].as_i64()), (Some(city), Some(t.department)), "{seen}");
    assert!(s["confidence"].as_f64().unwrap() > 0.5, "{s}");
    assert!(!s["terms"].as_array().unwrap().is_empty(), "{s}");
    assert_eq!(s["duplicates"][0]["id"].as_i64(), Some(first), "{s}");
    assert!(s["duplicates"][0]["similarity"].as_f64().unwrap() >= 0.45);
    let shared: Vec<&str> =
        s["duplicates"][0]["shared_terms"].as_array().unwrap().iter().flat_map(|v| v.as_str()).collect();
    assert!(shared.iter().any(|p| p.contains("井盖") || p.contains("柳湾路")), "{shared:?}");
    let wage_seen = read(wages, dispatcher_token.clone()).await;
    assert_eq!(wage_seen["suggestion"]["category_id"].as_i64(), Some(labour), "{wage_seen}");
    assert_eq!(wage_seen["suggestion"]["unit_id"].as_i64(), Some(t.street), "learned from history: {wage_seen}");
    assert!(read(second, handler_token).await.get("suggestion").is_none(), "handlers do not see suggestions");

    // The desk shows both, with the words behind them.
    let mut dispatcher = logged_in(&app, "dispatcher").await;
    let desk = dispatcher.get("/work/dispatch").await;
    let html = desk.html;
    assert_eq!(desk.status, StatusCode::OK);
    assert!(html.contains(&format!("id=\"suggestion-{first}\"")), "{html}");
    assert!(html.contains("区住建局") && html.contains("置信度") && html.contains("采纳建议并派单"), "{html}");
    let duplicate = html.split(&format!("id=\"duplicate-{second}-{first}\"")).nth(1).expect("the duplicate is listed");
    let first_number = store.request(first, &t.dispatcher).await.unwrap().number;
    assert!(duplicate.contains(&first_number) && duplicate.contains("柳湾路8号井盖缺失"), "{duplicate}");
    assert!(duplicate.contains(&format!("href=\"/work/requests/{first}\"")));
    assert!(!html.contains(">desk."), "every word came from the catalogue");

    // Accepting the first suggestion is one form: it dispatches to the suggested unit.
    let accept = format!("id=\"suggestion-{first}\"");
    let unit = field_after(&html, &accept, "unit_id");
    let version = field_after(&html, &accept, "version");
    assert_eq!(unit, t.department.to_string());
    let path = format!("/work/requests/{first}/dispatch");
    let fields =
        [("_csrf", CSRF), ("version", version.as_str()), ("unit_id", unit.as_str()), ("back", "/work/dispatch")];
    let sent = dispatcher.post(&path, &fields).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let dispatched = store.request(first, &t.dispatcher).await.unwrap();
    assert_eq!((dispatched.status, dispatched.assignee_unit_id), (Status::Dispatched, Some(t.department)));

    // Merging the second into the first is one form too (the browser asks again first).
    let html = dispatcher.get("/work/dispatch").await.html;
    let marker = format!("id=\"duplicate-{second}-{first}\"");
    assert!(html.split(&marker).nth(1).unwrap().contains("data-confirm="));
    let into = field_after(&html, &marker, "into");
    let version = field_after(&html, &marker, "version");
    let fields = [("_csrf", CSRF), ("version", version.as_str()), ("into", into.as_str()), ("back", "/work/dispatch")];
    let merged = dispatcher.post(&format!("/work/requests/{second}/merge"), &fields).await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.html);
    let merged = store.request(second, &t.dispatcher).await.unwrap();
    assert_eq!((merged.status, merged.merged_into), (Status::Merged, Some(first)));
    let html = dispatcher.get("/work/dispatch").await.html;
    assert!(!html.contains(&format!("id=\"waiting-{second}\"")) && html.contains(&format!("id=\"waiting-{wages}\"")));

    // Without a valid CSRF token nothing happens.
    let forged = [("_csrf", "forged"), ("version", "2"), ("unit_id", unit.as_str()), ("back", "/work/dispatch")];
    let refused = dispatcher.post(&format!("/work/requests/{wages}/dispatch"), &forged).await;
    assert_ne!(refused.status, StatusCode::SEE_OTHER);
    assert_eq!(store.request(wages, &t.dispatcher).await.unwrap().status, Status::PendingDispatch);

    // The dispatched one counts: the suggestion named the unit it went to.
    let today = time::local_date(time::now());
    let stats = json_of(&dispatcher.get(&format!("/api/v1/stats?unit={}&from={today}&to={today}", t.district)).await);
    let accuracy = &stats["suggestions"];
    assert_eq!((accuracy["dispatched"].as_i64(), accuracy["unit_matched"].as_i64()), (Some(1), Some(1)), "{stats}");
    assert_eq!(accuracy["unit_accuracy"].as_f64(), Some(1.0));
    // Like the other measures, it counts at the unit the request went to: the district's
    // department, so a district-wide overview shows it and the street's does not.
    let figure_of = |html: &str| {
        let after = html.split("id=\"figure-suggestion_unit\"").nth(1).expect("the accuracy is on the overview");
        after.split("</div>").next().unwrap_or_default().to_string()
    };
    let mut supervisor = logged_in(&app, "supervisor").await;
    let district = figure_of(&supervisor.get("/work/overview").await.html);
    assert!(district.contains("100.0%"), "{district}");
    let mut leader = logged_in(&app, "leader_s1").await;
    let street = figure_of(&leader.get("/work/overview").await.html);
    assert!(street.contains("—"), "{street}");
}

/// Closed requests of the past weeks in both communities: each community mended most of
/// its own covers and lights, the housing bureau the rest; wage disputes went to the
/// bureau. Returns how many.
async fn local_history(store: &Store, t: &Town) -> usize {
    let wages = wages_category(store).await;
    let start = time::now() - 50 * DAY;
    let mut items = Vec::new();
    let mut covers = 0;
    for i in 0..60usize {
        let place = if i % 2 == 0 { t.community } else { t.other_community };
        let (texts, category, unit) = if i % 5 < 3 {
            // Three in five covers and lights were their community's own work: more than
            // the bureau's share, though the bureau mended more than either community.
            covers += 1;
            (CITY, t.category, if covers % 5 < 3 { place } else { t.department })
        } else {
            (LABOUR, wages, t.department)
        };
        let content =
            texts[(i / 5) % texts.len()].replace("{p}", PLACES[i % PLACES.len()]).replace("{n}", &(i + 3).to_string());
        items.push(closed(store, i, start, content, place, category, unit).await);
    }
    let n = items.len();
    store.import(items).await.unwrap();
    n
}

async fn submit(resident: &mut Browser, body: Value) -> i64 {
    let created = post_json(resident, "/api/v1/requests", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.html);
    json_of(&created)["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_problem_each_community_handles_itself_is_suggested_for_its_community_in_whole_words() {
    let (store, _) = gongzhi_store::testing::fresh(Backend::Sqlite).await;
    let t = town(&store).await;
    let examples = local_history(&store, &t).await;
    assert_eq!(gongzhi_web::suggest::retrain(&store).await.unwrap().examples, examples);
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    let mut resident = browser(&app);
    let place = t.other_community;
    let cover = submit(
        &mut resident,
        json!({ "kind": "complaint", "title": "桃源路井盖缺失", "unit_id": place, "requester_phone": "13822220001",
                "content": "桃源路12号门口井盖缺失，晚上有老人差点踩空，请尽快补装井盖" }),
    )
    .await;
    let praise = submit(
        &mut resident,
        json!({ "kind": "praise", "title": "感谢社区帮我讨回工资", "unit_id": place, "requester_phone": "13822220002",
                "content": "老板拖欠我三个月工资，社区干部帮我找老板协商，工资已经全部发放，特此表扬" }),
    )
    .await;
    let question = submit(
        &mut resident,
        json!({ "kind": "consult", "title": "拖欠工资找哪里", "unit_id": place, "requester_phone": "13822220003",
                "content": "请问公司拖欠工资不发，应该到哪里反映，需要什么材料" }),
    )
    .await;
    let token = store.create_api_token("dispatcher", "test").await.unwrap();
    let read = |id: i64| {
        let (app, token) = (app.clone(), token.clone());
        async move { read_request(&app, id, token).await["suggestion"].clone() }
    };

    // The cover in 桃源社区 goes to 桃源社区, as such covers did, not to the bureau that
    // took more of them than any one community.
    let s = read(cover).await;
    assert_eq!(s["unit_id"].as_i64(), Some(t.other_community), "{s}");
    // The words behind it are whole words of the message, not pairs of characters.
    let words_of_the_message =
        ["桃源路", "桃源", "门口", "井盖", "缺失", "井盖缺失", "晚上", "老人", "差点", "踩空", "尽快", "补装"];
    let terms: Vec<&str> = s["terms"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(terms.contains(&"井盖"), "{terms:?}");
    for term in &terms {
        assert!(words_of_the_message.contains(term), "{term} is not a whole word of the message: {terms:?}");
    }

    // Thanks and a question about wages stay where the resident lives, though wage
    // disputes go to the bureau.
    for id in [praise, question] {
        let s = read(id).await;
        assert_eq!(s["unit_id"].as_i64(), Some(t.other_community), "{s}");
    }

    // The desk pre-selects the community for the cover.
    let mut dispatcher = logged_in(&app, "dispatcher").await;
    for id in [cover, praise, question] {
        store.act(id, None, Command::Accept, staff(&t.operator)).await.unwrap();
    }
    let html = dispatcher.get("/work/dispatch").await.html;
    let row = html.split(&format!("id=\"waiting-{cover}\"")).nth(1).unwrap();
    let selected = row.split(" selected>").next().unwrap().rsplit("value=\"").next().unwrap();
    assert!(selected.starts_with(&format!("{}\"", t.other_community)), "{selected}");
    assert!(html.contains("桃源社区") && html.contains("井盖"), "{html}");
}

#[tokio::test]
async fn without_a_model_duplicates_are_still_found_and_creates_never_fail() {
    let (store, _) = gongzhi_store::testing::fresh(Backend::Sqlite).await;
    let t = town(&store).await;
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    let mut resident = browser(&app);
    let text = "柳湾路8号门口井盖缺失一个多星期，晚上有老人差点踩空，请尽快补装井盖";
    let a = post_json(&mut resident, "/api/v1/requests", submission(&t, "井盖缺失", text, "13811110001")).await;
    let b = post_json(&mut resident, "/api/v1/requests", submission(&t, "井盖缺失", text, "13811110002")).await;
    assert_eq!((a.status, b.status), (StatusCode::CREATED, StatusCode::CREATED));
    let (a, b) = (json_of(&a)["id"].as_i64().unwrap(), json_of(&b)["id"].as_i64().unwrap());
    assert!(store.suggestion(a).await.unwrap().is_none(), "nothing to suggest for the very first request");
    let s = store.suggestion(b).await.unwrap().expect("the duplicate is suggested").suggested;
    assert_eq!((s.category_id, s.unit_id, s.model_version), (None, None, None));
    assert_eq!(s.duplicates[0].id, a);
    // A model nobody can read is no model: intake goes on without category suggestions.
    store.save_route_model(1, &json!({}), "not a model").await.unwrap();
    let state = AppState::new(store.clone(), WebConfig::default());
    state.suggester.refresh().await.unwrap();
    assert_eq!(state.suggester.model_version(), None);
    let new = gongzhi_store::testing::manhole(t.community, None);
    let submission = gongzhi_app::Submission::new(new, Actor::Requester);
    let c = gongzhi_app::submit(&state.store, &*state.suggester, submission).await.unwrap();
    assert_eq!(c.request.status, Status::Submitted);
}

#[tokio::test]
async fn leaders_see_the_hot_issues_of_their_scope_and_period() {
    let (_, t, _, app) = district_with_a_model().await;
    let mut resident = browser(&app);
    for i in 0..4 {
        let content = format!("青石街道丽发新城小区附近搅拌站噪音扰民，灰尘很大，晚上无法休息，第{i}次反映");
        let phone = format!("1381111000{i}");
        let sent =
            post_json(&mut resident, "/api/v1/requests", submission(&t, "搅拌站噪音扰民", &content, &phone)).await;
        assert_eq!(sent.status, StatusCode::CREATED);
    }
    let mut leader = logged_in(&app, "leader_s1").await;
    let page = leader.get("/work/hot").await;
    let html = page.html;
    assert_eq!(page.status, StatusCode::OK, "{html}");
    let issue = html.split("id=\"issue-1\"").nth(1).expect("a hot issue is listed");
    assert!(issue.contains("搅拌站") || issue.contains("丽发新城"), "{issue}");
    assert!(issue.contains("href=\"/work/requests/"), "its requests are linked");
    assert!(!html.contains("id=\"hot-capped\""));
    assert!(html.contains("href=\"/work/hot\""), "the navigation leads here");

    // Last year held nothing; a period the wrong way round is refused clearly.
    let empty = leader.get("/work/hot?from=2020-01-01&to=2020-01-31").await;
    assert!(empty.html.contains("id=\"hot-none\""));
    let wrong = leader.get("/work/hot?from=2026-02-01&to=2026-01-01").await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.html.contains("时段有误"));
    let garbage = leader.get("/work/hot?from=yesterday").await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);

    // The spreadsheet lists the same issues with every request number.
    let file = leader.get("/work/hot.xlsx").await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.headers[header::CONTENT_TYPE], gongzhi_web::export::XLSX_TYPE);
    let sheets = support::xlsx(&file.bytes).unwrap();
    let rows = &sheets[0].1;
    assert_eq!(rows[0][0], "排名");
    assert!(rows.len() >= 2 && rows[1][9].split(' ').count() >= 3, "{rows:?}");

    // Handlers and dispatchers are not shown hot issues.
    let mut handler = logged_in(&app, "handler_c1").await;
    assert_eq!(handler.get("/work/hot").await.status, StatusCode::FORBIDDEN);
    let mut anonymous = browser(&app);
    assert_eq!(anonymous.get("/work/hot").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_desk_shows_fifty_at_a_time_and_exports_the_whole_queue() {
    let (store, _) = gongzhi_store::testing::fresh(Backend::Sqlite).await;
    let t = town(&store).await;
    let path = store.unit(t.community).await.unwrap().path;
    let now = time::now();
    let items: Vec<Imported> = (0..51)
        .map(|i| {
            let mut new = gongzhi_store::testing::manhole(t.community, Some(t.category));
            new.title = format!("井盖缺失第{i}处");
            let mut request = gongzhi_domain::Request::submitted(new, path.clone(), now - (60 - i) * 60_000);
            request.status = Status::PendingDispatch;
            Imported { request, events: vec![] }
        })
        .collect();
    store.import(items).await.unwrap();
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    let mut dispatcher = logged_in(&app, "dispatcher").await;
    let first = dispatcher.get("/work/dispatch").await.html;
    assert_eq!(first.matches("id=\"waiting-").count(), 50);
    assert!(first.contains("id=\"next-page\"") && !first.contains("id=\"prev-page\""));
    assert!(first.contains("/work/queue.xlsx?queue=dispatch"));
    let second = dispatcher.get("/work/dispatch?page=2").await.html;
    assert_eq!(second.matches("id=\"waiting-").count(), 1);
    assert!(
        second.contains("井盖缺失第50处")
            && second.contains("id=\"prev-page\"")
            && !second.contains("id=\"next-page\"")
    );
    let odd = dispatcher.get("/work/dispatch?page=zero").await;
    assert_eq!((odd.status, odd.html.matches("id=\"waiting-").count()), (StatusCode::OK, 50));
    let file = dispatcher.get("/work/queue.xlsx?queue=dispatch").await;
    let sheets = support::xlsx(&file.bytes).unwrap();
    assert_eq!(sheets[0].1.len(), 52, "a header and every waiting request");
}
