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

/// Every sentence of `p`'s document lies in its paragraph, in order, and
/// together they hold every non-whitespace character once; citations lie in
/// their sentence and point at references.
fn check_document(p: &str) -> Result<(), TestCaseError> {
    let d = segment::document(&RuleSegmenter::default(), None, None, p.to_string());
    let mut last = 0;
    for s in &d.sentences {
        let para = &d.paragraphs[s.paragraph];
        prop_assert!(para.bytes.start <= s.bytes.start && s.bytes.end <= para.bytes.end);
        prop_assert!(s.bytes.start >= last);
        prop_assert_eq!(&p[s.bytes.clone()], s.text.as_str());
        prop_assert!(!s.text.is_empty());
        last = s.bytes.end;
        for c in &s.citations {
            prop_assert!(s.start <= c.start && c.end <= s.end);
            if let Some(r) = c.reference {
                prop_assert_eq!(d.sentences[r].kind, essaymap::document::Kind::Reference);
            }
        }
    }
    let covered: usize = d
        .sentences
        .iter()
        .map(|s| s.text.chars().filter(|c| !c.is_whitespace()).count())
        .sum();
    prop_assert_eq!(covered, p.chars().filter(|c| !c.is_whitespace()).count());
    Ok(())
}

/// Texts pasted the ways people paste them: prose run on or broken by single
/// and blank lines and indents, with headings, list items, citations,
/// bibliography entries and page furniture.
fn pasted() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "Phones distract pupils in every lesson.",
        "For example, a survey found that most teachers lose ten minutes (Smith 2010, 4).",
        "Critics say otherwise [3].",
        "Ibid., 45.",
        "It was the end.\u{b9}",
        "Should schools ban phones?",
        "In conclusion, phones should stay in lockers",
        "1656 Words7 Pages",
        "Open Document",
        "More about Phones in School",
        "... middle of paper ...",
        "...ool life. Leeds: Northgate Press.",
        "Works Cited",
        "Smith, J. (2010). Phones and pupils. Leeds: Northgate Press.",
        "Lee, Ann. 1998. \"Schools.\" The Journal 1-20. Accessed May 07, 2014.",
        "# The Case Against Phones",
        "The Case Against Phones",
        "- they ring",
        "2. they tempt",
        "\u{a0}é漢 (Müller 2001)",
        "3",
    ]);
    let sep = prop::sample::select(vec![" ", "\n", "\n\n", "\n    ", "\r\n", "\t"]);
    prop::collection::vec((piece, sep), 0..40).prop_map(|parts| {
        parts
            .into_iter()
            .flat_map(|(p, s)| [p, s])
            .collect::<String>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn pasted_text_is_covered_once(p in pasted()) {
        check_document(&p)?;
    }

    #[test]
    fn split_is_a_trimmed_cover(p in any_text()) {
        let mut out = Vec::new();
        RuleSegmenter::default().split(&p, &mut out);
        check(&p, &out)?;
    }

    #[test]
    fn document_sentences_stay_in_paragraphs(p in any_text()) {
        check_document(&p)?;
    }
}
