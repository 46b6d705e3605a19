//! "Does this essay consider a counter-argument?" as one decision per essay.
//!
//! The stance model scores sentences one at a time, so whether an essay gets a
//! counter-argument hung on a single P(against) passing a threshold tuned on
//! PERSUADE dev sentences. Cross-validated, the per-essay finding was right on
//! 0.71 of AAE essays (base rate of "yes" 0.35-0.40) and 0.79 of PERSUADE
//! essays (issue 31). [`CounterModel`] decides it for the whole essay instead:
//! a logistic regression over the stance model's scores (highest, second
//! highest, how many are fair), whether the sentence-level screen found one,
//! concession and reporting cues ("some people argue", "admittedly", "it is
//! true that", "on the other hand"), whether such a sentence is answered by
//! "but / however / still ...", and the essay's shape (length, paragraphs,
//! where the most likely sentence sits). The linker then makes the map agree
//! ([`super::LearnedLinker::link_labelled`]): on "yes" with no claim attacking
//! the thesis, the most likely sentence becomes one, answered by the sentence
//! after it when that turns with "but / however ..."; on "no", no claim
//! attacks the thesis. Without a stated thesis the sentence-level decisions
//! stand.
//!
//! Weights are trained per fold by `essaymap cv` (`train::counter`) on essays
//! the role and link models did not train on, and the shipped weights are
//! `models/counter.json`, compiled in. Texts of one paragraph are left to the
//! short-text model, which makes the same decision for them.

use super::features::{DocView, Role};
use super::text::{Phrases, SentText};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// The feature layout the weights belong to.
pub const FEATURES: &str = "counter-v1";

/// Features per essay (the first is the bias).
pub const DIM: usize = 20;

/// The shipped model's JSON.
static EMBEDDED_JSON: &str = include_str!("../../models/counter.json");

static EMBEDDED: LazyLock<std::result::Result<CounterModel, String>> =
    LazyLock::new(|| CounterModel::from_json(EMBEDDED_JSON).map_err(|e| e.to_string()));

/// The essay-level counter-argument decision: weights and a threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CounterModel {
    /// Feature layout ([`FEATURES`]).
    pub features: String,
    /// Logistic weights, [`DIM`] of them.
    pub weights: Vec<f32>,
    /// The essay considers a counter-argument when P(yes) is at least this
    /// (0.5: the fit is calibrated; a band between two thresholds chosen on
    /// out-of-fold probabilities, where the sentence-level decisions stand,
    /// did worse in cross-validation: docs/cross-validation.md).
    pub threshold: f32,
    /// How it was trained.
    #[serde(default)]
    pub provenance: serde_json::Value,
}

/// What the decision says about one essay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The essay considers a counter-argument.
    Yes,
    /// It does not.
    No,
    /// Not decided (no model, no stated thesis, a short text): the
    /// sentence-level decisions stand.
    Keep,
}

/// Phrases that voice or concede the other side. At most 64 (a bit mask).
const CONCEDE: &[&str] = &[
    "some people",
    "many people",
    "most people",
    "other people",
    "others",
    "opponents",
    "critics",
    "proponents",
    "supporters",
    "those who",
    "people who",
    "some may",
    "some might",
    "some would",
    "some argue",
    "some believe",
    "some say",
    "some think",
    "some claim",
    "some feel",
    "one might",
    "one could",
    "one may",
    "it is true",
    "it is true that",
    "admittedly",
    "granted",
    "of course",
    "although",
    "even though",
    "it can be argued",
    "it could be argued",
    "it may be argued",
    "may argue",
    "might argue",
    "would argue",
    "could argue",
    "may say",
    "might say",
    "would say",
    "may think",
    "might think",
    "may believe",
    "might believe",
    "on the other hand",
    "other side",
    "opposing",
    "counterargument",
    "counter argument",
    "disagree",
    "despite",
    "in spite of",
    "advantages",
    "benefits",
];
static CONCEDE_PHRASES: Phrases = Phrases::new(CONCEDE);

/// Openings with which a sentence turns against the one before.
const TURN: &[&str] = &[
    "however",
    "but",
    "yet",
    "still",
    "nevertheless",
    "nonetheless",
    "even so",
    "on the contrary",
    "in reality",
    "that said",
    "despite this",
    "on the other hand",
];

/// Someone else's view being reported: a subject ...
const OTHERS: &[&str] = &[
    "some",
    "others",
    "people",
    "opponents",
    "critics",
    "they",
    "many",
    "proponents",
    "supporters",
];
/// ... and a verb of saying or thinking.
const REPORT: &[&str] = &[
    "say", "argue", "believe", "think", "claim", "feel", "suggest", "assert", "contend",
];
/// The writer speaking for themselves.
const FIRST_PERSON: &[&str] = &["i", "my", "me"];

