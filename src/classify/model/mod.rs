//! The role model: a linear-chain CRF over the sentences of each paragraph
//! (hashed sparse features -> four label scores, plus label-transition
//! potentials) and a logistic thesis head over the same features, with its
//! compact binary file format.
//!
//! File layout (little-endian): magic `EMROLES\0`, format version, feature-spec
//! version and hash, hash bits, label list, decode settings (from format 5
//! with the thesis restatement levels), transitions,
//! biases, the paragraph rescorer (a flag, then its weights, 18 per label from
//! format 4 and 15 in format 3, and biases), provenance (JSON text), the `2^bits x 6` weight matrix as f32, and
//! an FNV-1a checksum of everything before it. A format, spec or label
//! mismatch is [`Error::ModelMismatch`]; truncation or corruption is
//! [`Error::Model`]. Loading validates before anything is used.

use super::crf::{self, Lattice, Trans, L};
use super::rescore::{self, ParaPlace, Rescorer, N_FEAT, N_FEAT_V3};
use crate::document::{Document, Label, Scores};
use crate::error::{Error, Result};
use crate::features::{token_features, FeatureSpec, Features, Token, SPEC_VERSION};
use crate::util::math::sigmoid;
use crate::util::model_file::{finite_f32s, fnv1a};
use ndarray::Array2;

/// Version of the model file layout (3 added the paragraph rescorer, 4 its
/// inference-marker features, 5 the thesis restatement levels; older
/// versions still load, without a rescorer, with those features unweighted
/// or without restating the thesis).
pub const FORMAT_VERSION: u32 = 5;

/// A [`DecodeConfig::thesis_restate`] level no probability reaches: never
/// restate (the setting of files before format 5).
pub const NO_RESTATE: f32 = 1.1;
/// Outputs per feature: the four label scores, the thesis logit and the
/// register logit (university-level vs school writing).
pub const N_OUT: usize = L + 2;
/// Index of the thesis logit among the outputs.
pub const THESIS: usize = L;
/// Index of the register logit among the outputs.
pub const REGISTER: usize = L + 1;
const MAGIC: &[u8; 8] = b"EMROLES\0";

/// Decoding settings stored with the weights (tuned on dev data at training time).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodeConfig {
    /// Use forward-backward over label transitions; otherwise each
    /// sentence is decided alone.
    pub transitions: bool,
    /// Softmax temperature that calibrates the label probabilities.
    pub temperature: f32,
    /// A sentence is a thesis when its thesis probability reaches this; one
    /// value per register (university, school), as the corpora state theses
    /// differently (AAE restates it in the conclusion, PERSUADE rarely).
    pub thesis_threshold: [f32; 2],
    /// When no sentence reaches the threshold, the most likely one is still the
    /// thesis if its probability reaches this (essays almost always state one);
    /// per register.
    pub thesis_fallback: [f32; 2],
    /// Weight of the log probability of "claim" added to the thesis logit
    /// (a thesis is a claim).
    pub thesis_claim_weight: f32,
    /// Mix register-specific weights by the essay's predicted register
    /// (false: shared weights only).
    pub registers: bool,
    /// Added to the (temperature-scaled) claim score of thesis sentences before
    /// sequence decoding: a thesis is a claim, so the two decisions agree.
    pub thesis_claim_boost: f32,
    /// Log-factor favouring label sequences with at least one claim in a body
    /// paragraph (neither the first nor the last, two sentences or more), per
    /// register (university, school): university essays state one claim per
    /// body paragraph, school essays often none.
    pub claim_bonus: [f32; 2],
    /// An essay that states its thesis in only one of its first and last
    /// paragraphs often restates it in the other (AAE: introduction and
    /// conclusion): that paragraph's most thesis-like sentence is a thesis
    /// too when its probability reaches this level, below the threshold; per
    /// register (`NO_RESTATE`: never). See `restate_thesis`.
    pub thesis_restate: [f32; 2],
}

