//! The stop-word lists, one per stage that drops function words.
//!
//! They differ on purpose, and each difference is fitted into something: a
//! trained model's weights or a grading threshold. Merging them would change
//! outputs, so each keeps its own list, named for its user, and says why.

use super::{in_short_keys, short_keys};

/// The linker's function words: ignored when two sentences' content stems
/// are compared (`link::text`). Longer than the role list (it drops
/// "because", "also", "thing", "way": words shared by any two sentences of an
/// essay, which would make every pair look related) and keeps none of the
/// prompt's instruction words, which the prompt list drops. The link and
/// stance models learnt on overlaps measured with it. Sorted, for the
/// short-key search.
const LINK_STOPWORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "because",
    "been", "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have",
    "he", "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "may", "me",
    "might", "more", "most", "much", "must", "my", "no", "not", "of", "on", "one", "or", "other",
    "our", "own", "people", "she", "should", "so", "some", "such", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "thing", "things", "this", "those", "to", "too",
    "us", "very", "was", "way", "we", "were", "what", "when", "which", "while", "who", "will",
    "with", "would", "you", "your",
];

/// [`LINK_STOPWORDS`] as integers, in the same order.
const LINK_STOP_KEYS: [u64; LINK_STOPWORDS.len()] = short_keys(LINK_STOPWORDS);

/// Whether `w` (lower case) is one of the linker's function words.
pub(crate) fn is_link_stopword(w: &str) -> bool {
    // No stop word is longer than 8 bytes (checked in the tests).
    in_short_keys(&LINK_STOP_KEYS, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_stop_words_are_sorted_short_and_found() {
        assert!(LINK_STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(LINK_STOPWORDS
            .iter()
            .all(|w| w.len() <= 8 && is_link_stopword(w)));
        assert!(
            !is_link_stopword("school")
                && !is_link_stopword("becausez")
                && !is_link_stopword("thus")
        );
    }
}
