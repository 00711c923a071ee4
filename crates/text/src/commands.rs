//! What the `gongzhi` CLI runs on CSV files: training and evaluating routing,
//! finding duplicates and hot issues. Each returns JSON for the CLI to print.

use std::path::Path;
use std::time::Instant;

use serde_json::{json, Value};

use crate::csvdata::{read_messages, Message};
use crate::error::{Result, TextError};
use crate::route::{score, stratified_folds, Example, RouteConfig, RoutingModel};

fn labelled(messages: &[Message]) -> Vec<Example<'_>> {
    messages
        .iter()
        .filter_map(|m| m.label.as_deref().map(|label| Example { title: m.title(), text: &m.text, label }))
        .collect()
}

/// Trains a routing model on every labelled row of `data_csv` and saves it.
/// When the file has a `unit` column, the label → unit map is learned too.
pub fn route_train(data_csv: &Path, out: &Path) -> Result<Value> {
    route_train_with(data_csv, out, &RouteConfig::default())
}

pub fn route_train_with(data_csv: &Path, out: &Path, config: &RouteConfig) -> Result<Value> {
    let messages = read_messages(data_csv)?;
    let started = Instant::now();
    let examples = labelled(&messages);
    let mut model = RoutingModel::train(&examples, config)?;
    model.learn_units(
        messages.iter().filter_map(|m| Some((m.label.as_deref()?, m.place.as_deref()?))),
    );
    let seconds = started.elapsed().as_secs_f64();
    model.save(out)?;
    Ok(json!({ "examples": examples.len(), "labels": model.labels(), "train_seconds": seconds }))
}

/// Scores a saved model on a labelled CSV and measures prediction speed
/// (single thread, full prediction path without explanations).
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
    let started = Instant::now();
    let predicted: Vec<usize> = examples.iter().map(|e| model.predict_index(e.title, e.text)).collect();
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let s = score(&all_labels, &truth, &predicted);
    Ok(json!({
        "examples": examples.len(),
        "macro_f1": s.macro_f1,
        "accuracy": s.accuracy,
        "per_class": s.per_class,
        "msgs_per_sec": examples.len() as f64 / secs,
    }))
}

/// Stratified k-fold cross-validation of the default configuration.
pub fn cross_validate(data_csv: &Path, folds: usize) -> Result<Value> {
    cross_validate_with(data_csv, folds, &RouteConfig::default())
}

pub fn cross_validate_with(data_csv: &Path, folds: usize, config: &RouteConfig) -> Result<Value> {
    let messages = read_messages(data_csv)?;
    let examples = labelled(&messages);
    let label_of: Vec<&str> = examples.iter().map(|e| e.label).collect();
    let fold_of = stratified_folds(&label_of, folds, config.seed);
    let mut labels: Vec<String> = label_of.iter().map(|s| s.to_string()).collect();
    labels.sort();
    labels.dedup();
    let mut truth = Vec::new();
    let mut predicted = Vec::new();
    let mut fold_f1 = Vec::new();
    let mut train_secs = 0.0;
    for fold in 0..folds.max(2) {
        let train: Vec<Example> =
            examples.iter().zip(&fold_of).filter(|(_, &f)| f != fold).map(|(e, _)| e.clone()).collect();
        let started = Instant::now();
        let model = RoutingModel::train(&train, config)?;
        train_secs += started.elapsed().as_secs_f64();
        let (mut t, mut p) = (Vec::new(), Vec::new());
        for (e, _) in examples.iter().zip(&fold_of).filter(|(_, &f)| f == fold) {
            t.push(labels.iter().position(|l| l == e.label).unwrap_or(0));
            let label = &model.labels()[model.predict_index(e.title, e.text)];
            p.push(labels.iter().position(|l| l == label).unwrap_or(0));
        }
        fold_f1.push(score(&labels, &t, &p).macro_f1);
        truth.extend(t);
        predicted.extend(p);
    }
    let s = score(&labels, &truth, &predicted);
    Ok(json!({
        "folds": folds.max(2),
        "examples": examples.len(),
        "macro_f1": s.macro_f1,
        "accuracy": s.accuracy,
        "per_class": s.per_class,
        "fold_macro_f1": fold_f1,
        "mean_train_seconds": train_secs / folds.max(2) as f64,
    }))
}
