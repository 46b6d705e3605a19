//! The learned linker's model file and decoder.
//!
//! A [`LinkModel`] holds three flat weight vectors over hashed features (pair
//! attachment, support/attack, claim stance) and two decision thresholds tuned
//! on dev. On disk (`models/links.bin`) it is:
//!
//! ```text
//! b"EMLINKS\0"  u32 LE header length  JSON header (ModelInfo)
//! f32 LE weights: pair, then relation, then stance (lengths in the header)
//! ```
//!
//! The JSON header carries the format version, the feature layout
//! ([`FEATURE_SPEC`]), dimensions, thresholds and provenance, so a file from
//! another version is a typed [`Error::Model`] rather than silent garbage. The
//! shipped model is compiled into the binary and parsed once ([`LinkModel::embedded`]).

use super::features::{self, DocView, Dot, Feats, Hasher, Role, Sink, FEATURE_SPEC};
use super::{main_thesis, stated_thesis, Forest, Linker};
use crate::argument::{Link, Relation};
use crate::document::{Document, Label};
use crate::error::{Error, Result};
use crate::util::math::{sigmoid, softmax};
use crate::util::model_file::finite_f32s;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::LazyLock;

const MAGIC: &[u8; 8] = b"EMLINKS\0";
const FORMAT: u32 = 1;
static EMBEDDED_BYTES: &[u8] = include_bytes!("../../models/links.bin");
static EMBEDDED: LazyLock<Result<LinkModel, String>> =
    LazyLock::new(|| LinkModel::from_bytes(EMBEDDED_BYTES).map_err(|e| e.to_string()));

/// Metadata of a link model: the JSON header of its file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// File format version.
    pub format: u32,
    /// Feature layout the weights belong to.
    pub feature_spec: String,
    /// Hash buckets of the pair model.
    pub pair_dim: u32,
    /// Hash buckets of the relation model.
    pub relation_dim: u32,
    /// Hash buckets of the stance model.
    pub stance_dim: u32,
    /// A link is `attacks` when P(attack) is at least this.
    pub attack_threshold: f32,
    /// A claim attacks the thesis when P(against) is at least this.
    pub against_threshold: f32,
    /// A sentence the role classifier called evidence or other is a
    /// counter-argument (a claim attacking the thesis) when its P(against) is
    /// at least this: school writers state the other side in many forms the
    /// role model misses ("I understand that ..., but"). Training keeps it at
    /// or above `against_threshold`, so such a claim attacks the thesis.
    #[serde(default = "never")]
    pub counter_threshold: f32,
    /// Factor on the pair model's probability of "no target" when decoding.
    /// That option is learnt from training essays whose roles are gold or the
    /// classifier's in-sample guesses; on new essays it took too many evidence
    /// sentences off the map (AAE dev: 36 left without a target, gold has 7),
    /// so the trainer scales it down, by the factor that gives the best dev
    /// relation F1 with predicted roles.
    #[serde(default = "unscaled")]
    pub no_target_weight: f32,
    /// Factor on the pair model's probability of a claim (or thesis) target
    /// when decoding. With predicted roles the model chose evidence targets
    /// too often (AAE dev: a third of its targets, gold has a sixth), so the
    /// trainer scales claim targets up, by the factor that gives the best dev
    /// relation F1 with predicted roles (cross-validated on AAE train, factor 3
    /// lifted relation F1 from 0.542 to 0.566).
    #[serde(default = "unscaled")]
    pub claim_target_weight: f32,
    /// Where the training data came from.
    pub provenance: String,
}

/// A threshold no probability reaches (models trained before the field existed).
fn never() -> f32 {
    1.1
}

/// No rescaling (models trained before the field existed).
fn unscaled() -> f32 {
    1.0
}

/// The three weight vectors of the learned linker.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkModel {
    /// Header: dimensions, thresholds, provenance.
    pub info: ModelInfo,
    pub(crate) pair: Vec<f32>,
    pub(crate) relation: Vec<f32>,
    pub(crate) stance: Vec<f32>,
}

