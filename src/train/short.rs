//! Short-text sets: single paragraphs cut from annotated essays, each read as
//! a text of its own (a constructed response, a discussion post), with the
//! thesis and the counter-argument sentences the annotation gives it.
//!
//! - An AAE body paragraph (one without a MajorClaim) holding a claim for the
//!   thesis: its for-claims play the thesis; its against-claims and the
//!   premises that attack something are the conceded side (counter-argument).
//! - A PERSUADE paragraph holding a Position or Claim and a Counterclaim and a
//!   Rebuttal: its Position (else its Claims) is the thesis, its Counterclaims
//!   the counter-argument.
//!
//! Built in memory from the gold files, never written out (the corpora's terms
//! forbid redistributing the text). Scored through [`Analyzer::analyze`], the
//! product's path for a text a user pastes, against two rules: "the first
//! sentence is the thesis" and "a sentence followed by one opening with but /
//! however / still / nevertheless / yet is a counter-argument".

use super::corpus::{AnnotatedEssay, ComponentType, GoldRelation, Stance};
use super::links_eval::Counts;
use crate::analyzer::Analyzer;
use crate::classify::short::{self as decode, ShortModel, DIM, FEATURES, ROLE_FEATURES};
use crate::document::{Document, Label};
use crate::error::Result;
use crate::pipeline::Pipeline;
use crate::Essay;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use std::ops::Range;

/// Fewest sentences a paragraph needs to make a short text.
pub const MIN_SENTENCES: usize = 3;

/// One gold sentence of a short text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortSentence {
    /// Its bytes in the short text.
    pub bytes: Range<usize>,
    /// It states the text's thesis.
    pub thesis: bool,
    /// It voices the other side (a counter-argument, usually conceded).
    pub counter: bool,
}

/// A paragraph read as a text of its own, with its gold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortText {
    /// Essay id and paragraph number ("essay12#p3").
    pub id: String,
    /// The paragraph's text.
    pub text: String,
    /// Its gold sentences, in order.
    pub sentences: Vec<ShortSentence>,
    /// It was chosen because it holds a counter-argument (a PERSUADE
    /// paragraph with a Counterclaim/Rebuttal pair), so it says nothing about
    /// how often a text holds one.
    pub chosen_for_counter: bool,
}

/// The short texts cut from `e` (none when no paragraph qualifies).
pub fn from_essay(e: &AnnotatedEssay) -> Vec<ShortText> {
    cut(e, false)
}

/// The short texts [`from_essay`] cuts, plus, for training, a PERSUADE essay
/// of one paragraph stating a Position without a Counterclaim/Rebuttal pair:
/// the scored set holds only texts with a counter-argument, and a model
/// trained on those alone finds one in most one-paragraph essays (whose gold
/// rate is about a fifth). Introductions without the pair are left out: their
/// thesis closes them, unlike the scored texts', and training on them lowered
/// the cross-validated short-text figures.
pub fn for_training(e: &AnnotatedEssay) -> Vec<ShortText> {
    cut(e, true)
}

