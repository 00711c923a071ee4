//! Admins at work: units, people, categories, deadlines and the calendar, each change on
//! the record; and photos kept with requests. Each story runs on SQLite and PostgreSQL.

use chrono::NaiveDate;
use gongzhi_domain::deadline::DeadlinePolicy;
use gongzhi_domain::role::Staff;
use gongzhi_domain::time::{self, HOUR};
use gongzhi_domain::unit::UnitKind;
use gongzhi_domain::*;
use gongzhi_store::testing::{dispatched, manhole, staff, town, Town};
use gongzhi_store::{hash_password, on_both, Store, StoreError};

on_both!(
    an_admin_shapes_the_unit_tree_within_their_subtree,
    an_admin_manages_people_and_their_sessions,
    people_change_their_own_password,
    categories_deadlines_and_the_calendar_change_what_dispatch_computes,
    photos_are_kept_with_their_request,
    categories_carry_the_words_people_use_and_refused_forms_hold_photos,
);

/// A district admin and a subdistrict admin.
async fn admins(store: &Store, t: &Town) -> (Staff, Staff) {
    let hash = hash_password("admin-password").unwrap();
    let district = store.add_user("admin", "区管理员", Role::Admin, t.district, &hash).await.unwrap().staff();
    let street = store.add_user("admin_s1", "街道管理员", Role::Admin, t.street, &hash).await.unwrap().staff();
    (district, street)
}

