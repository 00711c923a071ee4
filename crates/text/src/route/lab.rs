//! Experiments (temporary).
#![allow(clippy::all, dead_code, unused)]
use super::eval::{score, stratified_folds};
use super::linear::{train_binary, Row, SplitMix, SvmParams};
use super::model::{nb_ratio, Example, RouteConfig, RoutingModel};

pub struct Data {
    pub rows: Vec<Row>,
    pub y: Vec<usize>,
    pub n_feat: usize,
    pub k: usize,
}

/// margins[i][l]
pub type Margins = Vec<Vec<f32>>;

pub fn ovr_svm(tr: &Data, c: f32, nb: f32, balanced: bool, seed: u64, tol: f32) -> Vec<Vec<f32>> {
    let n = tr.rows.len() as f32;
    let p = SvmParams { c, max_epochs: 200, tolerance: tol, bias: 1.0, seed };
    (0..tr.k)
        .map(|l| {
            let pos: Vec<bool> = tr.y.iter().map(|&y| y == l).collect();
            let np = pos.iter().filter(|&&p| p).count() as f32;
            let cost: Vec<f32> = pos
                .iter()
                .map(|&p| if !balanced { 1.0 } else if p { n / (2.0 * np) } else { n / (2.0 * (n - np)) })
                .collect();
            if nb > 0.0 {
                let r = nb_ratio(&tr.rows, &pos, tr.n_feat, nb);
                let scaled: Vec<Row> =
                    tr.rows.iter().map(|row| row.iter().map(|&(j, v)| (j, v * r[j as usize])).collect()).collect();
                let mut w = train_binary(&scaled, &pos, &cost, tr.n_feat, &p);
                for j in 0..tr.n_feat {
                    w[j] *= r[j];
                }
                w
            } else {
                train_binary(&tr.rows, &pos, &cost, tr.n_feat, &p)
            }
        })
        .collect()
}

pub fn apply(w: &[Vec<f32>], rows: &[Row]) -> Margins {
    rows.iter()
        .map(|r| {
            w.iter()
                .map(|wl| {
                    let nf = wl.len() - 1;
                    r.iter().map(|&(j, v)| wl[j as usize] * v).sum::<f32>() + wl[nf]
                })
                .collect()
        })
        .collect()
}

/// Crammer-Singer multiclass SVM, dual coordinate (Keerthi et al. 2008), L1 loss.
pub fn crammer_singer(tr: &Data, c: f32, epochs: usize, seed: u64, cost: &[f32]) -> Vec<Vec<f32>> {
    let k = tr.k;
    let nf = tr.n_feat + 1;
    let mut w = vec![vec![0f32; nf]; k];
    let mut alpha = vec![vec![0f32; k]; tr.rows.len()];
    let q: Vec<f32> = tr.rows.iter().map(|r| r.iter().map(|(_, v)| v * v).sum::<f32>() + 1.0).collect();
    let mut order: Vec<usize> = (0..tr.rows.len()).collect();
    let mut rng = SplitMix::new(seed);
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        let mut maxviol = 0f32;
        for &i in &order {
            let r = &tr.rows[i];
            let yi = tr.y[i];
            let ci = c * cost[i];
            // gradient g_m = w_m.x + (m != y)
            let mut g = vec![0f32; k];
            for m in 0..k {
                g[m] = r.iter().map(|&(j, v)| w[m][j as usize] * v).sum::<f32>() + w[m][nf - 1];
                if m != yi {
                    g[m] += 1.0;
                }
            }
            // violation
            let mut minp = f32::MAX;
            for m in 0..k {
                let bound = if m == yi { ci } else { 0.0 };
                if alpha[i][m] < bound && g[m] < minp {
                    minp = g[m];
                }
            }
            let maxg = g.iter().cloned().fold(f32::MIN, f32::max);
            if maxg - minp < 1e-6 {
                continue;
            }
            maxviol = maxviol.max(maxg - minp);
            // solve subproblem: min 0.5 A ||d||^2 + B.d, d <= Ci e_y - alpha, sum d = 0
            let a = q[i];
            let b: Vec<f32> = (0..k).map(|m| g[m] - a * alpha[i][m]).collect();
            let mut d_sorted = b.clone();
            d_sorted[yi] += a * ci;
            d_sorted.sort_by(|x, y| y.partial_cmp(x).unwrap());
            let mut beta = d_sorted[0] - a * ci;
            let mut r_ = 1;
            while r_ < k && beta < r_ as f32 * d_sorted[r_] {
                beta += d_sorted[r_];
                r_ += 1;
            }
            beta /= r_ as f32;
            let mut delta = vec![0f32; k];
            for m in 0..k {
                let bound = if m == yi { ci } else { 0.0 };
                let new = (bound).min((beta - b[m]) / a);
                delta[m] = new - alpha[i][m];
                alpha[i][m] = new;
            }
            for m in 0..k {
                if delta[m] != 0.0 {
                    for &(j, v) in r {
                        w[m][j as usize] += delta[m] * v;
                    }
                    w[m][nf - 1] += delta[m];
                }
            }
        }
        if maxviol < 0.1 {
            break;
        }
    }
    w
}

