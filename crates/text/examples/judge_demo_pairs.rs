//! Judged pairs of the demo district's texts: `judge_demo_pairs DEMO_CSV OUT_CSV [threshold]`.
//!
//! DEMO_CSV is what `gongzhi route demo-texts` writes; its `problem` column names the
//! problem each message raises at its place, so a pair is judged a duplicate when both
//! name the same problem. The pairs judged are those detection reports at `threshold`
//! (0.3 by default, below the one in use) either as it is now (stock phrases masked,
//! addresses set aside) or plainly (neither), so that the file judges what either
//! reports. Also prints the pairwise recall of both against every pair of messages about
//! one problem within the time window.
use std::collections::{BTreeSet, HashMap};

use gongzhi_text::commands::stock_phrases;
use gongzhi_text::csvdata::read_messages;
use gongzhi_text::dupes::{duplicate_pairs, Doc, DupeConfig};
use gongzhi_text::stock::StockPhrases;

fn excerpt(text: &str) -> String {
    text.chars().take(80).map(|c| if c.is_whitespace() { ' ' } else { c }).collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let data = args.next().expect("demo CSV");
    let out = args.next().expect("output CSV");
    let threshold: f32 = args.next().map_or(0.3, |t| t.parse().unwrap());
    let messages = read_messages(data.as_ref()).unwrap();
    let mut reader = csv::Reader::from_path(&data).unwrap();
    let column = reader.headers().unwrap().iter().position(|h| h == "problem").expect("a problem column");
    let problems: Vec<String> = reader.records().map(|r| r.unwrap()[column].to_string()).collect();
    assert_eq!(problems.len(), messages.len());

    let docs = |plain: bool| -> Vec<Doc> {
        messages
            .iter()
            .enumerate()
            .map(|(i, m)| Doc {
                id: i as i64,
                text: m.text.clone(),
                place: m.place.clone(),
                address: if plain { None } else { m.address.clone() },
                time: m.time,
            })
            .collect()
    };
    let stock = stock_phrases(&messages);
    let loose = DupeConfig { threshold, ..DupeConfig::default() };
    let mut judged: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut similarity: HashMap<(usize, usize), f32> = HashMap::new();
    for plain in [true, false] {
        let stock = if plain { StockPhrases::default() } else { stock.clone() };
        for (i, j, s) in duplicate_pairs(&docs(plain), &loose, &stock) {
            let key = (i.min(j), i.max(j));
            judged.insert(key);
            let entry = similarity.entry(key).or_insert(s);
            *entry = entry.max(s);
        }
    }
    let mut writer = csv::Writer::from_path(&out).unwrap();
    writer.write_record(["a_text_excerpt", "b_text_excerpt", "similarity", "is_duplicate"]).unwrap();
    let mut written = 0;
    for &(i, j) in &judged {
        let (a, b) = (excerpt(&messages[i].text), excerpt(&messages[j].text));
        if a == b {
            continue;
        }
        let duplicate = problems[i] == problems[j];
        writer.write_record([a, b, format!("{:.3}", similarity[&(i, j)]), u8::from(duplicate).to_string()]).unwrap();
        written += 1;
    }
    writer.flush().unwrap();
    eprintln!("{written} pairs judged, {} stock strings", stock.len());

    // Every pair about one problem within the window, and how many each way reports.
    let window = DupeConfig::default().window_secs;
    let mut by_problem: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in problems.iter().enumerate() {
        by_problem.entry(p).or_default().push(i);
    }
    let truth: BTreeSet<(usize, usize)> = by_problem
        .values()
        .flat_map(|ids| ids.iter().flat_map(move |&a| ids.iter().filter(move |&&b| a < b).map(move |&b| (a, b))))
        .filter(|&(a, b)| (messages[a].time - messages[b].time).abs() <= window)
        .collect();
    for plain in [true, false] {
        let stock = if plain { StockPhrases::default() } else { stock.clone() };
        let found: BTreeSet<(usize, usize)> = duplicate_pairs(&docs(plain), &DupeConfig::default(), &stock)
            .into_iter()
            .map(|(i, j, _)| (i.min(j), i.max(j)))
            .collect();
        let right = found.intersection(&truth).count();
        println!(
            "{}: reported {} pairs, {} about one problem (precision {:.3}); pairwise recall {}/{} = {:.3}",
            if plain { "plain" } else { "now" },
            found.len(),
            right,
            right as f64 / found.len().max(1) as f64,
            right,
            truth.len(),
            right as f64 / truth.len().max(1) as f64
        );
    }
}
