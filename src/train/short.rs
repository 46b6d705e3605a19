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
use crate::document::Label;
use crate::error::Result;
use crate::Essay;
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
}

/// The short texts cut from `e` (none when no paragraph qualifies).
pub fn from_essay(e: &AnnotatedEssay) -> Vec<ShortText> {
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
        let (thesis, counter): (Vec<bool>, Vec<bool>) = if has(MajorClaim) {
            continue;
        } else if has(Position) || has(Counterclaim) || has(Rebuttal) {
            // PERSUADE: the paragraph argues both sides.
            if !(has(Counterclaim) && has(Rebuttal) && (has(Position) || has(Claim))) {
                continue;
            }
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
        let mut matched = vec![false; t.sentences.len()];
        for (k, s) in sents.iter().enumerate() {
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
            let (gt, gc) = match best {
                // A gold sentence split in two counts once, at its first part.
                Some((_, j)) if !matched[j] => {
                    matched[j] = true;
                    (t.sentences[j].thesis, t.sentences[j].counter)
                }
                _ => (false, false),
            };
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