/// Multinomial logistic regression by SGD with L2 (Adagrad).
pub fn softmax_lr(tr: &Data, lambda: f32, epochs: usize, lr: f32, seed: u64, cost: &[f32]) -> Vec<Vec<f32>> {
    let k = tr.k;
    let nf = tr.n_feat + 1;
    let mut w = vec![vec![0f32; nf]; k];
    let mut gsum = vec![vec![1e-6f32; nf]; k];
    let mut order: Vec<usize> = (0..tr.rows.len()).collect();
    let mut rng = SplitMix::new(seed);
    let n = tr.rows.len() as f32;
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let r = &tr.rows[i];
            let mut z: Vec<f32> =
                (0..k).map(|m| r.iter().map(|&(j, v)| w[m][j as usize] * v).sum::<f32>() + w[m][nf - 1]).collect();
            let mx = z.iter().cloned().fold(f32::MIN, f32::max);
            let s: f32 = z.iter().map(|x| (x - mx).exp()).sum();
            for m in 0..k {
                let p = (z[m] - mx).exp() / s;
                let g = (p - if m == tr.y[i] { 1.0 } else { 0.0 }) * cost[i];
                for &(j, v) in r.iter().chain(std::iter::once(&((nf - 1) as u32, 1.0f32))) {
                    let j = j as usize;
                    let gj = g * v + lambda * w[m][j] / n * 0.0;
                    gsum[m][j] += gj * gj;
                    w[m][j] -= lr * gj / gsum[m][j].sqrt();
                }
            }
        }
        // L2 shrink once per epoch
        for m in 0..k {
            for x in w[m].iter_mut() {
                *x *= 1.0 - lambda;
            }
        }
    }
    w
}

pub fn knn(tr: &Data, te_rows: &[Row], kk: usize, pow: f32) -> Margins {
    // inverted index
    let mut post: Vec<Vec<(u32, f32)>> = vec![Vec::new(); tr.n_feat];
    for (i, r) in tr.rows.iter().enumerate() {
        for &(j, v) in r {
            post[j as usize].push((i as u32, v));
        }
    }
    te_rows
        .iter()
        .map(|r| {
            let mut sims = vec![0f32; tr.rows.len()];
            for &(j, v) in r {
                for &(i, u) in &post[j as usize] {
                    sims[i as usize] += u * v;
                }
            }
            let mut idx: Vec<usize> = (0..sims.len()).collect();
            idx.select_nth_unstable_by(kk, |a, b| sims[*b].partial_cmp(&sims[*a]).unwrap());
            let mut m = vec![0f32; tr.k];
            for &i in &idx[..kk] {
                m[tr.y[i]] += sims[i].max(0.0).powf(pow);
            }
            m
        })
        .collect()
}

pub fn argmax(v: &[f32]) -> usize {
    let mut b = 0;
    for i in 0..v.len() {
        if v[i] > v[b] {
            b = i;
        }
    }
    b
}

pub fn balanced_cost(y: &[usize], k: usize) -> Vec<f32> {
    let mut cnt = vec![0f32; k];
    for &l in y {
        cnt[l] += 1.0;
    }
    let n = y.len() as f32;
    y.iter().map(|&l| n / (k as f32 * cnt[l])).collect()
}

pub struct Fold {
    pub tr: Data,
    pub te: Vec<Row>,
    pub te_y: Vec<usize>,
}

