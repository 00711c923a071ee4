//! The routing model: vocabulary, IDF, one weight vector per label (trained
//! as two stacked views, see `stack`, and folded into one).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::calibration::{argmax, Calibration};
use super::explain::words_behind;
use super::features::{for_each_ngram, FeatureIndex, TITLE_BIT};
use super::handling::{Handler, Handling, HandlingCase};
use super::linear::{fit_one_vs_rest, Row, SvmParams};
use super::stack::{fit_stacked, held_out_margins, StackParams};
use crate::error::{Result, TextError};
use crate::stock::{StockFile, StockPhrases};
use crate::words::{name_words, Lexicon, LexiconFile, WordConfig};

/// Knobs of training. The defaults are the ones chosen by 5-fold
/// cross-validation on routing_train.csv over several fold splits (the
/// `route_cv` example), not on one: 0.913 ± 0.002 macro-F1 over five.
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
    /// confidence, in model files written before the confidence was calibrated
    /// on held-out messages (see `calibration`); trained models learn their own.
    pub temperature: f32,
    pub seed: u64,
    /// When the title is unknown, the first this-many characters of the text
    /// stand in for it: messages open with their title, and in most training
    /// rows title and detail come already joined.
    pub lead_chars: usize,
    /// NB-SVM: scale features by the log-ratio of their weight in and out of
    /// the label before fitting (0 turns it off); this is the smoothing mass.
    pub nb_alpha: f32,
    /// Title (or lead) n-grams count this much more than the same n-gram in
    /// the body: the title names the problem, the body adds circumstances.
    #[serde(default = "one")]
    pub title_weight: f32,
    /// Dual coordinate descent stops when the projected-gradient spread of
    /// an epoch falls below this.
    #[serde(default = "default_tolerance")]
    pub tolerance: f32,
    /// Folds of the inner cross-validation that fits the stacking combiner
    /// (see `stack`); below 2, or with fewer than 5 messages of some label
    /// per fold, the full view's one-vs-rest NB-SVM alone.
    #[serde(default)]
    pub stack_folds: usize,
}

// Model files written before these fields existed were trained without them.
fn one() -> f32 {
    1.0
}

fn default_tolerance() -> f32 {
    0.05
}

