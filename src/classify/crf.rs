//! Linear-chain inference over the sentences of one paragraph: forward-backward
//! for per-sentence marginals (the calibrated confidences, the gradient in
//! training, and the decision: each sentence takes its most probable label),
//! optionally with a paragraph-level factor that favours sequences containing a
//! given label (an argumentative body paragraph usually states a claim).
//!
//! Only four labels, so everything is done with fixed-size arrays, without
//! allocation beyond the caller's buffers. Transition potentials are
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
    /// Emission potentials, each row shifted by its maximum.
    pot: Vec<[f32; L]>,
    alpha: Vec<[f32; L]>,
    beta: Vec<[f32; L]>,
    scale: Vec<f32>,
    masked: Vec<[f32; L]>,
    m0: Vec<[f32; L]>,
}

/// Computes per-position marginals of the chain with emission scores `e` into
/// `m`, and returns log Z. When `pair` is given, it receives the expected
/// transition counts (same layout as [`Trans`]), accumulated.
///
/// Forward-backward runs on potentials, not log potentials, rescaled at every
/// position (Rabiner's scaling): four `exp` per position instead of forty
/// `exp`/`ln` pairs of log-sum-exps. Transitions spread over more than 60 nats
/// (a trained model's spread over about 2) would leave f32's range, so such a
/// chain runs in log space instead.
pub fn marginals(
    e: &[[f32; L]],
    trans: &Trans,
    lat: &mut Lattice,
    m: &mut Vec<[f32; L]>,
    mut pair: Option<&mut Trans>,
) -> f32 {
    match scaled(e, trans, lat, m, pair.as_deref_mut()) {
        Some(z) => z,
        None => in_logs(e, trans, lat, m, pair),
    }
}

/// The largest spread of transition potentials [`scaled`] takes. Each scale
/// is then at least e^-60 / 4 (the best label's potential is 1, some label
/// before it has alpha >= 1/4, and no transition is below e^-60), and a scaled
/// beta, the ratio of the rest of the chain's mass given one label to its mass
/// given the past, at most e^60: all within f32's normal range.
const MAX_SPREAD: f32 = 60.0;

/// [`marginals`] by scaled potentials; `None` when the transitions spread over
/// more than [`MAX_SPREAD`] or an emission is not finite.
fn scaled(
    e: &[[f32; L]],
    trans: &Trans,
    lat: &mut Lattice,
    m: &mut Vec<[f32; L]>,
    pair: Option<&mut Trans>,
) -> Option<f32> {
    let n = e.len();
    m.clear();
    if n == 0 {
        return Some(0.0);
    }
    // Emission rows are shifted by their maximum and the transitions by
    // theirs before `exp`, so nothing overflows; log Z adds the shifts back.
    // Every label sequence takes exactly n transitions (the start counts).
    let (tmin, tmax) = trans
        .iter()
        .flatten()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let spread = tmax - tmin;
    if !spread.is_finite() || spread > MAX_SPREAD {
        return None;
    }
    let et: Trans = trans.map(|row| row.map(|x| (x - tmax).exp()));
    let mut log_z = n as f32 * tmax;
    lat.pot.clear();
    lat.pot.extend(e.iter().map(|row| {
        let mx = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        log_z += mx;
        row.map(|x| (x - mx).exp())
    }));
    // alpha[t]: forward potentials normalised to sum 1; scale[t]: that sum.
    lat.alpha.clear();
    lat.scale.clear();
    for t in 0..n {
        let mut a = [0.0; L];
        for k in 0..L {
            let into = match lat.alpha.last() {
                None => et[0][k],
                Some(prev) => (0..L).map(|i| prev[i] * et[1 + i][k]).sum(),
            };
            a[k] = into * lat.pot[t][k];
        }
        let c: f32 = a.iter().sum();
        // Only non-finite emissions or transitions get here.
        if !(c > 0.0 && c.is_finite()) {
            return None;
        }
        log_z += c.ln();
        lat.alpha.push(a.map(|x| x / c));
        lat.scale.push(c);
    }
    // beta[t], scaled by the same sums, so alpha[t][k] * beta[t][k] is the
    // marginal.
    lat.beta.clear();
    lat.beta.resize(n, [1.0; L]);
    for t in (0..n - 1).rev() {
        let next = lat.beta[t + 1];
        for i in 0..L {
            lat.beta[t][i] = (0..L)
                .map(|k| et[1 + i][k] * lat.pot[t + 1][k] * next[k])
                .sum::<f32>()
                / lat.scale[t + 1];
        }
    }
    m.extend(
        lat.alpha
            .iter()
            .zip(&lat.beta)
            .map(|(a, b)| std::array::from_fn(|k| a[k] * b[k])),
    );
    if let Some(p) = pair {
        for k in 0..L {
            p[0][k] += m[0][k];
        }
        for t in 1..n {
            for i in 0..L {
                for k in 0..L {
                    p[1 + i][k] +=
                        lat.alpha[t - 1][i] * et[1 + i][k] * lat.pot[t][k] * lat.beta[t][k]
                            / lat.scale[t];
                }
            }
        }
    }
    Some(log_z)
}

