//! `gongzhi bench-import`: how fast a hotline file comes into a district that already
//! holds many requests, with everything an import does: every row checked, the audit
//! chain, the daily aggregates, the source ids, the search index and the duplicate index.
//!
//! The district is loaded first (demo data through the same bulk path, `seed`), then a
//! file of `rows` historical records with real texts is made in memory, read, checked and
//! stored in batches of 5,000, each phase timed on its own; the search index is then
//! brought up to date and a server's duplicate index topped up, each timed too.

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{ensure, Result};
use gongzhi_app::import::{self as import, RunOptions};
use gongzhi_domain::import::Mapping;
use gongzhi_domain::time::{self, DAY};
use gongzhi_store::Store;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use super::{database, round, Database};
use crate::{corpus, seed};

pub struct Options {
    /// Requests in the district before the import.
    pub base: u64,
    /// Rows in the imported file.
    pub rows: usize,
    pub batch: usize,
    pub database_url: Option<String>,
    pub keep: bool,
    /// A district an earlier `--keep` run left (its URL), imported into again.
    pub reuse: Option<String>,
}

pub async fn run(options: Options) -> Result<Value> {
    let db: Database = database(options.database_url.as_deref(), options.reuse.as_deref()).await?;
    if options.keep {
        eprintln!("bench-import: the database is kept at {}", db.url);
    }
    let store = Store::open(&db.url).await?;
    let started = Instant::now();
    let district = if options.reuse.is_some() {
        let district = crate::synth::district(super::DISTRICT_SEED);
        seed::world(&store, &district).await?;
        district
    } else {
        super::load_district(&store, options.base).await?.0
    };
    let load_seconds = started.elapsed().as_secs_f64();
    let base = store.count_requests().await?;
    let suggester = gongzhi_app::suggestions::Suggester::start(store.clone());
    suggester.refresh().await?;

    let file = make_file(&district, options.rows, base).await?;
    let megabytes = file.len() as f64 / 1e6;
    let started = Instant::now();
    let table = import::read(&file)?;
    let read_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mapping = Mapping::guess(&table.headers);
    // Rows are known by the file's name and their number: a file named after the
    // district's size is new to a district reused from an earlier run.
    let file_name = format!("bench-{base}.csv");
    let plan = import::check(&store, &file_name, &table, &mapping).await?;
    let check_seconds = started.elapsed().as_secs_f64();
    ensure!(plan.problems.is_empty(), "the generated file has problems: {:?}", plan.problems.first());
    drop(table);

    let started = Instant::now();
    let step = (options.rows / 10).max(1);
    let run = RunOptions { batch: options.batch, ..RunOptions::default() };
    let done = import::run(&store, &plan, run, |p| {
        if p.done % step < options.batch || p.done == p.total {
            eprintln!("bench-import: {} rows stored after {:.1} s", p.done, started.elapsed().as_secs_f64());
        }
    })
    .await?;
    let store_seconds = started.elapsed().as_secs_f64();
    // A district reused from a run cut short may hold some of the file already: those
    // rows are skipped, as a resumed import skips them, and the rate counts the rows stored.
    ensure!(
        done.imported + done.skipped == options.rows,
        "stored {} and skipped {} of {} rows",
        done.imported,
        done.skipped,
        options.rows
    );
    let stored = done.imported as f64;

    let started = Instant::now();
    let indexed = import::index_imported(&store).await?;
    let index_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let before = suggester.indexed();
    suggester.refresh().await?;
    let duplicates_seconds = started.elapsed().as_secs_f64();
    let recent = suggester.indexed() - before;

    // The same file again: every row is found stored and skipped.
    let started = Instant::now();
    let again = import::check(&store, &file_name, &import::read(&file)?, &mapping).await?;
    let skipped = import::run(&store, &again, run, |_| {}).await?;
    let again_seconds = started.elapsed().as_secs_f64();
    ensure!(skipped.imported == 0, "the second run stored {} rows", skipped.imported);
    let total = store.count_requests().await?;
    let expected = base + done.imported as i64;
    ensure!(total == expected, "{total} requests, expected {expected}");
    store.close().await;
    db.finish(options.keep).await;

    let rows = stored;
    Ok(json!({
        "backend": if db.url.starts_with("sqlite") { "sqlite" } else { "postgres" },
        "base_requests": base,
        "rows": options.rows,
        "stored": done.imported,
        "skipped": done.skipped,
        "batch": options.batch,
        "file_mb": round(megabytes),
        "load_seconds": round(load_seconds),
        "read_seconds": round(read_seconds),
        "check_seconds": round(check_seconds),
        "store_seconds": round(store_seconds),
        "store_rows_per_sec": round(rows / store_seconds),
        "read_check_store_rows_per_sec": round(rows / (read_seconds + check_seconds + store_seconds)),
        "search_index_seconds": round(index_seconds),
        "search_indexed": indexed,
        "duplicate_index_seconds": round(duplicates_seconds),
        "duplicate_index_added": recent,
        "all_rows_per_sec": round(rows / (read_seconds + check_seconds + store_seconds + index_seconds + duplicates_seconds)),
        "same_file_again_seconds": round(again_seconds),
    }))
}

