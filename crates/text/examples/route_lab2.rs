//! Experiments (temporary): accuracy with and without titles.
use gongzhi_text::csvdata::read_messages;
use gongzhi_text::route::{stratified_folds, Example, RouteConfig, RoutingModel};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let msgs = read_messages(args[0].as_ref()).unwrap();
    let ex: Vec<Example> = msgs
        .iter()
        .filter_map(|m| Some(Example { title: m.title(), text: &m.text, label: m.label.as_deref()? }))
        .collect();
    let config = RouteConfig::default();
    for seed in [1u64, 2, 3] {
        let lab: Vec<&str> = ex.iter().map(|e| e.label).collect();
        let folds = stratified_folds(&lab, 5, seed);
        let (mut t_ok, mut t_n, mut t_ok_no, mut u_ok, mut u_n) = (0, 0, 0, 0, 0);
        for f in 0..5 {
            let tr: Vec<Example> = ex.iter().zip(&folds).filter(|(_, &g)| g != f).map(|(e, _)| e.clone()).collect();
            let m = RoutingModel::train(&tr, &config).unwrap();
            for (e, _) in ex.iter().zip(&folds).filter(|(_, &g)| g == f) {
                let ok = m.labels()[m.predict_index(e.title, e.text)] == e.label;
                if e.title.is_some() {
                    t_n += 1;
                    t_ok += ok as usize;
                    t_ok_no += (m.labels()[m.predict_index(None, e.text)] == e.label) as usize;
                } else {
                    u_n += 1;
                    u_ok += ok as usize;
                }
            }
        }
        println!(
            "seed {seed}: titled {:.4} (as untitled {:.4}) untitled {:.4}",
            t_ok as f64 / t_n as f64,
            t_ok_no as f64 / t_n as f64,
            u_ok as f64 / u_n as f64
        );
    }
}