/// [`marginals`] in log space: exact whatever the scale, ten times the `exp`.
fn in_logs(
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

    /// Brute force over all label sequences of a short chain, in f64, with
    /// `bonus` on sequences containing label 0: marginals, log Z and expected
    /// transition counts.
    fn brute(e: &[[f32; L]], tr: &Trans, bonus: f32) -> (Vec<[f32; L]>, f64, Trans) {
        let n = e.len();
        let seqs: Vec<Vec<usize>> = (0..L.pow(n as u32))
            .map(|code| (0..n).map(|t| code / L.pow(t as u32) % L).collect())
            .collect();
        let score = |seq: &[usize]| {
            let mut s = f64::from(tr[0][seq[0]] + e[0][seq[0]]);
            for t in 1..n {
                s += f64::from(tr[1 + seq[t - 1]][seq[t]] + e[t][seq[t]]);
            }
            s + if seq.contains(&0) {
                f64::from(bonus)
            } else {
                0.0
            }
        };
        let top = seqs
            .iter()
            .map(|q| score(q))
            .fold(f64::NEG_INFINITY, f64::max);
        let z: f64 = seqs.iter().map(|q| (score(q) - top).exp()).sum();
        let mut m = vec![[0.0f64; L]; n];
        let mut pair = [[0.0f64; L]; L + 1];
        for q in &seqs {
            let p = (score(q) - top).exp() / z;
            pair[0][q[0]] += p;
            for t in 0..n {
                m[t][q[t]] += p;
                if t > 0 {
                    pair[1 + q[t - 1]][q[t]] += p;
                }
            }
        }
        let as_f32 = |row: [f64; L]| row.map(|x| x as f32);
        (
            m.into_iter().map(as_f32).collect(),
            top + z.ln(),
            pair.map(as_f32),
        )
    }

    fn transitions(scale: f32) -> Trans {
        let mut tr: Trans = [[0.0; L]; L + 1];
        for (i, row) in tr.iter_mut().enumerate() {
            for (k, x) in row.iter_mut().enumerate() {
                *x = (((i * 7 + k * 3) % 5) as f32 * 0.3 - 0.6) * scale;
            }
        }
        tr
    }

    #[test]
    fn log_z_and_transition_counts_match_brute_force_at_any_scale() {
        // (emission scale, transition scale): scores of 90 and more overflow
        // exp in f32 unless shifted; transitions spread over 120 nats leave
        // the scaled pass for the log-space one.
        for (escale, tscale) in [
            (1.0, 1.0),
            (100.0, 1.0),
            (1.0, 20.0),
            (30.0, 30.0),
            (100.0, 100.0),
        ] {
            let e: Vec<[f32; L]> = [
                [0.3, -0.2, 0.0, 1.0],
                [1.2, 0.1, -1.0, 0.0],
                [-0.5, 0.9, 0.2, 0.1],
                [0.0, 0.0, 0.4, -0.3],
            ]
            .iter()
            .map(|row| row.map(|x| x * escale))
            .collect();
            let tr = transitions(tscale);
            let (bm, bz, bpair) = brute(&e, &tr, 0.0);
            let mut pair = [[0.0; L]; L + 1];
            let mut m = Vec::new();
            let mut lat = Lattice::default();
            assert_eq!(
                scaled(&e, &tr, &mut lat, &mut m, None).is_some(),
                tscale < 50.0
            );
            let z = marginals(&e, &tr, &mut lat, &mut m, Some(&mut pair));
            let at = format!("scales {escale}, {tscale}");
            assert!(
                (f64::from(z) - bz).abs() < 1e-5 * bz.abs().max(1.0),
                "{at}: {z} {bz}"
            );
            for (row, brow) in m.iter().zip(&bm).chain(pair.iter().zip(&bpair)) {
                for k in 0..L {
                    assert!((row[k] - brow[k]).abs() < 1e-4, "{at}: {row:?} {brow:?}");
                }
            }
        }
    }

    #[test]
    fn matches_brute_force() {
        let e = [
            [0.3, -0.2, 0.0, 1.0],
            [1.2, 0.1, -1.0, 0.0],
            [-0.5, 0.9, 0.2, 0.1],
        ];
        let tr = transitions(1.0);
        let mut lat = Lattice::default();
        let mut m = Vec::new();
        for bonus in [0.0, 1.5, -0.7] {
            let (bm, _, _) = brute(&e, &tr, bonus);
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
