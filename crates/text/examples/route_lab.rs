//! Experiments (temporary).
use gongzhi_text::csvdata::read_messages;
use gongzhi_text::route::lab::*;
use gongzhi_text::route::{Example, RouteConfig};
use std::collections::BTreeMap;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let msgs = read_messages(args[0].as_ref()).unwrap();
    let ex: Vec<Example> = msgs
        .iter()
        .filter_map(|m| Some(Example { title: m.title(), text: &m.text, label: m.label.as_deref()? }))
        .collect();
    let tax: Vec<(String, String)> = match std::env::var("LAB_TAX") {
        Ok(p) => {
            let labels: Vec<&str> = ex.iter().map(|e| e.label).collect();
            let mut r = csv::Reader::from_path(p).unwrap();
            let mut out = Vec::new();
            let mode = std::env::var("LAB_TAXMODE").unwrap_or_default();
            for rec in r.records() {
                let rec = rec.unwrap();
                if labels.contains(&&rec[0]) {
                    let t = match mode.as_str() {
                        "3" => rec[2].to_string(),
                        _ => format!("{} {}", &rec[1], &rec[2]),
                    };
                    if rec[2] != *"其他" || mode != "3" {
                        out.push((t, rec[0].to_string()));
                    }
                }
            }
            out
        }
        Err(_) => Vec::new(),
    };
    let rep: usize = std::env::var("LAB_TAXREP").map_or(1, |x| x.parse().unwrap());
    let notitle = std::env::var("LAB_TAXNOTITLE").is_ok();
    let extra: Vec<Example> = (0..rep)
        .flat_map(|_| tax.iter().map(|(t, l)| Example { title: if notitle { None } else { Some(t) }, text: t, label: l }))
        .collect();
    eprintln!("{} extra", extra.len());
    let which: Vec<&str> = args[1].split(',').collect();
    let seeds: Vec<u64> = std::env::var("SEEDS").map_or(vec![1, 2, 3], |s| s.split(',').map(|x| x.parse().unwrap()).collect());
    let mut config = RouteConfig::default();
    for kv in &args[2..] {
        let (k, v) = kv.split_once('=').unwrap();
        match k {
            "max_n" => config.max_n = v.parse().unwrap(),
            "min_df" => config.min_df = v.parse().unwrap(),
            "tw" => config.title_weight = v.parse().unwrap(),
            "lead" => config.lead_chars = v.parse().unwrap(),
            _ => panic!(),
        }
    }
    // results[name] = per seed (f1, acc)
    let mut res: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for &seed in &seeds {
        let mut truth = Vec::new();
        let mut labels = Vec::new();
        let mut pooled: BTreeMap<String, Margins> = BTreeMap::new();
        let mut cache: BTreeMap<String, Vec<Fold>> = BTreeMap::new();
        for w in &which {
            // name@key=v;key=v
            let (name, spec) = w.split_once('@').unwrap_or((w, ""));
            let mut cfg = config.clone();
            for kv in spec.split(';').filter(|s| !s.is_empty()) {
                let (k, v) = kv.split_once('=').unwrap();
                match k {
                    "max_n" => cfg.max_n = v.parse().unwrap(),
                    "min_df" => cfg.min_df = v.parse().unwrap(),
                    "tw" => cfg.title_weight = v.parse().unwrap(),
                    "lead" => cfg.lead_chars = v.parse().unwrap(),
                    _ => panic!(),
                }
            }
            if !cache.contains_key(spec) {
                let (l, f) = folds(&ex, &extra, &cfg, 5, seed);
                labels = l;
                cache.insert(spec.to_string(), f);
            }
            let folds = &cache[spec];
            if truth.is_empty() {
                for f in folds {
                    truth.extend(f.te_y.iter().cloned());
                }
            }
            let mut all = Vec::new();
            for f in folds {
                let cost = balanced_cost(&f.tr.y, f.tr.k);
                let m = match name {
                    "nbsvm" => apply(&ovr_svm(&f.tr, 1.0, 0.1, true, 7, 0.05), &f.te),
                    "nbsvm_t" => apply(&ovr_svm(&f.tr, 1.0, 0.1, true, 7, 0.001), &f.te),
                    "nbsvm.5" => apply(&ovr_svm(&f.tr, 0.5, 0.1, true, 7, 0.05), &f.te),
                    "nbsvm_a.3" => apply(&ovr_svm(&f.tr, 1.0, 0.3, true, 7, 0.05), &f.te),
                    "nbsvm_a.03" => apply(&ovr_svm(&f.tr, 1.0, 0.03, true, 7, 0.05), &f.te),
                    "h1" => apply(&ovr_hinge(&f.tr, 1.0, 0.1, 7), &f.te),
                    "h.3" => apply(&ovr_hinge(&f.tr, 0.3, 0.1, 7), &f.te),
                    "h3" => apply(&ovr_hinge(&f.tr, 3.0, 0.1, 7), &f.te),
                    "h10" => apply(&ovr_hinge(&f.tr, 10.0, 0.1, 7), &f.te),
                    "hs1" => apply(&ovr_hinge(&f.tr, 1.0, 0.0, 7), &f.te),
                    "mnb" => apply(&nb(&f.tr, 0.01, false), &f.te),
                    "mnb.1" => apply(&nb(&f.tr, 0.1, false), &f.te),
                    "cnb" => apply(&nb(&f.tr, 0.01, true), &f.te),
                    "cnb.1" => apply(&nb(&f.tr, 0.1, true), &f.te),
                    "bias" => ovr_bias_tuned(&f.tr, &f.te, 5, 0.02),
                    "bias5" => ovr_bias_tuned(&f.tr, &f.te, 5, 0.05),
                    "st1" => stacked(&f.tr, &f.te, &[base_nbsvm], 5, 1e-3, true),
                    "st1u" => stacked(&f.tr, &f.te, &[base_nbsvm], 5, 1e-3, false),
                    "st1r" => stacked(&f.tr, &f.te, &[base_nbsvm], 5, 1e-2, true),
                    "st3" => stacked(&f.tr, &f.te, &[base_nbsvm, base_svm, base_mnb], 5, 1e-3, true),
                    "st2" => stacked(&f.tr, &f.te, &[base_nbsvm, base_mnb], 5, 1e-3, true),
                    "svm" => apply(&ovr_svm(&f.tr, 1.0, 0.0, true, 7, 0.05), &f.te),
                    "svm2" => apply(&ovr_svm(&f.tr, 2.0, 0.0, true, 7, 0.05), &f.te),
                    "svm.5" => apply(&ovr_svm(&f.tr, 0.5, 0.0, true, 7, 0.05), &f.te),
                    "cs" => apply(&crammer_singer(&f.tr, 1.0, 100, 7, &cost), &f.te),
                    "cs.3" => apply(&crammer_singer(&f.tr, 0.3, 100, 7, &cost), &f.te),
                    "cs3" => apply(&crammer_singer(&f.tr, 3.0, 100, 7, &cost), &f.te),
                    "lr" => apply(&softmax_lr(&f.tr, 1e-4, 30, 0.5, 7, &cost), &f.te),
                    "lr2" => apply(&softmax_lr(&f.tr, 1e-3, 30, 0.5, 7, &cost), &f.te),
                    "lr3" => apply(&softmax_lr(&f.tr, 1e-5, 30, 0.5, 7, &cost), &f.te),
                    "knn10" => knn(&f.tr, &f.te, 10, 2.0),
                    "knn20" => knn(&f.tr, &f.te, 20, 3.0),
                    "knn5" => knn(&f.tr, &f.te, 5, 1.0),
                    w if w.starts_with("mlp") => {
                        // mlp:h:epochs:lr:l2:drop
                        let p: Vec<&str> = w.split(':').collect();
                        let g = |i: usize, d: f32| p.get(i).map_or(d, |x| x.parse().unwrap());
                        let t = std::time::Instant::now();
                        let m = train_mlp(&f.tr, g(1, 64.0) as usize, g(2, 10.0) as usize, g(3, 0.05), g(4, 0.0), g(5, 0.0), 7, &cost);
                        eprintln!("{w} {:.2}s", t.elapsed().as_secs_f64());
                        m.apply(&f.te)
                    }
                    w if w.starts_with("lsa") => {
                        // lsa:k:lam:c:nb
                        let p: Vec<&str> = w.split(':').collect();
                        let g = |i: usize, d: f32| p.get(i).map_or(d, |x| x.parse().unwrap());
                        let t = std::time::Instant::now();
                        let basis = lsa_basis(&f.tr.rows, f.tr.n_feat, g(1, 100.0) as usize, 2, 5);
                        let lam = g(2, 1.0);
                        let tr = Data {
                            rows: augment(&f.tr.rows, &basis, f.tr.n_feat, lam),
                            y: f.tr.y.clone(),
                            n_feat: f.tr.n_feat + basis.len(),
                            k: f.tr.k,
                        };
                        let te = augment(&f.te, &basis, f.tr.n_feat, lam);
                        let m = apply(&ovr_svm(&tr, g(3, 1.0), g(4, 0.0), true, 7, 0.05), &te);
                        eprintln!("{w} {:.2}s", t.elapsed().as_secs_f64());
                        m
                    }
                    w if w.starts_with("ovo") => {
                        // ovo:mode:thr:nb
                        let p: Vec<&str> = w.split(':').collect();
                        let g = |i: usize, d: f32| p.get(i).map_or(d, |x| x.parse().unwrap());
                        let ovr = standardize(&apply(&ovr_svm(&f.tr, 1.0, 0.1, true, 7, 0.05), &f.te));
                        let pw = ovo(&f.tr, 1.0, g(3, 0.1), 7);
                        refine(&ovr, &pw, &f.te, g(1, 0.0) as u8, g(2, 100.0))
                    }
                    w if w.starts_with("sub") => {
                        let p: Vec<&str> = w.split(':').collect();
                        let g = |i: usize, d: f32| p.get(i).map_or(d, |x| x.parse().unwrap());
                        apply(&subspace(&f.tr, g(1, 5.0) as usize, g(2, 0.5), g(3, 1.0), 11), &f.te)
                    }
                    other => panic!("{other}"),
                };
                all.extend(standardize(&m));
            }
            pooled.insert(w.to_string(), all);
        }
        for (k, m) in &pooled {
            res.entry(k.clone()).or_default().push(macro_f1(&labels, &truth, m));
        }
        if let Ok(b) = std::env::var("LAB_BLEND") {
            for spec in b.split('/') {
                let mut m: Option<Margins> = None;
                for part in spec.split(',') {
                    let (n, wt) = part.rsplit_once('*').unwrap();
                    let wt: f32 = wt.parse().unwrap();
                    let src = &pooled[n];
                    m = Some(match m {
                        None => src.iter().map(|r| r.iter().map(|x| x * wt).collect()).collect(),
                        Some(acc) => acc.iter().zip(src).map(|(a, r)| a.iter().zip(r).map(|(x, y)| x + wt * y).collect()).collect(),
                    });
                }
                res.entry(format!("BLEND {spec}")).or_default().push(macro_f1(&labels, &truth, &m.unwrap()));
            }
        }
        // pairwise blends
        let names: Vec<&String> = pooled.keys().collect();
        for a in 0..names.len() {
            for b in a + 1..names.len() {
                for wb in [0.25f32, 0.5, 1.0] {
                    let ma = &pooled[names[a]];
                    let mb = &pooled[names[b]];
                    let m: Margins =
                        ma.iter().zip(mb).map(|(x, y)| x.iter().zip(y).map(|(p, q)| p + wb * q).collect()).collect();
                    res.entry(format!("{}+{wb}*{}", names[a], names[b])).or_default().push(macro_f1(&labels, &truth, &m));
                }
            }
        }
    }
    for (k, v) in res {
        let f: Vec<f64> = v.iter().map(|x| x.0).collect();
        let a: Vec<f64> = v.iter().map(|x| x.1).collect();
        let mean = f.iter().sum::<f64>() / f.len() as f64;
        println!(
            "{k:40} f1 {mean:.4} [{}] acc {:.4}",
            f.iter().map(|x| format!("{x:.4}")).collect::<Vec<_>>().join(" "),
            a.iter().sum::<f64>() / a.len() as f64
        );
    }
}
