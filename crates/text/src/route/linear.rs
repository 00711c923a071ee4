//! One-vs-rest linear SVMs trained by dual coordinate descent.
//!
//! This is the L2-regularised, squared-hinge-loss SVM solved in the dual, one
//! coordinate at a time (Hsieh et al., ICML 2008). On a few thousand short
//! texts it converges in tens of passes, well under a second per class, and
//! has no learning rate to tune, only C.

/// Sparse rows: feature index and value, sorted by index, L2-normalised.
pub type Row = Vec<(u32, f32)>;

/// Small, seedable generator so training is reproducible without a crate.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct SvmParams {
    pub c: f32,
    pub max_epochs: usize,
    pub tolerance: f32,
    /// Value of the constant feature that carries the bias. Like liblinear, the
    /// bias is regularised too; 1 keeps it on the scale of normalised rows.
    pub bias: f32,
    pub seed: u64,
}

/// Sparse rows packed one after another, for training: row `i` holds
/// `index[start[i]..start[i + 1]]` and the values at the same positions.
#[derive(Debug, Clone)]
pub struct Csr {
    start: Vec<usize>,
    index: Vec<u32>,
    value: Vec<f32>,
}

impl Csr {
    pub fn new(rows: &[Row]) -> Csr {
        let nnz = rows.iter().map(Vec::len).sum();
        let mut m = Csr {
            start: Vec::with_capacity(rows.len() + 1),
            index: Vec::with_capacity(nnz),
            value: Vec::with_capacity(nnz),
        };
        m.start.push(0);
        for row in rows {
            for &(j, v) in row {
                m.index.push(j);
                m.value.push(v);
            }
            m.start.push(m.index.len());
        }
        m
    }

    pub fn len(&self) -> usize {
        self.start.len() - 1
    }
}

/// Weights of one binary classifier on the rows of `x` with values `values`
/// (`x`'s own, or rescaled ones at the same positions); the last entry is
/// the bias weight.
///
/// Like liblinear, examples whose constraint has stayed slack are set aside
/// ("shrinking") and checked again once the rest has converged: most
/// negatives are far from the margin, and skipping them makes training
/// several times faster.
pub fn train_binary(
    x: &Csr,
    values: &[f32],
    positive: &[bool],
    cost: &[f32],
    n_features: usize,
    p: &SvmParams,
) -> Vec<f32> {
    let n = x.len();
    let row = |i: usize| (&x.index[x.start[i]..x.start[i + 1]], &values[x.start[i]..x.start[i + 1]]);
    let mut w = vec![0f32; n_features + 1];
    let mut alpha = vec![0f32; n];
    // Squared hinge: the box constraint becomes a diagonal term 1/(2C_i).
    let diag: Vec<f32> = cost.iter().map(|c| 0.5 / (p.c * c)).collect();
    let q_ii: Vec<f32> =
        (0..n).map(|i| row(i).1.iter().map(|v| v * v).sum::<f32>() + p.bias * p.bias + diag[i]).collect();
    let mut order: Vec<usize> = (0..n).collect();
    let mut active = n;
    let mut rng = SplitMix::new(p.seed);
    // Projected gradients above `max_old` at a zero alpha mark an example to set aside.
    let mut max_old = f32::INFINITY;
    for _ in 0..p.max_epochs {
        rng.shuffle(&mut order[..active]);
        let mut max_pg = f32::MIN;
        let mut min_pg = f32::MAX;
        let mut s = 0;
        while s < active {
            let i = order[s];
            let y = if positive[i] { 1.0 } else { -1.0 };
            let (idx, val) = row(i);
            let margin: f32 =
                idx.iter().zip(val).map(|(&j, &v)| w[j as usize] * v).sum::<f32>() + w[n_features] * p.bias;
            let g = y * margin - 1.0 + diag[i] * alpha[i];
            let pg = if alpha[i] == 0.0 {
                if g > max_old {
                    active -= 1;
                    order.swap(s, active);
                    continue;
                }
                g.min(0.0)
            } else {
                g
            };
            max_pg = max_pg.max(pg);
            min_pg = min_pg.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (old - g / q_ii[i]).max(0.0);
                let step = (alpha[i] - old) * y;
                if step != 0.0 {
                    for (&j, &v) in idx.iter().zip(val) {
                        w[j as usize] += step * v;
                    }
                    w[n_features] += step * p.bias;
                }
            }
            s += 1;
        }
        if max_pg - min_pg < p.tolerance {
            if active == n {
                break;
            }
            // Converged on the active set: look at everything once more.
            active = n;
            max_old = f32::INFINITY;
            continue;
        }
        max_old = if max_pg <= 0.0 { f32::INFINITY } else { max_pg };
    }
    w
}

/// A linear scorer of `k` labels: feature-major weights (the `k` weights of
/// feature j sit at `w[j * k..(j + 1) * k]`) and one bias per label.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    pub k: usize,
    pub w: Vec<f32>,
    pub bias: Vec<f32>,
}

impl Linear {
    pub fn margins(&self, row: &Row) -> Vec<f32> {
        let mut m = self.bias.clone();
        for &(j, v) in row {
            for (acc, w) in m.iter_mut().zip(&self.w[j as usize * self.k..(j as usize + 1) * self.k]) {
                *acc += w * v;
            }
        }
        m
    }
}

