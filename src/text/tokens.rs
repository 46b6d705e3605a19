//! The word tokenizers, side by side.
//!
//! Each stage reads words its own way, because its model or threshold was
//! fitted on exactly that reading:
//! - [`RoleTokens`] (role features): words and punctuation, each a token, as
//!   byte spans into one lower-cased buffer. Punctuation is a feature there
//!   ("?", quotes, colons).
//! - [`joined_words`] (linker): the same words, without the punctuation,
//!   joined by single spaces into one string per sentence, which the link
//!   features slice for openings and phrases. Its own loop, not a filter over
//!   [`RoleTokens`]: it runs on every sentence for the linker, and building
//!   the punctuation tokens only to drop them would cost that time.
//! - [`each_content_word`] (grading): runs of letters and digits, so an
//!   apostrophe splits a word, lower-cased with `str::to_lowercase`, without
//!   stop words or short words, endings folded: the words a thesis shares
//!   with its prompt. [`count_words`]: whitespace-separated words, as
//!   `split_whitespace` counts them, for essay and paragraph lengths.

use super::stem::fold_endings;
use super::words::is_prompt_stopword;
use super::{is_apostrophe, plain_char, ALNUM_LOWER};

/// A token of [`RoleTokens`]: its byte span in the lower-cased sentence, and
/// whether it is a word.
pub(crate) type TokenSpan = (u32, u32, bool);

/// The role features' tokens of one sentence: its words (as the linker's) and
/// also every other visible character, one token each, typographic ones in
/// their plain spelling ([`plain_char`]). The buffers are reused from
/// sentence to sentence.
#[derive(Debug, Default)]
pub(crate) struct RoleTokens {
    /// The sentence's tokens, lower-cased, one after the other.
    pub(crate) lower: Vec<u8>,
    /// Token spans into `lower`, plus whether the token is a word.
    pub(crate) spans: Vec<TokenSpan>,
}

impl RoleTokens {
    /// Lower-cases and tokenises `s` into `lower`/`spans`, replacing what
    /// they held: words are runs of letters, digits and inner apostrophes;
    /// other visible characters are one-character tokens (an ellipsis
    /// character, three).
    pub(crate) fn read(&mut self, s: &str) {
        self.lower.clear();
        self.spans.clear();
        let bytes = s.as_bytes();
        let mut word_start: Option<u32> = None;
        let mut i = 0;
        // Runs of ASCII letters and digits, and single spaces, take the
        // fast path (most of any essay); every other character goes through
        // `push_char`, one char at a time.
        while let Some(&b) = bytes.get(i) {
            if ALNUM_LOWER[usize::from(b)] != 0 {
                word_start.get_or_insert(self.lower.len() as u32);
                for &b in &bytes[i..] {
                    let l = ALNUM_LOWER[usize::from(b)];
                    if l == 0 {
                        break;
                    }
                    self.lower.push(l);
                    i += 1;
                }
            } else if b == b' ' {
                if let Some(ws) = word_start.take() {
                    self.push_word(ws);
                }
                i += 1;
            } else {
                // `i` only ever moves past whole characters.
                let Some(c) = s.get(i..).and_then(|rest| rest.chars().next()) else {
                    break;
                };
                self.push_char(c, &mut word_start);
                i += c.len_utf8();
            }
        }
        if let Some(ws) = word_start.take() {
            self.push_word(ws);
        }
    }

    /// One character of [`RoleTokens::read`], with `word_start` the start of
    /// the word being read, if any.
    fn push_char(&mut self, c: char, word_start: &mut Option<u32>) {
        let is_word = c.is_alphanumeric() || (is_apostrophe(c) && word_start.is_some());
        if is_word {
            if word_start.is_none() {
                *word_start = Some(self.lower.len() as u32);
            }
            if is_apostrophe(c) {
                self.lower.push(b'\'');
            } else if c.is_ascii() {
                self.lower.push(c.to_ascii_lowercase() as u8);
            } else {
                let mut buf = [0u8; 4];
                for lc in c.to_lowercase() {
                    self.lower
                        .extend_from_slice(lc.encode_utf8(&mut buf).as_bytes());
                }
            }
            return;
        }
        if let Some(ws) = word_start.take() {
            self.push_word(ws);
        }
        if let Some(plain) = plain_char(c) {
            // As typed without a word processor: an ellipsis is three
            // full stops, so three tokens.
            for b in plain.bytes() {
                self.lower.push(b);
                let end = self.lower.len() as u32;
                self.spans.push((end - 1, end, false));
            }
        } else if !c.is_whitespace() {
            let st = self.lower.len() as u32;
            let mut buf = [0u8; 4];
            self.lower
                .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            self.spans.push((st, self.lower.len() as u32, false));
        }
    }

    fn push_word(&mut self, ws: u32) {
        // A trailing apostrophe (students' ) belongs to the word but is dropped.
        let mut end = self.lower.len() as u32;
        while end > ws + 1 && self.lower[end as usize - 1] == b'\'' {
            end -= 1;
        }
        self.spans.push((ws, end, true));
    }
}

