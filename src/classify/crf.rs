//! Linear-chain inference over the sentences of one paragraph: forward-backward
//! for per-sentence marginals (the calibrated confidences, and the gradient in
//! training) and Viterbi for the best label sequence.
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

/// The highest-scoring label sequence (indices into the label list) into `out`.
pub fn viterbi(e: &[[f32; L]], trans: &Trans, back: &mut Vec<[u8; L]>, out: &mut Vec<usize>) {
    let n = e.len();
    out.clear();
    back.clear();
    if n == 0 {
        return;
    }
    let mut score = [0.0f32; L];
    for k in 0..L {
        score[k] = trans[0][k] + e[0][k];
    }
    back.push([0; L]);
    for row in e.iter().skip(1) {
        let mut next = [0.0f32; L];
        let mut bp = [0u8; L];
        for k in 0..L {
            let mut best = 0;
            let mut bs = f32::NEG_INFINITY;
            for i in 0..L {
                let s = score[i] + trans[1 + i][k];
                if s > bs {
                    bs = s;
                    best = i;
                }
            }
            next[k] = bs + row[k];
            bp[k] = best as u8;
        }
        score = next;
        back.push(bp);
    }
    let mut k = argmax(&score);
    out.resize(n, 0);
    for t in (0..n).rev() {
        out[t] = k;
        k = back[t][k] as usize;
    }
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
    fn brute(e: &[[f32; L]], tr: &Trans) -> (Vec<[f32; L]>, Vec<usize>) {
        let n = e.len();
        let mut m = vec![[0.0f32; L]; n];
        let mut z = 0.0f32;
        let mut best = (f32::NEG_INFINITY, vec![]);
        for code in 0..L.pow(n as u32) {
            let seq: Vec<usize> = (0..n).map(|t| code / L.pow(t as u32) % L).collect();
            let mut s = tr[0][seq[0]] + e[0][seq[0]];
            for t in 1..n {
                s += tr[1 + seq[t - 1]][seq[t]] + e[t][seq[t]];
            }
            if s > best.0 {
                best = (s, seq.clone());
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
        (m, best.1)
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
        let (bm, bp) = brute(&e, &tr);
        let mut lat = Lattice::default();
        let mut m = Vec::new();
        marginals(&e, &tr, &mut lat, &mut m, None);
        for t in 0..3 {
            for k in 0..L {
                assert!((m[t][k] - bm[t][k]).abs() < 1e-4);
            }
        }
        let mut back = Vec::new();
        let mut path = Vec::new();
        viterbi(&e, &tr, &mut back, &mut path);
        assert_eq!(path, bp);
    }

    #[test]
    fn empty_chain() {
        let mut m = Vec::new();
        let tr = [[0.0; L]; L + 1];
        assert_eq!(
            marginals(&[], &tr, &mut Lattice::default(), &mut m, None),
            0.0
        );
        let mut p = vec![1];
        viterbi(&[], &tr, &mut Vec::new(), &mut p);
        assert!(p.is_empty());
    }
}