/// `w` dotted with the sparse vector `f`, summed as [`Dot`] sums.
pub(crate) fn dot(w: &[f32], f: &Feats) -> f32 {
    let mut d = Dot { w, sum: -0.0 };
    for &(i, v) in f {
        d.add(i, v);
    }
    d.sum
}

/// [`dot`] of `w` with the features `f` hashes into `dim` buckets, summed as
/// they are hashed.
fn score(w: &[f32], dim: u32, f: impl FnOnce(&mut Hasher<Dot<'_>>)) -> f32 {
    let mut h = Hasher::with(dim, Dot { w, sum: -0.0 });
    f(&mut h);
    h.finish().sum
}

impl LinkModel {
    /// An all-zero model with the given dimensions (the trainer's start).
    pub fn zeros(pair_dim: u32, relation_dim: u32, stance_dim: u32) -> Self {
        LinkModel {
            info: ModelInfo {
                format: FORMAT,
                feature_spec: FEATURE_SPEC.to_string(),
                pair_dim,
                relation_dim,
                stance_dim,
                attack_threshold: 0.5,
                against_threshold: 0.5,
                counter_threshold: never(),
                no_target_weight: unscaled(),
                claim_target_weight: unscaled(),
                provenance: String::new(),
            },
            pair: vec![0.0; pair_dim as usize],
            relation: vec![0.0; relation_dim as usize],
            stance: vec![0.0; stance_dim as usize],
        }
    }

    /// The model compiled into the binary, parsed on first use.
    ///
    /// # Errors
    /// [`Error::Model`] if the embedded file is corrupt (a build problem).
    pub fn embedded() -> Result<&'static LinkModel> {
        EMBEDDED.as_ref().map_err(|m| Error::Model {
            what: "embedded links.bin".into(),
            message: m.clone(),
        })
    }

    /// Parses a model file's bytes.
    ///
    /// # Errors
    /// [`Error::Model`] when the bytes are not a link model of this version.
    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        let bad = |m: &str| Error::Model {
            what: "links".into(),
            message: m.to_string(),
        };
        let rest = b
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| bad("not a link model (bad magic)"))?;
        let (len, rest) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| bad("truncated header"))?;
        let len = u32::from_le_bytes(*len) as usize;
        if rest.len() < len {
            return Err(bad("truncated header"));
        }
        let (head, mut rest) = rest.split_at(len);
        let info: ModelInfo =
            serde_json::from_slice(head).map_err(|e| bad(&format!("bad header: {e}")))?;
        if info.format != FORMAT {
            return Err(bad(&format!(
                "format {} (this build reads {FORMAT})",
                info.format
            )));
        }
        if info.feature_spec != FEATURE_SPEC {
            return Err(bad(&format!(
                "feature layout {:?} (this build computes {FEATURE_SPEC:?}); retrain",
                info.feature_spec
            )));
        }
        let mut take = |n: u32| -> Result<Vec<f32>> {
            let bytes = n as usize * 4;
            if rest.len() < bytes {
                return Err(bad("truncated weights"));
            }
            let (w, r) = rest.split_at(bytes);
            rest = r;
            finite_f32s(w).ok_or_else(|| bad("non-finite weight"))
        };
        let pair = take(info.pair_dim)?;
        let relation = take(info.relation_dim)?;
        let stance = take(info.stance_dim)?;
        if !rest.is_empty() {
            return Err(bad("trailing bytes after weights"));
        }
        Ok(LinkModel {
            info,
            pair,
            relation,
            stance,
        })
    }

    /// The model as file bytes (see the module docs for the layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut info = self.info.clone();
        info.pair_dim = self.pair.len() as u32;
        info.relation_dim = self.relation.len() as u32;
        info.stance_dim = self.stance.len() as u32;
        // Serialising a struct of plain fields cannot fail.
        let head = serde_json::to_vec(&info).unwrap_or_default();
        let mut out = Vec::with_capacity(
            16 + head.len() + 4 * (self.pair.len() + self.relation.len() + self.stance.len()),
        );
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(head.len() as u32).to_le_bytes());
        out.extend_from_slice(&head);
        for w in [&self.pair, &self.relation, &self.stance] {
            for x in w.iter() {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }

    /// Reads a model file.
    ///
    /// # Errors
    /// [`Error::Io`] if unreadable, [`Error::Model`] if not a valid model.
    pub fn load(path: &Path) -> Result<Self> {
        let b = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_bytes(&b).map_err(|e| match e {
            Error::Model { message, .. } => Error::Model {
                what: path.display().to_string(),
                message,
            },
            other => other,
        })
    }

    /// Writes the model file.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be written.
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_bytes()).map_err(|e| Error::io(path, e))
    }

    /// Probabilities over the candidate targets of source `s` and, last, the
    /// "no target" option.
    pub(crate) fn target_probs(&self, v: &DocView<'_>, s: usize, cands: &[usize]) -> Vec<f32> {
        let dim = self.info.pair_dim;
        let mut scores: Vec<f32> = cands
            .iter()
            .map(|&t| score(&self.pair, dim, |h| features::pair_into(v, s, t, h)))
            .collect();
        scores.push(score(&self.pair, dim, |h| features::null_into(v, s, h)));
        softmax(&mut scores);
        scores
    }

    /// P(evidence `s` attacks `t`).
    pub(crate) fn attack_prob(&self, v: &DocView<'_>, s: usize, t: usize) -> f32 {
        sigmoid(score(&self.relation, self.info.relation_dim, |h| {
            features::relation_into(v, s, t, h)
        }))
    }

    /// P(claim `c` argues against the thesis).
    pub(crate) fn against_prob(&self, v: &DocView<'_>, c: usize, thesis: Option<usize>) -> f32 {
        sigmoid(score(&self.stance, self.info.stance_dim, |h| {
            features::stance_into(v, c, thesis, h)
        }))
    }
}

