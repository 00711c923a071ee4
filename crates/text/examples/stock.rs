//! Tuning aid: `stock CSV [n] [key=value...]` learns the stock phrases of a CSV's messages
//! (with their places and labels where the file has them; `share`, `messages`, `places`,
//! `categories`, `category_share` override `StockConfig`) and prints how many
//! strings, and the most frequent stock phrases found in the messages.
use std::collections::HashMap;

use gongzhi_text::csvdata::read_messages;
use gongzhi_text::stock::{Sample, StockConfig, StockPhrases};

fn main() {
    let mut args = std::env::args().skip(1);
    let messages = read_messages(args.next().expect("CSV path").as_ref()).unwrap();
    let show: usize = args.next().map_or(60, |n| n.parse().unwrap());
    let mut config = StockConfig::default();
    for kv in args {
        let (k, v) = kv.split_once('=').expect("key=value");
        match k {
            "share" => config.min_share = v.parse().unwrap(),
            "messages" => config.min_messages = v.parse().unwrap(),
            "places" => config.min_places = v.parse().unwrap(),
            "categories" => config.min_categories = v.parse().unwrap(),
            "category_share" => config.max_category_share = v.parse().unwrap(),
            _ => panic!("unknown key {k}"),
        }
    }
    let samples: Vec<Sample> = messages
        .iter()
        .map(|m| Sample { text: &m.text, place: m.place.as_deref(), category: m.label.as_deref() })
        .collect();
    let started = std::time::Instant::now();
    let stock = StockPhrases::learn(&samples, &config);
    println!("{} stock strings in {:.2}s", stock.len(), started.elapsed().as_secs_f64());
    let mut count: HashMap<String, usize> = HashMap::new();
    for m in &messages {
        for p in stock.phrases_in(&m.text) {
            *count.entry(p).or_default() += 1;
        }
    }
    let mut ranked: Vec<(String, usize)> = count.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (p, c) in ranked.iter().take(show) {
        print!("{p}:{c} ");
    }
    println!();
}
