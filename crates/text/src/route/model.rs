//! The routing model: vocabulary, IDF, one weight vector per label.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::features::{key_to_term, push_ngrams, KeyTable, TITLE_BIT};
use super::linear::{train_binary, Row, SvmParams};
use crate::error::{Result, TextError};

/// Knobs of training. The defaults are the ones chosen by 5-fold
/// cross-validation on routing_train.csv (see `commands::cross_validate`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RouteConfig {
    /// Longest character n-gram (1..=3).
    pub max_n: usize,
    /// N-grams seen in fewer training messages than this are dropped.
    pub min_df: u32,
    /// SVM regularisation: larger fits the training data more closely.
    pub c: f32,
    /// Weigh each label inversely to its size, so small labels (交通运输)
    /// are not sacrificed for macro-F1.
    pub balanced: bool,
    pub max_epochs: usize,
    /// Margins are multiplied by this before the softmax that gives the
    /// confidence; fitted so that confidence roughly matches accuracy.
    pub temperature: f32,
    pub seed: u64,
    /// When the title is unknown, the first this-many characters of the text
    /// stand in for it: messages open with their title, and in most training
    /// rows title and detail come already joined.
    pub lead_chars: usize,
    /// NB-SVM: scale features by the log-ratio of their weight in and out of
    /// the label before fitting (0 turns it off); this is the smoothing mass.
    pub nb_alpha: f32,
    #[serde(default = "one")]
    pub title_weight: f32,
    #[serde(default = "tol")]
    pub tolerance: f32,
    #[serde(default)]
    pub cnb_weight: f32,
    #[serde(default = "one")]
    pub cnb_alpha: f32,
}
fn one() -> f32 { 1.0 }
fn tol() -> f32 { 0.05 }

impl Default for RouteConfig {
    fn default() -> Self {
        RouteConfig {
            max_n: 2,
            min_df: 3,
            c: 1.0,
            balanced: true,
            max_epochs: 60,
            temperature: 3.0,
            seed: 20_200_101,
            lead_chars: 25,
            nb_alpha: 0.05,
            title_weight: 1.0,
            tolerance: 0.05,
            cnb_weight: 0.0,
            cnb_alpha: 1.0,
        }
    }
}

/// One labelled example for training.
#[derive(Debug, Clone)]
pub struct Example<'a> {
    pub title: Option<&'a str>,
    pub text: &'a str,
    pub label: &'a str,
}

/// A term behind a suggestion and how much it pushed toward the chosen label.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evidence {
    pub term: String,
    pub weight: f32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Prediction {
    pub label: String,
    /// Softmax over the labels' margins; about how often such a suggestion is right.
    pub confidence: f32,
    /// Terms that weighed most for the label, strongest first.
    pub explanation: Vec<Evidence>,
    /// Unit that most often handled this label in history, if the model knows it.
    pub unit: Option<String>,
}

/// Serialised form. Weights are stored as integers scaled per label, which
/// keeps the JSON file a third of the size of printed floats at no cost in
/// accuracy (relative error below 1e-4).
#[derive(Serialize, Deserialize)]
struct ModelFile {
    format: String,
    config: RouteConfig,
    labels: Vec<String>,
    unit_map: BTreeMap<String, String>,
    /// Packed n-gram keys (see `features`), as decimal strings because JSON
    /// numbers lose precision above 2^53.
    keys: Vec<String>,
    idf: Vec<f32>,
    /// Per label: scale, bias, then quantised weights in key order.
    weight_scale: Vec<f32>,
    bias: Vec<f32>,
    weights: Vec<Vec<i32>>,
}

const FORMAT: &str = "gongzhi-routing-v1";
const QUANT: f32 = 30_000.0;

