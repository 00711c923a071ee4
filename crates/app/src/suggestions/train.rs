//! Training the routing model from the platform's own closed requests: each one's text,
//! the first-level category it ended under and the unit that finally handled it, seen from
//! where the request was. The words explanations name are found in the same texts and in
//! the category catalogue's names, and so are the stock phrases of complaint letters that
//! duplicate detection gives no weight. The model is scored on a held-out fifth first, then
//! trained on everything and stored as the newest version, which every instance picks up.

use std::collections::HashMap;
use std::time::Instant;

use gongzhi_domain::time::{self, DAY};
use gongzhi_domain::Status;
use gongzhi_store::{Store, StoreError};
use gongzhi_text::route::{score, stratified_folds, Example, Handler, HandlingCase, RouteConfig, RoutingModel};
use gongzhi_text::stock::{Sample, StockConfig, StockPhrases};
use serde::Serialize;
use serde_json::{json, Value};

use super::places::Places;
use super::{message, Suggester};

/// The newest closed requests learned from. A linear model over character n-grams gains
/// little beyond this many, and training time grows with them: at 60,000 a retraining took
/// a quarter of an hour on a busy two-core machine.
const MAX_EXAMPLES: u32 = 20_000;
/// Fewer examples than this make no useful model.
const MIN_EXAMPLES: usize = 30;
const HOLDOUT_FOLDS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum RetrainError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{examples} closed requests with a category in {labels} first-level categories: need at least {MIN_EXAMPLES} in two")]
    TooFew { examples: usize, labels: usize },
    #[error("training failed: {0}")]
    Text(#[from] gongzhi_text::TextError),
    #[error("training stopped: {0}")]
    Interrupted(String),
}

/// What a retraining did.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub version: i64,
    /// Closed requests learned from.
    pub examples: usize,
    pub labels: Vec<String>,
    /// Scores on the held-out fifth, of a model trained on the other four.
    pub holdout: Value,
    pub train_seconds: f64,
}

/// One closed request, ready to learn from.
struct Labelled {
    title: String,
    text: String,
    label: String,
    /// The place it was about.
    place: String,
    kind: &'static str,
    /// Who handled it, seen from where it was; none when it was answered at intake.
    handler: Option<Handler>,
}

/// Trains a model on the newest closed requests and stores it as the version in use.
pub async fn retrain(store: &Store) -> Result<TrainReport, RetrainError> {
    let rows = store.training_rows(MAX_EXAMPLES).await?;
    let categories = store.categories().await?;
    let places = Places::new(&store.units().await?);
    let by_id: HashMap<i64, &gongzhi_domain::catalogue::Category> = categories.iter().map(|c| (c.id, c)).collect();
    // The first-level ancestor names the label: the model routes to first-level categories.
    let first_level = |mut id: i64| -> Option<String> {
        for _ in 0..3 {
            let category = by_id.get(&id)?;
            match category.parent_id {
                Some(parent) => id = parent,
                None => return Some(category.name.clone()),
            }
        }
        None
    };
    let labelled: Vec<Labelled> = rows
        .into_iter()
        .filter_map(|row| {
            Some(Labelled {
                label: first_level(row.category_id)?,
                text: message(&row.title, &row.content),
                title: row.title,
                place: row.place_id.to_string(),
                kind: row.kind.as_str(),
                handler: row.unit_id.and_then(|unit| places.handler(row.place_id, unit)),
            })
        })
        .collect();
    // The catalogue's names are words people use for their problems.
    let names: Vec<String> = categories.iter().map(|c| c.name.clone()).collect();
    let started = Instant::now();
    let trained = tokio::task::spawn_blocking(move || train(&labelled, &names))
        .await
        .map_err(|e| RetrainError::Interrupted(e.to_string()))??;
    let train_seconds = started.elapsed().as_secs_f64();
    let Trained { model, examples, holdout } = trained;
    let labels = model.labels().to_vec();
    let text = tokio::task::spawn_blocking(move || gongzhi_text::model_text::to_json(&model))
        .await
        .map_err(|e| RetrainError::Interrupted(e.to_string()))??;
    let scores = json!({ "holdout": holdout, "examples": examples, "train_seconds": train_seconds });
    let version = store.save_route_model(examples as i64, &scores, &text).await?;
    Ok(TrainReport { version, examples, labels, holdout, train_seconds })
}

