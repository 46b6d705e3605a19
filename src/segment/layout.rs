//! Layout recovery: which line breaks of a pasted text end a paragraph.
//!
//! Essays reach us laid out in many ways: paragraphs between blank lines (the
//! training corpora), one paragraph per line (word processors, web forms),
//! lines hard-wrapped at 70-80 columns with or without blank lines between
//! paragraphs, indented first lines, headings and lists. A blank line always
//! ends a paragraph. A single line break is judged from the text's own habits:
//!
//! - when most lines that run on into another line are about as long as the
//!   longest such line, the text is hard-wrapped at that width, and a break is
//!   a paragraph's end only where the next line's first word would have fitted
//!   on the line (a wrapping editor would have put it there), or where the next
//!   line is indented further than the text's other lines (a first-line indent);
//! - otherwise every line is a paragraph, except a line that stops without
//!   final punctuation before a lower-case word (a sentence broken by hand);
//! - in either case a list item (`- `, `• `, `1. `, `a) `) starts a unit of its
//!   own, and so does a Markdown heading (`# `); a list item's indented
//!   continuation lines stay with it.
//!
//! The result is a list of [`Block`]s, each one unit (paragraph, heading or list
//! item) with the kind it reads as. Line breaks inside a block are wraps: the
//! sentence splitter reads them as spaces.

use super::rules::starts_with_marker;
use crate::document::Kind;
use std::ops::Range;

/// One unit of the text's layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Byte range, trimmed of surrounding whitespace.
    pub bytes: Range<usize>,
    /// What it reads as: prose, a heading or a list item.
    pub kind: Kind,
}

/// One non-blank line.
#[derive(Debug, Clone)]
struct Line {
    /// Byte range of its text, without indentation and trailing whitespace.
    bytes: Range<usize>,
    /// Columns of indentation (a tab counts 4).
    indent: usize,
    /// Columns in all: indentation plus characters.
    width: usize,
    /// Whether a blank line (or the start of the text) comes before it.
    after_blank: bool,
}

/// Narrowest wrap width recognised: lists and short lines are no wrapping.
const MIN_WRAP: usize = 40;

/// Widest wrap width recognised; lines longer than this are paragraphs.
const MAX_WRAP: usize = 160;

/// The blocks of `text`, in order.
pub fn blocks(text: &str) -> Vec<Block> {
    let lines = lines(text);
    let width = wrap_width(text, &lines);
    // Indentation of the least indented line: more marks a first line.
    let base = lines.iter().map(|l| l.indent).min().unwrap_or(0);
    let mut out = Vec::new();
    let mut start = 0;
    // Indentation of the list marker of the open list item, if any.
    let mut item: Option<usize> = None;
    for i in 0..lines.len() {
        let l = &lines[i];
        if starts_with_marker(text.as_bytes(), l.bytes.start) {
            item = Some(l.indent);
        }
        let Some(n) = lines.get(i + 1) else { break };
        let breaks = n.after_blank || {
            let next_item = starts_with_marker(text.as_bytes(), n.bytes.start);
            let continues_item = item.is_some_and(|ind| n.indent > ind) && !next_item;
            !continues_item
                && (next_item
                    || is_markdown_heading(&text[l.bytes.clone()])
                    || is_markdown_heading(&text[n.bytes.clone()])
                    || paragraph_ends(text, &lines, i, width, base))
        };
        if breaks {
            out.push(block(text, &lines[start..=i]));
            start = i + 1;
            item = None;
        }
    }
    if start < lines.len() {
        out.push(block(text, &lines[start..]));
    }
    out
}

/// The non-blank lines of `text`.
fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut after_blank = true;
    for raw in text.split_inclusive('\n') {
        let content = raw.trim_end();
        let body = content.trim_start();
        if body.is_empty() {
            after_blank = true;
        } else {
            let lead = &content[..content.len() - body.len()];
            let indent = lead.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum();
            let start = pos + lead.len();
            let width = indent
                + if body.is_ascii() {
                    body.len()
                } else {
                    body.chars().count()
                };
            out.push(Line {
                bytes: start..start + body.len(),
                indent,
                width,
                after_blank,
            });
            after_blank = false;
        }
        pos += raw.len();
    }
    out
}

