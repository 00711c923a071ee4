//! Measuring routing: macro-F1 (the labels are unbalanced, so accuracy alone
//! flatters the big ones) and stratified cross-validation.

use std::collections::BTreeMap;

use super::calibration::{reliability, Reliability};
use super::linear::SplitMix;
use super::model::{Example, RouteConfig, RoutingModel};
use crate::error::Result;

#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_class: BTreeMap<String, f64>,
}

/// Scores of predicted against true label indices into `labels`.
pub fn score(labels: &[String], truth: &[usize], predicted: &[usize]) -> Scores {
    let k = labels.len();
    let mut tp = vec![0usize; k];
    let mut fp = vec![0usize; k];
    let mut fn_ = vec![0usize; k];
    for (&t, &p) in truth.iter().zip(predicted) {
        if t == p {
            tp[t] += 1;
        } else {
            fp[p] += 1;
            fn_[t] += 1;
        }
    }
    let mut per_class = BTreeMap::new();
    for i in 0..k {
        let denom = 2 * tp[i] + fp[i] + fn_[i];
        // A label with no true and no predicted member has nothing to score.
        if denom > 0 {
            per_class.insert(labels[i].clone(), 2.0 * tp[i] as f64 / denom as f64);
        }
    }
    let macro_f1 = if per_class.is_empty() { 0.0 } else { per_class.values().sum::<f64>() / per_class.len() as f64 };
    let correct: usize = tp.iter().sum();
    Scores { accuracy: if truth.is_empty() { 0.0 } else { correct as f64 / truth.len() as f64 }, macro_f1, per_class }
}

/// Fold number of each item, so that every label is spread evenly over the
/// folds. Deterministic for a given seed.
pub fn stratified_folds(labels: &[&str], folds: usize, seed: u64) -> Vec<usize> {
    let folds = folds.max(2);
    let mut by_label: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, l) in labels.iter().enumerate() {
        by_label.entry(l).or_default().push(i);
    }
    let mut rng = SplitMix::new(seed);
    let mut out = vec![0; labels.len()];
    // Continue the round-robin across labels so fold sizes stay even too.
    let mut next = 0;
    for idx in by_label.values_mut() {
        rng.shuffle(idx);
        for &i in idx.iter() {
            out[i] = next % folds;
            next += 1;
        }
    }
    out
}

/// Pooled out-of-fold predictions of one stratified k-fold cross-validation.
#[derive(Debug, Clone)]
pub struct CrossValidation {
    /// Sorted distinct labels; `truth` and `predicted` index into it.
    pub labels: Vec<String>,
    pub truth: Vec<usize>,
    pub predicted: Vec<usize>,
    /// The confidence shown with each prediction.
    pub confidence: Vec<f32>,
    /// The plain softmax of the model's margins for the same prediction: the
    /// confidence before calibration, for comparison.
    pub softmax: Vec<f32>,
    /// Which example each entry of `truth` and `predicted` is.
    pub example: Vec<usize>,
    pub fold_macro_f1: Vec<f64>,
    pub train_seconds: Vec<f64>,
}

impl CrossValidation {
    pub fn scores(&self) -> Scores {
        score(&self.labels, &self.truth, &self.predicted)
    }

    /// How well the confidence shown matched how often the predictions were right, in
    /// `bins` equal bins of confidence.
    pub fn reliability(&self, bins: usize) -> Reliability {
        reliability(&self.confidence, &self.correct(), bins)
    }

    /// The same for the plain softmax.
    pub fn softmax_reliability(&self, bins: usize) -> Reliability {
        reliability(&self.softmax, &self.correct(), bins)
    }

    fn correct(&self) -> Vec<bool> {
        self.truth.iter().zip(&self.predicted).map(|(t, p)| t == p).collect()
    }

    /// Scores of the examples `keep` accepts only, such as those with a title.
    pub fn scores_of(&self, keep: impl Fn(usize) -> bool) -> Scores {
        let (truth, predicted): (Vec<usize>, Vec<usize>) = (0..self.example.len())
            .filter(|&i| keep(self.example[i]))
            .map(|i| (self.truth[i], self.predicted[i]))
            .unzip();
        score(&self.labels, &truth, &predicted)
    }
}

/// Trains `config` on all folds but one (plus `extra`, such as catalogue
/// examples, which are never predicted) and predicts that one, for every
/// fold. `fold_seed` shuffles the folds apart from the training seed, so
/// settings can be compared over several splits rather than tuned to one.
pub fn cross_validate(
    examples: &[Example<'_>],
    extra: &[Example<'_>],
    folds: usize,
    fold_seed: u64,
    config: &RouteConfig,
) -> Result<CrossValidation> {
    let folds = folds.max(2);
    let label_of: Vec<&str> = examples.iter().map(|e| e.label).collect();
    let fold_of = stratified_folds(&label_of, folds, fold_seed);
    let mut labels: Vec<String> = label_of.iter().map(|s| s.to_string()).collect();
    labels.sort();
    labels.dedup();
    let index = |label: &str| labels.iter().position(|l| l == label).unwrap_or(0);
    let mut cv = CrossValidation {
        labels: labels.clone(),
        truth: Vec::new(),
        predicted: Vec::new(),
        confidence: Vec::new(),
        softmax: Vec::new(),
        example: Vec::new(),
        fold_macro_f1: Vec::new(),
        train_seconds: Vec::new(),
    };
    for fold in 0..folds {
        let mut train: Vec<Example> =
            examples.iter().zip(&fold_of).filter(|(_, &f)| f != fold).map(|(e, _)| e.clone()).collect();
        train.extend_from_slice(extra);
        let started = std::time::Instant::now();
        let model = RoutingModel::train(&train, config)?;
        cv.train_seconds.push(started.elapsed().as_secs_f64());
        let (mut t, mut p) = (Vec::new(), Vec::new());
        for (i, e) in examples.iter().enumerate().filter(|&(i, _)| fold_of[i] == fold) {
            cv.example.push(i);
            t.push(index(e.label));
            let prediction = model.predict(e.title, e.text, 0);
            p.push(index(&prediction.label));
            cv.confidence.push(prediction.confidence);
            let margins = model.margins_of(e.title, e.text);
            let top = margins.iter().copied().fold(f32::MIN, f32::max);
            cv.softmax.push(1.0 / margins.iter().map(|m| (m - top).exp()).sum::<f32>());
        }
        cv.fold_macro_f1.push(score(&labels, &t, &p).macro_f1);
        cv.truth.extend(t);
        cv.predicted.extend(p);
    }
    Ok(cv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_f1_weighs_labels_equally() {
        let labels = vec!["a".to_string(), "b".to_string()];
        // 9 a's all right, the one b predicted as a.
        let truth = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let pred = [0; 10];
        let s = score(&labels, &truth, &pred);
        assert!((s.accuracy - 0.9).abs() < 1e-9);
        assert!((s.per_class["a"] - 18.0 / 19.0).abs() < 1e-9);
        assert_eq!(s.per_class["b"], 0.0);
        assert!((s.macro_f1 - 9.0 / 19.0).abs() < 1e-9);
    }

    #[test]
    fn folds_are_stratified() {
        let labels: Vec<&str> = (0..100).map(|i| if i < 80 { "big" } else { "small" }).collect();
        let folds = stratified_folds(&labels, 5, 3);
        for f in 0..5 {
            let small = (80..100).filter(|&i| folds[i] == f).count();
            let all = folds.iter().filter(|&&x| x == f).count();
            assert_eq!((small, all), (4, 20));
        }
    }
}
