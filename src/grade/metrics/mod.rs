//! Per-essay metrics computed from the argument map: [`Metrics::compute`] takes a
//! labelled [`Document`] and the map's [`Link`]s and returns counts plus the
//! sentence indices behind every finding.
//!
//! Definitions (the validity check depends on them being the same for gold and
//! predicted maps, so they use only labels, thesis flags, paragraphs and edges):
//! - **thesis**: sentences flagged `thesis`. Its position is judged against the
//!   *introduction* and *conclusion*: the first and last paragraphs with more
//!   than [`SUBSTANTIVE_WORDS`] words that are not a title line (one short
//!   sentence ending in `?` or without closing punctuation), so a salutation
//!   ("Dear Principal,"), a sign-off or the prompt copied above the essay is not
//!   taken for either. A one-paragraph essay uses its first and
//!   last third of sentences instead. A claim (or `other` sentence) of the
//!   conclusion that holds at least [`RESTATE_OVERLAP`] of the thesis's key
//!   words restates it: the thesis then stands in the conclusion too, and the
//!   restatement is not an unsupported claim (the essay is its support).
//! - **claims**: claim sentences that are not thesis sentences.
//! - **unsupported claim**: a claim that argues for the thesis (not a
//!   counter-argument) and receives no `supports` edge from an evidence sentence.
//! - **orphan evidence**: an evidence sentence with no outgoing supports/attacks edge.
//! - **counter-argument**: a claim (or evidence attacking the thesis itself)
//!   that is the source of an `attacks` edge and whose own side is against the
//!   thesis. A sentence's side is found by following its edges to a root,
//!   flipping at each `attacks` (so a rebuttal, which attacks a
//!   counter-argument, is on the writer's side and is not counted). Evidence
//!   attacking a claim is not counted: in annotated essays it is the writer
//!   qualifying their own claim, and on school essays the predicted attack label
//!   of evidence is unreliable (PERSUADE dev: 1,039 of 1,274 counter-arguments
//!   predicted under the looser rule were such evidence; gold has none).
//!   It is **rebutted** when some sentence attacks it, or when a later claim of
//!   the writer's side follows it in the same paragraph (the usual "Some say X.
//!   However, Y." pattern, which a forest-shaped map links to the thesis).
//! - **depth**: edges in the longest supports/attacks chain (evidence -> claim
//!   -> thesis is 2); cycles cannot inflate it.
//! - **non-argumentative share**: `other`, `question` and unlabelled sentences
//!   over all sentences.
//!
//! The files: this one holds the types and [`Metrics::compute`]; `names`
//! the metrics by name ([`METRIC_NAMES`], [`Metrics::value`]); `thesis` the
//! thesis position and prompt overlap; `structure` the argument's shape
//! (sides, longest chain); `paragraphs` the paragraph counts.

mod names;
mod paragraphs;
mod structure;
mod thesis;

pub use names::{is_share, is_yes_no, METRIC_NAMES};
pub use thesis::prompt_overlap;

use crate::argument::{Link, Relation};
use crate::document::{Document, Kind, Label};
use crate::text::tokens::count_words;
use names::ratio;
use paragraphs::{paragraph_words, paragraphs_without_claim};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use structure::{longest_chain, sides};
use thesis::{restatements, share_in, thesis_position, with_prompt_words};

/// A paragraph needs more words than this to count as the introduction or
/// conclusion, or to be reported as a paragraph without a claim.
pub const SUBSTANTIVE_WORDS: usize = 5;

/// Share of the thesis's content words (endings folded) a conclusion sentence
/// must contain to restate it.
pub const RESTATE_OVERLAP: f64 = 0.4;

/// Share of the prompt's content words the thesis must contain to count as
/// answering it, unless the rubric says otherwise.
pub const DEFAULT_PROMPT_OVERLAP: f64 = 0.25;

/// Where the thesis is stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThesisPosition {
    /// In the introduction only.
    Intro,
    /// In the conclusion only.
    Conclusion,
    /// In both the introduction and the conclusion.
    Both,
    /// Only in body paragraphs.
    Body,
    /// Nowhere.
    Missing,
}

impl ThesisPosition {
    /// The position's name as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ThesisPosition::Intro => "intro",
            ThesisPosition::Conclusion => "conclusion",
            ThesisPosition::Both => "both",
            ThesisPosition::Body => "body",
            ThesisPosition::Missing => "missing",
        }
    }
}