pub fn folds(examples: &[Example], extra: &[Example], config: &RouteConfig, nfold: usize, seed: u64) -> (Vec<String>, Vec<Fold>) {
    let lab: Vec<&str> = examples.iter().map(|e| e.label).collect();
    let fo = stratified_folds(&lab, nfold, seed);
    let mut labels: Vec<String> = lab.iter().map(|s| s.to_string()).collect();
    labels.sort();
    labels.dedup();
    let idx = |l: &str| labels.iter().position(|x| x == l).unwrap();
    let mut out = Vec::new();
    for f in 0..nfold {
        let mut tr: Vec<Example> = examples.iter().zip(&fo).filter(|(_, &g)| g != f).map(|(e, _)| e.clone()).collect();
        let te: Vec<Example> = examples.iter().zip(&fo).filter(|(_, &g)| g == f).map(|(e, _)| e.clone()).collect();
        tr.extend(extra.iter().cloned());
        let aug = std::env::var("LAB_AUG").unwrap_or_default();
        let n0 = tr.len();
        for i in 0..n0 {
            let e = tr[i].clone();
            let chars: Vec<(usize, char)> = e.text.char_indices().collect();
            match aug.as_str() {
                "halves" if chars.len() > 60 => {
                    let mid = chars[chars.len() / 2].0;
                    tr.push(Example { title: e.title, text: &e.text[..mid], label: e.label });
                    tr.push(Example { title: None, text: &e.text[mid..], label: e.label });
                }
                "sent" => {
                    let mut start = 0;
                    for &(b, c) in &chars {
                        if matches!(c, '。' | '！' | '？' | '!' | '?' | '；') {
                            let piece = &e.text[start..b];
                            if piece.chars().count() >= 15 {
                                tr.push(Example { title: None, text: piece, label: e.label });
                            }
                            start = b + c.len_utf8();
                        }
                    }
                }
                "head" if chars.len() > 100 => {
                    tr.push(Example { title: e.title, text: &e.text[..chars[100].0], label: e.label });
                }
                _ => {}
            }
        }
        let cfg = RouteConfig { max_epochs: 1, ..config.clone() };
        let m = RoutingModel::train(&tr, &cfg).unwrap();
        let rows = |ex: &[Example]| -> Vec<Row> {
            ex.iter()
                .map(|e| {
                    let mut r = m.row(e.title, e.text);
                    r.sort_unstable_by_key(|x| x.0);
                    r
                })
                .collect()
        };
        out.push(Fold {
            tr: Data { rows: rows(&tr), y: tr.iter().map(|e| idx(e.label)).collect(), n_feat: m.n_features(), k: labels.len() },
            te: rows(&te),
            te_y: te.iter().map(|e| idx(e.label)).collect(),
        });
    }
    (labels, out)
}

/// Z-normalise margins per model over the test rows so blends are comparable.
pub fn standardize(m: &Margins) -> Margins {
    let all: Vec<f32> = m.iter().flatten().cloned().collect();
    let mean = all.iter().sum::<f32>() / all.len() as f32;
    let sd = (all.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / all.len() as f32).sqrt().max(1e-9);
    m.iter().map(|r| r.iter().map(|x| (x - mean) / sd).collect()).collect()
}

pub fn macro_f1(labels: &[String], truth: &[usize], m: &Margins) -> (f64, f64) {
    let p: Vec<usize> = m.iter().map(|r| argmax(r)).collect();
    let s = score(labels, truth, &p);
    (s.macro_f1, s.accuracy)
}

pub struct Mlp {
    pub h: usize,
    pub k: usize,
    pub w1: Vec<f32>,
    pub b1: Vec<f32>,
    pub w2: Vec<f32>,
    pub b2: Vec<f32>,
}

impl Mlp {
    pub fn hidden(&self, r: &Row, out: &mut Vec<f32>) {
        out.clear();
        out.extend_from_slice(&self.b1);
        for &(j, v) in r {
            let w = &self.w1[j as usize * self.h..][..self.h];
            for (o, x) in out.iter_mut().zip(w) {
                *o += v * x;
            }
        }
        for o in out.iter_mut() {
            *o = o.max(0.0);
        }
    }
    pub fn logits(&self, hid: &[f32]) -> Vec<f32> {
        let mut z = self.b2.clone();
        for (i, &hv) in hid.iter().enumerate() {
            if hv != 0.0 {
                for m in 0..self.k {
                    z[m] += hv * self.w2[i * self.k + m];
                }
            }
        }
        z
    }
    pub fn apply(&self, rows: &[Row]) -> Margins {
        let mut hid = Vec::new();
        rows.iter()
            .map(|r| {
                self.hidden(r, &mut hid);
                let z = self.logits(&hid);
                let mx = z.iter().cloned().fold(f32::MIN, f32::max);
                let s: f32 = z.iter().map(|x| (x - mx).exp()).sum();
                z.iter().map(|x| x - mx - s.ln()).collect()
            })
            .collect()
    }
}

