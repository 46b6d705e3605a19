//! Validity of the grading metrics: the same [`Metrics`] computed from the gold
//! annotation and from the predicted map of each essay, compared across essays.
//!
//! The gold map ([`gold_map`]) is built from [`super::corpus`] with
//! the conventions the predicted map follows, so that both go through the same
//! metric code:
//! - labels and thesis flags are the gold ones projected onto our sentences;
//! - gold relations (AAE premises) become `supports` / `attacks` edges;
//! - every other claim points at the main thesis (the first gold thesis
//!   sentence): `attacks` when its stance is Against (AAE Against claims,
//!   PERSUADE Counterclaims), else `supports`; a PERSUADE Rebuttal attacks the
//!   nearest Counterclaim before it.
//!
//! Agreement per essay is summarised as Pearson r for counts and accuracy for
//! yes/no findings ([`Validity`]). AAE dev contains the same essay annotated
//! more than once; [`dedup_by_text`] keeps the first copy so no essay weighs double.

use super::corpus::{AnnotatedEssay, ComponentType, GoldRelation, Stance};
use crate::argument::{Link as Edge, Relation};
use crate::document::{Document, Label};
use crate::error::Result;
use crate::grade::metrics::Metrics;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The gold document (gold labels and thesis) and gold map edges of an essay.
///
/// A thesis, counterclaim or rebuttal component also marks the sentence
/// holding most of it (its *home*, the rule relations are projected with;
/// [`AnnotatedEssay::components`]), even where another component dominates that
/// sentence: an unpunctuated student sentence holding a lead-in and the
/// position still states the position.
pub fn gold_map(e: &AnnotatedEssay) -> (Document, Vec<Edge>) {
    let mut doc = e.doc.clone();
    let mut gold = e.gold.clone();
    for c in &e.components {
        let promote = c.kind.is_thesis()
            || matches!(
                c.kind,
                ComponentType::Counterclaim | ComponentType::Rebuttal
            );
        if let (true, Some(h)) = (promote, c.home) {
            if let Some(g) = gold.get_mut(h) {
                if g.component != Some(c.kind) && !g.thesis {
                    g.label = Label::Claim;
                    g.thesis = c.kind.is_thesis();
                    g.component = Some(c.kind);
                    g.stance = Some(if c.kind == ComponentType::Counterclaim {
                        Stance::Against
                    } else {
                        Stance::For
                    });
                }
            }
        }
    }
    for (s, g) in doc.sentences.iter_mut().zip(&gold) {
        s.label = Some(g.label);
        s.thesis = Some(g.thesis);
        s.confidence = None;
        s.scores = None;
    }
    let mut edges: Vec<Edge> = e
        .links
        .iter()
        .map(|l| {
            let relation = match l.relation {
                GoldRelation::Supports => Relation::Supports,
                GoldRelation::Attacks => Relation::Attacks,
            };
            Edge::new(l.source, l.target, relation)
        })
        .collect();
    let has_out: HashSet<usize> = edges.iter().map(|e| e.source).collect();
    let main = gold.iter().position(|g| g.thesis);
    for (i, g) in gold.iter().enumerate() {
        if g.label != Label::Claim || has_out.contains(&i) || Some(i) == main {
            continue;
        }
        if g.component == Some(ComponentType::Rebuttal) {
            let counter = (0..i)
                .rev()
                .find(|&j| gold[j].component == Some(ComponentType::Counterclaim));
            if let Some(c) = counter {
                edges.push(Edge::new(i, c, Relation::Attacks));
                continue;
            }
        }
        let Some(m) = main else { continue };
        let relation = if g.stance == Some(Stance::Against) && !g.thesis {
            Relation::Attacks
        } else {
            Relation::Supports
        };
        edges.push(Edge::new(i, m, relation));
    }
    (doc, edges)
}

/// Keeps the first essay of each distinct text; returns how many were dropped.
pub fn dedup_by_text(essays: &mut Vec<AnnotatedEssay>) -> usize {
    let before = essays.len();
    let mut seen = HashSet::new();
    essays.retain(|e| seen.insert(e.doc.text.clone()));
    before - essays.len()
}

/// The findings compared per essay.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Findings {
    /// Number of claims.
    pub claims: usize,
    /// Number of evidence sentences.
    pub evidence: usize,
    /// Number of unsupported claims.
    pub unsupported_claims: usize,
    /// Number of orphan evidence sentences.
    pub orphan_evidence: usize,
    /// Whether a thesis is present.
    pub thesis_present: bool,
    /// Whether a counter-argument is considered.
    pub counter_argument: bool,
}

