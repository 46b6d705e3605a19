//! Which language an essay is written in, told from its commonest words.
//!
//! The role, link and stance models were trained on English essays; on a
//! French or Spanish text they still label every sentence, confidently and
//! wrongly. [`detect`] counts the function words ("the", "and" / "le", "et" /
//! "der", "und" ...) of seven European languages among the first
//! [`WORDS_READ`] words of the text, so the pipeline can say when its labels
//! are not to be trusted. Function words make up a third or more of running
//! text in these languages, so a short sample tells them apart; each word
//! costs one binary search over 8-byte keys (a batch reads thousands of essays
//! a second).

use crate::document::{Document, Kind};
use std::sync::LazyLock;

/// Words of the prose read at most: enough to decide, cheap on long texts.
pub const WORDS_READ: usize = 200;

/// Function-word hits below which the language is not decided (a title, a
/// list of names, a few words).
const MIN_HITS: u32 = 8;

/// English hits after which [`detect`] stops reading when no other language
/// has a quarter as many.
const EARLY_HITS: u32 = 24;

/// The languages told apart, as ISO 639-1 codes; English first.
pub const LANGUAGES: [&str; 7] = ["en", "fr", "es", "de", "it", "pt", "nl"];

/// The languages' names, in [`LANGUAGES`] order.
const NAMES: [&str; 7] = [
    "English",
    "French",
    "Spanish",
    "German",
    "Italian",
    "Portuguese",
    "Dutch",
];

/// Frequent function words per language, in [`LANGUAGES`] order (a word may
/// belong to several). Single letters are left out: "a", "e", "o" are shared
/// or are initials.
const WORDS: [&[&str]; 7] = [
    &[
        "the", "and", "of", "to", "is", "that", "it", "in", "for", "are", "was", "with", "this",
        "be", "not", "they", "have", "on", "you", "as", "but", "would", "should", "can", "will",
        "their", "from", "by", "or", "an", "we", "which", "there", "because", "more", "if", "do",
        "about", "what", "also",
    ],
    &[
        "le", "la", "les", "des", "et", "est", "une", "un", "du", "que", "qui", "pas", "dans",
        "pour", "sur", "au", "aux", "ce", "cette", "sont", "nous", "vous", "il", "elle", "ne",
        "mais", "avec", "plus", "être", "ont", "leur", "ces", "par", "sont", "comme", "aussi",
    ],
    &[
        "el", "la", "los", "las", "de", "del", "que", "en", "es", "una", "un", "por", "para",
        "con", "no", "se", "su", "al", "lo", "como", "más", "pero", "sus", "están", "son", "muy",
        "este", "esta", "también", "porque",
    ],
    &[
        "der", "die", "das", "und", "ist", "nicht", "ein", "eine", "zu", "den", "mit", "sich",
        "des", "auf", "für", "im", "dem", "auch", "es", "sie", "ich", "wir", "sind", "werden",
        "kann", "dass", "oder", "von", "wird", "einen", "aber",
    ],
    &[
        "il", "lo", "la", "gli", "le", "di", "è", "che", "non", "un", "una", "per", "con", "del",
        "della", "sono", "ma", "anche", "più", "nel", "alla", "questo", "questa", "perché",
        "essere", "dei", "delle",
    ],
    &[
        "os", "as", "de", "do", "da", "é", "que", "não", "um", "uma", "para", "com", "em", "no",
        "na", "por", "mais", "se", "são", "dos", "das", "ao", "como", "mas", "também", "porque",
        "isso", "ser",
    ],
    &[
        "de", "het", "een", "en", "van", "is", "niet", "dat", "die", "op", "te", "zijn", "voor",
        "met", "ook", "maar", "er", "wij", "ze", "worden", "kan", "naar", "wordt", "deze", "omdat",
    ],
];

/// A lower-cased word of at most 8 bytes, packed into a `u64` (big-endian,
/// zero-padded), so the table is searched with integer comparisons.
fn key(word: &[u8]) -> Option<u64> {
    (word.len() <= 8).then(|| {
        let mut b = [0u8; 8];
        b[..word.len()].copy_from_slice(word);
        u64::from_be_bytes(b)
    })
}

/// Whether byte `b` can be part of a word: an ASCII letter or any byte of a
/// non-ASCII character (UTF-8 keeps those at 0x80 and above).
fn in_word(b: u8) -> bool {
    b.is_ascii_alphabetic() || b >= 0x80
}

/// The [`key`] of word `w` lower-cased, if it has 2 to 8 bytes.
fn lower_key(w: &str) -> Option<u64> {
    if w.len() < 2 || w.len() > 8 {
        return None;
    }
    if w.is_ascii() {
        let mut b = [0u8; 8];
        for (d, s) in b.iter_mut().zip(w.bytes()) {
            *d = s.to_ascii_lowercase();
        }
        return Some(u64::from_be_bytes(b));
    }
    let lower = w.to_lowercase();
    key(lower.as_bytes())
}