/// The learned linker: a [`LinkModel`] plus forest decoding.
#[derive(Debug, Clone, Copy)]
pub struct LearnedLinker<'m> {
    model: &'m LinkModel,
    /// See [`LearnedLinker::with_paragraph_claim_min`].
    paragraph_claim_min: f32,
}

/// The P(claim) at or above which a body paragraph's most claim-like sentence
/// becomes its claim when the role classifier found none there
/// ([`LearnedLinker::with_paragraph_claim_min`]). Chosen by `essaymap cv`
/// over AAE train + dev and PERSUADE train (docs/cross-validation.md).
pub const PARAGRAPH_CLAIM_MIN: f32 = 0.3;

impl<'m> LearnedLinker<'m> {
    /// A linker using `model`.
    pub fn new(model: &'m LinkModel) -> Self {
        LearnedLinker {
            model,
            paragraph_claim_min: PARAGRAPH_CLAIM_MIN,
        }
    }

    /// This linker with another level for claims of claimless body
    /// paragraphs: a body paragraph (one with paragraphs before and after it)
    /// whose sentences hold evidence but no claim or thesis gets its sentence
    /// of highest P(claim) as its claim when that P(claim) is at least `min`
    /// (above 1: never). The evidence must back something: in AAE held-out
    /// essays most such paragraphs hold a gold claim the classifier called
    /// evidence, and the claim count misses it.
    #[must_use]
    pub fn with_paragraph_claim_min(mut self, min: f32) -> Self {
        self.paragraph_claim_min = min;
        self
    }
}

impl LearnedLinker<'static> {
    /// A linker using the embedded model.
    ///
    /// # Errors
    /// As [`LinkModel::embedded`].
    pub fn embedded() -> Result<Self> {
        Ok(LearnedLinker::new(LinkModel::embedded()?))
    }
}

