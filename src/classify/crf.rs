//! Linear-chain inference over the sentences of one paragraph: forward-backward
//! for per-sentence marginals (the calibrated confidences, the gradient in
//! training, and the decision: each sentence takes its most probable label),
//! optionally with a paragraph-level factor that favours sequences containing a
//! given label (an argumentative body paragraph usually states a claim).
//!
//! Only four labels, so everything is done with fixed-size arrays in log space,
//! without allocation beyond the caller's buffers. Transition potentials are
//! `trans[0][k]` (paragraph starts with label `k`) and `trans[1 + i][k]`
//! (label `i` followed by `k`).

// Lattice code indexes several parallel arrays by position and label; index
// loops say that more plainly than zipped iterators.
#![allow(clippy::needless_range_loop)]

/// Number of sentence labels.
pub const L: usize = 4;

/// Transition potentials: row 0 is the start, row `1 + i` follows label `i`.
pub type Trans = [[f32; L]; L + 1];

/// Softmax of `scores`, in place (also the rescorer's and the linker's).
pub fn softmax(scores: &mut [f32]) {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for s in scores.iter_mut() {
        *s = (*s - max).exp();
        sum += *s;
    }
    if sum > 0.0 {
        for s in scores.iter_mut() {
            *s /= sum;
        }
    }
}

#[inline]
fn lse(a: &[f32; L]) -> f32 {
    let m = a.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if !m.is_finite() {
        return m;
    }
    m + a.iter().map(|x| (x - m).exp()).sum::<f32>().ln()
}

/// Buffers for [`marginals`].
#[derive(Debug, Default, Clone)]
pub struct Lattice {
    alpha: Vec<[f32; L]>,
    beta: Vec<[f32; L]>,
    masked: Vec<[f32; L]>,
    m0: Vec<[f32; L]>,
}

/// Computes per-position marginals of the chain with emission scores `e` into
/// `m`, and returns log Z. When `pair` is given, it receives the expected
/// transition counts (same layout as [`Trans`]), accumulated.
pub fn marginals(
    e: &[[f32; L]],
    trans: &Trans,
    lat: &mut Lattice,
    m: &mut Vec<[f32; L]>,
    pair: Option<&mut Trans>,
) -> f32 {
    let n = e.len();
    m.clear();
    if n == 0 {
        return 0.0;
    }
    lat.alpha.clear();
    lat.beta.clear();
    lat.alpha.resize(n, [0.0; L]);
    lat.beta.resize(n, [0.0; L]);
    for k in 0..L {
        lat.alpha[0][k] = trans[0][k] + e[0][k];
    }
    for t in 1..n {
        for k in 0..L {
            let mut a = [0.0; L];
            for i in 0..L {
                a[i] = lat.alpha[t - 1][i] + trans[1 + i][k];
            }
            lat.alpha[t][k] = lse(&a) + e[t][k];
        }
    }
    for t in (0..n - 1).rev() {
        for i in 0..L {
            let mut b = [0.0; L];
            for k in 0..L {
                b[k] = trans[1 + i][k] + e[t + 1][k] + lat.beta[t + 1][k];
            }
            lat.beta[t][i] = lse(&b);
        }
    }
    let z = lse(&lat.alpha[n - 1]);
    for t in 0..n {
        let mut row = [0.0; L];
        for k in 0..L {
            row[k] = (lat.alpha[t][k] + lat.beta[t][k] - z).exp();
        }
        m.push(row);
    }
    if let Some(p) = pair {
        for k in 0..L {
            p[0][k] += m[0][k];
        }
        for t in 1..n {
            for i in 0..L {
                for k in 0..L {
                    p[1 + i][k] +=
                        (lat.alpha[t - 1][i] + trans[1 + i][k] + e[t][k] + lat.beta[t][k] - z)
                            .exp();
                }
            }
        }
    }
    z
}

