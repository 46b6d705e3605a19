//! The stop-word lists, one per stage that drops function words.
//!
//! Three lists, one per stage: [`ROLE_STOPWORDS`] (role features),
//! [`LINK_STOPWORDS`] (linker) and [`PROMPT_STOPWORDS`] (grading). They
//! differ, and each is fitted into something: a trained model's weights or a
//! grading threshold. One merged list would change outputs, so each stage
//! keeps its own, named for it, with why it differs; they live here together
//! so that the differences are seen.

use super::{in_short_keys, short_keys};

/// The role features' function words (`features`): a word in it is no
/// content word, so it counts neither towards a sentence's overlap with the
/// title, the introduction and the conclusion, nor among the words a
/// sentence passes to its neighbours' features. The shortest list (60
/// words): words the linker drops, such as "because", "also", "may", "must"
/// and "my", stay content words here, and the role model learnt with them so.
/// Part of the feature spec, in the order `FeatureSpec::hash` hashes it: any
/// change is a new feature space, and the shipped role model would be
/// rejected. Matched by word hash, so in no particular order.
pub const ROLE_STOPWORDS: &[&str] = &[
    "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "is", "are", "be", "it", "that",
    "this", "with", "as", "at", "by", "from", "their", "they", "them", "do", "does", "not", "more",
    "than", "should", "would", "can", "will", "have", "has", "i", "we", "you", "he", "she", "his",
    "her", "its", "was", "were", "but", "if", "so", "what", "which", "who", "how", "why", "there",
    "these", "those", "some", "all", "other", "people",
];

/// The linker's function words (`link::text`): ignored when two sentences'
/// content stems are compared. Longer than the role list (92 words): it also
/// drops words any two sentences of an essay share ("because", "also",
/// "thing", "way", "very"), which would make every pair look related. The
/// link and stance models learnt on overlaps measured with it. Sorted, for
/// the short-key search.
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

/// Grading's function words (`grade::metrics`): dropped before measuring how
/// many of the prompt's words the thesis repeats. Beside function words it
/// holds the words of a prompt's instructions ("agree", "disagree",
/// "opinion", "essay", "give reasons and specific examples", "think",
/// "believe"), which a thesis need not repeat to answer the prompt, and
/// fewer short words (grading's tokenizer skips words under three letters:
/// [`each_content_word`](super::tokens::each_content_word)). The
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
