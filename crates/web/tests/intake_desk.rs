//! The intake desk (受理台) as operators use it while a caller waits: a repeat caller is
//! recognised by phone within the operator's scope and every look is logged; another
//! call about open work is counted on it, not made into a new request; a consultation is
//! answered at once; and whatever is refused comes back beside its field with everything
//! typed. Real router, real store, both databases.

mod support;

use axum::http::StatusCode;
use chrono::Duration;
use gongzhi_domain::measures::contribution;
use gongzhi_domain::time;
use gongzhi_domain::Role;
use gongzhi_store::testing::{staff, town, Town};
use gongzhi_store::{hash_password, on_both, ListFilter, Store};
use support::{tracking_code, Browser, CSRF};

on_both!(
    a_caller_is_recognised_by_phone_in_scope_and_every_look_is_logged,
    a_repeat_call_counts_on_its_request_and_makes_no_new_one,
    a_consultation_answered_at_once_is_resolved_with_its_answer,
    refusals_are_said_beside_their_field_and_keep_what_was_typed,
);

/// A call as the desk's form sends it; `fields` replace or add to a plain complaint.
fn call(t: &Town, fields: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut form: Vec<(&'static str, String)> = vec![
        ("_csrf", CSRF.into()),
        ("_key", String::new()),
        ("channel", "hotline".into()),
        ("phone", "13812341234".into()),
        ("kind", "complaint".into()),
        ("title", "柳湾路路灯不亮".into()),
        ("content", "柳湾路18号门口的路灯坏了一个多星期，晚上很黑。".into()),
        ("category", String::new()),
        ("unit_id", t.community.to_string()),
        ("address", "柳湾路18号".into()),
        ("name", "王女士".into()),
    ];
    for (name, value) in fields {
        match form.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value.to_string(),
            None => form.push((name, value.to_string())),
        }
    }
    form
}

async fn post(browser: &mut Browser, path: &str, form: &[(&str, String)]) -> support::Page {
    let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
    browser.post(path, &form).await
}

/// The text of the element with this id, without the tags inside it.
fn by_id(html: &str, id: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id} in {html}"));
    let open = html[..at].rfind('<').unwrap();
    let tag: String = html[open + 1..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    let inner = &html[at + html[at..].find('>').unwrap() + 1..];
    let inner = &inner[..inner.find(&format!("</{tag}>")).unwrap()];
    let mut text = String::new();
    for (i, part) in inner.split('<').enumerate() {
        text.push_str(if i == 0 { part } else { part.split_once('>').map(|(_, t)| t).unwrap_or_default() });
    }
    text.trim().to_string()
}

/// Whether the form came back with this value in it, as typed.
fn kept(html: &str, value: &str) -> bool {
    html.contains(&format!("value=\"{value}\"")) || html.contains(&format!(">{value}</textarea>"))
}

/// The operator at the district, logged in at the desk.
async fn desk(store: &Store, login: &str) -> Browser {
    let mut browser = Browser::new(store);
    browser.login(login, "demo-password").await;
    browser
}

/// Looks at the access log once a later write has flushed it.
async fn looks(store: &Store, url: &str, t: &Town, user_id: i64, request_id: i64) -> i64 {
    let mut flush = gongzhi_store::testing::manhole(t.other_community, None);
    flush.requester_phone = "13700000000".into();
    store.create(flush, None, staff(&t.supervisor)).await.unwrap();
    support::pii_views(url, user_id, request_id).await
}