/// The thesis findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThesisMetrics {
    /// Whether any sentence states the thesis.
    pub present: bool,
    /// Where it is stated.
    pub position: ThesisPosition,
    /// The thesis sentences.
    pub sentences: Vec<usize>,
    /// Share of the prompt's content words found in the thesis (null without a
    /// title/prompt or without a thesis).
    pub prompt_overlap: Option<f64>,
    /// Whether the thesis answers the prompt (overlap at or above the rubric's
    /// threshold); null without a title/prompt.
    pub answers_prompt: Option<bool>,
    /// Sentences of the conclusion that restate a thesis stated earlier ("To
    /// conclude, ..." repeating most of its key words) without being flagged
    /// as the thesis: the thesis then counts as restated in the conclusion.
    #[serde(default)]
    pub restated_by: Vec<usize>,
}

/// A counter-argument and whether the essay answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CounterArgument {
    /// The sentence raising it.
    pub sentence: usize,
    /// Whether it is rebutted.
    pub rebutted: bool,
    /// The sentences that rebut it.
    pub rebutted_by: Vec<usize>,
}

/// Everything measured on one essay. Counts come with the sentence (or
/// paragraph) indices behind them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Number of sentences.
    pub sentences: usize,
    /// Number of paragraphs.
    pub paragraphs: usize,
    /// Number of words (whitespace-separated).
    pub words: usize,
    /// Thesis findings.
    pub thesis: ThesisMetrics,
    /// Number of claims (claim sentences that are not thesis sentences).
    pub claims: usize,
    /// The claim sentences.
    pub claim_sentences: Vec<usize>,
    /// Number of evidence sentences.
    pub evidence: usize,
    /// The evidence sentences.
    pub evidence_sentences: Vec<usize>,
    /// Evidence sentences per claim (null when there is no claim).
    pub evidence_per_claim: Option<f64>,
    /// Claims of the writer's side with no supporting evidence.
    pub unsupported_claims: Vec<usize>,
    /// Evidence sentences that support or attack nothing.
    pub orphan_evidence: Vec<usize>,
    /// Counter-arguments, in text order.
    pub counter_arguments: Vec<CounterArgument>,
    /// Share of sentences that are not claims or evidence.
    pub non_argumentative_share: f64,
    /// Edges in the longest supports/attacks chain.
    pub depth: usize,
    /// The sentences of that chain, from its start to its root.
    pub depth_chain: Vec<usize>,
    /// Paragraphs with more than [`SUBSTANTIVE_WORDS`] words and no claim or thesis.
    pub paragraphs_without_claim: Vec<usize>,
    /// Index of the introduction paragraph, if any.
    pub intro_paragraph: Option<usize>,
    /// Index of the conclusion paragraph, if any (none when it would be the introduction).
    pub conclusion_paragraph: Option<usize>,
    /// Evidence sentences that cite a source (an in-text citation).
    #[serde(default)]
    pub cited_evidence: Vec<usize>,
    /// Share of evidence sentences that cite a source (null without evidence).
    #[serde(default)]
    pub cited_evidence_share: Option<f64>,
    /// In an essay with a bibliography: claims whose supporting evidence cites
    /// nothing.
    #[serde(default)]
    pub uncited_claims: Vec<usize>,
}

