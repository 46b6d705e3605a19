//! The word lists role features test tokens against (stopwords, modals,
//! first and second person, discourse markers) as one hash table, so each
//! token is looked up once, and the marker finder that reads a sentence's
//! discourse markers from its token hashes.

use super::buffers::Scratch;
use crate::text::markers;
use crate::text::words::ROLE_STOPWORDS;
use crate::util::hash::bytes;

/// Bits of the word lists a token belongs to.
pub(super) mod class {
    pub const STOP: u8 = 1;
    pub const MODAL: u8 = 2;
    pub const FIRST_SINGULAR: u8 = 4;
    pub const FIRST_PLURAL: u8 = 8;
    pub const SECOND: u8 = 16;
    /// The first word of a discourse marker.
    pub const MARKER: u8 = 32;
    /// A sentence (never a token) with an opinion marker ("I believe").
    pub const OPINION: u8 = 64;
}

/// The word lists and the [`class`] bit of each.
const WORD_LISTS: [(&[&str], u8); 5] = [
    (ROLE_STOPWORDS, class::STOP),
    (markers::MODALS, class::MODAL),
    (markers::FIRST_SINGULAR, class::FIRST_SINGULAR),
    (markers::FIRST_PLURAL, class::FIRST_PLURAL),
    (markers::SECOND, class::SECOND),
];

/// What [`Lexicon`] knows of a word: its [`class`] bits and, for a marker's
/// first word, where its markers start in `Scratch::marker_first`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Entry {
    pub(super) class: u8,
    pub(super) marker: u16,
}

/// The word lists as one open-addressing table keyed by word hash: every token
/// is looked up once, instead of one binary search per list it is tested
/// against.
#[derive(Debug)]
pub(super) struct Lexicon {
    slots: Vec<(u64, Entry)>,
}

impl Default for Lexicon {
    /// An empty table (no word in any list) of [`Lexicon::SLOTS`] slots.
    fn default() -> Self {
        Lexicon {
            slots: vec![(0, Entry::default()); Self::SLOTS],
        }
    }
}

impl Lexicon {
    /// Slots: a power of two, over twice the number of listed words (the
    /// tests check), so probes stay short.
    const SLOTS: usize = 512;

    fn slot(h: u64) -> usize {
        // Word hashes end in a multiply: their high bits are the mixed ones.
        (h >> (64 - Self::SLOTS.trailing_zeros())) as usize
    }

    /// Or-s `e` into the entry of word hash `h`.
    fn insert(&mut self, h: u64, e: Entry) {
        let mut i = Self::slot(h);
        loop {
            let (k, old) = &mut self.slots[i];
            if old.class == 0 || *k == h {
                *k = h;
                old.class |= e.class;
                if e.class & class::MARKER != 0 {
                    old.marker = e.marker;
                }
                return;
            }
            i = (i + 1) % Self::SLOTS;
        }
    }

    /// The entry of word hash `h` (class 0 when it is in no list).
    #[inline]
    pub(super) fn get(&self, h: u64) -> Entry {
        let mut i = Self::slot(h);
        loop {
            let (k, e) = self.slots[i];
            if e.class == 0 {
                return Entry::default();
            }
            if k == h {
                return e;
            }
            i = (i + 1) % Self::SLOTS;
        }
    }
}

const TOKEN_SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// The hash of a token (its lower-cased bytes): what every word feature is keyed by.
pub(super) fn word_hash(w: &[u8]) -> u64 {
    bytes(TOKEN_SEED, w)
}

