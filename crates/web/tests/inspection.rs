//! Inspections as a district runs them for 创文迎检: an admin sets up a point with its
//! chain and a campaign on the shipped public-spaces checklist; an inspector marks a
//! round item by item on the phone page; each failed item becomes a rectification
//! request at the point's department with a deadline by severity; the department puts
//! it right and the reinspection closes it — or fails it, back for rework; the same item
//! failing twice at the point within the campaign opens one press order; the figures
//! page counts it all and every count lists what it counts. Real router, real store,
//! both databases.

mod support;

use axum::http::StatusCode;
use gongzhi_app::inspection::{self as inspect};
use gongzhi_domain::inspection::{Mark, Severity, EXAMPLE_CHECKLISTS};
use gongzhi_domain::role::Staff;
use gongzhi_domain::time::{self, HOUR};
use gongzhi_domain::{Actor, Channel, Command, Role, Status};
use gongzhi_store::inspection::{Assignment, Chain, NewPoint, RectificationFilter};
use gongzhi_store::testing::{town, Town};
use gongzhi_store::{hash_password, on_both, OrderFilter, Store};
use support::{Browser, CSRF};

on_both!(
    a_campaign_finds_fixes_reinspects_and_escalates_a_repeated_failure,
    the_inspector_marks_a_round_on_the_phone_page_item_by_item,
    bad_input_is_refused_in_chinese,
    a_failed_item_becomes_a_request_of_the_category_its_checklist_names,
    a_campaigns_trend_sums_its_days_and_each_day_opens_its_rounds,
);

struct Setup {
    t: Town,
    admin: Staff,
    inspector: Staff,
    fixer: Staff,
    point: i64,
    checklist: i64,
    campaign: i64,
}

async fn setup(store: &Store) -> Setup {
    let t = town(store).await;
    let hash = hash_password("demo-password").unwrap();
    let add = |login: &'static str, role: Role, unit: i64| {
        let (store, hash) = (store.clone(), hash.clone());
        async move { store.add_user(login, login, role, unit, &hash).await.unwrap().staff() }
    };
    let admin = add("admin", Role::Admin, t.district).await;
    let inspector = add("inspector", Role::Inspector, t.district).await;
    let fixer = add("handler_zj", Role::Handler, t.department).await;
    let now = time::now();
    let new = NewPoint {
        kind: "back_street".into(),
        name: "柳湾路背街小巷".into(),
        address: "柳湾路1-200号".into(),
        unit_id: t.community,
        lat: Some(28.2),
        long: Some(112.9),
    };
    let point = inspect::add_point(store, &admin, new, now).await.unwrap();
    let chain = Chain {
        leader_id: Some(t.leader.user_id),
        department_id: Some(t.department),
        cadre_id: Some(t.handler.user_id),
        volunteer_ids: vec![],
    };
    inspect::set_chain(store, &admin, point, chain).await.unwrap();
    let checklist = inspect::load_example_checklists(store, now).await.unwrap()[0];
    let assigned = [Assignment { point_id: point, inspector_id: Some(inspector.user_id) }];
    let campaign = store
        .add_campaign("2026年创文第一轮", checklist, (now - HOUR, now + 30 * 24 * HOUR), &assigned, admin.user_id, now)
        .await
        .unwrap();
    Setup { t, admin, inspector, fixer, point, checklist, campaign }
}

/// A round where every item passes but those named fail.
async fn round(store: &Store, s: &Setup, failing: &[usize]) -> (i64, Vec<gongzhi_domain::Request>) {
    let now = time::now();
    let round = inspect::start_round(store, &s.inspector, s.point, s.checklist, Some(s.campaign), now).await.unwrap();
    let view = inspect::round(store, &s.inspector, round).await.unwrap();
    for (i, (item, _)) in view.items.iter().enumerate() {
        let (mark, note) =
            if failing.contains(&i) { (Mark::Fail, "垃圾桶满溢，地面有烟头") } else { (Mark::Pass, "") };
        inspect::mark_item(store, &s.inspector, round, item.id, mark, note, vec![], now).await.unwrap();
    }
    let made = inspect::finish_round(store, &s.inspector, round, now).await.unwrap();
    (round, made)
}

