//! Stage 1: text -> [`Document`] (paragraphs and sentences with offsets).
//!
//! First the layout: [`layout`] recovers the text's units (paragraphs,
//! headings, list items) from blank lines, single line breaks, wrapping and
//! indentation, as people paste essays. A [`Segmenter`] then splits each unit
//! into sentences, so no sentence ever crosses a paragraph boundary; line
//! breaks inside a unit are wraps and read as spaces.
//!
//! Segmentation never fails: any string, even an empty one, gives a valid
//! document.

mod abbreviations;
pub mod cite;
pub mod furniture;
pub mod layout;
mod rules;

pub use rules::RuleSegmenter;

use crate::document::{CharCounter, Document, Kind, Paragraph, Sentence};
use layout::{Block, BlockKind};
use std::borrow::Cow;
use std::ops::Range;

/// Splits one paragraph into sentences.
pub trait Segmenter: Send + Sync {
    /// Pushes onto `out` the byte ranges of the sentences of `paragraph`, in order,
    /// non-overlapping, each trimmed of surrounding whitespace and non-empty, and
    /// together covering every non-whitespace character of `paragraph`.
    fn split(&self, paragraph: &str, out: &mut Vec<Range<usize>>);
}

/// Byte ranges of the paragraphs (and other units: headings, list items) of
/// `text`, as [`layout::blocks`] finds them.
pub fn paragraphs(text: &str) -> Vec<Range<usize>> {
    layout::blocks(text).into_iter().map(|b| b.bytes).collect()
}

/// Segments `text` into a document, recovering its layout.
pub fn document(
    segmenter: &dyn Segmenter,
    id: Option<String>,
    title: Option<String>,
    text: String,
) -> Document {
    let blocks = layout::blocks(&text);
    build(segmenter, id, title, text, &blocks)
}

/// Segments `text` into a document with the given paragraph byte ranges (as read
/// from an annotated corpus). Ranges that are out of order, out of bounds or not
/// on char boundaries are skipped.
pub fn document_with_paragraphs(
    segmenter: &dyn Segmenter,
    id: Option<String>,
    title: Option<String>,
    text: String,
    paragraph_bytes: &[Range<usize>],
) -> Document {
    let blocks: Vec<Block> = paragraph_bytes
        .iter()
        .map(|r| Block {
            bytes: r.clone(),
            kind: BlockKind::Prose,
        })
        .collect();
    build(segmenter, id, title, text, &blocks)
}

/// The document of `text` with `blocks` as its paragraphs.
fn build(
    segmenter: &dyn Segmenter,
    id: Option<String>,
    title: Option<String>,
    text: String,
    blocks: &[Block],
) -> Document {
    let mut chars = CharCounter::new(&text);
    let mut paragraphs = Vec::with_capacity(blocks.len());
    let mut sentences = Vec::new();
    let mut ranges = Vec::new();
    let mut last_end = 0;
    for block in blocks {
        let r = &block.bytes;
        let Some(ptext) = text.get(r.clone()) else {
            continue;
        };
        if r.start < last_end || ptext.trim().is_empty() {
            continue;
        }
        last_end = r.end;
        let index = paragraphs.len();
        let pstart = chars.at(r.start);
        ranges.clear();
        segmenter.split(&unwrapped(ptext), &mut ranges);
        let kind = match block.kind {
            BlockKind::Prose => Kind::Prose,
            BlockKind::Heading => Kind::Heading,
            BlockKind::ListItem => Kind::ListItem,
        };
        for (position_in_paragraph, s) in ranges.iter().enumerate() {
            let bytes = r.start + s.start..r.start + s.end;
            let start = chars.at(bytes.start);
            let end = chars.at(bytes.end);
            sentences.push(Sentence {
                index: sentences.len(),
                start,
                end,
                text: ptext[s.clone()].to_string(),
                paragraph: index,
                position_in_paragraph,
                bytes,
                label: None,
                confidence: None,
                scores: None,
                thesis: None,
                kind,
                citations: Vec::new(),
            });
        }
        paragraphs.push(Paragraph {
            index,
            start: pstart,
            end: chars.at(r.end),
            bytes: r.clone(),
        });
    }
    Document {
        id,
        title,
        text,
        paragraphs,
        sentences,
    }
}

/// `unit` with its line breaks read as spaces (the same length, so sentence
/// ranges in it are ranges in `unit`): inside a unit they are wraps, and the
/// sentence rules would take a wrapped line for a heading or list item.
fn unwrapped(unit: &str) -> Cow<'_, str> {
    if unit.contains(['\n', '\r']) {
        Cow::Owned(unit.replace(['\n', '\r'], " "))
    } else {
        Cow::Borrowed(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_text_has_no_paragraphs() {
        assert!(paragraphs("").is_empty());
        assert!(paragraphs(" \n\n\t").is_empty());
        let d = document(&RuleSegmenter::default(), None, None, String::new());
        assert!(d.sentences.is_empty());
    }

    #[test]
    fn offsets_are_code_points() {
        let t = "Café au lait is good. Naïve people agree.\n\nÜber alles.".to_string();
        let d = document(&RuleSegmenter::default(), None, None, t.clone());
        let chars: Vec<char> = t.chars().collect();
        for s in &d.sentences {
            let via_chars: String = chars[s.start..s.end].iter().collect();
            assert_eq!(via_chars, s.text);
            assert_eq!(&t[s.bytes.clone()], s.text);
        }
        assert_eq!(d.sentences[2].paragraph, 1);
        assert_eq!(
            d.paragraphs[1].start,
            t[..t.find("Über").unwrap()].chars().count()
        );
    }
}
