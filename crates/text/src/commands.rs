//! What the `gongzhi` CLI runs on CSV files: training and evaluating routing,
//! finding duplicates and hot issues. Each returns JSON for the CLI to print.

use std::path::Path;
use std::time::Instant;

use serde_json::{json, Value};

use crate::csvdata::{read_messages, Message};
use crate::dupes::{duplicate_groups, Doc, DupeConfig};
use crate::error::{Result, TextError};
use crate::hot::{hot_issues, HotConfig, HotDoc};
use crate::judged::{read_judged_pairs, score_judged};
use crate::route::{self, catalogue_examples, read_catalogue, score, Example, RouteConfig, RoutingModel};
use crate::stock::{Sample, StockConfig, StockPhrases};

fn labelled(messages: &[Message]) -> Vec<Example<'_>> {
    messages
        .iter()
        .filter_map(|m| m.label.as_deref().map(|label| Example { title: m.title(), text: &m.text, label }))
        .collect()
}

/// Trains a routing model on every labelled row of `data_csv` and saves it.
/// When the file has a `unit` column, the label → unit map is learned too.
pub fn route_train(data_csv: &Path, out: &Path) -> Result<Value> {
    route_train_with(data_csv, out, &RouteConfig::default(), None)
}

/// Labels of the examples, sorted and distinct.
fn labels_of<'a>(examples: &[Example<'a>]) -> Vec<&'a str> {
    let mut labels: Vec<&str> = examples.iter().map(|e| e.label).collect();
    labels.sort_unstable();
    labels.dedup();
    labels
}

/// As [`route_train`], with a configuration and, optionally, the category
/// catalogue (CSV `level1,level2,level3`) whose names become extra examples.
pub fn route_train_with(data_csv: &Path, out: &Path, config: &RouteConfig, catalogue: Option<&Path>) -> Result<Value> {
    let messages = read_messages(data_csv)?;
    let entries = catalogue.map(read_catalogue).transpose()?.unwrap_or_default();
    let started = Instant::now();
    let mut examples = labelled(&messages);
    let n_messages = examples.len();
    let extra = catalogue_examples(&entries, &labels_of(&examples));
    let n_extra = extra.len();
    examples.extend(extra);
    let mut model = RoutingModel::train(&examples, config)?;
    model.learn_units(messages.iter().filter_map(|m| Some((m.label.as_deref()?, m.place.as_deref()?))));
    // Title and detail apart where the file has them: a word does not run from one into the other.
    let texts = messages.iter().flat_map(|m| match m.title() {
        Some(title) if !m.detail.is_empty() => [title, m.detail.as_str()],
        _ => [m.text.as_str(), ""],
    });
    let names: Vec<&str> = entries.iter().flat_map(|e| [e.level2.as_str(), e.level3.as_str()]).collect();
    model.learn_words(texts, &names);
    let seconds = started.elapsed().as_secs_f64();
    model.save(out)?;
    Ok(json!({
        "examples": n_messages,
        "catalogue_examples": n_extra,
        "labels": model.labels(),
        "words": model.lexicon().len(),
        "train_seconds": seconds,
    }))
}

/// Scores a saved model on a labelled CSV and measures prediction speed on
/// the calling thread.
///
/// Only prediction is timed, over the already parsed messages: one untimed
/// pass warms caches and the per-thread buffers, then whole passes repeat
/// until at least a second has been measured, and the median pass is
/// reported, so neither CSV parsing nor a neighbour's burst on a shared
/// machine decides the figure. `msgs_per_sec` times `predict` without
/// explanations; `latency_us` times single `predict` calls with the three
/// terms intake shows.
pub fn route_eval(model: &Path, test_csv: &Path) -> Result<Value> {
    let model = RoutingModel::load(model)?;
    let messages = read_messages(test_csv)?;
    let examples = labelled(&messages);
    if examples.is_empty() {
        return Err(TextError::Columns { path: test_csv.into(), detail: "no `label` values".into() });
    }
    let labels = model.labels().to_vec();
    // Labels the model never saw count as errors against an extra slot.
    let mut all_labels = labels.clone();
    for e in &examples {
        if !all_labels.iter().any(|l| l == e.label) {
            all_labels.push(e.label.to_string());
        }
    }
    let truth: Vec<usize> =
        examples.iter().map(|e| all_labels.iter().position(|l| l == e.label).unwrap_or(0)).collect();
    let predicted: Vec<usize> = examples.iter().map(|e| model.predict_index(e.title, e.text)).collect();
    let s = score(&all_labels, &truth, &predicted);
    let speed = measure_speed(&model, &examples);
    Ok(json!({
        "examples": examples.len(),
        "macro_f1": s.macro_f1,
        "accuracy": s.accuracy,
        "per_class": s.per_class,
        "msgs_per_sec": speed.msgs_per_sec,
        "timing": {
            "passes": speed.passes,
            "seconds": speed.seconds,
            "slowest_pass_msgs_per_sec": speed.slowest,
            "fastest_pass_msgs_per_sec": speed.fastest,
        },
        "latency_us": { "p50": speed.latency_us[0], "p99": speed.latency_us[1], "max": speed.latency_us[2] },
    }))
}

