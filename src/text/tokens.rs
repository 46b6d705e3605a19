//! The word tokenizers, side by side.
//!
//! Each stage reads words its own way, because its model or threshold was
//! fitted on exactly that reading:
//! - [`joined_words`] (linker): the words only, lower-cased, joined by single
//!   spaces into one string per sentence.

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