impl Default for RouteConfig {
    fn default() -> Self {
        RouteConfig {
            max_n: 2,
            min_df: 3,
            c: 1.0,
            balanced: true,
            max_epochs: 60,
            // The stacked model's margins are a logistic regression's logits.
            temperature: 1.0,
            seed: 20_200_101,
            lead_chars: 25,
            nb_alpha: 0.1,
            title_weight: 1.5,
            tolerance: 0.1,
            stack_folds: 5,
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

/// A word behind a suggestion and how much it pushed toward the chosen label.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evidence {
    pub term: String,
    pub weight: f32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Prediction {
    pub label: String,
    /// How often a suggestion made with this confidence was right on messages the model
    /// had not seen: calibrated, see `calibration`.
    pub confidence: f32,
    /// Words of the message that weighed most for the label, strongest first.
    pub explanation: Vec<Evidence>,
}

/// Serialised form. Weights are stored as integers scaled per label, which
/// keeps the JSON file a third of the size of printed floats at no cost in
/// accuracy (relative error below 1e-4).
#[derive(Serialize, Deserialize)]
struct ModelFile {
    format: String,
    config: RouteConfig,
    labels: Vec<String>,
    /// The unit that most often handled each label, when that is one particular unit;
    /// kept for readers of files without `handling`.
    unit_map: BTreeMap<String, String>,
    /// Packed n-gram keys (see `features`), as decimal strings because JSON
    /// numbers lose precision above 2^53.
    keys: Vec<String>,
    idf: Vec<f32>,
    /// Per label: scale, bias, then quantised weights in key order.
    weight_scale: Vec<f32>,
    bias: Vec<f32>,
    weights: Vec<Vec<i32>>,
    /// The words explanations are made of; files written before words were learned
    /// have none, and explain nothing.
    #[serde(default)]
    words: Option<LexiconFile>,
    /// Older files have none: their softmax at the configured temperature is shown.
    #[serde(default)]
    calibration: Option<Calibration>,
    /// Who handled each label's requests; older files know only `unit_map`.
    #[serde(default)]
    handling: Option<Handling>,
    /// The stock phrases of the training messages, for duplicate detection.
    #[serde(default)]
    stock: Option<StockFile>,
}

const FORMAT: &str = "gongzhi-routing-v1";
const QUANT: f32 = 30_000.0;

#[derive(Debug, Clone)]
pub struct RoutingModel {
    config: RouteConfig,
    labels: Vec<String>,
    keys: Vec<u64>,
    index: FeatureIndex,
    idf: Vec<f32>,
    /// IDF times the title weight where it applies: the whole per-feature
    /// factor of a TF-IDF value, so prediction does one multiply.
    scale: Vec<f32>,
    /// Feature-major: the weights of feature j for all labels sit together,
    /// so one lookup per n-gram touches one cache line.
    weights: Vec<f32>,
    /// The prediction layout of `scale` and `weights` when there are at most
    /// `LANE - 1` labels.
    lanes: Option<Vec<Lane>>,
    bias: Vec<f32>,
    handling: Handling,
    lexicon: Lexicon,
    calibration: Calibration,
    stock: StockPhrases,
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
                let mut k = Vec::with_capacity(e.text.len());
                for_each_key(e.title, e.text, config, |key| k.push(key));
                k.sort_unstable();
                k.dedup();
                k
            })
            .collect();
        let mut df: HashMap<u64, u32> = HashMap::new();
        for keys in &doc_keys {
            for &k in keys {
                *df.entry(k).or_default() += 1;
            }
        }
        let mut keys: Vec<u64> = df.iter().filter(|(_, &d)| d >= config.min_df).map(|(&k, _)| k).collect();
        keys.sort_unstable();
        let n_docs = examples.len() as f32;
        // Smoothed IDF, as if one extra message contained every n-gram.
        let idf: Vec<f32> = keys.iter().map(|k| ((1.0 + n_docs) / (1.0 + df[k] as f32)).ln() + 1.0).collect();
        drop(doc_keys);
        let mut model = RoutingModel::assemble(config.clone(), labels, keys, idf, Vec::new(), Vec::new());
        let rows: Vec<Row> = examples
            .iter()
            .map(|e| {
                let mut row = model.row(e.title, e.text);
                row.sort_unstable_by_key(|&(f, _)| f);
                row
            })
            .collect();
        let n_features = model.keys.len();
        let label_of: Vec<usize> = examples
            .iter()
            .map(|e| model.labels.iter().position(|l| l == e.label).expect("labels come from the examples"))
            .collect();
        let svm = SvmParams {
            c: config.c,
            max_epochs: config.max_epochs,
            tolerance: config.tolerance,
            bias: 1.0,
            seed: config.seed,
        };
        let k = model.labels.len();
        let mut per_label = vec![0usize; k];
        for &l in &label_of {
            per_label[l] += 1;
        }
        // The combiner learns from held-out margins; with a handful of
        // messages per label those say little, and the plain model is safer.
        let stack =
            config.stack_folds >= 2 && per_label.iter().all(|&c| c >= MIN_HELD_OUT_PER_LABEL * config.stack_folds);
        let (trained, held_out) = if stack {
            let title_feature: Vec<bool> = model.keys.iter().map(|key| key & TITLE_BIT != 0).collect();
            let p = StackParams {
                svm,
                balanced: config.balanced,
                nb_alpha: config.nb_alpha,
                folds: config.stack_folds,
                title_feature: &title_feature,
            };
            fit_stacked(&rows, &label_of, k, n_features, &p)
        } else {
            let fit = |rows: &[Row], y: &[usize]| {
                vec![fit_one_vs_rest(rows, y, k, n_features, &svm, config.balanced, config.nb_alpha)]
            };
            // Too few messages to hold some out: the plain softmax, uncalibrated.
            let held_out = if rows.len() >= MIN_HELD_OUT_PER_LABEL * CALIBRATION_FOLDS {
                held_out_margins(&rows, &label_of, CALIBRATION_FOLDS, config.seed, &fit, &|_, row| row.clone())
            } else {
                Vec::new()
            };
            (fit(&rows, &label_of).remove(0), held_out)
        };
        model.weights = trained.w;
        model.bias = trained.bias;
        if !held_out.is_empty() {
            model.calibration = Calibration::fit(&held_out, &label_of);
        }
        model.build_lanes();
        Ok(model)
    }

