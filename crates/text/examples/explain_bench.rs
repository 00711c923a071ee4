//! Tuning aid: times `predict` with and without explanations on each message of a CSV,
//! prints the slowest, and the explanations of the first `show` messages. Args: MODEL CSV [show].
use gongzhi_text::csvdata::read_messages;
use gongzhi_text::route::RoutingModel;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let model = RoutingModel::load(args.next().expect("model").as_ref()).unwrap();
    let messages = read_messages(args.next().expect("csv").as_ref()).unwrap();
    let show: usize = args.next().map_or(0, |s| s.parse().unwrap());
    for m in messages.iter().take(show) {
        let p = model.predict(m.title(), &m.text, 6);
        let words: Vec<&str> = p.explanation.iter().map(|e| e.term.as_str()).collect();
        let text: String = m.text.chars().take(40).collect();
        println!("{} {:.0}% [{}] {text}", p.label, p.confidence * 100.0, words.join(" "));
    }
    let mut rows = Vec::new();
    for m in &messages {
        let t0 = Instant::now();
        std::hint::black_box(model.predict(m.title(), &m.text, 0));
        let plain = t0.elapsed().as_secs_f64() * 1e6;
        let t1 = Instant::now();
        std::hint::black_box(model.predict(m.title(), &m.text, 3));
        let explained = t1.elapsed().as_secs_f64() * 1e6;
        rows.push((explained, plain, m.text.chars().count()));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    for r in rows.iter().take(10) {
        println!("{:.0} µs explained, {:.0} µs plain, {} chars", r.0, r.1, r.2);
    }
    let mean = |f: fn(&(f64, f64, usize)) -> f64| rows.iter().map(f).sum::<f64>() / rows.len() as f64;
    println!("mean {:.0} µs explained, {:.0} µs plain", mean(|r| r.0), mean(|r| r.1));
}
