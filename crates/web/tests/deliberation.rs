//! 小板凳议事会 on the web: a resident puts a wish forward on the portal, neighbours
//! support and discuss it, the community cadre moderates, copies a paper proposal in,
//! records a meeting and decides — one adopted, one declined with its reason — and the
//! public pages follow the adopted one through the request it became to the verdict,
//! while the 共同缔造 page counts it all. Bad input comes back in Chinese with what was
//! typed; nobody sees a phone number. Real router, real store, both databases.

mod support;

use axum::http::StatusCode;
use gongzhi_app::inspection as inspect;
use gongzhi_app::{act, Act};
use gongzhi_domain::time;
use gongzhi_domain::{Actor, Command, Role, Satisfaction};
use gongzhi_store::inspection::{Chain, NewPoint};
use gongzhi_store::testing::{town, Town};
use gongzhi_store::{hash_password, on_both, Store};
use gongzhi_web::WebConfig;
use support::{Browser, CSRF, PNG};

on_both!(
    a_wish_is_put_forward_supported_adopted_and_followed_to_its_verdict,
    bad_input_is_refused_in_chinese_and_kept,
    a_number_is_confirmed_by_the_code_texted_to_it,
    a_meeting_keeps_its_photos_and_the_volunteers_who_took_part,
);

const PHONE: &str = "13800001234";

/// The id a redirect names after `prefix`.
fn id_after(location: &str, prefix: &str) -> i64 {
    let rest = location.strip_prefix(prefix).unwrap_or_else(|| panic!("{location} starts with {prefix}"));
    rest.split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
}

/// A resident's proposal on the portal where no SMS is configured: it waits, unlisted,
/// until the community's cadre has called the proposer and confirms it. Returns its id.
async fn propose(b: &mut Browser, cadre: &mut Browser, t: &Town, kind: &str, title: &str, phone: &str) -> i64 {
    let sent = send_proposal(b, t, kind, title, phone).await;
    assert_eq!(sent.location(), format!("/communities/{}?done=waiting", t.community), "{}", sent.html);
    confirm(cadre, t, title, phone).await
}

/// The cadre confirms the waiting proposal called `title`; returns its id.
async fn confirm(cadre: &mut Browser, t: &Town, title: &str, phone: &str) -> i64 {
    let home = cadre.get(&format!("/work/deliberation?unit={}", t.community)).await.html;
    let waiting = home.split("id=\"waiting-").find(|entry| entry.contains(title)).unwrap_or_else(|| panic!("{home}"));
    let id: i64 = waiting.split('"').next().unwrap().parse().unwrap();
    // The cadre sees the whole number, to call it.
    assert!(waiting.contains(phone), "{waiting}");
    let confirm = cadre.post(&format!("/work/deliberation/proposals/{id}/confirm"), &[("_csrf", CSRF)]).await;
    assert_eq!(confirm.location(), format!("/work/deliberation?unit={}&done=confirmed", t.community));
    id
}

/// The proposal form sent as typed.
async fn send_proposal(b: &mut Browser, t: &Town, kind: &str, title: &str, phone: &str) -> support::Page {
    let community = t.community.to_string();
    let form = [
        ("_csrf", CSRF),
        ("kind", kind),
        ("unit_id", community.as_str()),
        ("title", title),
        ("content", "三号楼楼道没有扶手，老人上下楼不方便。"),
        ("name", "王阿姨"),
        ("phone", phone),
    ];
    let page = b.post("/proposals/new", &form).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    page
}

async fn cadre(store: &Store) -> Browser {
    let mut b = Browser::new(store);
    b.login("handler_c1", "demo-password").await;
    b
}