/// Terms of explanation intake asks for; timed in the latency figure.
const INTAKE_EXPLAIN: usize = 3;
/// Measure at least this long, in whole passes.
const MIN_TIMED_SECONDS: f64 = 1.0;
const MIN_PASSES: usize = 3;

struct Speed {
    msgs_per_sec: f64,
    slowest: f64,
    fastest: f64,
    passes: usize,
    seconds: f64,
    /// p50, p99 and max of one `predict` with explanations.
    latency_us: [f64; 3],
}

fn measure_speed(model: &RoutingModel, examples: &[Example]) -> Speed {
    let pass = || {
        let started = Instant::now();
        for e in examples {
            std::hint::black_box(model.predict(e.title, e.text, 0));
        }
        started.elapsed().as_secs_f64().max(1e-9)
    };
    pass();
    let mut rates = Vec::new();
    let mut seconds = 0.0;
    while seconds < MIN_TIMED_SECONDS || rates.len() < MIN_PASSES {
        let t = pass();
        seconds += t;
        rates.push(examples.len() as f64 / t);
    }
    rates.sort_by(f64::total_cmp);
    let mut latencies: Vec<f64> = examples
        .iter()
        .map(|e| {
            let started = Instant::now();
            std::hint::black_box(model.predict(e.title, e.text, INTAKE_EXPLAIN));
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    Speed {
        msgs_per_sec: rates[rates.len() / 2],
        slowest: rates[0],
        fastest: rates[rates.len() - 1],
        passes: rates.len(),
        seconds,
        latency_us: [at(0.5), at(0.99), at(1.0)],
    }
}

/// Stratified k-fold cross-validation of the default configuration.
pub fn cross_validate(data_csv: &Path, folds: usize) -> Result<Value> {
    cross_validate_with(data_csv, folds, &RouteConfig::default(), None)
}

/// Cross-validation of `config`, the catalogue's examples (if any) added to
/// every training fold; the folds are split by `config.seed`.
pub fn cross_validate_with(
    data_csv: &Path,
    folds: usize,
    config: &RouteConfig,
    catalogue: Option<&Path>,
) -> Result<Value> {
    let messages = read_messages(data_csv)?;
    let entries = catalogue.map(read_catalogue).transpose()?.unwrap_or_default();
    let examples = labelled(&messages);
    let extra = catalogue_examples(&entries, &labels_of(&examples));
    let cv = route::cross_validate(&examples, &extra, folds, config.seed, config)?;
    let s = cv.scores();
    Ok(json!({
        "folds": cv.fold_macro_f1.len(),
        "examples": examples.len(),
        "catalogue_examples": extra.len(),
        "macro_f1": s.macro_f1,
        "accuracy": s.accuracy,
        "per_class": s.per_class,
        "fold_macro_f1": cv.fold_macro_f1,
        "mean_train_seconds": cv.train_seconds.iter().sum::<f64>() / cv.train_seconds.len() as f64,
    }))
}

/// Requests of a CSV as duplicate-detection documents. Ids come from the
/// `id` column; when they are not unique (some source files repeat them),
/// 1-based row numbers are used instead and `id_kind` says so.
fn docs_of(messages: &[Message]) -> (Vec<Doc>, &'static str) {
    let mut ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
    ids.sort_unstable();
    let unique = ids.windows(2).all(|w| w[0] != w[1]);
    let docs = messages
        .iter()
        .enumerate()
        .map(|(row, m)| Doc {
            id: if unique { m.id } else { row as i64 + 1 },
            text: m.text.clone(),
            place: m.place.clone(),
            address: m.address.clone(),
            time: m.time,
        })
        .collect();
    (docs, if unique { "id" } else { "row" })
}

/// The stock phrases of a CSV's messages, learned from them with their places and
/// labels where the file has them.
pub fn stock_phrases(messages: &[Message]) -> StockPhrases {
    let samples: Vec<Sample> = messages
        .iter()
        .map(|m| Sample { text: &m.text, place: m.place.as_deref(), category: m.label.as_deref() })
        .collect();
    StockPhrases::learn(&samples, &StockConfig::default())
}

fn excerpt(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

/// Duplicate groups in a CSV of requests, largest first.
pub fn dupes(data_csv: &Path) -> Result<Value> {
    let messages = read_messages(data_csv)?;
    let (docs, id_kind) = docs_of(&messages);
    let text_of: std::collections::HashMap<i64, &str> = docs.iter().map(|d| (d.id, d.text.as_str())).collect();
    let stock = stock_phrases(&messages);
    let groups = duplicate_groups(&docs, &DupeConfig::default(), &stock);
    let in_groups: usize = groups.iter().map(|g| g.members.len()).sum();
    Ok(json!({
        "requests": docs.len(),
        "id_kind": id_kind,
        "stock_strings": stock.len(),
        "groups": groups.len(),
        "requests_in_groups": in_groups,
        "duplicate_groups": groups.iter().map(|g| json!({
            "members": g.members,
            "similarity": g.similarity,
            "first": excerpt(text_of.get(&g.members[0]).copied().unwrap_or(""), 40),
        })).collect::<Vec<_>>(),
    }))
}

/// Duplicate detection on a CSV of requests scored against hand-judged pairs
/// of the same messages: precision, and recall on the groups found.
pub fn dupes_judged(data_csv: &Path, pairs_csv: &Path) -> Result<Value> {
    let messages = read_messages(data_csv)?;
    let (docs, _) = docs_of(&messages);
    let pairs = read_judged_pairs(pairs_csv)?;
    let scores = score_judged(&docs, &pairs, &DupeConfig::default(), &stock_phrases(&messages));
    serde_json::to_value(scores).map_err(|e| TextError::Training(e.to_string()))
}

/// The `top` hot issues of a CSV of requests, as of its latest request.
pub fn hot(data_csv: &Path, top: usize) -> Result<Value> {
    hot_with(data_csv, top, &HotConfig::default())
}

pub fn hot_with(data_csv: &Path, top: usize, config: &HotConfig) -> Result<Value> {
    let messages = read_messages(data_csv)?;
    let (docs, id_kind) = docs_of(&messages);
    let hot_docs: Vec<HotDoc> = docs
        .into_iter()
        .zip(&messages)
        .map(|(doc, m)| HotDoc {
            doc,
            title: m.title().map(str::to_string),
            supports: m.supports,
            requester: m.user.clone(),
        })
        .collect();
    let now = hot_docs.iter().map(|d| d.doc.time).max().unwrap_or(0);
    let issues = hot_issues(&hot_docs, now, config, &stock_phrases(&messages));
    Ok(json!({
        "requests": hot_docs.len(),
        "id_kind": id_kind,
        "as_of": now,
        "issues": issues.iter().take(top).collect::<Vec<_>>(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, body: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn train_evaluate_and_cross_validate_a_csv() {
        let dir = std::env::temp_dir().join(format!("gongzhi-text-cmd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut body = String::from("id,title,detail,label\n");
        let topics = [
            ("噪音扰民", "搅拌站施工噪音很大污染环境", "环境保护"),
            ("公交线路", "希望增加公交线路方便出行", "交通运输"),
            ("学校收费", "学校乱收补课费家长负担重", "教育文体"),
        ];
        for i in 0..30 {
            let (t, d, l) = topics[i % 3];
            body.push_str(&format!("{i},{t}{i},{d}，第{i}次反映,{l}\n"));
        }
        let data = write(&dir, "train.csv", &body);
        let model = dir.join("model.json");
        let trained = route_train(&data, &model).unwrap();
        assert_eq!(trained["examples"], 30);
        let eval = route_eval(&model, &data).unwrap();
        assert_eq!(eval["accuracy"], 1.0);
        assert!(eval["msgs_per_sec"].as_f64().unwrap() > 0.0);
        assert_eq!(eval["per_class"].as_object().unwrap().len(), 3);
        let cv = cross_validate(&data, 3).unwrap();
        assert!(cv["macro_f1"].as_f64().unwrap() > 0.9, "{cv}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn dupes_and_hot_on_a_csv() {
        let dir = std::env::temp_dir().join(format!("gongzhi-text-dup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let data = write(
            &dir,
            "msgs.csv",
            "id,user,title,time,detail,supports\n\
             11,u1,丽发新城搅拌站扰民,2019/11/1 8:00:00,丽发新城小区附近搅拌站噪音扰民灰尘大,3\n\
             12,u2,丽发新城搅拌站噪音,2019/11/3 9:00:00,投诉丽发新城小区附近搅拌站噪音扰民灰尘大,1\n\
             13,u3,搅拌站灰尘,2019/11/5 9:00:00,丽发新城附近搅拌站灰尘噪音严重扰民,0\n\
             14,u4,路灯坏了,2019/11/6 9:00:00,书院路路灯坏了一个月,0\n",
        );
        let d = dupes(&data).unwrap();
        assert_eq!(d["id_kind"], "id");
        let first = &d["duplicate_groups"][0]["members"];
        assert!(
            first.as_array().unwrap().contains(&json!(11)) && first.as_array().unwrap().contains(&json!(12)),
            "{d}"
        );
        let h = hot(&data, 5).unwrap();
        let issues = h["issues"].as_array().unwrap();
        assert_eq!(issues.len(), 1, "{h}");
        assert_eq!(issues[0]["members"], json!([11, 12, 13]));
        assert_eq!(issues[0]["supports"], 4);
        std::fs::remove_dir_all(&dir).ok();
    }
}
