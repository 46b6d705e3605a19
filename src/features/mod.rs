//! Stage 2: sentences -> sparse feature vectors for the role classifier.
//!
//! Every sentence becomes a row of hashed features (the "hashing trick"): word
//! unigrams and bigrams, the first words, character 3-grams inside words,
//! discourse-marker categories, position of the sentence in its paragraph and
//! of the paragraph in the essay (intro/body/conclusion), paragraph and essay
//! size, first/second person, modal verbs, numbers, quotations and citations,
//! overlap with the title (prompt) and with the opposite end of the essay,
//! question marks, and a summary of the same signals for the previous and next
//! sentence of the paragraph.
//!
//! Why hashing: no vocabulary to ship or look up, features are computed on the
//! fly without building strings, and the model is a dense `2^bits x k` array.
//! Extraction reuses the buffers of a [`Scratch`], so classifying an essay does
//! not allocate once the buffers have grown. Everything that determines feature
//! ids is folded into [`FeatureSpec::hash`], which the model file records.

use crate::document::Document;
use crate::text::markers;
use crate::text::tokens::{RoleTokens, TokenSpan};
use crate::text::words::ROLE_STOPWORDS;
use crate::util::hash::{bytes, finish, mix};

/// Version of the feature definitions; bump on any change to what is extracted.
pub const SPEC_VERSION: u32 = 6;

/// Weight of a character n-gram relative to a word feature (there are many more
/// of them; scaling keeps them from swamping the word and structure features).
const CHAR_WEIGHT: f32 = 0.35;

/// Parameters that fix the feature space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureSpec {
    /// Number of hash bits: the feature space has `2^bits` dimensions.
    pub bits: u32,
}

impl Default for FeatureSpec {
    fn default() -> Self {
        FeatureSpec { bits: 17 }
    }
}

impl FeatureSpec {
    /// Number of feature dimensions.
    pub fn dim(&self) -> usize {
        1usize << self.bits
    }

    /// A fingerprint of everything that decides feature ids: the spec version,
    /// the bit count, the marker lists and the character n-gram weight.
    pub fn hash(&self) -> u64 {
        let mut h = mix(u64::from(SPEC_VERSION), u64::from(self.bits));
        h = mix(h, u64::from(CHAR_WEIGHT.to_bits()));
        for (c, m) in markers::MARKERS {
            h = bytes(mix(h, u64::from(*c)), m.as_bytes());
        }
        for list in [
            markers::MODALS,
            markers::FIRST_SINGULAR,
            markers::FIRST_PLURAL,
            markers::SECOND,
            ROLE_STOPWORDS,
        ] {
            for w in list {
                h = bytes(h, w.as_bytes());
            }
        }
        finish(h)
    }
}

/// Sparse features of the sentences of one document, one row per sentence
/// (compressed sparse rows).
#[derive(Debug, Clone, Default)]
pub struct Features {
    offsets: Vec<u32>,
    /// (index, value) of every feature: one push per feature.
    feats: Vec<(u32, f32)>,
    /// Register-specific copies of the structural and lexical-cue features:
    /// (university (AAE-like) index, school (PERSUADE-like) index, value).
    doffsets: Vec<u32>,
    dfeats: Vec<(u32, u32, f32)>,
    /// With [`extract_deferred`]: per row, the tokens whose word and character
    /// features the classifier adds itself ([`token_features`]), and their bytes.
    toffsets: Vec<u32>,
    tokens: Vec<Token>,
    token_bytes: Vec<u8>,
}

