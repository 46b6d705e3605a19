//! The word tokenizers, side by side.
//!
//! Each stage reads words its own way, because its model or threshold was
//! fitted on exactly that reading:
//! - [`joined_words`] (linker): the words only, lower-cased, joined by single
//!   spaces into one string per sentence.
//! - [`each_content_word`] (grading): runs of letters and digits, so an
//!   apostrophe splits a word, lower-cased with `str::to_lowercase`, without
//!   stop words or short words, endings folded: the words a thesis shares
//!   with its prompt. [`count_words`]: whitespace-separated words, as
//!   `split_whitespace` counts them, for essay and paragraph lengths.

use super::stem::fold_endings;
use super::words::is_prompt_stopword;
use super::{is_apostrophe, ALNUM_LOWER};

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