/// The width the text is hard-wrapped at, if it is. A line that runs on into
/// the next is *full* at width W when it fits in W columns and the next line's
/// first word would not have: greedy wrapping at W makes every such line full
/// but a paragraph's last. The W at which the most are full is the wrap width
/// when at least 60% of them are (one paragraph per line gives lines of every
/// length, few of them full at any one W).
fn wrap_width(text: &str, lines: &[Line]) -> Option<usize> {
    let mut full = [0isize; MAX_WRAP + 2];
    let mut inner = 0isize;
    for w in lines.windows(2).filter(|w| !w[1].after_blank) {
        inner += 1;
        let (line, next) = (w[0].width, first_word_width(&text[w[1].bytes.clone()]));
        if line <= MAX_WRAP {
            full[line] += 1;
            full[(line + next + 1).min(MAX_WRAP + 1)] -= 1;
        }
    }
    if inner < 2 {
        return None;
    }
    let (mut best, mut best_count, mut count) = (0, 0, 0);
    for (w, d) in full.iter().enumerate().take(MAX_WRAP + 1) {
        count += d;
        if count > best_count {
            (best, best_count) = (w, count);
        }
    }
    (best >= MIN_WRAP && best_count * 10 >= inner * 6).then_some(best)
}

/// Columns the first word of `line` takes.
fn first_word_width(line: &str) -> usize {
    line.split_whitespace()
        .next()
        .map_or(0, |w| w.chars().count())
}

/// Whether the paragraph ends after line `i` (the next line exists and follows
/// without a blank line).
fn paragraph_ends(text: &str, lines: &[Line], i: usize, width: Option<usize>, base: usize) -> bool {
    let (l, n) = (&lines[i], &lines[i + 1]);
    let next = &text[n.bytes.clone()];
    match width {
        Some(w) => {
            // The first word of the next line would have fitted on this one.
            let word = first_word_width(next);
            l.width + 1 + word <= w || (n.indent > base && n.indent >= 2)
        }
        None => {
            let line = &text[l.bytes.clone()];
            ends_sentence(line) || !next.starts_with(|c: char| c.is_lowercase())
        }
    }
}

/// Whether `line` ends with final punctuation (before closing quotes/brackets).
fn ends_sentence(line: &str) -> bool {
    line.trim_end_matches(['"', '\'', ')', ']', '”', '’', '»'])
        .ends_with(['.', '?', '!', ':', ';', '…'])
}

/// `# Title` to `###### Title`.
fn is_markdown_heading(line: &str) -> bool {
    let rest = line.trim_start_matches('#');
    rest.len() < line.len() && line.len() - rest.len() <= 6 && rest.starts_with([' ', '\t'])
}

/// The block made of `lines`, with its kind.
fn block(text: &str, lines: &[Line]) -> Block {
    let (first, last) = (&lines[0], &lines[lines.len() - 1]);
    let bytes = first.bytes.start..last.bytes.end;
    let body = &text[bytes.clone()];
    let kind = if starts_with_marker(text.as_bytes(), first.bytes.start) {
        Kind::ListItem
    } else if is_markdown_heading(body) || (lines.len() == 1 && is_heading_line(body)) {
        Kind::Heading
    } else {
        Kind::Prose
    };
    Block { bytes, kind }
}

/// Longest heading, in words.
const HEADING_WORDS: usize = 12;

