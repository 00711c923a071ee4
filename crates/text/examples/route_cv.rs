//! Tuning aid: `cargo run --release -p gongzhi-text --example route_cv -- CSV [key=value...]`
//! runs stratified cross-validation with configuration overrides (c, max_n, min_df, tw (title weight), tol,
//! balanced, max_epochs, lead, nb, folds, seed (training)) over several fold splits (`seeds=1,2,3`),
//! with the category catalogue's examples in every training fold when `catalogue=taxonomy.csv` is given,
//! and prints each split's pooled macro-F1 and accuracy (also apart for the messages whose title is
//! known and those given as one text), then their mean and spread, and the reliability of the
//! confidence over all splits (per 10 % bin: predictions, mean confidence, accuracy; and the expected
//! calibration error), as shown and as the plain softmax of the margins would have said.
use gongzhi_text::csvdata::read_messages;
use gongzhi_text::route::{catalogue_examples, cross_validate, read_catalogue, reliability, Example, RouteConfig};

fn main() {
    let mut args = std::env::args().skip(1);
    let csv = args.next().expect("CSV path");
    let mut config = RouteConfig::default();
    let mut folds = 5;
    let mut seeds: Vec<u64> = vec![1, 2, 3];
    let mut catalogue = Vec::new();
    for kv in args {
        let (k, v) = kv.split_once('=').expect("key=value");
        match k {
            "c" => config.c = v.parse().unwrap(),
            "max_n" => config.max_n = v.parse().unwrap(),
            "min_df" => config.min_df = v.parse().unwrap(),
            "balanced" => config.balanced = v.parse().unwrap(),
            "max_epochs" => config.max_epochs = v.parse().unwrap(),
            "lead" => config.lead_chars = v.parse().unwrap(),
            "nb" => config.nb_alpha = v.parse().unwrap(),
            "tw" => config.title_weight = v.parse().unwrap(),
            "tol" => config.tolerance = v.parse().unwrap(),
            "seed" => config.seed = v.parse().unwrap(),
            "folds" => folds = v.parse().unwrap(),
            "catalogue" => catalogue = read_catalogue(v.as_ref()).unwrap(),
            "seeds" => seeds = v.split(',').map(|s| s.parse().unwrap()).collect(),
            _ => panic!("unknown key {k}"),
        }
    }
    let messages = read_messages(csv.as_ref()).unwrap();
    let examples: Vec<Example> = messages
        .iter()
        .filter_map(|m| Some(Example { title: m.title(), text: &m.text, label: m.label.as_deref()? }))
        .collect();
    let mut labels: Vec<&str> = examples.iter().map(|e| e.label).collect();
    labels.sort_unstable();
    labels.dedup();
    let extra = catalogue_examples(&catalogue, &labels);
    let (mut f1s, mut accs, mut secs) = (Vec::new(), Vec::new(), Vec::new());
    let (mut titled_f1s, mut text_only_f1s) = (Vec::new(), Vec::new());
    let (mut shown, mut softmax, mut correct) = (Vec::new(), Vec::new(), Vec::new());
    for &seed in &seeds {
        let cv = cross_validate(&examples, &extra, folds, seed, &config).unwrap();
        let s = cv.scores();
        let per: Vec<String> = s.per_class.values().map(|f| format!("{f:.3}")).collect();
        let titled = cv.scores_of(|i| examples[i].title.is_some()).macro_f1;
        let text_only = cv.scores_of(|i| examples[i].title.is_none()).macro_f1;
        println!(
            "split {seed}: macro_f1 {:.4} accuracy {:.4} per_class [{}] titled {titled:.4} text-only {text_only:.4}",
            s.macro_f1,
            s.accuracy,
            per.join(" ")
        );
        shown.extend_from_slice(&cv.confidence);
        softmax.extend_from_slice(&cv.softmax);
        correct.extend(cv.truth.iter().zip(&cv.predicted).map(|(t, p)| t == p));
        titled_f1s.push(titled);
        text_only_f1s.push(text_only);
        f1s.push(s.macro_f1);
        accs.push(s.accuracy);
        secs.push(cv.train_seconds.iter().sum::<f64>() / cv.train_seconds.len() as f64);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let sd = |v: &[f64]| {
        let m = mean(v);
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len().max(2) - 1) as f64).sqrt()
    };
    let min = f1s.iter().copied().fold(f64::MAX, f64::min);
    let max = f1s.iter().copied().fold(f64::MIN, f64::max);
    println!(
        "macro_f1 mean {:.4} sd {:.4} min {min:.4} max {max:.4} | accuracy mean {:.4} sd {:.4} | train {:.2}s per fold",
        mean(&f1s),
        sd(&f1s),
        mean(&accs),
        sd(&accs),
        mean(&secs)
    );
    println!(
        "titled ({} messages) macro_f1 mean {:.4} | text-only ({}) macro_f1 mean {:.4}",
        examples.iter().filter(|e| e.title.is_some()).count(),
        mean(&titled_f1s),
        examples.iter().filter(|e| e.title.is_none()).count(),
        mean(&text_only_f1s)
    );
    for (name, confidence) in [("shown (calibrated)", &shown), ("plain softmax", &softmax)] {
        let r = reliability(confidence, &correct, 10);
        println!("confidence {name}: {} predictions, accuracy {:.4}, ECE {:.4}", r.count, r.accuracy, r.ece);
        println!("| confidence | predictions | mean confidence | right |");
        println!("|---|---|---|---|");
        for b in r.bins.iter().filter(|b| b.count > 0) {
            println!(
                "| {:.0}–{:.0}% | {} | {:.1}% | {:.1}% |",
                b.from * 100.0,
                b.to * 100.0,
                b.count,
                b.mean_confidence * 100.0,
                b.accuracy * 100.0
            );
        }
    }
}
