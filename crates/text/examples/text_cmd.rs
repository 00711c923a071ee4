//! Runs one of the `commands` functions and prints its JSON, the way the CLI
//! will: `text_cmd dupes CSV`, `text_cmd dupes_judged CSV PAIRS_CSV`, `text_cmd hot CSV [top]`,
//! `text_cmd cv CSV [folds [CATALOGUE]]`, `text_cmd train CSV MODEL [CATALOGUE]`, `text_cmd eval MODEL CSV`.
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
        other => panic!("unknown command {other}"),
    };
    println!("{}", serde_json::to_string_pretty(&value.unwrap()).unwrap());
}