async fn claim_and_resolve(store: &Store, s: &Setup, id: i64) {
    let staff = Actor::Staff(s.fixer.clone());
    store.act(id, None, Command::Claim, staff.clone()).await.unwrap();
    let resolve = Command::Resolve { reply: "已清运垃圾，增设垃圾桶两个".into(), contacted: false };
    store.act(id, None, resolve, staff).await.unwrap();
}

async fn a_campaign_finds_fixes_reinspects_and_escalates_a_repeated_failure(store: Store, _url: String) {
    let s = setup(&store).await;
    // The first item (litter) is 较重, the sixth (public facilities) 严重.
    let (first_round, made) = round(&store, &s, &[0, 5]).await;
    assert_eq!(made.len(), 2, "each failed item is one request");
    let litter = &made[0];
    assert_eq!(litter.new.channel, Channel::Inspection);
    assert_eq!(litter.status, Status::Dispatched, "sent at once to the point's department");
    assert_eq!(litter.assignee_unit_id, Some(s.t.department));
    let found = store.round(&s.inspector, first_round).await.unwrap();
    let calendar = store.settings().calendar.clone();
    let major = gongzhi_domain::inspection::rectification_due(&calendar, Severity::Major, found.finished_at.unwrap());
    assert!((litter.resolve_by.unwrap() - major).abs() < 60_000, "a major problem has three working days");
    let facilities = &made[1];
    let severe = facilities.resolve_by.unwrap() - facilities.dispatched_at.unwrap();
    assert!((severe - 24 * HOUR).abs() < 60_000, "a severe problem has 24 hours");
    assert!(found.earned < found.possible && found.failed == 2);

    // The department puts the facilities right; the point leader passes it on site.
    claim_and_resolve(&store, &s, facilities.id).await;
    let closed =
        inspect::reinspect(&store, &s.t.leader, facilities.id, true, "护栏已修复", vec![], time::now()).await.unwrap();
    assert_eq!(closed.status, Status::Closed);

    // The litter is said to be cleared, but the reinspection finds it again: rework, and
    // the second failure of the item at the point within the campaign escalates.
    claim_and_resolve(&store, &s, litter.id).await;
    let back =
        inspect::reinspect(&store, &s.inspector, litter.id, false, "仍有垃圾堆放", vec![], time::now()).await.unwrap();
    assert_eq!(back.status, Status::InProgress, "back to the department for rework");
    assert!(back.resolve_by.unwrap() > time::now());
    let orders = store.orders(&s.t.supervisor, &OrderFilter::default(), 0, 50).await.unwrap().items;
    assert_eq!(orders.len(), 1, "one press order: {orders:?}");
    assert_eq!(orders[0].request_id, litter.id);
    assert!(orders[0].reason.contains("包保领导"));
    // The point's leader hears of it in the workbench inbox.
    let told = store.inbox(s.t.leader.user_id, None, 50).await.unwrap();
    assert!(
        told.iter()
            .any(|e| e.topic == gongzhi_domain::notify::Topic::RectificationPressed && e.request_id == Some(litter.id)),
        "the point leader is told: {told:?}"
    );

    // A third failure in a later round makes a new request but no second order.
    let (_, again) = round(&store, &s, &[0]).await;
    assert_eq!(again.len(), 1);
    assert_eq!(store.orders(&s.t.supervisor, &OrderFilter::default(), 0, 50).await.unwrap().items.len(), 1);

    // Only an inspector or the point's own leader reinspects; the handler cannot, nor
    // can the generic action path close a rectification.
    let refused = inspect::reinspect(&store, &s.fixer, again[0].id, true, "", vec![], time::now()).await;
    assert!(refused.is_err());
    let pass = Command::ReinspectPass { note: String::new() };
    let act = gongzhi_app::Act::new(again[0].id, None, pass, Actor::Staff(s.inspector.clone()));
    assert!(gongzhi_app::act(&store, act).await.is_err());

    // The figures page: the ranking, the point, its rounds, its open rectifications; each
    // count links to the list of exactly what it counts.
    let open = store
        .rectifications(&s.admin, RectificationFilter { open: true, ..Default::default() }, time::now(), 100)
        .await
        .unwrap();
    assert_eq!(open.len(), 2, "the reworked litter and the new one");
    let mut browser = Browser::new(&store);
    browser.login("inspector", "demo-password").await;
    let page = browser.get("/work/inspections").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("柳湾社区"), "the unit is ranked");
    let link = format!("/work/inspections/rectifications?unit={}&amp;open=1", s.t.community);
    assert!(page.html.contains(&link), "the open count links to its list: {}", page.html);
    let listed = browser.get(&link.replace("&amp;", "&")).await;
    assert_eq!(listed.html.matches("class=\"rectification\"").count(), 2, "{}", listed.html);
    // The same list and the ranking leave as spreadsheets with the same rows.
    let export = format!("/work/inspections/rectifications.xlsx?unit={}&open=1", s.t.community);
    assert!(listed.html.contains(&export.replace('&', "&#38;")), "the list links its spreadsheet: {}", listed.html);
    let sheets = support::xlsx(&browser.get(&export).await.bytes).unwrap();
    assert_eq!(sheets[0].1.len(), 3, "a header and the two open rectifications: {:?}", sheets[0].1);
    assert!(sheets[0].1.iter().any(|row| row.contains(&litter.number)));
    let ranking = support::xlsx(&browser.get("/work/inspections.xlsx").await.bytes).unwrap();
    assert_eq!(ranking.len(), 2, "units and points");
    assert_eq!(ranking[0].1[1][1], "柳湾社区", "{:?}", ranking[0].1);
    let point = browser.get(&format!("/work/inspections/points/{}", s.point)).await;
    assert!(point.html.contains(&format!("/work/inspections/rounds/{first_round}")));
    let round_page = browser.get(&format!("/work/inspections/rounds/{first_round}")).await;
    assert!(round_page.html.contains(&format!("/work/requests/{}", litter.id)), "a failed item links to its request");

    // The month's bulletin carries an inspection section: the place ranked, the item
    // failed most, and its open rectifications, each count linked to its list.
    let today = time::local_date(time::now());
    let kind = gongzhi_domain::bulletin::PeriodKind::Monthly;
    let bulletin = store.generate_bulletin(&s.t.supervisor, s.t.district, kind, today, time::now()).await.unwrap();
    let section = bulletin.content.inspections.as_ref().expect("an inspection section");
    assert_eq!(section.units[0].unit.name, "柳湾社区");
    assert_eq!(section.open, 2);
    assert_eq!(
        section.worst_items[0].failures, 2,
        "litter failed in two rounds (a reinspection is no round): {:?}",
        section.worst_items
    );
    let mut supervisor = Browser::new(&store);
    supervisor.login("supervisor", "demo-password").await;
    let shown = supervisor.get(&format!("/work/bulletins/{}", bulletin.id)).await;
    assert!(shown.html.contains("id=\"inspection-ranking\""), "{}", shown.html);
    assert!(shown.html.contains(&format!("/work/inspections/rectifications?unit={}&#38;open=1", s.t.community)));
    let sheets = support::xlsx(&supervisor.get(&format!("/work/bulletins/{}/xlsx", bulletin.id)).await.bytes).unwrap();
    assert!(
        sheets.iter().any(|(name, _)| name.contains("巡查")),
        "{:?}",
        sheets.iter().map(|s| &s.0).collect::<Vec<_>>()
    );
}