pub fn train_mlp(tr: &Data, h: usize, epochs: usize, lr: f32, l2: f32, drop: f32, seed: u64, cost: &[f32]) -> Mlp {
    let k = tr.k;
    let mut rng = SplitMix::new(seed);
    let mut unif = move || (rng.next_u64() >> 11) as f32 / (1u64 << 53) as f32;
    let a1 = 1.0f32;
    let a2 = (6.0 / (h + k) as f32).sqrt();
    let mut m = Mlp {
        h,
        k,
        w1: (0..tr.n_feat * h).map(|_| (unif() * 2.0 - 1.0) * a1).collect(),
        b1: vec![0.0; h],
        w2: (0..h * k).map(|_| (unif() * 2.0 - 1.0) * a2).collect(),
        b2: vec![0.0; k],
    };
    let mut g1 = vec![1e-3f32; tr.n_feat * h];
    let mut gb1 = vec![1e-3f32; h];
    let mut g2 = vec![1e-3f32; h * k];
    let mut gb2 = vec![1e-3f32; k];
    let mut order: Vec<usize> = (0..tr.rows.len()).collect();
    let mut rng2 = SplitMix::new(seed ^ 0x55);
    let mut hid = Vec::new();
    let mut mask = vec![1f32; h];
    for _ in 0..epochs {
        rng2.shuffle(&mut order);
        for &i in &order {
            let r = &tr.rows[i];
            m.hidden(r, &mut hid);
            for q in 0..h {
                mask[q] = if drop > 0.0 && unif() < drop { 0.0 } else { 1.0 / (1.0 - drop) };
                hid[q] *= mask[q];
            }
            let z = m.logits(&hid);
            let mx = z.iter().cloned().fold(f32::MIN, f32::max);
            let s: f32 = z.iter().map(|x| (x - mx).exp()).sum();
            let dz: Vec<f32> = (0..k)
                .map(|c| ((z[c] - mx).exp() / s - if c == tr.y[i] { 1.0 } else { 0.0 }) * cost[i])
                .collect();
            // dh
            let mut dh = vec![0f32; h];
            for q in 0..h {
                if hid[q] > 0.0 {
                    let mut acc = 0.0;
                    for c in 0..k {
                        acc += dz[c] * m.w2[q * k + c];
                    }
                    dh[q] = acc * mask[q];
                }
            }
            for q in 0..h {
                if hid[q] != 0.0 {
                    for c in 0..k {
                        let g = dz[c] * hid[q] + l2 * m.w2[q * k + c];
                        g2[q * k + c] += g * g;
                        m.w2[q * k + c] -= lr * g / g2[q * k + c].sqrt();
                    }
                }
            }
            for c in 0..k {
                gb2[c] += dz[c] * dz[c];
                m.b2[c] -= lr * dz[c] / gb2[c].sqrt();
            }
            for q in 0..h {
                if dh[q] != 0.0 {
                    gb1[q] += dh[q] * dh[q];
                    m.b1[q] -= lr * dh[q] / gb1[q].sqrt();
                }
            }
            for &(j, v) in r {
                let base = j as usize * h;
                for q in 0..h {
                    if dh[q] != 0.0 {
                        let g = dh[q] * v + l2 * m.w1[base + q];
                        g1[base + q] += g * g;
                        m.w1[base + q] -= lr * g / g1[base + q].sqrt();
                    }
                }
            }
        }
    }
    m
}