/// A token whose features [`extract_deferred`] left out of its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// The token's hash: the same token always has the same features.
    pub hash: u64,
    /// Whether it is a word (words also have character 3-grams).
    pub word: bool,
    start: u32,
    end: u32,
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

    /// The deferred tokens of row `i` (none unless [`extract_deferred`] made it).
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

    fn clear(&mut self) {
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

/// Reusable buffers for [`extract`]; keep one per thread.
#[derive(Debug, Default)]
pub struct Scratch {
    /// The tokens of the sentence being read.
    tok: RoleTokens,
    /// Per-token hash.
    thash: Vec<u64>,
    /// Per-token word-list entry ([`Lexicon::get`]).
    tlex: Vec<Entry>,
    /// Per-sentence summary signals (for neighbours), flattened.
    summary: Vec<u64>,
    summary_off: Vec<u32>,
    /// Content-word hashes per sentence, flattened, and offsets.
    content: Vec<u64>,
    content_off: Vec<u32>,
    /// Sorted content-word hashes of the title, intro and conclusion.
    title_words: Vec<u64>,
    intro_words: Vec<u64>,
    concl_words: Vec<u64>,
    all_words: Vec<u64>,
    /// Pass-1 tokens of every sentence: (lower offset, token offset) per
    /// sentence, then the concatenated buffers.
    cache_off: Vec<(u32, u32)>,
    cache_lower: Vec<u8>,
    cache_tokens: Vec<TokenSpan>,
    cache_hash: Vec<u64>,
    /// Per sentence: the [`class`] bits of all its tokens, or-ed, plus
    /// [`class::OPINION`].
    sent_class: Vec<u8>,
    para_rank: Vec<u64>,
    marker_hashes: Vec<(u8, Vec<u64>)>,
    /// (first word hash, marker index), sorted.
    marker_first: Vec<(u64, u16)>,
    lexicon: Lexicon,
}

/// Bits of the word lists a token belongs to.
mod class {
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
struct Entry {
    class: u8,
    marker: u16,
}

/// The word lists as one open-addressing table keyed by word hash: every token
/// is looked up once, instead of one binary search per list it is tested
/// against.
#[derive(Debug)]
struct Lexicon {
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
    fn get(&self, h: u64) -> Entry {
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

/// Namespaces keep feature kinds apart in the shared hash space.
mod ns {
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

const TOKEN_SEED: u64 = 0x9e37_79b9_7f4a_7c15;
const BOS: u64 = 0x1111;
const EOS: u64 = 0x2222;

fn word_hash(w: &[u8]) -> u64 {
    bytes(TOKEN_SEED, w)
}

impl Scratch {
    fn init_lists(&mut self) {
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

    /// Tokenises `s` ([`RoleTokens::read`]) and looks up each token's hash
    /// and word-list entry into `thash`/`tlex`.
    fn tokenize(&mut self, s: &str) {
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
    fn cached_tokens(&self, i: usize) -> (&[u8], &[TokenSpan], &[u64]) {
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

#[inline]
fn contains(sorted: &[u64], h: u64) -> bool {
    sorted.binary_search(&h).is_ok()
}

/// Pushes hashed features into a row under construction.
struct Row<'a> {
    mask: u64,
    f: &'a mut Features,
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
    fn add(&mut self, ns: u64, h: u64, v: f32) {
        self.f.feats.push((index(self.mask, ns, h), v));
    }

    /// A shared feature plus its register-specific copies (cues whose meaning
    /// differs between the annotation schemes, e.g. "In conclusion, ...").
    #[inline]
    fn add_d(&mut self, ns: u64, h: u64, v: f32) {
        let (i, a, b) = domain_index(self.mask, ns, h);
        self.f.feats.push((i, v));
        self.f.dfeats.push((a, b, v));
    }
}

/// Keys of the character 3-grams of word `w` (lower-cased bytes), with
/// word-boundary marks (4-grams were dropped for speed: they were about a
/// third of all features). Words over 62 bytes have none.
#[inline]
fn char_grams(w: &[u8], mut f: impl FnMut(u64)) {
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

/// The features token `t` has wherever it occurs, which [`extract_deferred`]
/// leaves out of the rows: its unigram (shared, then register-specific through
/// `domain`) and, for a word, its character 3-grams (`bytes`: its lower-cased
/// bytes, [`Features::token_bytes`]).
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

/// Bits of [`bytes_seen`]: bytes whose presence in a sentence is a feature.
mod seen {
    pub const DIGIT: u8 = 1;
    pub const PERCENT: u8 = 2;
    pub const QUOTE: u8 = 4;
    /// The first byte of the typographic quotes “ and ” (and of other characters).
    pub const E2: u8 = 8;
    pub const PAREN: u8 = 16;
    pub const COLON: u8 = 32;
    pub const SEMICOLON: u8 = 64;
}

/// [`seen`] bit of each byte value.
static SEEN: [u8; 256] = {
    let mut t = [0; 256];
    let mut b = b'0';
    while b <= b'9' {
        t[b as usize] = seen::DIGIT;
        b += 1;
    }
    t[b'%' as usize] = seen::PERCENT;
    t[b'"' as usize] = seen::QUOTE;
    t[0xe2] = seen::E2;
    t[b'(' as usize] = seen::PAREN;
    t[b':' as usize] = seen::COLON;
    t[b';' as usize] = seen::SEMICOLON;
    t
};

/// The [`seen`] bits of the bytes of `text`: one pass, not one search per byte looked for.
fn bytes_seen(text: &[u8]) -> u8 {
    text.iter().fold(0, |acc, &b| acc | SEEN[usize::from(b)])
}

fn bucket(x: usize, edges: &[usize]) -> u64 {
    edges.iter().position(|&e| x <= e).unwrap_or(edges.len()) as u64
}

fn flag(id: u64, v: u64) -> u64 {
    (id << 16) | v
}

/// Fraction of `words` found in the sorted set `set`, bucketed into 0..=4.
fn overlap_bucket(words: &[u64], set: &[u64]) -> u64 {
    if words.is_empty() || set.is_empty() {
        return 0;
    }
    let hit = words.iter().filter(|&&w| contains(set, w)).count();
    if hit == 0 {
        return 0;
    }
    let f = hit as f32 / words.len() as f32;
    1 + u64::from(f >= 0.2) + u64::from(f >= 0.4) + u64::from(f >= 0.6)
}

/// Extracts the features of every sentence of `doc` into `out` (replacing its
/// contents), using `scratch` for all temporary storage.
pub fn extract(spec: &FeatureSpec, doc: &Document, out: &mut Features, scratch: &mut Scratch) {
    extract_with(spec, doc, out, scratch, false);
}

/// [`extract`], except that each token's unigram and character 3-grams are not
/// in the rows: the rows list the tokens instead ([`Features::tokens`]). Those
/// are a large share of a row's features and the same for every occurrence of
/// a word, so a classifier can add them up once per word and keep the sums (as
/// spaCy keeps a word's lexical attributes in its vocabulary).
/// [`token_features`] lists them.
pub fn extract_deferred(
    spec: &FeatureSpec,
    doc: &Document,
    out: &mut Features,
    scratch: &mut Scratch,
) {
    extract_with(spec, doc, out, scratch, true);
}

fn extract_with(
    spec: &FeatureSpec,
    doc: &Document,
    out: &mut Features,
    scratch: &mut Scratch,
    deferred: bool,
) {
    scratch.init_lists();
    out.clear();
    let mask = (spec.dim() as u64).wrapping_sub(1);
    let n_para = doc.paragraphs.len().max(1);
    let n = doc.sentences.len();

    // Pass 1: per-sentence content words and summary signals (needed by neighbours).
    scratch.summary.clear();
    scratch.summary_off.clear();
    scratch.summary_off.push(0);
    scratch.content.clear();
    scratch.content_off.clear();
    scratch.content_off.push(0);
    scratch.title_words.clear();
    scratch.sent_class.clear();
    scratch.cache_off.clear();
    scratch.cache_lower.clear();
    scratch.cache_tokens.clear();
    scratch.cache_hash.clear();
    if let Some(t) = &doc.title {
        scratch.tokenize(t);
        for i in 0..scratch.tok.spans.len() {
            if scratch.tok.spans[i].2 && scratch.tlex[i].class & class::STOP == 0 {
                scratch.title_words.push(scratch.thash[i]);
            }
        }
        scratch.title_words.sort_unstable();
        scratch.title_words.dedup();
    }
    for s in &doc.sentences {
        scratch.tokenize(&s.text);
        // Keep the tokens for pass 2 (tokenising is a tenth of the run time).
        scratch.cache_off.push((
            scratch.cache_lower.len() as u32,
            scratch.cache_tokens.len() as u32,
        ));
        scratch.cache_lower.extend_from_slice(&scratch.tok.lower);
        scratch.cache_tokens.extend_from_slice(&scratch.tok.spans);
        scratch.cache_hash.extend_from_slice(&scratch.thash);
        for i in 0..scratch.tok.spans.len() {
            if scratch.tok.spans[i].2 && scratch.tlex[i].class & class::STOP == 0 {
                scratch.content.push(scratch.thash[i]);
            }
        }
        // Unique content words per sentence (for overlap and centrality).
        let lo = *scratch.content_off.last().unwrap_or(&0) as usize;
        scratch.content[lo..].sort_unstable();
        let mut k = lo;
        for j in lo..scratch.content.len() {
            if j == lo || scratch.content[j] != scratch.content[k - 1] {
                scratch.content[k] = scratch.content[j];
                k += 1;
            }
        }
        scratch.content.truncate(k);
        scratch.content_off.push(scratch.content.len() as u32);
        let first = scratch.thash.first().copied().unwrap_or(0);
        let q = scratch.thash.last().copied() == Some(word_hash(b"?"));
        scratch.summary.push(flag(1, first));
        scratch.summary.push(flag(2, u64::from(q)));
        scratch
            .summary
            .push(flag(3, bucket(scratch.tok.spans.len(), &[6, 12, 20, 30])));
        let before = scratch.summary.len();
        // Neighbours' words (content words only: function words are everywhere).
        for j in 0..scratch.tok.spans.len() {
            if scratch.tok.spans[j].2 && scratch.tlex[j].class & class::STOP == 0 {
                scratch
                    .summary
                    .push(mix(0x5555, scratch.thash[j]) | 1 << 63);
            }
        }
        markers_into(scratch, |cat, start| {
            (4 << 16) | (u64::from(cat) << 1) | u64::from(start)
        });
        // Dedup the marker signals of this sentence.
        let tail = &mut scratch.summary[before..];
        tail.sort_unstable();
        let mut k = before;
        for j in before..scratch.summary.len() {
            if j == before || scratch.summary[j] != scratch.summary[k - 1] {
                scratch.summary[k] = scratch.summary[j];
                k += 1;
            }
        }
        scratch.summary.truncate(k);
        scratch.summary_off.push(scratch.summary.len() as u32);
        // Stance cues, for "the first opinion in the essay" features.
        let opinion = scratch.summary[before..]
            .iter()
            .any(|&x| x >> 16 == 4 && (x & 0xffff) >> 1 == 0);
        let classes = scratch.tlex.iter().fold(0, |c, e| c | e.class);
        scratch
            .sent_class
            .push(classes | if opinion { class::OPINION } else { 0 });
    }
    // Content words of the first and last paragraphs.
    scratch.intro_words.clear();
    scratch.concl_words.clear();
    let last_para = doc.paragraphs.len().saturating_sub(1);
    for s in &doc.sentences {
        let (a, b) = (
            scratch.content_off[s.index] as usize,
            scratch.content_off[s.index + 1] as usize,
        );
        if s.paragraph == 0 {
            scratch
                .intro_words
                .extend_from_slice(&scratch.content[a..b]);
        }
        if s.paragraph == last_para && last_para > 0 {
            scratch
                .concl_words
                .extend_from_slice(&scratch.content[a..b]);
        }
    }
    for v in [&mut scratch.intro_words, &mut scratch.concl_words] {
        v.sort_unstable();
        v.dedup();
    }
    // Every sentence's unique content words, for centrality (words the rest of
    // the essay repeats: the thesis is echoed throughout).
    scratch.all_words.clear();
    scratch.all_words.extend_from_slice(&scratch.content);
    scratch.all_words.sort_unstable();
    // Index of each paragraph among "substantial" ones (a salutation such as
    // "Dear Principal," is a paragraph of its own but not the introduction).
    scratch.para_rank.clear();
    let mut rank = 0u64;
    for p in 0..doc.paragraphs.len() {
        let ss = doc.paragraph_sentences(p);
        // Characters, not bytes: "you’ll" is as long as "you'll".
        let substantial =
            ss.len() >= 2 || ss.iter().map(|s| s.text.chars().count()).sum::<usize>() >= 60;
        scratch.para_rank.push(if substantial { rank } else { 9 });
        rank += u64::from(substantial);
    }

    // Pass 2: the feature rows.
    let title_given = u64::from(doc.title.is_some());
    let (mut start_of_para, mut end_of_para) = (0usize, 0usize);
    // Earlier sentences with an opinion cue / a modal, counted up to 2.
    let mut earlier = [0u64; 2];
    for (si, s) in doc.sentences.iter().enumerate() {
        if si == end_of_para {
            // A new paragraph: find its end once (not once per sentence).
            start_of_para = si;
            end_of_para = si + 1;
            while end_of_para < n && doc.sentences[end_of_para].paragraph == s.paragraph {
                end_of_para += 1;
            }
        }
        let para_len = end_of_para - start_of_para;
        let pos = si - start_of_para;
        let is_last = si + 1 == end_of_para;
        let (lower, toks, th) = scratch.cached_tokens(si);
        let mut row = Row { mask, f: out };
        // Word n-grams.
        let mut prev = BOS;
        for &h in th.iter() {
            if !deferred {
                row.add_d(ns::W1, h, 1.0);
            }
            row.add(ns::W2, mix(prev, h), 1.0);
            prev = h;
        }
        row.add(ns::W2, mix(prev, EOS), 1.0);
        // Opening words: "for example ,", "in conclusion ,".
        let mut h = 0u64;
        for (k, &t) in th.iter().take(3).enumerate() {
            h = mix(h, t);
            row.add_d(ns::FIRST, mix(h, k as u64), 1.0);
        }
        if let Some(&l) = th.last() {
            row.add_d(ns::LAST, l, 1.0);
        }
        if deferred {
            for (&(a, b, word), &hash) in toks.iter().zip(th) {
                let start = row.f.token_bytes.len() as u32;
                if word {
                    // Only words need their bytes (for the 3-grams).
                    row.f
                        .token_bytes
                        .extend_from_slice(&lower[a as usize..b as usize]);
                }
                let end = row.f.token_bytes.len() as u32;
                row.f.tokens.push(Token {
                    hash,
                    word,
                    start,
                    end,
                });
            }
        } else {
            for &(a, b, word) in toks.iter() {
                if word {
                    let w = &lower[a as usize..b as usize];
                    char_grams(w, |x| row.add(ns::C3, x, CHAR_WEIGHT));
                }
            }
        }
        // Discourse markers (from the summary of pass 1).
        let (sa, sb) = (
            scratch.summary_off[si] as usize,
            scratch.summary_off[si + 1] as usize,
        );
        for &sig in &scratch.summary[sa..sb] {
            if sig >> 16 == 4 {
                let v = sig & 0xffff;
                row.add_d(
                    if v & 1 == 1 { ns::MARK_START } else { ns::MARK },
                    v >> 1,
                    1.0,
                );
            }
        }
        // Structure: sentence in paragraph, paragraph in essay.
        let para_kind: u64 = if n_para == 1 {
            0
        } else if s.paragraph == 0 {
            1
        } else if s.paragraph + 1 == n_para {
            2
        } else {
            3
        };
        let pos_kind: u64 = if para_len == 1 {
            0
        } else if pos == 0 {
            1
        } else if is_last {
            2
        } else {
            3
        };
        let mut flags: [u64; 48] = [0; 48];
        let mut nf = 0;
        let mut push = |f: u64| {
            if nf < flags.len() {
                flags[nf] = f;
                nf += 1;
            }
        };
        push(flag(10, bucket(pos, &[0, 1, 2])));
        push(flag(
            9,
            para_kind * 8 + bucket(para_len - 1 - pos, &[0, 1, 2]),
        ));
        push(flag(11, para_kind));
        push(flag(12, para_kind * 8 + pos_kind));
        push(flag(13, bucket(s.paragraph, &[0, 1, 2, 3])));
        push(flag(
            14,
            bucket(n_para - 1 - s.paragraph.min(n_para - 1), &[0, 1]),
        ));
        push(flag(15, bucket(para_len, &[1, 2, 3, 5, 8])));
        push(flag(16, bucket(n_para, &[1, 2, 3, 4, 5])));
        push(flag(17, bucket(toks.len(), &[5, 10, 15, 20, 30, 45])));
        push(flag(18, para_kind * 8 + bucket(toks.len(), &[10, 20, 35])));
        let any = |c: u8| u64::from(scratch.sent_class[si] & c != 0);
        push(flag(20, any(class::FIRST_SINGULAR)));
        push(flag(21, any(class::FIRST_PLURAL)));
        push(flag(22, any(class::SECOND)));
        push(flag(23, any(class::MODAL)));
        let present = bytes_seen(s.text.as_bytes());
        let has = |bit: u8| present & bit != 0;
        let digits = has(seen::DIGIT);
        let percent = has(seen::PERCENT) || th.contains(&word_hash(b"percent"));
        push(flag(24, u64::from(digits) + 2 * u64::from(percent)));
        // Bytes first: a char-set search decodes every character.
        let quote = has(seen::QUOTE) || (has(seen::E2) && s.text.contains(['“', '”']));
        let paren_cite = has(seen::PAREN)
            && s.text.find('(').is_some_and(|i| {
                s.text[i..]
                    .split(')')
                    .next()
                    .is_some_and(|p| p.bytes().any(|b| b.is_ascii_digit()))
            });
        push(flag(25, u64::from(quote) + 2 * u64::from(paren_cite)));
        let last_tok = toks.last().map(|&(a, b, _)| &lower[a as usize..b as usize]);
        let end = match last_tok {
            Some(b"?") => 1,
            Some(b"!") => 2,
            Some(b".") => 3,
            _ => 0,
        };
        push(flag(26, end));
        push(flag(27, para_kind * 8 + end));
        push(flag(
            28,
            u64::from(has(seen::COLON)) + 2 * u64::from(has(seen::SEMICOLON)),
        ));
        // Overlap with the title and with the opposite end of the essay.
        let words = &scratch.content
            [scratch.content_off[si] as usize..scratch.content_off[si + 1] as usize];
        push(flag(30, title_given));
        if title_given == 1 {
            let ob = overlap_bucket(words, &scratch.title_words);
            push(flag(31, ob));
            push(flag(32, para_kind * 8 + ob));
        }
        let other_end: &[u64] = if s.paragraph == 0 {
            &scratch.concl_words
        } else {
            &scratch.intro_words
        };
        let oe = overlap_bucket(words, other_end);
        push(flag(33, para_kind * 8 + oe));
        push(flag(34, (para_kind * 8 + pos_kind) * 8 + oe));
        // Thesis cues: place in the essay, place among substantial paragraphs,
        // and centrality.
        push(flag(40, bucket(si, &[0, 1, 2, 3, 5, 8])));
        let rank = scratch.para_rank.get(s.paragraph).copied().unwrap_or(9);
        push(flag(41, rank.min(9) * 8 + pos_kind));
        push(flag(42, rank.min(9) * 8 + bucket(pos, &[0, 1, 2, 3])));
        let central = if words.is_empty() {
            0
        } else {
            let shared = words
                .iter()
                .filter(|&&w| {
                    let lo = scratch.all_words.partition_point(|&x| x < w);
                    scratch.all_words.get(lo + 1) == Some(&w)
                })
                .count();
            let f = shared as f32 / words.len() as f32;
            1 + u64::from(f >= 0.25) + u64::from(f >= 0.5) + u64::from(f >= 0.75)
        };
        push(flag(43, central));
        push(flag(44, (rank.min(9) * 8 + pos_kind) * 8 + central));
        // The first stance-taking sentence of an essay is often its thesis.
        let st = [class::OPINION, class::MODAL].map(any);
        push(flag(45, st[0] * 4 + earlier[0]));
        push(flag(46, (st[1] * 4 + earlier[1]) * 8 + para_kind));
        for (e, s) in earlier.iter_mut().zip(st) {
            *e = (*e + s).min(2);
        }
        // Marker categories by place (a conclusion marker opens a conclusion).
        for &sig in &scratch.summary[sa..sb] {
            if sig >> 16 == 4 {
                push(flag(47, ((sig & 0xffff) * 8 + para_kind) * 8 + pos_kind));
            }
        }
        for &f in &flags[..nf] {
            row.add_d(ns::FLAG, f, 1.0);
        }
        // The previous and next sentence of the paragraph, summarised.
        for (nsx, nb) in [
            (ns::PREV, (pos > 0).then(|| si - 1)),
            (ns::NEXT, (!is_last).then_some(si + 1)),
        ] {
            match nb {
                Some(j) => {
                    let (a, b) = (
                        scratch.summary_off[j] as usize,
                        scratch.summary_off[j + 1] as usize,
                    );
                    for &sig in &scratch.summary[a..b] {
                        // Neighbours' words are shared-only (many, register-neutral).
                        if sig >> 63 == 1 {
                            row.add(nsx, sig, 1.0);
                        } else {
                            row.add_d(nsx, sig, 1.0);
                        }
                    }
                }
                None => row.add_d(nsx, 0xdead, 1.0),
            }
        }
        out.offsets.push(out.feats.len() as u32);
        out.doffsets.push(out.dfeats.len() as u32);
        out.toffsets.push(out.tokens.len() as u32);
    }
}

/// Finds the discourse markers of the tokens in `scratch`, pushing
/// `sig(category, at_start)` onto `scratch.summary` for the first occurrence
/// of each marker. Only tokens the [`Lexicon`] knows as a marker's first word
/// are compared with markers, and only with the markers starting with it.
fn markers_into(scratch: &mut Scratch, sig: impl Fn(u8, bool) -> u64) {
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
    use crate::segment::{self, RuleSegmenter};

    fn feats(title: Option<&str>, text: &str) -> (Document, Features) {
        let doc = segment::document(
            &RuleSegmenter::default(),
            None,
            title.map(str::to_string),
            text.to_string(),
        );
        let mut f = Features::default();
        let mut s = Scratch::default();
        extract(&FeatureSpec::default(), &doc, &mut f, &mut s);
        (doc, f)
    }

    #[test]
    fn one_row_per_sentence_and_in_range() {
        let (doc, f) = feats(
            Some("Should homework be banned?"),
            "Homework helps. For example, my cousin improved.\n\nIn conclusion, keep it.",
        );
        assert_eq!(f.len(), doc.sentences.len());
        let dim = FeatureSpec::default().dim() as u32;
        for i in 0..f.len() {
            let row = f.row(i);
            assert!(!row.is_empty());
            assert!(row.iter().all(|&(j, _)| j < dim));
            assert!(f.domain_row(i).iter().all(|&(a, b, _)| a < dim && b < dim));
        }
        assert!(f.row(99).is_empty() && f.domain_row(99).is_empty());
    }

    #[test]
    fn deterministic_and_reusable_scratch() {
        let text = "We should act now. Studies show that 40% agree (Smith 2010).";
        let (_, a) = feats(None, text);
        let (_, b) = feats(None, text);
        assert_eq!(a.feats, b.feats);
        // Reusing a dirty scratch gives the same rows.
        let doc = segment::document(&RuleSegmenter::default(), None, None, text.into());
        let mut s = Scratch::default();
        let mut f = Features::default();
        let other = segment::document(&RuleSegmenter::default(), None, None, "Dear sir?".into());
        extract(&FeatureSpec::default(), &other, &mut f, &mut s);
        extract(&FeatureSpec::default(), &doc, &mut f, &mut s);
        assert_eq!(f.feats, a.feats);
    }

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

    proptest::proptest! {
        #[test]
        fn bytes_seen_are_the_bytes_searched_for(t in "[a1%\"“”(:;’.]{0,40}") {
            let b = t.as_bytes();
            let present = bytes_seen(b);
            let want = [
                (seen::DIGIT, b.iter().any(u8::is_ascii_digit)),
                (seen::PERCENT, b.contains(&b'%')),
                (seen::QUOTE, b.contains(&b'"')),
                (seen::E2, b.contains(&0xe2)),
                (seen::PAREN, b.contains(&b'(')),
                (seen::COLON, b.contains(&b':')),
                (seen::SEMICOLON, b.contains(&b';')),
            ];
            for (bit, found) in want {
                proptest::prop_assert_eq!(present & bit != 0, found, "{:?} bit {}", t, bit);
            }
        }
    }

    #[test]
    fn typographic_apostrophes_dashes_and_ellipses_give_the_same_features() {
        // The middle paragraph is 59 characters: one byte more per ’ would make
        // it a "substantial" paragraph if lengths were counted in bytes.
        let text = "Phones help pupils learn.\n\nAnd you'll have a better chance at making the \
                    right choice.\n\nSo schools shouldn't ban them. They're useful.";
        let (_, a) = feats(None, text);
        let (_, b) = feats(None, &text.replace('\'', "\u{2019}"));
        assert_eq!(a.feats, b.feats);
        assert_eq!(a.dfeats, b.dfeats);
        let dash = "Phones help - or so they say. It's true - mostly.";
        let (_, a) = feats(None, dash);
        let (_, b) = feats(None, &dash.replace(" - ", " \u{2013} "));
        assert_eq!((a.feats, a.dfeats), (b.feats, b.dfeats));
        // And an ellipsis character is three full stops.
        let dots = "Phones help... Or do they? Some say so...";
        let (_, a) = feats(None, dots);
        let (_, b) = feats(None, &dots.replace("...", "\u{2026}"));
        assert_eq!((a.feats, a.dfeats), (b.feats, b.dfeats));
    }

    #[test]
    fn deferred_rows_and_token_features_make_the_full_rows() {
        let title = Some("Should schools ban phones?");
        let long = "a".repeat(70);
        let text = format!(
            "Phones distract students’ minds, don't they? {long} is long.\n\n\
             For example, 40% of teachers agree (Smith 2010)… In conclusion, ban them."
        );
        let (doc, full) = feats(title, &text);
        let spec = FeatureSpec::default();
        let mut d = Features::default();
        extract_deferred(&spec, &doc, &mut d, &mut Scratch::default());
        assert_eq!(d.len(), full.len());
        let key = |&(j, v): &(u32, f32)| (j, v.to_bits());
        let dkey = |&(a, b, v): &(u32, u32, f32)| (a, b, v.to_bits());
        for i in 0..full.len() {
            assert!(!d.tokens(i).is_empty());
            let mut shared = d.row(i).to_vec();
            let mut domain = d.domain_row(i).to_vec();
            for t in d.tokens(i) {
                token_features(
                    &spec,
                    t,
                    d.token_bytes(t),
                    |j, v| shared.push((j, v)),
                    |a, b, v| domain.push((a, b, v)),
                );
            }
            let mut want = full.row(i).to_vec();
            let mut want_domain = full.domain_row(i).to_vec();
            for v in [&mut shared, &mut want] {
                v.sort_by_key(key);
            }
            for v in [&mut domain, &mut want_domain] {
                v.sort_by_key(dkey);
            }
            assert_eq!(shared, want, "row {i}");
            assert_eq!(domain, want_domain, "row {i}");
        }
        assert!(d.tokens(99).is_empty());
        assert!(d.feats.len() < full.feats.len());
    }

    #[test]
    fn question_changes_features() {
        let (_, a) = feats(None, "Should schools ban phones?");
        let (_, b) = feats(None, "Schools should ban phones.");
        assert_ne!(a.feats, b.feats);
    }

    #[test]
    fn spec_hash_depends_on_bits() {
        assert_ne!(
            FeatureSpec { bits: 17 }.hash(),
            FeatureSpec { bits: 18 }.hash()
        );
    }
}