#[derive(Debug, Clone)]
pub struct RoutingModel {
    config: RouteConfig,
    labels: Vec<String>,
    keys: Vec<u64>,
    table: KeyTable,
    idf: Vec<f32>,
    /// Feature-major: the weights of feature j for all labels sit together,
    /// so one lookup per n-gram touches one cache line.
    weights: Vec<f32>,
    bias: Vec<f32>,
    unit_map: BTreeMap<String, String>,
}

impl RoutingModel {
    pub fn train(examples: &[Example<'_>], config: &RouteConfig) -> Result<RoutingModel> {
        if examples.is_empty() {
            return Err(TextError::Training("no labelled examples".into()));
        }
        let mut labels: Vec<String> = examples.iter().map(|e| e.label.to_string()).collect();
        labels.sort();
        labels.dedup();
        if labels.len() < 2 {
            return Err(TextError::Training("need at least two labels".into()));
        }
        let doc_keys: Vec<Vec<u64>> = examples
            .iter()
            .map(|e| {
                let mut k = message_keys(e.title, e.text, config);
                k.sort_unstable();
                k
            })
            .collect();
        let mut df: HashMap<u64, u32> = HashMap::new();
        for keys in &doc_keys {
            let mut prev = None;
            for &k in keys {
                if prev != Some(k) {
                    *df.entry(k).or_default() += 1;
                }
                prev = Some(k);
            }
        }
        let mut keys: Vec<u64> = df.iter().filter(|(_, &d)| d >= config.min_df).map(|(&k, _)| k).collect();
        keys.sort_unstable();
        let n_docs = examples.len() as f32;
        // Smoothed IDF, as if one extra message contained every n-gram.
        let idf: Vec<f32> = keys.iter().map(|k| ((1.0 + n_docs) / (1.0 + df[k] as f32)).ln() + 1.0).collect();
        let mut model = RoutingModel {
            config: config.clone(),
            table: KeyTable::new(&keys),
            labels,
            keys,
            idf,
            weights: Vec::new(),
            bias: Vec::new(),
            unit_map: BTreeMap::new(),
        };
        let rows: Vec<Row> = doc_keys.iter().map(|k| model.row_from_sorted(k)).collect();
        let n_features = model.keys.len();
        let n_labels = model.labels.len();
        model.weights = vec![0.0; n_features * n_labels];
        model.bias = vec![0.0; n_labels];
        let params = SvmParams { c: config.c, max_epochs: config.max_epochs, tolerance: config.tolerance, bias: 1.0, seed: config.seed };
        for (li, label) in model.labels.clone().iter().enumerate() {
            let positive: Vec<bool> = examples.iter().map(|e| e.label == label).collect();
            let n_pos = positive.iter().filter(|&&p| p).count() as f32;
            // Balanced: positives and negatives carry equal total weight.
            let cost: Vec<f32> = positive
                .iter()
                .map(|&p| match (config.balanced, p) {
                    (false, _) => 1.0,
                    (true, true) => n_docs / (2.0 * n_pos),
                    (true, false) => n_docs / (2.0 * (n_docs - n_pos)),
                })
                .collect();
            let ratio = (config.nb_alpha > 0.0).then(|| nb_ratio(&rows, &positive, n_features, config.nb_alpha));
            let w = match &ratio {
                None => train_binary(&rows, &positive, &cost, n_features, &params),
                Some(r) => {
                    let scaled: Vec<Row> =
                        rows.iter().map(|row| row.iter().map(|&(j, v)| (j, v * r[j as usize])).collect()).collect();
                    train_binary(&scaled, &positive, &cost, n_features, &params)
                }
            };
            for j in 0..n_features {
                // The scaling is linear, so it folds into the weights.
                model.weights[j * n_labels + li] = w[j] * ratio.as_ref().map_or(1.0, |r| r[j]);
            }
            model.bias[li] = w[n_features];
        }
        if config.cnb_weight > 0.0 {
            let labels_idx: Vec<usize> = examples.iter().map(|e| model.labels.iter().position(|l| l == e.label).unwrap()).collect();
            let cnb = cnb_weights(&rows, &labels_idx, n_features, n_labels, config.cnb_alpha);
            for j in 0..n_features {
                let w = &cnb[j * n_labels..(j + 1) * n_labels];
                let mean = w.iter().sum::<f32>() / n_labels as f32;
                for li in 0..n_labels {
                    model.weights[j * n_labels + li] += config.cnb_weight * (w[li] - mean);
                }
            }
        }
        Ok(model)
    }

    /// Sparse TF-IDF row of a message whose keys are sorted: sublinear term
    /// frequency (a word said five times is not five times the evidence),
    /// then L2 normalisation so long messages do not dominate.
    fn row_from_sorted(&self, sorted_keys: &[u64]) -> Row {
        let mut row: Row = Vec::with_capacity(sorted_keys.len() / 2);
        let mut i = 0;
        while i < sorted_keys.len() {
            let k = sorted_keys[i];
            let mut j = i + 1;
            while j < sorted_keys.len() && sorted_keys[j] == k {
                j += 1;
            }
            if let Some(f) = self.table.get(k) {
                let tw = if k & TITLE_BIT != 0 { self.config.title_weight } else { 1.0 };
                row.push((f, tw * (1.0 + ((j - i) as f32).ln()) * self.idf[f as usize]));
            }
            i = j;
        }
        row.sort_unstable_by_key(|&(f, _)| f);
        normalise(&mut row);
        row
    }

    fn row(&self, title: Option<&str>, text: &str) -> Row {
        // Count n-grams per feature in a reusable per-thread array instead of
        // sorting them: prediction is on the intake path, and the sort was a
        // fifth of its time.
        thread_local! {
            static COUNTS: std::cell::RefCell<Vec<u16>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        COUNTS.with(|counts| {
            let mut counts = counts.borrow_mut();
            if counts.len() < self.keys.len() {
                counts.resize(self.keys.len(), 0);
            }
            let mut row: Row = Vec::new();
            for k in message_keys(title, text, &self.config) {
                if let Some(f) = self.table.get(k) {
                    let c = &mut counts[f as usize];
                    if *c == 0 {
                        row.push((f, 0.0));
                    }
                    *c = c.saturating_add(1);
                }
            }
            for (f, v) in row.iter_mut() {
                let c = std::mem::take(&mut counts[*f as usize]);
                let tw = if self.keys[*f as usize] & TITLE_BIT != 0 { self.config.title_weight } else { 1.0 };
                *v = tw * (1.0 + (c as f32).ln()) * self.idf[*f as usize];
            }
            normalise(&mut row);
            row
        })
    }

    fn margins(&self, row: &Row) -> Vec<f32> {
        let n = self.labels.len();
        let mut m = self.bias.clone();
        for &(f, v) in row {
            let w = &self.weights[f as usize * n..(f as usize + 1) * n];
            for (acc, wi) in m.iter_mut().zip(w) {
                *acc += wi * v;
            }
        }
        m
    }

    /// Label, confidence and the `explain` strongest terms for a message.
    pub fn predict(&self, title: Option<&str>, text: &str, explain: usize) -> Prediction {
        let row = self.row(title, text);
        let margins = self.margins(&row);
        let (best, _) = margins
            .iter()
            .enumerate()
            .fold((0, f32::MIN), |acc, (i, &m)| if m > acc.1 { (i, m) } else { acc });
        let t = self.config.temperature;
        let top = margins[best];
        let z: f32 = margins.iter().map(|m| ((m - top) * t).exp()).sum();
        let label = self.labels[best].clone();
        Prediction {
            confidence: 1.0 / z,
            explanation: self.explain(&row, best, explain),
            unit: self.unit_map.get(&label).cloned(),
            label,
        }
    }

    /// Raw margin of every label, in the order of [`Self::labels`].
    pub fn margins_of(&self, title: Option<&str>, text: &str) -> Vec<f32> {
        self.margins(&self.row(title, text))
    }

    /// Only the label index; the fast path for evaluation and benchmarks.
    pub fn predict_index(&self, title: Option<&str>, text: &str) -> usize {
        let margins = self.margins(&self.row(title, text));
        let mut best = 0;
        for (i, &m) in margins.iter().enumerate() {
            if m > margins[best] {
                best = i;
            }
        }
        best
    }

    fn explain(&self, row: &Row, label: usize, k: usize) -> Vec<Evidence> {
        if k == 0 {
            return Vec::new();
        }
        let n = self.labels.len();
        // The same n-gram in title and text is one piece of evidence to a reader.
        let mut by_term: HashMap<String, f32> = HashMap::new();
        for &(f, v) in row {
            let c = self.weights[f as usize * n + label] * v;
            if c > 0.0 {
                *by_term.entry(key_to_term(self.keys[f as usize]).0).or_default() += c;
            }
        }
        let mut ev: Vec<Evidence> = by_term.into_iter().map(|(term, weight)| Evidence { term, weight }).collect();
        ev.sort_by(|a, b| b.weight.total_cmp(&a.weight).then_with(|| a.term.cmp(&b.term)));
        // A bigram and its own characters say the same thing; keep the longer.
        let mut kept: Vec<Evidence> = Vec::new();
        for e in ev {
            if kept.iter().any(|k| k.term.contains(&e.term)) {
                continue;
            }
            kept.push(e);
            if kept.len() == k {
                break;
            }
        }
        kept
    }

    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    pub fn config(&self) -> &RouteConfig {
        &self.config
    }

    /// Learns which unit handled each label most often from (label, unit)
    /// history pairs; ties go to the alphabetically first unit so the result
    /// does not depend on input order.
    pub fn learn_units<'a>(&mut self, history: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let mut counts: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
        for (label, unit) in history {
            *counts.entry(label).or_default().entry(unit).or_default() += 1;
        }
        self.unit_map = counts
            .into_iter()
            .filter_map(|(label, units)| {
                units
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|(unit, _)| (label.to_string(), unit.to_string()))
            })
            .collect();
    }

