//! Feedback items: the metrics turned into plain teacher language.
//!
//! Each [`FeedbackItem`] has a stable `code` (tools and class reports count
//! them; never rename one), a [`Severity`], a message that quotes the sentence
//! it is about, and the 0-based indices of the sentences that show it. Messages
//! number sentences from 1, as a teacher counts them.
//!
//! Codes, most severe first:
//!
//! | code | severity | when |
//! |---|---|---|
//! | `not_english` | problem | the prose is not English (labels not to be trusted) |
//! | `thesis_missing` | problem | no sentence states the thesis |
//! | `no_claims` | problem | no claim besides the thesis |
//! | `no_evidence` | problem | no evidence sentence |
//! | `thesis_only_in_conclusion` | warning | thesis first appears in the conclusion |
//! | `thesis_in_body_only` | warning | thesis only in body paragraphs |
//! | `thesis_off_prompt` | warning | a prompt is given and the thesis shares too few of its words |
//! | `unsupported_claim` | warning | one per claim with no supporting evidence |
//! | `no_counter_argument` | warning | no counter-argument is considered |
//! | `unrebutted_counter_argument` | warning | one per counter-argument left unanswered |
//! | `paragraph_without_claim` | warning | one per body paragraph with no claim |
//! | `orphan_evidence` | info | evidence sentences tied to no claim (one item) |
//! | `uncited_evidence` | info | an essay with a bibliography has claims whose evidence cites no source |
//! | `mostly_non_argumentative` | info | share of non-argumentative sentences above the threshold |
//! | `thesis_not_restated` | info | thesis in the introduction, not restated in the conclusion |
//! | `thesis_clear` | info (strength) | thesis in the introduction |
//! | `claims_supported` | info (strength) | every claim has evidence |
//! | `counter_argument_rebutted` | info (strength) | one per counter-argument that is answered |
//! | `reasoning_chain` | info (strength) | a chain of at least 3 links (evidence backing evidence) |

use super::metrics::{Metrics, ThesisPosition};
use super::rubric::Thresholds;
use crate::document::Document;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How much an item matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A serious gap in the argument.
    Problem,
    /// Something to improve.
    Warning,
    /// A remark or a strength.
    Info,
}

impl Severity {
    /// The severity's name as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Problem => "problem",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One strength or gap, backed by sentences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackItem {
    /// Stable code (see the module table).
    pub code: String,
    /// How much it matters.
    pub severity: Severity,
    /// Plain-language message for the teacher.
    pub message: String,
    /// 0-based indices of the sentences that show it.
    pub sentences: Vec<usize>,
}

impl FeedbackItem {
    fn new(code: &str, severity: Severity, message: String, sentences: Vec<usize>) -> Self {
        FeedbackItem {
            code: code.to_string(),
            severity,
            message,
            sentences,
        }
    }
}

/// The first feedback item of an essay whose prose is in language `name`
/// (ISO 639-1 `code`), not English: the models read English, so nothing below
/// it is reliable.
pub fn not_english(code: &str, name: &str) -> FeedbackItem {
    FeedbackItem::new(
        "not_english",
        Severity::Problem,
        format!(
            "This text looks {name} ({code}), not English: essaymap's models read English \
             essays, so its labels, map, feedback and scores are not to be trusted."
        ),
        vec![],
    )
}

/// Longest quote shown in a message, in characters.
const QUOTE_CHARS: usize = 70;

/// `sentence 4 ('Phones distract pupils...')`, numbered from 1.
fn cite(doc: &Document, i: usize) -> String {
    let text = doc.sentences.get(i).map_or("", |s| s.text.as_str());
    // The words joined by single spaces, read only until they pass the limit.
    let mut flat = String::with_capacity(text.len().min(8 * QUOTE_CHARS));
    let mut chars = 0;
    for w in text.split_whitespace() {
        if chars > QUOTE_CHARS {
            break;
        }
        if !flat.is_empty() {
            flat.push(' ');
            chars += 1;
        }
        flat.push_str(w);
        chars += w.chars().count();
    }
    if chars > QUOTE_CHARS {
        let end = flat
            .char_indices()
            .nth(QUOTE_CHARS)
            .map_or(flat.len(), |(at, _)| at);
        format!("sentence {} ('{}…')", i + 1, flat[..end].trim_end())
    } else {
        format!("sentence {} ('{flat}')", i + 1)
    }
}

