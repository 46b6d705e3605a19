//! Page furniture in pasted essays: the text a website or word processor adds
//! around an essay and a user copies with it.
//!
//! Essay sites add word and page counts ("1656 Words7 Pages"), buttons ("Open
//! Document", "Continue reading", "Download"), links to the same essay ("More
//! about `<title>`") and cut markers ("... middle of paper ..."); documents add
//! page numbers and running headers. None of it is a sentence of the essay, so
//! [`furniture_spans`] finds it for the stages that read sentences to skip.
//!
//! Everything but the cut marker is a whole line, and each rule is strict
//! enough that a line of prose never matches: button texts must be the whole
//! line, counts may hold only numbers and count words, and a repeated line
//! counts as a header only when it is short, has no sentence punctuation and
//! recurs in a long text.

use std::collections::HashMap;
use std::ops::Range;

/// Button and link texts that make up a whole line (compared in lower case,
/// without trailing dots, arrows or ellipses).
const BUTTONS: &[&str] = &[
    "continue reading",
    "download",
    "download essay",
    "download pdf",
    "open document",
    "read full document",
    "read full essay",
    "read more",
    "show less",
    "show more",
    "sign up to view the full document",
    "sign up to view the full essay",
    "sign up to view the full version",
    "view full document",
    "view full essay",
];

/// Words a count line may hold besides numbers ("1,234 words", "Page 3 of 5").
const COUNT_WORDS: &[&str] = &["word", "words", "page", "pages", "of", "count", "length"];

/// How many times a short line must recur to be a running header or footer,
/// and how many lines the text needs for that rule to apply.
const HEADER_REPEATS: usize = 3;
const HEADER_MIN_LINES: usize = 30;

/// Whether a trimmed line is a word/page count or a page number.
fn is_count(line: &str) -> bool {
    let mut number = false;
    let mut counted = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            let n = rest
                .find(|ch: char| !(ch.is_ascii_digit() || ch == ','))
                .unwrap_or(rest.len());
            number = true;
            rest = &rest[n..];
        } else if c.is_alphabetic() {
            let n = rest
                .find(|ch: char| !ch.is_alphabetic())
                .unwrap_or(rest.len());
            let w = &rest[..n];
            // ASCII words (nearly all) need no lower-case copy.
            let (known, of) = if w.is_ascii() {
                let eq = |c: &&str| c.eq_ignore_ascii_case(w);
                (COUNT_WORDS.iter().any(eq), eq(&"of"))
            } else {
                let w = w.to_lowercase();
                (COUNT_WORDS.contains(&w.as_str()), w == "of")
            };
            if !known {
                return false;
            }
            counted |= !of;
            rest = &rest[n..];
        } else if c.is_whitespace() || "|•·-–—/:()".contains(c) {
            rest = &rest[c.len_utf8()..];
        } else {
            return false;
        }
    }
    // A page number alone: one number of at most four digits ("12", "- 12 -").
    let bare = || {
        let digits = line.trim_matches(|c: char| c.is_whitespace() || "-–—".contains(c));
        digits.len() <= 4 && digits.bytes().all(|b| b.is_ascii_digit())
    };
    number && (counted || bare())
}

/// Whether a trimmed line is a button or a "More about <title>" link.
fn is_button(line: &str) -> bool {
    // Every button and "more about" starts with one of these letters; an
    // ASCII first char is its own lower case (a few others lower to ASCII).
    if line.chars().next().is_some_and(|c| {
        c.is_ascii()
            && !matches!(
                c.to_ascii_lowercase(),
                'c' | 'd' | 'm' | 'o' | 'r' | 's' | 'v'
            )
    }) {
        return false;
    }
    let t = line
        .trim_end_matches(|c: char| c.is_whitespace() || ".…›»→>".contains(c))
        .to_lowercase();
    if BUTTONS.contains(&t.as_str()) {
        return true;
    }
    // "More about <title>": a title has no sentence punctuation at its end.
    t.strip_prefix("more about ").is_some_and(|title| {
        !title.is_empty()
            && title.split_whitespace().count() <= 15
            && !line.trim_end().ends_with(['.', '!', '?'])
    })
}

/// The phrase of a cut marker, in lower case.
const CUT_PHRASE: &str = "middle of paper";