    pub fn unit_for(&self, label: &str) -> Option<&str> {
        self.unit_map.get(label).map(String::as_str)
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        let n = self.labels.len();
        let mut weight_scale = Vec::with_capacity(n);
        let mut weights = Vec::with_capacity(n);
        for li in 0..n {
            let max = (0..self.keys.len()).map(|j| self.weights[j * n + li].abs()).fold(0f32, f32::max);
            let scale = if max > 0.0 { max / QUANT } else { 1.0 };
            weight_scale.push(scale);
            weights.push((0..self.keys.len()).map(|j| (self.weights[j * n + li] / scale).round() as i32).collect());
        }
        let file = ModelFile {
            format: FORMAT.into(),
            config: self.config.clone(),
            labels: self.labels.clone(),
            unit_map: self.unit_map.clone(),
            keys: self.keys.iter().map(u64::to_string).collect(),
            idf: self.idf.clone(),
            weight_scale,
            bias: self.bias.clone(),
            weights,
        };
        let json = serde_json::to_vec(&file).map_err(|e| TextError::Model { path: path.into(), detail: e.to_string() })?;
        std::fs::write(path, json).map_err(|source| TextError::Io { path: path.into(), source })
    }

    pub fn load(path: &Path) -> Result<RoutingModel> {
        let bad = |detail: String| TextError::Model { path: path.into(), detail };
        let bytes = std::fs::read(path).map_err(|source| TextError::Io { path: path.into(), source })?;
        let file: ModelFile = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
        if file.format != FORMAT {
            return Err(bad(format!("format {:?}, expected {FORMAT:?}", file.format)));
        }
        let n = file.labels.len();
        let m = file.keys.len();
        if file.idf.len() != m || file.weights.len() != n || file.bias.len() != n || file.weight_scale.len() != n
            || file.weights.iter().any(|w| w.len() != m)
        {
            return Err(bad("array lengths disagree".into()));
        }
        let keys: Vec<u64> = file
            .keys
            .iter()
            .map(|k| k.parse::<u64>().map_err(|e| bad(format!("key {k}: {e}"))))
            .collect::<Result<_>>()?;
        let mut weights = vec![0f32; n * m];
        for (li, w) in file.weights.iter().enumerate() {
            for (j, &q) in w.iter().enumerate() {
                weights[j * n + li] = q as f32 * file.weight_scale[li];
            }
        }
        Ok(RoutingModel {
            config: file.config,
            labels: file.labels,
            table: KeyTable::new(&keys),
            keys,
            idf: file.idf,
            weights,
            bias: file.bias,
            unit_map: file.unit_map,
        })
    }
}

