//! The role model: a linear-chain CRF over the sentences of each paragraph
//! (hashed sparse features -> four label scores, plus label-transition
//! potentials) and a logistic thesis head over the same features.
//!
//! This file holds the [`Model`] type and its inference: scoring sentences
//! from the weight matrix (with a thread's [`TokenCache`] of token sums) and
//! [`Model::predict`], which turns the scores into labels and thesis flags
//! paragraph by paragraph. The decisions taken on probabilities and their
//! settings are in `decode`, the model file in `format`, and training in
//! `train::roles`: each changes on its own, and the hot scoring code reads
//! without the file layout around it.

mod decode;
mod format;

pub use decode::{decode_thesis, restate_thesis, DecodeConfig, NO_RESTATE};

use super::crf::{self, Lattice, Trans, L};
use super::rescore::{self, ParaPlace, Rescorer, N_FEAT};
use crate::document::{Document, Label, Scores};
use crate::features::{token_features, FeatureSpec, Features, Token};
use crate::util::math::sigmoid;
use ndarray::Array2;

/// Outputs per feature: the four label scores, the thesis logit and the
/// register logit (university-level vs school writing).
pub const N_OUT: usize = L + 2;
/// Index of the thesis logit among the outputs.
pub const THESIS: usize = L;
/// Index of the register logit among the outputs.
pub const REGISTER: usize = L + 1;

/// A trained role model.
#[derive(Debug, Clone)]
pub struct Model {
    /// The feature space the weights index.
    pub spec: FeatureSpec,
    /// `dim x N_OUT` weights (row-major: a feature's outputs are contiguous).
    pub weights: Array2<f32>,
    /// Output biases.
    pub bias: [f32; N_OUT],
    /// Label transition potentials.
    pub trans: Trans,
    /// Decoding settings.
    pub decode: DecodeConfig,
    /// Second pass over each paragraph's first-pass probabilities, if trained.
    pub rescorer: Option<Rescorer>,
    /// Where the model came from (JSON: data, settings, dev scores).
    pub provenance: String,
}

/// What every occurrence of a token adds to its sentence's scores through its
/// [`token_features`]: the shared outputs, and the register outputs of the
/// university-level and the school-writing copies.
#[derive(Debug, Clone, Copy, Default)]
struct TokenScores {
    shared: [f32; N_OUT],
    registers: [[f32; REGISTER]; 2],
}

/// A thread's token sums (`TokenScores`) of the words it has seen, for one
/// model: a fixed-size direct-mapped table keyed by token hash, so it never
/// grows. Word frequencies are skewed, so most tokens of an essay are
/// found in it and their features are not read from the weight matrix again.
#[derive(Debug, Default)]
pub struct TokenCache {
    /// Whose weights the entries hold (see [`TokenCache::serve`]).
    owner: u64,
    keys: Vec<u64>,
    vals: Vec<TokenScores>,
}

impl TokenCache {
    /// Slots (a power of two): 256 KB of sums, about half of a core's L2 cache here.
    const SLOTS: usize = 4096;

    /// Readies the cache for the model identified by `owner`, emptying it if it
    /// held another model's sums. `owner` must name one unchanging model (the
    /// pipeline gives each of its models a number of its own).
    pub fn serve(&mut self, owner: u64) {
        if self.owner != owner || self.keys.is_empty() {
            self.owner = owner;
            self.keys = vec![0; Self::SLOTS];
            self.vals = vec![TokenScores::default(); Self::SLOTS];
        }
    }

    /// The cached sums of `t`, else `compute`'s, kept for next time.
    #[inline]
    fn get(&mut self, t: &Token, compute: impl FnOnce() -> TokenScores) -> TokenScores {
        // Token hashes end in a multiply: their high bits are the mixed ones.
        let i = (t.hash >> (64 - Self::SLOTS.trailing_zeros())) as usize;
        match (self.keys.get_mut(i), self.vals.get_mut(i)) {
            // 0 marks an empty slot, so a token hashing to 0 is never kept.
            (Some(k), Some(v)) if t.hash != 0 => {
                if *k != t.hash {
                    *k = t.hash;
                    *v = compute();
                }
                *v
            }
            _ => compute(),
        }
    }
}

