//! Rule-based English sentence boundary detection.
//!
//! Provisional: splits after `.`, `!` or `?` followed by whitespace. The full
//! rule set (abbreviations, citations, lists, ...) replaces it.

use super::Segmenter;
use std::ops::Range;

/// The default rule-based segmenter.
#[derive(Debug, Clone, Default)]
pub struct RuleSegmenter {}

impl Segmenter for RuleSegmenter {
    fn split(&self, p: &str, out: &mut Vec<Range<usize>>) {
        let b = p.as_bytes();
        let mut start = 0;
        let mut i = 0;
        while i < b.len() {
            if matches!(b[i], b'.' | b'!' | b'?')
                && b.get(i + 1).is_some_and(|c| c.is_ascii_whitespace())
            {
                push_trimmed(p, start, i + 1, out);
                start = i + 1;
            }
            i += 1;
        }
        push_trimmed(p, start, b.len(), out);
    }
}

fn push_trimmed(p: &str, s: usize, e: usize, out: &mut Vec<Range<usize>>) {
    let seg = &p[s..e];
    let t = seg.trim_start();
    let s2 = s + seg.len() - t.len();
    let t = t.trim_end();
    if !t.is_empty() {
        out.push(s2..s2 + t.len());
    }
}
