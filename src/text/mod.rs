//! The text layer: how every stage reads characters and words.
//!
//! Role features, linker and grading each tokenise sentences and drop
//! function words. What they share lives here once: the character primitives
//! (apostrophes, typographic characters, the ASCII fast-path table), the
//! integer search that stop-word lists use, and the byte helpers and hash of
//! the word views ([`fnv`]). The tokenizers ([`tokens`]), stemmers ([`stem`])
//! and word lists ([`words`]; the role features' cue words, [`markers`])
//! that differ between the stages sit side by side, each
//! saying who uses it and why it is not the other: the trained models and the
//! grading thresholds were fitted on exactly those outputs.
//!
//! The layer sits below every stage and imports nothing from them.

pub(crate) mod fnv;
pub(crate) mod markers;
pub(crate) mod stem;
pub(crate) mod tokens;
pub(crate) mod words;

/// Whether `c` is an apostrophe, as typed in plain text (') or by a word
/// processor (’). The word tokenizers (role features, linker, rescorer) read
/// both as `'`, the form the training text uses.
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’')
}

/// An ASCII letter or digit's lower case; 0 for every other byte: the word
/// tokenizers' fast path over ASCII text.
pub(crate) static ALNUM_LOWER: [u8; 256] = {
    let mut t = [0; 256];
    let mut b = 0;
    while b < 128 {
        if (b as u8).is_ascii_alphanumeric() {
            t[b] = (b as u8).to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// The bytes of a word of at most 8 bytes as a big-endian integer, zero-padded:
/// integer order is the words' lexicographic order (words hold no NUL bytes).
/// Stop-word lists are searched as such integers: integer compares beat
/// `memcmp` calls, and the tests run once per word.
pub(crate) const fn short_key(b: &[u8]) -> u64 {
    let mut k = 0u64;
    let mut i = 0;
    while i < 8 {
        k <<= 8;
        if i < b.len() {
            k |= b[i] as u64;
        }
        i += 1;
    }
    k
}

/// The [`short_key`]s of `words` (sorted, each at most 8 bytes), in order.
pub(crate) const fn short_keys<const N: usize>(words: &[&str]) -> [u64; N] {
    let mut keys = [0; N];
    let mut i = 0;
    while i < N {
        keys[i] = short_key(words[i].as_bytes());
        i += 1;
    }
    keys
}

/// Whether `w` is one of the words whose [`short_keys`] are `keys`.
pub(crate) fn in_short_keys(keys: &[u64], w: &str) -> bool {
    w.len() <= 8 && keys.binary_search(&short_key(w.as_bytes())).is_ok()
}

/// Whether `s` ends with a question mark (before closing quotes and brackets).
pub(crate) fn ends_with_question(s: &str) -> bool {
    s.trim_end_matches(|c: char| c.is_whitespace() || "\"')]}”’»".contains(c))
        .ends_with('?')
}

/// The plain-text spelling of a word processor's typographic character, as the
/// training text writes it: curly quotes, an ellipsis, en and em dashes. None
/// for any other character.
pub(crate) fn plain_char(c: char) -> Option<&'static str> {
    match c {
        '‘' | '’' => Some("'"),
        '“' | '”' | '«' | '»' => Some("\""),
        '…' => Some("..."),
        // Word processors turn " - " into " – ".
        '–' | '—' => Some("-"),
        _ => None,
    }
}

/// For each byte value, bit `i` set when `list[i]` starts with it (ends, with
/// `last`): a word is compared only with the entries that can match it.
pub(crate) const fn byte_index(list: &[&str], last: bool) -> [u64; 256] {
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
pub(crate) fn ends_with(w: &[u8], suf: &[u8]) -> bool {
    w.len() >= suf.len() && w.iter().rev().zip(suf.iter().rev()).all(|(x, y)| x == y)
}

/// Whether `w` starts with `pre`: a byte loop, as [`ends_with`].
pub(crate) fn starts_with(w: &[u8], pre: &[u8]) -> bool {
    w.len() >= pre.len() && w.iter().zip(pre).all(|(x, y)| x == y)
}
