//! Runs one of the `commands` functions and prints its JSON, the way the CLI
//! will: `text_cmd dupes CSV`, `text_cmd dupes_judged CSV PAIRS_CSV`, `text_cmd hot CSV [top]`,
//! `text_cmd cv CSV [folds [CATALOGUE]]`, `text_cmd train CSV MODEL [CATALOGUE]`, `text_cmd eval MODEL CSV`,
//! and `text_cmd split CSV TRAIN_OUT TEST_OUT`, which writes a stratified 80/20 split of a labelled CSV
//! (the first of five folds, split by the default seed) for `train` and `eval`.
use gongzhi_text::commands;
use gongzhi_text::route::RouteConfig;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_else(|| panic!("missing argument {i}"));
    let value = match arg(0) {
        "dupes" => commands::dupes(arg(1).as_ref()),
        "dupes_judged" => commands::dupes_judged(arg(1).as_ref(), arg(2).as_ref()),
        "hot" => commands::hot(arg(1).as_ref(), args.get(2).map_or(5, |t| t.parse().unwrap())),
        "hot_sim" => commands::hot_with(
            arg(1).as_ref(),
            8,
            &gongzhi_text::hot::HotConfig { similarity: arg(2).parse().unwrap(), ..Default::default() },
        ),
        "cv" => commands::cross_validate_with(
            arg(1).as_ref(),
            args.get(2).map_or(5, |t| t.parse().unwrap()),
            &RouteConfig::default(),
            args.get(3).map(|c| c.as_ref()),
        ),
        "train" => commands::route_train_with(
            arg(1).as_ref(),
            arg(2).as_ref(),
            &RouteConfig::default(),
            args.get(3).map(|c| c.as_ref()),
        ),
        "eval" => commands::route_eval(arg(1).as_ref(), arg(2).as_ref()),
        "split" => {
            split(arg(1), arg(2), arg(3));
            return;
        }
        other => panic!("unknown command {other}"),
    };
    println!("{}", serde_json::to_string_pretty(&value.unwrap()).unwrap());
}

fn split(data: &str, train_out: &str, test_out: &str) {
    let mut reader = csv::Reader::from_path(data).unwrap();
    let headers = reader.headers().unwrap().clone();
    let label = headers.iter().position(|h| h == "label").expect("a `label` column");
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let labels: Vec<&str> = records.iter().map(|r| r.get(label).unwrap_or("")).collect();
    let folds = gongzhi_text::route::stratified_folds(&labels, 5, RouteConfig::default().seed);
    for (path, held) in [(train_out, false), (test_out, true)] {
        let mut writer = csv::Writer::from_path(path).unwrap();
        writer.write_record(&headers).unwrap();
        for (r, &f) in records.iter().zip(&folds) {
            if (f == 0) == held {
                writer.write_record(r).unwrap();
            }
        }
    }
}