/// L1-loss (hinge) SVM by dual CD.
pub fn train_hinge(rows: &[Row], positive: &[bool], cost: &[f32], n_features: usize, c: f32, seed: u64) -> Vec<f32> {
    let n = rows.len();
    let mut w = vec![0f32; n_features + 1];
    let mut alpha = vec![0f32; n];
    let ub: Vec<f32> = cost.iter().map(|x| x * c).collect();
    let q_ii: Vec<f32> = rows.iter().map(|r| r.iter().map(|(_, v)| v * v).sum::<f32>() + 1.0).collect();
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix::new(seed);
    for _ in 0..300 {
        rng.shuffle(&mut order);
        let (mut mx, mut mn) = (f32::MIN, f32::MAX);
        for &i in &order {
            let y = if positive[i] { 1.0 } else { -1.0 };
            let row = &rows[i];
            let margin: f32 = row.iter().map(|&(j, v)| w[j as usize] * v).sum::<f32>() + w[n_features];
            let g = y * margin - 1.0;
            let pg = if alpha[i] == 0.0 { g.min(0.0) } else if alpha[i] >= ub[i] { g.max(0.0) } else { g };
            mx = mx.max(pg);
            mn = mn.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (old - g / q_ii[i]).clamp(0.0, ub[i]);
                let step = (alpha[i] - old) * y;
                if step != 0.0 {
                    for &(j, v) in row {
                        w[j as usize] += step * v;
                    }
                    w[n_features] += step;
                }
            }
        }
        if mx - mn < 0.05 {
            break;
        }
    }
    w
}

pub fn ovr_hinge(tr: &Data, c: f32, nb: f32, seed: u64) -> Vec<Vec<f32>> {
    let n = tr.rows.len() as f32;
    (0..tr.k)
        .map(|l| {
            let pos: Vec<bool> = tr.y.iter().map(|&y| y == l).collect();
            let np = pos.iter().filter(|&&p| p).count() as f32;
            let cost: Vec<f32> = pos.iter().map(|&p| if p { n / (2.0 * np) } else { n / (2.0 * (n - np)) }).collect();
            let r = if nb > 0.0 { nb_ratio(&tr.rows, &pos, tr.n_feat, nb) } else { vec![1.0; tr.n_feat] };
            let scaled: Vec<Row> =
                tr.rows.iter().map(|row| row.iter().map(|&(j, v)| (j, v * r[j as usize])).collect()).collect();
            let mut w = train_hinge(&scaled, &pos, &cost, tr.n_feat, c, seed);
            for j in 0..tr.n_feat {
                w[j] *= r[j];
            }
            w
        })
        .collect()
}

fn orthonormalize(cols: &mut [Vec<f32>]) {
    for i in 0..cols.len() {
        for _ in 0..2 {
            for j in 0..i {
                let d: f32 = cols[i].iter().zip(&cols[j]).map(|(a, b)| a * b).sum();
                let (a, b) = cols.split_at_mut(i);
                for (x, y) in b[0].iter_mut().zip(&a[j]) {
                    *x -= d * y;
                }
            }
        }
        let n: f32 = cols[i].iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        for x in cols[i].iter_mut() {
            *x /= n;
        }
    }
}

/// Basis (k columns over features) of the top right-singular subspace of the rows.
pub fn lsa_basis(rows: &[Row], n_feat: usize, k: usize, iters: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = SplitMix::new(seed);
    let mut g = move || ((rng.next_u64() >> 11) as f32 / (1u64 << 53) as f32) - 0.5;
    // Z: k columns of length n_feat
    let mut z: Vec<Vec<f32>> = (0..k).map(|_| (0..n_feat).map(|_| g()).collect()).collect();
    for _ in 0..=iters {
        // Y = X Z  (k columns of length n_docs)
        let mut y: Vec<Vec<f32>> =
            z.iter().map(|zc| rows.iter().map(|r| r.iter().map(|&(j, v)| zc[j as usize] * v).sum()).collect()).collect();
        orthonormalize(&mut y);
        // Z = X^T Y
        z = y
            .iter()
            .map(|yc| {
                let mut out = vec![0f32; n_feat];
                for (r, &yv) in rows.iter().zip(yc) {
                    for &(j, v) in r {
                        out[j as usize] += v * yv;
                    }
                }
                out
            })
            .collect();
        orthonormalize(&mut z);
    }
    z
}

pub fn augment(rows: &[Row], basis: &[Vec<f32>], n_feat: usize, lam: f32) -> Vec<Row> {
    rows.iter()
        .map(|r| {
            let mut out = r.clone();
            for (i, b) in basis.iter().enumerate() {
                let p: f32 = r.iter().map(|&(j, v)| b[j as usize] * v).sum();
                out.push(((n_feat + i) as u32, lam * p));
            }
            out
        })
        .collect()
}

