//! Abbreviation and sentence-starter tables for the rule segmenter.
//!
//! Lookups run on a short lower-cased ASCII word copied into a stack buffer, and
//! the tables are `match` arms on byte strings, which the compiler turns into a
//! length switch plus a few comparisons: no hashing, no allocation, no regex.
//! The classes say how a full stop after the word behaves, not what the word
//! means, so the segmenter's rules stay small.

/// How a full stop after a known abbreviation behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Abbrev {
    /// Goes before a name ("Mr. Smith", "Mt. Fuji"): never ends a sentence
    /// before a capital.
    Title,
    /// Always followed by more of the sentence ("e.g.", "vs.", "cf.").
    Inline,
    /// Goes before a number ("p. 55", "No. 5", "Fig. 3"); before a capital it
    /// ends the sentence like a word.
    Numeric,
    /// Ends a sentence before a capital ("... and Co. It ..."), but not before a
    /// lower-case word or a number ("Co. at noon", "Jan. 5").
    Plain,
}

/// Longest word the tables hold; longer words are never abbreviations.
pub(crate) const MAX_ABBREV: usize = 8;

/// Class of the lower-case ASCII `word` (no dots), if it is a known abbreviation.
pub(crate) fn lookup(word: &[u8]) -> Option<Abbrev> {
    use Abbrev::*;
    Some(match word {
        b"mr" | b"mrs" | b"ms" | b"messrs" | b"mme" | b"mlle" | b"dr" | b"prof" | b"mt" | b"ft"
        | b"gen" | b"rev" | b"sen" | b"rep" | b"reps" | b"gov" | b"capt" | b"lt" | b"col"
        | b"sgt" | b"cpl" | b"maj" | b"adm" | b"cmdr" | b"hon" | b"pres" | b"supt" | b"fr"
        | b"st" | b"sts" => Title,
        b"vs" | b"cf" | b"viz" | b"approx" | b"ca" | b"incl" | b"esp" | b"resp" | b"eg" | b"ie" => {
            Inline
        }
        b"no" | b"nos" | b"p" | b"pp" | b"vol" | b"vols" | b"fig" | b"figs" | b"ch" | b"chap"
        | b"sec" | b"art" | b"eq" | b"eqs" | b"tel" | b"op" | b"para" | b"pg" | b"pgs" | b"ed"
        | b"eds" | b"ex" => Numeric,
        b"etc" | b"inc" | b"ltd" | b"co" | b"corp" | b"jr" | b"sr" | b"bros" | b"al" | b"dept"
        | b"univ" | b"assn" | b"ave" | b"blvd" | b"rd" | b"jan" | b"feb" | b"apr" | b"jun"
        | b"jul" | b"aug" | b"sep" | b"sept" | b"oct" | b"nov" | b"dec" | b"mon" | b"tues"
        | b"thur" | b"thurs" | b"fri" | b"min" | b"max" | b"hr" | b"hrs" | b"mins" | b"yr"
        | b"yrs" | b"oz" | b"lb" | b"lbs" | b"mph" | b"govt" | b"intl" | b"misc" | b"est"
        | b"dist" | b"mfg" | b"natl" | b"assoc" | b"gal" | b"qt" | b"pt" | b"sq" | b"ht"
        | b"wt" | b"pkg" => Plain,
        _ => return None,
    })
}

/// Dotted abbreviations made of one- or two-letter parts ("e.g.", "i.e.") that
/// never end a sentence; other dotted ones ("U.S.", "a.m.", "Ph.D.") follow the
/// sentence-starter rule.
pub(crate) fn dotted_inline(lower: &[u8]) -> bool {
    matches!(lower, b"e.g" | b"i.e" | b"n.b" | b"a.k.a" | b"c.f")
}

/// Capitalised words that commonly open a sentence. After a dotted abbreviation
/// such as "U.S." a capital word ends the sentence only if it is one of these:
/// "in the U.S. How about you?" splits, "the U.S. Government" does not.
pub(crate) fn is_sentence_starter(word: &[u8]) -> bool {
    matches!(
        word,
        b"A" | b"After"
            | b"Also"
            | b"Although"
            | b"An"
            | b"And"
            | b"As"
            | b"At"
            | b"Because"
            | b"Being"
            | b"But"
            | b"Did"
            | b"Do"
            | b"Does"
            | b"Finally"
            | b"First"
            | b"For"
            | b"Furthermore"
            | b"He"
            | b"Her"
            | b"His"
            | b"How"
            | b"However"
            | b"I"
            | b"If"
            | b"In"
            | b"Is"
            | b"It"
            | b"Its"
            | b"Many"
            | b"Millions"
            | b"More"
            | b"Moreover"
            | b"Most"
            | b"My"
            | b"Our"
            | b"Overall"
            | b"She"
            | b"Since"
            | b"So"
            | b"Some"
            | b"Still"
            | b"That"
            | b"The"
            | b"Their"
            | b"Then"
            | b"There"
            | b"Therefore"
            | b"These"
            | b"They"
            | b"This"
            | b"Those"
            | b"Thus"
            | b"Today"
            | b"We"
            | b"What"
            | b"When"
            | b"Where"
            | b"While"
            | b"Who"
            | b"Why"
            | b"Yet"
            | b"You"
    )
}

/// Lower-case words that put a single capital letter after them as a grade or
/// letter rather than a name initial: "got a D.", "an A.", "vitamin C.".
pub(crate) fn before_letter_noun(word: &[u8]) -> bool {
    let mut buf = [0u8; MAX_ABBREV];
    if word.is_empty() || word.len() > MAX_ABBREV || !word[0].is_ascii_lowercase() {
        return false;
    }
    let lower = &mut buf[..word.len()];
    lower.copy_from_slice(word);
    lower.make_ascii_lowercase();
    matches!(
        &*lower,
        b"a" | b"an"
            | b"the"
            | b"that"
            | b"this"
            | b"my"
            | b"his"
            | b"her"
            | b"their"
            | b"your"
            | b"our"
            | b"of"
            | b"than"
            | b"got"
            | b"get"
            | b"gets"
            | b"earn"
            | b"earned"
            | b"received"
            | b"grade"
            | b"plan"
            | b"vitamin"
            | b"letter"
    )
}

/// Top-level domains and file extensions that follow a dot in a web address
/// ("example. com", "page. html").
pub(crate) fn is_web_suffix(word: &[u8]) -> bool {
    matches!(
        word,
        b"com"
            | b"org"
            | b"net"
            | b"gov"
            | b"edu"
            | b"html"
            | b"htm"
            | b"php"
            | b"asp"
            | b"aspx"
            | b"jsp"
            | b"pdf"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert_eq!(lookup(b"mr"), Some(Abbrev::Title));
        assert_eq!(lookup(b"vs"), Some(Abbrev::Inline));
        assert_eq!(lookup(b"p"), Some(Abbrev::Numeric));
        assert_eq!(lookup(b"etc"), Some(Abbrev::Plain));
        assert_eq!(lookup(b"house"), None);
        assert!(dotted_inline(b"e.g"));
        assert!(!dotted_inline(b"u.s"));
        assert!(is_sentence_starter(b"How"));
        assert!(!is_sentence_starter(b"Government"));
    }

    #[test]
    fn table_words_fit_the_buffer() {
        // The segmenter never looks up words longer than MAX_ABBREV.
        for w in ["messrs", "approx", "thurs"] {
            assert!(w.len() <= MAX_ABBREV && lookup(w.as_bytes()).is_some());
        }
    }
}
