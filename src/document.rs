//! The document model that flows through the pipeline.
//!
//! A [`Document`] is an essay split into [`Paragraph`]s and [`Sentence`]s. Every
//! stage after segmentation adds to it (labels, scores, thesis) rather than
//! building a parallel structure, the way spaCy's `Doc` works.
//!
//! Offsets: spans are kept as byte ranges internally (cheap slicing) and as
//! Unicode code-point ranges for output. JSON shows only the code-point offsets
//! (`start`, `end`, end-exclusive), so `text[start:end]` in Python gives the
//! sentence, as `docs/output-contract.md` requires.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// The argumentative role of a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    /// A claim (the thesis is a claim too).
    Claim,
    /// Evidence: a premise, example, fact or reason offered in support.
    Evidence,
    /// A question that is not itself an argumentative component.
    Question,
    /// Non-argumentative text: hooks, introductions, transitions.
    Other,
}

impl Label {
    /// All labels, in the fixed order used by models and score vectors.
    pub const ALL: [Label; 4] = [Label::Claim, Label::Evidence, Label::Question, Label::Other];

    /// Position of the label in [`Label::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The label at `i` in [`Label::ALL`], if any.
    pub fn from_index(i: usize) -> Option<Label> {
        Label::ALL.get(i).copied()
    }

    /// The label's name as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Claim => "claim",
            Label::Evidence => "evidence",
            Label::Question => "question",
            Label::Other => "other",
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Label {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Label::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| format!("unknown label {s:?} (claim, evidence, question, other)"))
    }
}

/// A probability per label, serialised as `{"claim": p, "evidence": p, ...}`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Scores {
    /// P(claim).
    pub claim: f32,
    /// P(evidence).
    pub evidence: f32,
    /// P(question).
    pub question: f32,
    /// P(other).
    pub other: f32,
}

impl Scores {
    /// Scores from a vector in [`Label::ALL`] order.
    pub fn from_array(p: [f32; 4]) -> Self {
        Scores {
            claim: p[0],
            evidence: p[1],
            question: p[2],
            other: p[3],
        }
    }

    /// The scores in [`Label::ALL`] order.
    pub fn to_array(self) -> [f32; 4] {
        [self.claim, self.evidence, self.question, self.other]
    }

    /// The probability of `label`.
    pub fn get(self, label: Label) -> f32 {
        self.to_array()[label.index()]
    }

    /// The most probable label and its probability.
    pub fn best(self) -> (Label, f32) {
        let a = self.to_array();
        let mut best = 0;
        for i in 1..4 {
            if a[i] > a[best] {
                best = i;
            }
        }
        (Label::ALL[best], a[best])
    }
}

/// What kind of text unit a sentence is. Only prose is argued: every other
/// kind is labelled `other` and stays out of the map and the assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Running text (the default).
    #[default]
    Prose,
    /// A heading or title line.
    Heading,
    /// An item of a bulleted or numbered list.
    ListItem,
    /// An entry of a bibliography or works-cited list.
    Reference,
    /// Page furniture of the site or program the text was copied from (word
    /// counts, "Open Document", page numbers, running headers).
    Furniture,
}

impl Kind {
    /// The kind's name as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Prose => "prose",
            Kind::Heading => "heading",
            Kind::ListItem => "list_item",
            Kind::Reference => "reference",
            Kind::Furniture => "furniture",
        }
    }

    /// Whether units of this kind carry the essay's argument and are
    /// labelled by the role model (the output contract: prose only).
    pub fn is_prose(self) -> bool {
        self == Kind::Prose
    }
}

/// An in-text citation ("(Davies 1989, 1029)", `"[3]"`, "ibid.").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    /// Code-point offset of the first character in the essay text.
    pub start: usize,
    /// Code-point offset one past the last character.
    pub end: usize,
    /// The citation as written.
    pub text: String,
    /// Index of the reference sentence it points to, when one matches.
    pub reference: Option<usize>,
}

/// A paragraph: a run of text between blank lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    /// 0-based position in the essay.
    pub index: usize,
    /// Code-point offset of the first character.
    pub start: usize,
    /// Code-point offset one past the last character.
    pub end: usize,
    /// Byte range in the essay text.
    #[serde(skip)]
    pub bytes: Range<usize>,
}

/// A sentence, with what the pipeline has learnt about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentence {
    /// 0-based position in the essay.
    pub index: usize,
    /// Code-point offset of the first character.
    pub start: usize,
    /// Code-point offset one past the last character.
    pub end: usize,
    /// The sentence text (`essay[start..end]`).
    pub text: String,
    /// Index of the paragraph that holds it.
    pub paragraph: usize,
    /// 0-based position among the sentences of its paragraph.
    pub position_in_paragraph: usize,
    /// Byte range in the essay text.
    #[serde(skip)]
    pub bytes: Range<usize>,
    /// Predicted role, once classified.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub label: Option<Label>,
    /// Probability of the predicted role.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub confidence: Option<f32>,
    /// Probability of every role.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub scores: Option<Scores>,
    /// Whether the sentence states the essay's thesis.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub thesis: Option<bool>,
    /// What kind of unit it is.
    #[serde(default)]
    pub kind: Kind,
    /// The in-text citations it holds.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub citations: Vec<Citation>,
}