/// Marginals like [`marginals`], under an extra factor `exp(bonus)` on every
/// label sequence that contains `label` at least once.
///
/// With `Z` the partition function and `Z0` that of the sequences without
/// `label` (the chain with `label` masked out), the factor's partition function
/// is `e^bonus (Z - Z0) + Z0`, and each marginal mixes the plain and the masked
/// chain's marginals the same way: two forward-backward passes, no new lattice.
pub fn marginals_with_bonus(
    e: &[[f32; L]],
    trans: &Trans,
    lat: &mut Lattice,
    m: &mut Vec<[f32; L]>,
    label: usize,
    bonus: f32,
) {
    let z = marginals(e, trans, lat, m, None);
    if bonus == 0.0 || e.is_empty() || label >= L {
        return;
    }
    let mut masked = std::mem::take(&mut lat.masked);
    let mut m0 = std::mem::take(&mut lat.m0);
    masked.clear();
    masked.extend(e.iter().map(|row| {
        let mut row = *row;
        row[label] = f32::NEG_INFINITY;
        row
    }));
    let z0 = marginals(&masked, trans, lat, &mut m0, None);
    // Share of the probability mass on sequences without `label`.
    let r = (z0 - z).exp().min(1.0);
    let g = bonus.exp();
    let norm = g * (1.0 - r) + r;
    for (row, row0) in m.iter_mut().zip(&m0) {
        for k in 0..L {
            row[k] = (g * (row[k] - r * row0[k]).max(0.0) + r * row0[k]) / norm;
        }
    }
    lat.masked = masked;
    lat.m0 = m0;
}

/// Index of the largest value (the first on ties).
pub fn argmax(a: &[f32; L]) -> usize {
    let mut b = 0;
    for i in 1..L {
        if a[i] > a[b] {
            b = i;
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force over all label sequences of a short chain.
    /// Brute-force marginals, with `bonus` on sequences containing label 0.
    fn brute(e: &[[f32; L]], tr: &Trans, bonus: f32) -> Vec<[f32; L]> {
        let n = e.len();
        let mut m = vec![[0.0f32; L]; n];
        let mut z = 0.0f32;
        for code in 0..L.pow(n as u32) {
            let seq: Vec<usize> = (0..n).map(|t| code / L.pow(t as u32) % L).collect();
            let mut s = tr[0][seq[0]] + e[0][seq[0]];
            for t in 1..n {
                s += tr[1 + seq[t - 1]][seq[t]] + e[t][seq[t]];
            }
            if seq.contains(&0) {
                s += bonus;
            }
            z += s.exp();
            for t in 0..n {
                m[t][seq[t]] += s.exp();
            }
        }
        for row in &mut m {
            for x in row.iter_mut() {
                *x /= z;
            }
        }
        m
    }

    #[test]
    fn matches_brute_force() {
        let e = [
            [0.3, -0.2, 0.0, 1.0],
            [1.2, 0.1, -1.0, 0.0],
            [-0.5, 0.9, 0.2, 0.1],
        ];
        let mut tr: Trans = [[0.0; L]; L + 1];
        for (i, row) in tr.iter_mut().enumerate() {
            for (k, x) in row.iter_mut().enumerate() {
                *x = ((i * 7 + k * 3) % 5) as f32 * 0.3 - 0.6;
            }
        }
        let mut lat = Lattice::default();
        let mut m = Vec::new();
        for bonus in [0.0, 1.5, -0.7] {
            let bm = brute(&e, &tr, bonus);
            marginals_with_bonus(&e, &tr, &mut lat, &mut m, 0, bonus);
            for t in 0..3 {
                for k in 0..L {
                    assert!((m[t][k] - bm[t][k]).abs() < 1e-4, "bonus {bonus}");
                }
            }
        }
    }

    #[test]
    fn empty_chain() {
        let mut m = Vec::new();
        let tr = [[0.0; L]; L + 1];
        assert_eq!(
            marginals(&[], &tr, &mut Lattice::default(), &mut m, None),
            0.0
        );
        marginals_with_bonus(&[], &tr, &mut Lattice::default(), &mut m, 0, 2.0);
        assert!(m.is_empty());
    }
}
