//! Stemmers: how a stage makes "phones" meet "phone".
//!
//! Crude suffix stripping, no dictionary: the stages only ask whether two
//! texts share content words, for which that is enough.

use super::{byte_index, ends_with};

const SUFFIXES: &[&str] = &[
    "ational", "ization", "fulness", "ousness", "ically", "ations", "ation", "ments", "ment",
    "ities", "ity", "ness", "ical", "ings", "ing", "ies", "ied", "ers", "ren", "ed", "es", "er",
    "ly", "al", "s", "y", "e",
];
static SUFFIXES_BY_LAST: [u64; 256] = byte_index(SUFFIXES, true);

/// The linker's stem: strips common inflectional and derivational suffixes so
/// that "technology"/"technological" or "children"/"child" meet. The first
/// suffix in [`SUFFIXES`] order that leaves at least three characters is
/// stripped.
pub(crate) fn strip_suffixes(w: &str) -> &str {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_meet_across_inflections() {
        assert_eq!(strip_suffixes("technologies"), strip_suffixes("technology"));
        assert_eq!(strip_suffixes("distracted"), strip_suffixes("distracting"));
        assert_eq!(strip_suffixes("cat"), "cat");
    }
}
