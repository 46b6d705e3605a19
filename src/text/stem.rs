//! Stemmers: how a stage makes "phones" meet "phone".
//!
//! Crude suffix stripping, no dictionary: the stages only ask whether two
//! texts share content words, for which that is enough. Two stemmers, because
//! two stages fitted something on their stems: the linker's models on
//! [`strip_suffixes`] (derivational too), grading's prompt-overlap threshold
//! on [`fold_endings`] (plural and verb endings only).

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

/// Grading's stem: folds only plural and verb endings ("schools" -> "school",
/// "banning" -> "ban", "phones"/"phone" -> "phon"), undoing a doubled final
/// consonant and dropping a final e, so a thesis meets the prompt it
/// rephrases. Unlike [`strip_suffixes`] it leaves derivations alone
/// ("technological" stays apart from "technology"): a thesis that answers
/// the prompt repeats its words, and the prompt-overlap threshold was set
/// with this fold.
pub(crate) fn fold_endings(w: &str) -> &str {
    let n = w.chars().count();
    // Suffixes are ASCII: their byte and char lengths agree.
    let ends = |suf: &str| n >= suf.len() + 3 && w.ends_with(suf);
    let (mut stem, mut n) = (w, n);
    if ends("ing") || ends("ed") {
        let k = if ends("ing") { 3 } else { 2 };
        stem = &w[..w.len() - k];
        n -= k;
        // "banning" -> "bann" -> "ban": undo a doubled final consonant.
        let mut last = stem.chars().rev();
        if let (Some(a), Some(b)) = (last.next(), last.next()) {
            if a == b && !"aeiouls".contains(a) {
                stem = &stem[..stem.len() - a.len_utf8()];
                n -= 1;
            }
        }
    } else if ends("s") && !ends("ss") {
        stem = &w[..w.len() - 1];
        n -= 1;
    }
    // "phone"/"phon(es)", "make"/"mak(ing)" meet without their final e.
    if n > 3 && stem.ends_with('e') {
        stem = &stem[..stem.len() - 1];
    }
    stem
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

    #[test]
    fn endings_fold_to_one_stem() {
        assert_eq!(fold_endings("making"), fold_endings("make"));
        assert_eq!(fold_endings("banning"), "ban");
        assert_eq!(fold_endings("classes"), "classe".trim_end_matches('e'));
        assert_eq!(fold_endings("uses"), "use");
        // The linker's stem keeps the doubled consonant.
        assert_eq!(strip_suffixes("banning"), "bann");
    }
}