/// Adds `v` times the weights of feature `j` (a row of `w`, the weight
/// matrix's data) to the outputs `s`; nothing for a row out of range.
#[inline]
fn add_weights(w: &[f32], j: u32, v: f32, s: &mut [f32; N_OUT]) {
    let o = j as usize * N_OUT;
    if let Some(r) = w.get(o..o + N_OUT) {
        for k in 0..N_OUT {
            s[k] += r[k] * v;
        }
    }
}

/// Reusable buffers for [`Model::predict`].
#[derive(Debug, Default)]
pub struct Work {
    raw: Vec<[f32; N_OUT]>,
    /// Per row, its deferred tokens' register sums ([`TokenScores::registers`]).
    token_registers: Vec<[[f32; REGISTER]; 2]>,
    emit: Vec<[f32; L]>,
    thesis: Vec<f32>,
    marg: Vec<[f32; L]>,
    all: Vec<[f32; L]>,
    feats: Vec<[f32; N_FEAT]>,
    inference: Vec<bool>,
    para: Vec<usize>,
    lat: Lattice,
}

impl Model {
    /// An all-zero model over `spec` (the starting point of training).
    pub fn zeros(spec: FeatureSpec) -> Self {
        Model {
            spec,
            weights: Array2::zeros((spec.dim(), N_OUT)),
            bias: [0.0; N_OUT],
            trans: [[0.0; L]; L + 1],
            decode: DecodeConfig::default(),
            rescorer: None,
            provenance: String::from("{}"),
        }
    }

    /// Raw output scores of one feature row.
    #[inline]
    pub fn row_scores(&self, row: &[(u32, f32)]) -> [f32; N_OUT] {
        let mut s = self.bias;
        let w = self.weights.as_slice().unwrap_or(&[]);
        for &(j, v) in row {
            add_weights(w, j, v, &mut s);
        }
        s
    }

    /// The [`TokenScores`] of token `t` of `feats`.
    fn token_scores(&self, feats: &Features, t: &Token) -> TokenScores {
        let w = self.weights.as_slice().unwrap_or(&[]);
        let mut shared = [0.0; N_OUT];
        let mut registers = [[0.0; REGISTER]; 2];
        token_features(
            &self.spec,
            t,
            feats.token_bytes(t),
            |j, v| add_weights(w, j, v, &mut shared),
            |a, b, v| {
                let (oa, ob) = (a as usize * N_OUT, b as usize * N_OUT);
                if let (Some(ra), Some(rb)) = (w.get(oa..oa + REGISTER), w.get(ob..ob + REGISTER)) {
                    for k in 0..REGISTER {
                        registers[0][k] += ra[k] * v;
                        registers[1][k] += rb[k] * v;
                    }
                }
            },
        );
        TokenScores { shared, registers }
    }

    /// Adds `r` times the university-register and `1 - r` times the
    /// school-register weights of row `i` to `s`.
    #[inline]
    pub fn add_register_scores(&self, feats: &Features, i: usize, r: f32, s: &mut [f32; N_OUT]) {
        let w = self.weights.as_slice().unwrap_or(&[]);
        for &(a, b, v) in feats.domain_row(i) {
            let (oa, ob) = (a as usize * N_OUT, b as usize * N_OUT);
            if let (Some(ra), Some(rb)) = (w.get(oa..oa + REGISTER), w.get(ob..ob + REGISTER)) {
                for k in 0..REGISTER {
                    s[k] += (r * ra[k] + (1.0 - r) * rb[k]) * v;
                }
            }
        }
    }

    /// The essay's register: probability that it is university-level writing,
    /// from the mean register logit of its sentences (shared features only).
    pub fn register(raw: &[[f32; N_OUT]]) -> f32 {
        if raw.is_empty() {
            return 0.5;
        }
        sigmoid(raw.iter().map(|s| s[REGISTER]).sum::<f32>() / raw.len() as f32)
    }

    /// The register ([`Model::register`]) of the essay whose features are
    /// `feats`, without labelling it.
    pub(crate) fn register_of(&self, feats: &Features) -> f32 {
        let raw: Vec<[f32; N_OUT]> = (0..feats.len())
            .map(|i| {
                let mut s = self.row_scores(feats.row(i));
                for t in feats.tokens(i) {
                    s[REGISTER] += self.token_scores(feats, t).shared[REGISTER];
                }
                s
            })
            .collect();
        Model::register(&raw)
    }

    /// Labels, probabilities and thesis flags for every sentence of `doc`, whose
    /// features are `feats`; written into the sentences.
    pub fn predict(&self, doc: &mut Document, feats: &Features, work: &mut Work) {
        self.predict_with(doc, feats, work, None);
    }