impl Default for DecodeConfig {
    fn default() -> Self {
        DecodeConfig {
            transitions: true,
            temperature: 1.0,
            thesis_threshold: [0.5; 2],
            thesis_fallback: [0.05; 2],
            thesis_claim_weight: 0.0,
            registers: false,
            thesis_claim_boost: 0.0,
            claim_bonus: [0.0; 2],
            thesis_restate: [NO_RESTATE; 2],
        }
    }
}

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

    /// Serialises the model into the file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(self.weights.len() * 4 + 4096);
        b.extend_from_slice(MAGIC);
        put_u32(&mut b, FORMAT_VERSION);
        put_u32(&mut b, SPEC_VERSION);
        b.extend_from_slice(&self.spec.hash().to_le_bytes());
        put_u32(&mut b, self.spec.bits);
        put_u32(&mut b, L as u32);
        for l in Label::ALL {
            put_str(&mut b, l.as_str());
        }
        put_u32(
            &mut b,
            u32::from(self.decode.transitions) | u32::from(self.decode.registers) << 1,
        );
        for x in [
            self.decode.temperature,
            self.decode.thesis_threshold[0],
            self.decode.thesis_threshold[1],
            self.decode.thesis_fallback[0],
            self.decode.thesis_fallback[1],
            self.decode.thesis_claim_weight,
            self.decode.thesis_claim_boost,
            self.decode.claim_bonus[0],
            self.decode.claim_bonus[1],
            self.decode.thesis_restate[0],
            self.decode.thesis_restate[1],
        ] {
            put_f32(&mut b, x);
        }
        for row in &self.trans {
            for &x in row {
                put_f32(&mut b, x);
            }
        }
        for &x in &self.bias {
            put_f32(&mut b, x);
        }
        put_u32(&mut b, u32::from(self.rescorer.is_some()));
        if let Some(rs) = &self.rescorer {
            for &x in rs.weights.iter().flatten().chain(&rs.bias) {
                put_f32(&mut b, x);
            }
        }
        put_str(&mut b, &self.provenance);
        for &x in self.weights.iter() {
            put_f32(&mut b, x);
        }
        let sum = fnv1a(&b);
        b.extend_from_slice(&sum.to_le_bytes());
        b
    }

    /// Parses a model file; `what` names it in errors.
    ///
    /// # Errors
    /// [`Error::ModelMismatch`] when the file is of another format version,
    /// feature spec or label set; [`Error::Model`] when it is truncated,
    /// corrupt or not a model file.
    pub fn from_bytes(what: &str, data: &[u8]) -> Result<Model> {
        Self::parse(what, data, true)
    }

    /// Parses the model compiled into the binary without recomputing its
    /// checksum: the byte-serial hash of 3 MB was half of what `analyze` spends
    /// on a whole essay, and a test checks the shipped file's checksum instead.
    /// Every other check still runs.
    ///
    /// # Errors
    /// As [`Model::from_bytes`], less the checksum.
    pub(crate) fn from_embedded_bytes(what: &str, data: &[u8]) -> Result<Model> {
        Self::parse(what, data, false)
    }

    fn parse(what: &str, data: &[u8], verify: bool) -> Result<Model> {
        let bad = |m: &str| Error::Model {
            what: what.to_string(),
            message: m.to_string(),
        };
        let mismatch =
            |field: &'static str, expected: String, found: String| Error::ModelMismatch {
                what: what.to_string(),
                field,
                expected,
                found,
            };
        if data.len() < 8 + 8 || &data[..8] != MAGIC {
            return Err(bad("not an essaymap role model (bad magic)"));
        }
        let mut r = Reader { data, pos: 8 };
        let fv = r.u32().ok_or_else(|| bad("truncated"))?;
        if !(2..=FORMAT_VERSION).contains(&fv) {
            return Err(mismatch(
                "format version",
                FORMAT_VERSION.to_string(),
                fv.to_string(),
            ));
        }
        let (body, sum) = data.split_at(data.len() - 8);
        let mut sb = [0u8; 8];
        sb.copy_from_slice(sum);
        if verify && fnv1a(body) != u64::from_le_bytes(sb) {
            return Err(bad("checksum mismatch (file corrupt or truncated)"));
        }
        let r_body = &mut Reader {
            data: body,
            pos: r.pos,
        };
        let r = r_body;
        let sv = r.u32().ok_or_else(|| bad("truncated"))?;
        if sv != SPEC_VERSION {
            return Err(mismatch(
                "feature spec version",
                SPEC_VERSION.to_string(),
                sv.to_string(),
            ));
        }
        let hash = r.u64().ok_or_else(|| bad("truncated"))?;
        let bits = r.u32().ok_or_else(|| bad("truncated"))?;
        if !(8..=24).contains(&bits) {
            return Err(bad(&format!("hash bits {bits} out of range")));
        }
        let spec = FeatureSpec { bits };
        if spec.hash() != hash {
            return Err(mismatch(
                "feature spec hash",
                format!("{:016x}", spec.hash()),
                format!("{hash:016x}"),
            ));
        }
        let nl = r.u32().ok_or_else(|| bad("truncated"))? as usize;
        let mut labels = Vec::new();
        for _ in 0..nl.min(64) {
            labels.push(r.string().ok_or_else(|| bad("truncated"))?);
        }
        let want: Vec<&str> = Label::ALL.iter().map(|l| l.as_str()).collect();
        if labels != want {
            return Err(mismatch("labels", want.join(","), labels.join(",")));
        }
        let flags = r.u32().ok_or_else(|| bad("truncated"))?;
        let mut f = || r.f32().ok_or_else(|| bad("truncated"));
        let decode = DecodeConfig {
            transitions: flags & 1 != 0,
            registers: flags & 2 != 0,
            temperature: f()?,
            thesis_threshold: [f()?, f()?],
            thesis_fallback: [f()?, f()?],
            thesis_claim_weight: f()?,
            thesis_claim_boost: f()?,
            claim_bonus: [f()?, f()?],
            thesis_restate: if fv >= 5 {
                [f()?, f()?]
            } else {
                [NO_RESTATE; 2]
            },
        };
        let mut trans = [[0.0; L]; L + 1];
        for row in trans.iter_mut() {
            for x in row.iter_mut() {
                *x = f()?;
            }
        }
        let mut bias = [0.0; N_OUT];
        for x in bias.iter_mut() {
            *x = f()?;
        }
        let has_rescorer = fv >= 3 && r.u32().ok_or_else(|| bad("truncated"))? != 0;
        let rescorer = if has_rescorer {
            let mut rs = Rescorer {
                weights: [[0.0; N_FEAT]; L],
                bias: [0.0; L],
            };
            let saved = if fv == 3 { N_FEAT_V3 } else { N_FEAT };
            let weights = rs.weights.iter_mut().flat_map(|w| &mut w[..saved]);
            for x in weights.chain(rs.bias.iter_mut()) {
                *x = r
                    .f32()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| bad("truncated or non-finite rescorer"))?;
            }
            Some(rs)
        } else {
            None
        };
        let provenance = r.string().ok_or_else(|| bad("truncated"))?;
        let n = spec.dim() * N_OUT;
        if r.data.len() - r.pos != n * 4 {
            return Err(bad(&format!(
                "weight block is {} bytes, expected {}",
                r.data.len() - r.pos,
                n * 4
            )));
        }
        let w = finite_f32s(&r.data[r.pos..]).ok_or_else(|| bad("non-finite weight"))?;
        let weights = Array2::from_shape_vec((spec.dim(), N_OUT), w)
            .map_err(|e| bad(&format!("weight shape: {e}")))?;
        Ok(Model {
            spec,
            weights,
            bias,
            trans,
            decode,
            rescorer,
            provenance,
        })
    }
}

