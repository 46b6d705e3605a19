//! Metrics by name: the numeric view of [`Metrics`] that rubric checks, CSV
//! columns and class charts read ([`METRIC_NAMES`], [`Metrics::value`]), and
//! the sentences behind each ([`Metrics::sentences_for`]).

use super::{Metrics, ThesisPosition};
use std::collections::HashSet;

/// Numeric metrics by name, for rubric checks, CSV columns and class charts.
/// Yes/no findings are 1 or 0; a metric that cannot be computed is `None`.
pub const METRIC_NAMES: &[&str] = &[
    "thesis_present",
    "thesis_in_intro",
    "thesis_in_conclusion",
    "thesis_prompt_overlap",
    "answers_prompt",
    "claims",
    "evidence",
    "evidence_per_claim",
    "unsupported_claims",
    "supported_claim_share",
    "orphan_evidence",
    "linked_evidence_share",
    "counter_arguments",
    "counter_argument_considered",
    "unrebutted_counter_arguments",
    "all_counter_arguments_rebutted",
    "non_argumentative_share",
    "depth",
    "sentences",
    "paragraphs",
    "words",
    "paragraphs_without_claim",
    "body_paragraphs_with_claim_share",
    "cited_evidence_share",
];

/// Whether metric `name` is a yes/no finding (1 or 0).
pub fn is_yes_no(name: &str) -> bool {
    matches!(
        name,
        "thesis_present"
            | "thesis_in_intro"
            | "thesis_in_conclusion"
            | "answers_prompt"
            | "counter_argument_considered"
            | "all_counter_arguments_rebutted"
    )
}

/// Whether metric `name` is a share between 0 and 1.
pub fn is_share(name: &str) -> bool {
    matches!(
        name,
        "thesis_prompt_overlap"
            | "supported_claim_share"
            | "linked_evidence_share"
            | "non_argumentative_share"
            | "body_paragraphs_with_claim_share"
            | "cited_evidence_share"
    )
}

/// A yes/no finding as 1 or 0.
fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// `num / den`, or `None` when `den` is 0.
pub(super) fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

impl Metrics {
    /// Claims of the writer's side with supporting evidence.
    pub fn supported_claims(&self) -> usize {
        self.own_claims()
            .saturating_sub(self.unsupported_claims.len())
    }

    /// Claims of the writer's side: claim sentences that are not counter-arguments.
    fn own_claims(&self) -> usize {
        let counters: HashSet<usize> = self.counter_arguments.iter().map(|c| c.sentence).collect();
        self.claim_sentences
            .iter()
            .filter(|c| !counters.contains(c))
            .count()
    }

    /// The value of metric `name` (one of [`METRIC_NAMES`]); `None` for an
    /// unknown name or a metric that cannot be computed for this essay.
    pub fn value(&self, name: &str) -> Option<f64> {
        let rebutted = self.counter_arguments.iter().filter(|c| c.rebutted).count();
        let counters = self.counter_arguments.len();
        Some(match name {
            "thesis_present" => flag(self.thesis.present),
            "thesis_in_intro" => flag(matches!(
                self.thesis.position,
                ThesisPosition::Intro | ThesisPosition::Both
            )),
            "thesis_in_conclusion" => flag(matches!(
                self.thesis.position,
                ThesisPosition::Conclusion | ThesisPosition::Both
            )),
            "thesis_prompt_overlap" => self.thesis.prompt_overlap?,
            "answers_prompt" => flag(self.thesis.answers_prompt?),
            "claims" => self.claims as f64,
            "evidence" => self.evidence as f64,
            "evidence_per_claim" => self.evidence_per_claim?,
            "unsupported_claims" => self.unsupported_claims.len() as f64,
            "supported_claim_share" => ratio(self.supported_claims(), self.own_claims())?,
            "orphan_evidence" => self.orphan_evidence.len() as f64,
            "linked_evidence_share" => ratio(
                self.evidence.saturating_sub(self.orphan_evidence.len()),
                self.evidence,
            )?,
            "counter_arguments" => counters as f64,
            "counter_argument_considered" => flag(counters > 0),
            "unrebutted_counter_arguments" => (counters - rebutted) as f64,
            "all_counter_arguments_rebutted" => flag(counters > 0 && rebutted == counters),
            "non_argumentative_share" => self.non_argumentative_share,
            "depth" => self.depth as f64,
            "sentences" => self.sentences as f64,
            "paragraphs" => self.paragraphs as f64,
            "words" => self.words as f64,
            "paragraphs_without_claim" => self.paragraphs_without_claim.len() as f64,
            "body_paragraphs_with_claim_share" => {
                let body = self.body_paragraphs();
                let without = self
                    .paragraphs_without_claim
                    .iter()
                    .filter(|&&p| {
                        Some(p) != self.intro_paragraph && Some(p) != self.conclusion_paragraph
                    })
                    .count();
                ratio(body.saturating_sub(without), body)?
            }
            "cited_evidence_share" => self.cited_evidence_share?,
            _ => return None,
        })
    }

    /// The sentences behind metric `name`, for explanations.
    pub fn sentences_for(&self, name: &str) -> Vec<usize> {
        match name {
            "thesis_present" | "thesis_in_intro" | "thesis_prompt_overlap" | "answers_prompt" => {
                self.thesis.sentences.clone()
            }
            "thesis_in_conclusion" => {
                let mut s = self.thesis.sentences.clone();
                s.extend(&self.thesis.restated_by);
                s.sort_unstable();
                s
            }
            "claims" => self.claim_sentences.clone(),
            "evidence" | "evidence_per_claim" => self.evidence_sentences.clone(),
            "unsupported_claims" | "supported_claim_share" => self.unsupported_claims.clone(),
            "orphan_evidence" | "linked_evidence_share" => self.orphan_evidence.clone(),
            "counter_arguments" | "counter_argument_considered" => {
                self.counter_arguments.iter().map(|c| c.sentence).collect()
            }
            "unrebutted_counter_arguments" | "all_counter_arguments_rebutted" => self
                .counter_arguments
                .iter()
                .filter(|c| !c.rebutted)
                .map(|c| c.sentence)
                .collect(),
            "depth" => self.depth_chain.clone(),
            "cited_evidence_share" => self.cited_evidence.clone(),
            _ => Vec::new(),
        }
    }
}
