//! Property tests of the rule segmenter on arbitrary Unicode input.
//!
//! Whatever the input (random strings, and strings built from the tokens the
//! rules react to: dots, ellipses, quotes, bullets, enumerators, newlines,
//! multi-byte letters and spaces), `split` must not panic and must return
//! sentences in order, non-overlapping, on char boundaries, trimmed, non-empty
//! and together covering every non-whitespace character; `segment::document`
//! must keep every sentence inside one paragraph.

use essaymap::segment::{self, RuleSegmenter, Segmenter};
use proptest::prelude::*;
use std::ops::Range;

/// Tokens the rules look at, glued together at random.
fn tricky() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        "word",
        "Word",
        "I",
        "a",
        "U.S.",
        "Mr.",
        "e.g.",
        "etc.",
        "p.",
        "No.",
        "N°.",
        "5",
        "10.5",
        "$3.00",
        ".",
        "..",
        "...",
        ". . .",
        "…",
        "?",
        "!",
        "?!",
        "\"",
        "'",
        "“",
        "”",
        "’",
        "(",
        ")",
        "[12]",
        "[",
        "]",
        "•",
        "⁃",
        "-",
        "*",
        "1.",
        "2)",
        "a.",
        "b)",
        "1.)",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\t",
        "\u{a0}",
        "\u{2003}",
        "é",
        "Ünïcödé",
        "漢字",
        "😀",
        "@",
        "/",
        "http://x.io",
        "me@x.org",
        ",",
        ";",
        ":",
    ]);
    prop::collection::vec(tokens, 0..60).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        tricky(),
        any::<String>(),
        "[a-zA-Z0-9 .?!\n…•\"'()\\[\\]é漢\t\u{a0}]{0,120}",
    ]
}

fn check(p: &str, out: &[Range<usize>]) -> Result<(), TestCaseError> {
    let mut last = 0;
    for r in out {
        prop_assert!(r.start >= last, "out of order or overlapping: {out:?}");
        prop_assert!(r.start < r.end, "empty range {r:?}");
        prop_assert!(r.end <= p.len());
        prop_assert!(p.is_char_boundary(r.start) && p.is_char_boundary(r.end));
        let s = &p[r.clone()];
        prop_assert_eq!(s, s.trim(), "untrimmed sentence {:?}", s);
        // Gap since the last sentence holds only whitespace.
        prop_assert!(
            p[last..r.start].trim().is_empty(),
            "uncovered text {:?}",
            &p[last..r.start]
        );
        last = r.end;
    }
    prop_assert!(
        p[last..].trim().is_empty(),
        "uncovered tail {:?}",
        &p[last..]
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn split_is_a_trimmed_cover(p in any_text()) {
        let mut out = Vec::new();
        RuleSegmenter::default().split(&p, &mut out);
        check(&p, &out)?;
    }

    #[test]
    fn document_sentences_stay_in_paragraphs(p in any_text()) {
        let d = segment::document(&RuleSegmenter::default(), None, None, p.clone());
        let mut last = 0;
        for s in &d.sentences {
            let para = &d.paragraphs[s.paragraph];
            prop_assert!(para.bytes.start <= s.bytes.start && s.bytes.end <= para.bytes.end);
            prop_assert!(s.bytes.start >= last);
            prop_assert_eq!(&p[s.bytes.clone()], s.text.as_str());
            prop_assert!(!s.text.is_empty());
            last = s.bytes.end;
        }
        // Every non-whitespace character is in some sentence.
        let covered: usize = d.sentences.iter().map(|s| s.text.chars().filter(|c| !c.is_whitespace()).count()).sum();
        prop_assert_eq!(covered, p.chars().filter(|c| !c.is_whitespace()).count());
    }
}