/// The linker's words of `s`: lower-cased word tokens (letters, digits and
/// inner apostrophes), joined by single spaces. A typographic apostrophe
/// becomes `'`, as in the role features: an essay typed in a word processor
/// ("don’t") must read as the same words as one typed in plain text, on which
/// the models learnt.
pub(crate) fn joined_words(s: &str) -> String {
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

/// Grading's words: calls `f` with each content word of `text`, repeats
/// included: runs of letters and digits (an apostrophe splits "don't") of at
/// least three characters, lower-cased, not [`is_prompt_stopword`], with
/// their endings folded ([`fold_endings`]). ASCII words are lower-cased into
/// one reused buffer: this runs on every essay's thesis, and a `String` per
/// word was most of its cost.
pub(crate) fn each_content_word(text: &str, mut f: impl FnMut(&str)) {
    let mut buf = String::new();
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        // At least three characters (never fewer bytes than characters).
        if w.len() < 3 {
            continue;
        }
        let owned;
        let lower = if w.is_ascii() {
            buf.clear();
            buf.push_str(w);
            buf.make_ascii_lowercase();
            buf.as_str()
        } else if w.chars().nth(2).is_some() {
            // `str::to_lowercase`, not per char: a final capital sigma becomes ς.
            owned = w.to_lowercase();
            owned.as_str()
        } else {
            continue;
        };
        if !is_prompt_stopword(lower) {
            f(fold_endings(lower));
        }
    }
}

/// Grading's word count: `s.split_whitespace().count()`, eight bytes at a
/// time for ASCII text (the usual case): word counting runs over every essay
/// twice.
pub(crate) fn count_words(s: &str) -> usize {
    if !s.is_ascii() {
        return s.split_whitespace().count();
    }
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte that `char::is_whitespace` accepts: space and
    // \t to \r. Exact for ASCII bytes: no sum carries out of its byte.
    let spaces = |w: u64| {
        let not_space = ((w ^ (0x20 * ONES)) + 0x7F * ONES) & HIGHS;
        let at_least_tab = (w + (0x80 - 0x09) * ONES) & HIGHS;
        let past_cr = (w + (0x80 - 0x0E) * ONES) & HIGHS;
        (!not_space | (at_least_tab & !past_cr)) & HIGHS
    };
    // A word starts at a non-space whose previous byte is a space (or the start).
    let b = s.as_bytes();
    let mut prev = HIGHS; // the bit of the byte before, as byte 0's
    let mut starts = 0;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0; 8];
        w.copy_from_slice(c);
        let sp = spaces(u64::from_le_bytes(w));
        let before = sp << 8 | prev >> 56;
        starts += (!sp & before & HIGHS).count_ones() as usize;
        prev = sp;
    }
    let mut prev = prev >> 63 == 1;
    for &x in chunks.remainder() {
        let space = x == b' ' || (b'\t'..=b'\r').contains(&x);
        starts += usize::from(prev && !space);
        prev = space;
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_tokens_are_lowercased_with_punctuation_apart() {
        let mut t = RoleTokens::default();
        t.read("Students’ PHONES, don't “ring”?");
        let toks: Vec<&str> = t
            .spans
            .iter()
            .map(|&(a, b, _)| std::str::from_utf8(&t.lower[a as usize..b as usize]).unwrap())
            .collect();
        assert_eq!(
            toks,
            ["students", "phones", ",", "don't", "\"", "ring", "\"", "?"]
        );
        // The words are the linker's.
        let words: Vec<&str> = t
            .spans
            .iter()
            .filter(|s| s.2)
            .map(|&(a, b, _)| std::str::from_utf8(&t.lower[a as usize..b as usize]).unwrap())
            .collect();
        assert_eq!(
            words.join(" "),
            joined_words("Students’ PHONES, don't “ring”?")
        );
    }

    #[test]
    fn joined_words_are_lowercased_with_apostrophes_kept_inside() {
        assert_eq!(
            joined_words("Students’ phones don't HELP, e.g. 40 times!"),
            "students phones don't help e g 40 times"
        );
        assert_eq!(joined_words("?!"), "");
    }

    #[test]
    fn words_are_counted_like_split_whitespace() {
        for t in [
            "",
            "  a b\tc\n\nd ",
            "one\x0btwo\x0cthree\rfour",
            "x\u{a0}y é  z",
        ] {
            assert_eq!(count_words(t), t.split_whitespace().count(), "{t:?}");
        }
        // Longer texts cross the 8-byte chunks at every offset.
        let base = "Words  cross\tchunk edges;\nsome   do not. ";
        for n in 0..70 {
            let t: String = base.repeat(3).chars().skip(n).collect();
            assert_eq!(count_words(&t), t.split_whitespace().count(), "{t:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_words_are_counted_like_split_whitespace(t in "[ a-c\\t-\\r\\x00-\\x08\\x1c-\\x1f\\x7f.]{0,80}") {
            proptest::prop_assert_eq!(count_words(&t), t.split_whitespace().count());
        }

        #[test]
        fn fast_path_reads_as_char_by_char(
            t in "[aZ9 ’'\\-.…“\t\u{b}\n\u{0}\u{7f}éÉİß\u{2028}]{0,40}",
            u in proptest::prelude::any::<String>(),
        ) {
            for text in [&t, &u] {
                let mut fast = RoleTokens::default();
                fast.read(text);
                // The reference: every character through `push_char`.
                let mut slow = RoleTokens::default();
                let mut word_start = None;
                for c in text.chars() {
                    slow.push_char(c, &mut word_start);
                }
                if let Some(ws) = word_start {
                    slow.push_word(ws);
                }
                proptest::prop_assert_eq!(&fast.lower, &slow.lower);
                proptest::prop_assert_eq!(&fast.spans, &slow.spans);
            }
        }

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
