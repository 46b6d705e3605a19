//! Extraction proper: [`extract`] reads an essay in two passes. Pass 1
//! tokenises each sentence once and keeps what other sentences need of it
//! (content words, a summary for its neighbours, word classes) plus essay-wide
//! sets (title, intro and conclusion words, paragraph ranks). Pass 2 writes each
//! sentence's row, one step per feature family: word and character n-grams,
//! discourse markers, flags (position, person, surface, overlap, thesis cues,
//! stance, markers by place) and the neighbours' summaries.
//!
//! This runs for every sentence of every essay: the steps are `#[inline]`
//! functions over the same buffers, and the order in which they push features
//! is part of the output (it must not change).

use super::buffers::{Features, Scratch, Token};
use super::lexicon::{class, markers_into, word_hash};
use super::row::{char_grams, ns, Row, BOS, EOS};
use super::spec::{FeatureSpec, CHAR_WEIGHT};
use crate::document::Document;
use crate::text::tokens::TokenSpan;
use crate::util::hash::mix;

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

/// Index of the first edge `x` does not exceed (`edges.len()` past the last).
fn bucket(x: usize, edges: &[usize]) -> u64 {
    edges.iter().position(|&e| x <= e).unwrap_or(edges.len()) as u64
}

/// A flag feature's key: flag `id` with value `v`.
fn flag(id: u64, v: u64) -> u64 {
    (id << 16) | v
}

#[inline]
fn contains(sorted: &[u64], h: u64) -> bool {
    sorted.binary_search(&h).is_ok()
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
/// [`token_features`](super::token_features) lists them.
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
    clear_pass1(scratch);
    if let Some(t) = &doc.title {
        title_words(scratch, t);
    }
    for s in &doc.sentences {
        scratch.tokenize(&s.text);
        cache_tokens(scratch);
        content_words(scratch);
        summarise(scratch);
    }
    end_words(scratch, doc);
    paragraph_ranks(scratch, doc);

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
        let at = Place::new(si, s.paragraph, start_of_para, end_of_para, n_para);
        let (lower, toks, th) = scratch.cached_tokens(si);
        let mut row = Row { mask, f: out };
        word_ngrams(&mut row, th, deferred);
        if deferred {
            list_tokens(&mut row, lower, toks, th);
        } else {
            char_ngrams(&mut row, lower, toks);
        }
        let sigs = summary(scratch, si);
        marker_features(&mut row, sigs);
        let words = &scratch.content
            [scratch.content_off[si] as usize..scratch.content_off[si + 1] as usize];
        let class = scratch.sent_class[si];
        let mut flags = Flags::default();
        position_flags(&mut flags, &at, toks.len());
        person_flags(&mut flags, class);
        surface_flags(&mut flags, &s.text, lower, toks, th, at.para_kind);
        overlap_flags(&mut flags, scratch, words, &at, title_given);
        thesis_flags(&mut flags, scratch, words, &at);
        stance_flags(&mut flags, class, &mut earlier, at.para_kind);
        marker_place_flags(&mut flags, sigs, &at);
        for &f in flags.as_slice() {
            row.add_d(ns::FLAG, f, 1.0);
        }
        neighbour_features(&mut row, scratch, &at);
        out.offsets.push(out.feats.len() as u32);
        out.doffsets.push(out.dfeats.len() as u32);
        out.toffsets.push(out.tokens.len() as u32);
    }
}

/// Empties the pass-1 buffers of `scratch` (the per-essay ones are emptied
/// where they are filled).
#[inline]
fn clear_pass1(scratch: &mut Scratch) {
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
}

/// Whether token `i` of the tokenised sentence is a content word (a word, not
/// a stopword).
#[inline]
fn is_content(scratch: &Scratch, i: usize) -> bool {
    scratch.tok.spans[i].2 && scratch.tlex[i].class & class::STOP == 0
}

/// The title's unique content words, sorted, into `scratch.title_words`.
#[inline]
fn title_words(scratch: &mut Scratch, title: &str) {
    scratch.tokenize(title);
    for i in 0..scratch.tok.spans.len() {
        if is_content(scratch, i) {
            scratch.title_words.push(scratch.thash[i]);
        }
    }
    scratch.title_words.sort_unstable();
    scratch.title_words.dedup();
}