/// "sentences 3, 7 and 9" (numbered from 1).
fn list(indices: &[usize]) -> String {
    let nums: Vec<String> = indices.iter().map(|i| (i + 1).to_string()).collect();
    match nums.as_slice() {
        [] => String::new(),
        [one] => format!("sentence {one}"),
        [init @ .., last] => format!("sentences {} and {last}", init.join(", ")),
    }
}

/// Paragraph `p` numbered as a reader counts them (from 1): a title line,
/// page furniture and other paragraphs without prose are not counted.
fn paragraph_number(doc: &Document, p: usize) -> usize {
    let counted = |q: usize| {
        !doc.is_heading(q) && doc.paragraph_sentences(q).iter().any(|s| s.kind.is_prose())
    };
    1 + (0..p).filter(|&q| counted(q)).count()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The feedback for `doc` with `m` (its metrics), most severe first; within a
/// severity, in the order of the table in the module docs.
pub fn feedback(doc: &Document, m: &Metrics, t: &Thresholds) -> Vec<FeedbackItem> {
    use Severity::*;
    let mut out = Vec::new();
    let th = &m.thesis;
    let first_thesis = th.sentences.first().copied();

    if !th.present {
        out.push(FeedbackItem::new(
            "thesis_missing",
            Problem,
            "No sentence states the essay's thesis (its overall position). Ask the writer to say clearly what they argue, early in the essay.".into(),
            vec![],
        ));
    }
    if m.claims == 0 {
        out.push(FeedbackItem::new(
            "no_claims",
            Problem,
            "No claims develop the thesis: the essay gives no reasons of its own for its position."
                .into(),
            vec![],
        ));
    }
    if m.evidence == 0 && m.sentences > 0 {
        out.push(FeedbackItem::new(
            "no_evidence",
            Problem,
            "No sentence gives evidence (facts, examples, explanations) for the claims.".into(),
            vec![],
        ));
    }
    if let Some(f) = first_thesis {
        match th.position {
            ThesisPosition::Conclusion => out.push(FeedbackItem::new(
                "thesis_only_in_conclusion",
                Warning,
                format!("The thesis appears only in the conclusion ({}); the reader meets the position only at the end.", cite(doc, f)),
                th.sentences.clone(),
            )),
            ThesisPosition::Body => out.push(FeedbackItem::new(
                "thesis_in_body_only",
                Warning,
                format!("The thesis appears only in a body paragraph ({}), not in the introduction or conclusion.", cite(doc, f)),
                th.sentences.clone(),
            )),
            _ => {}
        }
        if th.answers_prompt == Some(false) {
            let pct = th.prompt_overlap.unwrap_or(0.0) * 100.0;
            out.push(FeedbackItem::new(
                "thesis_off_prompt",
                Warning,
                format!("The thesis ({}) shares few words with the prompt ({pct:.0}% of its key words): check that it answers the question asked.", cite(doc, f)),
                th.sentences.clone(),
            ));
        }
    }
    for &c in &m.unsupported_claims {
        out.push(FeedbackItem::new(
            "unsupported_claim",
            Warning,
            format!("The claim in {} has no supporting evidence.", cite(doc, c)),
            vec![c],
        ));
    }
    if m.counter_arguments.is_empty() && m.claims > 0 {
        out.push(FeedbackItem::new(
            "no_counter_argument",
            Warning,
            "No counter-argument is considered: the essay never states and answers an opposing view.".into(),
            vec![],
        ));
    }
    for c in m.counter_arguments.iter().filter(|c| !c.rebutted) {
        out.push(FeedbackItem::new(
            "unrebutted_counter_argument",
            Warning,
            format!(
                "The counter-argument in {} is raised but never answered.",
                cite(doc, c.sentence)
            ),
            vec![c.sentence],
        ));
    }
    for &p in &m.paragraphs_without_claim {
        if Some(p) == m.intro_paragraph || Some(p) == m.conclusion_paragraph {
            continue;
        }
        let sents: Vec<usize> = doc.paragraph_sentences(p).iter().map(|s| s.index).collect();
        out.push(FeedbackItem::new(
            "paragraph_without_claim",
            Warning,
            format!(
                "Paragraph {} makes no claim: its point is not stated ({}).",
                paragraph_number(doc, p),
                list(&sents)
            ),
            sents,
        ));
    }
    if !m.orphan_evidence.is_empty() {
        out.push(FeedbackItem::new(
            "orphan_evidence",
            Info,
            format!(
                "{} not tied to any claim ({}): say what they prove.",
                plural(
                    m.orphan_evidence.len(),
                    "evidence sentence is",
                    "evidence sentences are"
                ),
                list(&m.orphan_evidence)
            ),
            m.orphan_evidence.clone(),
        ));
    }
    if !m.uncited_claims.is_empty() {
        out.push(FeedbackItem::new(
            "uncited_evidence",
            Info,
            format!(
                "The evidence for {} ({}) cites none of your sources: add the citation.",
                plural(m.uncited_claims.len(), "claim", "claims"),
                list(&m.uncited_claims)
            ),
            m.uncited_claims.clone(),
        ));
    }
    if m.sentences >= 5 && m.non_argumentative_share > t.non_argumentative_share_max {
        let sents: Vec<usize> = doc
            .sentences
            .iter()
            .filter(|s| {
                s.kind.is_prose()
                    && !matches!(s.label, Some(crate::Label::Claim | crate::Label::Evidence))
                    && s.thesis != Some(true)
            })
            .map(|s| s.index)
            .collect();
        out.push(FeedbackItem::new(
            "mostly_non_argumentative",
            Info,
            format!(
                "{:.0}% of the sentences neither claim nor give evidence; the argument may be thin.",
                m.non_argumentative_share * 100.0
            ),
            sents,
        ));
    }
    if let Some(f) = first_thesis {
        if th.position == ThesisPosition::Intro && m.conclusion_paragraph.is_some() {
            out.push(FeedbackItem::new(
                "thesis_not_restated",
                Info,
                "The thesis is not restated in the conclusion.".into(),
                vec![f],
            ));
        }
        if matches!(th.position, ThesisPosition::Intro | ThesisPosition::Both) {
            out.push(FeedbackItem::new(
                "thesis_clear",
                Info,
                format!(
                    "Strength: the thesis is stated in the introduction ({}).",
                    cite(doc, f)
                ),
                th.sentences.clone(),
            ));
        }
    }
    if m.unsupported_claims.is_empty() && m.claims > 0 && m.evidence > 0 {
        out.push(FeedbackItem::new(
            "claims_supported",
            Info,
            "Strength: every claim is backed by evidence.".into(),
            m.claim_sentences.clone(),
        ));
    }
    for c in m.counter_arguments.iter().filter(|c| c.rebutted) {
        let mut s = vec![c.sentence];
        s.extend(&c.rebutted_by);
        out.push(FeedbackItem::new(
            "counter_argument_rebutted",
            Info,
            format!(
                "Strength: the counter-argument in {} is answered ({}).",
                cite(doc, c.sentence),
                list(&c.rebutted_by)
            ),
            s,
        ));
    }
    if m.depth >= 3 {
        out.push(FeedbackItem::new(
            "reasoning_chain",
            Info,
            format!(
                "Strength: a chain of reasoning {} links deep ({}).",
                m.depth,
                list(&m.depth_chain)
            ),
            m.depth_chain.clone(),
        ));
    }
    // Stable sort keeps the table order within a severity.
    out.sort_by_key(|f| f.severity);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::argument::{Link, Relation};
    use crate::segment::{self, RuleSegmenter};
    use crate::Label;

    fn labelled(text: &str, labels: &[Label], thesis: &[usize]) -> Document {
        let mut d = segment::document(&RuleSegmenter::default(), None, None, text.into());
        assert_eq!(d.sentences.len(), labels.len());
        for (s, l) in d.sentences.iter_mut().zip(labels) {
            s.label = Some(*l);
            s.thesis = Some(thesis.contains(&s.index));
        }
        d
    }

    fn codes(items: &[FeedbackItem]) -> Vec<&str> {
        items.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn unsupported_claim_quotes_the_sentence() {
        use Label::*;
        let d = labelled(
            "Uniforms should be optional for everyone. They cost families a lot of money.",
            &[Claim, Claim],
            &[],
        );
        let m = Metrics::compute(&d, &[]);
        let f = feedback(&d, &m, &Thresholds::default());
        assert_eq!(
            codes(&f)[..3],
            ["thesis_missing", "no_evidence", "unsupported_claim"]
        );
        let u = &f[2];
        assert_eq!(u.sentences, [0]);
        assert_eq!(
            u.message,
            "The claim in sentence 1 ('Uniforms should be optional for everyone.') has no supporting evidence."
        );
        assert!(codes(&f).contains(&"no_counter_argument"));
    }

    #[test]
    fn thesis_only_in_conclusion_is_flagged() {
        use Label::*;
        let d = labelled(
            "Many towns now run bike lanes along busy roads.\n\nLanes cut accidents by a third in one study.\n\nSo every town should build bike lanes on main roads.",
            &[Other, Evidence, Claim],
            &[2],
        );
        let m = Metrics::compute(&d, &[Link::new(1, 2, Relation::Supports)]);
        let f = feedback(&d, &m, &Thresholds::default());
        let item = f
            .iter()
            .find(|f| f.code == "thesis_only_in_conclusion")
            .unwrap();
        assert_eq!(item.severity, Severity::Warning);
        assert_eq!(item.sentences, [2]);
        assert!(item
            .message
            .starts_with("The thesis appears only in the conclusion"));
        // Paragraph 2 has evidence but no claim.
        assert!(codes(&f).contains(&"paragraph_without_claim"));
    }

    #[test]
    fn paragraphs_are_numbered_without_the_title_line() {
        use Label::*;
        let d = labelled(
            "Should towns build bike lanes?\n\nMany towns now run bike lanes along busy roads. Towns should build them.\n\nLanes cut accidents by a third in one study.\n\nSo every town should build bike lanes on main roads.",
            &[Question, Other, Claim, Evidence, Claim],
            &[2],
        );
        let m = Metrics::compute(&d, &[Link::new(3, 2, Relation::Supports)]);
        let f = feedback(&d, &m, &Thresholds::default());
        let item = f
            .iter()
            .find(|f| f.code == "paragraph_without_claim")
            .unwrap();
        assert_eq!(item.sentences, [3]);
        assert!(
            item.message.starts_with("Paragraph 2 makes no claim"),
            "{}",
            item.message
        );
    }

    #[test]
    fn items_are_sorted_by_severity() {
        use Label::*;
        let d = labelled(
            "Cats nap a lot. Dogs bark. Birds sing.",
            &[Other, Other, Other],
            &[],
        );
        let m = Metrics::compute(&d, &[]);
        let f = feedback(&d, &m, &Thresholds::default());
        assert!(f.windows(2).all(|w| w[0].severity <= w[1].severity));
    }

    #[test]
    fn long_sentences_are_quoted_short() {
        let long = "word ".repeat(40);
        let d = labelled(&format!("{}end.", long), &[Label::Claim], &[]);
        let c = cite(&d, 0);
        assert!(c.chars().count() < QUOTE_CHARS + 30 && c.contains('…'));
    }

    proptest::proptest! {
        #[test]
        fn quotes_are_the_first_characters_of_the_flattened_sentence(
            words in proptest::collection::vec("[a-zé’]{1,12}", 1..30),
            gaps in proptest::collection::vec("[ \n\t]{1,3}", 30),
        ) {
            let text: String = words.iter().zip(&gaps).map(|(w, g)| format!("{w}{g}")).collect();
            let mut d = labelled("Placeholder.", &[Label::Claim], &[]);
            d.sentences[0].text = text.clone();
            // The definition: whitespace runs become one space; more than
            // QUOTE_CHARS characters are cut to that many, trimmed, with "…".
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let quote = if flat.chars().count() > QUOTE_CHARS {
                let cut: String = flat.chars().take(QUOTE_CHARS).collect();
                format!("{}…", cut.trim_end())
            } else {
                flat
            };
            proptest::prop_assert_eq!(cite(&d, 0), format!("sentence 1 ('{quote}')"));
        }
    }
}