impl LearnedLinker<'_> {
    /// Sentences the role classifier called evidence or other that the stance
    /// model finds clearly against the stated thesis: counter-arguments it
    /// missed (none when no sentence states the thesis: nothing to attack).
    fn counters(&self, v: &DocView<'_>) -> Vec<usize> {
        let doc = v.doc;
        let Some(t) = stated_thesis(doc) else {
            return Vec::new();
        };
        (0..doc.sentences.len())
            .filter(|&c| {
                let s = &doc.sentences[c];
                s.thesis != Some(true)
                    && matches!(s.label, Some(Label::Evidence | Label::Other))
                    && self.model.against_prob(v, c, Some(t)) >= self.model.info.counter_threshold
            })
            .collect()
    }

    /// The claims of claimless body paragraphs (see
    /// [`LearnedLinker::with_paragraph_claim_min`]). Only scored sentences
    /// qualify: a gold document's one-hot labels say nothing here.
    fn paragraph_claims(&self, v: &DocView<'_>) -> Vec<usize> {
        let doc = v.doc;
        let (Some(first), Some(last)) = (doc.sentences.first(), doc.sentences.last()) else {
            return Vec::new();
        };
        let claim = Label::Claim.index();
        (first.paragraph + 1..last.paragraph)
            .filter_map(|p| {
                let r = v.paragraph(p);
                if r.clone().any(|s| v.roles[s].is_claim())
                    || !r.clone().any(|s| v.roles[s] == Role::Evidence)
                {
                    return None;
                }
                r.filter(|&s| {
                    let s = &doc.sentences[s];
                    s.kind.is_prose() && s.scores.is_some()
                })
                .map(|s| (v.probs[s][claim], s))
                .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
                .filter(|&(pr, _)| pr >= self.paragraph_claim_min)
                .map(|(_, s)| s)
            })
            .collect()
    }

    /// The links of the document `v` shows (see [`Linker::link`]). The
    /// claims in `for_thesis` support the thesis whatever their stance score:
    /// paragraph claims the screen for counter-arguments passed over.
    fn link_view(&self, v: &DocView<'_>, for_thesis: &[usize]) -> Vec<Link> {
        let doc = v.doc;
        let m = self.model;
        let n = doc.sentences.len();
        let thesis = main_thesis(doc);
        let mut forest = Forest::new(n);
        // At most one link per source: evidence links start at evidence,
        // stance edges at claims and promoted sentences.
        let mut out = Vec::with_capacity(n);
        let paragraphs = doc.sentences.last().map_or(0, |s| s.paragraph + 1);
        // Buffers reused across paragraphs and sources. Options are (score:
        // the probability scaled by the decoding factors, source, target or
        // None for "no target", probability).
        let mut options: Vec<(f32, usize, Option<usize>, f32)> = Vec::new();
        let mut cands = Vec::new();
        let mut decided = Vec::new();
        for p in 0..paragraphs {
            let range = v.paragraph(p);
            options.clear();
            for s in range.clone().filter(|&s| v.roles[s] == Role::Evidence) {
                cands.clear();
                cands.extend(v.candidates(s));
                let probs = m.target_probs(v, s, &cands);
                for (k, &pr) in probs.iter().enumerate() {
                    let t = cands.get(k).copied();
                    let score = match t {
                        None => pr * m.info.no_target_weight,
                        Some(t) if v.roles[t].is_claim() => pr * m.info.claim_target_weight,
                        Some(_) => pr,
                    };
                    options.push((score, s, t, pr));
                }
            }
            // Greedy maximum forest: best options first; a source takes the first
            // option that keeps it acyclic. "No target" never closes a cycle, so
            // every source is decided.
            options.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            decided.clear();
            decided.resize(range.len(), false);
            for &(_, s, t, pr) in &options {
                let k = s - range.start;
                if decided[k] {
                    continue;
                }
                match t {
                    None => decided[k] = true,
                    Some(t) => {
                        if forest.try_link(s, t) {
                            decided[k] = true;
                            let pa = m.attack_prob(v, s, t);
                            let (relation, pr_rel) = if pa >= m.info.attack_threshold {
                                (Relation::Attacks, pa)
                            } else {
                                (Relation::Supports, 1.0 - pa)
                            };
                            out.push(Link {
                                source: s,
                                target: t,
                                relation,
                                confidence: pr * pr_rel,
                            });
                        }
                    }
                }
            }
        }
        // A sentence labelled other that received evidence acts as a claim:
        // it gets a stance edge like any claim, so the map stays one tree.
        let mut promoted = vec![false; n];
        for l in &out {
            if !v.roles[l.target].is_target() {
                promoted[l.target] = true;
            }
        }
        if let Some(t) = thesis {
            for c in (0..n).filter(|&c| c != t && (v.roles[c].is_claim() || promoted[c])) {
                let (relation, confidence) = if v.roles[c] == Role::Thesis {
                    // A restatement of the thesis backs it.
                    (Relation::Supports, 1.0)
                } else if for_thesis.contains(&c) {
                    (Relation::Supports, 1.0 - m.against_prob(v, c, Some(t)))
                } else {
                    let pa = m.against_prob(v, c, Some(t));
                    if pa >= m.info.against_threshold {
                        (Relation::Attacks, pa)
                    } else {
                        (Relation::Supports, 1.0 - pa)
                    }
                };
                out.push(Link {
                    source: c,
                    target: t,
                    relation,
                    confidence,
                });
            }
        }
        answer_counter_arguments(v, &mut out);
        out.sort_by_key(|l| l.source);
        out
    }
}