async fn the_inspector_marks_a_round_on_the_phone_page_item_by_item(store: Store, _url: String) {
    let s = setup(&store).await;
    let mut browser = Browser::new(&store);
    browser.login("inspector", "demo-password").await;
    let start = browser
        .post(
            "/work/inspections/rounds",
            &[("_csrf", CSRF), ("point", &s.point.to_string()), ("campaign", &s.campaign.to_string())],
        )
        .await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.html);
    let at = start.location().to_string();
    let page = browser.get(&at).await;
    assert!(page.html.contains("路面、绿化带无垃圾杂物"), "{}", page.html);
    let round: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    let view = inspect::round(&store, &s.inspector, round).await.unwrap();
    let first = view.items[0].0.id;
    // One item saved: a fragment comes back saying so, and the round keeps it.
    let saved = browser
        .post(&format!("{at}/items/{first}"), &[("_csrf", CSRF), ("mark", "fail"), ("note", "垃圾桶满溢")])
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    assert!(saved.html.contains("已保存"), "{}", saved.html);
    let view = inspect::round(&store, &s.inspector, round).await.unwrap();
    assert_eq!(view.items[0].1.as_ref().and_then(|f| f.mark()), Some(Mark::Fail));
    // Finishing with items unmarked is refused in Chinese and changes nothing.
    let early = browser.post(&format!("{at}/finish"), &[("_csrf", CSRF)]).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.html.contains("还有"), "{}", early.html);
    for (item, _) in &view.items[1..] {
        let done =
            browser.post(&format!("{at}/items/{}", item.id), &[("_csrf", CSRF), ("mark", "pass"), ("note", "")]).await;
        assert_eq!(done.status, StatusCode::OK);
    }
    let finished = browser.post(&format!("{at}/finish"), &[("_csrf", CSRF)]).await;
    assert_eq!(finished.status, StatusCode::SEE_OTHER, "{}", finished.html);
    let after = browser.get(&at).await;
    assert!(after.html.contains("整改"), "{}", after.html);
    assert_eq!(EXAMPLE_CHECKLISTS.len(), 3);
    // A round outside any campaign, on a checklist chosen on the spot.
    let ad_hoc = browser
        .post(
            "/work/inspections/rounds",
            &[("_csrf", CSRF), ("point", &s.point.to_string()), ("checklist", &s.checklist.to_string())],
        )
        .await;
    assert_eq!(ad_hoc.status, StatusCode::SEE_OTHER, "{}", ad_hoc.html);
    // An admin adds a kind of point and a point of that kind.
    let mut admin = Browser::new(&store);
    admin.login("admin", "demo-password").await;
    let kind = admin
        .post("/work/inspections/admin/kinds", &[("_csrf", CSRF), ("code", "night_market"), ("name", "夜市")])
        .await;
    assert_eq!(kind.status, StatusCode::SEE_OTHER, "{}", kind.html);
    let community = s.t.community.to_string();
    let point = [("_csrf", CSRF), ("kind", "night_market"), ("name", "柳湾夜市"), ("unit", community.as_str())];
    assert_eq!(admin.post("/work/inspections/admin/points", &point).await.status, StatusCode::SEE_OTHER);
    let page = admin.get("/work/inspections/admin").await;
    assert!(page.html.contains("柳湾夜市") && page.html.contains("夜市"));
}

