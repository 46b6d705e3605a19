//! Word-level views of a sentence that the link and stance features need:
//! lower-cased word tokens, crude stems of content words, and the opening words.
//!
//! Built on the text layer's linker tokenizer, stemmer and stop words
//! ([`crate::text`]); what is here is the per-sentence view the link features
//! read, computed once per document, with a thread's memo of each word's hashes.

use crate::text::fnv::{fnv, fnv_from, fnv_run, FNV_OFFSET};
use crate::text::stem::strip_suffixes;
use crate::text::tokens::joined_words;
use crate::text::words::is_link_stopword;
use crate::text::{byte_index, starts_with};
use std::cell::RefCell;

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

/// What the link features need of one word, computed once per word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WordInfo {
    /// The hash of the word's stem ([`strip_suffixes`]) when it is a content word (three
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
        let content = w.chars().nth(2).is_some() && !is_link_stopword(w);
        WordInfo {
            stem: content.then(|| fnv_run(FNV_OFFSET, strip_suffixes(w).as_bytes())),
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
                if starts_with(rest, p) && rest.get(p.len()).is_none_or(|&b| b == b' ') {
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
                .is_none_or(|&b| b == b' ')
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
}