/// Openings with which a sentence turns against what precedes it.
const REBUTTAL_OPENINGS: &[&str] = &[
    "however",
    "yet",
    "but",
    "nevertheless",
    "nonetheless",
    "on the other hand",
    "on the contrary",
    "in reality",
    "even so",
    "still",
];

/// Evidence that follows a counter-argument (a claim attacking the thesis)
/// in its paragraph and opens with "Yet", "However", ... answers it: its link
/// to the counter-argument `attacks` (the writer's rebuttal, where the
/// relation model, which reads no order, said `supports`). Evidence after that
/// rebuttal which the models hung on the counter-argument backs the rebuttal
/// instead ("Some say X. They argue Y. Yet studies show Z. In one city, W.").
/// Re-pointing keeps the forest: the rebuttal's own path is rebuttal ->
/// counter-argument -> thesis, so it never passes through such evidence.
fn answer_counter_arguments(v: &DocView<'_>, out: &mut [Link]) {
    let counters: Vec<usize> = out
        .iter()
        .filter(|l| l.relation == Relation::Attacks && v.roles[l.source].is_claim())
        .filter(|l| v.roles[l.target] == Role::Thesis)
        .map(|l| l.source)
        .collect();
    if counters.is_empty() {
        return;
    }
    out.sort_by_key(|l| l.source);
    for c in counters {
        let mut rebuttal = None;
        for l in out.iter_mut().filter(|l| {
            l.target == c
                && l.source > c
                && l.relation == Relation::Supports
                && v.roles[l.source] == Role::Evidence
        }) {
            match rebuttal {
                None if REBUTTAL_OPENINGS
                    .iter()
                    .any(|o| v.text[l.source].starts_with_phrase(o)) =>
                {
                    l.relation = Relation::Attacks;
                    rebuttal = Some(l.source);
                }
                Some(r) => l.target = r,
                None => {}
            }
        }
    }
}

