//! Tuning aid: `cargo run --release -p gongzhi-text --example words -- CSV [key=value...]`
//! finds the words of a CSV's messages (max_len, min_count, cohesion, entropy) and prints
//! how many, a sample of them, and `cut=…` texts cut into words.
use gongzhi_text::csvdata::read_messages;
use gongzhi_text::words::{han_runs, Lexicon, WordConfig};

fn main() {
    let mut args = std::env::args().skip(1);
    let csv = args.next().expect("CSV path");
    let mut config = WordConfig::default();
    let mut cuts = Vec::new();
    for kv in args {
        let (k, v) = kv.split_once('=').expect("key=value");
        match k {
            "max_len" => config.max_len = v.parse().unwrap(),
            "min_count" => config.min_count = v.parse().unwrap(),
            "cohesion" => config.min_cohesion = v.parse().unwrap(),
            "entropy" => config.min_entropy = v.parse().unwrap(),
            "cut" => cuts.push(v.to_string()),
            _ => panic!("unknown key {k}"),
        }
    }
    let messages = read_messages(csv.as_ref()).unwrap();
    let started = std::time::Instant::now();
    let lexicon = Lexicon::discover(messages.iter().map(|m| m.text.as_str()), &[], &config);
    println!("{} words in {:.2}s", lexicon.len(), started.elapsed().as_secs_f64());
    let words: Vec<&(String, u32)> = lexicon.file().entries.iter().filter(|(w, _)| w.chars().count() > 1).collect();
    for (i, (w, c)) in words.iter().enumerate() {
        if i < 300 || i % 20 == 0 {
            print!("{w}:{c} ");
        }
    }
    println!();
    for text in cuts.iter().map(String::as_str).chain(messages.iter().take(5).map(|m| m.text.as_str())) {
        let words: Vec<String> = han_runs(text)
            .iter()
            .map(|run| {
                lexicon
                    .segment(run)
                    .into_iter()
                    .map(|r| run[r].iter().collect::<String>())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect();
        println!("{}", words.join(" | "));
    }
}
