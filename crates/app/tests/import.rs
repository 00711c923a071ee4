//! A district imports its historical hotline records: the real messages and replies of
//! shared/data/tipdm2020c, and files made here with every kind of bad row, in UTF-8 and
//! in GBK. Imported requests keep their history, count in the figures, are found by
//! search and among duplicates; a run cut short resumes without storing anything twice;
//! a dry run stores nothing. Both databases.

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::Datelike;
use gongzhi_app::import::{self, Format, RunOptions, Unreadable};
use gongzhi_domain::catalogue;
use gongzhi_domain::import::{Field, Mapping, Reason};
use gongzhi_domain::request::Status;
use gongzhi_domain::time::{self, DAY};
use gongzhi_store::testing::{town, Town};
use gongzhi_store::{on_both, ListFilter, Store};

on_both!(
    the_real_replies_come_in_with_their_replies_and_only_once,
    the_real_messages_keep_their_labels_as_catalogue_categories,
    every_kind_of_bad_row_is_reported_and_a_dry_run_stores_nothing,
    a_gbk_file_is_read_and_other_files_are_refused_with_the_reason,
    a_run_cut_short_resumes_without_storing_twice,
    imported_requests_count_in_the_figures_and_are_found
);

fn shared(file: &str) -> PathBuf {
    let root = std::env::var("GONGZHI_SHARED_DATA").unwrap_or_else(|_| "/work/shared/data".into());
    PathBuf::from(root).join("tipdm2020c").join(file)
}

/// The test town with the whole shipped catalogue.
async fn district(store: &Store) -> Town {
    let t = town(store).await;
    let rows = catalogue::parse(catalogue::DEFAULT_CSV);
    gongzhi_app::setup::load_catalogue(store, &rows, |_| Some(t.department)).await.unwrap();
    t
}

async fn events(url: &str) -> i64 {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    sqlx::query("SELECT COUNT(*) AS n FROM events").fetch_one(&mut conn).await.unwrap().try_get("n").unwrap()
}

async fn the_real_replies_come_in_with_their_replies_and_only_once(store: Store, url: String) {
    let t = district(&store).await;
    let bytes = std::fs::read(shared("replies.csv")).expect("shared/data/tipdm2020c/replies.csv");
    let table = import::read(&bytes).unwrap();
    assert_eq!(table.format, Format::Utf8);
    // The board's messages name no community: they all go to one, chosen on import.
    let mut mapping = Mapping::guess(&table.headers);
    mapping.default_unit = "C1".into();
    assert_eq!(mapping.columns.get(&Field::Reply).map(String::as_str), Some("reply"));
    let plan = import::check(&store, "replies.csv", &table, &mapping).await.unwrap();
    assert_eq!(plan.total_rows, 2805);
    assert_eq!((plan.records.len(), plan.problems.len()), (2805, 0), "{:?}", plan.problems.first());

    let done = import::run(&store, &plan, RunOptions { batch: 1_000, ..RunOptions::default() }, |_| {}).await.unwrap();
    assert_eq!((done.imported, done.skipped, done.batches), (2805, 0, 3));
    assert_eq!(store.count_requests().await.unwrap(), 2805);
    // Each message keeps its board id, its times and its reply, and waits for a verdict.
    let first = store.request(store.max_request_id().await.unwrap() - 2804, &t.supervisor).await.unwrap();
    assert_eq!(first.status, Status::Resolved);
    assert_eq!(time::display(first.created_at), "2019-04-25 09:32");
    assert_eq!(first.resolved_at.map(time::display).as_deref(), Some("2019-05-10 14:56"));
    assert!(first.reply.as_deref().unwrap_or_default().contains("景蓉华苑业委会"));
    assert_eq!(first.new.requester_name, "A00045581");
    assert_eq!(first.new.unit_id, t.community);
    // Submit and resolve: two events each, hash-chained, and the audit replays every row.
    assert_eq!(events(&url).await, 2 * 2805);
    let audit = store.audit(&[]).await.unwrap();
    assert!(audit.is_clean(), "{audit:?}");

    // The same file again stores nothing.
    let again = import::check(&store, "replies.csv", &table, &mapping).await.unwrap();
    assert_eq!(again.stored_already, 2805);
    let done = import::run(&store, &again, RunOptions::default(), |_| {}).await.unwrap();
    assert_eq!((done.imported, done.skipped), (0, 2805));
    assert_eq!(store.count_requests().await.unwrap(), 2805);
}