/// Keeps the tokens of the sentence just read for pass 2 (tokenising is a
/// tenth of the run time).
#[inline]
fn cache_tokens(scratch: &mut Scratch) {
    scratch.cache_off.push((
        scratch.cache_lower.len() as u32,
        scratch.cache_tokens.len() as u32,
    ));
    scratch.cache_lower.extend_from_slice(&scratch.tok.lower);
    scratch.cache_tokens.extend_from_slice(&scratch.tok.spans);
    scratch.cache_hash.extend_from_slice(&scratch.thash);
}

/// The unique content words of the sentence just read, sorted, onto
/// `scratch.content` (for overlap and centrality).
#[inline]
fn content_words(scratch: &mut Scratch) {
    for i in 0..scratch.tok.spans.len() {
        if is_content(scratch, i) {
            scratch.content.push(scratch.thash[i]);
        }
    }
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
}

/// The summary signals of the sentence just read onto `scratch.summary` (its
/// first word, question mark, length, content words and marker categories:
/// what its neighbours see of it), and its word classes onto
/// `scratch.sent_class`.
#[inline]
fn summarise(scratch: &mut Scratch) {
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
        if is_content(scratch, j) {
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

/// The content words of the first and last paragraphs, and every sentence's
/// unique content words, for centrality (words the rest of the essay repeats:
/// the thesis is echoed throughout); all sorted.
#[inline]
fn end_words(scratch: &mut Scratch, doc: &Document) {
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
    scratch.all_words.clear();
    scratch.all_words.extend_from_slice(&scratch.content);
    scratch.all_words.sort_unstable();
}

/// Index of each paragraph among "substantial" ones (a salutation such as
/// "Dear Principal," is a paragraph of its own but not the introduction), 9
/// for the others, into `scratch.para_rank`.
#[inline]
fn paragraph_ranks(scratch: &mut Scratch, doc: &Document) {
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
}

/// Where a sentence stands: in its paragraph and the paragraph in the essay.
struct Place {
    /// Sentence index in the essay.
    si: usize,
    /// Paragraph index.
    paragraph: usize,
    /// Number of paragraphs (at least 1).
    n_para: usize,
    /// Sentence index in the paragraph, and the paragraph's sentence count.
    pos: usize,
    para_len: usize,
    is_last: bool,
    /// 0 only paragraph, 1 first, 2 last, 3 body.
    para_kind: u64,
    /// 0 only sentence, 1 first, 2 last, 3 middle.
    pos_kind: u64,
}

impl Place {
    /// Sentence `si` of paragraph `paragraph`, whose sentences are
    /// `start..end`, in an essay of `n_para` paragraphs.
    #[inline]
    fn new(si: usize, paragraph: usize, start: usize, end: usize, n_para: usize) -> Place {
        let para_len = end - start;
        let pos = si - start;
        let is_last = si + 1 == end;
        let para_kind: u64 = if n_para == 1 {
            0
        } else if paragraph == 0 {
            1
        } else if paragraph + 1 == n_para {
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
        Place {
            si,
            paragraph,
            n_para,
            pos,
            para_len,
            is_last,
            para_kind,
            pos_kind,
        }
    }
}

/// The summary signals of sentence `si` (pass 1).
#[inline]
fn summary(scratch: &Scratch, si: usize) -> &[u64] {
    let (a, b) = (
        scratch.summary_off[si] as usize,
        scratch.summary_off[si + 1] as usize,
    );
    &scratch.summary[a..b]
}

/// Word unigrams (unless `deferred`) and bigrams, the opening words ("for
/// example ,", "in conclusion ,") and the last token.
#[inline]
fn word_ngrams(row: &mut Row, th: &[u64], deferred: bool) {
    let mut prev = BOS;
    for &h in th.iter() {
        if !deferred {
            row.add_d(ns::W1, h, 1.0);
        }
        row.add(ns::W2, mix(prev, h), 1.0);
        prev = h;
    }
    row.add(ns::W2, mix(prev, EOS), 1.0);
    let mut h = 0u64;
    for (k, &t) in th.iter().take(3).enumerate() {
        h = mix(h, t);
        row.add_d(ns::FIRST, mix(h, k as u64), 1.0);
    }
    if let Some(&l) = th.last() {
        row.add_d(ns::LAST, l, 1.0);
    }
}

/// The row's tokens (and the bytes of its words), whose unigrams and
/// character 3-grams the classifier adds itself.
#[inline]
fn list_tokens(row: &mut Row, lower: &[u8], toks: &[TokenSpan], th: &[u64]) {
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
}

/// The character 3-grams of the sentence's words.
#[inline]
fn char_ngrams(row: &mut Row, lower: &[u8], toks: &[TokenSpan]) {
    for &(a, b, word) in toks.iter() {
        if word {
            let w = &lower[a as usize..b as usize];
            char_grams(w, |x| row.add(ns::C3, x, CHAR_WEIGHT));
        }
    }
}

/// Discourse-marker categories, at the start of the sentence or inside (from
/// its summary signals `sigs`).
#[inline]
fn marker_features(row: &mut Row, sigs: &[u64]) {
    for &sig in sigs {
        if sig >> 16 == 4 {
            let v = sig & 0xffff;
            row.add_d(
                if v & 1 == 1 { ns::MARK_START } else { ns::MARK },
                v >> 1,
                1.0,
            );
        }
    }
}

/// The flag features of a sentence, collected before they are hashed into
/// its row.
struct Flags {
    buf: [u64; 48],
    n: usize,
}

impl Default for Flags {
    #[inline]
    fn default() -> Self {
        Flags { buf: [0; 48], n: 0 }
    }
}

impl Flags {
    /// Adds flag `f` (past 48 flags, drops it).
    #[inline]
    fn push(&mut self, f: u64) {
        if self.n < self.buf.len() {
            self.buf[self.n] = f;
            self.n += 1;
        }
    }

    #[inline]
    fn as_slice(&self) -> &[u64] {
        &self.buf[..self.n]
    }
}

/// Structure: the sentence in its paragraph, the paragraph in the essay, and
/// their sizes (`ntok`: the sentence's tokens).
#[inline]
fn position_flags(flags: &mut Flags, at: &Place, ntok: usize) {
    let (pos, para_len, para_kind, n_para) = (at.pos, at.para_len, at.para_kind, at.n_para);
    flags.push(flag(10, bucket(pos, &[0, 1, 2])));
    flags.push(flag(
        9,
        para_kind * 8 + bucket(para_len - 1 - pos, &[0, 1, 2]),
    ));
    flags.push(flag(11, para_kind));
    flags.push(flag(12, para_kind * 8 + at.pos_kind));
    flags.push(flag(13, bucket(at.paragraph, &[0, 1, 2, 3])));
    flags.push(flag(
        14,
        bucket(n_para - 1 - at.paragraph.min(n_para - 1), &[0, 1]),
    ));
    flags.push(flag(15, bucket(para_len, &[1, 2, 3, 5, 8])));
    flags.push(flag(16, bucket(n_para, &[1, 2, 3, 4, 5])));
    flags.push(flag(17, bucket(ntok, &[5, 10, 15, 20, 30, 45])));
    flags.push(flag(18, para_kind * 8 + bucket(ntok, &[10, 20, 35])));
}

/// First and second person and modal verbs (`classes`: the sentence's
/// [`class`] bits).
#[inline]
fn person_flags(flags: &mut Flags, classes: u8) {
    let any = |c: u8| u64::from(classes & c != 0);
    flags.push(flag(20, any(class::FIRST_SINGULAR)));
    flags.push(flag(21, any(class::FIRST_PLURAL)));
    flags.push(flag(22, any(class::SECOND)));
    flags.push(flag(23, any(class::MODAL)));
}

/// What the text shows: numbers and percentages, quotations and
/// parenthesised citations, the closing punctuation, colons and semicolons.
#[inline]
fn surface_flags(
    flags: &mut Flags,
    text: &str,
    lower: &[u8],
    toks: &[TokenSpan],
    th: &[u64],
    para_kind: u64,
) {
    let present = bytes_seen(text.as_bytes());
    let has = |bit: u8| present & bit != 0;
    let digits = has(seen::DIGIT);
    let percent = has(seen::PERCENT) || th.contains(&word_hash(b"percent"));
    flags.push(flag(24, u64::from(digits) + 2 * u64::from(percent)));
    // Bytes first: a char-set search decodes every character.
    let quote = has(seen::QUOTE) || (has(seen::E2) && text.contains(['“', '”']));
    let paren_cite = has(seen::PAREN)
        && text.find('(').is_some_and(|i| {
            text[i..]
                .split(')')
                .next()
                .is_some_and(|p| p.bytes().any(|b| b.is_ascii_digit()))
        });
    flags.push(flag(25, u64::from(quote) + 2 * u64::from(paren_cite)));
    let last_tok = toks.last().map(|&(a, b, _)| &lower[a as usize..b as usize]);
    let end = match last_tok {
        Some(b"?") => 1,
        Some(b"!") => 2,
        Some(b".") => 3,
        _ => 0,
    };
    flags.push(flag(26, end));
    flags.push(flag(27, para_kind * 8 + end));
    flags.push(flag(
        28,
        u64::from(has(seen::COLON)) + 2 * u64::from(has(seen::SEMICOLON)),
    ));
}

/// Overlap of the sentence's content `words` with the title and with the
/// opposite end of the essay.
#[inline]
fn overlap_flags(
    flags: &mut Flags,
    scratch: &Scratch,
    words: &[u64],
    at: &Place,
    title_given: u64,
) {
    flags.push(flag(30, title_given));
    if title_given == 1 {
        let ob = overlap_bucket(words, &scratch.title_words);
        flags.push(flag(31, ob));
        flags.push(flag(32, at.para_kind * 8 + ob));
    }
    let other_end: &[u64] = if at.paragraph == 0 {
        &scratch.concl_words
    } else {
        &scratch.intro_words
    };
    let oe = overlap_bucket(words, other_end);
    flags.push(flag(33, at.para_kind * 8 + oe));
    flags.push(flag(34, (at.para_kind * 8 + at.pos_kind) * 8 + oe));
}

/// Thesis cues: place in the essay, place among substantial paragraphs, and
/// centrality (the share of the sentence's content `words` that other
/// sentences repeat).
#[inline]
fn thesis_flags(flags: &mut Flags, scratch: &Scratch, words: &[u64], at: &Place) {
    flags.push(flag(40, bucket(at.si, &[0, 1, 2, 3, 5, 8])));
    let rank = scratch.para_rank.get(at.paragraph).copied().unwrap_or(9);
    flags.push(flag(41, rank.min(9) * 8 + at.pos_kind));
    flags.push(flag(42, rank.min(9) * 8 + bucket(at.pos, &[0, 1, 2, 3])));
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
    flags.push(flag(43, central));
    flags.push(flag(44, (rank.min(9) * 8 + at.pos_kind) * 8 + central));
}

/// The first stance-taking sentence of an essay is often its thesis: whether
/// the sentence has an opinion cue / a modal, with how many `earlier`
/// sentences had one (which it then counts in).
#[inline]
fn stance_flags(flags: &mut Flags, classes: u8, earlier: &mut [u64; 2], para_kind: u64) {
    let st = [class::OPINION, class::MODAL].map(|c| u64::from(classes & c != 0));
    flags.push(flag(45, st[0] * 4 + earlier[0]));
    flags.push(flag(46, (st[1] * 4 + earlier[1]) * 8 + para_kind));
    for (e, s) in earlier.iter_mut().zip(st) {
        *e = (*e + s).min(2);
    }
}

/// Marker categories by place (a conclusion marker opens a conclusion).
#[inline]
fn marker_place_flags(flags: &mut Flags, sigs: &[u64], at: &Place) {
    for &sig in sigs {
        if sig >> 16 == 4 {
            flags.push(flag(
                47,
                ((sig & 0xffff) * 8 + at.para_kind) * 8 + at.pos_kind,
            ));
        }
    }
}

/// The previous and next sentence of the paragraph, summarised (their
/// summary signals; a fixed feature where there is none).
#[inline]
fn neighbour_features(row: &mut Row, scratch: &Scratch, at: &Place) {
    let si = at.si;
    for (nsx, nb) in [
        (ns::PREV, (at.pos > 0).then(|| si - 1)),
        (ns::NEXT, (!at.is_last).then_some(si + 1)),
    ] {
        match nb {
            Some(j) => {
                for &sig in summary(scratch, j) {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::token_features;
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
}
