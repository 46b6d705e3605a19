//! Stage 6: grading assistance. A labelled [`Document`] plus its argument-map
//! edges -> an [`Assessment`]: metrics, teacher feedback and a rubric suggestion.
//!
//! essaymap does not grade. It points at the argument's strengths and gaps, each
//! backed by the sentence indices that show it, so a teacher can check every
//! finding against the essay in seconds:
//!
//! - [`metrics`]: counts and findings computed from the map only (thesis
//!   position, claims, evidence, unsupported claims, orphan evidence,
//!   counter-arguments and rebuttals, depth, paragraphs without a claim);
//! - [`feedback`]: plain-language items with stable codes and severities;
//! - [`rubric`]: a per-criterion score *suggestion* on a configurable scale,
//!   from a TOML rubric ([`Rubric::default`] is `default_rubric.toml`, shipped in
//!   the crate), every point explained by the metric and sentences behind it;
//! - `train::validity`: the same metrics on gold and on predicted maps, compared.
//!
//! The input is deliberately small ([`Link`]s: source, target, relation), so
//! the grader depends on what a map *says*, not on how it was built: the gold
//! annotation of a corpus and the predicted map go through the same code, which
//! is what makes the validity check meaningful.
//!
//! ```
//! use essaymap::argument::{Link, Relation};
//! use essaymap::grade::Grader;
//! use essaymap::segment::{self, RuleSegmenter};
//! use essaymap::Label;
//! let mut doc = segment::document(&RuleSegmenter::default(), None, None,
//!     "Schools should ban phones. Phones distract pupils.\n\nBans help. Grades rose.".into());
//! let labels = [Label::Claim, Label::Evidence, Label::Claim, Label::Evidence];
//! for (s, l) in doc.sentences.iter_mut().zip(labels) { s.label = Some(l); }
//! doc.sentences[0].thesis = Some(true);
//! let links = [Link::new(1, 0, Relation::Supports), Link::new(2, 0, Relation::Supports)];
//! let a = Grader::default().grade(&doc, &links);
//! assert_eq!(a.metrics.claims, 1);
//! assert_eq!(a.metrics.unsupported_claims, vec![2]);
//! assert!(a.feedback.iter().any(|f| f.code == "unsupported_claim" && f.sentences == [2]));
//! ```

pub mod feedback;
pub mod metrics;
pub mod rubric;

pub use feedback::{not_english, FeedbackItem, Severity};
pub use metrics::{CounterArgument, Metrics, ThesisMetrics, ThesisPosition};
pub use rubric::{Rubric, RubricSuggestion};

use crate::argument::{ArgumentMap, Link};
use crate::document::Document;
use serde::{Deserialize, Serialize};

/// What essaymap says about one essay: `"assessment"` in the JSON output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Findings computed from the map.
    pub metrics: Metrics,
    /// Strengths and gaps, most severe first.
    pub feedback: Vec<FeedbackItem>,
    /// Suggested rubric scores (a suggestion, never a grade).
    pub rubric: RubricSuggestion,
}

/// Turns a labelled document and its map into an [`Assessment`] under a rubric.
#[derive(Debug, Clone, Default)]
pub struct Grader {
    rubric: Rubric,
}

impl Grader {
    /// A grader suggesting scores with `rubric`.
    pub fn new(rubric: Rubric) -> Self {
        Grader { rubric }
    }

    /// The rubric in use.
    pub fn rubric(&self) -> &Rubric {
        &self.rubric
    }

    /// Assesses `doc` with its argument map (see [`Grader::grade`]).
    pub fn grade_map(&self, doc: &Document, map: &ArgumentMap) -> Assessment {
        self.grade(doc, &Link::from_map(map))
    }

    /// Assesses `doc` (sentences with labels and thesis flags) given the
    /// sentence-to-sentence links of its argument map. Never fails: an
    /// unlabelled document gets metrics of an essay with no argument, and
    /// feedback saying so.
    pub fn grade(&self, doc: &Document, links: &[Link]) -> Assessment {
        let mut metrics = Metrics::compute(doc, links);
        metrics.judge_prompt(self.rubric.thresholds.prompt_overlap_min);
        let feedback = feedback::feedback(doc, &metrics, &self.rubric.thresholds);
        let rubric = self.rubric.suggest(&metrics);
        Assessment {
            metrics,
            feedback,
            rubric,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::argument::Relation;
    use crate::segment::{self, RuleSegmenter};
    use crate::Label;

    #[test]
    fn map_edges_keep_sentences_and_drop_the_issue() {
        let mut doc = segment::document(
            &RuleSegmenter::default(),
            None,
            Some("Should towns plant trees?".into()),
            "Towns should plant trees. Shade cools streets.".into(),
        );
        doc.sentences[0].label = Some(Label::Claim);
        doc.sentences[0].thesis = Some(true);
        doc.sentences[1].label = Some(Label::Evidence);
        let links = [Link {
            source: 1,
            target: 0,
            relation: Relation::Supports,
            confidence: 0.9,
        }];
        let map = ArgumentMap::build(&doc, &links);
        assert!(map.edges.iter().any(|e| e.source < 0 || e.target < 0));
        assert_eq!(Link::from_map(&map), links);
        let a = Grader::default().grade_map(&doc, &map);
        assert!(a.metrics.unsupported_claims.is_empty());
        assert_eq!(a.metrics.thesis.answers_prompt, Some(true));
    }
}