impl From<&Metrics> for Findings {
    fn from(m: &Metrics) -> Self {
        Findings {
            claims: m.claims,
            evidence: m.evidence,
            unsupported_claims: m.unsupported_claims.len(),
            orphan_evidence: m.orphan_evidence.len(),
            thesis_present: m.thesis.present,
            counter_argument: !m.counter_arguments.is_empty(),
        }
    }
}

/// Gold and predicted findings of one essay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EssayAgreement {
    /// Essay id.
    pub id: String,
    /// From the gold map.
    pub gold: Findings,
    /// From the predicted map.
    pub predicted: Findings,
}

/// Agreement between gold and predicted findings over a corpus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Validity {
    /// Essays compared.
    pub essays: usize,
    /// Pearson r of the claim counts (null when either side is constant).
    pub pearson_claims: Option<f64>,
    /// Pearson r of the evidence counts.
    pub pearson_evidence: Option<f64>,
    /// Pearson r of the unsupported-claim counts.
    pub pearson_unsupported_claims: Option<f64>,
    /// Pearson r of the orphan-evidence counts.
    pub pearson_orphan_evidence: Option<f64>,
    /// Share of essays where "thesis present" agrees.
    pub accuracy_thesis_present: Option<f64>,
    /// Share of essays where "counter-argument considered" agrees.
    pub accuracy_counter_argument: Option<f64>,
    /// Gold rate of "thesis present".
    pub gold_thesis_rate: Option<f64>,
    /// Gold rate of "counter-argument considered".
    pub gold_counter_rate: Option<f64>,
    /// Per-essay findings.
    pub per_essay: Vec<EssayAgreement>,
}

/// Pearson correlation; `None` with fewer than 2 points or a constant side.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let mx = x.iter().take(n).sum::<f64>() / n as f64;
    let my = y.iter().take(n).sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y).take(n) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

fn accuracy(pairs: impl Iterator<Item = (bool, bool)>) -> Option<f64> {
    let (mut n, mut ok) = (0usize, 0usize);
    for (a, b) in pairs {
        n += 1;
        ok += usize::from(a == b);
    }
    (n > 0).then(|| ok as f64 / n as f64)
}

impl Validity {
    /// Summarises per-essay agreements.
    pub fn from_rows(per_essay: Vec<EssayAgreement>) -> Validity {
        let col = |f: fn(&Findings) -> usize, gold: bool| -> Vec<f64> {
            per_essay
                .iter()
                .map(|r| f(if gold { &r.gold } else { &r.predicted }) as f64)
                .collect()
        };
        let r = |f: fn(&Findings) -> usize| pearson(&col(f, true), &col(f, false));
        let rate =
            |f: fn(&Findings) -> bool| accuracy(per_essay.iter().map(|r| (f(&r.gold), true)));
        Validity {
            essays: per_essay.len(),
            pearson_claims: r(|f| f.claims),
            pearson_evidence: r(|f| f.evidence),
            pearson_unsupported_claims: r(|f| f.unsupported_claims),
            pearson_orphan_evidence: r(|f| f.orphan_evidence),
            accuracy_thesis_present: accuracy(
                per_essay
                    .iter()
                    .map(|r| (r.gold.thesis_present, r.predicted.thesis_present)),
            ),
            accuracy_counter_argument: accuracy(
                per_essay
                    .iter()
                    .map(|r| (r.gold.counter_argument, r.predicted.counter_argument)),
            ),
            gold_thesis_rate: rate(|f| f.thesis_present),
            gold_counter_rate: rate(|f| f.counter_argument),
            per_essay,
        }
    }
}

/// Analyses essay `i` (its unlabelled document): the labelled document and its
/// map edges.
pub type Predict<'a> = dyn Fn(usize, &Document) -> Result<(Document, Vec<Edge>)> + Sync + 'a;

/// Compares gold and predicted findings on `essays` (gold as in [`gold_map`]).
/// `predict` analyses essay `i`'s unlabelled document and
/// returns it labelled with its map edges.
///
/// # Errors
/// The first error `predict` returns.
pub fn measure(essays: &[AnnotatedEssay], predict: &Predict<'_>) -> Result<Validity> {
    use rayon::prelude::*;
    let rows: Result<Vec<EssayAgreement>> = essays
        .par_iter()
        .enumerate()
        .map(|(i, e)| {
            let (gdoc, gedges) = gold_map(e);
            let (pdoc, pedges) = predict(i, &e.doc)?;
            Ok(EssayAgreement {
                id: e.doc.id.clone().unwrap_or_default(),
                gold: Findings::from(&Metrics::compute(&gdoc, &gedges)),
                predicted: Findings::from(&Metrics::compute(&pdoc, &pedges)),
            })
        })
        .collect();
    Ok(Validity::from_rows(rows?))
}