/// A hotline export of `rows` records with real texts: numbers, times over the past three
/// years, places by name, categories by path, kinds, states, replies and verdicts.
async fn make_file(district: &crate::synth::District, rows: usize, base: i64) -> Result<Vec<u8>> {
    let corpus = corpus::Corpus::load(&corpus::default_dir());
    let texts: Vec<(String, String)> = match corpus {
        Some(corpus) => corpus.messages,
        None => {
            let taxonomy = seed::taxonomy();
            let mut generator = crate::synth::RequestGen::new(district, &taxonomy, 11);
            (0..2_000).map(|_| generator.next()).map(|s| (s.title, s.content)).collect()
        }
    };
    let places: Vec<&str> = district
        .units
        .iter()
        .filter(|u| matches!(u.kind, "community" | "village" | "grid"))
        .map(|u| u.code.as_str())
        .collect();
    let paths: Vec<String> = seed::taxonomy().into_iter().map(|(a, b, c)| format!("{a}/{b}/{c}")).collect();
    let kinds = ["咨询", "求助", "投诉", "举报", "建议"];
    let verdicts = ["满意", "基本满意", "不满意"];
    let mut rng = rand::rngs::StdRng::seed_from_u64(2024);
    let now = time::now();
    let mut csv =
        String::from("工单编号,受理时间,标题,诉求内容,所属社区,诉求分类,诉求类型,答复内容,答复时间,满意度,联系电话\n");
    let field = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    for i in 0..rows {
        let created = now - 30 * DAY - rng.gen_range(0..3 * 365 * DAY);
        let (title, content) = &texts[i % texts.len()];
        let place = places[rng.gen_range(0..places.len())];
        let category = &paths[rng.gen_range(0..paths.len())];
        let kind = kinds[rng.gen_range(0..kinds.len())];
        let _ = write!(
            csv,
            "HX{:09},{},{},{},{place},{category},{kind},",
            base as usize + i,
            time::display(created),
            field(title),
            field(content)
        );
        let replied = rng.gen_bool(0.8);
        if replied {
            let at = created + rng.gen_range(DAY..20 * DAY);
            let verdict = if rng.gen_bool(0.6) { verdicts[rng.gen_range(0..3)] } else { "" };
            let _ = write!(csv, "已核实处理并电话告知诉求人,{},{verdict},", time::display(at));
        } else {
            csv.push_str(",,,");
        }
        let _ = writeln!(csv, "1{:010}", rng.gen_range(3_000_000_000u64..9_999_999_999));
    }
    Ok(csv.into_bytes())
}