/// One-vs-one: w[a][b] for a<b, positive = a.
pub fn ovo(tr: &Data, c: f32, nb: f32, seed: u64) -> Vec<Vec<Option<Vec<f32>>>> {
    let p = SvmParams { c, max_epochs: 200, tolerance: 0.05, bias: 1.0, seed };
    let mut out = vec![vec![None; tr.k]; tr.k];
    for a in 0..tr.k {
        for b in a + 1..tr.k {
            let idx: Vec<usize> = (0..tr.rows.len()).filter(|&i| tr.y[i] == a || tr.y[i] == b).collect();
            let rows: Vec<Row> = idx.iter().map(|&i| tr.rows[i].clone()).collect();
            let pos: Vec<bool> = idx.iter().map(|&i| tr.y[i] == a).collect();
            let n = rows.len() as f32;
            let np = pos.iter().filter(|&&p| p).count() as f32;
            let cost: Vec<f32> = pos.iter().map(|&p| if p { n / (2.0 * np) } else { n / (2.0 * (n - np)) }).collect();
            let r = if nb > 0.0 { nb_ratio(&rows, &pos, tr.n_feat, nb) } else { vec![1.0; tr.n_feat] };
            let scaled: Vec<Row> =
                rows.iter().map(|row| row.iter().map(|&(j, v)| (j, v * r[j as usize])).collect()).collect();
            let mut w = train_binary(&scaled, &pos, &cost, tr.n_feat, &p);
            for j in 0..tr.n_feat {
                w[j] *= r[j];
            }
            out[a][b] = Some(w);
        }
    }
    out
}

pub fn dot(w: &[f32], r: &Row) -> f32 {
    r.iter().map(|&(j, v)| w[j as usize] * v).sum::<f32>() + w[w.len() - 1]
}

/// Refine the OvR top-2 with the pairwise classifier; `mode` 0 = top-2 duel, 1 = voting + ovr tie-break.
pub fn refine(ovr: &Margins, pw: &[Vec<Option<Vec<f32>>>], rows: &[Row], mode: u8, thr: f32) -> Margins {
    ovr.iter()
        .zip(rows)
        .map(|(m, r)| {
            let k = m.len();
            let mut out = m.clone();
            if mode == 0 {
                let mut idx: Vec<usize> = (0..k).collect();
                idx.sort_by(|a, b| m[*b].partial_cmp(&m[*a]).unwrap());
                let (x, y) = (idx[0], idx[1]);
                if m[x] - m[y] < thr {
                    let (a, b) = if x < y { (x, y) } else { (y, x) };
                    let d = dot(pw[a][b].as_ref().unwrap(), r);
                    let win = if d > 0.0 { a } else { b };
                    out[win] = m[x] + 1.0;
                }
            } else {
                let mut votes = vec![0f32; k];
                for a in 0..k {
                    for b in a + 1..k {
                        let d = dot(pw[a][b].as_ref().unwrap(), r);
                        if d > 0.0 { votes[a] += 1.0 } else { votes[b] += 1.0 }
                    }
                }
                for l in 0..k {
                    out[l] = votes[l] + 0.01 * m[l];
                }
            }
            out
        })
        .collect()
}

/// Multinomial (complement=false) or complement NB weights over the rows; last entry the prior term.
pub fn nb(tr: &Data, alpha: f32, complement: bool) -> Vec<Vec<f32>> {
    let k = tr.k;
    let mut cnt = vec![vec![alpha; tr.n_feat]; k];
    let mut prior = vec![0f32; k];
    for (r, &y) in tr.rows.iter().zip(&tr.y) {
        prior[y] += 1.0;
        for &(j, v) in r {
            cnt[y][j as usize] += v;
        }
    }
    let total: Vec<f32> = (0..tr.n_feat).map(|j| (0..k).map(|c| cnt[c][j]).sum()).collect();
    (0..k)
        .map(|c| {
            let theta: Vec<f32> = if complement {
                (0..tr.n_feat).map(|j| total[j] - cnt[c][j] + alpha * (k as f32 - 2.0) * 0.0).collect()
            } else {
                cnt[c].clone()
            };
            let s: f32 = theta.iter().sum();
            let mut w: Vec<f32> = theta.iter().map(|t| (t / s).ln()).collect();
            if complement {
                // weight normalisation (Rennie et al.), sign flipped so larger = more likely
                let norm: f32 = w.iter().map(|x| x.abs()).sum();
                for x in w.iter_mut() {
                    *x = -*x / norm * 1000.0;
                }
                w.push(0.0);
            } else {
                w.push((prior[c] / tr.rows.len() as f32).ln() * 0.0);
            }
            w
        })
        .collect()
}