impl Scratch {
    /// Fills the marker tables and the [`Lexicon`] (once per scratch).
    pub(super) fn init_lists(&mut self) {
        if !self.marker_hashes.is_empty() {
            return;
        }
        self.marker_hashes = markers::MARKERS
            .iter()
            .map(|(c, m)| (*c, m.split(' ').map(|w| word_hash(w.as_bytes())).collect()))
            .collect();
        self.marker_first = self
            .marker_hashes
            .iter()
            .enumerate()
            .filter_map(|(i, (_, p))| p.first().map(|&h| (h, i as u16)))
            .collect();
        // Sorted by hash, then marker order (stable), for the lookup.
        self.marker_first.sort_by_key(|&(h, i)| (h, i));
        for (list, c) in WORD_LISTS {
            for w in list {
                let e = Entry {
                    class: c,
                    marker: 0,
                };
                self.lexicon.insert(word_hash(w.as_bytes()), e);
            }
        }
        for (k, &(h, _)) in self.marker_first.iter().enumerate() {
            if k == 0 || self.marker_first[k - 1].0 != h {
                let e = Entry {
                    class: class::MARKER,
                    marker: k as u16,
                };
                self.lexicon.insert(h, e);
            }
        }
    }
}

/// Finds the discourse markers of the tokens in `scratch`, pushing
/// `sig(category, at_start)` onto `scratch.summary` for the first occurrence
/// of each marker. Only tokens the [`Lexicon`] knows as a marker's first word
/// are compared with markers, and only with the markers starting with it.
pub(super) fn markers_into(scratch: &mut Scratch, sig: impl Fn(u8, bool) -> u64) {
    // Only word tokens take part; leading punctuation does not stop "start".
    let first_word = scratch.tok.spans.iter().position(|t| t.2).unwrap_or(0);
    let th = &scratch.thash;
    // Markers already found; the list has fewer than 256 entries (a test checks).
    let mut seen = [false; 256];
    for i in 0..th.len() {
        let e = scratch.tlex[i];
        if e.class & class::MARKER == 0 {
            continue;
        }
        for &(h, m) in &scratch.marker_first[usize::from(e.marker)..] {
            if h != th[i] {
                break;
            }
            let m = m as usize;
            if seen.get(m).copied().unwrap_or(true) {
                continue;
            }
            let (cat, phrase) = &scratch.marker_hashes[m];
            if th.get(i..i + phrase.len()) == Some(&phrase[..]) {
                seen[m] = true;
                scratch.summary.push(sig(*cat, i <= first_word));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_list_fits_the_seen_set() {
        assert!(markers::MARKERS.len() < 256);
    }

    #[test]
    fn lexicon_knows_every_listed_word_and_nothing_else() {
        let mut s = Scratch::default();
        s.init_lists();
        let used = s.lexicon.slots.iter().filter(|(_, e)| e.class != 0).count();
        assert!(used * 2 < Lexicon::SLOTS, "{used} words");
        let class_of = |w: &str| s.lexicon.get(word_hash(w.as_bytes())).class;
        for (list, c) in WORD_LISTS {
            assert!(list.iter().all(|w| class_of(w) & c != 0));
        }
        for (_, m) in markers::MARKERS {
            let first = m.split(' ').next().unwrap_or_default();
            let e = s.lexicon.get(word_hash(first.as_bytes()));
            assert!(e.class & class::MARKER != 0);
            assert_eq!(
                s.marker_first[usize::from(e.marker)].0,
                word_hash(first.as_bytes())
            );
        }
        assert_eq!(class_of("phones"), 0);
        assert_eq!(class_of("i") & class::FIRST_SINGULAR, class::FIRST_SINGULAR);
    }

    #[test]
    fn markers_are_found_at_start_and_inside() {
        let mut s = Scratch::default();
        s.init_lists();
        s.tokenize("For example, this is true because I believe it.");
        s.summary.clear();
        markers_into(&mut s, |c, st| (u64::from(c) << 1) | u64::from(st));
        let cats: Vec<(u64, bool)> = s.summary.iter().map(|&x| (x >> 1, x & 1 == 1)).collect();
        assert!(cats.contains(&(5, true)), "{cats:?}"); // example, at start
        assert!(cats.contains(&(4, false))); // because
        assert!(cats.contains(&(0, false))); // i believe
    }
}