    /// [`Model::predict`], taking the sums of the deferred tokens of `feats`
    /// ([`crate::features::extract_deferred`]) from `cache`, which must have
    /// been served (`TokenCache::serve`) for this model.
    pub fn predict_cached(
        &self,
        doc: &mut Document,
        feats: &Features,
        work: &mut Work,
        cache: &mut TokenCache,
    ) {
        self.predict_with(doc, feats, work, Some(cache));
    }

    fn predict_with(
        &self,
        doc: &mut Document,
        feats: &Features,
        work: &mut Work,
        mut cache: Option<&mut TokenCache>,
    ) {
        let n = doc.sentences.len().min(feats.len());
        work.raw.clear();
        work.token_registers.clear();
        work.emit.clear();
        work.thesis.clear();
        let inv_t = 1.0 / self.decode.temperature.max(1e-3);
        for i in 0..n {
            let mut s = self.row_scores(feats.row(i));
            let mut registers = [[0.0; REGISTER]; 2];
            for t in feats.tokens(i) {
                let compute = || self.token_scores(feats, t);
                let ts = match cache.as_deref_mut() {
                    Some(c) => c.get(t, compute),
                    None => compute(),
                };
                for (x, add) in s.iter_mut().zip(ts.shared) {
                    *x += add;
                }
                for (sum, add) in registers.iter_mut().zip(&ts.registers) {
                    for (x, add) in sum.iter_mut().zip(add) {
                        *x += add;
                    }
                }
            }
            work.raw.push(s);
            work.token_registers.push(registers);
        }
        let r = Model::register(&work.raw);
        for i in 0..n {
            let mut s = work.raw[i];
            if self.decode.registers {
                self.add_register_scores(feats, i, r, &mut s);
                let [univ, school] = work.token_registers[i];
                for k in 0..REGISTER {
                    s[k] += r * univ[k] + (1.0 - r) * school[k];
                }
            }
            work.emit
                .push([s[0] * inv_t, s[1] * inv_t, s[2] * inv_t, s[3] * inv_t]);
            work.thesis.push(s[THESIS]);
        }
        for (th, e) in work.thesis.iter_mut().zip(&work.emit) {
            let m = e.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let z: f32 = e.iter().map(|x| (x - m).exp()).sum();
            let log_claim = e[Label::Claim.index()] - m - z.ln();
            *th = sigmoid(*th + self.decode.thesis_claim_weight * log_claim);
        }
        // Thesis first (questions, by their own scores, never are), then let it
        // pull its sentence towards "claim".
        let prelim: Vec<Option<Label>> = work
            .emit
            .iter()
            .map(|e| Label::from_index(crf::argmax(e)))
            .collect();
        let reg = usize::from(r < 0.5 || !self.decode.registers);
        let mut thesis = decode_thesis(
            &work.thesis,
            &prelim,
            self.decode.thesis_threshold[reg],
            self.decode.thesis_fallback[reg],
        );
        work.para.clear();
        work.para
            .extend(doc.sentences[..n].iter().map(|s| s.paragraph));
        restate_thesis(
            &work.thesis,
            &prelim,
            &work.para,
            self.decode.thesis_restate[reg],
            &mut thesis,
        );
        for (e, &t) in work.emit.iter_mut().zip(&thesis) {
            if t {
                e[Label::Claim.index()] += self.decode.thesis_claim_boost;
            }
        }
        let mut trans = self.trans;
        for row in trans.iter_mut() {
            for x in row.iter_mut() {
                *x = if self.decode.transitions {
                    *x * inv_t
                } else {
                    0.0
                };
            }
        }
        let bonus = if self.decode.registers {
            r * self.decode.claim_bonus[0] + (1.0 - r) * self.decode.claim_bonus[1]
        } else {
            self.decode.claim_bonus[0]
        };
        let last_para = doc.sentences.last().map_or(0, |s| s.paragraph);
        work.all.clear();
        work.feats.clear();
        let mut lo = 0;
        while lo < n {
            let mut hi = lo + 1;
            let p = doc.sentences[lo].paragraph;
            while hi < n && doc.sentences[hi].paragraph == p {
                hi += 1;
            }
            let body = p > 0 && p < last_para && hi - lo >= 2;
            crf::marginals_with_bonus(
                &work.emit[lo..hi],
                &trans,
                &mut work.lat,
                &mut work.marg,
                Label::Claim.index(),
                if body { bonus } else { 0.0 },
            );
            if self.rescorer.is_some() {
                let place = ParaPlace::of(p, last_para);
                work.inference.clear();
                work.inference.extend(
                    doc.sentences[lo..hi]
                        .iter()
                        .map(|s| rescore::opens_with_inference(&s.text)),
                );
                rescore::features(
                    &work.marg,
                    &thesis[lo..hi],
                    &work.inference,
                    place,
                    &mut work.feats,
                );
            }
            work.all.extend_from_slice(&work.marg);
            lo = hi;
        }
        if let Some(rs) = &self.rescorer {
            // University essays take the rescorer's view, school essays keep
            // the first pass's (where the rescorer measured no gain).
            let mix = if self.decode.registers { r } else { 1.0 };
            for (p, f) in work.all.iter_mut().zip(&work.feats) {
                let q = rs.probs(f);
                for (a, b) in p.iter_mut().zip(q) {
                    *a = mix * b + (1.0 - mix) * *a;
                }
            }
        }
        for ((s, p), t) in doc.sentences.iter_mut().zip(&work.all).zip(thesis) {
            let k = crf::argmax(p);
            s.label = Label::from_index(k);
            s.confidence = Some(p[k]);
            s.scores = Some(Scores::from_array(*p));
            s.thesis = Some(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn small() -> Model {
        let mut m = Model::zeros(FeatureSpec { bits: 10 });
        for (i, x) in m.weights.iter_mut().enumerate() {
            *x = (i % 13) as f32 * 0.01 - 0.05;
        }
        m.bias = [0.1, 0.2, -0.3, 0.0, -1.0, 0.5];
        m.decode.registers = true;
        m.trans[2][1] = 0.7;
        m.decode.temperature = 1.3;
        m.decode.thesis_claim_boost = 2.0;
        m.decode.thesis_threshold = [0.3, 0.6];
        m.decode.thesis_claim_weight = 0.5;
        m.decode.thesis_restate = [0.15, NO_RESTATE];
        m.provenance = r#"{"data":"test"}"#.into();
        let mut rs = Rescorer {
            weights: [[0.0; N_FEAT]; L],
            bias: [0.5, -0.5, -2.0, 0.0],
        };
        rs.weights[0][6] = -1.5;
        m.rescorer = Some(rs);
        m
    }

    #[test]
    fn cached_token_sums_give_the_scores_of_full_rows() {
        use crate::features::{extract, extract_deferred, Scratch};
        use crate::segment::{self, RuleSegmenter};
        let text =
            "Phones distract students. For example, 40% of teachers say so (Smith 2010).\n\n\
                    Some people argue that phones help. However, they don’t.\n\n\
                    In conclusion, schools should ban phones… Shouldn't they?";
        let doc = segment::document(&RuleSegmenter::default(), None, None, text.into());
        let a = small();
        let mut b = small();
        for (i, x) in b.weights.iter_mut().enumerate() {
            *x = (i % 7) as f32 * 0.02 - 0.06;
        }
        let (mut full, mut deferred) = (Features::default(), Features::default());
        extract(&a.spec, &doc, &mut full, &mut Scratch::default());
        extract_deferred(&a.spec, &doc, &mut deferred, &mut Scratch::default());
        assert!(!deferred.tokens(0).is_empty());
        let mut cache = TokenCache::default();
        // The same cache serves one model, then another: it must not hand the
        // second model the first one's sums.
        for (id, m) in [(1, &a), (2, &b), (1, &a)] {
            let run = |f: &Features, cache: Option<&mut TokenCache>| {
                let mut d = doc.clone();
                m.predict_with(&mut d, f, &mut Work::default(), cache);
                d
            };
            let want = run(&full, None);
            cache.serve(id);
            for got in [
                run(&deferred, None),
                run(&deferred, Some(&mut cache)),
                run(&deferred, Some(&mut cache)),
            ] {
                for (x, y) in want.sentences.iter().zip(&got.sentences) {
                    assert_eq!((x.label, x.thesis), (y.label, y.thesis));
                    let (p, q) = (x.scores.unwrap(), y.scores.unwrap());
                    for (u, v) in p.to_array().iter().zip(q.to_array()) {
                        assert!((u - v).abs() < 1e-5, "{u} vs {v}");
                    }
                }
            }
        }
    }
}