struct Trained {
    /// Trained on every example, with the units learned.
    model: RoutingModel,
    examples: usize,
    holdout: Value,
}

/// Scores a model on a held-out fifth, then trains the final one on everything.
fn train(labelled: &[Labelled], names: &[String]) -> Result<Trained, RetrainError> {
    let mut labels: Vec<&str> = labelled.iter().map(|l| l.label.as_str()).collect();
    labels.sort_unstable();
    labels.dedup();
    if labelled.len() < MIN_EXAMPLES || labels.len() < 2 {
        return Err(RetrainError::TooFew { examples: labelled.len(), labels: labels.len() });
    }
    let config = RouteConfig::default();
    let examples: Vec<Example> =
        labelled.iter().map(|l| Example { title: Some(&l.title), text: &l.text, label: &l.label }).collect();
    let label_of: Vec<&str> = examples.iter().map(|e| e.label).collect();
    let folds = stratified_folds(&label_of, HOLDOUT_FOLDS, config.seed);
    let (held, kept): (Vec<_>, Vec<_>) = examples.iter().zip(&folds).partition(|(_, &f)| f == 0);
    let kept: Vec<Example> = kept.into_iter().map(|(e, _)| e.clone()).collect();
    let holdout = match RoutingModel::train(&kept, &config) {
        Ok(model) => {
            // Labels the held-out model never saw count as its errors.
            let mut all: Vec<String> = model.labels().to_vec();
            for l in &labels {
                if !all.iter().any(|a| a == l) {
                    all.push(l.to_string());
                }
            }
            let index = |label: &str| all.iter().position(|a| a == label).unwrap_or(0);
            let truth: Vec<usize> = held.iter().map(|(e, _)| index(e.label)).collect();
            let predicted: Vec<usize> = held.iter().map(|(e, _)| model.predict_index(e.title, e.text)).collect();
            let s = score(&all, &truth, &predicted);
            json!({ "examples": held.len(), "accuracy": s.accuracy, "macro_f1": s.macro_f1, "per_class": s.per_class })
        }
        // Too few left after holding out a fifth: the figures are unknown, not bad.
        Err(_) => Value::Null,
    };
    let mut model = RoutingModel::train(&examples, &config)?;
    model.learn_handling(
        labelled
            .iter()
            .filter_map(|l| Some(HandlingCase { label: &l.label, kind: Some(l.kind), handler: l.handler.clone()? })),
    );
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    model.learn_words(labelled.iter().map(|l| l.text.as_str()), &names);
    let samples: Vec<Sample> =
        labelled.iter().map(|l| Sample { text: &l.text, place: Some(&l.place), category: Some(&l.label) }).collect();
    model.set_stock_phrases(StockPhrases::learn(&samples, &StockConfig::default()));
    Ok(Trained { model, examples: labelled.len(), holdout })
}

/// Stores suggestions for the requests waiting for intake or dispatch that have none:
/// requests that came in before the model existed, or were loaded in bulk. Returns how
/// many it stored.
pub async fn suggest_waiting(store: &Store, suggester: &Suggester) -> Result<usize, StoreError> {
    suggester.refresh().await?;
    let now = time::now();
    let waiting = [Status::Submitted, Status::PendingDispatch];
    let texts = store.texts_in_states(&waiting, now - 365 * DAY, 5_000).await?;
    let ids: Vec<i64> = texts.iter().map(|t| t.id).collect();
    let existing = store.suggestions_for(&ids).await?;
    let mut stored = 0;
    for text in texts.iter().filter(|t| !existing.contains_key(&t.id)) {
        let suggestion = suggester.suggest_cached(text.into(), Some(text.id), text.created_at);
        if let Some(suggestion) = suggestion {
            store.save_suggestion(text.id, text.created_at, &suggestion).await?;
            stored += 1;
        }
    }
    Ok(stored)
}