async fn a_caller_is_recognised_by_phone_in_scope_and_every_look_is_logged(store: Store, url: String) {
    let t = town(&store).await;
    let hash = hash_password("demo-password").unwrap();
    // A window at 桃源社区: its scope is that community alone.
    let window = store.add_user("window_c2", "窗口受理员", Role::Operator, t.other_community, &hash).await.unwrap();
    let mut operator = desk(&store, "operator").await;

    // The caller raised two requests before, one in each community, and typed their
    // number with spaces once; a neighbour raised one with another number.
    let first = post(&mut operator, "/work/intake", &call(&t, &[("phone", "138 1234 1234"), ("_key", "k1")])).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.html);
    let second =
        call(&t, &[("unit_id", &t.other_community.to_string()), ("title", "桃源社区垃圾未清运"), ("_key", "k2")]);
    assert_eq!(post(&mut operator, "/work/intake", &second).await.status, StatusCode::OK);
    let neighbour = call(&t, &[("phone", "13900001111"), ("title", "邻居家噪音扰民"), ("_key", "k3")]);
    assert_eq!(post(&mut operator, "/work/intake", &neighbour).await.status, StatusCode::OK);
    let all = store.list(&t.operator, &ListFilter::default(), time::now()).await.unwrap().items;
    let id_of = |title: &str| all.iter().find(|r| r.new.title == title).unwrap().id;
    let (lamp, rubbish, noise) = (id_of("柳湾路路灯不亮"), id_of("桃源社区垃圾未清运"), id_of("邻居家噪音扰民"));

    // The district's operator finds both of the caller's, newest first, with the
    // number whole, however the number is typed now.
    let found = operator.get("/work/intake/callers?phone=138-1234-1234").await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(by_id(&found.html, "caller-known").contains("13812341234 此前在本辖区反映过 2 件"), "{}", found.html);
    let rubbish_at = found.html.find("桃源社区垃圾未清运").unwrap();
    assert!(rubbish_at < found.html.find("柳湾路路灯不亮").unwrap(), "newest first: {}", found.html);
    assert!(!found.html.contains("邻居家噪音扰民"), "only this caller's");
    assert!(found.html.contains("data-name=\"王女士\""), "the caller's name, to fill in");
    assert!(found.html.contains(&format!("data-repeat=\"{lamp}\"")), "open work takes a repeat call");

    // The window sees only what lies in its community.
    let mut window_desk = desk(&store, "window_c2").await;
    let theirs = window_desk.get("/work/intake/callers?phone=13812341234").await;
    assert!(theirs.html.contains("反映过 1 件") && theirs.html.contains("桃源社区垃圾未清运"), "{}", theirs.html);
    assert!(!theirs.html.contains("柳湾路路灯不亮"), "another community's request is out of scope");
    let stranger = window_desk.get("/work/intake/callers?phone=13900001111").await;
    assert!(by_id(&stranger.html, "caller-new").contains("没有这个号码的诉求记录"), "{}", stranger.html);

    // Every request shown is a look at the caller's number, logged for whoever looked.
    assert_eq!(looks(&store, &url, &t, t.operator.user_id, lamp).await, 1);
    assert_eq!(looks(&store, &url, &t, t.operator.user_id, rubbish).await, 1);
    assert_eq!(looks(&store, &url, &t, t.operator.user_id, noise).await, 0, "not shown, not logged");
    assert_eq!(looks(&store, &url, &t, window.id, rubbish).await, 1);
    assert_eq!(looks(&store, &url, &t, window.id, lamp).await, 0, "out of scope: neither shown nor logged");

    // Part of a number looks nothing up; other roles have no desk.
    assert_eq!(operator.get("/work/intake/callers?phone=138").await.status, StatusCode::NO_CONTENT);
    let mut dispatcher = desk(&store, "dispatcher").await;
    assert_eq!(dispatcher.get("/work/intake/callers?phone=13812341234").await.status, StatusCode::FORBIDDEN);
    assert_eq!(dispatcher.get("/work/intake").await.status, StatusCode::FORBIDDEN);
    assert_eq!(looks(&store, &url, &t, t.dispatcher.user_id, lamp).await, 0);

    // Without the script, the 查询 button shows the same beside the form as typed.
    let before = store.count_requests().await.unwrap();
    let looked = post(&mut operator, "/work/intake", &call(&t, &[("look", "1"), ("title", "还没说完")])).await;
    assert_eq!(looked.status, StatusCode::OK);
    assert!(looked.html.contains("反映过 2 件"), "{}", looked.html);
    assert!(kept(&looked.html, "还没说完"), "{}", looked.html);
    assert_eq!(store.count_requests().await.unwrap(), before, "looking saves nothing");
}