fn refused(result: Result<impl std::fmt::Debug, StoreError>) -> &'static str {
    match result {
        Err(StoreError::Refused(code)) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn an_admin_shapes_the_unit_tree_within_their_subtree(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let (district_admin, street_admin) = admins(store, &t).await;
    let now = time::now();

    let grid = store.add_child_unit(&street_admin, t.community, UnitKind::Grid, "G1", "柳湾一网格", now).await.unwrap();
    assert!(grid.path.starts_with(&street_admin.unit_path));
    // The street admin neither sees nor touches the department beside the street.
    let outside = store.add_child_unit(&street_admin, t.department, UnitKind::Grid, "G9", "外面", now).await;
    assert!(matches!(outside, Err(StoreError::NotFound)));
    assert!(matches!(store.rename_unit(&street_admin, t.department, "改名", now).await, Err(StoreError::NotFound)));
    let seen: Vec<i64> = store.unit_entries(&street_admin).await.unwrap().iter().map(|e| e.unit.id).collect();
    assert_eq!(seen, vec![t.street, t.community, grid.id, t.other_community], "a subtree, parents first");
    let everything = store.unit_entries(&district_admin).await.unwrap();
    assert_eq!(everything.len(), 6);
    assert_eq!(everything[0].depth(), 0);
    assert_eq!(everything.iter().find(|e| e.unit.id == grid.id).unwrap().depth(), 3);

    assert_eq!(
        refused(store.add_child_unit(&street_admin, t.street, UnitKind::Grid, "G2", "  ", now).await),
        "bad_name"
    );
    assert!(matches!(
        store.add_child_unit(&street_admin, t.street, UnitKind::Grid, "G1", "重复编码", now).await,
        Err(StoreError::Duplicate(_))
    ));
    store.rename_unit(&street_admin, grid.id, "柳湾第一网格", now).await.unwrap();
    assert_eq!(store.unit(grid.id).await.unwrap().name, "柳湾第一网格");

    // A community with requests is deactivated, not deleted; an empty grid may go.
    store.create(manhole(t.community, None), None, Actor::Requester).await.unwrap();
    assert_eq!(refused(store.delete_unit(&street_admin, t.community, now).await), "unit_in_use");
    store.set_unit_active(&street_admin, t.community, false, now).await.unwrap();
    assert_eq!(store.inactive_units().await.unwrap(), vec![t.community]);
    assert!(
        !store.unit_entries(&street_admin).await.unwrap().iter().find(|e| e.unit.id == t.community).unwrap().active
    );
    store.set_unit_active(&street_admin, t.community, true, now).await.unwrap();
    assert!(store.inactive_units().await.unwrap().is_empty());
    assert_eq!(refused(store.set_unit_active(&street_admin, t.street, false, now).await), "own_unit");
    store.delete_unit(&street_admin, grid.id, now).await.unwrap();
    assert!(store.unit(grid.id).await.is_err());

    // Every change is on the record, newest first; each admin sees their subtree's.
    let changes = store.admin_changes(&district_admin, 0, 50).await.unwrap();
    let actions: Vec<&str> = changes.items.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(actions, ["unit.delete", "unit.activate", "unit.deactivate", "unit.rename", "unit.add"]);
    assert_eq!(changes.total, 5);
    assert_eq!(changes.items[3].detail, "柳湾一网格 → 柳湾第一网格");
    assert_eq!(changes.items[0].user_name, "街道管理员");
    assert_eq!(store.admin_changes(&district_admin, 1, 2).await.unwrap().items.len(), 2);
    // Non-admins have no admin functions at all.
    let handler = store.unit_entries(&t.handler).await;
    assert!(matches!(handler, Err(StoreError::Rule(Broken::OutOfScope))));
}

async fn an_admin_manages_people_and_their_sessions(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let (district_admin, street_admin) = admins(store, &t).await;
    let now = time::now();

    let new = store
        .add_user_as_admin(
            &street_admin,
            "cadre_c2",
            "桃源社区干部",
            Role::Handler,
            t.other_community,
            "first-pass-1",
            now,
        )
        .await
        .unwrap();
    assert_eq!(new.unit_id, t.other_community);
    assert!(store.authenticate("cadre_c2", "first-pass-1").await.unwrap().is_some());
    assert_eq!(
        refused(store.add_user_as_admin(&street_admin, "x y", "x", Role::Handler, t.street, "long-enough", now).await),
        "bad_login"
    );
    assert_eq!(
        refused(store.add_user_as_admin(&street_admin, "xy", "x", Role::Handler, t.street, "short", now).await),
        "short_password"
    );
    let outside =
        store.add_user_as_admin(&street_admin, "zj", "住建", Role::Handler, t.department, "long-enough", now).await;
    assert!(matches!(outside, Err(StoreError::NotFound)));

    // The street's page holds its own people only; the district's holds everyone.
    let street_people = store.users_page(&street_admin, 0, 50).await.unwrap();
    let logins: Vec<&str> = street_people.items.iter().map(|a| a.login.as_str()).collect();
    assert_eq!(logins, ["handler_c1", "handler_c2", "leader_s1", "admin_s1", "cadre_c2"]);
    assert_eq!(street_people.total, 5);
    let page_two = store.users_page(&district_admin, 5, 5).await.unwrap();
    assert_eq!((page_two.items.len(), page_two.total), (4, 9));

    store.change_user(&street_admin, new.id, Role::Leader, t.street, now).await.unwrap();
    let changed = store.account(new.id).await.unwrap();
    assert_eq!((changed.role, changed.unit_id), (Role::Leader, t.street));
    assert_eq!(
        refused(store.change_user(&street_admin, street_admin.user_id, Role::Handler, t.street, now).await),
        "own_account"
    );

    // A reset password ends the sessions opened with the old one; so does a disabled login.
    let session = store.start_session(new.id, now, HOUR).await.unwrap();
    store.reset_password(&street_admin, new.id, "second-pass-2", now).await.unwrap();
    assert!(store.session_account(&session, now + 1).await.unwrap().is_none());
    assert!(store.authenticate("cadre_c2", "first-pass-1").await.unwrap().is_none());
    // A disabled login loses its sessions and its API tokens for good: enabled again, it
    // logs in afresh and needs new tokens.
    let session = store.start_session(new.id, now, HOUR).await.unwrap();
    let token = store.create_api_token("cadre_c2", "巡查终端").await.unwrap();
    assert!(store.token_account(&token).await.unwrap().is_some());
    store.set_user_active(&street_admin, new.id, false, now).await.unwrap();
    assert!(store.session_account(&session, now + 1).await.unwrap().is_none());
    assert!(store.authenticate("cadre_c2", "second-pass-2").await.unwrap().is_none(), "a disabled login");
    assert!(!store.account(new.id).await.unwrap().active);
    assert!(store.api_tokens(Some(new.id)).await.unwrap().is_empty(), "a disabled login keeps no token");
    store.set_user_active(&street_admin, new.id, true, now).await.unwrap();
    assert!(store.authenticate("cadre_c2", "second-pass-2").await.unwrap().is_some());
    assert!(store.session_account(&session, now + 1).await.unwrap().is_none(), "its old session stays ended");
    assert!(store.token_account(&token).await.unwrap().is_none(), "its old token stays revoked");
    assert_eq!(refused(store.set_user_active(&street_admin, street_admin.user_id, false, now).await), "own_account");

    let changes = store.admin_changes(&street_admin, 0, 50).await.unwrap();
    let actions: Vec<&str> = changes.items.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(actions, ["user.enable", "user.disable", "user.password", "user.change", "user.add"]);
    assert!(changes.items.iter().all(|c| c.subject == "cadre_c2"));
    assert_eq!(changes.items[3].detail, "handler · 桃源社区（C2） → leader · 青石街道（S1）");
}

async fn people_change_their_own_password(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let now = time::now();
    let here = store.start_session(t.handler.user_id, now, HOUR).await.unwrap();
    let elsewhere = store.start_session(t.handler.user_id, now, HOUR).await.unwrap();
    let wrong = store.change_password(t.handler.user_id, "not-it", "brand-new-pass", &here).await;
    assert_eq!(refused(wrong), "wrong_password");
    let short = store.change_password(t.handler.user_id, "demo-password", "short", &here).await;
    assert_eq!(refused(short), "short_password");
    assert!(store.session_account(&elsewhere, now + 1).await.unwrap().is_some(), "refusals change nothing");
    store.change_password(t.handler.user_id, "demo-password", "brand-new-pass", &here).await.unwrap();
    assert!(store.session_account(&here, now + 1).await.unwrap().is_some(), "the session in use stays");
    assert!(store.session_account(&elsewhere, now + 1).await.unwrap().is_none(), "the others end");
    assert!(store.authenticate("handler_c1", "demo-password").await.unwrap().is_none());
    assert!(store.authenticate("handler_c1", "brand-new-pass").await.unwrap().is_some());
}

async fn categories_deadlines_and_the_calendar_change_what_dispatch_computes(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let (district_admin, street_admin) = admins(store, &t).await;
    let now = time::now();

    // District-wide settings are the district admins' alone.
    let denied = store.add_category_as_admin(&street_admin, None, "环境保护", None, None, now).await;
    assert_eq!(refused(denied), "district_admin_only");
    let top =
        store.add_category_as_admin(&district_admin, None, "环境保护", Some(t.department), None, now).await.unwrap();
    let middle = store.add_category_as_admin(&district_admin, Some(top.id), "噪音", None, None, now).await.unwrap();
    let leaf =
        store.add_category_as_admin(&district_admin, Some(middle.id), "夜间施工", None, Some(2), now).await.unwrap();
    assert_eq!((top.level, middle.level, leaf.level), (1, 2, 3));
    assert_eq!(
        refused(store.add_category_as_admin(&district_admin, Some(leaf.id), "太深", None, None, now).await),
        "three_levels"
    );
    assert_eq!(refused(store.add_category_as_admin(&district_admin, None, "x", None, Some(0), now).await), "bad_days");

    // A category's own days set the resolve deadline of what is dispatched under it.
    let changed =
        store.change_category(&district_admin, leaf.id, "夜间施工噪音", Some(t.community), Some(5), now).await.unwrap();
    assert_eq!(store.category(leaf.id).await.unwrap(), changed);
    let r = dispatched(store, &t, manhole(t.community, Some(leaf.id))).await;
    let settings = store.settings();
    let expected = settings.policy.deadlines(&settings.calendar, r.dispatched_at.unwrap(), r.new.kind, false, Some(5));
    assert_eq!(r.resolve_by, Some(expected.resolve_by));

    // A category without days of its own takes its nearest parent's.
    store.change_category(&district_admin, top.id, "环境保护", Some(t.department), Some(7), now).await.unwrap();
    let under = store.add_category_as_admin(&district_admin, Some(middle.id), "广场舞", None, None, now).await.unwrap();
    let r = dispatched(store, &t, manhole(t.community, Some(under.id))).await;
    let expected = settings.policy.deadlines(&settings.calendar, r.dispatched_at.unwrap(), r.new.kind, false, Some(7));
    assert_eq!(r.resolve_by, Some(expected.resolve_by), "seven working days, from the first level");

    let policy = DeadlinePolicy { standard_resolve_days: 10, warning_lead_hours: 48, ..DeadlinePolicy::default() };
    store.set_policy_as_admin(&district_admin, &policy, now).await.unwrap();
    assert_eq!(store.settings().policy, policy);
    let bad = DeadlinePolicy { quick_resolve_days: 0, ..policy.clone() };
    assert_eq!(refused(store.set_policy_as_admin(&district_admin, &bad, now).await), "bad_policy");
    assert_eq!(store.settings().policy, policy, "a refused policy changes nothing");

    // The calendar: a whole official file, then one day made a day off.
    let csv = "date,kind,festival\n2030-01-01,holiday,New Year's Day\n2030-02-02,workday,Spring Festival\n";
    let calendar = store.load_calendar_as_admin(&district_admin, csv, now).await.unwrap();
    assert!(calendar.covers(2030) && !calendar.covers(2024));
    assert_eq!(store.calendar_csv().await.unwrap(), csv);
    assert!(store.load_calendar_as_admin(&district_admin, "date,kind\n2030-13-01,holiday\n", now).await.is_err());
    let monday = NaiveDate::from_ymd_opt(2030, 1, 7).unwrap();
    assert!(store.settings().calendar.is_working_day(monday));
    assert!(!store.toggle_day(&district_admin, monday, now).await.unwrap());
    assert!(!store.settings().calendar.is_working_day(monday));
    assert!(store.toggle_day(&district_admin, monday, now).await.unwrap());
    assert!(store.settings().calendar.is_working_day(monday));
    let saturday = NaiveDate::from_ymd_opt(2030, 2, 2).unwrap();
    assert!(!store.toggle_day(&district_admin, saturday, now).await.unwrap(), "a make-up day made a day off again");

    let changes = store.admin_changes(&district_admin, 0, 50).await.unwrap();
    let actions: Vec<&str> = changes.items.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "calendar.toggle",
            "calendar.toggle",
            "calendar.toggle",
            "calendar.load",
            "policy.change",
            "category.add",
            "category.change",
            "category.change",
            "category.add",
            "category.add",
            "category.add"
        ]
    );
    assert_eq!(changes.items[2].subject, "2030-01-07");
    assert_eq!(changes.items[2].detail, "holiday");
    // The street admin sees none of the district-wide changes.
    assert_eq!(store.admin_changes(&street_admin, 0, 50).await.unwrap().total, 0);
}