/// Per-essay thesis decision from per-sentence thesis probabilities: every
/// sentence at or above the threshold, or else the single most likely
/// sentence if it reaches the fallback level. Questions are never the thesis.
pub fn decode_thesis(
    p: &[f32],
    labels: &[Option<Label>],
    threshold: f32,
    fallback: f32,
) -> Vec<bool> {
    let ok = |i: usize| labels.get(i).copied().flatten() != Some(Label::Question);
    let mut out: Vec<bool> = (0..p.len()).map(|i| ok(i) && p[i] >= threshold).collect();
    if !out.iter().any(|&x| x) {
        let best = (0..p.len())
            .filter(|&i| ok(i))
            .max_by(|&a, &b| p[a].total_cmp(&p[b]));
        if let Some(b) = best {
            if p[b] >= fallback {
                out[b] = true;
            }
        }
    }
    out
}

/// Adds a restated thesis to the per-essay decision `thesis` (see
/// [`DecodeConfig::thesis_restate`]): when exactly one of the first and last
/// paragraphs (`paragraph` per sentence) holds a thesis sentence, the other's
/// most likely non-question sentence becomes one if its probability in `p`
/// reaches `level`.
pub fn restate_thesis(
    p: &[f32],
    labels: &[Option<Label>],
    paragraph: &[usize],
    level: f32,
    thesis: &mut [bool],
) {
    let n = p.len().min(paragraph.len()).min(thesis.len());
    if n == 0 || level > 1.0 {
        return;
    }
    let (first, last) = (paragraph[0], paragraph[n - 1]);
    let holds = |para: usize| (0..n).any(|i| paragraph[i] == para && thesis[i]);
    let other = match (holds(first), holds(last)) {
        (true, false) if first != last => last,
        (false, true) if first != last => first,
        _ => return,
    };
    let best = (0..n)
        .filter(|&i| {
            paragraph[i] == other && labels.get(i).copied().flatten() != Some(Label::Question)
        })
        .max_by(|&a, &b| p[a].total_cmp(&p[b]));
    if let Some(b) = best {
        if p[b] >= level {
            thesis[b] = true;
        }
    }
}