/// "... middle of paper ..." inside a line: the phrase with the standalone
/// dots or ellipses around it.
fn cut_markers(text: &str, out: &mut Vec<Range<usize>>) {
    const PHRASE: &str = CUT_PHRASE;
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(p) = lower[from..].find(PHRASE).map(|p| p + from) {
        let mut start = p;
        let mut end = p + PHRASE.len();
        from = end;
        // Back over spaces and a dot run that stands alone (not "word...").
        let head = text[..start].trim_end_matches([' ', '\t']);
        let dots = head.trim_end_matches(['.', '…']);
        if dots.len() < head.len() && none_or_space(dots.chars().next_back()) {
            start = dots.len();
        }
        let tail = &text[end..];
        let tail_t = tail.trim_start_matches([' ', '\t']);
        let after = tail_t.trim_start_matches(['.', '…']);
        if after.len() < tail_t.len() && none_or_space(after.chars().next()) {
            end = text.len() - after.len();
        }
        out.push(start..end);
    }
}

fn none_or_space(c: Option<char>) -> bool {
    c.is_none_or(char::is_whitespace)
}

/// Byte ranges of page furniture in `text` (a whole essay as pasted): word/page counts
/// ("1656 Words7 Pages", "1,234 words", "Page 3 of 5", a line holding only a page number),
/// "Open Document", "More about `<title>`" lines, "... middle of paper ..." (also inside a line),
/// "Continue reading", "Show more", "Download", "Read full essay", "Sign up to view the full
/// document", running headers/footers (the same short line repeated 3+ times in a long text).
/// Each range is trimmed of whitespace. Never a sentence of real prose.
///
/// The ranges are ascending and do not overlap.
pub fn furniture_spans(text: &str) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if !t.is_empty() {
            let start = pos + line.len() - line.trim_start().len();
            lines.push(start..start + t.len());
        }
        pos += line.len();
    }
    // Running headers: the same short line (digits aside, for page numbers).
    let key = |r: &Range<usize>| -> Option<String> {
        let t = &text[r.clone()];
        let short = t.len() <= 80 && t.split_whitespace().count() <= 10;
        let plain =
            !t.ends_with(['.', '!', '?', ':', ',', ';']) && t.chars().any(char::is_alphabetic);
        (short && plain).then(|| {
            t.chars()
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect()
        })
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    let headers = lines.len() >= HEADER_MIN_LINES;
    if headers {
        for r in &lines {
            if let Some(k) = key(r) {
                *counts.entry(k).or_default() += 1;
            }
        }
    }
    // Most texts hold no cut marker: one test of the whole text (an ASCII
    // lower case keeps byte offsets) spares each line its lower-case copy.
    let cuts = super::any_pair(text.as_bytes(), |p, c| {
        (p | 0x20 == b'd') & (c | 0x20 == b'l')
    }) && text.to_ascii_lowercase().contains(CUT_PHRASE);
    let mut out = Vec::new();
    for r in &lines {
        let t = &text[r.clone()];
        let header =
            headers && key(r).is_some_and(|k| counts.get(&k).is_some_and(|&n| n >= HEADER_REPEATS));
        if is_count(t) || is_button(t) || header {
            out.push(r.clone());
        } else if cuts {
            let mut inner = Vec::new();
            cut_markers(t, &mut inner);
            out.extend(
                inner
                    .into_iter()
                    .map(|m| r.start + m.start..r.start + m.end),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::cite::{citations, match_reference, reference_entries, references_start};

    fn spans(t: &str) -> Vec<&str> {
        furniture_spans(t).into_iter().map(|r| &t[r]).collect()
    }

    /// An essay pasted from an essay site, in the seed essay's shape: title,
    /// counts, one long paragraph cut in the middle with the bibliography run
    /// on after the cut, then the site's links.
    const PASTED: &str = "Canals and the Making of Mill Towns\n\n\
        2210 Words9 Pages\n\
        Canals reshaped the northern towns within a generation. Freight that once took a week now took two days, \
        and the mills grew around the wharves (Ward 2002, 17). By 1840 the old \
        market squa... ... middle of paper ... ...ilway towns of the north. Leeds: Northgate Press. \
        Abbott, K. Lane, and Rosa M. Ferreira. 1997. \"Grain and Power: A First Look at the Records.\" Rural History Review 211-240. \
        Hollis, Peter. 1985. \"Canals.\" Online Atlas of Rivers. Accessed June 3, 2016. \
        Okafor, Grace. 2008. \"Locks and Labour\" . March 4-5. Accessed May 07, 2014. \
        Pryce, Alan. 1994. \"Water Rights in Court.\" The Journal of Local Law 301-322. \
        Ward, Nina. 2002. Mill Towns under Strain : Labour and Protest. Leeds: Northgate Press.\n\n    \
        More about Canals and the Making of Mill Towns\n\n      \
        Open Document";

    #[test]
    fn a_pasted_essay() {
        assert_eq!(
            spans(PASTED),
            [
                "2210 Words9 Pages",
                "... middle of paper ...",
                "More about Canals and the Making of Mill Towns",
                "Open Document",
            ]
        );
        let para = crate::segment::paragraphs(PASTED)
            .into_iter()
            .find(|p| PASTED[p.clone()].starts_with("Canals reshaped"))
            .unwrap();
        let block = &PASTED[para];
        let start = references_start(block).unwrap();
        assert!(block[start..].starts_with("...ilway towns of the north."));
        let refs = &block[start..];
        let entries: Vec<&str> = reference_entries(refs)
            .into_iter()
            .map(|r| &refs[r])
            .collect();
        assert_eq!(entries.len(), 6);
        assert_eq!(
            entries[0],
            "...ilway towns of the north. Leeds: Northgate Press."
        );
        assert!(entries[5].starts_with("Ward, Nina. 2002."));
        let prose = &block[..start];
        let cited: Vec<&str> = citations(prose).into_iter().map(|r| &prose[r]).collect();
        assert_eq!(cited, ["(Ward 2002, 17)"]);
        assert_eq!(match_reference(cited[0], &entries), Some(5));
    }

    #[test]
    fn counts_and_page_numbers() {
        for line in [
            "1656 Words7 Pages",
            "1,234 words",
            "Word count: 980",
            "Page 3 of 5",
            "3 | Page",
            "12",
            "- 4 -",
        ] {
            assert_eq!(
                spans(&format!("Some prose here.\n{line}\nMore prose.")),
                [line],
                "{line}"
            );
        }
        for line in [
            "In 1990 there were 300 words.",
            "3/5/20",
            "2 of them",
            "Words matter",
            "12345",
        ] {
            assert!(spans(line).is_empty(), "{line}");
        }
    }

    #[test]
    fn buttons_and_links() {
        for line in [
            "Open Document",
            "Continue reading...",
            "Continue Reading →",
            "Show more",
            "Show More",
            "Download",
            "Read Full Essay",
            "Sign up to view the full document.",
            "More about Why Cities Need Trees",
        ] {
            assert_eq!(
                spans(&format!("Prose.\n  {line}  \nProse.")),
                [line],
                "{line}"
            );
        }
        for line in [
            "Open the document and read it.",
            "I want to download music.",
            "More about this later.",
            "Show more kindness to others",
        ] {
            assert!(spans(line).is_empty(), "{line}");
        }
    }

    #[test]
    fn cut_marker_inside_a_line() {
        let t = "It grew fa... ... middle of paper ... ...nd so it ended.";
        assert_eq!(spans(t), ["... middle of paper ..."]);
        let t = "It grew … middle of paper … and so it ended.";
        assert_eq!(spans(t), ["… middle of paper …"]);
    }

    #[test]
    fn running_headers_in_a_long_text() {
        let mut t = String::new();
        for page in 1..=4 {
            t.push_str(&format!("Trees in Cities {page}\n"));
            for k in 0..10 {
                t.push_str(&format!("Line {k} of the essay says something true.\n"));
            }
        }
        let s = spans(&t);
        assert_eq!(
            s,
            [
                "Trees in Cities 1",
                "Trees in Cities 2",
                "Trees in Cities 3",
                "Trees in Cities 4"
            ]
        );
        // The same text short: no headers.
        let short: String = t.lines().take(12).map(|l| format!("{l}\n")).collect();
        assert!(spans(&short).is_empty());
    }

    #[test]
    fn prose_is_never_furniture() {
        let t = "Trees cool streets. Download speeds matter less than shade.\n\nPage after page, \
            the report says the same: 1,234 trees were planted.";
        assert!(spans(t).is_empty());
        assert!(spans("").is_empty());
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #[test]
        fn never_panics_and_ranges_are_sound(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("\\PC{0,12}").unwrap(),
                    proptest::sample::select(vec![
                        "\n", " ", "12", "Words", "Pages", "...", "…", "middle of paper", "Open Document",
                        "More about ", "Page 3 of 5", "é", "\r\n", "- 4 -",
                    ]).prop_map(String::from),
                ],
                0..60,
            )
        ) {
            let s: String = parts.concat();
            let mut last = 0;
            for r in furniture_spans(&s) {
                proptest::prop_assert!(r.start >= last && r.start < r.end && r.end <= s.len());
                proptest::prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
                proptest::prop_assert_eq!(s[r.clone()].trim(), &s[r.clone()]);
                last = r.end;
            }
        }
    }
}
