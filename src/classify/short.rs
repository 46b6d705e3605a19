//! Short texts: an essay of one prose paragraph (a constructed response, a
//! discussion post, a letter) is not an introduction. The role model reads
//! every text as an essay, so on one paragraph it looks for the thesis where an
//! introduction states it and finds it less often than the rule "the first
//! sentence is the thesis" (issue 31). Such a text is decoded as a unit here:
//!
//! - **thesis**: the sentence most likely to state the text's position, which
//!   may open or close it, plus any other above [`ShortModel::thesis_extra`];
//! - **concessions**: sentences voicing the other side, usually answered by the
//!   next one ("Yes, it costs a lot. But ..."). [`ShortModel::relink`] makes each
//!   a claim attacking the thesis, answered by the sentence after it, so the map
//!   and the grading show the counter-argument and its rebuttal.
//!
//! Both decisions are logistic regressions over a few dozen features of each
//! sentence (its place, the role model's probabilities and thesis flag, cue
//! words, whether the next sentence turns with "but / however / still ..."),
//! trained on single paragraphs cut from the annotated corpora
//! (`train::short`), thresholds chosen by cross-validation there. The weights
//! are `models/short.json`, compiled in.

use crate::argument::{Link, Relation};
use crate::document::{Document, Label};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// The feature layout the weights belong to.
pub const FEATURES: &str = "short-v4";

/// Features per sentence (the first is the bias).
pub const DIM: usize = 36;

/// The features read from the role model's output (its probabilities, thesis
/// flag and claim ranking); the others read the text and positions.
pub const ROLE_FEATURES: [usize; 8] = [5, 6, 7, 8, 9, 10, 11, 35];

/// Most sentences a text may have to be decoded as a short text; a longer
/// single paragraph is an essay pasted without breaks.
pub const MAX_SENTENCES: usize = 25;

/// The shipped model's JSON.
pub static EMBEDDED_SHORT: &str = include_str!("../../models/short.json");

static EMBEDDED: LazyLock<std::result::Result<ShortModel, String>> =
    LazyLock::new(|| ShortModel::from_json(EMBEDDED_SHORT).map_err(|e| e.to_string()));

/// The short-text decisions: thesis and concession weights and thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShortModel {
    /// Feature layout ([`FEATURES`]).
    pub features: String,
    /// Thesis weights, [`DIM`] of them.
    pub thesis: Vec<f32>,
    /// Concession weights, [`DIM`] of them.
    pub counter: Vec<f32>,
    /// A sentence besides the most probable one states the thesis too when its
    /// P(thesis) is at least this.
    pub thesis_extra: f32,
    /// A text concedes anything only when some sentence's P(counter) is at
    /// least this (the text-level decision "counter-argument considered").
    pub text_threshold: f32,
    /// A sentence is a concession when its P(counter) is at least this.
    pub counter_threshold: f32,
    /// How it was trained.
    #[serde(default)]
    pub provenance: serde_json::Value,
}

/// Whether `doc` is a short text: one paragraph of prose with 2 to
/// [`MAX_SENTENCES`] sentences.
pub fn is_short(doc: &Document) -> bool {
    let n = doc.sentences.len();
    (2..=MAX_SENTENCES).contains(&n)
        && doc
            .sentences
            .iter()
            .all(|s| s.kind.is_prose() && s.paragraph == doc.sentences[0].paragraph)
}

/// The lower-cased words of `text` (letters and apostrophes).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphabetic() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn opens_with(w: &[String], phrases: &[&str]) -> bool {
    phrases.iter().any(|p| {
        let p: Vec<&str> = p.split(' ').collect();
        w.len() >= p.len() && w.iter().zip(&p).all(|(a, b)| a == b)
    })
}

fn holds(w: &[String], phrases: &[&str]) -> bool {
    phrases.iter().any(|p| {
        let p: Vec<&str> = p.split(' ').collect();
        w.windows(p.len())
            .any(|win| win.iter().zip(&p).all(|(a, b)| a == b))
    })
}

