//! Benchmark: `dupe_bench CSV...` builds a DuplicateIndex of 100k requests
//! from the given files (repeated, each copy shifted by a year so that copies
//! are not duplicates of each other), with the stock phrases learned from them, and
//! times `candidates` for new requests.
use std::time::Instant;

use gongzhi_text::csvdata::read_messages;
use gongzhi_text::dupes::{Doc, DupeConfig, DuplicateIndex};

fn main() {
    let mut base = Vec::new();
    for path in std::env::args().skip(1) {
        base.extend(read_messages(path.as_ref()).unwrap());
    }
    let target = 100_000;
    let stock = gongzhi_text::commands::stock_phrases(&base);
    let mut index = DuplicateIndex::with_stock(DupeConfig::default(), stock);
    let started = Instant::now();
    let mut id = 0i64;
    'outer: for copy in 0.. {
        for m in &base {
            index.add(&Doc::new(id, m.text.clone(), m.time + copy * 366 * 86_400));
            id += 1;
            if id == target {
                break 'outer;
            }
        }
    }
    println!("indexed {} docs in {:.2}s", index.len(), started.elapsed().as_secs_f64());
    let queries: Vec<Doc> =
        base.iter().step_by((base.len() / 2000).max(1)).map(|m| Doc::new(-1, m.text.clone(), m.time)).collect();
    let started = Instant::now();
    let mut found = 0;
    for q in &queries {
        found += index.candidates(q).len();
    }
    let per = started.elapsed().as_secs_f64() / queries.len() as f64;
    println!("{} queries, {:.3} ms per query, {} matches", queries.len(), per * 1e3, found);
}
