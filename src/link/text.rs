//! Word-level views of a sentence that the link and stance features need:
//! lower-cased word tokens, crude stems of content words, and the opening words.
//!
//! Deliberately tiny and dependency-free: the features only ask "do these two
//! sentences share content words?" and "how does this sentence open?", for which
//! a suffix-stripping stemmer and a stop-word list are enough, and the linker must
//! not depend on the role classifier's feature code (which may change under it).

use crate::text::{in_short_keys, is_apostrophe, short_keys, ALNUM_LOWER};
use std::cell::RefCell;

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

/// [`STOP`] as integers, in the same order.
const STOP_KEYS: [u64; STOP.len()] = short_keys(STOP);

fn is_stop(w: &str) -> bool {
    // No stop word is longer than 8 bytes (checked in the tests).
    in_short_keys(&STOP_KEYS, w)
}

/// Lower-cased word tokens of `s` (letters, digits and inner apostrophes),
/// joined by single spaces. A typographic apostrophe becomes `'`, as in the
/// role features: an essay typed in a word processor ("don’t") must read as
/// the same words as one typed in plain text, on which the models learnt.
fn joined_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Start of the word being read, in `out`.
    let mut start = 0;
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        // ASCII letters and digits (most of any essay) skip char decoding.
        let l = ALNUM_LOWER[usize::from(b)];
        if l != 0 {
            out.push(char::from(l));
            i += 1;
            continue;
        }
        // `i` only ever moves past whole characters.
        let Some(c) = s.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        push_word_char(&mut out, &mut start, c);
        i += c.len_utf8();
    }
    if out.len() > start {
        end_word(&mut out, &mut start);
    }
    out.pop();
    out
}

/// One character of [`joined_words`] into `out`, where the word being read
/// starts at `start`.
fn push_word_char(out: &mut String, start: &mut usize, c: char) {
    if c.is_ascii_alphanumeric() {
        out.push(c.to_ascii_lowercase());
    } else if is_apostrophe(c) && out.len() > *start {
        out.push('\'');
    } else if c.is_alphanumeric() {
        out.extend(c.to_lowercase());
    } else if out.len() > *start {
        end_word(out, start);
    }
}

/// Ends the word being read in `out` (which starts at `start`).
fn end_word(out: &mut String, start: &mut usize) {
    // "students'" -> "students"; keep "don't". A word never starts with an
    // apostrophe, so it stays non-empty.
    while out.ends_with('\'') {
        out.pop();
    }
    out.push(' ');
    *start = out.len();
}

/// For each byte value, bit `i` set when `list[i]` starts with it (ends, with
/// `last`): a word is compared only with the entries that can match it.
const fn byte_index(list: &[&str], last: bool) -> [u64; 256] {
    assert!(list.len() <= 64);
    let mut index = [0u64; 256];
    let mut i = 0;
    while i < list.len() {
        let b = list[i].as_bytes();
        if !b.is_empty() {
            let k = if last { b[b.len() - 1] } else { b[0] };
            index[k as usize] |= 1 << i;
        }
        i += 1;
    }
    index
}

/// Whether `w` ends with `suf`: a byte loop from the end, as these compares are
/// too short for a `memcmp` call to pay off.
fn ends_with(w: &[u8], suf: &[u8]) -> bool {
    w.len() >= suf.len() && w.iter().rev().zip(suf.iter().rev()).all(|(x, y)| x == y)
}

/// Whether `w` starts with `pre`: a byte loop, as [`ends_with`].
fn starts_with(w: &[u8], pre: &[u8]) -> bool {
    w.len() >= pre.len() && w.iter().zip(pre).all(|(x, y)| x == y)
}

const SUFFIXES: &[&str] = &[
    "ational", "ization", "fulness", "ousness", "ically", "ations", "ation", "ments", "ment",
    "ities", "ity", "ness", "ical", "ings", "ing", "ies", "ied", "ers", "ren", "ed", "es", "er",
    "ly", "al", "s", "y", "e",
];
static SUFFIXES_BY_LAST: [u64; 256] = byte_index(SUFFIXES, true);

/// A crude stem: strips common inflectional and derivational suffixes so that
/// "technology"/"technological" or "children"/"child" meet. The first suffix in
/// [`SUFFIXES`] order that leaves at least three characters is stripped.
pub(crate) fn stem(w: &str) -> &str {
    let b = w.as_bytes();
    let mut todo = b.last().map_or(0, |&l| SUFFIXES_BY_LAST[usize::from(l)]);
    while todo != 0 {
        let suf = SUFFIXES[todo.trailing_zeros() as usize].as_bytes();
        todo &= todo - 1;
        if ends_with(b, suf) {
            // The suffix is ASCII, so the cut is a char boundary.
            let stemmed = &w[..b.len() - suf.len()];
            // At least three characters; stops counting at the third.
            if stemmed.chars().nth(2).is_some() {
                return stemmed;
            }
        }
    }
    w
}

