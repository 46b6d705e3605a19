//! Sentence-level scoring of predicted roles and theses against gold.
//!
//! One definition used everywhere (the `eval` command, training-time model
//! selection, the integration test): per-label precision/recall/F1, macro-F1
//! over claim, evidence and other (questions are too rare to average in),
//! accuracy over all four labels, and thesis P/R/F1 with "thesis" as the
//! positive class. Counts are kept, not ratios, so reports over several files
//! can be merged exactly.

use super::corpus::GoldSentence;
use crate::document::{Document, Label};
use serde::Serialize;
use std::fmt;

/// Labels averaged into the macro-F1.
pub const MACRO_LABELS: [Label; 3] = [Label::Claim, Label::Evidence, Label::Other];

/// Accumulates a confusion matrix and thesis counts over essays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scorer {
    /// `confusion[gold][predicted]`, in [`Label::ALL`] order.
    pub confusion: [[u64; 4]; 4],
    thesis_tp: u64,
    thesis_fp: u64,
    thesis_fn: u64,
    essays: u64,
}

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prf {
    /// Precision (0 when nothing was predicted).
    pub precision: f64,
    /// Recall (0 when there is no gold).
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
    /// Gold count.
    pub support: u64,
    /// Predicted count.
    pub predicted: u64,
}

impl Prf {
    fn new(tp: u64, predicted: u64, support: u64) -> Prf {
        let p = if predicted > 0 {
            tp as f64 / predicted as f64
        } else {
            0.0
        };
        let r = if support > 0 {
            tp as f64 / support as f64
        } else {
            0.0
        };
        let f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        Prf {
            precision: p,
            recall: r,
            f1,
            support,
            predicted,
        }
    }
}

/// Scores of one label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LabelScore {
    /// The label.
    pub label: Label,
    /// Its scores.
    #[serde(flatten)]
    pub prf: Prf,
}

/// An evaluation report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Essays scored.
    pub essays: u64,
    /// Sentences scored.
    pub sentences: u64,
    /// Per-label scores in [`Label::ALL`] order.
    pub labels: Vec<LabelScore>,
    /// Mean F1 of claim, evidence and other.
    pub macro_f1: f64,
    /// Fraction of sentences with the right label.
    pub accuracy: f64,
    /// Thesis detection (positive class: thesis sentence).
    pub thesis: Prf,
}

impl Scorer {
    /// Adds one essay: `doc` holds predictions, `gold` the parallel gold.
    /// Sentences without a prediction count as `other` / not thesis.
    pub fn add(&mut self, doc: &Document, gold: &[GoldSentence]) {
        self.essays += 1;
        for (s, g) in doc.sentences.iter().zip(gold) {
            let p = s.label.unwrap_or(Label::Other);
            self.confusion[g.label.index()][p.index()] += 1;
            match (g.thesis, s.thesis.unwrap_or(false)) {
                (true, true) => self.thesis_tp += 1,
                (false, true) => self.thesis_fp += 1,
                (true, false) => self.thesis_fn += 1,
                (false, false) => {}
            }
        }
    }

    /// Adds the counts of another scorer.
    pub fn merge(&mut self, other: &Scorer) {
        for g in 0..4 {
            for p in 0..4 {
                self.confusion[g][p] += other.confusion[g][p];
            }
        }
        self.thesis_tp += other.thesis_tp;
        self.thesis_fp += other.thesis_fp;
        self.thesis_fn += other.thesis_fn;
        self.essays += other.essays;
    }

