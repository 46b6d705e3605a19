//! Reader for the annotated-corpus JSONL format (AAE and PERSUADE, see
//! `../shared/data/*/README.md`): essay text, paragraphs and gold components with
//! code-point offsets, plus (AAE) support/attack relations.
//!
//! Gold is projected onto our own sentences, so training and evaluation see the
//! segmentation the product uses:
//! - a sentence's gold label is the type of the component covering most of its
//!   characters (MajorClaim, Claim, Position, Counterclaim, Rebuttal -> claim;
//!   Premise, Evidence -> evidence; anything else or nothing -> other), and an
//!   `other` sentence ending in `?` is a question;
//! - thesis sentences are those whose chosen component is a MajorClaim or Position;
//! - a component belongs to the sentence holding most of its characters, and a
//!   component relation becomes a relation between those sentences.

use crate::document::{Document, Label};
use crate::error::{Error, Result};
use crate::segment::{self, Segmenter};
use crate::text::ends_with_question;
use serde::Deserialize;
use std::io::BufRead;
use std::ops::Range;
use std::path::Path;

/// A gold component type of either corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum ComponentType {
    /// AAE: the essay's standpoint.
    MajorClaim,
    /// AAE and PERSUADE: a claim.
    Claim,
    /// AAE: a premise.
    Premise,
    /// PERSUADE: the essay's position (thesis).
    Position,
    /// PERSUADE: a claim against the position.
    Counterclaim,
    /// PERSUADE: a claim answering a counterclaim.
    Rebuttal,
    /// PERSUADE: evidence.
    Evidence,
    /// PERSUADE: the introduction's hook.
    Lead,
    /// PERSUADE: the closing restatement.
    #[serde(rename = "Concluding Statement")]
    ConcludingStatement,
}

impl ComponentType {
    /// The sentence role this component type maps to.
    pub fn label(self) -> Label {
        use ComponentType::*;
        match self {
            MajorClaim | Claim | Position | Counterclaim | Rebuttal => Label::Claim,
            Premise | Evidence => Label::Evidence,
            Lead | ConcludingStatement => Label::Other,
        }
    }

    /// Whether this component states the essay's thesis.
    pub fn is_thesis(self) -> bool {
        matches!(self, ComponentType::MajorClaim | ComponentType::Position)
    }
}

/// Stance of a claim towards the essay's thesis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum Stance {
    /// Argues for the thesis.
    For,
    /// Argues against it (a counter-argument).
    Against,
}

/// Relation type between two components.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GoldRelation {
    /// Source supports target.
    Supports,
    /// Source attacks target.
    Attacks,
}

#[derive(Debug, Deserialize)]
struct RawComponent {
    id: String,
    #[serde(rename = "type")]
    kind: ComponentType,
    start: usize,
    end: usize,
    #[serde(default)]
    stance: Option<Stance>,
}

#[derive(Debug, Deserialize)]
struct RawRelation {
    source: String,
    target: String,
    #[serde(rename = "type")]
    kind: GoldRelation,
}

#[derive(Debug, Deserialize)]
struct RawEssay {
    id: String,
    #[serde(default)]
    title: Option<String>,
    text: String,
    #[serde(default)]
    paragraphs: Vec<(usize, usize)>,
    #[serde(default)]
    components: Vec<RawComponent>,
    #[serde(default)]
    relations: Vec<RawRelation>,
}

/// Gold annotation of one sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldSentence {
    /// Gold role.
    pub label: Label,
    /// Whether it states the thesis.
    pub thesis: bool,
    /// The component type covering most of it, if any.
    pub component: Option<ComponentType>,
    /// Stance of that component (AAE claims; PERSUADE Counterclaim is Against,
    /// other claim types For).
    pub stance: Option<Stance>,
}

/// A sentence-level gold relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GoldLink {
    /// Source sentence index.
    pub source: usize,
    /// Target sentence index.
    pub target: usize,
    /// Relation type.
    pub relation: GoldRelation,
}