async fn bad_input_is_refused_in_chinese(store: Store, _url: String) {
    let s = setup(&store).await;
    let mut browser = Browser::new(&store);
    browser.login("inspector", "demo-password").await;
    let round =
        inspect::start_round(&store, &s.inspector, s.point, s.checklist, Some(s.campaign), time::now()).await.unwrap();
    let view = inspect::round(&store, &s.inspector, round).await.unwrap();
    let item = view.items[0].0.id;
    let at = format!("/work/inspections/rounds/{round}/items/{item}");
    let no_note = browser.post(&at, &[("_csrf", CSRF), ("mark", "fail"), ("note", " ")]).await;
    assert_eq!(no_note.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_note.html.contains("不合格项须写明问题"), "{}", no_note.html);
    let nonsense = browser.post(&at, &[("_csrf", CSRF), ("mark", "maybe"), ("note", "")]).await;
    assert_eq!(nonsense.status, StatusCode::UNPROCESSABLE_ENTITY);
    let elsewhere = browser.post("/work/inspections/rounds/99999/items/1", &[("_csrf", CSRF), ("mark", "pass")]).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    // A leader may not mark the inspector's round: they are measured by it.
    let mut leader = Browser::new(&store);
    leader.login("leader_s1", "demo-password").await;
    let theirs = leader.post(&at, &[("_csrf", CSRF), ("mark", "pass"), ("note", "")]).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
    // A campaign's point is inspected by the inspector the plan names; another does an
    // ad hoc round at most.
    let hash = hash_password("demo-password").unwrap();
    let other = store.add_user("inspector2", "inspector2", Role::Inspector, s.t.district, &hash).await.unwrap().staff();
    let now = time::now();
    let planned = inspect::start_round(&store, &other, s.point, s.checklist, Some(s.campaign), now).await.unwrap_err();
    assert!(planned.to_string().contains("not_assigned_inspector"), "{planned}");
    inspect::start_round(&store, &other, s.point, s.checklist, None, now).await.unwrap();
    // A checklist file with a bad row names the row.
    let error = inspect::read_checklist("text,points,severity,category\n路面整洁,五,严重,\n".as_bytes()).unwrap_err();
    assert!(error.to_string().contains("line 2"), "{error}");
}