fn turns(t: &SentText) -> bool {
    TURN.iter().any(|p| t.starts_with_phrase(p))
}

fn reports_others(t: &SentText) -> bool {
    let words: Vec<&str> = t.words().collect();
    let subject = words.iter().any(|w| OTHERS.contains(w));
    let verb = words.iter().any(|w| {
        REPORT
            .iter()
            .any(|r| w.strip_prefix(r).is_some_and(|s| matches!(s, "" | "s")))
    });
    subject && verb && !words.iter().any(|w| FIRST_PERSON.contains(w))
}

/// The stance model's view of one essay that the decision and the map read.
#[derive(Debug, Clone)]
pub(crate) struct Inputs {
    /// P(against the thesis) of each sentence that could be a counter-argument
    /// (prose, not the thesis), else `None`.
    pub against: Vec<Option<f32>>,
    /// Whether the sentence-level decisions put a claim against the thesis.
    pub found: bool,
}

/// The essay features [`CounterModel`] reads.
pub(crate) fn features(v: &DocView<'_>, inputs: &Inputs) -> [f32; DIM] {
    let doc = v.doc;
    let n = doc.sentences.len();
    let b = |x: bool| if x { 1.0 } else { 0.0 };
    let ln1p = |k: usize| (k as f32).ln_1p();
    let concede: Vec<bool> = v
        .text
        .iter()
        .map(|t| t.phrase_mask(&CONCEDE_PHRASES) != 0 || reports_others(t))
        .collect();
    let same_paragraph =
        |i: usize, j: usize| doc.sentences[i].paragraph == doc.sentences[j].paragraph;
    let answered: Vec<bool> = (0..n)
        .map(|i| concede[i] && i + 1 < n && same_paragraph(i, i + 1) && turns(&v.text[i + 1]))
        .collect();
    let mut scores: Vec<(f32, usize)> = inputs
        .against
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| (p, i)))
        .collect();
    scores.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let top = scores.first().copied();
    let second = scores.get(1).map_or(0.0, |s| s.0);
    let claims_max = scores
        .iter()
        .filter(|(_, i)| v.roles[*i] == Role::Claim)
        .map(|s| s.0)
        .fold(0.0f32, f32::max);
    let mean = if scores.is_empty() {
        0.0
    } else {
        scores.iter().map(|s| s.0).sum::<f32>() / scores.len() as f32
    };
    let (first_p, last_p) = (
        doc.sentences.first().map_or(0, |s| s.paragraph),
        doc.sentences.last().map_or(0, |s| s.paragraph),
    );
    let paragraphs = if n == 0 { 0 } else { last_p - first_p + 1 };
    let body_opens_conceding = (0..n).any(|i| {
        let s = &doc.sentences[i];
        s.paragraph != first_p
            && s.paragraph != last_p
            && (i == 0 || doc.sentences[i - 1].paragraph != s.paragraph)
            && concede[i]
    });
    let words: usize = v.text.iter().map(|t| t.words().count()).sum();
    let first_person = v
        .text
        .iter()
        .filter(|t| t.words().any(|w| FIRST_PERSON.contains(&w)))
        .count();
    let per_sentence = |k: usize| if n == 0 { 0.0 } else { k as f32 / n as f32 };
    let top_p = top.map_or(0.0, |t| t.0);
    let top_in = |p: usize| top.is_some_and(|(_, i)| doc.sentences[i].paragraph == p);
    [
        1.0,
        b(inputs.found),
        top_p,
        claims_max,
        second,
        ln1p(scores.iter().filter(|s| s.0 >= 0.3).count()),
        mean,
        ln1p(concede.iter().filter(|&&c| c).count()),
        ln1p((0..n).filter(|&i| reports_others(&v.text[i])).count()),
        ln1p(answered.iter().filter(|&&a| a).count()),
        ln1p(v.text.iter().filter(|t| turns(t)).count()),
        b(body_opens_conceding),
        top.map_or(0.0, |(p, i)| if concede[i] { p } else { 0.0 }),
        (n as f32).ln_1p() / 3.0,
        (paragraphs as f32 / 5.0).min(2.0),
        per_sentence(words) / 25.0,
        per_sentence(first_person),
        b(top_in(first_p)),
        b(top_in(last_p) && last_p != first_p),
        top.map_or(0.0, |(_, i)| b(answered[i])),
    ]
}

