//! 小板凳议事会 on the web: a resident puts a wish forward on the portal, neighbours
//! support and discuss it, the community cadre moderates, copies a paper proposal in,
//! records a meeting and decides — one adopted, one declined with its reason — and the
//! public pages follow the adopted one through the request it became to the verdict,
//! while the 共同缔造 page counts it all. Bad input comes back in Chinese with what was
//! typed; nobody sees a phone number. Real router, real store, both databases.

mod support;

use axum::http::StatusCode;
use gongzhi_app::{act, Act};
use gongzhi_domain::time;
use gongzhi_domain::{Actor, Command, Satisfaction};
use gongzhi_store::testing::{town, Town};
use gongzhi_store::{on_both, Store};
use support::{Browser, CSRF, PNG};

on_both!(a_wish_is_put_forward_supported_adopted_and_followed_to_its_verdict, bad_input_is_refused_in_chinese_and_kept,);

const PHONE: &str = "13800001234";

/// The id a redirect names after `prefix`.
fn id_after(location: &str, prefix: &str) -> i64 {
    let rest = location.strip_prefix(prefix).unwrap_or_else(|| panic!("{location} starts with {prefix}"));
    rest.split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
}

/// A resident's proposal on the portal; returns its id.
async fn propose(b: &mut Browser, t: &Town, kind: &str, title: &str, phone: &str) -> i64 {
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
    id_after(page.location(), "/proposals/")
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

    // A wish put forward, and a suggestion beside it.
    let wish = propose(&mut resident, &t, "wish", "楼道装扶手", PHONE).await;
    let other = propose(&mut resident, &t, "suggestion", "小区门口设快递柜", "13900005678").await;
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
    let mut staff = cadre(&store).await;
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

    // The adopted one follows its request: waiting first, then handled with a photo.
    let page = resident.get(&format!("/proposals/{wish}")).await.html;
    assert!(page.contains("已采纳") && page.contains("id=\"percent\">10%"), "{page}");
    let request = store.proposal(wish).await.unwrap().request().unwrap().id;
    let staff_of = |s: &gongzhi_domain::role::Staff| Actor::Staff(s.clone());
    let dispatch =
        Command::Dispatch { unit_id: t.community, co_unit_ids: vec![], instructions: "议事会决定".into() };
    for (command, actor) in [
        (Command::Accept, staff_of(&t.operator)),
        (dispatch, staff_of(&t.dispatcher)),
        (Command::Claim, staff_of(&t.handler)),
    ] {
        act(&store, Act::new(request, None, command, actor)).await.unwrap();
    }
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

    let id = propose(&mut resident, &t, "suggestion", "装路灯", PHONE).await;
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
    let mut staff = cadre(&store).await;
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
