//! Word-level views of a sentence that the link and stance features need:
//! lower-cased word tokens, crude stems of content words, and the opening words.
//!
//! Deliberately tiny and dependency-free: the features only ask "do these two
//! sentences share content words?" and "how does this sentence open?", for which
//! a suffix-stripping stemmer and a stop-word list are enough, and the linker must
//! not depend on the role classifier's feature code (which may change under it).

/// Function words ignored when measuring lexical overlap (sorted, for binary search).
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
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() || (c == '\'' || c == '’') && !cur.is_empty() {
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
    /// Hashes of the stems of content words (no stop words, no one- or
    /// two-letter tokens), sorted and deduplicated: overlap is a merge, not a
    /// hash-set probe, and nothing is allocated per stem.
    pub stems: Vec<u64>,
    /// The first one, two and three words joined by spaces.
    openings: [String; 3],
}

/// FNV-1a: stable across runs and platforms, and fast on short words.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl SentText {
    pub(crate) fn new(s: &str) -> Self {
        let words = words(s);
        let mut stems: Vec<u64> = words
            .iter()
            .filter(|w| w.chars().count() > 2 && STOP.binary_search(&w.as_str()).is_err())
            .map(|w| fnv(stem(w)))
            .collect();
        stems.sort_unstable();
        stems.dedup();
        let mut openings: [String; 3] = Default::default();
        for (n, o) in openings.iter_mut().enumerate() {
            *o = words
                .iter()
                .take(n + 1)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ");
        }
        SentText {
            words,
            stems,
            openings,
        }
    }

    /// The first `n` (1 to 3) words joined by spaces (fewer if the sentence is shorter).
    pub(crate) fn opening(&self, n: usize) -> &str {
        &self.openings[n.clamp(1, 3) - 1]
    }

    /// Whether the sentence contains the word sequence `phrase` (space-separated).
    pub(crate) fn contains_phrase(&self, phrase: &str) -> bool {
        let (first, rest) = phrase.split_once(' ').unwrap_or((phrase, ""));
        self.words.iter().enumerate().any(|(i, w)| {
            // Cheap first-word test; the rest only where it matches.
            w == first
                && (first.len() == phrase.len() || {
                    let mut tail = self.words.iter().skip(i + 1);
                    rest.split(' ').all(|p| tail.next().is_some_and(|w| w == p))
                })
        })
    }

    /// Whether the sentence opens with the word sequence `phrase`.
    pub(crate) fn starts_with_phrase(&self, phrase: &str) -> bool {
        let mut it = self.words.iter();
        phrase.split(' ').all(|p| it.next().is_some_and(|w| w == p))
    }
}

/// Shared content stems of two sentences and the Jaccard overlap.
pub(crate) fn overlap(a: &SentText, b: &SentText) -> (usize, f32) {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while let (Some(x), Some(y)) = (a.stems.get(i), b.stems.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
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
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP.windows(2).all(|w| w[0] < w[1]));
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
