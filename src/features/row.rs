//! Feature ids: the namespaces that keep feature kinds apart, the hashing of
//! a (namespace, key) pair into the feature space (shared and per register),
//! and [`Row`], which pushes a sentence's features into [`Features`]. Also the
//! per-token features [`extract_deferred`](super::extract_deferred) leaves to
//! the classifier ([`token_features`]), hashed the same way.

use super::buffers::{Features, Token};
use super::spec::{FeatureSpec, CHAR_WEIGHT};
use crate::util::hash::{finish, mix};

/// Namespaces keep feature kinds apart in the shared hash space.
pub(super) mod ns {
    pub const W1: u64 = 1;
    pub const W2: u64 = 2;
    pub const FIRST: u64 = 3;
    pub const C3: u64 = 4;
    pub const MARK: u64 = 6;
    pub const MARK_START: u64 = 7;
    pub const FLAG: u64 = 8;
    pub const PREV: u64 = 9;
    pub const NEXT: u64 = 10;
    pub const LAST: u64 = 11;
}

/// Keys of the sentence boundaries in word bigrams.
pub(super) const BOS: u64 = 0x1111;
pub(super) const EOS: u64 = 0x2222;

/// Pushes hashed features into a row under construction.
pub(super) struct Row<'a> {
    pub(super) mask: u64,
    pub(super) f: &'a mut Features,
}

/// Seeds of the two register-specific copies.
const DOMAIN_SEEDS: [u64; 2] = [0x00a1_a1a1, 0x005c_5c5c];

/// Index of the shared feature `h` of namespace `ns`.
#[inline]
fn index(mask: u64, ns: u64, h: u64) -> u32 {
    (finish(mix(ns, h)) & mask) as u32
}

/// Indices of the shared feature `h` of namespace `ns` and of its two
/// register-specific copies.
#[inline]
fn domain_index(mask: u64, ns: u64, h: u64) -> (u32, u32, u32) {
    let base = mix(ns, h);
    let [a, b] = DOMAIN_SEEDS.map(|seed| (finish(mix(base, seed)) & mask) as u32);
    ((finish(base) & mask) as u32, a, b)
}

impl Row<'_> {
    /// A shared feature only (n-grams: plentiful, register-neutral).
    #[inline]
    pub(super) fn add(&mut self, ns: u64, h: u64, v: f32) {
        self.f.feats.push((index(self.mask, ns, h), v));
    }

    /// A shared feature plus its register-specific copies (cues whose meaning
    /// differs between the annotation schemes, e.g. "In conclusion, ...").
    #[inline]
    pub(super) fn add_d(&mut self, ns: u64, h: u64, v: f32) {
        let (i, a, b) = domain_index(self.mask, ns, h);
        self.f.feats.push((i, v));
        self.f.dfeats.push((a, b, v));
    }
}

/// Keys of the character 3-grams of word `w` (lower-cased bytes), with
/// word-boundary marks (4-grams were dropped for speed: they were about a
/// third of all features). Words over 62 bytes have none.
#[inline]
pub(super) fn char_grams(w: &[u8], mut f: impl FnMut(u64)) {
    let mut buf = [0u8; 64];
    if w.len() + 2 > buf.len() {
        return;
    }
    buf[0] = b' ';
    buf[1..=w.len()].copy_from_slice(w);
    buf[w.len() + 1] = b' ';
    for win in buf[..w.len() + 2].windows(3) {
        f(u64::from(win[0]) | u64::from(win[1]) << 8 | u64::from(win[2]) << 16);
    }
}

/// The features token `t` has wherever it occurs, which
/// [`extract_deferred`](super::extract_deferred) leaves out of the rows: its
/// unigram (shared, then register-specific through `domain`) and, for a word,
/// its character 3-grams (`bytes`: its lower-cased bytes,
/// [`Features::token_bytes`]).
pub fn token_features(
    spec: &FeatureSpec,
    t: &Token,
    bytes: &[u8],
    mut shared: impl FnMut(u32, f32),
    mut domain: impl FnMut(u32, u32, f32),
) {
    let mask = (spec.dim() as u64).wrapping_sub(1);
    let (i, a, b) = domain_index(mask, ns::W1, t.hash);
    shared(i, 1.0);
    domain(a, b, 1.0);
    if t.word {
        char_grams(bytes, |x| shared(index(mask, ns::C3, x), CHAR_WEIGHT));
    }
}
