//! The buffers extraction fills and reuses: [`Features`], the rows handed to
//! the classifier, and [`Scratch`], the per-thread working storage that keeps
//! extraction from allocating once it has grown.

use super::lexicon::{word_hash, Entry, Lexicon};
use crate::text::tokens::{RoleTokens, TokenSpan};

/// (compressed sparse rows).
#[derive(Debug, Clone, Default)]
pub struct Features {
    pub(super) offsets: Vec<u32>,
    /// (index, value) of every feature: one push per feature.
    pub(super) feats: Vec<(u32, f32)>,
    /// Register-specific copies of the structural and lexical-cue features:
    /// (university (AAE-like) index, school (PERSUADE-like) index, value).
    pub(super) doffsets: Vec<u32>,
    pub(super) dfeats: Vec<(u32, u32, f32)>,
    /// With [`extract_deferred`](super::extract_deferred): per row, the
    /// tokens whose word and character features the classifier adds itself
    /// ([`token_features`](super::token_features)), and their bytes.
    pub(super) toffsets: Vec<u32>,
    pub(super) tokens: Vec<Token>,
    pub(super) token_bytes: Vec<u8>,
}

/// A token whose features [`extract_deferred`](super::extract_deferred) left
/// out of its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// The token's hash: the same token always has the same features.
    pub hash: u64,
    /// Whether it is a word (words also have character 3-grams).
    pub word: bool,
    pub(super) start: u32,
    pub(super) end: u32,
}

impl Features {
    /// Number of rows (sentences).
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// (feature index, value) of row `i` (empty if out of range).
    pub fn row(&self, i: usize) -> &[(u32, f32)] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.feats[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Register-specific (university index, school index, value) of row `i`.
    pub fn domain_row(&self, i: usize) -> &[(u32, u32, f32)] {
        match (self.doffsets.get(i), self.doffsets.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.dfeats[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The deferred tokens of row `i` (none unless
    /// [`extract_deferred`](super::extract_deferred) made it).
    pub fn tokens(&self, i: usize) -> &[Token] {
        match (self.toffsets.get(i), self.toffsets.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.tokens[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The lower-cased bytes of a token of these features.
    pub fn token_bytes(&self, t: &Token) -> &[u8] {
        self.token_bytes
            .get(t.start as usize..t.end as usize)
            .unwrap_or(&[])
    }

    /// Number of feature entries (over all rows) the buffers can hold without
    /// growing.
    pub fn capacity(&self) -> usize {
        self.feats.capacity().max(self.tokens.capacity())
    }

    pub(super) fn clear(&mut self) {
        self.offsets.clear();
        self.feats.clear();
        self.offsets.push(0);
        self.doffsets.clear();
        self.dfeats.clear();
        self.doffsets.push(0);
        self.toffsets.clear();
        self.tokens.clear();
        self.token_bytes.clear();
        self.toffsets.push(0);
    }
}

/// Reusable buffers for [`extract`](super::extract); keep one per thread.
#[derive(Debug, Default)]
pub struct Scratch {
    /// The tokens of the sentence being read.
    pub(super) tok: RoleTokens,
    /// Per-token hash.
    pub(super) thash: Vec<u64>,
    /// Per-token word-list entry ([`Lexicon::get`]).
    pub(super) tlex: Vec<Entry>,
    /// Per-sentence summary signals (for neighbours), flattened.
    pub(super) summary: Vec<u64>,
    pub(super) summary_off: Vec<u32>,
    /// Content-word hashes per sentence, flattened, and offsets.
    pub(super) content: Vec<u64>,
    pub(super) content_off: Vec<u32>,
    /// Sorted content-word hashes of the title, intro and conclusion.
    pub(super) title_words: Vec<u64>,
    pub(super) intro_words: Vec<u64>,
    pub(super) concl_words: Vec<u64>,
    pub(super) all_words: Vec<u64>,
    /// Pass-1 tokens of every sentence: (lower offset, token offset) per
    /// sentence, then the concatenated buffers.
    pub(super) cache_off: Vec<(u32, u32)>,
    pub(super) cache_lower: Vec<u8>,
    pub(super) cache_tokens: Vec<TokenSpan>,
    pub(super) cache_hash: Vec<u64>,
    /// Per sentence: the [`class`](super::lexicon::class) bits of all its
    /// tokens, or-ed, plus [`class::OPINION`](super::lexicon::class::OPINION).
    pub(super) sent_class: Vec<u8>,
    pub(super) para_rank: Vec<u64>,
    pub(super) marker_hashes: Vec<(u8, Vec<u64>)>,
    /// (first word hash, marker index), sorted.
    pub(super) marker_first: Vec<(u64, u16)>,
    pub(super) lexicon: Lexicon,
}

impl Scratch {
    /// Tokenises `s` ([`RoleTokens::read`]) and looks up each token's hash
    /// and word-list entry into `thash`/`tlex`.
    pub(super) fn tokenize(&mut self, s: &str) {
        self.tok.read(s);
        self.thash.clear();
        self.tlex.clear();
        for &(a, b, _) in &self.tok.spans {
            let h = word_hash(&self.tok.lower[a as usize..b as usize]);
            self.thash.push(h);
            self.tlex.push(self.lexicon.get(h));
        }
    }

    /// The cached pass-1 tokens of sentence `i`: its lower-cased bytes, its
    /// tokens (spans into those bytes) and their hashes.
    pub(super) fn cached_tokens(&self, i: usize) -> (&[u8], &[TokenSpan], &[u64]) {
        let (l0, t0) = self.cache_off.get(i).copied().unwrap_or((0, 0));
        let (l1, t1) = self.cache_off.get(i + 1).copied().unwrap_or((
            self.cache_lower.len() as u32,
            self.cache_tokens.len() as u32,
        ));
        let (l, t) = (l0 as usize..l1 as usize, t0 as usize..t1 as usize);
        (
            &self.cache_lower[l],
            &self.cache_tokens[t.clone()],
            &self.cache_hash[t],
        )
    }
}