impl Linker for LearnedLinker<'_> {
    /// Relabels the counter-arguments `LearnedLinker::counters` finds as
    /// claims, then links: as claims they take a stance edge (`attacks`, since
    /// training keeps the counter threshold at or above the against threshold)
    /// and evidence can back them. Then the claims of claimless body
    /// paragraphs (`LearnedLinker::paragraph_claims`), which the paragraph's
    /// evidence can back.
    fn link_labelled(&self, doc: &mut Document) -> Vec<Link> {
        let (links, counters) = {
            // One view for both steps: the screened sentences turn into claims
            // in it the way a view of the relabelled document would show them.
            let mut v = DocView::new(doc);
            let mut counters = self.counters(&v);
            for &c in &counters {
                v.relabel_claim(c);
            }
            // Their P(against) is below the counter-argument screen's level
            // (else they would be counter-arguments already): they argue for
            // the thesis, though the lower level for claims might say not.
            let claims = self.paragraph_claims(&v);
            for &c in &claims {
                v.relabel_claim(c);
            }
            let links = self.link_view(&v, &claims);
            counters.extend(claims);
            (links, counters)
        };
        // Counter-arguments, and sentences labelled other that evidence hangs
        // on (`link_view` treats them as claims), are claims from here on.
        let promoted = links
            .iter()
            .map(|l| l.target)
            .filter(|&t| doc.sentences[t].label == Some(Label::Other));
        let promoted: Vec<usize> = promoted.collect();
        for c in counters.into_iter().chain(promoted) {
            let s = &mut doc.sentences[c];
            s.label = Some(Label::Claim);
            s.confidence = s.scores.map(|sc| sc.get(Label::Claim));
        }
        links
    }

    fn link(&self, doc: &Document) -> Vec<Link> {
        self.link_view(&DocView::new(doc), &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Label::{self, *};

    /// `text` segmented, labelled with `labels`, sentence 0 the thesis.
    fn labelled(text: &str, labels: &[Label]) -> Document {
        use crate::segment::{self, RuleSegmenter};
        let mut d = segment::document(&RuleSegmenter::default(), None, None, text.to_string());
        for (s, &l) in d.sentences.iter_mut().zip(labels) {
            s.label = Some(l);
        }
        d.sentences[0].thesis = Some(true);
        d
    }

    /// `info` as read from a header written before `field` existed.
    fn without(info: &ModelInfo, field: &str) -> ModelInfo {
        let mut head = serde_json::to_value(info).unwrap();
        head.as_object_mut().unwrap().remove(field);
        serde_json::from_value(head).unwrap()
    }

    #[test]
    fn a_yet_after_a_counter_argument_rebuts_it_and_takes_the_evidence_after_it() {
        let d = labelled(
            "Cars should leave city centres. Shop owners say a ban hurts trade. They \
             fear empty streets. Yet studies show that pedestrian zones draw more \
             visitors. One town saw its sales rise.",
            &[Claim, Claim, Evidence, Evidence, Evidence],
        );
        let v = DocView::new(&d);
        let links = |counter: Relation| {
            vec![
                Link::new(1, 0, counter),
                Link::new(2, 1, Relation::Supports),
                Link::new(3, 1, Relation::Supports),
                Link::new(4, 1, Relation::Supports),
            ]
        };
        let mut out = links(Relation::Attacks);
        answer_counter_arguments(&v, &mut out);
        let got: Vec<_> = out
            .iter()
            .map(|l| (l.source, l.target, l.relation))
            .collect();
        assert_eq!(
            got,
            [
                (1, 0, Relation::Attacks),
                (2, 1, Relation::Supports),
                (3, 1, Relation::Attacks),
                (4, 3, Relation::Supports)
            ]
        );
        // A claim on the writer's side is qualified, not rebutted: unchanged.
        let mut out = links(Relation::Supports);
        answer_counter_arguments(&v, &mut out);
        assert_eq!(out, links(Relation::Supports));
    }

    #[test]
    fn model_round_trips_through_bytes() {
        let mut m = LinkModel::zeros(8, 4, 16);
        m.pair[3] = 1.5;
        m.stance[15] = -2.0;
        m.info.provenance = "test".into();
        let b = m.to_bytes();
        assert_eq!(LinkModel::from_bytes(&b).unwrap(), m);
    }

    #[test]
    fn corrupt_model_bytes_are_a_typed_error() {
        let b = LinkModel::zeros(8, 4, 16).to_bytes();
        for bad in [
            &b[..5],
            &b[..20],
            &b[..b.len() - 1],
            b"EMLINKS\0\xff\xff\xff\xff",
        ] {
            let e = LinkModel::from_bytes(bad).unwrap_err();
            assert_eq!(e.kind(), "model");
        }
        let mut extra = b.clone();
        extra.push(0);
        assert!(LinkModel::from_bytes(&extra).is_err());
    }

    #[test]
    fn a_claimless_body_paragraph_gets_its_most_claim_like_sentence_as_claim() {
        let text = "Towns need more trees.\n\nTrees cool streets. A study measured two \
                    degrees less under trees.\n\nSo towns should plant trees.";
        let scored = |claim: [f32; 2]| {
            let mut d = labelled(text, &[Claim, Evidence, Evidence, Claim]);
            for (s, c) in d.sentences[1..3].iter_mut().zip(claim) {
                s.scores = Some(crate::document::Scores::from_array([c, 1.0 - c, 0.0, 0.0]));
            }
            d
        };
        // Zero weights: "no target" never wins over a target (weight 0).
        let mut m = LinkModel::zeros(8, 8, 8);
        m.info.no_target_weight = 0.0;
        m.info.attack_threshold = 0.6;
        // P(against) is 0.5: below the counter-argument screen, above the
        // level for claims, which the paragraph claim does not take.
        m.info.against_threshold = 0.4;
        m.info.counter_threshold = 0.6;
        let mut d = scored([0.45, 0.2]);
        let links = LearnedLinker::new(&m).link_labelled(&mut d);
        assert_eq!(
            d.sentences[1].label,
            Some(Claim),
            "the body paragraph's claim"
        );
        assert_eq!(d.sentences[1].confidence, Some(0.45));
        assert_eq!(d.sentences[2].label, Some(Evidence));
        assert!(links
            .iter()
            .any(|l| (l.source, l.target, l.relation) == (2, 1, Relation::Supports)));
        assert!(links
            .iter()
            .any(|l| (l.source, l.target, l.relation) == (1, 0, Relation::Supports)));
        assert!(links
            .iter()
            .any(|l| (l.source, l.target, l.relation) == (3, 0, Relation::Attacks)));
        // Below the level, or with the level off, the paragraph keeps its labels.
        for linker in [
            LearnedLinker::new(&m).with_paragraph_claim_min(0.5),
            LearnedLinker::new(&m).with_paragraph_claim_min(2.0),
        ] {
            let mut d = scored([0.45, 0.2]);
            linker.link_labelled(&mut d);
            assert_eq!(d.sentences[1].label, Some(Evidence));
        }
        // The first and last paragraphs are no body paragraphs; a paragraph
        // with a claim already has one; unscored (gold) labels are kept.
        let mut d = labelled(
            "Towns need more trees. Trees cool streets.\n\nShade helps. It is cool.",
            &[Claim, Evidence, Evidence, Evidence],
        );
        for s in &mut d.sentences {
            s.scores = Some(crate::document::Scores::from_array([0.9, 0.1, 0.0, 0.0]));
        }
        LearnedLinker::new(&m).link_labelled(&mut d);
        assert_eq!(d.sentences[2].label, Some(Evidence));
        let mut d = labelled(text, &[Claim, Evidence, Evidence, Claim]);
        LearnedLinker::new(&m)
            .with_paragraph_claim_min(0.0)
            .link_labelled(&mut d);
        assert_eq!(d.sentences[1].label, Some(Evidence));
    }

    #[test]
    fn statements_found_against_the_thesis_become_counter_argument_claims() {
        let mut d = labelled(
            "Towns need more trees. Some say trees cost too much. They are wrong.",
            &[Claim, Evidence, Claim],
        );
        // All-zero weights: P(against) and P(attack) are 0.5 for every sentence.
        let mut m = LinkModel::zeros(8, 8, 8);
        m.info.against_threshold = 0.4;
        m.info.counter_threshold = 0.4;
        m.info.attack_threshold = 0.6;
        let links = LearnedLinker::new(&m).link_labelled(&mut d);
        assert_eq!(d.sentences[1].label, Some(Claim), "relabelled");
        let to_thesis = |s: usize| links.iter().find(|l| l.source == s && l.target == 0);
        assert_eq!(to_thesis(1).unwrap().relation, Relation::Attacks);
        // With the screen off (models from before it), nothing changes, even
        // for evidence that attacks the thesis directly.
        let mut d2 = d.clone();
        d2.sentences[1].label = Some(Evidence);
        m.info.counter_threshold = never();
        m.info.attack_threshold = 0.4;
        let links = LearnedLinker::new(&m).link_labelled(&mut d2);
        assert_eq!(d2.sentences[1].label, Some(Evidence));
        assert!(links
            .iter()
            .any(|l| l.source == 1 && l.relation == Relation::Attacks));
    }

    #[test]
    fn learned_links_form_a_forest_with_one_target_per_source() {
        let labels = [Claim, Evidence, Evidence, Evidence, Claim, Claim, Evidence];
        let d = labelled(
            "Towns need more trees. Shade keeps streets cool. For example, one park was five \
             degrees cooler. Trees also clean the air.\n\nSome say trees cost too much. \
             However, they raise house prices. Studies show buyers pay more near parks.",
            &labels,
        );
        let links = LearnedLinker::embedded().unwrap().link(&d);
        let mut parent = vec![None; d.sentences.len()];
        for l in &links {
            assert!(parent[l.source].is_none(), "two links leave {}", l.source);
            parent[l.source] = Some(l.target);
            assert!((0.0..=1.0).contains(&l.confidence));
            if labels[l.source] == Evidence {
                assert_eq!(
                    d.sentences[l.source].paragraph, d.sentences[l.target].paragraph,
                    "evidence links stay in their paragraph"
                );
            }
        }
        for start in 0..parent.len() {
            let (mut cur, mut steps) = (start, 0);
            while let Some(p) = parent[cur] {
                cur = p;
                steps += 1;
                assert!(steps <= parent.len(), "cycle through {start}");
            }
        }
        // Every claim but the thesis points at the thesis.
        for c in [4, 5] {
            assert_eq!(parent[c], Some(0));
        }
    }

    #[test]
    fn no_target_weight_scales_the_no_target_option() {
        let d = labelled(
            "Towns need more trees.\n\nShade is good for towns. It keeps streets cool.",
            &[Claim, Claim, Evidence],
        );
        // A pair model that strongly prefers "no target" for sentence 2.
        let mut m = LinkModel::zeros(1 << 16, 8, 8);
        for (i, _) in features::null(&DocView::new(&d), 2, 1 << 16) {
            m.pair[i as usize] = 5.0;
        }
        let from_evidence = |m: &LinkModel| {
            let links = LearnedLinker::new(m).link(&d);
            links.iter().find(|l| l.source == 2).map(|l| l.target)
        };
        assert_eq!(from_evidence(&m), None);
        m.info.no_target_weight = 0.0;
        assert_eq!(from_evidence(&m), Some(1));
        // Files written before the field existed decode as before.
        assert_eq!(without(&m.info, "no_target_weight").no_target_weight, 1.0);
    }

    #[test]
    fn claim_target_weight_favours_claims_over_evidence() {
        let d = labelled(
            "Towns need more trees.\n\nShade is good for towns. Streets stay cool. It is 5 degrees cooler.",
            &[Claim, Claim, Evidence, Evidence],
        );
        // A pair model that prefers the evidence sentence 2 as the target of 3.
        let mut m = LinkModel::zeros(1 << 16, 8, 8);
        let v = DocView::new(&d);
        for (i, _) in features::pair(&v, 3, 2, 1 << 16) {
            m.pair[i as usize] += 0.1;
        }
        let target_of_3 = |m: &LinkModel| {
            let links = LearnedLinker::new(m).link(&d);
            links.iter().find(|l| l.source == 3).map(|l| l.target)
        };
        assert_eq!(target_of_3(&m), Some(2));
        m.info.claim_target_weight = 100.0;
        assert_eq!(target_of_3(&m), Some(1));
        let info = without(&m.info, "claim_target_weight");
        assert_eq!(info.claim_target_weight, 1.0);
    }

    #[test]
    fn embedded_model_loads() {
        let m = LinkModel::embedded().unwrap();
        assert_eq!(m.info.feature_spec, FEATURE_SPEC);
        assert!(
            m.pair.iter().any(|&w| w != 0.0),
            "embedded model is trained"
        );
    }
}
