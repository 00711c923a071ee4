//! Full-text search tells the same story on both databases: a two-character word finds
//! exactly the requests holding it, combined with filters and scope, page by page.

use gongzhi_domain::request::NewRequest;
use gongzhi_domain::time;
use gongzhi_domain::*;
use gongzhi_store::testing::{dispatched, manhole, staff, town};
use gongzhi_store::{on_both, Imported, ListFilter, Store, StoreError};

on_both!(
    a_word_finds_exactly_the_requests_holding_it,
    search_pages_and_filters_combine,
    a_common_word_with_a_narrow_filter_finds_the_few,
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
    let mut open = Vec::new();
    for i in 0..3 {
        open.push(dispatched(&store, &t, about(t.community, &format!("物业新{i}"), "物业不作为")).await.id);
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