async fn the_real_messages_keep_their_labels_as_catalogue_categories(store: Store, _url: String) {
    let t = district(&store).await;
    let table = import::read(&std::fs::read(shared("routing_train.csv")).unwrap()).unwrap();
    let mut mapping = Mapping::guess(&table.headers);
    assert_eq!(mapping.columns.get(&Field::Category).map(String::as_str), Some("label"));
    mapping.default_unit = "柳湾社区".into();
    let plan = import::check(&store, "routing_train.csv", &table, &mapping).await.unwrap();
    // 60% of the board's messages were published without their time (and title and
    // detail): they are refused, each with the reason, not given a made-up date.
    assert_eq!(plan.total_rows, 2965);
    let no_time: HashSet<usize> =
        plan.problems.iter().filter(|p| p.column == "time" && p.reason == Reason::Missing).map(|p| p.row).collect();
    assert_eq!(no_time.len(), 1861);
    // One message is on the board twice under one id: the second is reported.
    let other: Vec<_> = plan.problems.iter().filter(|p| !no_time.contains(&p.row)).collect();
    assert_eq!(other.len(), 1, "{other:?}");
    assert_eq!((other[0].column.as_str(), other[0].reason), ("id", Reason::DuplicateSource));
    assert_eq!(plan.records.len(), 2965 - 1861 - 1);
    // Every label is a first-level category of the catalogue (交通运输 also names a
    // second-level one elsewhere: the whole path wins), and the record keeps it.
    let categories = store.categories().await.unwrap();
    for (_, record) in &plan.records {
        let id = record.request.new.category_id.expect("a category");
        let category = categories.iter().find(|c| c.id == id).unwrap();
        assert_eq!(category.level, 1, "{}", category.name);
    }
    let done = import::run(&store, &plan, RunOptions::default(), |_| {}).await.unwrap();
    assert_eq!(done.imported, 1103);
    let _ = t;
}

/// A file made here: a header and rows, as a CSV.
fn csv(rows: &[&str]) -> String {
    let mut text = String::from(
        "来源编号,受理时间,标题,诉求内容,所属社区,诉求分类,诉求类型,办理状态,答复内容,答复时间,满意度,联系电话\n",
    );
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

async fn every_kind_of_bad_row_is_reported_and_a_dry_run_stores_nothing(store: Store, url: String) {
    district(&store).await;
    let file = csv(&[
        "S1,2024-03-01 09:00,路灯不亮,柳湾路路灯坏了,C1,城乡建设/市政设施/井盖,投诉,已归档,已修好,2024-03-02 10:00,满意,13812341234",
        "S2,2024-02-30 09:00,井盖缺失,井盖缺失,C1,,投诉,,,,,",
        "S3,2024-03-01 09:00,噪音,夜间施工噪音,星光社区,,投诉,,,,,",
        "S4,2024-03-01 09:00,噪音,夜间施工噪音,C1,无此分类,投诉,,,,,",
        "S5,2024-03-01 09:00,空内容,,C1,,投诉,,,,,",
        "S1,2024-03-01 09:00,重复,来源编号重复,C1,,投诉,,,,,",
        "S7,2024-03-01 09:00,部门,不是属地,ZJ,,投诉,,,,,",
        "S8,2024-03-05 09:00,答复早于受理,内容,C1,,咨询,已办结,答复,2024-03-01 09:00,,",
        "S9,2024-03-01 09:00,类型,内容,C1,,随便,,,,,",
    ]);
    let table = import::read(file.as_bytes()).unwrap();
    let mapping = Mapping::guess(&table.headers);
    let plan = import::check(&store, "bad.csv", &table, &mapping).await.unwrap();
    let found: Vec<(usize, &str, Reason)> =
        plan.problems.iter().map(|p| (p.row, p.column.as_str(), p.reason)).collect();
    assert_eq!(
        found,
        [
            (3, "受理时间", Reason::BadDate),
            (4, "所属社区", Reason::UnknownUnit),
            (5, "诉求分类", Reason::UnknownCategory),
            (6, "诉求内容", Reason::Missing),
            (7, "来源编号", Reason::DuplicateSource),
            (8, "所属社区", Reason::NotAPlace),
            (9, "答复时间", Reason::RepliedBeforeCreated),
            (10, "诉求类型", Reason::UnknownKind),
        ]
    );
    assert_eq!(plan.problems[1].value, "星光社区");
    assert_eq!(plan.records.len(), 1);
    let good = &plan.records[0].1.request;
    assert_eq!(good.status, Status::Closed);
    assert_eq!(good.satisfaction, Some(gongzhi_domain::Satisfaction::Satisfied));
    // A dry run is a check: nothing at all is written.
    assert_eq!(store.count_requests().await.unwrap(), 0);
    assert_eq!(events(&url).await, 0);
    assert!(store.stored_sources(&["S1"]).await.unwrap().is_empty());
}

async fn a_gbk_file_is_read_and_other_files_are_refused_with_the_reason(store: Store, _url: String) {
    let t = district(&store).await;
    let text = csv(&["G1,2024-03-01 09:00,楼道堆放杂物,消防通道被电动车和纸箱堵住,柳湾社区,,投诉,,,,,13812341234"]);
    let (gbk, _, lossy) = encoding_rs::GBK.encode(&text);
    assert!(!lossy && std::str::from_utf8(&gbk).is_err(), "the file really is GBK");
    let table = import::read(&gbk).unwrap();
    assert_eq!(table.format, Format::Gb18030);
    let plan = import::check(&store, "gbk.csv", &table, &Mapping::guess(&table.headers)).await.unwrap();
    import::run(&store, &plan, RunOptions::default(), |_| {}).await.unwrap();
    let id = store.max_request_id().await.unwrap();
    let stored = store.request(id, &t.supervisor).await.unwrap();
    assert_eq!(stored.new.title, "楼道堆放杂物");
    assert_eq!(stored.new.content, "消防通道被电动车和纸箱堵住");

    // A picture, a UTF-16 export and Latin-1 text are refused, each saying why.
    let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D];
    assert_eq!(import::read(&png).unwrap_err(), Unreadable::Binary);
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("标题".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    assert_eq!(import::read(&utf16).unwrap_err(), Unreadable::Utf16);
    assert_eq!(import::read(b"title,content\ncaf\xe9,\xff\xfe\xfd\n").unwrap_err(), Unreadable::Encoding);
}

/// `n` good rows of recent complaints, one a day back from yesterday.
fn recent_rows(n: usize, prefix: &str) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let at = time::display(time::now() - (i as i64 % 60 + 1) * DAY);
            format!(
                "{prefix}{i},{at},柳湾路{i}号路灯不亮,柳湾路{i}号路灯晚上不亮已经一周了，行人摸黑走路,C1,,投诉,,,,,"
            )
        })
        .collect();
    csv(&rows.iter().map(String::as_str).collect::<Vec<_>>())
}

