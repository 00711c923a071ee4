//! Tuning aid: prints the 5-fold confusion matrix and some misrouted messages.
use gongzhi_text::csvdata::read_messages;
use gongzhi_text::route::{stratified_folds, Example, RouteConfig, RoutingModel};

fn main() {
    let csv = std::env::args().nth(1).expect("CSV");
    let msgs = read_messages(csv.as_ref()).unwrap();
    let ex: Vec<Example> = msgs
        .iter()
        .filter_map(|m| Some(Example { title: m.title(), text: &m.text, label: m.label.as_deref()? }))
        .collect();
    let config = RouteConfig::default();
    let lab: Vec<&str> = ex.iter().map(|e| e.label).collect();
    let folds = stratified_folds(&lab, 5, config.seed);
    let mut labels: Vec<&str> = lab.clone();
    labels.sort();
    labels.dedup();
    let mut conf = vec![vec![0; 7]; 7];
    for f in 0..5 {
        let tr: Vec<Example> = ex.iter().zip(&folds).filter(|(_, &g)| g != f).map(|(e, _)| e.clone()).collect();
        let m = RoutingModel::train(&tr, &config).unwrap();
        for (e, _) in ex.iter().zip(&folds).filter(|(_, &g)| g == f) {
            let p = m.predict(e.title, e.text, 4);
            let (t, q) = (
                labels.iter().position(|l| *l == e.label).unwrap(),
                labels.iter().position(|l| *l == p.label).unwrap(),
            );
            conf[t][q] += 1;
            if t != q && std::env::args().nth(2).is_some() {
                let terms: Vec<&str> = p.explanation.iter().map(|e| e.term.as_str()).collect();
                println!(
                    "{} -> {} {:.2} {:?} | {}",
                    e.label,
                    p.label,
                    p.confidence,
                    terms,
                    e.text.chars().take(80).collect::<String>()
                );
            }
        }
    }
    println!("{labels:?}");
    for r in conf {
        println!("{r:?}");
    }
}
