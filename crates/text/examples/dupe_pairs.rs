//! Tuning aid: prints the pairs that duplicate detection reports on a CSV,
//! `similarity <TAB> id_a <TAB> id_b <TAB> excerpt_a <TAB> excerpt_b <TAB> shared phrases`,
//! for reading and judging by hand. Args: CSV [threshold] [plain], where `plain` detects
//! as before stock phrases and addresses were known (no stock phrases, no addresses).
use gongzhi_text::commands::stock_phrases;
use gongzhi_text::csvdata::read_messages;
use gongzhi_text::dupes::{Doc, DupeConfig, DuplicateIndex};
use gongzhi_text::stock::StockPhrases;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("CSV path");
    let threshold: f32 = args.next().map_or(0.3, |t| t.parse().unwrap());
    let plain = args.next().as_deref() == Some("plain");
    let messages = read_messages(path.as_ref()).unwrap();
    let docs: Vec<Doc> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| Doc {
            id: i as i64,
            text: m.text.clone(),
            place: m.place.clone(),
            address: if plain { None } else { m.address.clone() },
            time: m.time,
        })
        .collect();
    let stock = if plain { StockPhrases::default() } else { stock_phrases(&messages) };
    eprintln!("{} stock strings", stock.len());
    let config = DupeConfig { threshold, ..DupeConfig::default() };
    let mut index = DuplicateIndex::with_stock(config, stock);
    for d in &docs {
        index.add(d);
    }
    let excerpt = |s: &str| s.chars().take(90).map(|c| if c.is_whitespace() { ' ' } else { c }).collect::<String>();
    for d in &docs {
        for m in index.candidates(d) {
            if m.id < d.id {
                continue;
            }
            let other = &docs[m.id as usize];
            println!(
                "{:.3}\t{}\t{}\t{}\t{}\t{}",
                m.similarity,
                d.id,
                m.id,
                excerpt(&d.text),
                excerpt(&other.text),
                m.shared_terms.join("|")
            );
        }
    }
}