/// Average of OvR NB-SVMs, each on a random `frac` of the features (random subspace).
pub fn subspace(tr: &Data, n: usize, frac: f32, c: f32, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = SplitMix::new(seed);
    let mut acc: Option<Vec<Vec<f32>>> = None;
    for b in 0..n {
        let keep: Vec<bool> = (0..tr.n_feat).map(|_| ((rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < frac as f64).collect();
        let rows: Vec<Row> = tr
            .rows
            .iter()
            .map(|r| {
                let kept: Row = r.iter().filter(|(j, _)| keep[*j as usize]).cloned().collect();
                let norm: f32 = kept.iter().map(|(_, v)| v * v).sum::<f32>().sqrt().max(1e-9);
                kept.into_iter().map(|(j, v)| (j, v / norm)).collect()
            })
            .collect();
        let d = Data { rows, y: tr.y.clone(), n_feat: tr.n_feat, k: tr.k };
        let w = ovr_svm(&d, c, 0.1, true, seed + b as u64, 0.05);
        acc = Some(match acc {
            None => w,
            Some(mut a) => {
                for (x, y) in a.iter_mut().zip(&w) {
                    for (p, q) in x.iter_mut().zip(y) {
                        *p += q;
                    }
                }
                a
            }
        });
    }
    acc.unwrap()
}

/// OvR NB-SVM whose per-label biases are shifted to maximise macro-F1 of inner cross-validated margins.
pub fn ovr_bias_tuned(tr: &Data, te: &[Row], inner: usize, step: f32) -> Margins {
    let labels: Vec<String> = (0..tr.k).map(|l| l.to_string()).collect();
    let names: Vec<&str> = tr.y.iter().map(|&y| labels[y].as_str()).collect();
    let fo = stratified_folds(&names, inner, 99);
    let mut oof: Margins = vec![Vec::new(); tr.rows.len()];
    for f in 0..inner {
        let idx: Vec<usize> = (0..tr.rows.len()).filter(|&i| fo[i] != f).collect();
        let d = Data {
            rows: idx.iter().map(|&i| tr.rows[i].clone()).collect(),
            y: idx.iter().map(|&i| tr.y[i]).collect(),
            n_feat: tr.n_feat,
            k: tr.k,
        };
        let w = ovr_svm(&d, 1.0, 0.1, true, 7, 0.05);
        for i in (0..tr.rows.len()).filter(|&i| fo[i] == f) {
            oof[i] = apply(&w, std::slice::from_ref(&tr.rows[i])).remove(0);
        }
    }
    let mut delta = vec![0f32; tr.k];
    let eval = |d: &[f32]| {
        let p: Vec<usize> = oof.iter().map(|m| argmax(&m.iter().zip(d).map(|(a, b)| a + b).collect::<Vec<_>>())).collect();
        score(&labels, &tr.y, &p).macro_f1
    };
    let mut best = eval(&delta);
    for _ in 0..3 {
        for l in 0..tr.k {
            let orig = delta[l];
            for s in -10..=10 {
                let mut d = delta.clone();
                d[l] = orig + s as f32 * step;
                let v = eval(&d);
                if v > best + 1e-9 {
                    best = v;
                    delta = d;
                }
            }
        }
    }
    let w = ovr_svm(tr, 1.0, 0.1, true, 7, 0.05);
    apply(&w, te).into_iter().map(|m| m.iter().zip(&delta).map(|(a, b)| a + b).collect()).collect()
}

pub type Base = fn(&Data) -> Vec<Vec<f32>>;

pub fn base_nbsvm(d: &Data) -> Vec<Vec<f32>> {
    ovr_svm(d, 1.0, 0.1, true, 7, 0.05)
}
pub fn base_svm(d: &Data) -> Vec<Vec<f32>> {
    ovr_svm(d, 1.0, 0.0, true, 7, 0.05)
}
pub fn base_mnb(d: &Data) -> Vec<Vec<f32>> {
    nb(d, 0.01, false)
}

fn concat_margins(ws: &[Vec<Vec<f32>>], rows: &[Row]) -> Margins {
    let per: Vec<Margins> = ws.iter().map(|w| apply(w, rows)).collect();
    (0..rows.len()).map(|i| per.iter().flat_map(|m| m[i].iter().cloned()).collect()).collect()
}

/// Stacking: multinomial LR on out-of-fold margins of the base models.
pub fn stacked(tr: &Data, te: &[Row], bases: &[Base], inner: usize, l2: f32, balanced: bool) -> Margins {
    let labels: Vec<String> = (0..tr.k).map(|l| l.to_string()).collect();
    let names: Vec<&str> = tr.y.iter().map(|&y| labels[y].as_str()).collect();
    let fo = stratified_folds(&names, inner, 99);
    let mut oof: Margins = vec![Vec::new(); tr.rows.len()];
    for f in 0..inner {
        let idx: Vec<usize> = (0..tr.rows.len()).filter(|&i| fo[i] != f).collect();
        let d = Data {
            rows: idx.iter().map(|&i| tr.rows[i].clone()).collect(),
            y: idx.iter().map(|&i| tr.y[i]).collect(),
            n_feat: tr.n_feat,
            k: tr.k,
        };
        let ws: Vec<_> = bases.iter().map(|b| b(&d)).collect();
        let held: Vec<usize> = (0..tr.rows.len()).filter(|&i| fo[i] == f).collect();
        let rows: Vec<Row> = held.iter().map(|&i| tr.rows[i].clone()).collect();
        for (m, &i) in concat_margins(&ws, &rows).into_iter().zip(&held) {
            oof[i] = m;
        }
    }
    // standardise features
    let nf = oof[0].len();
    let mut mean = vec![0f32; nf];
    let mut sd = vec![0f32; nf];
    for m in &oof {
        for j in 0..nf {
            mean[j] += m[j] / oof.len() as f32;
        }
    }
    for m in &oof {
        for j in 0..nf {
            sd[j] += (m[j] - mean[j]).powi(2) / oof.len() as f32;
        }
    }
    for s in sd.iter_mut() {
        *s = s.sqrt().max(1e-6);
    }
    let z = |m: &[f32]| -> Vec<f32> { (0..nf).map(|j| (m[j] - mean[j]) / sd[j]).collect() };
    let x: Vec<Vec<f32>> = oof.iter().map(|m| z(m)).collect();
    let cost = if balanced { balanced_cost(&tr.y, tr.k) } else { vec![1.0; tr.y.len()] };
    // full-batch gradient descent
    let k = tr.k;
    let mut a = vec![vec![0f32; nf + 1]; k];
    for c in 0..k {
        for b in 0..nf / k {
            a[c][b * k + c] = 1.0;
        }
    }
    let n = x.len() as f32;
    for _ in 0..500 {
        let mut g = vec![vec![0f32; nf + 1]; k];
        for (xi, (&y, &ci)) in x.iter().zip(tr.y.iter().zip(&cost)) {
            let s: Vec<f32> = (0..k).map(|c| (0..nf).map(|j| a[c][j] * xi[j]).sum::<f32>() + a[c][nf]).collect();
            let mx = s.iter().cloned().fold(f32::MIN, f32::max);
            let e: Vec<f32> = s.iter().map(|v| (v - mx).exp()).collect();
            let t: f32 = e.iter().sum();
            for c in 0..k {
                let d = (e[c] / t - if c == y { 1.0 } else { 0.0 }) * ci / n;
                for j in 0..nf {
                    g[c][j] += d * xi[j];
                }
                g[c][nf] += d;
            }
        }
        for c in 0..k {
            for j in 0..=nf {
                let reg = if j < nf { l2 * a[c][j] } else { 0.0 };
                a[c][j] -= 0.5 * (g[c][j] + reg);
            }
        }
    }
    let ws: Vec<_> = bases.iter().map(|b| b(tr)).collect();
    concat_margins(&ws, te)
        .into_iter()
        .map(|m| {
            let xi = z(&m);
            (0..k).map(|c| (0..nf).map(|j| a[c][j] * xi[j]).sum::<f32>() + a[c][nf]).collect()
        })
        .collect()
}
