//! Stage 1: text -> [`Document`] (paragraphs and sentences with offsets).
//!
//! Paragraphs are runs of non-blank lines: any line holding only whitespace
//! (spaces, tabs, `\r`, no-break spaces) separates paragraphs; a single line
//! break does not. A [`Segmenter`] then splits each paragraph into sentences, so
//! no sentence ever crosses a paragraph boundary.
//!
//! Segmentation never fails: any string, even an empty one, gives a valid
//! document.

mod abbreviations;
pub mod breaks;
mod rules;

pub use rules::RuleSegmenter;

use crate::document::{CharCounter, Document, Paragraph, Sentence};
use std::ops::Range;

/// Splits one paragraph into sentences.
pub trait Segmenter: Send + Sync {
    /// Pushes onto `out` the byte ranges of the sentences of `paragraph`, in order,
    /// non-overlapping, each trimmed of surrounding whitespace and non-empty, and
    /// together covering every non-whitespace character of `paragraph`.
    fn split(&self, paragraph: &str, out: &mut Vec<Range<usize>>);
}

/// Byte ranges of the paragraphs of `text`, trimmed of surrounding whitespace.
pub fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if let Some(s) = start.take() {
                out.push(s..end);
            }
        } else {
            let lead = line.len() - line.trim_start().len();
            if start.is_none() {
                start = Some(pos + lead);
            }
            end = pos + lead + trimmed.len();
        }
        pos += line.len();
    }
    if let Some(s) = start {
        out.push(s..end);
    }
    out
}

/// Segments `text` into a document, finding paragraphs at blank lines.
pub fn document(
    segmenter: &dyn Segmenter,
    id: Option<String>,
    title: Option<String>,
    text: String,
) -> Document {
    let paras = paragraphs(&text);
    document_with_paragraphs(segmenter, id, title, text, &paras)
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
    let mut chars = CharCounter::new(&text);
    let mut paragraphs = Vec::with_capacity(paragraph_bytes.len());
    let mut sentences = Vec::new();
    let mut ranges = Vec::new();
    let mut last_end = 0;
    for r in paragraph_bytes {
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
        segmenter.split(ptext, &mut ranges);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_separate_paragraphs() {
        let t = "One. Two.\nStill one.\n \t\n\u{a0}\r\nThree.\r\n\r\nFour";
        let p: Vec<&str> = paragraphs(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(p, ["One. Two.\nStill one.", "Three.", "Four"]);
    }

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
