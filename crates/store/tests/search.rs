//! Full-text search tells the same story on both databases: a two-character word finds
//! exactly the requests holding it, combined with filters and scope, page by page.

use gongzhi_domain::request::NewRequest;
use gongzhi_domain::time;
use gongzhi_domain::*;
use gongzhi_store::testing::{dispatched, manhole, staff, town};
use gongzhi_store::{on_both, Imported, ListFilter, Store, StoreError};
use sqlx::{Connection, Executor, Row};

on_both!(
    a_word_finds_exactly_the_requests_holding_it,
    search_pages_and_filters_combine,
    a_common_word_with_a_narrow_filter_finds_the_few,
    a_request_is_found_before_and_after_it_is_indexed,
);

fn about(unit_id: i64, title: &str, content: &str) -> NewRequest {
    NewRequest { title: title.into(), content: content.into(), ..manhole(unit_id, None) }
}

fn search(text: &str) -> ListFilter {
    ListFilter { text: Some(text.into()), limit: Some(100), ..ListFilter::default() }
}

async fn numbers(store: &Store, who: &role::Staff, filter: &ListFilter) -> Vec<String> {
    let mut found: Vec<String> =
        store.list(who, filter, time::now()).await.unwrap().items.into_iter().map(|r| r.new.title).collect();
    found.sort();
    found
}

async fn a_word_finds_exactly_the_requests_holding_it(store: Store, _url: String) {
    let t = town(&store).await;
    let texts = [
        ("路灯不亮", "柳湾路的路灯连续三晚不亮，夜里很黑。"),
        ("井盖缺失", "3栋门口井盖缺失。"),
        ("噪音扰民", "工地夜间施工，噪音很大。"),
        ("下水道堵塞", "小区下水道堵了，井盖周围冒水。"),
        ("Wi-Fi 信号", "社区服务中心的WiFi连不上。"),
    ];
    for (title, content) in texts {
        store.create(about(t.community, title, content), None, Actor::Requester).await.unwrap();
    }
    let dispatcher = &t.dispatcher;
    assert_eq!(numbers(&store, dispatcher, &search("井盖")).await, vec!["下水道堵塞", "井盖缺失"]);
    assert_eq!(numbers(&store, dispatcher, &search("路灯")).await, vec!["路灯不亮"]);
    // Every token must be there: 井盖 and 冒水 together only in one.
    assert_eq!(numbers(&store, dispatcher, &search("井盖 冒水")).await, vec!["下水道堵塞"]);
    // Full-width and case do not matter.
    assert_eq!(numbers(&store, dispatcher, &search("ＷＩＦＩ")).await, vec!["Wi-Fi 信号"]);
    assert!(numbers(&store, dispatcher, &search("垃圾")).await.is_empty());
    // A lone character is refused with a reason, not answered wrongly.
    let refused = store.list(dispatcher, &search("井"), time::now()).await;
    assert!(matches!(refused, Err(StoreError::Invalid(_))), "{refused:?}");

    // Imported history is searchable too.
    let mut old =
        Request::submitted(about(t.community, "旧井盖", "历史工单：井盖松动"), "/".into(), time::now() - 1000);
    old.status = Status::Submitted;
    store.import(vec![Imported { request: old, events: vec![] }]).await.unwrap();
    assert_eq!(numbers(&store, dispatcher, &search("井盖")).await, vec!["下水道堵塞", "井盖缺失", "旧井盖"]);
}