    /// Builds the model around its trained arrays, deriving what prediction
    /// needs (lookup table, per-feature scale) so `train` and `load` agree.
    fn assemble(
        config: RouteConfig,
        labels: Vec<String>,
        keys: Vec<u64>,
        idf: Vec<f32>,
        weights: Vec<f32>,
        bias: Vec<f32>,
    ) -> RoutingModel {
        // Most frequent (lowest IDF) first, so that the weights most messages
        // use sit together in a few pages and stay cached.
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|&a, &b| idf[a].total_cmp(&idf[b]).then(keys[a].cmp(&keys[b])));
        let n = labels.len();
        let weights = if weights.len() == keys.len() * n {
            order.iter().flat_map(|&f| weights[f * n..(f + 1) * n].iter().copied()).collect()
        } else {
            weights
        };
        let keys: Vec<u64> = order.iter().map(|&f| keys[f]).collect();
        let idf: Vec<f32> = order.iter().map(|&f| idf[f]).collect();
        let scale = keys
            .iter()
            .zip(&idf)
            .map(|(&k, &i)| if k & TITLE_BIT != 0 { i * config.title_weight } else { i })
            .collect();
        let index = FeatureIndex::new(&keys);
        let lexicon = Lexicon::default();
        let calibration = Calibration::softmax(config.temperature);
        let mut model = RoutingModel {
            index,
            config,
            labels,
            keys,
            idf,
            scale,
            weights,
            lanes: None,
            bias,
            handling: Handling::default(),
            lexicon,
            calibration,
            stock: StockPhrases::default(),
        };
        model.build_lanes();
        model
    }

    fn build_lanes(&mut self) {
        let n = self.labels.len();
        self.lanes = (n < LANE && self.weights.len() == n * self.keys.len()).then(|| {
            self.scale
                .iter()
                .enumerate()
                .map(|(f, &scale)| {
                    let mut lane = Lane::default();
                    for (l, w) in self.weights[f * n..(f + 1) * n].iter().enumerate() {
                        lane.0[l] = w * scale;
                    }
                    lane.0[LANE - 1] = scale;
                    lane
                })
                .collect()
        });
    }

    /// Collects the message's known features into `s.feats` with their
    /// unnormalised TF-IDF values in `s.vals`, sums their weights into
    /// `s.margins` (before normalising and bias), and returns 1/L2 norm.
    /// Sublinear term frequency: a word said five times is not five times the
    /// evidence; the norm keeps long messages from dominating.
    fn features(&self, title: Option<&str>, text: &str, s: &mut Scratch) -> f32 {
        if s.counts.len() < self.keys.len() {
            s.counts.resize(self.keys.len(), 0);
        }
        s.keys.clear();
        s.feats.clear();
        s.vals.clear();
        for_each_key(title, text, &self.config, |k| s.keys.push(k));
        let (counts, feats) = (&mut s.counts, &mut s.feats);
        self.index.get_all(&s.keys, |f| {
            let c = &mut counts[f as usize];
            if *c == 0 {
                feats.push(f);
            }
            *c = c.saturating_add(1);
        });
        let n = self.labels.len();
        s.margins.clear();
        s.margins.resize(n, 0.0);
        let mut sq = 0f32;
        if let Some(lanes) = &self.lanes {
            // One pass does the TF-IDF value and every label's weight at once:
            // a lane is one aligned half cache line, and the loads of successive
            // features do not wait for each other.
            let mut acc = [0f32; LANE];
            for &f in s.feats.iter() {
                let c = std::mem::take(&mut s.counts[f as usize]) as usize;
                let tf = TF.get(c).copied().unwrap_or_else(|| 1.0 + (c as f32).ln());
                let lane = &lanes[f as usize].0;
                for l in 0..LANE {
                    acc[l] += tf * lane[l];
                }
                let v = tf * lane[LANE - 1];
                sq += v * v;
                s.vals.push(v);
            }
            s.margins.copy_from_slice(&acc[..n]);
        } else {
            // While training, before there are weights, only the values count.
            let weights = if self.weights.len() == n * self.keys.len() { &self.weights[..] } else { &[] };
            for &f in s.feats.iter() {
                let c = std::mem::take(&mut s.counts[f as usize]) as usize;
                let tf = TF.get(c).copied().unwrap_or_else(|| 1.0 + (c as f32).ln());
                let v = tf * self.scale[f as usize];
                for (acc, w) in
                    s.margins.iter_mut().zip(weights.get(f as usize * n..(f as usize + 1) * n).unwrap_or(&[]))
                {
                    *acc += w * v;
                }
                sq += v * v;
                s.vals.push(v);
            }
        }
        if sq > 0.0 {
            1.0 / sq.sqrt()
        } else {
            0.0
        }
    }

    /// Normalised sparse row; for training and explanations.
    fn row(&self, title: Option<&str>, text: &str) -> Row {
        with_scratch(|s| {
            let inv = self.features(title, text, s);
            s.feats.iter().zip(&s.vals).map(|(&f, &v)| (f, v * inv)).collect()
        })
    }

    /// Margins of every label into `s.margins`.
    /// Margins of every label into `s.margins`; returns 1/L2 norm of the
    /// features left in `s.feats` and `s.vals`.
    fn margins_into(&self, title: Option<&str>, text: &str, s: &mut Scratch) -> f32 {
        let inv = self.features(title, text, s);
        for (m, b) in s.margins.iter_mut().zip(&self.bias) {
            *m = *m * inv + b;
        }
        inv
    }

    /// Label, confidence and the `explain` strongest terms for a message.
    pub fn predict(&self, title: Option<&str>, text: &str, explain: usize) -> Prediction {
        let (best, confidence, explanation) = with_scratch(|s| {
            let inv = self.margins_into(title, text, s);
            let (best, confidence) = self.calibration.confidence(&s.margins);
            (best, confidence, self.explain(title, text, s, inv, best, explain))
        });
        let label = self.labels[best].clone();
        Prediction { confidence, explanation, label }
    }

    /// Raw margin of every label, in the order of [`Self::labels`].
    pub fn margins_of(&self, title: Option<&str>, text: &str) -> Vec<f32> {
        with_scratch(|s| {
            self.margins_into(title, text, s);
            s.margins.clone()
        })
    }

    /// Only the label index; the fast path for evaluation and benchmarks.
    pub fn predict_index(&self, title: Option<&str>, text: &str) -> usize {
        with_scratch(|s| {
            self.margins_into(title, text, s);
            argmax(&s.margins)
        })
    }

    /// The `k` words of the message in `s` (as left by `margins_into`) that pushed most
    /// toward `label`; see `explain`.
    fn explain(
        &self,
        title: Option<&str>,
        text: &str,
        s: &mut Scratch,
        inv: f32,
        label: usize,
        k: usize,
    ) -> Vec<Evidence> {
        if k == 0 || self.lexicon.is_empty() {
            return Vec::new();
        }
        let n = self.labels.len();
        // The same n-gram in title and text is one piece of evidence to a reader.
        s.evidence.clear();
        for (&f, &v) in s.feats.iter().zip(&s.vals) {
            let c = self.weights.get(f as usize * n + label).map_or(0.0, |w| w * v * inv);
            s.evidence.push((self.keys[f as usize] & !TITLE_BIT, c));
        }
        s.evidence.sort_unstable_by_key(|&(key, _)| key);
        s.evidence.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 += later.1;
            }
            same
        });
        words_behind(&self.lexicon, title, text, &s.evidence, k)
    }

    /// Learns the words explanations name from the training texts, and `names` (the
    /// category catalogue's names and keywords), which are words whatever their counts.
    pub fn learn_words<'a>(&mut self, texts: impl IntoIterator<Item = &'a str>, names: &[&str]) {
        let config = WordConfig::default();
        let known: Vec<String> = names.iter().flat_map(|n| name_words(n, config.max_len)).collect();
        let known: Vec<&str> = known.iter().map(String::as_str).collect();
        self.lexicon = Lexicon::discover(texts, &known, &config);
    }

    /// The words the model explains with.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Keeps the stock phrases of the training messages with the model, so that every
    /// instance's duplicate detection gives them no weight.
    pub fn set_stock_phrases(&mut self, stock: StockPhrases) {
        self.stock = stock;
    }

    pub fn stock_phrases(&self) -> &StockPhrases {
        &self.stock
    }

    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    pub fn config(&self) -> &RouteConfig {
        &self.config
    }

    /// Learns who handles each label's requests from the history; see [`Handling`].
    pub fn learn_handling<'a>(&mut self, history: impl IntoIterator<Item = HandlingCase<'a>>) {
        self.handling = Handling::learn(history);
    }

    /// Learns from (label, unit) history pairs which unit handled each label most
    /// often, wherever its requests were; ties go to the alphabetically first unit so
    /// the result does not depend on input order.
    pub fn learn_units<'a>(&mut self, history: impl IntoIterator<Item = (&'a str, &'a str)>) {
        self.learn_handling(history.into_iter().map(|(label, unit)| HandlingCase {
            label,
            kind: None,
            handler: Handler::Unit(unit.to_string()),
        }));
    }

    /// Who most often handled `label` (of `kind`); see [`Handling::handler`].
    pub fn handler_for(&self, label: &str, kind: Option<&str>, local_only: bool) -> Option<Handler> {
        self.handling.handler(label, kind, local_only)
    }

    /// The one unit that most often handled `label`, if that is a particular unit.
    pub fn unit_for(&self, label: &str) -> Option<&str> {
        self.handling.unit_for(label)
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
            unit_map: self
                .labels
                .iter()
                .filter_map(|l| Some((l.clone(), self.handling.unit_for(l)?.to_string())))
                .collect(),
            keys: self.keys.iter().map(u64::to_string).collect(),
            idf: self.idf.clone(),
            weight_scale,
            bias: self.bias.clone(),
            weights,
            words: (!self.lexicon.is_empty()).then(|| self.lexicon.file().clone()),
            calibration: Some(self.calibration.clone()),
            handling: Some(self.handling.clone()),
            stock: (!self.stock.is_empty()).then(|| self.stock.to_file()),
        };
        let json =
            serde_json::to_vec(&file).map_err(|e| TextError::Model { path: path.into(), detail: e.to_string() })?;
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
        if file.idf.len() != m
            || file.weights.len() != n
            || file.bias.len() != n
            || file.weight_scale.len() != n
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
        let mut model = RoutingModel::assemble(file.config, file.labels, keys, file.idf, weights, file.bias);
        model.handling = match file.handling {
            Some(handling) => handling,
            None => Handling::learn(file.unit_map.iter().map(|(label, unit)| HandlingCase {
                label,
                kind: None,
                handler: Handler::Unit(unit.clone()),
            })),
        };
        model.lexicon = file.words.map(Lexicon::from_file).unwrap_or_default();
        if let Some(calibration) = file.calibration {
            model.calibration = calibration;
        }
        model.stock = file.stock.as_ref().map(StockPhrases::from_file).unwrap_or_default();
        Ok(model)
    }
}

