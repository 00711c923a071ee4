//! Confidence that means what it says: of the suggestions shown at 80 %, about 80 % right.
//!
//! A classifier's softmax is a score, not a probability: an SVM's margins give a flat
//! one (every suggestion near 1/k), a model that fits its training data closely a
//! sharp one. So the model's scores on messages it was not trained on (out of fold) fix
//! two things: a temperature for the softmax (the one that makes those messages' labels
//! most likely), and then an isotonic map from the top probability to the share of such
//! predictions that were right. Neither changes which label wins.
//!
//! [`reliability`] measures the result: per confidence bin, how many predictions, their
//! mean confidence and their accuracy, and the expected calibration error (the bins'
//! gaps between confidence and accuracy, weighted by their counts).

use serde::{Deserialize, Serialize};

/// How margins become a confidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Margins are multiplied by this before the softmax.
    pub temperature: f32,
    /// (top softmax probability, share right) points, both increasing; between them the
    /// map is linear, beyond them flat. Empty: the softmax itself.
    pub curve: Vec<(f32, f32)>,
}

impl Calibration {
    /// The plain softmax at `temperature`, for models that learned no calibration.
    pub fn softmax(temperature: f32) -> Calibration {
        Calibration { temperature, curve: Vec::new() }
    }

    /// Fits the temperature and the map on out-of-fold margins (`margins[i]` the scores of
    /// every label for message i, `truth[i]` its label).
    pub fn fit(margins: &[Vec<f32>], truth: &[usize]) -> Calibration {
        let temperature = fit_temperature(margins, truth);
        let plain = Calibration::softmax(temperature);
        let mut points: Vec<(f32, f32)> = margins
            .iter()
            .zip(truth)
            .map(|(m, &t)| {
                let (best, p) = plain.top(m);
                (p, if best == t { 1.0 } else { 0.0 })
            })
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        Calibration { temperature, curve: isotonic(&points) }
    }

    /// The winning label and its softmax probability, before the map.
    fn top(&self, margins: &[f32]) -> (usize, f32) {
        let best = argmax(margins);
        let top = margins[best];
        let z: f32 = margins.iter().map(|m| ((m - top) * self.temperature).exp()).sum();
        (best, 1.0 / z)
    }

    /// The winning label and the confidence to show for it.
    pub fn confidence(&self, margins: &[f32]) -> (usize, f32) {
        let (best, p) = self.top(margins);
        (best, self.map(p))
    }

    fn map(&self, p: f32) -> f32 {
        let curve = &self.curve;
        let Some(&(x0, y0)) = curve.first() else { return p };
        if p <= x0 {
            return y0;
        }
        for w in curve.windows(2) {
            let ((xa, ya), (xb, yb)) = (w[0], w[1]);
            if p <= xb {
                return if xb > xa { ya + (yb - ya) * (p - xa) / (xb - xa) } else { yb };
            }
        }
        curve[curve.len() - 1].1
    }
}

/// The first label of the highest margin.
pub(super) fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &m) in v.iter().enumerate() {
        if m > v[best] {
            best = i;
        }
    }
    best
}

/// Mean negative log-likelihood of the true labels under the softmax at `t`.
fn nll(margins: &[Vec<f32>], truth: &[usize], t: f32) -> f64 {
    let total: f64 = margins
        .iter()
        .zip(truth)
        .map(|(m, &y)| {
            let top = m.iter().copied().fold(f32::MIN, f32::max);
            let z: f64 = m.iter().map(|v| f64::from((v - top) * t).exp()).sum();
            z.ln() - f64::from((m[y] - top) * t)
        })
        .sum();
    total / margins.len().max(1) as f64
}

/// The temperature that makes the true labels most likely: the likelihood is unimodal
/// in it, so a golden-section search over its logarithm finds it.
fn fit_temperature(margins: &[Vec<f32>], truth: &[usize]) -> f32 {
    if margins.is_empty() {
        return 1.0;
    }
    let f = |log_t: f64| nll(margins, truth, log_t.exp() as f32);
    let (mut a, mut b) = (-5.0f64, 5.0f64);
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut c, mut d) = (b - ratio * (b - a), a + ratio * (b - a));
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..60 {
        if fc < fd {
            (b, d, fd) = (d, c, fc);
            c = b - ratio * (b - a);
            fc = f(c);
        } else {
            (a, c, fc) = (c, d, fd);
            d = a + ratio * (b - a);
            fd = f(d);
        }
    }
    ((a + b) / 2.0).exp() as f32
}

/// Pool-adjacent-violators on (probability, right) points sorted by probability: the
/// increasing step function closest to them, as one point per block (mean probability,
/// share right). Each block's share is pulled slightly toward one half, so that a block
/// of a few messages that were all right does not promise certainty.
fn isotonic(points: &[(f32, f32)]) -> Vec<(f32, f32)> {
    // (sum of probabilities, sum of rights, count)
    let mut blocks: Vec<(f64, f64, f64)> = Vec::new();
    for &(p, y) in points {
        blocks.push((f64::from(p), f64::from(y), 1.0));
        while blocks.len() >= 2 {
            let (b, a) = (blocks[blocks.len() - 1], blocks[blocks.len() - 2]);
            if a.1 / a.2 < b.1 / b.2 {
                break;
            }
            blocks.pop();
            let last = blocks.len() - 1;
            blocks[last] = (a.0 + b.0, a.1 + b.1, a.2 + b.2);
        }
    }
    let mut curve: Vec<(f32, f32)> = Vec::with_capacity(blocks.len());
    for (sp, sy, n) in blocks {
        let share = ((sy + 0.5) / (n + 1.0)) as f32;
        let share = curve.last().map_or(share, |&(_, prev): &(f32, f32)| share.max(prev));
        curve.push(((sp / n) as f32, share));
    }
    curve
}