fn put_u32(b: &mut Vec<u8>, x: u32) {
    b.extend_from_slice(&x.to_le_bytes());
}
fn put_f32(b: &mut Vec<u8>, x: f32) {
    b.extend_from_slice(&x.to_le_bytes());
}
fn put_str(b: &mut Vec<u8>, s: &str) {
    put_u32(b, s.len() as u32);
    b.extend_from_slice(s.as_bytes());
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.data.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        let s = self.take(4)?;
        Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn f32(&mut self) -> Option<f32> {
        self.u32().map(f32::from_bits)
    }
    fn u64(&mut self) -> Option<u64> {
        let s = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Some(u64::from_le_bytes(a))
    }
    fn string(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        let s = self.take(n)?;
        String::from_utf8(s.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Model {
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
    fn round_trips_through_bytes() {
        let m = small();
        let b = m.to_bytes();
        let m2 = Model::from_bytes("t", &b).unwrap();
        assert_eq!(m2.weights, m.weights);
        assert_eq!(m2.bias, m.bias);
        assert_eq!(m2.trans, m.trans);
        assert_eq!(m2.decode, m.decode);
        assert_eq!(m2.provenance, m.provenance);
        assert_eq!(m2.spec, m.spec);
        assert_eq!(m2.rescorer, m.rescorer);
    }

    #[test]
    fn shipped_model_passes_the_checksum_its_start_up_skips() {
        let data = crate::pipeline::EMBEDDED_MODEL;
        let checked = Model::from_bytes("roles.bin", data).unwrap();
        let trusted = Model::from_embedded_bytes("roles.bin", data).unwrap();
        assert_eq!(checked.weights, trusted.weights);
        assert_eq!(checked.decode, trusted.decode);
        // Only the checksum is skipped: a corrupt weight is still refused.
        let mut c = small().to_bytes();
        let at = c.len() - 12;
        c[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert_eq!(
            Model::from_embedded_bytes("t", &c).unwrap_err().kind(),
            "model"
        );
    }

    #[test]
    fn rejects_corruption_and_version_mismatch() {
        let b = small().to_bytes();
        let mut c = b.clone();
        c[100] ^= 1;
        assert_eq!(Model::from_bytes("t", &c).unwrap_err().kind(), "model");
        assert_eq!(
            Model::from_bytes("t", &b[..50]).unwrap_err().kind(),
            "model"
        );
        assert_eq!(Model::from_bytes("t", b"junk").unwrap_err().kind(), "model");
        let mut v = b.clone();
        v[8] = 99; // format version
        let e = Model::from_bytes("t", &v).unwrap_err();
        assert_eq!(e.kind(), "model_mismatch", "{e}");
        // A spec-version change with a valid checksum.
        let mut s = b[..b.len() - 8].to_vec();
        s[12] = 99;
        let sum = fnv1a(&s);
        s.extend_from_slice(&sum.to_le_bytes());
        assert_eq!(
            Model::from_bytes("t", &s).unwrap_err().kind(),
            "model_mismatch"
        );
    }

    #[test]
    fn format_3_rescorers_load_without_the_inference_features() {
        let mut m = small();
        if let Some(rs) = &mut m.rescorer {
            rs.weights[1][N_FEAT_V3 - 1] = 0.25;
        }
        let b = bytes_before_format_5(&m);
        let mut none = m.clone();
        none.rescorer = None;
        // The rescorer flag is the first byte that differs (1 vs 0); the
        // weights follow it, a row of N_FEAT per label, then the biases.
        let flag = b
            .iter()
            .zip(bytes_before_format_5(&none))
            .position(|(x, y)| *x != y);
        let start = flag.unwrap() + 4;
        let mut v3 = b[..start].to_vec();
        v3[8..12].copy_from_slice(&3u32.to_le_bytes());
        for row in 0..L {
            let at = start + row * N_FEAT * 4;
            v3.extend_from_slice(&b[at..at + N_FEAT_V3 * 4]);
        }
        v3.extend_from_slice(&b[start + L * N_FEAT * 4..]);
        let sum = fnv1a(&v3);
        v3.extend_from_slice(&sum.to_le_bytes());
        let old = Model::from_bytes("t", &v3).unwrap();
        let (rs, rs3) = (m.rescorer.unwrap(), old.rescorer.unwrap());
        assert_eq!(rs3.bias, rs.bias);
        for (w3, w) in rs3.weights.iter().zip(&rs.weights) {
            assert_eq!(w3[..N_FEAT_V3], w[..N_FEAT_V3]);
            assert!(w3[N_FEAT_V3..].iter().all(|&x| x == 0.0));
        }
        assert_eq!(old.weights, m.weights);
    }

    /// The file bytes of `m` without the restatement levels, as formats
    /// before 5 wrote them, and without the checksum.
    fn bytes_before_format_5(m: &Model) -> Vec<u8> {
        let b = m.to_bytes();
        let mut other = m.clone();
        // Flipping the low byte makes the first byte of the levels differ.
        other.decode.thesis_restate[0] =
            f32::from_bits(m.decode.thesis_restate[0].to_bits() ^ 0xff);
        let at = b.iter().zip(other.to_bytes()).position(|(x, y)| *x != y);
        let at = at.unwrap();
        let mut v = b[..at].to_vec();
        v.extend_from_slice(&b[at + 8..b.len() - 8]);
        v
    }

    #[test]
    fn format_4_files_load_without_restating() {
        let m = small();
        let mut v4 = bytes_before_format_5(&m);
        v4[8..12].copy_from_slice(&4u32.to_le_bytes());
        let sum = fnv1a(&v4);
        v4.extend_from_slice(&sum.to_le_bytes());
        let old = Model::from_bytes("t", &v4).unwrap();
        assert_eq!(old.decode.thesis_restate, [NO_RESTATE; 2]);
        assert_eq!(old.decode.claim_bonus, m.decode.claim_bonus);
        assert_eq!(old.weights, m.weights);
        assert_eq!(old.rescorer, m.rescorer);
    }

    #[test]
    fn a_thesis_stated_at_one_end_is_restated_at_the_other() {
        let c = Some(Label::Claim);
        let l = [c, c, Some(Label::Question), c, c];
        let para = [0, 0, 1, 2, 2];
        let p = [0.9, 0.1, 0.8, 0.05, 0.2];
        let run = |level: f32, mut t: Vec<bool>| {
            restate_thesis(&p, &l, &para, level, &mut t);
            t
        };
        let intro_only = vec![true, false, false, false, false];
        // The conclusion's best sentence (0.2) reaches 0.15, not 0.25 or "never".
        assert_eq!(
            run(0.15, intro_only.clone()),
            [true, false, false, false, true]
        );
        assert_eq!(run(0.25, intro_only.clone()), intro_only);
        assert_eq!(run(NO_RESTATE, intro_only.clone()), intro_only);
        // Nothing to restate when both or neither end holds the thesis.
        let both = vec![true, false, false, false, true];
        assert_eq!(run(0.01, both.clone()), both);
        let middle = vec![false, false, true, false, false];
        assert_eq!(run(0.01, middle.clone()), middle);
        // A question is never the restated thesis, however likely.
        let q = Some(Label::Question);
        let mut t = vec![false, false, false, true, false];
        restate_thesis(
            &[0.9, 0.3, 0.1, 0.9, 0.1],
            &[q, c, c, c, c],
            &para,
            0.2,
            &mut t,
        );
        assert_eq!(t, [false, true, false, true, false]);
        // One paragraph: no other end.
        let mut one = vec![true, false];
        restate_thesis(&[0.9, 0.5], &[c, c], &[0, 0], 0.1, &mut one);
        assert_eq!(one, [true, false]);
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

    #[test]
    fn thesis_decoding_falls_back_to_best_non_question() {
        let l = [
            Some(Label::Question),
            Some(Label::Claim),
            Some(Label::Other),
        ];
        assert_eq!(
            decode_thesis(&[0.4, 0.3, 0.1], &l, 0.5, 0.05),
            [false, true, false]
        );
        assert_eq!(
            decode_thesis(&[0.9, 0.6, 0.7], &l, 0.5, 0.05),
            [false, true, true]
        );
        assert_eq!(
            decode_thesis(&[0.01, 0.01, 0.02], &l, 0.5, 0.05),
            [false, false, false]
        );
    }
}