/// The smallest PNG: one transparent pixel.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

async fn photos_are_kept_with_their_request(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let now = time::now();
    let r = store.create(manhole(t.community, None), None, Actor::Requester).await.unwrap().request;
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.extend((0..=255u8).cycle().take(300_000));
    assert_eq!(store.add_photos(r.id, None, &[PNG.to_vec(), jpeg.clone()], now).await.unwrap(), 2);
    // The same photo again (a form sent twice) is kept once; a GIF is not kept at all.
    assert_eq!(store.add_photos(r.id, None, &[PNG.to_vec()], now).await.unwrap(), 0);
    let gif = b"GIF89a\x01\x00\x01\x00".to_vec();
    assert!(store.add_photos(r.id, None, &[jpeg.clone(), gif], now).await.is_err());

    let list = store.photos_of(r.id).await.unwrap();
    assert_eq!(
        list.iter().map(|p| (p.n, p.content_type.as_str())).collect::<Vec<_>>(),
        [(1, "image/png"), (2, "image/jpeg")]
    );
    assert_eq!(list[1].size, jpeg.len() as i64);
    let back = store.photo(r.id, 2).await.unwrap();
    assert_eq!(back.bytes, jpeg, "byte for byte");
    assert_eq!(store.photo(r.id, 1).await.unwrap().bytes, PNG);
    assert!(matches!(store.photo(r.id, 3).await, Err(StoreError::NotFound)));
    assert!(matches!(store.photo(r.id, 0).await, Err(StoreError::NotFound)));

    // Photos with a progress note name the note's event.
    let d = dispatched(store, &t, manhole(t.community, None)).await;
    let d = store.act(d.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    store.act(d.id, None, Command::Progress { note: "已到现场".into() }, staff(&t.handler)).await.unwrap();
    let event = store.events_of(d.id).await.unwrap().last().unwrap().id;
    store.add_photos(d.id, Some(event), &[PNG.to_vec()], now).await.unwrap();
    assert_eq!(store.photos_of(d.id).await.unwrap()[0].event_id, Some(event));
    assert!(store.photos_of(r.id).await.unwrap().iter().all(|p| p.event_id.is_none()));
}

async fn categories_carry_the_words_people_use_and_refused_forms_hold_photos(store: Store, _url: String) {
    let store = &store;
    let t = town(store).await;
    let (district_admin, street_admin) = admins(store, &t).await;
    let now = time::now();
    let words: Vec<String> = vec!["井盖".into(), "窨井盖".into()];
    assert_eq!(
        refused(store.set_category_words_as_admin(&street_admin, t.category, &words, now).await),
        "district_admin_only"
    );
    store.set_category_words_as_admin(&district_admin, t.category, &words, now).await.unwrap();
    assert_eq!(store.category_words().await.unwrap()[&t.category], words);
    store.set_category_words_as_admin(&district_admin, t.category, &[], now).await.unwrap();
    assert!(store.category_words().await.unwrap().is_empty(), "no words removes them");

    // The shipped words go to the shipped catalogue's categories, once.
    let rows = catalogue::parse(catalogue::DEFAULT_CSV);
    store.load_catalogue(&rows, |_| None).await.unwrap();
    let given = store.load_default_words().await.unwrap();
    assert_eq!(given, catalogue::default_words().len());
    assert_eq!(store.load_default_words().await.unwrap(), 0);

    let photo = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];
    store.hold_photos("form-1", std::slice::from_ref(&photo), now).await.unwrap();
    store.hold_photos("form-1", std::slice::from_ref(&photo), now).await.unwrap();
    assert_eq!(store.held_photos("form-1").await.unwrap(), [photo.clone(), photo.clone()]);
    // A day later, holding another form's photos lets the old ones go.
    store.hold_photos("form-2", std::slice::from_ref(&photo), now + 2 * time::DAY).await.unwrap();
    assert!(store.held_photos("form-1").await.unwrap().is_empty());
    store.release_photos("form-2").await.unwrap();
    assert!(store.held_photos("form-2").await.unwrap().is_empty());
}
