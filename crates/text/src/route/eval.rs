//! Measuring routing: macro-F1 (the labels are unbalanced, so accuracy alone
//! flatters the big ones) and stratified cross-validation.

use std::collections::BTreeMap;

use super::linear::SplitMix;

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