async fn a_run_cut_short_resumes_without_storing_twice(store: Store, url: String) {
    district(&store).await;
    let file = recent_rows(1_000, "R");
    let table = import::read(file.as_bytes()).unwrap();
    let plan = import::check(&store, "lamps.csv", &table, &Mapping::guess(&table.headers)).await.unwrap();
    // The run stops after two batches of 150, as a killed process would.
    let cut = RunOptions { batch: 150, stop_after: Some(2), ..RunOptions::default() };
    let done = import::run(&store, &plan, cut, |_| {}).await.unwrap();
    assert_eq!((done.imported, done.batches), (300, 2));
    assert_eq!(store.count_requests().await.unwrap(), 300);
    let again = import::check(&store, "lamps.csv", &table, &Mapping::guess(&table.headers)).await.unwrap();
    assert_eq!(again.stored_already, 300);
    let done = import::run(&store, &again, RunOptions { batch: 150, ..RunOptions::default() }, |_| {}).await.unwrap();
    assert_eq!((done.imported, done.skipped), (700, 300));
    assert_eq!(store.count_requests().await.unwrap(), 1_000);
    assert_eq!(events(&url).await, 1_000);
    let audit = store.audit(&[]).await.unwrap();
    assert!(audit.is_clean(), "{audit:?}");
}

async fn imported_requests_count_in_the_figures_and_are_found(store: Store, _url: String) {
    let t = district(&store).await;
    let today = time::local_date(time::now());
    let from = today - chrono::Duration::days(90);
    let before = store.measures(t.district, from, today, time::now()).await.unwrap();
    let file = recent_rows(120, "F");
    let table = import::read(file.as_bytes()).unwrap();
    let plan = import::check(&store, "figures.csv", &table, &Mapping::guess(&table.headers)).await.unwrap();
    import::run(&store, &plan, RunOptions::default(), |_| {}).await.unwrap();
    let after = store.measures(t.district, from, today, time::now()).await.unwrap();
    assert_eq!(after.intake - before.intake, 120, "the intake figure moves by exactly the imported rows");
    assert_eq!(today.year(), time::local_date(time::now()).year());

    // Found by search at once (read from the pending list), and after the index caught up.
    let filter = ListFilter { text: Some("柳湾路7号路灯".into()), ..ListFilter::default() };
    let found = store.list(&t.supervisor, &filter, time::now()).await.unwrap();
    assert_eq!(found.items.iter().filter(|r| r.new.title == "柳湾路7号路灯不亮").count(), 1);
    assert!(store.catch_up_search().await.unwrap() <= 120);
    let found = store.list(&t.supervisor, &filter, time::now()).await.unwrap();
    assert_eq!(found.items.iter().filter(|r| r.new.title == "柳湾路7号路灯不亮").count(), 1);

    // A new call about the same lamp finds the imported request among its duplicates.
    let suggester = gongzhi_app::suggestions::Suggester::start(store.clone());
    suggester.refresh().await.unwrap();
    let mut new = gongzhi_store::testing::manhole(t.community, None);
    new.title = "柳湾路7号路灯不亮".into();
    new.content = "柳湾路7号路灯晚上不亮已经一周了，行人摸黑走路，请尽快修".into();
    let suggestion = gongzhi_app::Suggest::suggest(suggester.as_ref(), &new).await.expect("a suggestion");
    let mut titles = Vec::new();
    for duplicate in &suggestion.duplicates {
        titles.push(store.request(duplicate.id, &t.supervisor).await.unwrap().new.title);
    }
    assert!(titles.iter().any(|title| title == "柳湾路7号路灯不亮"), "{titles:?}");
}