/// Every feature key of one message: n-grams of the whole text and n-grams
/// of its title (or lead) again under [`TITLE_BIT`].
fn for_each_key(title: Option<&str>, text: &str, config: &RouteConfig, mut emit: impl FnMut(u64)) {
    for_each_ngram(text, config.max_n, 0, &mut emit);
    match title {
        Some(t) => for_each_ngram(t, config.max_n, TITLE_BIT, &mut emit),
        None if config.lead_chars > 0 => {
            let lead = text.char_indices().nth(config.lead_chars).map_or(text, |(i, _)| &text[..i]);
            for_each_ngram(lead, config.max_n, TITLE_BIT, &mut emit);
        }
        None => {}
    }
}

/// Stacking needs at least this many messages of every label in each inner
/// fold; see [`RouteConfig::stack_folds`].
const MIN_HELD_OUT_PER_LABEL: usize = 5;

/// Folds that give the held-out margins the confidence is calibrated on, when the
/// model is not stacked (a stacked model's inner folds give them already).
const CALIBRATION_FOLDS: usize = 5;

/// Floats in a [`Lane`]: up to seven labels' weights, then the feature's scale.
const LANE: usize = 8;

/// One feature's weights for every label, pre-multiplied by its scale (IDF
/// times title weight), with the scale itself last; for models of up to
/// seven labels, the first-level categories' usual count. Aligned so one
/// lane never straddles two cache lines.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct Lane([f32; LANE]);

/// 1 + ln(tf) for small counts, which are nearly all of them.
static TF: [f32; 16] = [
    0.0,
    1.0,
    1.693_147_2,
    2.098_612_3,
    2.386_294_4,
    2.609_438,
    2.791_759_5,
    2.945_910_2,
    3.079_441_5,
    3.197_224_6,
    3.302_585,
    3.397_895_3,
    3.484_906_6,
    3.564_949_4,
    3.639_057_3,
    3.708_05,
];

/// Per-thread buffers reused across predictions, so predicting allocates
/// nothing but the returned label. `counts` is indexed by feature and always
/// left zeroed.
#[derive(Default)]
struct Scratch {
    keys: Vec<u64>,
    /// Term (key without the title bit) and its contribution, for explaining.
    evidence: Vec<(u64, f32)>,
    counts: Vec<u16>,
    feats: Vec<u32>,
    vals: Vec<f32>,
    margins: Vec<f32>,
}

fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
    }
    SCRATCH.with(|s| f(&mut s.borrow_mut()))
}
