//! Tuning aid: `cargo run --release -p gongzhi-text --example route_cv -- CSV [key=value...]`
//! runs 5-fold cross-validation with configuration overrides (c, max_n, min_df, tw (title weight), tol,
//! balanced, max_epochs, lead, nb, folds).
use gongzhi_text::route::RouteConfig;

fn main() {
    let mut args = std::env::args().skip(1);
    let csv = args.next().expect("CSV path");
    let mut config = RouteConfig::default();
    let mut folds = 5;
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
            "folds" => folds = v.parse().unwrap(),
            _ => panic!("unknown key {k}"),
        }
    }
    let v = gongzhi_text::commands::cross_validate_with(csv.as_ref(), folds, &config).unwrap();
    println!("{v}");
}