impl Metrics {
    /// Measures `doc` and its map `edges`. Edges outside the document, self
    /// loops and `answers` edges are ignored.
    pub fn compute(doc: &Document, edges: &[Link]) -> Metrics {
        let n = doc.sentences.len();
        let edges: Vec<Link> = edges
            .iter()
            .copied()
            .filter(|e| {
                e.source < n
                    && e.target < n
                    && e.source != e.target
                    && e.relation != Relation::Answers
            })
            .collect();
        let label = |i: usize| doc.sentences.get(i).and_then(|s| s.label);
        let is_thesis = |i: usize| doc.sentences.get(i).and_then(|s| s.thesis) == Some(true);

        let thesis_sentences: Vec<usize> = (0..n).filter(|&i| is_thesis(i)).collect();
        let claim_sentences: Vec<usize> = (0..n)
            .filter(|&i| label(i) == Some(Label::Claim) && !is_thesis(i))
            .collect();
        let evidence_sentences: Vec<usize> = (0..n)
            .filter(|&i| label(i) == Some(Label::Evidence) && !is_thesis(i))
            .collect();

        let para_words = paragraph_words(doc);
        let substantive: Vec<usize> = (0..para_words.len())
            .filter(|&p| para_words[p] > SUBSTANTIVE_WORDS && !doc.is_heading(p))
            .collect();
        let intro_paragraph = substantive.first().copied();
        let conclusion_paragraph = substantive
            .last()
            .copied()
            .filter(|&c| Some(c) != intro_paragraph);
        let mut position = thesis_position(
            doc,
            &thesis_sentences,
            intro_paragraph,
            conclusion_paragraph,
        );
        let restated_by = match (position, conclusion_paragraph) {
            (ThesisPosition::Intro | ThesisPosition::Body, Some(c)) => {
                restatements(doc, &thesis_sentences, c)
            }
            _ => Vec::new(),
        };
        if !restated_by.is_empty() {
            position = match position {
                ThesisPosition::Intro => ThesisPosition::Both,
                _ => ThesisPosition::Conclusion,
            };
        }

        // Side of each sentence relative to the thesis: follow the first outgoing
        // edge to a root, flipping at each attack.
        let mut first_out: Vec<Option<Link>> = vec![None; n];
        // Per sentence: attacks anything / attacks a thesis sentence / supported
        // by evidence, and who attacks it. Indexed once, so an essay of
        // thousands of sentences costs linear time.
        let mut attacks_any = vec![false; n];
        let mut attacks_thesis = vec![false; n];
        let mut evidence_support = vec![false; n];
        let mut cited_support = vec![false; n];
        let mut attacked_by: Vec<Vec<usize>> = vec![Vec::new(); n];
        for e in &edges {
            if first_out[e.source].is_none() {
                first_out[e.source] = Some(*e);
            }
            match e.relation {
                Relation::Attacks => {
                    attacks_any[e.source] = true;
                    attacks_thesis[e.source] |= is_thesis(e.target);
                    attacked_by[e.target].push(e.source);
                }
                Relation::Supports => {
                    let evidence = label(e.source) == Some(Label::Evidence);
                    evidence_support[e.target] |= evidence;
                    cited_support[e.target] |=
                        evidence && !doc.sentences[e.source].citations.is_empty();
                }
                Relation::Answers => {}
            }
        }
        let against = sides(&first_out);
        // The first later sentence of the same paragraph that answers a
        // counter-argument: a claim or thesis on the writer's side.
        let mut answer_after: Vec<Option<usize>> = vec![None; n];
        for i in (0..n.saturating_sub(1)).rev() {
            let j = i + 1;
            if doc.sentences[j].paragraph != doc.sentences[i].paragraph {
                continue;
            }
            answer_after[i] = if (label(j) == Some(Label::Claim) || is_thesis(j)) && !against[j] {
                Some(j)
            } else {
                answer_after[j]
            };
        }

        let mut counter_arguments = Vec::new();
        let mut counter_set = HashSet::new();
        for i in 0..n {
            // A claim on the other side, or evidence attacking the thesis itself.
            // Evidence attacking a claim is the writer qualifying that claim,
            // not an opposing view (see the module docs).
            let counter = match label(i) {
                Some(Label::Claim) => attacks_any[i],
                Some(Label::Evidence) => attacks_thesis[i],
                _ => false,
            };
            if counter && against[i] && !is_thesis(i) {
                counter_set.insert(i);
                let mut by = attacked_by[i].clone();
                // The writer's answer later in the same paragraph.
                by.extend(answer_after[i]);
                by.sort_unstable();
                by.dedup();
                counter_arguments.push(CounterArgument {
                    sentence: i,
                    rebutted: !by.is_empty(),
                    rebutted_by: by,
                });
            }
        }

        let unsupported_claims: Vec<usize> = claim_sentences
            .iter()
            .copied()
            .filter(|&c| {
                !counter_set.contains(&c)
                    && !against[c]
                    && !evidence_support[c]
                    && !restated_by.contains(&c)
            })
            .collect();
        let orphan_evidence: Vec<usize> = evidence_sentences
            .iter()
            .copied()
            .filter(|&s| first_out[s].is_none())
            .collect();

        // Headings, references and page furniture are no part of the argument.
        let prose = |i: usize| doc.sentences[i].kind.is_prose();
        let prose_n = (0..n).filter(|&i| prose(i)).count();
        let non_arg = (0..n)
            .filter(|&i| {
                prose(i)
                    && !matches!(label(i), Some(Label::Claim | Label::Evidence))
                    && !is_thesis(i)
            })
            .count();
        let cited_evidence: Vec<usize> = evidence_sentences
            .iter()
            .copied()
            .filter(|&i| !doc.sentences[i].citations.is_empty())
            .collect();
        let has_references = doc.sentences.iter().any(|s| s.kind == Kind::Reference);
        let uncited_claims: Vec<usize> = claim_sentences
            .iter()
            .copied()
            .filter(|&c| has_references && evidence_support[c] && !cited_support[c])
            .collect();
        let (depth, depth_chain) = longest_chain(n, &edges);

        let paragraphs_without_claim =
            paragraphs_without_claim(doc, para_words.len(), &substantive);

        let (prompt_overlap, answers_prompt) = match doc.title.as_deref() {
            Some(t) => with_prompt_words(t, |p| {
                if p.is_empty() {
                    return (None, None);
                }
                let o = (!thesis_sentences.is_empty()).then(|| {
                    let texts = thesis_sentences
                        .iter()
                        .filter_map(|&i| doc.sentences.get(i));
                    share_in(p, texts.map(|s| s.text.as_str()))
                });
                (o, Some(false))
            }),
            None => (None, None),
        };

        let claims = claim_sentences.len();
        let evidence = evidence_sentences.len();
        // The prose's words are counted per paragraph already.
        let words = if prose_n == n {
            count_words(&doc.text)
        } else {
            para_words.iter().sum()
        };
        let mut m = Metrics {
            sentences: prose_n,
            paragraphs: para_words.iter().filter(|&&w| w > 0).count(),
            words,
            thesis: ThesisMetrics {
                present: !thesis_sentences.is_empty(),
                position,
                sentences: thesis_sentences,
                prompt_overlap,
                answers_prompt,
                restated_by,
            },
            claims,
            claim_sentences,
            evidence,
            evidence_sentences,
            evidence_per_claim: ratio(evidence, claims),
            unsupported_claims,
            orphan_evidence,
            counter_arguments,
            non_argumentative_share: ratio(non_arg, prose_n).unwrap_or(0.0),
            depth,
            depth_chain,
            paragraphs_without_claim,
            intro_paragraph,
            conclusion_paragraph,
            cited_evidence_share: ratio(cited_evidence.len(), evidence),
            cited_evidence,
            uncited_claims,
        };
        m.judge_prompt(DEFAULT_PROMPT_OVERLAP);
        m
    }