/// Word sequences looked for in sentences ([`SentText::phrase_mask`]), indexed
/// by first byte.
pub(crate) struct Phrases {
    list: &'static [&'static str],
    by_first: [u64; 256],
}

impl Phrases {
    /// At most 64 phrases, words separated by single spaces.
    pub(crate) const fn new(list: &'static [&'static str]) -> Self {
        Phrases {
            list,
            by_first: byte_index(list, false),
        }
    }
}

/// The token view of one sentence, computed once per document.
#[derive(Debug, Clone, Default)]
pub(crate) struct SentText {
    /// All word tokens, lower-cased, joined by single spaces: one allocation
    /// per sentence instead of one per word, openings are prefixes of it and a
    /// phrase is a word-aligned substring.
    joined: String,
    /// Hashes of the stems of content words (no stop words, no one- or
    /// two-letter tokens), sorted and deduplicated: overlap is a merge, not a
    /// hash-set probe, and nothing is allocated per stem.
    pub stems: Vec<u64>,
    /// [`WordInfo`] of every word, in order.
    info: Vec<WordInfo>,
    /// Byte lengths of the first one, two and three words in `joined`.
    openings: [usize; 3],
    /// Whether a word negates ("not", "no", "never", "...n't"): the stance
    /// model asks this of the thesis for every claim.
    negated: bool,
}

/// Iterator over the words of a [`SentText`].
#[derive(Clone)]
pub(crate) struct Words<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        // Words are short: a plain byte loop beats `split`'s memchr set-up.
        let n = self
            .rest
            .bytes()
            .position(|b| b == b' ')
            .unwrap_or(self.rest.len());
        let (w, rest) = self.rest.split_at(n);
        self.rest = rest.get(1..).unwrap_or("");
        Some(w)
    }
}

/// FNV-1a of `s`: stable across runs and platforms, and fast on short words.
/// The link features' names are hashed with it at compile time, the stems and
/// the names' varying parts with the same hash at run time ([`fnv_run`]).
pub(crate) const fn fnv(s: &str) -> u64 {
    fnv_from(FNV_OFFSET, s.as_bytes())
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a over `b`, continuing from the state `h` (a hash of what came before).
/// `const`, for the feature names hashed at compile time; [`fnv_run`] is the
/// same hash for run time.
pub(crate) const fn fnv_from(mut h: u64, b: &[u8]) -> u64 {
    let mut i = 0;
    while i < b.len() {
        h = (h ^ b[i] as u64).wrapping_mul(FNV_PRIME);
        i += 1;
    }
    h
}

/// [`fnv_from`], four bytes per loop step: the link features hash every word
/// of every sentence several times, and the loop's own work was most of it.
#[inline]
pub(crate) fn fnv_run(mut h: u64, b: &[u8]) -> u64 {
    let step = |h: u64, x: u8| (h ^ u64::from(x)).wrapping_mul(FNV_PRIME);
    let mut quads = b.chunks_exact(4);
    for q in &mut quads {
        h = step(step(step(step(h, q[0]), q[1]), q[2]), q[3]);
    }
    quads.remainder().iter().fold(h, |h, &x| step(h, x))
}

/// What the link features need of one word, computed once per word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WordInfo {
    /// The hash of the word's [`stem`] when it is a content word (three
    /// characters or more, not a stop word).
    pub stem: Option<u64>,
    /// The hash of the stance and relation models' word feature,
    /// `feat!(h, "w", word)`.
    pub unigram: u64,
    /// The hash state of the stance model's bigram feature after its first
    /// word, `feat!(h, "b", word, next)` before `next`.
    pub bigram: u64,
}

impl WordInfo {
    fn of(w: &str) -> Self {
        let content = w.chars().nth(2).is_some() && !is_stop(w);
        WordInfo {
            stem: content.then(|| fnv_run(FNV_OFFSET, stem(w).as_bytes())),
            unigram: fnv_run(UNIGRAM_FEATURE, w.as_bytes()),
            bigram: fnv_run(BIGRAM_FEATURE, w.as_bytes()),
        }
    }
}

