//! A resident's and a handler's day over HTTP: the words people use find a category, a
//! refused form keeps its photos, the confirmation says when to expect a reply, the
//! track page speaks the resident's words, and the workbench and request page lead the
//! handler to what needs doing next.

mod support;

use axum::http::StatusCode;
use gongzhi_domain::{time, Command};
use gongzhi_store::testing::{dispatched, manhole, staff};
use support::{town_with_admins, tracking_code, Browser, CSRF, PNG};

fn form<'a>(unit: &'a str, key: &'a str, category: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("_csrf", CSRF),
        ("_key", key),
        ("kind", "complaint"),
        ("category", category),
        ("unit_id", unit),
        ("title", "楼下工地拖欠工资"),
        ("content", "柳湾路18号工地拖欠我们三个月工资，多次讨要没有结果。"),
        ("phone", "13812341234"),
    ]
}

#[tokio::test]
async fn words_people_use_find_their_category_and_a_refused_form_keeps_its_photos() {
    let (store, _, t) = town_with_admins().await;
    store.set_category_words(t.category, &["井盖".into(), "窨井盖".into()]).await.unwrap();
    let labour = store.add_category(None, "劳动和社会保障", None, None).await.unwrap();
    let wages = store.add_category(Some(labour.id), "工资福利", None, None).await.unwrap();
    let pay = store.add_category(Some(wages.id), "工资发放", None, None).await.unwrap();
    let building = store.add_category(None, "建筑市场", None, None).await.unwrap();
    let arrears = store.add_category(Some(building.id), "拖欠工程款", None, None).await.unwrap();
    store.set_category_words(pay.id, &["欠薪".into(), "工资".into()]).await.unwrap();
    store.set_category_words(arrears.id, &["欠薪".into(), "工程款".into()]).await.unwrap();

    let mut resident = Browser::new(&store);
    let page = resident.get("/submit").await;
    assert!(page.html.contains("窨井盖") && page.html.contains("id=\"category-data\""), "the words are searchable");
    assert!(page.html.contains("带 * 的为必填项"), "the required fields are explained");
    assert!(page
        .html
        .contains("id=\"title\" name=\"title\" value=\"\" maxlength=\"200\" required aria-required=\"true\""));

    // A word two categories share: a clear choice, and the photo is held.
    let unit = t.community.to_string();
    let photo = [("photos", "site.png", "image/png", PNG)];
    let choose = resident.post_multipart("/submit", &form(&unit, "k-1", "欠薪"), &photo).await;
    assert_eq!(choose.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(choose.html.contains("「欠薪」可能属于以下几个分类"), "{}", choose.html);
    assert!(choose.html.contains("value=\"劳动和社会保障 / 工资福利 / 工资发放\""));
    assert!(choose.html.contains("value=\"建筑市场 / 拖欠工程款\""));
    assert!(choose.html.contains("拖欠我们三个月工资") && choose.html.contains("已保留您上次上传的 1 张照片"));

    // Chosen, sent again without choosing the photo again: made with its photo.
    let done = resident.post("/submit", &form(&unit, "k-1", "劳动和社会保障 / 工资福利 / 工资发放")).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    let request = store.request_by_tracking_code(&tracking_code(&done.html)).await.unwrap();
    assert_eq!(request.new.category_id, Some(pay.id));
    assert_eq!(store.photos_of(request.id).await.unwrap().len(), 1, "the held photo came with it");
    assert!(store.held_photos("k-1").await.unwrap().is_empty(), "and is no longer held");

    // A word only one category has resolves to it.
    let noise = resident.post("/submit", &form(&unit, "k-2", "窨井盖")).await;
    assert_eq!(noise.status, StatusCode::OK, "{}", noise.html);
    let request = store.request_by_tracking_code(&tracking_code(&noise.html)).await.unwrap();
    assert_eq!(request.new.category_id, Some(t.category));

    // A word nobody uses: told, with everything kept.
    let unknown = resident.post_multipart("/submit", &form(&unit, "k-3", "不存在的说法"), &photo).await;
    assert!(unknown.html.contains("没有找到这个分类") && unknown.html.contains("value=\"不存在的说法\""));
    assert!(unknown.html.contains("已保留您上次上传的 1 张照片"));

    // The catalogue admin edits the words.
    let mut admin = Browser::new(&store);
    admin.login("admin", "admin-password").await;
    let edit = admin.get(&format!("/admin/categories/{}", t.category)).await;
    assert!(edit.html.contains("窨井盖"), "{}", edit.html);
    let change =
        [("_csrf", CSRF), ("name", "井盖"), ("default_unit_id", ""), ("resolve_days", ""), ("words", "井盖、下水道盖")];
    let saved = admin.post(&format!("/admin/categories/{}", t.category), &change).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert_eq!(store.category_words().await.unwrap()[&t.category], ["井盖", "下水道盖"]);
}

#[tokio::test]
async fn the_resident_sees_the_reply_date_and_follows_the_work_in_their_own_words() {
    let (store, _, t) = town_with_admins().await;
    let mut resident = Browser::new(&store);
    let unit = t.community.to_string();
    let photo = [("photos", "site.png", "image/png", PNG)];
    let done = resident.post_multipart("/submit", &form(&unit, "k-1", ""), &photo).await;
    assert!(done.html.contains("预计答复日期：最迟 20"), "{}", done.html);
    assert!(done.html.contains("id=\"copy-code\""), "a copy button");
    let code = tracking_code(&done.html);
    let r = store.request_by_tracking_code(&code).await.unwrap();

    store.act(r.id, None, Command::Accept, staff(&t.operator)).await.unwrap();
    let dispatch = Command::Dispatch { unit_id: t.community, co_unit_ids: vec![], instructions: String::new() };
    store.act(r.id, None, dispatch, staff(&t.dispatcher)).await.unwrap();
    store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    let note = Command::Progress { note: "已联系施工方，约定本周五前结清".into() };
    store.act(r.id, None, note, staff(&t.handler)).await.unwrap();
    let event = store.events_of(r.id).await.unwrap().last().unwrap().id;
    let after = {
        let mut bytes = PNG.to_vec();
        bytes.extend_from_slice(b"after");
        bytes
    };
    store.add_photos(r.id, Some(event), &[after], time::now()).await.unwrap();

    let track = resident.get(&format!("/track/{code}")).await;
    assert!(track.html.contains("<strong id=\"status\">正在办理</strong>"), "{}", track.html);
    assert!(track.html.contains("<strong id=\"unit\">柳湾社区</strong>"), "the handling unit is shown");
    assert!(track.html.contains("已联系施工方，约定本周五前结清"), "the progress note is shown");
    assert!(track.html.contains("居民上传") && track.html.contains("办理单位上传"), "photos say who added them");
    let unit_photos = track.html.split("id=\"unit-photos\"").nth(1).unwrap();
    assert!(unit_photos.contains(&format!("/track/{code}/photos/2")) && !unit_photos.contains("photos/1\""));
    assert!(!track.html.contains("签收") && !track.html.contains("领办"), "no staff words");
}

#[tokio::test]
async fn the_handler_opens_on_overdue_work_and_is_led_to_the_next_step() {
    let (store, _, t) = town_with_admins().await;
    // One waits to be claimed, one is long overdue.
    let waiting = dispatched(&store, &t, manhole(t.community, Some(t.category))).await;
    let month_ago = time::now() - 30 * time::DAY;
    let r = store.create(manhole(t.community, None), None, staff(&t.operator)).await.unwrap().request;
    store.act_at(r.id, None, Command::Accept, staff(&t.operator), month_ago).await.unwrap();
    let dispatch = Command::Dispatch { unit_id: t.community, co_unit_ids: vec![], instructions: String::new() };
    let late = store.act_at(r.id, None, dispatch, staff(&t.dispatcher), month_ago).await.unwrap();

    let mut handler = Browser::new(&store);
    handler.login("handler_c1", "demo-password").await;
    let home = handler.get("/work").await;
    assert!(home.html.contains("id=\"queue-overdue\" class=\"some\" aria-current=\"page\""), "{}", home.html);
    assert!(home.html.contains(&format!("/work/requests/{}", late.id)));
    assert!(!home.html.contains("id=\"queue-intake\"") && !home.html.contains("id=\"queue-dispatch\""));
    let claim = handler.get("/work?queue=claim").await;
    assert!(claim.html.contains("id=\"queue-claim\" class=\"some\" aria-current=\"page\""), "{}", claim.html);
    assert!(claim.html.contains("<td class=\"title\">柳湾社区井盖缺失</td>"), "cards have a title cell");

    let page = handler.get(&format!("/work/requests/{}", waiting.id)).await;
    assert!(page.html.contains("<span id=\"category\">城乡建设 / 市政设施 / 井盖</span>"), "{}", page.html);
    assert!(page.html.contains("id=\"time-left\">剩余 "), "a countdown");
    let first = page.html.find("id=\"action-claim\"").unwrap();
    let back = page.html.find("id=\"action-return\"").unwrap();
    assert!(first < back, "退单 comes after 领办");
    assert!(page.html.contains("<button type=\"submit\" class=\"danger\">退单</button>"));
    let version = waiting.version.to_string();
    let claimed =
        handler.post(&format!("/work/requests/{}/claim", waiting.id), &[("_csrf", CSRF), ("version", &version)]).await;
    assert_eq!(claimed.location(), format!("/work/requests/{}?done=claim", waiting.id));
    let after = handler.get(claimed.location()).await;
    assert!(after.html.contains("已完成「领办」"), "{}", after.html);
    let resolve = after.html.find("id=\"action-resolve\"").unwrap();
    let progress = after.html.find("id=\"action-progress\"").unwrap();
    let back = after.html.find("id=\"action-return\"").unwrap();
    assert!(resolve < progress && progress < back, "办结答复 first, 退单 last");

    let overdue = handler.get(&format!("/work/requests/{}", late.id)).await;
    assert!(overdue.html.contains("id=\"time-left\">已超期 "), "{}", overdue.html);
}

#[test]
fn claiming_is_called_one_thing_everywhere() {
    let zh = include_str!("../i18n/zh-CN.txt");
    assert!(!zh.contains("签收"), "the glossary's word for claiming is 领办");
}