async fn a_failed_item_becomes_a_request_of_the_category_its_checklist_names(store: Store, _url: String) {
    // The district runs the shipped catalogue, which the example checklists name.
    let rows = gongzhi_domain::catalogue::parse(gongzhi_domain::catalogue::DEFAULT_CSV);
    store.load_catalogue(&rows, |_| None).await.unwrap();
    let s = setup(&store).await;
    let (_, made) = round(&store, &s, &[0]).await;
    let category = store.category(made[0].new.category_id.expect("the item's category")).await.unwrap();
    assert_eq!(category.name, "园林绿化环卫", "the first public-spaces item is litter");

    // An admin's checklist must name categories the catalogue holds, once.
    let item = |category: &str| gongzhi_domain::inspection::ItemDraft {
        text: "路面整洁".into(),
        points: 5,
        severity: Severity::Major,
        category: category.into(),
        category_id: None,
    };
    let now = time::now();
    let unknown = inspect::add_checklist(&store, &s.admin, "自定义", &[item("不存在的分类")], now).await.unwrap_err();
    assert!(unknown.to_string().contains("not in the catalogue"), "{unknown}");
    let several = inspect::add_checklist(&store, &s.admin, "自定义", &[item("安全隐患")], now).await.unwrap_err();
    assert!(several.to_string().contains("whole path"), "{several}");
    let id = inspect::add_checklist(&store, &s.admin, "自定义", &[item("城乡建设 / 安全生产 / 安全隐患")], now)
        .await
        .unwrap();
    let (_, items) = store.checklist(id).await.unwrap();
    assert!(items[0].category_id.is_some());
    // Uploaded on the admin page, the refusal names the row in Chinese.
    let mut browser = Browser::new(&store);
    browser.login("admin", "demo-password").await;
    let csv =
        "text,points,severity,category\n路面整洁,5,较重,城乡建设 / 安全生产 / 安全隐患\n占道经营,5,较重,安全隐患\n";
    let file = ("file", "自定义.csv", "text/csv", csv.as_bytes());
    let refused = browser
        .post_multipart("/work/inspections/admin/checklists", &[("_csrf", CSRF), ("name", "自定义")], &[file])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("第 3 行：分类不在分类目录中"), "{}", refused.html);
}

async fn a_campaigns_trend_sums_its_days_and_each_day_opens_its_rounds(store: Store, _url: String) {
    let s = setup(&store).await;
    let (clean, _) = round(&store, &s, &[]).await;
    let (failing, made) = round(&store, &s, &[0, 5]).await;
    let today = time::local_date(time::now());
    let trend = store.campaign_trend(&s.admin, s.campaign).await.unwrap();
    assert_eq!(trend.len(), 1, "both rounds were finished today");
    let day = &trend[0];
    assert_eq!((day.date, day.rounds, day.failed), (today, 2, 2));
    let (a, b) = (store.round(&s.admin, clean).await.unwrap(), store.round(&s.admin, failing).await.unwrap());
    assert_eq!((day.earned, day.possible), (a.earned + b.earned, a.possible + b.possible));
    // Outside the point's subtree the campaign has no finished round.
    assert!(store.campaign_trend(&s.t.other_handler, s.campaign).await.unwrap().is_empty());

    let mut browser = Browser::new(&store);
    browser.login("admin", "demo-password").await;
    let page = browser.get(&format!("/work/inspections/campaigns/{}", s.campaign)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html.contains("id=\"campaign-trend-data\"") && page.html.contains(&today.to_string()),
        "{}",
        page.html
    );
    let opened = browser.get(&format!("/work/inspections/campaigns/{}?day={today}", s.campaign)).await;
    assert_eq!(opened.html.matches("/work/inspections/rounds/").count(), 2, "{}", opened.html);
    assert!(
        opened.html.contains(&format!("/work/inspections/rectifications?round={failing}\">2</a>")),
        "{}",
        opened.html
    );
    assert_eq!(made.len(), 2);
    let list = browser.get("/work/inspections/campaigns").await;
    assert!(list.html.contains("2026年创文第一轮"), "{}", list.html);
    assert_eq!(
        browser.get(&format!("/work/inspections/campaigns/{}?day=not-a-day", s.campaign)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(browser.get("/work/inspections/campaigns/999999").await.status, StatusCode::NOT_FOUND);
}
