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

/// Grading's function words: dropped before measuring how many of the
/// prompt's words the thesis repeats (`grade::metrics`). Beside function
/// words it holds the words of a prompt's instructions ("agree", "disagree",
/// "opinion", "essay", "give reasons and specific examples", "think",
/// "believe"), which a thesis need not repeat to answer the prompt. The
/// prompt-overlap threshold was set with it. Sorted, for the short-key search.
pub(crate) const PROMPT_STOPWORDS: &[&str] = &[
    "a", "about", "agree", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "being", "believe", "but", "by", "can", "could", "did", "disagree", "do", "does", "essay",
    "examples", "for", "from", "get", "give", "had", "has", "have", "her", "his", "how", "in",
    "into", "is", "it", "its", "make", "many", "may", "more", "most", "much", "not", "of", "on",
    "one", "opinion", "or", "other", "our", "out", "over", "people", "reasons", "shall", "should",
    "some", "specific", "such", "than", "that", "the", "their", "them", "then", "there", "these",
    "they", "think", "this", "those", "to", "use", "very", "was", "what", "when", "where",
    "whether", "which", "who", "why", "will", "with", "would", "you", "your",
];

/// [`PROMPT_STOPWORDS`] as integers, in the same order.
const PROMPT_STOP_KEYS: [u64; PROMPT_STOPWORDS.len()] = short_keys(PROMPT_STOPWORDS);

/// Whether `w` (lower case) is one of grading's function words.
pub(crate) fn is_prompt_stopword(w: &str) -> bool {
    in_short_keys(&PROMPT_STOP_KEYS, w)
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

    #[test]
    fn prompt_stop_words_are_sorted_short_and_found() {
        assert!(PROMPT_STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        // Each fits a short key and is found as one; longer words are not.
        assert!(PROMPT_STOPWORDS
            .iter()
            .all(|w| w.len() <= 8 && is_prompt_stopword(w)));
        assert!(!is_prompt_stopword("disagreement"));
        assert!(!is_prompt_stopword("abou"));
    }
}