fn cut(e: &AnnotatedEssay, training: bool) -> Vec<ShortText> {
    use ComponentType::*;
    let n = e.gold.len();
    // Every component type a sentence holds: the one covering most of it, and
    // those whose home it is (a Position inside a longer sentence still counts).
    let mut kinds: Vec<HashSet<ComponentType>> = vec![HashSet::new(); n];
    for (i, g) in e.gold.iter().enumerate() {
        kinds[i].extend(g.component);
    }
    for c in &e.components {
        if let Some(k) = c.home.and_then(|h| kinds.get_mut(h)) {
            k.insert(c.kind);
        }
    }
    let attacks: HashSet<usize> = e
        .links
        .iter()
        .filter(|l| l.relation == GoldRelation::Attacks)
        .map(|l| l.source)
        .collect();
    let has_links = !e.links.is_empty();
    let mut out = Vec::new();
    for p in &e.doc.paragraphs {
        let idx: Vec<usize> = e
            .doc
            .sentences
            .iter()
            .filter(|s| s.paragraph == p.index)
            .map(|s| s.index)
            .collect();
        if idx.len() < MIN_SENTENCES {
            continue;
        }
        let has = |k: ComponentType| idx.iter().any(|&i| kinds[i].contains(&k));
        let mut chosen_for_counter = false;
        let (thesis, counter): (Vec<bool>, Vec<bool>) = if has(MajorClaim) {
            continue;
        } else if has(Position) || has(Counterclaim) || has(Rebuttal) {
            // PERSUADE: the paragraph argues both sides.
            let pair = has(Counterclaim) && has(Rebuttal) && (has(Position) || has(Claim));
            let lone = training && has(Position) && e.doc.paragraphs.len() == 1;
            if !(pair || lone) {
                continue;
            }
            chosen_for_counter = pair;
            let thesis_kind = if has(Position) { Position } else { Claim };
            idx.iter()
                .map(|&i| {
                    let k = &kinds[i];
                    let counter = k.contains(&Counterclaim);
                    (k.contains(&thesis_kind) && !counter, counter)
                })
                .unzip()
        } else if has_links {
            // AAE body paragraph: its claim for the thesis plays the thesis.
            let for_claim = |i: usize| {
                e.gold[i].component == Some(Claim) && e.gold[i].stance != Some(Stance::Against)
            };
            idx.iter()
                .map(|&i| {
                    let g = &e.gold[i];
                    let counter = (g.component == Some(Claim) && g.stance == Some(Stance::Against))
                        || (g.label == Label::Evidence && attacks.contains(&i));
                    (for_claim(i), counter)
                })
                .unzip()
        } else {
            continue;
        };
        if !thesis.contains(&true) {
            continue;
        }
        let base = p.bytes.start;
        let text = e.doc.text[p.bytes.clone()].to_string();
        let sentences = idx
            .iter()
            .zip(thesis.iter().zip(&counter))
            .map(|(&i, (&thesis, &counter))| {
                let b = &e.doc.sentences[i].bytes;
                ShortSentence {
                    bytes: b.start.saturating_sub(base)..b.end.saturating_sub(base),
                    thesis,
                    counter,
                }
            })
            .collect();
        out.push(ShortText {
            id: format!(
                "{}#p{}",
                e.doc.id.as_deref().unwrap_or("essay"),
                p.index + 1
            ),
            text,
            sentences,
            chosen_for_counter,
        });
    }
    out
}

/// The short texts of all `essays`.
pub fn from_essays(essays: &[AnnotatedEssay]) -> Vec<ShortText> {
    essays.iter().flat_map(from_essay).collect()
}

/// Scores on a short-text set (sentence level, positive class: thesis,
/// respectively counter-argument).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ShortScores {
    /// Texts scored.
    pub texts: usize,
    /// Texts whose gold has a counter-argument.
    pub texts_with_counter: usize,
    /// Thesis as the analyzer flags it.
    pub thesis: Counts,
    /// Thesis by the rule "the first sentence is the thesis".
    pub thesis_first_sentence: Counts,
    /// Counter-arguments as the grading finds them (what the feedback shows).
    pub counter: Counts,
    /// Counter-arguments by the rule "a sentence followed by one opening with
    /// a contrast marker".
    pub counter_contrast_rule: Counts,
}

/// F1 figures of [`ShortScores`], for reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ShortReport {
    /// Texts scored.
    pub texts: usize,
    /// Texts whose gold has a counter-argument.
    pub texts_with_counter: usize,
    /// Thesis F1 of the analyzer.
    pub thesis_f1: f64,
    /// Thesis F1 of the first-sentence rule.
    pub thesis_f1_first_sentence: f64,
    /// Counter-argument F1 of the analyzer.
    pub counter_f1: f64,
    /// Counter-argument F1 of the contrast-marker rule.
    pub counter_f1_contrast_rule: f64,
}

impl ShortScores {
    /// Adds the counts of another set.
    pub fn merge(&mut self, o: &ShortScores) {
        self.texts += o.texts;
        self.texts_with_counter += o.texts_with_counter;
        for (a, b) in [
            (&mut self.thesis, &o.thesis),
            (&mut self.thesis_first_sentence, &o.thesis_first_sentence),
            (&mut self.counter, &o.counter),
            (&mut self.counter_contrast_rule, &o.counter_contrast_rule),
        ] {
            a.tp += b.tp;
            a.fp += b.fp;
            a.fn_ += b.fn_;
        }
    }