/// Compares gold findings with findings already computed elsewhere (e.g. read
/// from `essaymap batch` output), matched by essay id. Returns the agreement
/// over the essays found and the ids of gold essays with no prediction.
pub fn measure_against(
    essays: &[AnnotatedEssay],
    predicted: &HashMap<String, Findings>,
) -> (Validity, Vec<String>) {
    let mut missing = Vec::new();
    let mut rows = Vec::new();
    for e in essays {
        let id = e.doc.id.clone().unwrap_or_default();
        match predicted.get(&id) {
            Some(p) => {
                let (gdoc, gedges) = gold_map(e);
                rows.push(EssayAgreement {
                    id,
                    gold: Findings::from(&Metrics::compute(&gdoc, &gedges)),
                    predicted: *p,
                });
            }
            None => missing.push(id),
        }
    }
    (Validity::from_rows(rows), missing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{self, RuleSegmenter};
    use crate::train::corpus::{GoldComponent, GoldLink, GoldSentence};

    fn gold(
        label: Label,
        component: Option<ComponentType>,
        stance: Option<Stance>,
    ) -> GoldSentence {
        GoldSentence {
            label,
            thesis: component.is_some_and(ComponentType::is_thesis),
            component,
            stance,
        }
    }

    fn essay() -> AnnotatedEssay {
        use ComponentType::*;
        let doc = segment::document(
            &RuleSegmenter::default(),
            Some("e1".into()),
            None,
            "Cities should add trams. Trams cut traffic. Some say trams cost too much. Yet they pay back in ten years.".into(),
        );
        AnnotatedEssay {
            doc,
            gold: vec![
                gold(Label::Claim, Some(Position), Some(Stance::For)),
                gold(Label::Evidence, Some(Evidence), None),
                gold(Label::Claim, Some(Counterclaim), Some(Stance::Against)),
                gold(Label::Claim, Some(Rebuttal), Some(Stance::For)),
            ],
            links: vec![GoldLink {
                source: 1,
                target: 0,
                relation: GoldRelation::Supports,
            }],
            components: vec![],
        }
    }

    #[test]
    fn gold_map_links_counterclaims_and_rebuttals() {
        let (doc, edges) = gold_map(&essay());
        assert_eq!(doc.sentences[0].thesis, Some(true));
        assert_eq!(
            edges,
            [
                Edge::new(1, 0, Relation::Supports),
                Edge::new(2, 0, Relation::Attacks),
                Edge::new(3, 2, Relation::Attacks),
            ]
        );
        let m = Metrics::compute(&doc, &edges);
        assert_eq!(m.counter_arguments.len(), 1);
        assert!(m.counter_arguments[0].rebutted);
        assert_eq!(m.claims, 2);
    }

    #[test]
    fn gold_against_itself_agrees_perfectly() {
        let essays = vec![essay()];
        let v = measure(&essays, &|_, _d: &Document| Ok(gold_map(&essay()))).unwrap();
        assert_eq!(v.accuracy_thesis_present, Some(1.0));
        assert_eq!(v.accuracy_counter_argument, Some(1.0));
        // One essay: correlation is undefined, not a number.
        assert_eq!(v.pearson_claims, None);
    }

    #[test]
    fn a_position_that_does_not_dominate_its_sentence_still_marks_the_thesis() {
        let mut e = essay();
        // The sentence's dominant component is a Lead, but the Position lives there.
        e.gold[0] = gold(Label::Other, Some(ComponentType::Lead), None);
        let (doc, _) = gold_map(&e);
        assert_eq!(doc.sentences[0].thesis, Some(false));
        e.components = vec![GoldComponent {
            kind: ComponentType::Position,
            home: Some(0),
        }];
        let (doc, edges) = gold_map(&e);
        assert_eq!(doc.sentences[0].thesis, Some(true));
        assert_eq!(doc.sentences[0].label, Some(Label::Claim));
        assert!(edges.contains(&Edge::new(2, 0, Relation::Attacks)));
    }

    #[test]
    fn pearson_matches_hand_computation() {
        let r = pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 7.0]).unwrap();
        assert!((r - 0.9933992677987828).abs() < 1e-12);
        assert_eq!(pearson(&[1.0, 1.0], &[2.0, 3.0]), None);
    }
}