async fn a_repeat_call_counts_on_its_request_and_makes_no_new_one(store: Store, url: String) {
    let t = town(&store).await;
    let mut operator = desk(&store, "operator").await;
    let saved = post(&mut operator, "/work/intake", &call(&t, &[("_key", "first")])).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    let id = store.list(&t.operator, &ListFilter::default(), time::now()).await.unwrap().items[0].id;

    // The neighbour calls about the same lamp; the call is counted on it, twice.
    for n in 1..=2 {
        let again =
            call(&t, &[("phone", "139 0000 2222"), ("repeat_of", &id.to_string()), ("content", "路灯还是不亮")]);
        let page = post(&mut operator, "/work/intake/repeat", &again).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        assert_eq!(by_id(&page.html, "repeat-count"), format!("这件诉求已重复来电 {n} 次，没有新建诉求。"));
        assert!(!page.html.contains("id=\"tracking-code\""), "an earlier request's code is not shown again");
    }
    assert_eq!(store.count_requests().await.unwrap(), 1, "no new request");
    let r = store.request(id, &t.operator).await.unwrap();
    assert_eq!((r.repeat_calls, r.status), (2, gongzhi_domain::Status::PendingDispatch), "its state is unchanged");

    // On its history: who called, masked, and what they said.
    let events = store.events_of(id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!((last.action.as_str(), last.note.as_str()), ("repeat-call", "路灯还是不亮"));
    let payload: serde_json::Value = serde_json::from_str(&last.payload).unwrap();
    assert_eq!(payload["phone"], "139****2222");
    assert!(!last.payload.contains("13900002222"), "the log keeps no whole number");
    let page = operator.get(&format!("/work/requests/{id}")).await;
    assert!(page.html.contains("139****2222：路灯还是不亮"), "{}", page.html);
    assert_eq!(by_id(&page.html, "repeat-calls"), "重复来电 2 次");

    // In the figures: on the day and at the place the request came in, as a recount of
    // the request says, and its figure lists the request.
    let today = time::local_date(time::now());
    let measures = store.measures(t.district, today, today, time::now()).await.unwrap();
    assert_eq!((measures.repeat_calls, measures.intake), (2, 1));
    let recount: i64 = contribution(&r).values().map(|c| c.repeat_calls).sum();
    assert_eq!(measures.counters.repeat_calls, recount);
    let yesterday = store.measures(t.district, today - Duration::days(1), today - Duration::days(1), time::now());
    assert_eq!(yesterday.await.unwrap().repeat_calls, 0);
    let scope = format!("unit={}&from={today}&to={today}", t.street);
    let mut leader = desk(&store, "leader_s1").await;
    let dashboard = leader.get(&format!("/work/dashboard?{scope}")).await;
    assert!(dashboard.html.contains("id=\"figure-repeat_calls\""), "{}", dashboard.html);
    let figure = leader.get(&format!("/work/figures?{scope}&figure=repeat_calls")).await;
    assert_eq!(figure.status, StatusCode::OK);
    assert_eq!(figure.html.matches("href=\"/work/requests/").count(), 1, "{}", figure.html);
    assert!(figure.html.contains(&r.number));

    // Finished work takes no repeat call: the caller is a new request, and the form
    // comes back with what was typed.
    let reject = gongzhi_domain::Command::Reject { reason: "重复反映".into() };
    store.act(id, None, reject, staff(&t.operator)).await.unwrap();
    let late = call(&t, &[("repeat_of", &id.to_string()), ("content", "又坏了，第三次打电话")]);
    let refused = post(&mut operator, "/work/intake/repeat", &late).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.html);
    assert!(by_id(&refused.html, "desk-error").contains("不能执行「重复来电」"), "{}", refused.html);
    assert!(kept(&refused.html, "又坏了，第三次打电话") && kept(&refused.html, "柳湾路路灯不亮"));
    assert_eq!(store.request(id, &t.operator).await.unwrap().repeat_calls, 2);
    // The events still replay to the row.
    assert_eq!(store.replay().await.unwrap().mismatch_count, 0);
    let _ = url;
}