/// A gold component and the sentence holding most of its characters (its
/// *home*, the sentence its relations are projected onto).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoldComponent {
    /// Component type.
    pub kind: ComponentType,
    /// Index of its home sentence, if it overlaps any.
    pub home: Option<usize>,
}

/// An essay with gold annotation projected onto its sentences.
#[derive(Debug, Clone)]
pub struct AnnotatedEssay {
    /// The segmented essay (no predictions).
    pub doc: Document,
    /// Gold per sentence, parallel to `doc.sentences`.
    pub gold: Vec<GoldSentence>,
    /// Gold relations between sentences (AAE only), deduplicated, no self-links.
    pub links: Vec<GoldLink>,
    /// Every gold component in text order, with its home sentence.
    pub components: Vec<GoldComponent>,
}

/// How a model's provenance names an annotated file: its folder and file
/// name ("aae/train.jsonl"), without the rest of the path.
pub fn file_label(p: &Path) -> String {
    let parent = p
        .parent()
        .and_then(|d| d.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = p
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if parent.is_empty() {
        file
    } else {
        format!("{parent}/{file}")
    }
}

/// Reads every essay of an annotated JSONL file.
///
/// # Errors
/// Fails on an unreadable file or a malformed line, naming the line.
pub fn read_file(path: &Path, segmenter: &dyn Segmenter) -> Result<Vec<AnnotatedEssay>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| Error::io(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let raw: RawEssay = serde_json::from_str(&line).map_err(|source| Error::Json {
            what: path.display().to_string(),
            line: i + 1,
            source,
        })?;
        out.push(annotate(raw, segmenter));
    }
    Ok(out)
}

/// Byte offset of every code-point offset (index = code-point offset).
fn char_to_byte(text: &str) -> Vec<usize> {
    let mut v: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    v.push(text.len());
    v
}

fn overlap(a: &Range<usize>, b: &Range<usize>) -> usize {
    a.end.min(b.end).saturating_sub(a.start.max(b.start))
}

fn annotate(raw: RawEssay, segmenter: &dyn Segmenter) -> AnnotatedEssay {
    let c2b = char_to_byte(&raw.text);
    let byte = |c: usize| c2b.get(c).copied().unwrap_or(raw.text.len());
    let paras: Vec<Range<usize>> = raw
        .paragraphs
        .iter()
        .map(|&(s, e)| byte(s)..byte(e))
        .collect();
    let comps: Vec<(Range<usize>, &RawComponent)> = raw
        .components
        .iter()
        .map(|c| (byte(c.start)..byte(c.end), c))
        .collect();
    // Without paragraphs in the file, the text is read as a user's text is.
    let (id, title, text) = (Some(raw.id.clone()), raw.title.clone(), raw.text.clone());
    let doc = if paras.is_empty() {
        segment::document(segmenter, id, title, text)
    } else {
        segment::document_with_paragraphs(segmenter, id, title, text, &paras)
    };
    let gold = doc
        .sentences
        .iter()
        .map(|s| {
            let best = comps
                .iter()
                .map(|(r, c)| (overlap(r, &s.bytes), c))
                .filter(|(o, _)| *o > 0)
                .max_by_key(|(o, _)| *o)
                .map(|(_, c)| *c);
            let component = best.map(|c| c.kind);
            let mut label = component.map_or(Label::Other, ComponentType::label);
            if label == Label::Other && ends_with_question(&s.text) {
                label = Label::Question;
            }
            let stance = best.and_then(|c| match c.kind {
                ComponentType::Counterclaim => Some(Stance::Against),
                ComponentType::Claim | ComponentType::Rebuttal | ComponentType::Position => {
                    c.stance.or(Some(Stance::For))
                }
                _ => c.stance,
            });
            GoldSentence {
                label,
                thesis: component.is_some_and(ComponentType::is_thesis),
                component,
                stance,
            }
        })
        .collect();
    // The sentence holding most of each component's characters.
    let home = |r: &Range<usize>| {
        doc.sentences
            .iter()
            .map(|s| (overlap(r, &s.bytes), s.index))
            .filter(|(o, _)| *o > 0)
            .max_by_key(|(o, _)| *o)
            .map(|(_, i)| i)
    };
    let mut links = Vec::new();
    for rel in &raw.relations {
        let find = |id: &str| comps.iter().find(|(_, c)| c.id == id).map(|(r, _)| r);
        let (Some(a), Some(b)) = (find(&rel.source), find(&rel.target)) else {
            continue;
        };
        if let (Some(s), Some(t)) = (home(a), home(b)) {
            let l = GoldLink {
                source: s,
                target: t,
                relation: rel.kind,
            };
            if s != t && !links.iter().any(|x: &GoldLink| x.source == s) {
                links.push(l);
            }
        }
    }
    let components = comps
        .iter()
        .map(|(r, c)| GoldComponent {
            kind: c.kind,
            home: home(r),
        })
        .collect();
    AnnotatedEssay {
        doc,
        gold,
        links,
        components,
    }
}