/// A thread's memo of [`WordInfo`] for words of up to 16 bytes: a
/// direct-mapped table keyed by the word's bytes, so it never grows and never
/// confuses two words. Words repeat, within an essay and across a corpus, and
/// the stop-word search, suffix stripping and hashing are the costly part of a
/// sentence's word view.
struct WordMemo {
    /// (the word's bytes as an integer, 0 for an empty slot; its info).
    slots: Vec<(u128, WordInfo)>,
}

impl WordMemo {
    const SLOTS: usize = 4096;

    fn new(slots: usize) -> Self {
        let empty = WordInfo {
            stem: None,
            unigram: 0,
            bigram: 0,
        };
        WordMemo {
            slots: vec![(0, empty); slots],
        }
    }

    fn get(&mut self, w: &str) -> WordInfo {
        let b = w.as_bytes();
        if b.len() > 16 || b.is_empty() {
            return WordInfo::of(w);
        }
        // Words hold no NUL byte, so the zero-padded bytes name one word.
        let key = b.iter().fold(0u128, |k, &x| k << 8 | u128::from(x));
        let h = ((key as u64) ^ ((key >> 64) as u64).rotate_left(29))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let bits = self.slots.len().trailing_zeros();
        let Some(slot) = self.slots.get_mut((h >> (64 - bits)) as usize) else {
            return WordInfo::of(w);
        };
        if slot.0 != key {
            *slot = (key, WordInfo::of(w));
        }
        slot.1
    }
}

thread_local! {
    static WORDS: RefCell<WordMemo> = RefCell::new(WordMemo::new(WordMemo::SLOTS));
}

/// The stance and relation models' word feature, `feat!(h, "w", word)`, and
/// bigram feature, `feat!(h, "b", first, second)`, hashed up to their first
/// part: the name, then the separator byte (see `Hasher::add_after`).
const UNIGRAM_FEATURE: u64 = fnv_from(fnv("w"), &[0x1f]);
const BIGRAM_FEATURE: u64 = fnv_from(fnv("b"), &[0x1f]);

/// Whether a word negates: "not", "no", "never", "...n't".
fn negates(w: &str) -> bool {
    w == "not" || w == "no" || w == "never" || w.ends_with("n't")
}

impl SentText {
    pub(crate) fn new(s: &str) -> Self {
        let joined = joined_words(s);
        let words = Words { rest: &joined };
        // A content word has at least three letters and a space after it:
        // sized for that, the vector never grows.
        let mut stems = Vec::with_capacity(joined.len() / 4 + 1);
        // At most one word per two bytes of `joined`.
        let mut info = Vec::with_capacity(joined.len() / 2 + 1);
        // Negation is looked for in the same pass over the words.
        let mut negated = false;
        WORDS.with(|memo| match memo.try_borrow_mut() {
            Ok(mut memo) => info.extend(words.clone().map(|w| {
                negated |= negates(w);
                memo.get(w)
            })),
            Err(_) => info.extend(words.clone().map(|w| {
                negated |= negates(w);
                WordInfo::of(w)
            })),
        });
        stems.extend(info.iter().filter_map(|i| i.stem));
        stems.sort_unstable();
        stems.dedup();
        // Shorter sentences repeat their last opening.
        let mut openings = [joined.len(); 3];
        let mut len = 0;
        for (o, w) in openings.iter_mut().zip(words) {
            len += usize::from(len > 0) + w.len();
            *o = len;
        }
        SentText {
            joined,
            stems,
            info,
            openings,
            negated,
        }
    }

    /// Whether the sentence has a negating word ("not", "no", "never", "...n't").
    pub(crate) fn is_negated(&self) -> bool {
        self.negated
    }

    /// What the link features need of each word, in order.
    pub(crate) fn word_info(&self) -> &[WordInfo] {
        &self.info
    }