async fn a_wish_is_put_forward_supported_adopted_and_followed_to_its_verdict(store: Store, _url: String) {
    let t = town(&store).await;
    let mut resident = Browser::new(&store);

    // The portal's home leads to the proposals, and they to the community's page.
    assert!(resident.get("/").await.html.contains("href=\"/proposals\""));
    let index = resident.get("/proposals").await;
    assert!(index.html.contains(&format!("/communities/{}", t.community)), "{}", index.html);

    // A wish put forward. No SMS is configured here: it waits, unlisted and taking no
    // support, for the community's cadre to call the proposer.
    let mut staff = cadre(&store).await;
    let sent = send_proposal(&mut resident, &t, "wish", "楼道装扶手", PHONE).await;
    let waiting = resident.get(sent.location()).await.html;
    assert!(waiting.contains("社区工作人员会打电话") && !waiting.contains("楼道装扶手"), "{waiting}");
    let unlisted = store.unconfirmed_proposals(t.community, 10).await.unwrap()[0].id;
    assert_eq!(resident.get(&format!("/proposals/{unlisted}")).await.status, StatusCode::NOT_FOUND);
    let early =
        resident.post(&format!("/proposals/{unlisted}/support"), &[("_csrf", CSRF), ("phone", "13700000009")]).await;
    assert_eq!(early.status, StatusCode::NOT_FOUND);
    // Another community's cadre neither sees nor confirms it.
    let mut elsewhere = Browser::new(&store);
    elsewhere.login("handler_c2", "demo-password").await;
    assert!(!elsewhere.get("/work/deliberation").await.html.contains("楼道装扶手"));
    let foreign = elsewhere.post(&format!("/work/deliberation/proposals/{unlisted}/confirm"), &[("_csrf", CSRF)]).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.html);
    // The cadre calls the number and confirms: who and when is kept, and it is listed.
    let wish = confirm(&mut staff, &t, "楼道装扶手", PHONE).await;
    assert_eq!(wish, unlisted);
    assert!(staff
        .get(&format!("/work/deliberation?unit={}&done=confirmed", t.community))
        .await
        .html
        .contains("建议已公开"));
    assert!(resident.get(&format!("/communities/{}", t.community)).await.html.contains("楼道装扶手"));
    let other = propose(&mut resident, &mut staff, &t, "suggestion", "小区门口设快递柜", "13900005678").await;
    let page = resident.get(&format!("/proposals/{wish}?done=submitted")).await;
    assert_eq!(page.status, StatusCode::OK);
    for words in ["楼道装扶手", "微心愿", "征集附议中", "王阿姨", "已提交"] {
        assert!(page.html.contains(words), "{words}: {}", page.html);
    }

    // Neighbours support it: one number counts once.
    for (phone, done) in [("13700000001", "supported"), ("13700000002", "supported"), ("137-0000-0001", "again")] {
        let sent = resident.post(&format!("/proposals/{wish}/support"), &[("_csrf", CSRF), ("phone", phone)]).await;
        assert_eq!(sent.location(), format!("/proposals/{wish}?done={done}#supports"));
    }
    let page = resident.get(&format!("/proposals/{wish}")).await;
    assert!(page.html.contains("id=\"support-count\">2<"), "{}", page.html);

    // Two comments, one of them rude.
    for body in ["我家老人也需要，支持！", "这种事也要议？浪费时间"] {
        let form = [("_csrf", CSRF), ("body", body), ("name", "李师傅"), ("phone", "13600000003")];
        let sent = resident.post(&format!("/proposals/{wish}/comments"), &form).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    }
    assert!(resident.get(&format!("/proposals/{wish}")).await.html.contains("浪费时间"));

    // The community cadre sees both proposals, hides the rude comment with a reason.
    let home = staff.get("/work/deliberation").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.html.contains("楼道装扶手") && home.html.contains("小区门口设快递柜"), "{}", home.html);
    let moderation = staff.get(&format!("/work/deliberation/proposals/{wish}")).await;
    let rude = moderation.html.split("id=\"comment-").nth(2).unwrap();
    let rude: i64 = rude.split('"').next().unwrap().parse().unwrap();
    let hide = [("_csrf", CSRF), ("proposal_id", &*wish.to_string()), ("reason", "与议题无关的不文明言论")];
    let hidden = staff.post(&format!("/work/deliberation/comments/{rude}/hide"), &hide).await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER, "{}", hidden.html);
    assert!(staff.get(&format!("/work/deliberation/proposals/{wish}")).await.html.contains("与议题无关的不文明言论"));
    let public = resident.get(&format!("/proposals/{wish}")).await.html;
    assert!(!public.contains("浪费时间") && public.contains("我家老人也需要"), "{public}");

    // A proposal handed in on paper is copied in.
    let community = t.community.to_string();
    let paper = [
        ("_csrf", CSRF),
        ("unit_id", community.as_str()),
        ("kind", "suggestion"),
        ("title", "健身器材维修"),
        ("content", "广场的健身器材坏了两件。"),
        ("name", "赵大爷"),
        ("phone", ""),
    ];
    let recorded = staff.post("/work/deliberation/paper", &paper).await;
    assert_eq!(recorded.location(), format!("/work/deliberation?unit={}&done=paper", t.community));
    assert!(staff.get(recorded.location()).await.html.contains("健身器材维修"));

    // The meeting: its form offers the open proposals; recorded with two on its agenda.
    let form = staff.get(&format!("/work/deliberation/meetings/new?unit={}", t.community)).await;
    assert!(form.html.contains("楼道装扶手") && form.html.contains("健身器材维修"), "{}", form.html);
    let meeting = [
        ("_csrf", CSRF),
        ("unit_id", community.as_str()),
        ("held_at", "2026-05-01T19:30"),
        ("place", "三号楼前小广场"),
        ("topic", "五月小板凳议事会"),
        ("participants", "居民12人，社区书记，党员2人"),
        ("minutes", "大家同意先装扶手。"),
        ("agenda", &*wish.to_string()),
        ("agenda", &*other.to_string()),
    ];
    let held = staff.post("/work/deliberation/meetings", &meeting).await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.html);
    let meeting_id = id_after(held.location(), "/work/deliberation/meetings/");
    let decide = format!("/work/deliberation/meetings/{meeting_id}/decide");
    let deadline = (time::local_date(time::now()) + chrono::Duration::days(20)).to_string();
    let (responsible, unit) = (t.handler.user_id.to_string(), t.community.to_string());
    let adopt = [
        ("_csrf", CSRF),
        ("proposal_id", &*wish.to_string()),
        ("decision", "adopt"),
        ("unit_id", unit.as_str()),
        ("responsible_id", responsible.as_str()),
        ("deadline", deadline.as_str()),
        ("reason", ""),
    ];
    let adopted = staff.post(&decide, &adopt).await;
    assert_eq!(adopted.location(), format!("/work/deliberation/meetings/{meeting_id}#p{wish}"), "{}", adopted.html);
    // A decline without its reason comes back, said in Chinese beside that entry.
    let mut decline = vec![("_csrf", CSRF), ("decision", "decline"), ("reason", "")];
    let other_id = other.to_string();
    decline.push(("proposal_id", other_id.as_str()));
    let refused = staff.post(&decide, &decline).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("请填写理由"), "{}", refused.html);
    decline[2] = ("reason", "小区门口是消防通道，不能放快递柜；已联系物业在车棚旁选址。");
    assert_eq!(staff.post(&decide, &decline).await.status, StatusCode::SEE_OTHER);

    // The declined proposal shows its reason to residents and takes no more support.
    let page = resident.get(&format!("/proposals/{other}")).await.html;
    for words in ["未采纳", "不予采纳", "消防通道", "议事会已作出决定"] {
        assert!(page.contains(words), "{words}: {page}");
    }
    assert!(!page.contains("support-form"));

    // The adopted one follows its request, which carries what the meeting promised: at
    // the community, with the cadre named, due by the date set. The request's page and
    // the proposal's say the same.
    let page = resident.get(&format!("/proposals/{wish}")).await.html;
    assert!(page.contains("已采纳") && page.contains("id=\"percent\">60%"), "{page}");
    let request = store.proposal(wish).await.unwrap().request().unwrap().id;
    let desk = staff.get(&format!("/work/requests/{request}")).await.html;
    let between = |html: &str, id: &str| -> String {
        let start = html.find(&format!("id=\"{id}\">")).unwrap_or_else(|| panic!("{id}: {html}")) + id.len() + 6;
        html[start..].split('<').next().unwrap().to_string()
    };
    let handler_name = store.account(t.handler.user_id).await.unwrap().name;
    assert_eq!(between(&desk, "handler"), handler_name);
    assert_eq!(between(&page, "work-responsible"), handler_name);
    assert_eq!(between(&desk, "assignee"), between(&page, "work-unit"));
    assert_eq!(between(&page, "work-due"), deadline);
    assert!(desk.contains(&format!("{deadline} ")), "the request is due by the promised day: {desk}");
    let staff_of = |s: &gongzhi_domain::role::Staff| Actor::Staff(s.clone());
    let progress = Command::Progress { note: "扶手材料已到，周六安装。".into() };
    let with_photo = Act { photos: vec![PNG.to_vec()], ..Act::new(request, None, progress, staff_of(&t.handler)) };
    act(&store, with_photo).await.unwrap();
    let page = resident.get(&format!("/proposals/{wish}")).await.html;
    assert!(page.contains("id=\"percent\">60%") && page.contains("扶手材料已到"), "{page}");
    let photo = resident.get(&format!("/proposals/{wish}/photos/1")).await;
    assert_eq!((photo.status, photo.bytes.as_slice()), (StatusCode::OK, PNG));
    let resolve = Command::Resolve { reply: "三号楼扶手已装好。".into(), contacted: true };
    act(&store, Act::new(request, None, resolve, staff_of(&t.handler))).await.unwrap();
    let verdict = Command::Evaluate { solved: true, satisfaction: Satisfaction::Satisfied, comment: String::new() };
    act(&store, Act::new(request, None, verdict, Actor::Requester)).await.unwrap();
    let page = resident.get(&format!("/proposals/{wish}")).await.html;
    for words in ["id=\"percent\">100%", "三号楼扶手已装好", "满意", "已解决"] {
        assert!(page.contains(words), "{words}: {page}");
    }
    // No number anywhere: not the proposer's, not a supporter's, not masked either.
    for number in [PHONE, "138****1234", "13700000001", "13600000003"] {
        assert!(!page.contains(number), "{number} shown");
    }

    // The community's page: proposals by support, the meeting with its decisions, results.
    let page = resident.get(&format!("/communities/{}?order=supported", t.community)).await.html;
    let (first, second) = (page.find("楼道装扶手").unwrap(), page.find("健身器材维修").unwrap());
    assert!(first < second, "the most supported first");
    for words in ["五月小板凳议事会", "采纳，转为工单办理", "消防通道", "办理结果", "已办结"]
    {
        assert!(page.contains(words), "{words}: {page}");
    }
    let page = resident.get(&format!("/meetings/{meeting_id}")).await.html;
    assert!(page.contains("大家同意先装扶手") && page.contains("三号楼前小广场"), "{page}");

    // 共同缔造: the five stages, with figures, for the community and the district.
    let page = resident.get(&format!("/co-creation/{}", t.community)).await.html;
    for stage in ["co_plan", "co_build", "co_manage", "co_evaluate", "co_share"] {
        assert!(page.contains(&format!("id=\"{stage}\"")), "{stage}: {page}");
    }
    assert!(page.contains("id=\"co_plan-proposals\"><b>3</b>"), "{page}");
    assert!(page.contains("id=\"co_plan-meetings\"><b>1</b>"), "{page}");
    assert!(page.contains("id=\"co_build-adopted\"><b>1</b>"), "{page}");
    assert!(page.contains("id=\"co_share-done\"><b>1</b>"), "{page}");
    assert!(page.contains(&format!("href=\"/communities/{}#results\"", t.community)));
    let page = resident.get("/co-creation").await.html;
    assert!(page.contains("id=\"co_plan-proposals\"><b>3</b>") && page.contains("青石街道"), "{page}");
    // Staff of the subtree also reach the request lists of the measures.
    let page = staff.get(&format!("/co-creation/{}", t.community)).await.html;
    assert!(page.contains("href=\"/work/figures?unit="), "{page}");

    // In English every word is there: no key of the catalogue, no `?` of a missing one.
    let paths = [
        format!("/proposals/{wish}"),
        format!("/proposals/{other}"),
        format!("/communities/{}", t.community),
        format!("/meetings/{meeting_id}"),
        format!("/co-creation/{}", t.community),
        "/proposals/new".to_string(),
    ];
    for path in paths {
        let html = resident.get(&format!("{path}?lang=en")).await.html;
        for raw in [">proposal.", ">decision.", ">meeting.", ">cocreation.", ">?<", ": ?<"] {
            assert!(!html.contains(raw), "{path}: {raw}");
        }
    }
    let staff_paths =
        [format!("/work/deliberation/meetings/{meeting_id}"), format!("/work/deliberation/proposals/{wish}")];
    for path in staff_paths {
        let html = staff.get(&format!("{path}?lang=en")).await.html;
        assert!(!html.contains(">deliberation.") && !html.contains(">?<"), "{path}");
    }
}