/// Reads an annotated file and keeps a seeded random `max` of its essays (in
/// their file order), or all of them without `max`.
///
/// # Errors
/// As [`read_file`].
pub fn read_sampled(
    path: &Path,
    segmenter: &dyn Segmenter,
    max: Option<usize>,
    seed: u64,
) -> Result<Vec<AnnotatedEssay>> {
    let mut essays = read_file(path, segmenter)?;
    if let Some(max) = max {
        sample(&mut essays, max, seed);
    }
    Ok(essays)
}

/// Keeps a seeded random `max` of `items` (in their original order).
fn sample<T>(items: &mut Vec<T>, max: usize, seed: u64) {
    if items.len() <= max {
        return;
    }
    let mut keyed: Vec<(u64, usize)> = (0..items.len())
        .map(|i| {
            let mut z = seed ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31), i)
        })
        .collect();
    keyed.sort_unstable();
    let mut keep = vec![false; items.len()];
    for &(_, i) in keyed.iter().take(max) {
        keep[i] = true;
    }
    let mut i = 0;
    items.retain(|_| {
        let k = keep[i];
        i += 1;
        k
    });
}

/// The document with gold roles and gold thesis flags set.
pub fn gold_document(e: &AnnotatedEssay) -> Document {
    let mut d = e.doc.clone();
    for (s, g) in d.sentences.iter_mut().zip(&e.gold) {
        s.label = Some(g.label);
        s.thesis = Some(g.thesis);
        s.confidence = None;
        s.scores = None;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::RuleSegmenter;

    #[test]
    fn projects_components_onto_sentences() {
        let line = r#"{"id":"x","title":"Is tea good?","text":"Tea is good for you. It has antioxidants, says a study.\n\nWhy not? Drink it.","paragraphs":[[0,56],[58,76]],
          "components":[{"id":"T1","type":"MajorClaim","start":0,"end":19,"stance":null},
                        {"id":"T2","type":"Premise","start":21,"end":55,"stance":null}],
          "relations":[{"source":"T2","target":"T1","type":"supports"}]}"#;
        let raw: RawEssay = serde_json::from_str(line).unwrap();
        let e = annotate(raw, &RuleSegmenter::default());
        let labels: Vec<Label> = e.gold.iter().map(|g| g.label).collect();
        assert_eq!(
            labels,
            [Label::Claim, Label::Evidence, Label::Question, Label::Other]
        );
        assert!(e.gold[0].thesis && !e.gold[1].thesis);
        assert_eq!(
            e.links,
            [GoldLink {
                source: 1,
                target: 0,
                relation: GoldRelation::Supports
            }]
        );
    }
}