    /// The word tokens, lower-cased.
    pub(crate) fn words(&self) -> Words<'_> {
        Words { rest: &self.joined }
    }

    /// The first `n` (1 to 3) words joined by spaces (fewer if the sentence is shorter).
    pub(crate) fn opening(&self, n: usize) -> &str {
        &self.joined[..self.openings[n.clamp(1, 3) - 1]]
    }

    /// Bit `i` set when the sentence contains the word sequence `phrases.list[i]`:
    /// one pass over the words.
    pub(crate) fn phrase_mask(&self, phrases: &Phrases) -> u64 {
        let text = self.joined.as_bytes();
        let mut mask = 0;
        let mut at = 0;
        for w in self.words() {
            let rest = &text[at..];
            let mut todo = phrases.by_first[usize::from(rest[0])] & !mask;
            while todo != 0 {
                let i = todo.trailing_zeros() as usize;
                todo &= todo - 1;
                let p = phrases.list[i].as_bytes();
                if starts_with(rest, p) && rest.get(p.len()).map_or(true, |&b| b == b' ') {
                    mask |= 1 << i;
                }
            }
            at += w.len() + 1;
        }
        mask
    }

    /// Whether the sentence opens with the word sequence `phrase`.
    pub(crate) fn starts_with_phrase(&self, phrase: &str) -> bool {
        self.joined.starts_with(phrase)
            && self
                .joined
                .as_bytes()
                .get(phrase.len())
                .map_or(true, |&b| b == b' ')
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
        let t = SentText::new("Students' phones don't HELP, e.g. 40 times!");
        assert_eq!(
            t.words().collect::<Vec<_>>(),
            ["students", "phones", "don't", "help", "e", "g", "40", "times"]
        );
        assert_eq!(t.opening(2), "students phones");
        let short = SentText::new("Yes.");
        assert_eq!((short.opening(1), short.opening(3)), ("yes", "yes"));
        assert_eq!(SentText::new("?!").words().count(), 0);
        let curly = SentText::new("Students’ phones don’t HELP");
        assert_eq!(
            curly.words().collect::<Vec<_>>(),
            ["students", "phones", "don't", "help"]
        );
    }

    #[test]
    fn run_time_fnv_is_the_const_one() {
        let text = b"the quick brown fox\xe2\x80\x99s";
        for n in 0..=text.len() {
            assert_eq!(fnv_run(7, &text[..n]), fnv_from(7, &text[..n]));
        }
    }

    #[test]
    fn stop_words_are_sorted_short_and_found() {
        assert!(STOP.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP.iter().all(|w| w.len() <= 8 && is_stop(w)));
        assert!(!is_stop("school") && !is_stop("becausez") && !is_stop("thus"));
    }

    #[test]
    fn stems_meet_across_inflections() {
        assert_eq!(stem("technologies"), stem("technology"));
        assert_eq!(stem("distracted"), stem("distracting"));
        assert_eq!(stem("cat"), "cat");
    }

    #[test]
    fn the_word_memo_answers_as_the_words_do() {
        let mut memo = WordMemo::new(2);
        let long = "internationalisations";
        // With two slots, most words evict others: each answer must still be
        // the word's own, asked again and again.
        let words = [
            "the", "phones", "phone", "banned", "it", long, "don't", "schools", "é",
        ];
        for _ in 0..3 {
            for w in words {
                assert_eq!(memo.get(w), WordInfo::of(w), "{w}");
            }
        }
        assert_eq!(memo.get("the").stem, None);
        assert_eq!(memo.get("phones").stem, memo.get("phone").stem);
        assert!(memo.get(long).stem.is_some());
        let t = SentText::new("Phones distract the students");
        let info: Vec<WordInfo> = t.words().map(WordInfo::of).collect();
        assert_eq!(t.word_info(), info);
    }

    #[test]
    fn overlap_ignores_stop_words() {
        let a = SentText::new("The school banned the phones.");
        let b = SentText::new("The phone is in the schools.");
        let (shared, jac) = overlap(&a, &b);
        assert_eq!(shared, 2);
        assert!(jac > 0.5);
        assert!(a.starts_with_phrase("the school"));
        static FOUND: Phrases =
            Phrases::new(&["in the", "the", "phone is in", "is in the schools"]);
        static ONE: Phrases = Phrases::new(&["in", "the phones", "phone i", "schools the"]);
        assert_eq!(b.phrase_mask(&FOUND), 0b1111);
        assert_eq!(b.phrase_mask(&ONE), 0b0001);
        assert!(!b.starts_with_phrase("in the"));
    }

    proptest::proptest! {
        #[test]
        fn fast_path_joins_words_as_char_by_char(
            t in "[aZ9 ’'\\-.…“\t\u{b}\n\u{0}\u{7f}éÉİß\u{2028}]{0,40}",
            u in proptest::prelude::any::<String>(),
        ) {
            for text in [&t, &u] {
                // The reference: every character through `push_word_char`.
                let (mut slow, mut start) = (String::new(), 0);
                for c in text.chars() {
                    push_word_char(&mut slow, &mut start, c);
                }
                if slow.len() > start {
                    end_word(&mut slow, &mut start);
                }
                slow.pop();
                proptest::prop_assert_eq!(joined_words(text), slow);
            }
        }
    }
}