/// One confidence bin of a reliability table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    pub from: f32,
    pub to: f32,
    pub count: usize,
    pub mean_confidence: f64,
    pub accuracy: f64,
}

/// How well confidence matches accuracy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reliability {
    pub bins: Vec<Bin>,
    /// Expected calibration error: Σ (count / total) · |accuracy − mean confidence|.
    pub ece: f64,
    pub count: usize,
    pub accuracy: f64,
}

/// The reliability table of predictions with `confidence`, `correct` or not, in `bins`
/// equal bins of confidence (the last one includes 1).
pub fn reliability(confidence: &[f32], correct: &[bool], bins: usize) -> Reliability {
    let bins = bins.max(1);
    let mut table: Vec<Bin> = (0..bins)
        .map(|b| Bin {
            from: b as f32 / bins as f32,
            to: (b + 1) as f32 / bins as f32,
            count: 0,
            mean_confidence: 0.0,
            accuracy: 0.0,
        })
        .collect();
    for (&c, &right) in confidence.iter().zip(correct) {
        let b = ((c * bins as f32) as usize).min(bins - 1);
        table[b].count += 1;
        table[b].mean_confidence += f64::from(c);
        table[b].accuracy += f64::from(u8::from(right));
    }
    let total = confidence.len().min(correct.len());
    let mut ece = 0.0;
    for bin in &mut table {
        if bin.count > 0 {
            bin.mean_confidence /= bin.count as f64;
            bin.accuracy /= bin.count as f64;
            ece += bin.count as f64 / total as f64 * (bin.accuracy - bin.mean_confidence).abs();
        }
    }
    let right = correct.iter().take(total).filter(|&&r| r).count();
    Reliability { bins: table, ece, count: total, accuracy: if total == 0 { 0.0 } else { right as f64 / total as f64 } }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::SplitMix;

    /// Three labels; the right one's margin is `signal` ahead on average, with noise, so
    /// that some predictions are wrong and the raw margins are on an arbitrary scale.
    fn scores(n: usize, signal: f32, scale: f32, seed: u64) -> (Vec<Vec<f32>>, Vec<usize>) {
        let mut rng = SplitMix::new(seed);
        let mut uniform = || (rng.next_u64() >> 11) as f32 / (1u64 << 53) as f32;
        let mut margins = Vec::new();
        let mut truth = Vec::new();
        for i in 0..n {
            let y = i % 3;
            let strength = signal * uniform() * 2.0;
            let m: Vec<f32> =
                (0..3).map(|l| scale * (if l == y { strength } else { 0.0 } + 2.0 * (uniform() - 0.5))).collect();
            margins.push(m);
            truth.push(y);
        }
        (margins, truth)
    }

    fn ece_of(c: &Calibration, margins: &[Vec<f32>], truth: &[usize]) -> f64 {
        let (conf, right): (Vec<f32>, Vec<bool>) = margins
            .iter()
            .zip(truth)
            .map(|(m, &y)| {
                let (best, p) = c.confidence(m);
                (p, best == y)
            })
            .unzip();
        reliability(&conf, &right, 10).ece
    }

    #[test]
    fn flat_scores_are_stretched_until_confidence_matches_accuracy() {
        // Margins a tenth of their natural scale: the plain softmax says ~40 % throughout.
        let (fit_m, fit_y) = scores(3_000, 1.5, 0.1, 1);
        let (test_m, test_y) = scores(3_000, 1.5, 0.1, 2);
        let plain = Calibration::softmax(1.0);
        let fitted = Calibration::fit(&fit_m, &fit_y);
        assert!(fitted.temperature > 3.0, "{}", fitted.temperature);
        let (before, after) = (ece_of(&plain, &test_m, &test_y), ece_of(&fitted, &test_m, &test_y));
        assert!(before > 0.15, "the plain softmax is off: {before}");
        assert!(after < 0.04, "calibrated on other messages: {after}");
        // The label never changes, only the confidence.
        for m in &test_m {
            assert_eq!(plain.confidence(m).0, fitted.confidence(m).0);
        }
    }

    #[test]
    fn the_map_rises_with_the_score_and_stays_a_probability() {
        let (m, y) = scores(2_000, 1.0, 3.0, 5);
        let c = Calibration::fit(&m, &y);
        assert!(c.curve.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1), "{:?}", c.curve);
        let mut last = 0.0;
        for i in 0..=100 {
            let p = c.map(i as f32 / 100.0);
            assert!((0.0..=1.0).contains(&p) && p >= last - 1e-6);
            last = p;
        }
        // A few messages that were all right do not make a promise of certainty.
        let sure = Calibration::fit(&[vec![5.0, 0.0], vec![6.0, 0.0]], &[0, 0]);
        assert!(sure.confidence(&[9.0, 0.0]).1 < 0.9);
    }

    #[test]
    fn the_reliability_table_counts_each_bin() {
        let conf = [0.95, 0.92, 0.85, 0.15, 1.0];
        let right = [true, false, true, false, true];
        let r = reliability(&conf, &right, 10);
        assert_eq!((r.count, r.bins[9].count, r.bins[8].count, r.bins[1].count), (5, 3, 1, 1));
        assert!((r.bins[9].accuracy - 2.0 / 3.0).abs() < 1e-9);
        let want = (3.0 * (0.956_666 - 2.0 / 3.0) + (1.0 - 0.85) + 0.15) / 5.0;
        assert!((r.ece - want).abs() < 1e-4, "{} vs {want}", r.ece);
        assert!((r.accuracy - 0.6).abs() < 1e-9);
    }
}
