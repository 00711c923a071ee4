use gongzhi_text::csvdata::read_messages;
use gongzhi_text::route::*;
fn main() {
    let msgs = read_messages(std::env::args().nth(1).unwrap().as_ref()).unwrap();
    let ex: Vec<Example> = msgs.iter().map(|m| Example { title: m.title(), text: &m.text, label: m.label.as_deref().unwrap() }).collect();
    let labels: Vec<&str> = ex.iter().map(|e| e.label).collect();
    let mut cfg = RouteConfig::default();
    cfg.c = 3.0; cfg.lead_chars = 25; cfg.nb_alpha = 0.05;
    let folds = stratified_folds(&labels, 5, cfg.seed);
    for f in 0..5 {
        let tr: Vec<Example> = ex.iter().zip(&folds).filter(|(_, &g)| g != f).map(|(e, _)| e.clone()).collect();
        let m = RoutingModel::train(&tr, &cfg).unwrap();
        for (e, _) in ex.iter().zip(&folds).filter(|(_, &g)| g == f) {
            let p = m.predict(e.title, e.text, 4);
            if p.label != e.label {
                let t: String = e.text.chars().take(70).collect();
                println!("{}\t{}\t{:.2}\t{}", e.label, p.label, p.confidence, t);
            }
        }
    }
}