async fn a_consultation_answered_at_once_is_resolved_with_its_answer(store: Store, _url: String) {
    let t = town(&store).await;
    let mut operator = desk(&store, "operator").await;
    let desk_page = operator.get("/work/intake?channel=walk_in").await;
    assert_eq!(desk_page.status, StatusCode::OK);
    assert!(desk_page.html.contains("id=\"answer\""), "an operator may answer at once");
    assert!(desk_page.html.contains("value=\"walk_in\" checked"), "the channel of the last call");
    assert!(
        desk_page.html.contains("<option value=\"\">请选择（可按数字键 1–6）</option>")
            && !desk_page.html.contains("value=\"complaint\" selected"),
        "no kind is chosen for the operator"
    );

    let answer = "社保卡可在青石街道便民服务中心办理，带身份证即可，当场可取。";
    let consult = call(
        &t,
        &[
            ("kind", "consult"),
            ("channel", "walk_in"),
            ("title", "社保卡在哪里办理"),
            ("content", "想问一下社保卡丢了在哪里补办"),
            ("answer", answer),
            ("_key", "consult-1"),
        ],
    );
    let saved = post(&mut operator, "/work/intake", &consult).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    assert_eq!(by_id(&saved.html, "saved-title"), "已即时办结");
    let code = tracking_code(&saved.html);
    assert_eq!(code.len(), 10);
    assert!(saved.html.contains("id=\"next-call\" href=\"/work/intake?channel=walk_in\""), "{}", saved.html);
    let r = store.request_by_tracking_code(&code).await.unwrap();
    assert_eq!(by_id(&saved.html, "number"), r.number);
    assert_eq!(r.status, gongzhi_domain::Status::Resolved);
    assert_eq!(r.reply.as_deref(), Some(answer));
    assert_eq!(r.new.channel, gongzhi_domain::Channel::WalkIn);
    let events = store.events_of(r.id).await.unwrap();
    let steps: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(steps, ["submit", "answer"]);
    assert_eq!(events[1].actor, format!("user:{}", t.operator.user_id));

    // Sent twice (Enter pressed again), it is still one request.
    let again = post(&mut operator, "/work/intake", &consult).await;
    assert_eq!(tracking_code(&again.html), code);
    assert_eq!(store.count_requests().await.unwrap(), 1);

    // The caller's verdict can still be taken on a callback.
    let evaluate = gongzhi_domain::Command::Evaluate {
        solved: true,
        satisfaction: gongzhi_domain::Satisfaction::Satisfied,
        comment: String::new(),
    };
    let closed = store.act(r.id, None, evaluate, staff(&t.operator)).await.unwrap();
    assert_eq!(closed.status, gongzhi_domain::Status::Closed);

    // Anything else the operator takes down is accepted at once.
    let complaint = post(&mut operator, "/work/intake", &call(&t, &[("_key", "c-2")])).await;
    assert_eq!(by_id(&complaint.html, "saved-status"), "待派单");
    assert_eq!(by_id(&complaint.html, "saved-title"), "已受理");

    // An answer is for a consultation only: refused beside it, nothing made.
    let wrong = call(&t, &[("kind", "complaint"), ("answer", "已经答复过了"), ("_key", "c-3")]);
    let refused = post(&mut operator, "/work/intake", &wrong).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(by_id(&refused.html, "error-answer").contains("只有咨询类诉求可以即时答复办结"), "{}", refused.html);
    assert!(kept(&refused.html, "已经答复过了"));
    assert_eq!(store.count_requests().await.unwrap(), 2);

    // An admin at the desk records calls; answering at once and repeat calls are the
    // operator's.
    let hash = hash_password("demo-password").unwrap();
    store.add_user("admin", "管理员", Role::Admin, t.district, &hash).await.unwrap();
    let mut admin = desk(&store, "admin").await;
    let page = admin.get("/work/intake").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.html.contains("id=\"answer\""));
    let recorded = post(&mut admin, "/work/intake", &call(&t, &[("_key", "admin-1")])).await;
    assert_eq!(by_id(&recorded.html, "saved-status"), "待受理", "{}", recorded.html);
}