    /// The F1 figures.
    pub fn report(&self) -> ShortReport {
        ShortReport {
            texts: self.texts,
            texts_with_counter: self.texts_with_counter,
            thesis_f1: self.thesis.f1(),
            thesis_f1_first_sentence: self.thesis_first_sentence.f1(),
            counter_f1: self.counter.f1(),
            counter_f1_contrast_rule: self.counter_contrast_rule.f1(),
        }
    }
}

/// Whether `sentence` opens with a contrast marker that answers the one before.
fn opens_with_contrast(sentence: &str) -> bool {
    let first: String = sentence
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase();
    matches!(
        first.as_str(),
        "but" | "however" | "still" | "nevertheless" | "nonetheless" | "yet"
    )
}

fn tally(c: &mut Counts, predicted: bool, gold: bool) {
    match (predicted, gold) {
        (true, true) => c.tp += 1,
        (true, false) => c.fp += 1,
        (false, true) => c.fn_ += 1,
        (false, false) => {}
    }
}

/// The gold (thesis, counter-argument) of each sentence of `doc`, the text
/// `t` as segmented, and which gold sentences some sentence matched. Each
/// sentence is matched to the gold sentence it overlaps most; a gold sentence
/// split in two counts once, at its first part.
fn align(doc: &Document, t: &ShortText) -> (Vec<(bool, bool)>, Vec<bool>) {
    let mut matched = vec![false; t.sentences.len()];
    let gold = doc
        .sentences
        .iter()
        .map(|s| {
            let best = t
                .sentences
                .iter()
                .enumerate()
                .map(|(j, g)| {
                    let o = s.bytes.end.min(g.bytes.end);
                    (o.saturating_sub(s.bytes.start.max(g.bytes.start)), j)
                })
                .filter(|(o, _)| *o > 0)
                .max();
            match best {
                Some((_, j)) if !matched[j] => {
                    matched[j] = true;
                    (t.sentences[j].thesis, t.sentences[j].counter)
                }
                _ => (false, false),
            }
        })
        .collect();
    (gold, matched)
}

/// Analyses every text with `analyzer` (as a user's pasted text: no paragraph
/// information beyond the text itself) and scores it against its gold. Each
/// predicted sentence is matched to the gold sentence it overlaps most; gold
/// sentences no predicted sentence matches count as misses.
///
/// # Errors
/// The first error the analyzer returns (the embedded models cannot fail).
pub fn score(analyzer: &Analyzer, texts: &[ShortText]) -> Result<ShortScores> {
    let analyses = analyzer.analyze_many(
        texts
            .iter()
            .map(|t| Essay::new(t.text.clone()).id(t.id.clone()))
            .collect(),
    );
    let mut sc = ShortScores::default();
    for (t, a) in texts.iter().zip(analyses) {
        let a = a?;
        sc.texts += 1;
        if t.sentences.iter().any(|s| s.counter) {
            sc.texts_with_counter += 1;
        }
        let counters: HashSet<usize> = a
            .assessment
            .as_ref()
            .map(|x| {
                x.metrics
                    .counter_arguments
                    .iter()
                    .map(|c| c.sentence)
                    .collect()
            })
            .unwrap_or_default();
        let sents = &a.doc.sentences;
        let (gold, matched) = align(&a.doc, t);
        for (k, (s, &(gt, gc))) in sents.iter().zip(&gold).enumerate() {
            tally(&mut sc.thesis, s.thesis == Some(true), gt);
            tally(&mut sc.thesis_first_sentence, k == 0, gt);
            tally(&mut sc.counter, counters.contains(&s.index), gc);
            let rule = sents
                .get(k + 1)
                .is_some_and(|next| opens_with_contrast(&next.text));
            tally(&mut sc.counter_contrast_rule, rule, gc);
        }
        for (j, g) in t.sentences.iter().enumerate() {
            if !matched[j] {
                for (c, gold) in [
                    (&mut sc.thesis, g.thesis),
                    (&mut sc.thesis_first_sentence, g.thesis),
                    (&mut sc.counter, g.counter),
                    (&mut sc.counter_contrast_rule, g.counter),
                ] {
                    tally(c, false, gold);
                }
            }
        }
    }
    Ok(sc)
}

/// Folds of the inner cross-validation that picks the thresholds.
const THRESHOLD_FOLDS: usize = 5;