async fn search_pages_and_filters_combine(store: Store, _url: String) {
    let t = town(&store).await;
    for i in 0..7 {
        let unit = if i % 2 == 0 { t.community } else { t.other_community };
        store.create(about(unit, &format!("井盖{i}"), "井盖坏了"), None, Actor::Requester).await.unwrap();
    }
    let handled = dispatched(&store, &t, about(t.community, "井盖已派", "井盖松动")).await;

    // Pages of three, newest first, with nothing lost or repeated.
    let mut seen = Vec::new();
    let mut filter = ListFilter { limit: Some(3), ..search("井盖") };
    loop {
        let page = store.list(&t.dispatcher, &filter, time::now()).await.unwrap();
        assert!(page.items.windows(2).all(|w| w[0].id > w[1].id));
        seen.extend(page.items.iter().map(|r| r.id));
        match page.next_cursor {
            Some(cursor) => filter.cursor = Some(cursor),
            None => break,
        }
    }
    assert_eq!(seen.len(), 8);
    seen.dedup();
    assert_eq!(seen.len(), 8);

    // Filters combine with the text.
    let dispatched_only = ListFilter { status: vec![Status::Dispatched], ..search("井盖") };
    assert_eq!(numbers(&store, &t.dispatcher, &dispatched_only).await, vec!["井盖已派"]);
    let in_c2 = ListFilter { unit_id: Some(t.other_community), ..search("井盖") };
    assert_eq!(numbers(&store, &t.dispatcher, &in_c2).await.len(), 3);

    // Scope holds: the other community's handler sees only its own three.
    assert_eq!(numbers(&store, &t.other_handler, &search("井盖")).await.len(), 3);
    let _ = store.act(handled.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    assert!(matches!(
        store.list(&t.dispatcher, &ListFilter { cursor: Some("x".into()), ..search("井盖") }, time::now()).await,
        Err(StoreError::Invalid(_))
    ));
}

/// More requests hold the word than the store probes for, and only a few of them are
/// open: the search walks the open ones instead, and finds the same as a walk of the word.
async fn a_common_word_with_a_narrow_filter_finds_the_few(store: Store, _url: String) {
    let t = town(&store).await;
    let now = time::now();
    // One open request older than all of the history, so the oldest slice of open work is
    // spread over thousands of ids.
    let mut open = vec![dispatched(&store, &t, about(t.community, "物业新0", "物业不作为")).await.id];
    let history: Vec<Imported> = (0..5_100)
        .map(|i| {
            let mut old =
                Request::submitted(about(t.community, &format!("物业{i}"), "物业费问题"), String::new(), now - 100_000);
            old.status = Status::Closed;
            Imported { request: old, events: vec![] }
        })
        .collect();
    for chunk in history.chunks(1_000) {
        store.import(chunk.to_vec()).await.unwrap();
    }
    for i in 1..3 {
        open.push(dispatched(&store, &t, about(t.community, &format!("物业新{i}"), "物业不作为")).await.id);
    }
    // Newer open work about something else: the search must look past it to find the few.
    let path = store.unit(t.community).await.unwrap().path;
    let lamps: Vec<Imported> = (0..2_100)
        .map(|i| {
            let mut lamp = Request::submitted(about(t.community, &format!("路灯{i}"), "路灯不亮"), path.clone(), now);
            lamp.status = Status::Dispatched;
            (lamp.assignee_unit_id, lamp.assignee_path) = (Some(t.community), Some(path.clone()));
            Imported { request: lamp, events: vec![] }
        })
        .collect();
    for chunk in lamps.chunks(1_000) {
        store.import(chunk.to_vec()).await.unwrap();
    }
    let few = ListFilter { status: vec![Status::Dispatched], limit: Some(2), ..search("物业") };
    let first = store.list(&t.dispatcher, &few, now).await.unwrap();
    assert_eq!(first.items.iter().map(|r| r.id).collect::<Vec<_>>(), vec![open[2], open[1]]);
    let rest = ListFilter { cursor: first.next_cursor, ..few.clone() };
    let second = store.list(&t.dispatcher, &rest, now).await.unwrap();
    assert_eq!(second.items.iter().map(|r| r.id).collect::<Vec<_>>(), vec![open[0]]);
    assert!(second.next_cursor.is_none());
    // Without the filter, the word's postings are walked: newest first, pages full.
    let all = store.list(&t.dispatcher, &ListFilter { limit: Some(100), ..search("物业") }, now).await.unwrap();
    assert_eq!(all.items.len(), 100);
    assert_eq!(all.items[0].id, open[2]);
}

async fn a_request_is_found_before_and_after_it_is_indexed(store: Store, url: String) {
    let t = town(&store).await;
    let mut ids = Vec::new();
    for (title, content) in
        [("井盖缺失", "3栋门口井盖缺失。"), ("路灯不亮", "柳湾路路灯不亮。"), ("井盖松动", "井盖一踩就响。")]
    {
        ids.push(store.create(about(t.community, title, content), None, Actor::Requester).await.unwrap().request.id);
    }
    let found = |filter: ListFilter| {
        let store = store.clone();
        let who = t.dispatcher.clone();
        async move { numbers(&store, &who, &filter).await }
    };
    assert_eq!(found(search("井盖")).await, vec!["井盖松动", "井盖缺失"]);
    assert!(store.catch_up_search().await.unwrap() <= ids.len());
    assert_eq!(found(search("井盖")).await, vec!["井盖松动", "井盖缺失"]);

    // Taken out of the index and listed as pending again, as intake leaves a request: it is
    // still found, with the filters and pages of an indexed one, until the index has it.
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let newest = ids[2];
    conn.execute(format!("DELETE FROM request_terms WHERE request_id = {newest}").as_str()).await.unwrap();
    conn.execute(format!("INSERT INTO search_pending (request_id) VALUES ({newest})").as_str()).await.unwrap();
    assert_eq!(found(search("井盖")).await, vec!["井盖松动", "井盖缺失"]);
    assert_eq!(found(search("井盖 一踩")).await, vec!["井盖松动"]);
    assert!(found(ListFilter { status: vec![Status::Closed], ..search("井盖") }).await.is_empty());
    let first = store.list(&t.dispatcher, &ListFilter { limit: Some(1), ..search("井盖") }, time::now()).await.unwrap();
    assert_eq!(first.items[0].id, newest);
    let rest = ListFilter { limit: Some(5), cursor: first.next_cursor, ..search("井盖") };
    assert_eq!(store.list(&t.dispatcher, &rest, time::now()).await.unwrap().items.len(), 1);
    // Out of scope stays out of scope.
    assert!(numbers(&store, &t.other_handler, &search("井盖")).await.is_empty());

    store.catch_up_search().await.unwrap();
    let pending: i64 = conn.fetch_one("SELECT COUNT(*) AS n FROM search_pending").await.unwrap().try_get("n").unwrap();
    assert_eq!(pending, 0);
    assert_eq!(found(search("井盖")).await, vec!["井盖松动", "井盖缺失"]);
}