    /// Sets [`ThesisMetrics::answers_prompt`] from the overlap and `threshold`
    /// (a rubric setting; [`Metrics::compute`] uses [`DEFAULT_PROMPT_OVERLAP`]).
    pub fn judge_prompt(&mut self, threshold: f64) {
        if self.thesis.answers_prompt.is_some() {
            self.thesis.answers_prompt =
                Some(self.thesis.prompt_overlap.is_some_and(|o| o >= threshold));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{self, RuleSegmenter};

    /// A document whose sentences get `labels`; `T` marks the thesis.
    fn doc(text: &str, title: Option<&str>, labels: &str) -> Document {
        let mut d = segment::document(
            &RuleSegmenter::default(),
            None,
            title.map(str::to_string),
            text.to_string(),
        );
        assert_eq!(d.sentences.len(), labels.len(), "{:?}", d.sentences);
        for (s, c) in d.sentences.iter_mut().zip(labels.chars()) {
            s.label = Some(match c {
                'T' | 'C' => Label::Claim,
                'E' => Label::Evidence,
                'Q' => Label::Question,
                _ => Label::Other,
            });
            s.thesis = Some(c == 'T');
        }
        d
    }

    #[test]
    fn a_conclusion_that_restates_the_thesis_counts_as_its_restatement() {
        let text = |end: &str| {
            format!(
                "Phones are everywhere today. Schools should ban phones in class.\n\n                 Phones distract pupils. A survey found most pupils check messages.\n\n{end}"
            )
        };
        let links = [
            Link::new(3, 2, Relation::Supports),
            Link::new(2, 1, Relation::Supports),
        ];
        let restated = doc(
            &text("To conclude, schools should ban phones from every class."),
            None,
            "OTCEC",
        );
        let m = Metrics::compute(&restated, &links);
        assert_eq!(m.thesis.position, ThesisPosition::Both);
        assert_eq!(m.thesis.restated_by, [4]);
        assert_eq!(m.thesis.sentences, [1]);
        assert!(m.unsupported_claims.is_empty());
        assert_eq!(m.sentences_for("thesis_in_conclusion"), [1, 4]);
        // A new claim in the conclusion is no restatement.
        let other = doc(
            &text("Parents will also sleep better at night."),
            None,
            "OTCEC",
        );
        let m = Metrics::compute(&other, &links);
        assert_eq!(m.thesis.position, ThesisPosition::Intro);
        assert!(m.thesis.restated_by.is_empty());
        assert_eq!(m.unsupported_claims, [4]);
    }

    const ESSAY: &str = "Phones are everywhere in our lives today. Schools should ban phones in class.\n\n\
        Phones distract pupils during lessons. Teachers see it every single day. A survey of our class found that most pupils check messages.\n\n\
        Some say phones help pupils look things up quickly. However, a library does this job without the noise.\n\n\
        In short, schools should ban phones in class for good.";

    fn edges() -> Vec<Link> {
        vec![
            Link::new(2, 1, Relation::Supports),
            Link::new(3, 2, Relation::Supports),
            Link::new(5, 1, Relation::Attacks),
            Link::new(6, 1, Relation::Supports),
        ]
    }

    const LABELS: &str = "OTCEECCT";

    #[test]
    fn thesis_in_both_intro_and_conclusion() {
        let d = doc(ESSAY, Some("Should schools ban phones?"), LABELS);
        let m = Metrics::compute(&d, &edges());
        assert_eq!(m.thesis.position, ThesisPosition::Both);
        assert_eq!(m.thesis.sentences, [1, 7]);
        assert_eq!(m.thesis.prompt_overlap, Some(1.0));
    }

    #[test]
    fn counts_claims_evidence_and_gaps() {
        let d = doc(ESSAY, None, LABELS);
        let m = Metrics::compute(&d, &edges());
        assert_eq!(m.claim_sentences, [2, 5, 6]);
        assert_eq!(m.evidence_sentences, [3, 4]);
        // 5 is the counter-argument, so only 6 (the rebuttal) lacks support.
        assert_eq!(m.unsupported_claims, [6]);
        assert_eq!(m.orphan_evidence, [4]);
        assert_eq!(m.value("supported_claim_share"), Some(0.5));
        assert_eq!(m.value("linked_evidence_share"), Some(0.5));
    }

    #[test]
    fn counter_argument_rebutted_by_later_claim_in_paragraph() {
        let d = doc(ESSAY, None, LABELS);
        let m = Metrics::compute(&d, &edges());
        assert_eq!(
            m.counter_arguments,
            [CounterArgument {
                sentence: 5,
                rebutted: true,
                rebutted_by: vec![6]
            }]
        );
        assert_eq!(m.value("all_counter_arguments_rebutted"), Some(1.0));
        // Without the answering claim the counter-argument stands.
        let d = doc(ESSAY, None, "OTCEECET");
        let m = Metrics::compute(&d, &edges());
        assert!(!m.counter_arguments[0].rebutted);
    }

    #[test]
    fn rebuttal_attacking_a_counter_is_not_a_counter() {
        let d = doc(ESSAY, None, LABELS);
        let e = vec![
            Link::new(5, 1, Relation::Attacks),
            Link::new(6, 5, Relation::Attacks),
        ];
        let m = Metrics::compute(&d, &e);
        assert_eq!(m.counter_arguments.len(), 1);
        assert_eq!(m.counter_arguments[0].rebutted_by, [6]);
    }

    #[test]
    fn evidence_attacking_a_claim_is_not_a_counter_argument() {
        let d = doc(ESSAY, None, LABELS);
        let m = Metrics::compute(&d, &[Link::new(4, 2, Relation::Attacks)]);
        assert!(m.counter_arguments.is_empty());
        let m = Metrics::compute(&d, &[Link::new(4, 1, Relation::Attacks)]);
        assert_eq!(m.counter_arguments[0].sentence, 4);
    }

    #[test]
    fn depth_follows_longest_chain_and_survives_cycles() {
        let d = doc(ESSAY, None, LABELS);
        let m = Metrics::compute(&d, &edges());
        assert_eq!((m.depth, m.depth_chain.clone()), (2, vec![3, 2, 1]));
        let cyc = vec![
            Link::new(2, 3, Relation::Supports),
            Link::new(3, 2, Relation::Supports),
        ];
        let m = Metrics::compute(&d, &cyc);
        assert!(m.depth <= d.sentences.len());
    }

    #[test]
    fn thesis_only_in_conclusion_and_missing() {
        let d = doc(ESSAY, None, "OOCEECCT");
        assert_eq!(
            Metrics::compute(&d, &[]).thesis.position,
            ThesisPosition::Conclusion
        );
        let d = doc(ESSAY, None, "OOCEECCC");
        let m = Metrics::compute(&d, &[]);
        assert_eq!(m.thesis.position, ThesisPosition::Missing);
        assert!(!m.thesis.present);
    }

    #[test]
    fn salutation_is_not_the_introduction() {
        let text = "Dear Principal,\n\nPhones should stay out of class for good. They distract.\n\nThat is why phones should stay out of class.";
        let d = doc(text, None, "OTEC");
        let m = Metrics::compute(&d, &[]);
        assert_eq!(m.intro_paragraph, Some(1));
        // In the introduction, and the last line restates it.
        assert_eq!(m.thesis.position, ThesisPosition::Both);
        assert_eq!(m.thesis.restated_by, [3]);
        assert!(m.paragraphs_without_claim.is_empty());
    }

    #[test]
    fn a_prompt_line_above_the_essay_is_not_the_introduction() {
        let text = "Should our school start later in the morning?\n\nSchool should start at ten because pupils sleep late. Tired pupils learn less.\n\nSo school should start at ten in the morning.";
        let d = doc(text, None, "QTEC");
        let m = Metrics::compute(&d, &[]);
        assert_eq!(m.intro_paragraph, Some(1));
        // In the introduction, and the last line restates it.
        assert_eq!(m.thesis.position, ThesisPosition::Both);
        let d = doc(text, None, "OTEC");
        assert_eq!(Metrics::compute(&d, &[]).intro_paragraph, Some(1));
    }

    #[test]
    fn empty_and_unlabelled_documents_do_not_panic() {
        let d = segment::document(
            &RuleSegmenter::default(),
            None,
            Some("x".into()),
            String::new(),
        );
        let m = Metrics::compute(&d, &[Link::new(3, 9, Relation::Supports)]);
        assert_eq!(m.sentences, 0);
        assert_eq!(m.thesis.position, ThesisPosition::Missing);
        for name in METRIC_NAMES {
            let _ = m.value(name);
        }
        let d = segment::document(&RuleSegmenter::default(), None, None, ESSAY.into());
        let m = Metrics::compute(&d, &[]);
        assert_eq!(m.non_argumentative_share, 1.0);
    }

    #[test]
    fn every_metric_name_has_a_value_on_a_full_essay() {
        let d = doc(ESSAY, Some("Should schools ban phones?"), LABELS);
        let mut m = Metrics::compute(&d, &edges());
        m.judge_prompt(0.25);
        for name in METRIC_NAMES {
            assert!(m.value(name).is_some(), "{name}");
        }
        assert_eq!(m.value("nonsense"), None);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Any labels, thesis flags and edges (including out-of-range,
            /// self and cyclic ones) give metrics whose lists index real
            /// sentences and whose depth is bounded by the sentence count.
            #[test]
            fn metrics_are_total_and_consistent(
                labels in proptest::collection::vec(0u8..5, 0..12),
                raw_edges in proptest::collection::vec((0usize..14, 0usize..14, 0u8..3), 0..20),
            ) {
                let text: String = (0..labels.len()).map(|i| format!("Sentence number {i} ends here.")).collect::<Vec<_>>().join(" ");
                let mut d = segment::document(&RuleSegmenter::default(), None, Some("Sentence ends?".into()), text);
                for (s, l) in d.sentences.iter_mut().zip(&labels) {
                    s.label = match l { 0 => Some(Label::Claim), 1 => Some(Label::Evidence), 2 => Some(Label::Question), 3 => Some(Label::Other), _ => None };
                    s.thesis = Some(*l == 0 && s.index % 3 == 0);
                }
                let edges: Vec<Link> = raw_edges.iter().map(|&(a, b, r)| Link::new(a, b, match r { 0 => Relation::Supports, 1 => Relation::Attacks, _ => Relation::Answers })).collect();
                let m = Metrics::compute(&d, &edges);
                let n = d.sentences.len();
                prop_assert!(m.depth <= n);
                prop_assert_eq!(m.depth + usize::from(!m.depth_chain.is_empty()), m.depth_chain.len().max(m.depth));
                for i in m.unsupported_claims.iter().chain(&m.orphan_evidence).chain(&m.depth_chain) {
                    prop_assert!(*i < n);
                }
                prop_assert!(m.unsupported_claims.len() <= m.claims);
                prop_assert!(m.orphan_evidence.len() <= m.evidence);
                prop_assert!((0.0..=1.0).contains(&m.non_argumentative_share));
                for name in METRIC_NAMES {
                    if let Some(v) = m.value(name) {
                        prop_assert!(v.is_finite());
                    }
                }
            }
        }
    }
}