/// All features of one message: n-grams of the whole text and n-grams of its
/// title (or lead) again under [`TITLE_BIT`].
fn message_keys(title: Option<&str>, text: &str, config: &RouteConfig) -> Vec<u64> {
    let mut keys = Vec::with_capacity(text.len());
    push_ngrams(text, config.max_n, 0, &mut keys);
    match title {
        Some(t) => push_ngrams(t, config.max_n, TITLE_BIT, &mut keys),
        None if config.lead_chars > 0 => {
            let lead = text.char_indices().nth(config.lead_chars).map_or(text, |(i, _)| &text[..i]);
            push_ngrams(lead, config.max_n, TITLE_BIT, &mut keys);
        }
        None => {}
    }
    keys
}

/// Per-feature |log-ratio| of its share among positives to its share among
/// negatives, as in Wang & Manning's NB-SVM; features typical of either side
/// get larger values, neutral ones shrink toward zero.
fn nb_ratio(rows: &[Row], positive: &[bool], n_features: usize, alpha: f32) -> Vec<f32> {
    let mut p = vec![alpha; n_features];
    let mut q = vec![alpha; n_features];
    for (row, &pos) in rows.iter().zip(positive) {
        let target = if pos { &mut p } else { &mut q };
        for &(j, v) in row {
            target[j as usize] += v;
        }
    }
    let (sp, sq) = (p.iter().sum::<f32>(), q.iter().sum::<f32>());
    p.iter().zip(&q).map(|(a, b)| ((a / sp) / (b / sq)).ln().abs()).collect()
}