/// One binary NB-SVM per label, each label against the rest.
///
/// `balanced` weighs positives and negatives to equal total cost, so small
/// labels are not sacrificed for macro-F1. `nb_alpha` > 0 scales each feature
/// by its naive-Bayes log-count ratio first (Wang & Manning, 2012): features
/// typical of either side are stretched, neutral ones shrink.
pub fn fit_one_vs_rest(
    rows: &[Row],
    y: &[usize],
    k: usize,
    n_features: usize,
    p: &SvmParams,
    balanced: bool,
    nb_alpha: f32,
) -> Linear {
    let x = Csr::new(rows);
    // Labels are independent problems: spread them over the cores. Each
    // label's result does not depend on which thread computed it.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, k.max(1));
    let mut per_label: Vec<(usize, Vec<f32>, f32)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let x = &x;
                scope.spawn(move || {
                    (t..k)
                        .step_by(threads)
                        .map(|label| {
                            let (w, bias) = fit_label(x, y, label, n_features, p, balanced, nb_alpha);
                            (label, w, bias)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("a training thread panicked")).collect()
    });
    per_label.sort_by_key(|(label, _, _)| *label);
    let mut out = Linear { k, w: vec![0.0; n_features * k], bias: vec![0.0; k] };
    for (label, w, bias) in per_label {
        for (j, wj) in w.into_iter().enumerate() {
            out.w[j * k + label] = wj;
        }
        out.bias[label] = bias;
    }
    out
}

/// One label against the rest: its weights over the features, and its bias.
fn fit_label(
    x: &Csr,
    y: &[usize],
    label: usize,
    n_features: usize,
    p: &SvmParams,
    balanced: bool,
    nb_alpha: f32,
) -> (Vec<f32>, f32) {
    let n = y.len() as f32;
    let positive: Vec<bool> = y.iter().map(|&l| l == label).collect();
    let n_pos = positive.iter().filter(|&&p| p).count() as f32;
    let cost: Vec<f32> = positive
        .iter()
        .map(|&p| match (balanced, p) {
            (false, _) => 1.0,
            (true, true) => n / (2.0 * n_pos),
            (true, false) => n / (2.0 * (n - n_pos)),
        })
        .collect();
    if nb_alpha <= 0.0 {
        let mut w = train_binary(x, &x.value, &positive, &cost, n_features, p);
        let bias = w.pop().unwrap_or(0.0) * p.bias;
        return (w, bias);
    }
    let ratio = nb_ratio(x, &positive, n_features, nb_alpha);
    let scaled: Vec<f32> = x.value.iter().zip(&x.index).map(|(&v, &j)| v * ratio[j as usize]).collect();
    let mut w = train_binary(x, &scaled, &positive, &cost, n_features, p);
    let bias = w.pop().unwrap_or(0.0) * p.bias;
    // The scaling is linear, so it folds into the weights.
    for (wj, r) in w.iter_mut().zip(&ratio) {
        *wj *= r;
    }
    (w, bias)
}

/// Per-feature |log-ratio| of its share among positives to its share among
/// negatives; `alpha` is the smoothing mass.
fn nb_ratio(x: &Csr, positive: &[bool], n_features: usize, alpha: f32) -> Vec<f32> {
    let mut p = vec![alpha; n_features];
    let mut q = vec![alpha; n_features];
    for (i, &pos) in positive.iter().enumerate() {
        let target = if pos { &mut p } else { &mut q };
        let (start, end) = (x.start[i], x.start[i + 1]);
        for (&j, &v) in x.index[start..end].iter().zip(&x.value[start..end]) {
            target[j as usize] += v;
        }
    }
    let (sp, sq) = (p.iter().sum::<f32>(), q.iter().sum::<f32>());
    p.iter().zip(&q).map(|(a, b)| ((a / sp) / (b / sq)).ln().abs()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_a_separable_problem() {
        // Feature 0 marks positives, feature 1 negatives, feature 2 is noise.
        let rows: Vec<Row> =
            (0..40).map(|i| if i % 2 == 0 { vec![(0, 0.8), (2, 0.6)] } else { vec![(1, 0.8), (2, 0.6)] }).collect();
        let positive: Vec<bool> = (0..40).map(|i| i % 2 == 0).collect();
        let p = SvmParams { c: 1.0, max_epochs: 50, tolerance: 0.01, bias: 1.0, seed: 1 };
        let x = Csr::new(&rows);
        let w = train_binary(&x, &x.value, &positive, &[1.0; 40], 3, &p);
        assert!(w[0] > 0.5 && w[1] < -0.5, "{w:?}");
        assert!(w[2].abs() < w[0].abs());
    }

    #[test]
    fn shuffle_is_deterministic() {
        let mut a: Vec<u32> = (0..20).collect();
        let mut b = a.clone();
        SplitMix::new(7).shuffle(&mut a);
        SplitMix::new(7).shuffle(&mut b);
        assert_eq!(a, b);
        assert_ne!(a, (0..20).collect::<Vec<_>>());
    }
}