    /// The report for everything added so far.
    pub fn report(&self) -> Report {
        let c = &self.confusion;
        let total: u64 = c.iter().flatten().sum();
        let correct: u64 = (0..4).map(|i| c[i][i]).sum();
        let labels: Vec<LabelScore> = Label::ALL
            .iter()
            .map(|&l| {
                let i = l.index();
                let support = c[i].iter().sum();
                let predicted = (0..4).map(|g| c[g][i]).sum();
                LabelScore {
                    label: l,
                    prf: Prf::new(c[i][i], predicted, support),
                }
            })
            .collect();
        let macro_f1 = MACRO_LABELS
            .iter()
            .map(|l| labels[l.index()].prf.f1)
            .sum::<f64>()
            / MACRO_LABELS.len() as f64;
        Report {
            essays: self.essays,
            sentences: total,
            labels,
            macro_f1,
            accuracy: if total > 0 {
                correct as f64 / total as f64
            } else {
                0.0
            },
            thesis: Prf::new(
                self.thesis_tp,
                self.thesis_tp + self.thesis_fp,
                self.thesis_tp + self.thesis_fn,
            ),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} essays, {} sentences", self.essays, self.sentences)?;
        writeln!(
            f,
            "{:<10} {:>9} {:>9} {:>9} {:>8} {:>9}",
            "label", "precision", "recall", "f1", "support", "predicted"
        )?;
        let line = |f: &mut fmt::Formatter<'_>, name: &str, p: &Prf| {
            writeln!(
                f,
                "{:<10} {:>9.3} {:>9.3} {:>9.3} {:>8} {:>9}",
                name, p.precision, p.recall, p.f1, p.support, p.predicted
            )
        };
        for l in &self.labels {
            line(f, l.label.as_str(), &l.prf)?;
        }
        line(f, "thesis", &self.thesis)?;
        writeln!(f, "macro-F1 (claim, evidence, other): {:.3}", self.macro_f1)?;
        writeln!(f, "accuracy: {:.3}", self.accuracy)?;
        write!(f, "thesis F1: {:.3}", self.thesis.f1)
    }
}

/// One dev file's scores, as a model's provenance records them.
pub fn provenance_scores(name: &str, r: &Report) -> serde_json::Value {
    serde_json::json!({"file": name, "macro_f1": r.macro_f1,
        "accuracy": r.accuracy, "thesis_f1": r.thesis.f1})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{self, RuleSegmenter};

    fn gold(label: Label, thesis: bool) -> GoldSentence {
        GoldSentence {
            label,
            thesis,
            component: None,
            stance: None,
        }
    }

    #[test]
    fn scores_a_hand_counted_example() {
        let mut doc = segment::document(
            &RuleSegmenter::default(),
            None,
            None,
            "A is true. B shows it. C is so. Why?".into(),
        );
        let pred = [
            Label::Claim,
            Label::Evidence,
            Label::Evidence,
            Label::Question,
        ];
        for (s, p) in doc.sentences.iter_mut().zip(pred) {
            s.label = Some(p);
            s.thesis = Some(false);
        }
        doc.sentences[0].thesis = Some(true);
        doc.sentences[1].thesis = Some(true);
        let g = [
            gold(Label::Claim, true),
            gold(Label::Evidence, false),
            gold(Label::Claim, false),
            gold(Label::Question, false),
        ];
        let mut sc = Scorer::default();
        sc.add(&doc, &g);
        let r = sc.report();
        assert_eq!(r.sentences, 4);
        assert!((r.accuracy - 0.75).abs() < 1e-9);
        let claim = r.labels[0].prf;
        assert!((claim.precision - 1.0).abs() < 1e-9 && (claim.recall - 0.5).abs() < 1e-9);
        let ev = r.labels[1].prf;
        assert!((ev.precision - 0.5).abs() < 1e-9 && (ev.recall - 1.0).abs() < 1e-9);
        // other: no gold, no predictions -> 0.
        let want = (2.0 / 3.0 + 2.0 / 3.0 + 0.0) / 3.0;
        assert!((r.macro_f1 - want).abs() < 1e-9);
        assert!((r.thesis.precision - 0.5).abs() < 1e-9);
        assert!((r.thesis.f1 - 2.0 / 3.0).abs() < 1e-9);
        let text = r.to_string();
        assert!(text.contains("macro-F1") && text.contains("thesis"));
        let mut m = Scorer::default();
        m.merge(&sc);
        m.merge(&sc);
        assert_eq!(m.report().sentences, 8);
    }
}