/// Openings with which a sentence turns against the one before.
const CONTRAST: &[&str] = &[
    "but",
    "however",
    "still",
    "nevertheless",
    "nonetheless",
    "yet",
    "even so",
    "on the other hand",
    "on the contrary",
    "in reality",
    "despite this",
    "that said",
];
/// Openings that concede or report the other side.
const CONCEDE_OPEN: &[&str] = &[
    "some",
    "many people",
    "most people",
    "others",
    "other people",
    "opponents",
    "critics",
    "it is true",
    "it's true",
    "of course",
    "admittedly",
    "although",
    "though",
    "even though",
    "while",
    "granted",
    "yes",
    "sure",
    "certainly",
    "people who",
    "those who",
    "one might",
    "one could",
    "it may",
    "it might",
    "it can be argued",
    "it could be argued",
    "true",
    "people say",
    "people think",
    "people argue",
];
/// Words that report someone else's view.
const REPORT: &[&str] = &[
    "say",
    "says",
    "argue",
    "argues",
    "claim",
    "claims",
    "believe",
    "believes",
    "think",
    "thinks",
    "feel",
    "feels",
    "suggest",
    "suggests",
    "would say",
    "might say",
    "may say",
];
/// The writer taking a position.
const OPINION: &[&str] = &[
    "i think",
    "i believe",
    "i feel",
    "in my opinion",
    "my opinion",
    "i agree",
    "i disagree",
    "i strongly",
    "in my view",
    "personally",
    "i would",
    "my position",
];
/// Openings that draw a conclusion.
const CONCLUDE: &[&str] = &[
    "therefore",
    "thus",
    "so",
    "hence",
    "in conclusion",
    "overall",
    "to conclude",
    "in summary",
    "for these reasons",
    "for this reason",
    "that is why",
    "this is why",
    "all in all",
    "in short",
    "consequently",
    "as a result",
];
/// Exemplification and reporting of facts.
const EXAMPLE: &[&str] = &[
    "for example",
    "for instance",
    "such as",
    "according to",
    "studies",
    "research",
    "percent",
];
/// Openings that enumerate the writer's reasons (a body paragraph's claim).
const ENUMERATE: &[&str] = &[
    "first",
    "firstly",
    "first of all",
    "second",
    "secondly",
    "third",
    "thirdly",
    "another",
    "one reason",
    "in addition",
    "moreover",
    "furthermore",
    "additionally",
    "also",
    "finally",
    "lastly",
    "besides",
    "to begin with",
];
const NEGATION: &[&str] = &[
    "not", "no", "never", "don't", "doesn't", "isn't", "aren't", "can't",
];
const MODAL_DUTY: &[&str] = &["should", "must", "need to", "needs to", "ought", "have to"];
const MODAL_HEDGE: &[&str] = &["may", "might", "could", "can"];

/// The features of every sentence of `doc` (read as one short text).
pub fn features(doc: &Document) -> Vec<[f32; DIM]> {
    let n = doc.sentences.len();
    let w: Vec<Vec<String>> = doc.sentences.iter().map(|s| words(&s.text)).collect();
    let p = |i: usize, l: Label| doc.sentences[i].scores.map_or(0.0, |s| s.get(l));
    let max_claim = (0..n).map(|i| p(i, Label::Claim)).fold(0.0f32, f32::max);
    let contrast: Vec<bool> = w.iter().map(|w| opens_with(w, CONTRAST)).collect();
    let concede: Vec<bool> = w
        .iter()
        .map(|w| opens_with(w, CONCEDE_OPEN) || (holds(w, REPORT) && !holds(w, OPINION)))
        .collect();
    // Content words (four letters or more) and in how many sentences each is.
    let content: Vec<HashSet<&str>> = w
        .iter()
        .map(|w| {
            w.iter()
                .filter(|x| x.chars().count() >= 4)
                .map(String::as_str)
                .collect()
        })
        .collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for c in &content {
        for x in c {
            *df.entry(x).or_default() += 1;
        }
    }
    let claim_rank: Vec<f32> = (0..n)
        .map(|i| {
            let above = (0..n)
                .filter(|&j| p(j, Label::Claim) > p(i, Label::Claim))
                .count();
            if n > 1 {
                above as f32 / (n - 1) as f32
            } else {
                0.0
            }
        })
        .collect();
    (0..n)
        .map(|i| {
            let s = &doc.sentences[i];
            let wi = &w[i];
            let b = |x: bool| if x { 1.0 } else { 0.0 };
            let next_contrast = i + 1 < n && contrast[i + 1];
            let prev_concede = i > 0 && concede[i - 1];
            let rel = if n > 1 {
                i as f32 / (n - 1) as f32
            } else {
                0.0
            };
            [
                1.0,
                b(i == 0),
                b(i + 1 == n),
                rel,
                b(i == 1),
                p(i, Label::Claim),
                p(i, Label::Evidence),
                p(i, Label::Other),
                p(i, Label::Question),
                b(s.thesis == Some(true)),
                b(p(i, Label::Claim) >= max_claim),
                p(i, Label::Claim) - max_claim,
                b(next_contrast),
                b(contrast[i]),
                b(prev_concede),
                b(opens_with(wi, CONCEDE_OPEN)),
                b(holds(wi, MODAL_HEDGE)),
                b(holds(wi, OPINION)),
                b(opens_with(wi, CONCLUDE)),
                b(holds(wi, MODAL_DUTY)),
                b(holds(wi, EXAMPLE)),
                (wi.len() as f32 / 30.0).min(2.0),
                b(s.text.chars().any(|c| c.is_ascii_digit())),
                b(holds(wi, REPORT) && !holds(wi, OPINION)),
                b(s.text.trim_end().ends_with('?')),
                (n as f32).ln() / 3.0,
                b(contrast[i] && prev_concede),
                b(i > 0 && contrast[i - 1]),
                b(next_contrast && concede[i]),
                b(i == 0 && n > 1 && contrast[1]),
                b(opens_with(wi, ENUMERATE)),
                if content[i].is_empty() {
                    0.0
                } else {
                    content[i].iter().filter(|x| df[*x] > 1).count() as f32
                        / content[i].len() as f32
                },
                b(concede[..i].contains(&true)),
                b(i == 1 && concede[0]),
                b(holds(wi, NEGATION)),
                claim_rank[i],
            ]
        })
        .collect()
}

