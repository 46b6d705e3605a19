//! Word-level views of a sentence that the link and stance features need:
//! lower-cased word tokens, crude stems of content words, and the opening words.
//!
//! Deliberately tiny and dependency-free: the features only ask "do these two
//! sentences share content words?" and "how does this sentence open?", for which
//! a suffix-stripping stemmer and a stop-word list are enough, and the linker must
//! not depend on the role classifier's feature code (which may change under it).

use std::collections::HashSet;

/// Function words ignored when measuring lexical overlap.
const STOP: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "because",
    "been", "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have",
    "he", "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "may", "me",
    "might", "more", "most", "much", "must", "my", "no", "not", "of", "on", "one", "or", "other",
    "our", "own", "people", "she", "should", "so", "some", "such", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "thing", "things", "this", "those", "to", "too",
    "us", "very", "was", "way", "we", "were", "what", "when", "which", "while", "who", "will",
    "with", "would", "you", "your",
];

/// Lower-cased word tokens of `s` (letters, digits and inner apostrophes).
pub(crate) fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() || (c == '\'' || c == '’') && !cur.is_empty() {
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    for w in &mut out {
        // "students'" and "students’" -> "students"; keep "don't".
        while w.ends_with('\'') || w.ends_with('’') {
            w.pop();
        }
    }
    out
}

/// A crude stem: strips common inflectional and derivational suffixes so that
/// "technology"/"technological" or "children"/"child" meet.
pub(crate) fn stem(w: &str) -> &str {
    const SUFFIXES: &[&str] = &[
        "ational", "ization", "fulness", "ousness", "ically", "ations", "ation", "ments", "ment",
        "ities", "ity", "ness", "ical", "ings", "ing", "ies", "ied", "ers", "ren", "ed", "es",
        "er", "ly", "al", "s", "y", "e",
    ];
    for suf in SUFFIXES {
        if let Some(stemmed) = w.strip_suffix(suf) {
            if stemmed.chars().count() >= 3 {
                return stemmed;
            }
        }
    }
    w
}

/// The token view of one sentence, computed once per document.
#[derive(Debug, Clone, Default)]
pub(crate) struct SentText {
    /// All word tokens, lower-cased.
    pub words: Vec<String>,
    /// Stems of content words (no stop words, no one-letter tokens).
    pub stems: HashSet<String>,
}

impl SentText {
    pub(crate) fn new(s: &str) -> Self {
        let words = words(s);
        let stems = words
            .iter()
            .filter(|w| w.chars().count() > 2 && !STOP.contains(&w.as_str()))
            .map(|w| stem(w).to_string())
            .collect();
        SentText { words, stems }
    }

    /// The first `n` words joined by spaces (fewer if the sentence is shorter).
    pub(crate) fn opening(&self, n: usize) -> String {
        self.words
            .iter()
            .take(n)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether the sentence contains the word sequence `phrase` (space-separated).
    pub(crate) fn contains_phrase(&self, phrase: &str) -> bool {
        let p: Vec<&str> = phrase.split(' ').collect();
        !p.is_empty()
            && self
                .words
                .windows(p.len())
                .any(|w| w.iter().zip(&p).all(|(a, b)| a == b))
    }

    /// Whether the sentence opens with the word sequence `phrase`.
    pub(crate) fn starts_with_phrase(&self, phrase: &str) -> bool {
        let mut it = self.words.iter();
        phrase.split(' ').all(|p| it.next().is_some_and(|w| w == p))
    }
}

/// Shared content stems of two sentences and the Jaccard overlap.
pub(crate) fn overlap(a: &SentText, b: &SentText) -> (usize, f32) {
    let shared = a.stems.intersection(&b.stems).count();
    let union = a.stems.len() + b.stems.len() - shared;
    let jac = if union == 0 {
        0.0
    } else {
        shared as f32 / union as f32
    };
    (shared, jac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercased_and_apostrophes_kept_inside() {
        assert_eq!(
            words("Students' phones don't HELP, e.g. 40 times!"),
            ["students", "phones", "don't", "help", "e", "g", "40", "times"]
        );
    }

    #[test]
    fn stems_meet_across_inflections() {
        assert_eq!(stem("technologies"), stem("technology"));
        assert_eq!(stem("distracted"), stem("distracting"));
        assert_eq!(stem("cat"), "cat");
    }

    #[test]
    fn overlap_ignores_stop_words() {
        let a = SentText::new("The school banned the phones.");
        let b = SentText::new("The phone is in the schools.");
        let (shared, jac) = overlap(&a, &b);
        assert_eq!(shared, 2);
        assert!(jac > 0.5);
        assert!(a.starts_with_phrase("the school"));
        assert!(b.contains_phrase("in the"));
        assert!(!b.starts_with_phrase("in the"));
    }
}