async fn refusals_are_said_beside_their_field_and_keep_what_was_typed(store: Store, _url: String) {
    let t = town(&store).await;
    let mut operator = desk(&store, "operator").await;
    let typed =
        |html: &str| kept(html, "柳湾路路灯不亮") && html.contains("路灯坏了一个多星期") && kept(html, "柳湾路18号");

    let cases: [(&str, &[(&'static str, &str)], &str, &str); 6] = [
        ("no kind", &[("kind", "")], "error-kind", "请选择诉求类型"),
        ("no title", &[("title", " ")], "error-title", "请填写标题"),
        ("a bad number", &[("phone", "138abc41234")], "error-phone", "应为 5 到 20 位数字"),
        ("no number", &[("phone", "")], "error-phone", "请填写联系电话"),
        ("no place", &[("unit_id", "")], "error-unit_id", "请选择问题所在地"),
        ("an unknown category", &[("category", "不存在的分类")], "error-category", "没有找到这个分类"),
    ];
    for (what, fields, id, words) in cases {
        let page = post(&mut operator, "/work/intake", &call(&t, fields)).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        assert!(by_id(&page.html, id).contains(words), "{what}: {}", page.html);
        assert_eq!(page.html.matches("aria-invalid=\"true\"").count(), 1, "{what}: the field is marked");
        if !fields.iter().any(|(name, _)| *name == "title") {
            assert!(typed(&page.html), "{what}: {}", page.html);
        }
    }
    assert!(kept(
        &post(&mut operator, "/work/intake", &call(&t, &[("phone", "138abc41234")])).await.html,
        "138abc41234"
    ));

    // A place switched off since the page was shown, and a place out of the operator's
    // scope, are said beside the place.
    let hash = hash_password("admin-password").unwrap();
    let admin = store.add_user("admin", "区管理员", Role::Admin, t.district, &hash).await.unwrap();
    store.set_unit_active(&admin.staff(), t.other_community, false, time::now()).await.unwrap();
    let switched_off = call(&t, &[("unit_id", &t.other_community.to_string())]);
    let page = post(&mut operator, "/work/intake", &switched_off).await;
    assert!(by_id(&page.html, "error-unit_id").contains("已停用"), "{}", page.html);
    assert!(typed(&page.html));
    let window = hash_password("demo-password").unwrap();
    store.add_user("window_s1", "街道窗口", Role::Operator, t.street, &window).await.unwrap();
    let outside = store.add_unit(Some(t.district), gongzhi_domain::UnitKind::Town, "T2", "白沙镇").await.unwrap();
    let village = store.add_unit(Some(outside.id), gongzhi_domain::UnitKind::Village, "V1", "白沙村").await.unwrap();
    let mut street_window = desk(&store, "window_s1").await;
    let page = post(&mut street_window, "/work/intake", &call(&t, &[("unit_id", &village.id.to_string())])).await;
    assert!(by_id(&page.html, "error-unit_id").contains("「白沙村」不在您的辖区内"), "{}", page.html);
    assert!(!page.html.contains(&format!("<option value=\"{}\"", village.id)), "the picker offers its own places");
    assert!(page.html.contains(&format!("<option value=\"{}\"", t.community)));

    // A form from elsewhere does nothing, and comes back as typed.
    let forged = call(&t, &[("_csrf", "forged")]);
    let page = post(&mut operator, "/work/intake", &forged).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(typed(&page.html));

    // U+0000, which no database stores, is taken out and said; the rest of the call stays.
    let page = post(&mut operator, "/work/intake", &call(&t, &[("address", "柳湾路18号\0")])).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.html);
    assert!(typed(&page.html), "{}", page.html);
    assert_eq!(store.count_requests().await.unwrap(), 0, "nothing refused was made");
}