async fn bad_input_is_refused_in_chinese_and_kept(store: Store, _url: String) {
    let t = town(&store).await;
    let mut resident = Browser::new(&store);
    let community = t.community.to_string();

    // No community chosen: said, and the words typed come back.
    let form = [("_csrf", CSRF), ("kind", "wish"), ("title", "装路灯"), ("content", "巷子太黑"), ("phone", PHONE)];
    let page = resident.post("/proposals/new", &form).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("请选择所在社区") && page.html.contains("巷子太黑"), "{}", page.html);
    // No number, a wrong one, no title.
    let cases: [(&str, &str, &str); 3] =
        [("装路灯", "", "请填写手机号码"), ("装路灯", "abc", "手机号码"), ("", PHONE, "请填写标题")];
    for (title, phone, said) in cases {
        let form = [
            ("_csrf", CSRF),
            ("unit_id", community.as_str()),
            ("title", title),
            ("content", "巷子太黑"),
            ("phone", phone),
        ];
        let page = resident.post("/proposals/new", &form).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{said}");
        assert!(page.html.contains(said) && page.html.contains("巷子太黑"), "{said}: {}", page.html);
    }
    // From another site: refused, nothing stored.
    let form =
        [("_csrf", "forged"), ("unit_id", community.as_str()), ("title", "x"), ("content", "y"), ("phone", PHONE)];
    assert_eq!(resident.post("/proposals/new", &form).await.status, StatusCode::FORBIDDEN);

    let mut staff = cadre(&store).await;
    let id = propose(&mut resident, &mut staff, &t, "suggestion", "装路灯", PHONE).await;
    let page = resident.post(&format!("/proposals/{id}/support"), &[("_csrf", CSRF), ("phone", "")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("id=\"support-error\"") && page.html.contains("请填写"), "{}", page.html);
    let page =
        resident.post(&format!("/proposals/{id}/comments"), &[("_csrf", CSRF), ("body", "好"), ("phone", "1")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("id=\"comment-error\"") && page.html.contains(">好</textarea>"), "{}", page.html);

    // A script supporting from one address is slowed down, in words.
    for n in 0..20 {
        let phone = format!("1390000{n:04}");
        let sent = resident.post(&format!("/proposals/{id}/support"), &[("_csrf", CSRF), ("phone", &phone)]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "support {n}: {}", sent.html);
    }
    let page = resident.post(&format!("/proposals/{id}/support"), &[("_csrf", CSRF), ("phone", "13900009999")]).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.html.contains("附议太频繁") && page.html.contains("id=\"support-count\">20<"), "{}", page.html);

    // Pages that do not exist, and ids that are not ids, are answered, not crashed on.
    for path in ["/proposals/999999", "/communities/999999", "/meetings/999999", "/co-creation/999999"] {
        assert_eq!(resident.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    for path in ["/proposals/abc", "/proposals/1/photos/x", "/communities/%00"] {
        assert!(resident.get(path).await.status.is_client_error(), "{path}");
    }
    assert_eq!(resident.get(&format!("/proposals/{id}/photos/1")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(resident.get("/communities/1?page=zzz&order=%3Cscript%3E").await.status, StatusCode::OK);

    // Staff pages: a visitor logs in first; an operator is told whose pages these are.
    assert_eq!(resident.get("/work/deliberation").await.status, StatusCode::SEE_OTHER);
    let mut operator = Browser::new(&store);
    operator.login("operator", "demo-password").await;
    let page = operator.get("/work/deliberation").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.html.contains("督查人员可以查看"), "{}", page.html);

    // A supervisor reads but has no forms, and a post is refused in words.
    let mut supervisor = Browser::new(&store);
    supervisor.login("supervisor", "demo-password").await;
    let page = supervisor.get(&format!("/work/deliberation?unit={}", t.community)).await;
    assert!(page.html.contains("装路灯") && !page.html.contains("paper-form"), "{}", page.html);
    let paper = [("_csrf", CSRF), ("unit_id", community.as_str()), ("title", "x"), ("content", "y")];
    let page = supervisor.post("/work/deliberation/paper", &paper).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.html.contains("只有本社区的承办人"), "{}", page.html);

    // Another community's cadre does not see this one's proposal.
    let mut other = Browser::new(&store);
    other.login("handler_c2", "demo-password").await;
    assert_eq!(other.get(&format!("/work/deliberation/proposals/{id}")).await.status, StatusCode::NOT_FOUND);

    // A meeting without its time or place comes back as typed.
    let meeting = [
        ("_csrf", CSRF),
        ("unit_id", community.as_str()),
        ("held_at", "明天晚上"),
        ("place", "活动室"),
        ("topic", "路灯"),
        ("agenda", &*id.to_string()),
    ];
    let page = staff.post("/work/deliberation/meetings", &meeting).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("请填写会议时间") && page.html.contains("活动室"), "{}", page.html);
    let mut meeting = meeting.to_vec();
    meeting[2] = ("held_at", "2026-05-01T19:30");
    meeting[3] = ("place", " ");
    let page = staff.post("/work/deliberation/meetings", &meeting).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("请填写地点") && page.html.contains("checked"), "{}", page.html);
    meeting[3] = ("place", "活动室");
    let held = staff.post("/work/deliberation/meetings", &meeting).await;
    let meeting_id = id_after(held.location(), "/work/deliberation/meetings/");
    let decide = format!("/work/deliberation/meetings/{meeting_id}/decide");
    let pid = id.to_string();
    // No decision chosen; an adoption without a deadline.
    let page = staff.post(&decide, &[("_csrf", CSRF), ("proposal_id", &pid)]).await;
    assert!(page.html.contains("请选择采纳、不予采纳或暂缓"), "{}", page.html);
    let adopt = [("_csrf", CSRF), ("proposal_id", &*pid), ("decision", "adopt"), ("unit_id", &*community)];
    let mut adopt = adopt.to_vec();
    adopt.push(("responsible_id", "1"));
    adopt.push(("deadline", "下个月"));
    let page = staff.post(&decide, &adopt).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("请填写完成期限"), "{}", page.html);
    // Deferred, then asked again: the entry is decided already.
    let defer = [("_csrf", CSRF), ("proposal_id", &*pid), ("decision", "defer")];
    assert_eq!(staff.post(&decide, &defer).await.status, StatusCode::SEE_OTHER);
    let page = staff.post(&decide, &defer).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.html.contains("已经作出决定"), "{}", page.html);
}