/// The logistic function.
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

fn prob(w: &[f32], f: &[f32; DIM]) -> f32 {
    sigmoid(w.iter().zip(f).map(|(a, b)| a * b).sum())
}

impl ShortModel {
    /// The model compiled into the binary.
    ///
    /// # Errors
    /// [`Error::Model`] if it does not parse (a build problem).
    pub fn embedded() -> Result<&'static ShortModel> {
        EMBEDDED.as_ref().map_err(|m| Error::Model {
            what: "<embedded short.json>".into(),
            message: m.clone(),
        })
    }

    /// Parses a model file's JSON.
    ///
    /// # Errors
    /// [`Error::Model`] when it is malformed, [`Error::ModelMismatch`] when
    /// its feature layout is not this build's.
    pub fn from_json(json: &str) -> Result<ShortModel> {
        let bad = |message: String| Error::Model {
            what: "short-text model".into(),
            message,
        };
        let m: ShortModel = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
        if m.features != FEATURES {
            return Err(Error::ModelMismatch {
                what: "short-text model".into(),
                field: "feature layout",
                expected: FEATURES.into(),
                found: m.features,
            });
        }
        if m.thesis.len() != DIM || m.counter.len() != DIM {
            return Err(bad(format!("needs {DIM} weights per decision")));
        }
        let all = m.thesis.iter().chain(&m.counter);
        if !all
            .chain([&m.thesis_extra, &m.text_threshold, &m.counter_threshold])
            .all(|x| x.is_finite())
        {
            return Err(bad("a weight is not a finite number".into()));
        }
        Ok(m)
    }

    /// P(thesis) and P(concession) of every sentence of `doc`.
    pub fn probs(&self, doc: &Document) -> Vec<(f32, f32)> {
        features(doc)
            .iter()
            .map(|f| (prob(&self.thesis, f), prob(&self.counter, f)))
            .collect()
    }

    /// The thesis flags and concessions of a short text, from its
    /// probabilities: the most probable thesis sentence and any other at or
    /// above `thesis_extra`; if some sentence besides the thesis reaches
    /// `text_threshold`, the concessions are those at or above
    /// `counter_threshold`.
    pub fn decide(&self, probs: &[(f32, f32)]) -> (Vec<bool>, Vec<bool>) {
        let best = probs
            .iter()
            .enumerate()
            .max_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then(b.0.cmp(&a.0)))
            .map(|(i, _)| i);
        let thesis: Vec<bool> = probs
            .iter()
            .enumerate()
            .map(|(i, p)| Some(i) == best || p.0 >= self.thesis_extra)
            .collect();
        let concedes = probs
            .iter()
            .zip(&thesis)
            .any(|(p, &t)| !t && p.1 >= self.text_threshold);
        let counter = probs
            .iter()
            .zip(&thesis)
            .map(|(p, &t)| concedes && !t && p.1 >= self.counter_threshold)
            .collect();
        (thesis, counter)
    }

    /// Sets the thesis flags of a short text (see [`is_short`]); other
    /// documents are left alone.
    pub fn decode_thesis(&self, doc: &mut Document) {
        if !is_short(doc) {
            return;
        }
        let (thesis, _) = self.decide(&self.probs(doc));
        for (s, t) in doc.sentences.iter_mut().zip(thesis) {
            s.thesis = Some(t);
        }
    }

    /// The concessions of a short text (none for other documents).
    pub fn concessions(&self, doc: &Document) -> Vec<usize> {
        if !is_short(doc) {
            return Vec::new();
        }
        let (_, counter) = self.decide(&self.probs(doc));
        (0..counter.len()).filter(|&i| counter[i]).collect()
    }

    /// In a short text, makes the concessions the argument's counter-arguments:
    /// each becomes a claim attacking the thesis, and the sentence after it
    /// (unless it is the thesis, which then answers it in place, or another
    /// concession) attacks it: the rebuttal. Counter-arguments the linker found
    /// stay: dropping them cost more on one-paragraph essays than it gained.
    /// Other documents are left alone.
    pub fn relink(&self, doc: &mut Document, links: &mut Vec<Link>) {
        let Some(t) = doc.sentences.iter().position(|s| s.thesis == Some(true)) else {
            return;
        };
        let conceded = self.concessions(doc);
        if !is_short(doc) {
            return;
        }
        let n = doc.sentences.len();
        let is_conceded = |i: usize| conceded.contains(&i);
        for &c in &conceded {
            let s = &mut doc.sentences[c];
            s.label = Some(Label::Claim);
            s.confidence = s.scores.map(|sc| sc.get(Label::Claim));
            set_link(links, n, c, t);
            let r = c + 1;
            if r < n && r != t && !is_conceded(r) && doc.sentences[r].thesis != Some(true) {
                set_link(links, n, r, c);
                // The answer is an argument: one labelled other is a claim
                // (the map draws claims and evidence only).
                let s = &mut doc.sentences[r];
                if !matches!(s.label, Some(Label::Claim | Label::Evidence)) {
                    s.label = Some(Label::Claim);
                    s.confidence = s.scores.map(|sc| sc.get(Label::Claim));
                }
            }
        }
        links.sort_by_key(|l| l.source);
    }
}