/// L2 penalty of the logistic regressions (per weight, the bias excepted).
const L2: f64 = 1.0;

/// One short text as training data: the features and gold of its sentences.
struct Example {
    features: Vec<[f32; DIM]>,
    gold: Vec<(bool, bool)>,
    chosen_for_counter: bool,
}

/// Logistic regression by Newton's method (IRLS) with an L2 penalty: a few
/// dozen features, so each step solves a DIM x DIM system; deterministic.
fn fit(rows: &[(&[f32; DIM], bool)]) -> Vec<f32> {
    let mut w = [0.0f64; DIM];
    for _ in 0..25 {
        let mut grad = [0.0f64; DIM];
        let mut hess = vec![[0.0f64; DIM]; DIM];
        for (f, y) in rows {
            let z: f64 = w.iter().zip(f.iter()).map(|(a, &b)| a * f64::from(b)).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let r = p - if *y { 1.0 } else { 0.0 };
            let h = (p * (1.0 - p)).max(1e-9);
            // Most features of a row are zero (the opening buckets).
            let nz: Vec<(usize, f64)> = (0..DIM)
                .filter(|&a| f[a] != 0.0)
                .map(|a| (a, f64::from(f[a])))
                .collect();
            for &(a, fa) in &nz {
                grad[a] += r * fa;
                for &(b, fb) in &nz {
                    hess[a][b] += h * fa * fb;
                }
            }
        }
        for a in 1..DIM {
            grad[a] += L2 * w[a];
            hess[a][a] += L2;
        }
        hess[0][0] += 1e-6;
        let Some(step) = solve(hess, grad) else { break };
        let mut moved = 0.0f64;
        for a in 0..DIM {
            w[a] -= step[a];
            moved = moved.max(step[a].abs());
        }
        if moved < 1e-6 {
            break;
        }
    }
    w.iter().map(|&x| x as f32).collect()
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting (`None`
/// when singular).
fn solve(mut a: Vec<[f64; DIM]>, mut b: [f64; DIM]) -> Option<[f64; DIM]> {
    for c in 0..DIM {
        let p = (c..DIM).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, p);
        b.swap(c, p);
        let pivot = a[c];
        for r in c + 1..DIM {
            let k = a[r][c] / pivot[c];
            for (x, y) in a[r][c..].iter_mut().zip(&pivot[c..]) {
                *x -= k * y;
            }
            b[r] -= k * b[c];
        }
    }
    let mut x = [0.0f64; DIM];
    for c in (0..DIM).rev() {
        let s: f64 = (c + 1..DIM).map(|j| a[c][j] * x[j]).sum();
        x[c] = (b[c] - s) / a[c][c];
    }
    Some(x)
}

/// Thesis and concession weights fitted on `examples`; without
/// `thesis_roles` the thesis decision does not read the role model's output.
fn fit_both(examples: &[&Example], thesis_roles: bool) -> (Vec<f32>, Vec<f32>) {
    let rows = || examples.iter().flat_map(|e| e.features.iter().zip(&e.gold));
    let masked: Vec<[f32; DIM]> = rows()
        .map(|(f, _)| {
            let mut f = *f;
            if !thesis_roles {
                ROLE_FEATURES.iter().for_each(|&k| f[k] = 0.0);
            }
            f
        })
        .collect();
    let thesis: Vec<(&[f32; DIM], bool)> = masked
        .iter()
        .zip(rows())
        .map(|(f, (_, g))| (f, g.0))
        .collect();
    let counter: Vec<(&[f32; DIM], bool)> = rows().map(|(f, g)| (f, g.1)).collect();
    (fit(&thesis), fit(&counter))
}

/// Sentence-level thesis and concession counts of `model`'s decisions on
/// `examples`, given their probabilities.
fn decision_counts(
    model: &ShortModel,
    probs: &[Vec<(f32, f32)>],
    examples: &[Example],
) -> (Counts, Counts) {
    let (mut t, mut c) = (Counts::default(), Counts::default());
    for (p, e) in probs.iter().zip(examples) {
        let (thesis, counter) = model.decide(p);
        for (k, &(gt, gc)) in e.gold.iter().enumerate() {
            tally(&mut t, thesis[k], gt);
            tally(&mut c, counter[k], gc);
        }
    }
    (t, c)
}

/// Trains the short-text model on `texts`: each is labelled by `pipeline`'s
/// role model (read as an essay, as the product reads it before the short-text
/// decoding), its sentences' features paired with their gold. The thresholds
/// are chosen on out-of-fold probabilities of a 5-fold cross-validation over
/// the texts: `thesis_extra` and `counter_threshold` by sentence F1,
/// `text_threshold` by the accuracy of "the text concedes something" over the
/// texts not chosen for holding a counter-argument. The weights are then
/// fitted on all.
///
/// # Errors
/// The first error the pipeline returns (the embedded models cannot fail).
pub fn train(pipeline: &Pipeline, texts: &[ShortText], thesis_roles: bool) -> Result<ShortModel> {
    let plain = pipeline.clone().with_short(None);
    let examples: Vec<Example> = texts
        .par_iter()
        .map(|t| -> Result<Option<Example>> {
            let doc = plain.label(Essay::new(t.text.clone()))?;
            if !decode::is_short(&doc) {
                return Ok(None);
            }
            let (gold, _) = align(&doc, t);
            Ok(Some(Example {
                features: decode::features(&doc),
                gold,
                chosen_for_counter: t.chosen_for_counter,
            }))
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    let mut model = ShortModel {
        features: FEATURES.into(),
        thesis: vec![0.0; DIM],
        counter: vec![0.0; DIM],
        thesis_extra: 1.0,
        text_threshold: 0.0,
        counter_threshold: 0.0,
        provenance: serde_json::Value::Null,
    };
    // Out-of-fold probabilities.
    let mut probs: Vec<Vec<(f32, f32)>> = vec![Vec::new(); examples.len()];
    for k in 0..THRESHOLD_FOLDS {
        let train: Vec<&Example> = examples
            .iter()
            .enumerate()
            .filter(|(i, _)| i % THRESHOLD_FOLDS != k)
            .map(|(_, e)| e)
            .collect();
        (model.thesis, model.counter) = fit_both(&train, thesis_roles);
        for (i, e) in examples.iter().enumerate() {
            if i % THRESHOLD_FOLDS == k {
                probs[i] = e
                    .features
                    .iter()
                    .map(|f| {
                        let p =
                            |w: &[f32]| decode::sigmoid(w.iter().zip(f).map(|(a, b)| a * b).sum());
                        (p(&model.thesis), p(&model.counter))
                    })
                    .collect();
            }
        }
    }
    let grid: Vec<f32> = (1..=39).map(|i| i as f32 * 0.025).collect();
    let mut best = (-1.0, 1.0);
    for &x in grid.iter().chain([&1.0]) {
        model.thesis_extra = x;
        let f1 = decision_counts(&model, &probs, &examples).0.f1();
        if f1 > best.0 {
            best = (f1, x);
        }
    }
    model.thesis_extra = best.1;
    // Whether a text concedes anything: accuracy over the texts not chosen
    // for holding a counter-argument.
    let mut best = (-1.0, 0.5);
    for &x in &grid {
        model.text_threshold = x;
        let (mut right, mut all) = (0usize, 0usize);
        for (p, e) in probs.iter().zip(&examples) {
            if e.chosen_for_counter {
                continue;
            }
            let (_, counter) = model.decide(p);
            all += 1;
            right += usize::from(counter.contains(&true) == e.gold.iter().any(|g| g.1));
        }
        let acc = right as f64 / all.max(1) as f64;
        if acc > best.0 {
            best = (acc, x);
        }
    }
    model.text_threshold = best.1;
    let text_accuracy = best.0;
    let mut best = (-1.0, 0.5);
    for &x in &grid {
        model.counter_threshold = x;
        let f1 = decision_counts(&model, &probs, &examples).1.f1();
        if f1 > best.0 {
            best = (f1, x);
        }
    }
    model.counter_threshold = best.1;
    let (oof_thesis, oof_counter) = decision_counts(&model, &probs, &examples);
    let all: Vec<&Example> = examples.iter().collect();
    (model.thesis, model.counter) = fit_both(&all, thesis_roles);
    let sentences: usize = examples.iter().map(|e| e.gold.len()).sum();
    model.provenance = serde_json::json!({
        "texts": examples.len(),
        "sentences": sentences,
        "thresholds": format!("{THRESHOLD_FOLDS}-fold cross-validation over the texts"),
        "l2": L2,
        "thesis_reads_roles": thesis_roles,
        "out_of_fold_thesis_f1": (oof_thesis.f1() * 1000.0).round() / 1000.0,
        "out_of_fold_counter_f1": (oof_counter.f1() * 1000.0).round() / 1000.0,
        "out_of_fold_text_accuracy": (text_accuracy * 1000.0).round() / 1000.0,
    });
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{self, RuleSegmenter};
    use crate::train::corpus::{GoldComponent, GoldLink, GoldSentence};

    fn g(label: Label, component: Option<ComponentType>, stance: Option<Stance>) -> GoldSentence {
        GoldSentence {
            label,
            thesis: component.is_some_and(ComponentType::is_thesis),
            component,
            stance,
        }
    }

    /// An AAE-like essay: introduction with the major claim, one body
    /// paragraph with a claim, a supporting and an attacking premise.
    fn aae() -> AnnotatedEssay {
        use ComponentType::*;
        let text = "Towns need parks. I think so.\n\nParks make people healthier. \
                    Walkers live longer, studies show. Some say parks cost a lot. \
                    But the savings on health care are larger."
            .to_string();
        let doc = segment::document(&RuleSegmenter::default(), Some("a1".into()), None, text);
        assert_eq!(doc.sentences.len(), 6);
        AnnotatedEssay {
            doc,
            gold: vec![
                g(Label::Claim, Some(MajorClaim), None),
                g(Label::Other, None, None),
                g(Label::Claim, Some(Claim), Some(Stance::For)),
                g(Label::Evidence, Some(Premise), None),
                g(Label::Evidence, Some(Premise), None),
                g(Label::Evidence, Some(Premise), None),
            ],
            links: vec![
                GoldLink {
                    source: 3,
                    target: 2,
                    relation: GoldRelation::Supports,
                },
                GoldLink {
                    source: 4,
                    target: 2,
                    relation: GoldRelation::Attacks,
                },
                GoldLink {
                    source: 5,
                    target: 4,
                    relation: GoldRelation::Attacks,
                },
            ],
            components: vec![],
        }
    }

    #[test]
    fn an_aae_body_paragraph_becomes_a_short_text() {
        let shorts = from_essay(&aae());
        assert_eq!(shorts.len(), 1, "the introduction holds the major claim");
        let s = &shorts[0];
        assert_eq!(s.id, "a1#p2");
        assert!(s.text.starts_with("Parks make") && s.text.ends_with("larger."));
        let flags: Vec<(bool, bool)> = s.sentences.iter().map(|x| (x.thesis, x.counter)).collect();
        // Both premises attack something: the rebuttal attacks the concession.
        assert_eq!(
            flags,
            [(true, false), (false, false), (false, true), (false, true)]
        );
        assert_eq!(
            &s.text[s.sentences[1].bytes.clone()],
            "Walkers live longer, studies show."
        );
    }

    #[test]
    fn a_persuade_paragraph_needs_a_counterclaim_and_a_rebuttal() {
        use ComponentType::*;
        let text = "Phones help pupils. Some say they distract. But rules fix that. \
                    Teachers agree."
            .to_string();
        let doc = segment::document(&RuleSegmenter::default(), Some("p1".into()), None, text);
        let mut e = AnnotatedEssay {
            doc,
            gold: vec![
                g(Label::Other, Some(Lead), None),
                g(Label::Claim, Some(Counterclaim), Some(Stance::Against)),
                g(Label::Claim, Some(Rebuttal), Some(Stance::For)),
                g(Label::Evidence, Some(Evidence), None),
            ],
            links: vec![],
            components: vec![GoldComponent {
                kind: Position,
                home: Some(0),
            }],
        };
        let s = from_essay(&e);
        assert_eq!(s.len(), 1);
        let flags: Vec<(bool, bool)> = s[0]
            .sentences
            .iter()
            .map(|x| (x.thesis, x.counter))
            .collect();
        assert_eq!(
            flags,
            [(true, false), (false, true), (false, false), (false, false)]
        );
        e.gold[2] = g(Label::Evidence, Some(Evidence), None);
        assert!(from_essay(&e).is_empty(), "no rebuttal, no pair");
        // Training also reads a one-paragraph essay without the pair.
        let t = for_training(&e);
        assert_eq!(t.len(), 1);
        assert!(t[0].sentences[0].thesis && t[0].sentences[1].counter);
        e.components.clear();
        assert!(
            for_training(&e).is_empty(),
            "no Position: not a training text"
        );
    }

    /// Short texts written for this test: the thesis opens each, and every
    /// other one concedes a point the next sentence answers with "But".
    fn fixture_texts() -> Vec<ShortText> {
        let topics = [
            ("parks", "towns"),
            ("buses", "cities"),
            ("libraries", "villages"),
            ("gardens", "schools"),
            ("bike lanes", "streets"),
            ("markets", "squares"),
            ("trees", "roads"),
            ("pools", "suburbs"),
        ];
        let mut out = Vec::new();
        for (k, (a, b)) in topics.iter().enumerate() {
            let parts: Vec<(String, bool, bool)> = if k % 2 == 0 {
                vec![
                    (format!("I believe {b} should build more {a}."), true, false),
                    (
                        format!("Some people say {a} cost too much money."),
                        false,
                        true,
                    ),
                    (
                        format!("But {a} save money on health in the long run."),
                        false,
                        false,
                    ),
                    (
                        format!("For example, one study found that {a} cut visits to doctors."),
                        false,
                        false,
                    ),
                ]
            } else {
                vec![
                    (format!("In my opinion {b} need {a}."), true, false),
                    (
                        format!("These {a} give people a place to meet."),
                        false,
                        false,
                    ),
                    (
                        format!("For instance, families meet friends near {a} every week."),
                        false,
                        false,
                    ),
                ]
            };
            let mut text = String::new();
            let mut sentences = Vec::new();
            for (s, thesis, counter) in parts {
                if !text.is_empty() {
                    text.push(' ');
                }
                let start = text.len();
                text.push_str(&s);
                sentences.push(ShortSentence {
                    bytes: start..text.len(),
                    thesis,
                    counter,
                });
            }
            out.push(ShortText {
                id: format!("fixture{k}"),
                text,
                sentences,
                chosen_for_counter: false,
            });
        }
        out
    }

    #[test]
    fn trains_a_short_text_model_that_loads_and_decides() {
        let texts = fixture_texts();
        let pipeline = crate::pipeline::Pipeline::embedded().unwrap();
        let m = train(&pipeline, &texts, true).unwrap();
        assert_eq!(m.provenance["texts"], texts.len());
        let back = ShortModel::from_json(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        assert!(m.counter_threshold > 0.0 && m.counter_threshold < 1.0);
        // On a text like those it was trained on, the opening states the
        // thesis and the conceded sentence is a counter-argument.
        let doc = pipeline
            .clone()
            .with_short(None)
            .label(Essay::new(
                "I believe cities should build more fountains. Some people say \
                 fountains cost too much money. But fountains cool the streets in summer. \
                 For example, one study found that fountains cut heat illness.",
            ))
            .unwrap();
        let (thesis, counter) = m.decide(&m.probs(&doc));
        assert_eq!(thesis, [true, false, false, false]);
        assert_eq!(counter, [false, true, false, false]);
    }

    #[test]
    fn scores_the_rules_by_hand() {
        let shorts = from_essay(&aae());
        let analyzer = Analyzer::embedded().unwrap();
        let sc = score(&analyzer, &shorts).unwrap();
        assert_eq!(sc.texts, 1);
        assert_eq!(sc.texts_with_counter, 1);
        // The first sentence is the gold thesis.
        assert_eq!(
            sc.thesis_first_sentence,
            Counts {
                tp: 1,
                fp: 0,
                fn_: 0
            }
        );
        // Only "Some say ..." is followed by "But ...": one of two counters.
        assert_eq!(
            sc.counter_contrast_rule,
            Counts {
                tp: 1,
                fp: 0,
                fn_: 1
            }
        );
        let t = sc.thesis;
        assert_eq!(t.tp + t.fn_, 1, "one gold thesis sentence");
        let r = sc.report();
        assert!((r.thesis_f1_first_sentence - 1.0).abs() < 1e-9);
        assert!((r.counter_f1_contrast_rule - 2.0 / 3.0).abs() < 1e-9);
    }
}