/// Every listed word's key, sorted, with the bit set of its languages.
static TABLE: LazyLock<Vec<(u64, u8)>> = LazyLock::new(|| {
    let mut t: Vec<(u64, u8)> = Vec::new();
    for (lang, words) in WORDS.iter().enumerate() {
        for w in *words {
            if let Some(k) = key(w.as_bytes()) {
                t.push((k, 1 << lang));
            }
        }
    }
    t.sort_unstable();
    let mut merged: Vec<(u64, u8)> = Vec::with_capacity(t.len());
    for (k, m) in t {
        match merged.last_mut() {
            Some((last, bits)) if *last == k => *bits |= m,
            _ => merged.push((k, m)),
        }
    }
    merged
});

/// The language of `doc`'s text (an ISO 639-1 code of [`LANGUAGES`]), or
/// `None` when it has too few function words to tell (an empty essay, a
/// title alone). A language other than English must have clearly more hits
/// than English, so an English essay quoting a foreign phrase stays English.
pub fn detect(doc: &Document) -> Option<&'static str> {
    // The essay's own words: prose, headings and list items, not its
    // bibliography (often in other languages) or page furniture.
    let prose = doc
        .sentences
        .iter()
        .filter(|s| !matches!(s.kind, Kind::Reference | Kind::Furniture))
        .map(|s| s.text.as_str());
    let mut hits = [0u32; 7];
    let mut read = 0;
    let table = &*TABLE;
    'text: for text in prose {
        // Words are runs of ASCII letters and non-ASCII characters (é, ß, ...);
        // scanned by byte, so English text never decodes a character.
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !in_word(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && in_word(bytes[i]) {
                i += 1;
            }
            let w = &text[start..i];
            if !bytes[start].is_ascii_alphabetic() && !w.chars().any(char::is_alphabetic) {
                continue;
            }
            read += 1;
            if read > WORDS_READ {
                break 'text;
            }
            let Some(k) = lower_key(w) else { continue };
            if let Ok(at) = table.binary_search_by_key(&k, |&(k, _)| k) {
                let bits = table[at].1;
                for (lang, h) in hits.iter_mut().enumerate() {
                    *h += u32::from(bits >> lang & 1);
                }
                // Clearly English already (most essays, within a few dozen
                // words): no need to read on.
                if hits[0] >= EARLY_HITS && hits[1..].iter().all(|&h| 4 * h <= hits[0]) {
                    break 'text;
                }
            }
        }
    }
    let (best, &top) = hits[1..]
        .iter()
        .enumerate()
        .max_by_key(|&(i, h)| (h, std::cmp::Reverse(i)))
        .map(|(i, h)| (i + 1, h))?;
    if top >= MIN_HITS && top > 2 * hits[0] {
        Some(LANGUAGES[best])
    } else if hits[0] >= MIN_HITS {
        Some(LANGUAGES[0])
    } else {
        None
    }
}

/// The English name of language `code` (one of [`LANGUAGES`]), else the code.
pub fn name(code: &str) -> &str {
    LANGUAGES
        .iter()
        .position(|&c| c == code)
        .map_or(code, |i| NAMES[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{self, RuleSegmenter};

    fn lang(text: &str) -> Option<&'static str> {
        detect(&segment::document(
            &RuleSegmenter::default(),
            None,
            None,
            text.to_string(),
        ))
    }

    #[test]
    fn tells_the_languages_apart() {
        for (text, want) in [
            (
                "Schools should ban phones in class, because they distract pupils and it is \
              hard for the teacher to see what they are doing with them.",
                "en",
            ),
            (
                "Les écoles devraient interdire les téléphones en classe, parce qu'ils \
              distraient les élèves et il est difficile pour le professeur de voir ce \
              qu'ils font avec.",
                "fr",
            ),
            (
                "Las escuelas deberían prohibir los teléfonos en clase, porque distraen a \
              los alumnos y es difícil para el profesor ver lo que hacen con ellos.",
                "es",
            ),
            (
                "Die Schulen sollten Handys im Unterricht verbieten, weil sie die Schüler \
              ablenken und es für den Lehrer schwer ist zu sehen, was sie damit machen.",
                "de",
            ),
            (
                "Le scuole dovrebbero vietare i telefoni in classe, perché distraggono gli \
              studenti ed è difficile per l'insegnante vedere che cosa ci fanno con questo \
              e con gli altri, non è vero, ma anche così.",
                "it",
            ),
            (
                "As escolas deviam proibir os telemóveis nas aulas, porque distraem os alunos \
              e é difícil para o professor ver o que eles fazem com isso, não é, mas também \
              são úteis.",
                "pt",
            ),
            (
                "De scholen zouden telefoons in de klas moeten verbieden, omdat ze de \
              leerlingen afleiden en het voor de leraar moeilijk is om te zien wat ze \
              ermee doen.",
                "nl",
            ),
        ] {
            assert_eq!(lang(text), Some(want), "{text}");
        }
    }

    #[test]
    fn too_little_text_is_undecided_and_a_quotation_does_not_tip_english() {
        assert_eq!(lang(""), None);
        assert_eq!(lang("Should schools ban phones?"), None);
        let quoting = "The French say \"le téléphone est un outil\", and they are right: \
            the phone is a tool, and the school should teach pupils how to use it well \
            rather than ban it from every class.";
        assert_eq!(lang(quoting), Some("en"));
        assert_eq!(name("fr"), "French");
        assert_eq!(name("xx"), "xx");
    }
}