/// Replaces the outgoing link of `s` by `s attacks t`, unless that would close
/// a cycle (`t`'s path leads back to `s`).
fn set_link(links: &mut Vec<Link>, n: usize, s: usize, t: usize) {
    let mut next: Vec<Option<usize>> = vec![None; n];
    for l in links.iter().filter(|l| l.source < n && l.target < n) {
        next[l.source].get_or_insert(l.target);
    }
    let mut at = Some(t);
    for _ in 0..=n {
        match at {
            Some(x) if x == s => return,
            Some(x) => at = next[x],
            None => break,
        }
    }
    links.retain(|l| l.source != s);
    links.push(Link {
        source: s,
        target: t,
        relation: Relation::Attacks,
        confidence: 1.0,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{self, RuleSegmenter};

    fn doc(text: &str) -> Document {
        let mut d = segment::document(&RuleSegmenter::default(), None, None, text.into());
        for s in &mut d.sentences {
            s.label = Some(Label::Other);
            s.thesis = Some(false);
        }
        d
    }

    /// A model whose thesis is the first sentence and whose concessions are
    /// the sentences followed by a contrast.
    fn rule_model() -> ShortModel {
        let mut thesis = vec![0.0; DIM];
        thesis[0] = -2.0;
        thesis[1] = 4.0;
        let mut counter = vec![0.0; DIM];
        counter[0] = -2.0;
        counter[12] = 4.0;
        ShortModel {
            features: FEATURES.into(),
            thesis,
            counter,
            thesis_extra: 0.99,
            text_threshold: 0.7,
            counter_threshold: 0.5,
            provenance: serde_json::Value::Null,
        }
    }

    #[test]
    fn embedded_model_loads_and_has_its_layout() {
        let m = ShortModel::embedded().unwrap();
        assert_eq!(m.features, FEATURES);
        assert!(m.counter_threshold > 0.0 && m.counter_threshold < 1.0);
        assert!(m.text_threshold > 0.0 && m.text_threshold < 1.0);
    }

    #[test]
    fn bad_model_files_are_typed_errors() {
        let mut m = rule_model();
        m.features = "short-v1".into();
        let json = serde_json::to_string(&m).unwrap();
        assert!(matches!(
            ShortModel::from_json(&json),
            Err(Error::ModelMismatch { .. })
        ));
        m.features = FEATURES.into();
        m.thesis.pop();
        let json = serde_json::to_string(&m).unwrap();
        assert!(matches!(
            ShortModel::from_json(&json),
            Err(Error::Model { .. })
        ));
        assert!(ShortModel::from_json("{").is_err());
    }

    #[test]
    fn only_one_paragraph_of_prose_is_a_short_text() {
        assert!(is_short(&doc("Parks help. Some say no. But yes.")));
        assert!(!is_short(&doc("Parks help.")));
        assert!(!is_short(&doc(
            "Parks help. They do.\n\nSo build them. Now."
        )));
    }

    #[test]
    fn features_see_a_concession_answered_by_a_contrast() {
        let d = doc("Parks help towns. Some people say parks cost a lot. But they save more.");
        let f = features(&d);
        assert_eq!(f.len(), 3);
        assert_eq!((f[1][12], f[1][15], f[1][28]), (1.0, 1.0, 1.0));
        assert_eq!((f[2][13], f[2][26], f[2][2]), (1.0, 1.0, 1.0));
        assert_eq!((f[0][1], f[0][12]), (1.0, 0.0));
    }

    #[test]
    fn decide_takes_the_best_thesis_and_concessions_besides_it() {
        let m = rule_model();
        let (t, c) = m.decide(&[(0.2, 0.9), (0.995, 0.9), (0.991, 0.1), (0.1, 0.6)]);
        assert_eq!(t, [false, true, true, false]);
        assert_eq!(c, [true, false, false, true]);
        let (t, _) = m.decide(&[(0.2, 0.9), (0.7, 0.9), (0.3, 0.1)]);
        assert_eq!(t, [false, true, false], "the best alone below thesis_extra");
        // No sentence reaches the text threshold: the text concedes nothing.
        let (_, c) = m.decide(&[(0.9, 0.1), (0.1, 0.6), (0.1, 0.65)]);
        assert_eq!(c, [false, false, false]);
    }

    #[test]
    fn relink_makes_a_concession_a_counter_argument_answered_by_the_next_sentence() {
        let m = rule_model();
        let mut d = doc("Parks help towns. Some people say parks cost a lot. But they save more.");
        m.decode_thesis(&mut d);
        let flags: Vec<_> = d.sentences.iter().map(|s| s.thesis).collect();
        assert_eq!(flags, [Some(true), Some(false), Some(false)]);
        let mut links = vec![
            Link::new(1, 0, Relation::Supports),
            Link::new(2, 1, Relation::Supports),
        ];
        m.relink(&mut d, &mut links);
        assert_eq!(d.sentences[1].label, Some(Label::Claim));
        assert_eq!(
            d.sentences[2].label,
            Some(Label::Claim),
            "the answer is drawn"
        );
        let got: Vec<_> = links
            .iter()
            .map(|l| (l.source, l.target, l.relation))
            .collect();
        assert_eq!(got, [(1, 0, Relation::Attacks), (2, 1, Relation::Attacks)]);
        // An essay of several paragraphs keeps its links.
        let mut e = doc("Parks help. Some say no.\n\nBut they do. So build them.");
        let before = vec![Link::new(1, 0, Relation::Supports)];
        let mut after = before.clone();
        m.relink(&mut e, &mut after);
        assert_eq!(after, before);
    }

    #[test]
    fn the_analyzer_reads_a_short_text_with_the_shipped_model() {
        let a = crate::analyzer::Analyzer::embedded()
            .unwrap()
            .analyze(crate::Essay::new(
                "Homework should be limited to one hour a night. Some parents say that \
                 more homework teaches discipline. But tired pupils learn less in class \
                 the next day. Schools should therefore set a clear limit.",
            ))
            .unwrap();
        let thesis: Vec<usize> = a
            .doc
            .sentences
            .iter()
            .filter(|s| s.thesis == Some(true))
            .map(|s| s.index)
            .collect();
        assert!(!thesis.is_empty() && !thesis.contains(&1), "{thesis:?}");
        let m = &a.assessment.unwrap().metrics;
        let c: Vec<_> = m
            .counter_arguments
            .iter()
            .map(|c| (c.sentence, c.rebutted_by.clone()))
            .collect();
        assert_eq!(c, [(1, vec![2])]);
    }

    #[test]
    fn relink_never_closes_a_cycle() {
        let mut links = vec![Link::new(0, 1, Relation::Supports)];
        set_link(&mut links, 2, 1, 0);
        assert_eq!(links, [Link::new(0, 1, Relation::Supports)]);
    }
}