/// An essay as a caller hands it in: its text, and the record id and prompt
/// when known. Built with [`Essay::new`] and the `id` / `prompt` setters:
///
/// ```
/// let essay = essaymap::Essay::new("Phones distract pupils.").id("s1.txt").prompt("Ban phones?");
/// assert_eq!(essay.prompt.as_deref(), Some("Ban phones?"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Essay {
    /// The essay text.
    pub text: String,
    /// Record id (file name or corpus id); becomes the analysis' `id`.
    pub id: Option<String>,
    /// The prompt or question the essay answers; becomes the analysis'
    /// `title` and feeds the role model's title-overlap features.
    pub prompt: Option<String>,
}

impl Essay {
    /// An essay with no id and no prompt.
    pub fn new(text: impl Into<String>) -> Self {
        Essay {
            text: text.into(),
            id: None,
            prompt: None,
        }
    }

    /// This essay with record id `id`.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// This essay with the prompt it answers.
    #[must_use]
    pub fn prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = Some(prompt.into());
        self
    }
}

impl From<String> for Essay {
    fn from(text: String) -> Self {
        Essay::new(text)
    }
}

impl From<&str> for Essay {
    fn from(text: &str) -> Self {
        Essay::new(text)
    }
}

/// An essay and its analysis so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Record id (file name or corpus id), when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    /// The prompt or question the essay answers, when given.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// The essay text that all offsets point into.
    pub text: String,
    /// Paragraphs in order.
    pub paragraphs: Vec<Paragraph>,
    /// Sentences in order; none crosses a paragraph boundary.
    pub sentences: Vec<Sentence>,
}

impl Document {
    /// The sentences of paragraph `p`.
    pub fn paragraph_sentences(&self, p: usize) -> &[Sentence] {
        let lo = self.sentences.partition_point(|s| s.paragraph < p);
        let hi = self.sentences.partition_point(|s| s.paragraph <= p);
        &self.sentences[lo..hi]
    }

    /// Whether paragraph `p` is a title or prompt line rather than prose: one
    /// sentence of at most [`HEADING_WORDS`] words that does not end like a
    /// statement (`?` or no closing punctuation), e.g. the question an essay
    /// file starts with.
    pub fn is_heading(&self, p: usize) -> bool {
        let [s] = self.paragraph_sentences(p) else {
            return false;
        };
        let t = s
            .text
            .trim_end_matches(|c: char| c.is_whitespace() || "\"'”’)]".contains(c));
        s.text.split_whitespace().count() <= HEADING_WORDS
            && !t.ends_with(['.', '!', ':', ';', ','])
    }
}

/// Longest title or prompt line, in words, that [`Document::is_heading`] accepts.
pub const HEADING_WORDS: usize = 15;

/// Converts ascending byte offsets of `text` into code-point offsets in one pass.
///
/// Offsets must be non-decreasing and on char boundaries; the segmenter
/// guarantees both. ASCII text (the common case) is a no-op.
pub(crate) struct CharCounter<'a> {
    text: &'a str,
    ascii: bool,
    byte: usize,
    chars: usize,
}

impl<'a> CharCounter<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        CharCounter {
            text,
            ascii: text.is_ascii(),
            byte: 0,
            chars: 0,
        }
    }

    /// Code-point offset of byte offset `b` (`b` at or after the last one asked).
    pub(crate) fn at(&mut self, b: usize) -> usize {
        if self.ascii {
            return b;
        }
        if b < self.byte {
            // Out of order: count from the start rather than give a wrong answer.
            self.byte = 0;
            self.chars = 0;
        }
        let seg = self.text.get(self.byte..b).unwrap_or("");
        self.chars += seg.chars().count();
        self.byte = b;
        self.chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_through_strings() {
        for l in Label::ALL {
            assert_eq!(l.as_str().parse::<Label>().unwrap(), l);
            assert_eq!(Label::from_index(l.index()), Some(l));
        }
        assert!("premise".parse::<Label>().is_err());
    }

    #[test]
    fn best_score_wins() {
        let s = Scores::from_array([0.1, 0.6, 0.05, 0.25]);
        assert_eq!(s.best(), (Label::Evidence, 0.6));
    }

    #[test]
    fn char_counter_counts_code_points() {
        let t = "héllo wörld ✓ ok";
        let mut c = CharCounter::new(t);
        let b = t.find("wörld").unwrap();
        assert_eq!(c.at(b), 6);
        let b2 = t.find("ok").unwrap();
        assert_eq!(c.at(b2), t[..b2].chars().count());
    }
}