/// Complement naive Bayes (Rennie et al. 2003): each label scored by how
/// unlikely the message is under the other labels' word distribution, with
/// weights normalised per label so long-tailed labels do not dominate.
fn cnb_weights(rows: &[Row], labels: &[usize], n_features: usize, n_labels: usize, alpha: f32) -> Vec<f32> {
    let mut per = vec![0f64; n_features * n_labels];
    let mut total = vec![0f64; n_features];
    for (row, &l) in rows.iter().zip(labels) {
        for &(j, v) in row {
            per[j as usize * n_labels + l] += v as f64;
            total[j as usize] += v as f64;
        }
    }
    let mut out = vec![0f32; n_features * n_labels];
    for li in 0..n_labels {
        let comp: Vec<f64> = (0..n_features).map(|j| total[j] - per[j * n_labels + li] + alpha as f64).collect();
        let sum: f64 = comp.iter().sum();
        let logs: Vec<f64> = comp.iter().map(|c| (c / sum).ln()).collect();
        let norm: f64 = logs.iter().map(|l| l.abs()).sum::<f64>() / n_features as f64;
        for j in 0..n_features {
            out[j * n_labels + li] = (-logs[j] / norm) as f32;
        }
    }
    out
}

fn normalise(row: &mut Row) {
    let norm = row.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, v) in row.iter_mut() {
            *v /= norm;
        }
    }
}