/// The sentence to make the essay's counter-argument when the decision says
/// "yes" and the map has none: of the sentences voicing the other side
/// (concession or reporting cues), the one the stance model finds most against
/// the thesis; with no such sentence, the most against overall.
pub(crate) fn most_likely(v: &DocView<'_>, inputs: &Inputs) -> Option<usize> {
    let best = |cued: bool| {
        inputs
            .against
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|p| (p, i)))
            .filter(|&(_, i)| {
                !cued || v.text[i].phrase_mask(&CONCEDE_PHRASES) != 0 || reports_others(&v.text[i])
            })
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
            .map(|(_, i)| i)
    };
    best(true).or_else(|| best(false))
}

/// Whether sentence `r` answers the sentence before it ("But ...", "However, ...").
pub(crate) fn answers(v: &DocView<'_>, r: usize) -> bool {
    v.text.get(r).is_some_and(turns)
}

/// The logistic function.
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl CounterModel {
    /// The model compiled into the binary.
    ///
    /// # Errors
    /// [`Error::Model`] if it does not parse (a build problem).
    pub fn embedded() -> Result<&'static CounterModel> {
        EMBEDDED.as_ref().map_err(|m| Error::Model {
            what: "<embedded counter.json>".into(),
            message: m.clone(),
        })
    }

    /// Parses a model file's JSON.
    ///
    /// # Errors
    /// [`Error::Model`] when it is malformed, [`Error::ModelMismatch`] when
    /// its feature layout is not this build's.
    pub fn from_json(json: &str) -> Result<CounterModel> {
        let bad = |message: String| Error::Model {
            what: "counter-argument model".into(),
            message,
        };
        let m: CounterModel = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
        if m.features != FEATURES {
            return Err(Error::ModelMismatch {
                what: "counter-argument model".into(),
                field: "feature layout",
                expected: FEATURES.into(),
                found: m.features,
            });
        }
        if m.weights.len() != DIM {
            return Err(bad(format!("needs {DIM} weights")));
        }
        if !m
            .weights
            .iter()
            .chain([&m.threshold])
            .all(|x| x.is_finite())
        {
            return Err(bad(
                "a weight or the threshold is not a finite number".into()
            ));
        }
        Ok(m)
    }

    /// P(the essay considers a counter-argument) given its features.
    pub fn prob(&self, f: &[f32; DIM]) -> f32 {
        sigmoid(self.weights.iter().zip(f).map(|(w, x)| w * x).sum())
    }

    /// The verdict for probability `p`.
    pub fn verdict(&self, p: f32) -> Verdict {
        if p >= self.threshold {
            Verdict::Yes
        } else {
            Verdict::No
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(threshold: f32) -> CounterModel {
        CounterModel {
            features: FEATURES.into(),
            weights: vec![0.0; DIM],
            threshold,
            provenance: serde_json::Value::Null,
        }
    }

    #[test]
    fn embedded_model_loads() {
        let m = CounterModel::embedded().unwrap();
        assert_eq!(m.weights.len(), DIM);
        assert!(m.threshold > 0.0 && m.threshold < 1.0);
    }

    #[test]
    fn bad_files_are_typed_errors() {
        let mut m = model(0.5);
        m.features = "counter-v0".into();
        let j = serde_json::to_string(&m).unwrap();
        assert!(matches!(
            CounterModel::from_json(&j),
            Err(Error::ModelMismatch { .. })
        ));
        let mut m = model(0.5);
        m.weights.pop();
        let j = serde_json::to_string(&m).unwrap();
        assert!(matches!(
            CounterModel::from_json(&j),
            Err(Error::Model { .. })
        ));
        let j = r#"{"features":"counter-v1","weights":[],"threshold":0.5}"#;
        assert!(matches!(
            CounterModel::from_json(j),
            Err(Error::Model { .. })
        ));
        assert!(CounterModel::from_json("[]").is_err());
    }

    #[test]
    fn the_verdict_splits_at_the_threshold() {
        let mut m = model(0.6);
        assert_eq!(m.verdict(0.6), Verdict::Yes);
        assert_eq!(m.verdict(0.59), Verdict::No);
        let mut f = [0.0; DIM];
        f[0] = 1.0;
        m.weights[0] = 2.0;
        assert!((m.prob(&f) - sigmoid(2.0)).abs() < 1e-6);
    }

    #[test]
    fn reported_views_of_others_are_told_from_the_writers_own() {
        let t = |s: &str| SentText::new(s);
        assert!(reports_others(&t(
            "Some people argue that uniforms stifle pupils."
        )));
        assert!(reports_others(&t(
            "Opponents feel that the cost is too high."
        )));
        assert!(!reports_others(&t("I think some people are right.")));
        assert!(!reports_others(&t("Uniforms save money.")));
        assert!(turns(&t("However, uniforms save money.")));
        assert!(turns(&t("But that is wrong.")));
        assert!(!turns(&t("Butter is tasty.")));
    }
}