/// Whether a line standing alone reads as a heading: a few words, no final or
/// trailing punctuation, and title case or capitals (a student's sentence
/// that lost its full stop has lower-case words).
fn is_heading_line(line: &str) -> bool {
    let line = line.trim();
    if line.ends_with(['.', '?', '!', ',', ';', ':', '…', '"', '”']) {
        return false;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.is_empty() || words.len() > HEADING_WORDS {
        return false;
    }
    if !words[0].starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()) {
        return false;
    }
    // Short function words ("of", "the", "and") stay lower case in titles.
    let long: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .collect();
    let capital = long
        .iter()
        .filter(|w| w.starts_with(char::is_uppercase))
        .count();
    capital * 10 >= long.len() * 7
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(t: &str) -> Vec<(&str, Kind)> {
        blocks(t)
            .into_iter()
            .map(|b| (&t[b.bytes], b.kind))
            .collect()
    }

    fn texts(t: &str) -> Vec<&str> {
        units(t).into_iter().map(|(s, _)| s).collect()
    }

    const P1: &str = "Many pupils bring phones to school every day, and teachers see the \
        effect in every lesson. I believe that schools should ban phones during lessons.";
    const P2: &str = "Phones distract pupils. For example, a survey found that most \
        teachers lose ten minutes a lesson to phones, and pupils say the same.";
    const P3: &str = "In conclusion, phones should stay in lockers during lessons, where \
        they can do no harm to anyone's learning.";

    /// `p` wrapped greedily at `w` columns.
    fn wrap(p: &str, w: usize) -> String {
        let mut out = String::new();
        let mut col = 0;
        for word in p.split(' ') {
            if col > 0 && col + 1 + word.len() > w {
                out.push('\n');
                col = 0;
            } else if col > 0 {
                out.push(' ');
                col += 1;
            }
            out.push_str(word);
            col += word.len();
        }
        out
    }

    #[test]
    fn blank_lines_separate_paragraphs() {
        let t = "One. Two and\nstill one.\n \t\n\u{a0}\r\nThree.\r\n\r\nFour";
        assert_eq!(texts(t), ["One. Two and\nstill one.", "Three.", "Four"]);
        assert!(blocks("").is_empty());
        assert!(blocks(" \n\n\t").is_empty());
    }

    #[test]
    fn one_paragraph_per_line() {
        let t = format!("{P1}\n{P2}\n{P3}\n");
        assert_eq!(texts(&t), [P1, P2, P3]);
    }

    #[test]
    fn hard_wrapped_paragraphs_with_and_without_blank_lines() {
        for w in [60, 72, 80] {
            let paras = [P1, P2, P3].map(|p| wrap(p, w));
            for sep in ["\n\n", "\n"] {
                let t = paras.join(sep);
                assert_eq!(
                    texts(&t),
                    paras.iter().map(String::as_str).collect::<Vec<_>>(),
                    "width {w} sep {sep:?}"
                );
            }
        }
    }

    #[test]
    fn indented_first_lines_start_paragraphs() {
        let paras = [P1, P2, P3].map(|p| format!("    {}", wrap(p, 70)));
        let t = paras.join("\n");
        let got = texts(&t);
        assert_eq!(got.len(), 3);
        assert!(got[1].starts_with("Phones distract"));
    }

    #[test]
    fn a_sentence_broken_by_hand_stays_one_paragraph() {
        let t = "I think phones should be banned because\nthey distract pupils.\nSecond line here.";
        assert_eq!(
            texts(t),
            [
                "I think phones should be banned because\nthey distract pupils.",
                "Second line here."
            ]
        );
    }

    #[test]
    fn headings_and_lists_are_units_of_their_own() {
        let t = "# Phones in School\nPhones distract pupils in class.\n\
            Three reasons:\n- they ring\n- they tempt\n  even the best pupils\n\
            1. cost\n2. safety\nThe Case Against Phones\nTeachers agree with this.";
        assert_eq!(
            units(t),
            [
                ("# Phones in School", Kind::Heading),
                ("Phones distract pupils in class.", Kind::Prose),
                ("Three reasons:", Kind::Prose),
                ("- they ring", Kind::ListItem),
                ("- they tempt\n  even the best pupils", Kind::ListItem),
                ("1. cost", Kind::ListItem),
                ("2. safety", Kind::ListItem),
                ("The Case Against Phones", Kind::Heading),
                ("Teachers agree with this.", Kind::Prose),
            ]
        );
    }

    #[test]
    fn heading_lines_are_short_title_case_without_final_punctuation() {
        assert!(is_heading_line("Works Cited"));
        assert!(is_heading_line(
            "Inside a Regime: Key Features of the State"
        ));
        assert!(is_heading_line("INTRODUCTION"));
        assert!(!is_heading_line("I think phones should be banned"));
        assert!(!is_heading_line("Should schools ban phones?"));
        assert!(!is_heading_line("Dear Principal,"));
        assert!(!is_heading_line("phones"));
    }
}