/// The code the outbox holds for `phone`: what the SMS gateway would be sent.
async fn texted_code(url: &str, phone: &str) -> String {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let row = sqlx::query(
        "SELECT payload, to_resident FROM outbox WHERE topic = 'phone_code' AND recipient = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(phone)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let payload: serde_json::Value = serde_json::from_str(&row.try_get::<String, _>("payload").unwrap()).unwrap();
    payload["note"].as_str().unwrap().to_string()
}

async fn a_number_is_confirmed_by_the_code_texted_to_it(store: Store, url: String) {
    let t = town(&store).await;
    let texting = || WebConfig { phone_codes: true, ..WebConfig::default() };
    let mut resident = Browser::with_config(&store, texting());
    let community = t.community.to_string();

    // With an SMS channel, the form asks for the number first, and a code is texted.
    let form = resident.get(&format!("/proposals/new?unit={community}&kind=wish")).await.html;
    assert!(form.contains("id=\"confirm-first\"") && !form.contains("id=\"propose-form\""), "{form}");
    let next = format!("/proposals/new?unit={community}&kind=wish");
    let ask = resident.get(&format!("/proposals/phone?next={}", support::encode(&next))).await;
    assert!(ask.html.contains("id=\"phone-form\"") && ask.html.contains("获取验证码"), "{}", ask.html);
    let sent = resident.post("/proposals/phone/code", &[("_csrf", CSRF), ("phone", PHONE), ("next", &next)]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    assert!(sent.location().starts_with("/proposals/phone?sent=1"), "{}", sent.location());
    assert!(resident.cookie("gongzhi_phone").is_some_and(|token| token.len() == 64));
    let code = texted_code(&url, PHONE).await;
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    // The code is kept only as a digest.
    assert!(!stored_codes(&url).await.iter().any(|kept| kept.contains(&code)));

    // A wrong code is said in Chinese; the right one comes back to the form, confirmed.
    let page = resident.get(sent.location()).await.html;
    assert!(page.contains("id=\"code-form\"") && page.contains("10分钟内有效"), "{page}");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = resident.post("/proposals/phone/confirm", &[("_csrf", CSRF), ("code", wrong), ("next", &next)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("验证码不对"), "{}", refused.html);
    let typo = resident.post("/proposals/phone/confirm", &[("_csrf", CSRF), ("code", "12a"), ("next", &next)]).await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", typo.html);
    let right = resident.post("/proposals/phone/confirm", &[("_csrf", CSRF), ("code", &code), ("next", &next)]).await;
    assert_eq!(right.location(), next, "{}", right.html);
    let form = resident.get(&next).await.html;
    assert!(form.contains("id=\"phone-confirmed\"") && form.contains("138****1234"), "{form}");
    assert!(!form.contains("name=\"phone\""), "the confirmed number is not typed again");

    // Put forward with the confirmed number, it is listed at once; a typed number is not
    // taken instead of it.
    let proposal = [
        ("_csrf", CSRF),
        ("kind", "wish"),
        ("unit_id", community.as_str()),
        ("title", "楼下装晾衣架"),
        ("content", "想在楼下空地装几个公共晾衣架。"),
        ("phone", "13900000000"),
    ];
    let sent = resident.post("/proposals/new", &proposal).await;
    let id = id_after(sent.location(), "/proposals/");
    let mut cadre = cadre(&store).await;
    assert!(!cadre.get(&format!("/work/deliberation?unit={community}")).await.html.contains("id=\"waiting-"));
    // Supports and comments speak with the confirmed number: once, however it is typed.
    let page = resident.get(&format!("/proposals/{id}")).await.html;
    assert!(page.contains("id=\"support-as\"") && page.contains("138****1234"), "{page}");
    let supported = resident.post(&format!("/proposals/{id}/support"), &[("_csrf", CSRF)]).await;
    assert_eq!(supported.location(), format!("/proposals/{id}?done=supported#supports"));
    let again = resident.post(&format!("/proposals/{id}/support"), &[("_csrf", CSRF), ("phone", "13911112222")]).await;
    assert_eq!(again.location(), format!("/proposals/{id}?done=again#supports"));
    let said = resident.post(&format!("/proposals/{id}/comments"), &[("_csrf", CSRF), ("body", "赞成")]).await;
    assert_eq!(said.status, StatusCode::SEE_OTHER, "{}", said.html);

    // A browser with no confirmed number is asked for one, in words, and nothing counts.
    let mut stranger = Browser::with_config(&store, texting());
    let page = stranger.get(&format!("/proposals/{id}")).await.html;
    assert!(page.contains("id=\"support-confirm\"") && page.contains("验证手机号码后即可附议"), "{page}");
    let refused =
        stranger.post(&format!("/proposals/{id}/support"), &[("_csrf", CSRF), ("phone", "13700000001")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.html.contains("请先验证手机号码") && refused.html.contains("id=\"support-count\">1<"));
    let refused = stranger.post("/proposals/new", &proposal).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // A forged cookie confirms nothing; a code without one was never sent.
    stranger.cookies.push(format!("gongzhi_phone={}", "0".repeat(64)));
    let page = stranger.get(&format!("/proposals/{id}")).await.html;
    assert!(page.contains("id=\"support-confirm\""), "{page}");
    let refused = stranger.post("/proposals/phone/confirm", &[("_csrf", CSRF), ("code", "123456")]).await;
    assert!(refused.html.contains("请先获取验证码"), "{}", refused.html);

    // Five wrong tries spend a code: the right one afterwards is refused too.
    let other = "13600001111";
    stranger.post("/proposals/phone/code", &[("_csrf", CSRF), ("phone", other)]).await;
    let code = texted_code(&url, other).await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..5 {
        let page = stranger.post("/proposals/phone/confirm", &[("_csrf", CSRF), ("code", wrong)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let spent = stranger.post("/proposals/phone/confirm", &[("_csrf", CSRF), ("code", &code)]).await;
    assert!(spent.html.contains("请重新获取"), "{}", spent.html);
    // A new code is texted; the number is confirmed with it. The redirect stays home.
    stranger
        .post("/proposals/phone/code", &[("_csrf", CSRF), ("phone", other), ("next", "https://evil.example/")])
        .await;
    let code = texted_code(&url, other).await;
    let done = stranger.post("/proposals/phone/confirm", &[("_csrf", CSRF), ("code", &code), ("next", "//evil")]).await;
    assert_eq!(done.location(), "/proposals/new");

    // One number is texted a few codes an hour, whoever asks.
    let mut script = Browser::with_config(&store, texting());
    let mut last = StatusCode::OK;
    for _ in 0..6 {
        last = script.post("/proposals/phone/code", &[("_csrf", CSRF), ("phone", "13500002222")]).await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let page = script.post("/proposals/phone/code", &[("_csrf", CSRF), ("phone", "13500002222")]).await;
    assert!(page.html.contains("获取验证码太频繁") && page.html.contains("13500002222"), "{}", page.html);
    let bad = script.post("/proposals/phone/code", &[("_csrf", CSRF), ("phone", "12")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("手机号码"), "{}", bad.html);

    // Where codes are not sent, the code pages lead straight back.
    let mut plain = Browser::new(&store);
    assert_eq!(plain.get("/proposals/phone?next=/proposals/1").await.location(), "/proposals/1");
}

/// What the code table keeps of the codes sent.
async fn stored_codes(url: &str) -> Vec<String> {
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let rows: Vec<(String,)> = sqlx::query_as("SELECT code_hash FROM phone_codes").fetch_all(&mut conn).await.unwrap();
    rows.into_iter().map(|(kept,)| kept).collect()
}

async fn a_meeting_keeps_its_photos_and_the_volunteers_who_took_part(store: Store, _url: String) {
    let t = town(&store).await;
    let hash = hash_password("demo-password").unwrap();
    let zhou = store.add_user("volunteer_c1", "周党员", Role::Volunteer, t.community, &hash).await.unwrap().id;
    let wu = store.add_user("volunteer_p1", "吴志愿者", Role::Volunteer, t.department, &hash).await.unwrap().id;
    // Wu is on the community's inspection point (下沉党员 of the four-level chain).
    let admin = store.add_user("admin", "admin", Role::Admin, t.district, &hash).await.unwrap().staff();
    let point = NewPoint {
        kind: "back_street".into(),
        name: "柳湾路背街小巷".into(),
        address: "柳湾路".into(),
        unit_id: t.community,
        lat: None,
        long: None,
    };
    let point = inspect::add_point(&store, &admin, point, time::now()).await.unwrap();
    let chain = Chain { leader_id: None, department_id: None, cadre_id: None, volunteer_ids: vec![wu] };
    inspect::set_chain(&store, &admin, point, chain).await.unwrap();

    let mut staff = cadre(&store).await;
    let community = t.community.to_string();
    let form = staff.get(&format!("/work/deliberation/meetings/new?unit={community}")).await.html;
    assert!(form.contains("周党员") && form.contains("吴志愿者") && form.contains("type=\"file\""), "{form}");
    let fields = [
        ("_csrf", CSRF),
        ("unit_id", community.as_str()),
        ("held_at", "2026-05-01T19:30"),
        ("place", "活动室"),
        ("topic", "六月议事会"),
        ("volunteers", &*zhou.to_string()),
    ];
    let photo = ("photos", "meeting.png", "image/png", PNG);
    let held = staff.post_multipart("/work/deliberation/meetings", &fields, &[photo]).await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.html);
    let meeting = id_after(held.location(), "/work/deliberation/meetings/");

    // Both pages show the photo and who took part; more photos come afterwards.
    let page = staff.get(&format!("/work/deliberation/meetings/{meeting}")).await.html;
    assert!(page.contains(&format!("/meetings/{meeting}/photos/1")) && page.contains("周党员"), "{page}");
    let jpeg: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
    let later = ("photos", "after.jpg", "image/jpeg", jpeg);
    let added = staff
        .post_multipart(&format!("/work/deliberation/meetings/{meeting}/photos"), &[("_csrf", CSRF)], &[later])
        .await;
    assert_eq!(added.location(), format!("/work/deliberation/meetings/{meeting}#photos"), "{}", added.html);
    let not_photo: support::File = ("photos", "x.gif", "image/gif", b"GIF89a");
    let refused = staff
        .post_multipart(&format!("/work/deliberation/meetings/{meeting}/photos"), &[("_csrf", CSRF)], &[not_photo])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut resident = Browser::new(&store);
    let page = resident.get(&format!("/meetings/{meeting}")).await.html;
    assert!(page.contains(&format!("/meetings/{meeting}/photos/2")) && page.contains("周党员"), "{page}");
    let served = resident.get(&format!("/meetings/{meeting}/photos/1")).await;
    assert_eq!((served.status, served.bytes.as_slice()), (StatusCode::OK, PNG));
    assert_eq!(resident.get(&format!("/meetings/{meeting}/photos/3")).await.status, StatusCode::NOT_FOUND);
    // Another community's cadre adds no photos here.
    let mut other = Browser::new(&store);
    other.login("handler_c2", "demo-password").await;
    let png = ("photos", "m.png", "image/png", PNG);
    let path = format!("/work/deliberation/meetings/{meeting}/photos");
    assert_eq!(other.post_multipart(&path, &[("_csrf", CSRF)], &[png]).await.status, StatusCode::NOT_FOUND);

    // 共建 counts and lists both: one at the meeting, one on the point.
    let page = resident.get(&format!("/co-creation/{community}")).await.html;
    assert!(page.contains("id=\"co_build-volunteers\"><b>2</b>"), "{page}");
    assert!(page.contains("周党员") && page.contains("参加议事会 1 次") && page.contains("包联点位 1 个"), "{page}");
    let page = resident.get(&format!("/co-creation/{}", t.other_community)).await.html;
    assert!(page.contains("id=\"co_build-volunteers\"><b>0</b>"), "{page}");
    let page = resident.get("/co-creation").await.html;
    assert!(page.contains("id=\"co_build-volunteers\"><b>2</b>"), "{page}");

    // The cadre's list of proposals goes by pages of fifty.
    let t_handler = t.handler.clone();
    for n in 0..51 {
        let paper = gongzhi_domain::deliberation::NewProposal {
            kind: gongzhi_domain::deliberation::ProposalKind::Suggestion,
            channel: gongzhi_domain::deliberation::ProposalChannel::Paper,
            unit_id: t.community,
            title: format!("书面议题{n:02}"),
            content: "写在纸上的建议".into(),
            proposer_name: String::new(),
            proposer_phone: String::new(),
        };
        gongzhi_app::deliberation::record_paper(&store, &t_handler, paper, time::now() + n).await.unwrap();
    }
    let first = staff.get(&format!("/work/deliberation?unit={community}")).await.html;
    assert!(
        first.contains("书面议题50") && !first.contains("书面议题00") && first.contains("id=\"next-page\""),
        "{first}"
    );
    let second = staff.get(&format!("/work/deliberation?unit={community}&page=2")).await.html;
    assert!(
        second.contains("书面议题00") && second.contains("id=\"prev-page\"") && !second.contains("id=\"next-page\"")
    );
    assert_eq!(staff.get(&format!("/work/deliberation?unit={community}&page=x")).await.status, StatusCode::OK);
}
