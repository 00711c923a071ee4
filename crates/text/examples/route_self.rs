use gongzhi_text::csvdata::read_messages;
use gongzhi_text::route::*;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let msgs = read_messages(a[1].as_ref()).unwrap();
    let tau: f32 = a[2].parse().unwrap();
    let mut unl = Vec::new();
    for f in &a[3..] { unl.extend(read_messages(f.as_ref()).unwrap()); }
    let train_texts: std::collections::HashSet<&str> = msgs.iter().map(|m| m.text.as_str()).collect();
    unl.retain(|m| !train_texts.contains(m.text.as_str()));
    eprintln!("unlabeled {}", unl.len());
    let ex: Vec<Example> = msgs.iter().map(|m| Example { title: m.title(), text: &m.text, label: m.label.as_deref().unwrap() }).collect();
    let labels: Vec<&str> = ex.iter().map(|e| e.label).collect();
    let mut cfg = RouteConfig::default();
    cfg.c = 3.0; cfg.lead_chars = 25; cfg.nb_alpha = 0.05; cfg.min_df = 3;
    let folds = stratified_folds(&labels, 5, cfg.seed);
    let mut ls: Vec<String> = labels.iter().map(|s| s.to_string()).collect(); ls.sort(); ls.dedup();
    let (mut t0, mut p0, mut p1) = (vec![], vec![], vec![]);
    for f in 0..5 {
        let tr: Vec<Example> = ex.iter().zip(&folds).filter(|(_, &g)| g != f).map(|(e, _)| e.clone()).collect();
        let m = RoutingModel::train(&tr, &cfg).unwrap();
        let mut tr2 = tr.clone();
        let preds: Vec<Prediction> = unl.iter().map(|u| m.predict(u.title(), &u.text, 0)).collect();
        for (u, p) in unl.iter().zip(&preds) {
            if p.confidence >= tau { tr2.push(Example { title: u.title(), text: &u.text, label: &p.label }); }
        }
        let m2 = RoutingModel::train(&tr2, &cfg).unwrap();
        for (e, _) in ex.iter().zip(&folds).filter(|(_, &g)| g == f) {
            t0.push(ls.iter().position(|l| l == e.label).unwrap());
            p0.push(ls.iter().position(|l| *l == m.predict(e.title, e.text, 0).label).unwrap());
            p1.push(ls.iter().position(|l| *l == m2.predict(e.title, e.text, 0).label).unwrap());
        }
    }
    println!("base {:.4} self {:.4}", score(&ls, &t0, &p0).macro_f1, score(&ls, &t0, &p1).macro_f1);
}
