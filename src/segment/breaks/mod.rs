//! Paragraph breaks for prose pasted without any: where a block of sentences
//! starts new paragraphs.
//!
//! Why: the role model leans on paragraph structure (introduction, body,
//! conclusion; a sentence's place in its paragraph). An essay pasted as one
//! run of text reads as a single paragraph and its scores collapse (AAE dev
//! macro-F1 0.83 -> 0.49). The breaks are recoverable from the sentences alone:
//! "In conclusion", "Firstly", "Another reason" open paragraphs, a question
//! or a quotation often closes one, and where the essay is matters.
//!
//! The model is logistic regression over hashed binary features of each
//! sentence boundary (the next sentence's first one to three words, the words
//! of its first clause and the discourse-marker categories it opens with, the
//! previous sentence's opening, last word and final punctuation, capitals,
//! where the boundary sits in the block, sentence lengths, word overlap across
//! the boundary, with the block's opening and over three sentences either
//! side), trained on the gold
//! paragraphs of the corpora (`train::breaks`). Decoding is a dynamic programme
//! over paragraph lengths and counts: it maximises the boundaries'
//! log-probabilities plus a weighted log-prior of each paragraph's length, a
//! weighted log-prior of the number of paragraphs given the block's size (an
//! argumentative essay has an introduction, a few body paragraphs and a
//! conclusion, whatever its length) and a bias per break, all tuned by
//! cross-validation on the training essays. A block of fewer than
//! [`BreakInfo::min_sentences`] sentences (a short answer) stays one paragraph.
//! [`BreakModel::sample`] draws segmentations from the same scores taken as a
//! posterior, for labels that do not stake everything on the best one
//! (`classify::restored::label_hedged`).
//!
//! File layout (`models/breaks.bin`, little-endian):
//!
//! ```text
//! b"EMBREAK\0"  u32 header length  JSON header (BreakInfo)
//! 2^bits f32 weights  u64 FNV-1a checksum of every byte before it
//! ```
//!
//! A format or feature-layout mismatch is [`Error::ModelMismatch`]; a corrupt
//! or truncated file is [`Error::Model`]. The shipped model is compiled into the
//! binary and parsed once ([`BreakModel::embedded`]).

use crate::document::Document;
use crate::error::{Error, Result};
use crate::text::is_apostrophe;
use crate::text::markers::{CATEGORIES, MARKERS};
use crate::util::hash::{bytes, finish, mix};
use crate::util::model_file::{finite_f32s, fnv1a};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::LazyLock;

const MAGIC: &[u8; 8] = b"EMBREAK\0";
/// Version of the file layout.
pub const FORMAT: u32 = 2;
/// Version of the boundary features; bump on any change to what is extracted.
pub const FEATURE_SPEC: &str = "breaks-v4";
/// Longest paragraph, in sentences, the decoder considers (a longer run gets
/// a break somewhere; essays' paragraphs are far shorter).
const MAX_PARAGRAPH: usize = 64;
/// Paragraph counts the count prior tells apart; more share its last entry.
pub(crate) const MAX_COUNT: usize = 12;

static EMBEDDED_BYTES: &[u8] = include_bytes!("../../../models/breaks.bin");
static EMBEDDED: LazyLock<Result<BreakModel, String>> =
    LazyLock::new(|| BreakModel::from_bytes(EMBEDDED_BYTES).map_err(|e| e.to_string()));

/// Metadata and decoding settings of a break model: the JSON header of its file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakInfo {
    /// File format version.
    pub format: u32,
    /// Feature layout the weights belong to.
    pub feature_spec: String,
    /// The model has `2^bits` weights.
    pub bits: u32,
    /// Weight of the paragraph-length prior in decoding.
    pub length_weight: f32,
    /// Added to the log-probability of each break taken (negative: fewer breaks).
    pub break_bias: f32,
    /// A block of fewer sentences stays one paragraph.
    pub min_sentences: u32,
    /// Natural log of the probability of a paragraph of `k + 1` sentences
    /// (the last entry also for longer ones), from the training paragraphs:
    /// one table each for the first paragraph, a middle one, the last one and
    /// a block that is one paragraph (introductions and conclusions are
    /// shorter than body paragraphs).
    pub length_log_prob: [Vec<f32>; 4],
    /// Weight of the paragraph-count prior in decoding.
    pub count_weight: f32,
    /// `[size_bucket(n)][c - 1]`: natural log of the probability that a block
    /// of `n` sentences has `c` paragraphs (the last entry: [`MAX_COUNT`] or
    /// more), from the training essays. Empty: no count prior.
    pub count_log_prob: Vec<Vec<f32>>,
    /// What it was trained on, settings and scores.
    pub provenance: serde_json::Value,
}

/// Where a block of prose that has no paragraph breaks starts new paragraphs.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakModel {
    /// Header: settings and provenance.
    pub info: BreakInfo,
    pub(crate) weights: Vec<f32>,
}

/// What the boundary features read of one sentence.
pub(crate) struct SentView {
    /// Lower-cased words.
    words: Vec<String>,
    /// Hashes of the distinct words of four letters or more, sorted.
    content: Vec<u64>,
    /// The last character that is not whitespace ('\0' for none).
    last: char,
    /// Bit `c` set when the sentence opens with a marker of category `c`.
    opens: u32,
    /// Bit `c` set when a marker of category `c` appears after its start (an
    /// opening marker is in `opens`).
    has: u32,
    /// The first letter is upper-case.
    upper: bool,
}

impl SentView {
    pub(crate) fn new(s: &str) -> Self {
        let words = words(s);
        let mut content: Vec<u64> = words
            .iter()
            .filter(|w| w.chars().nth(3).is_some())
            .map(|w| bytes(0, w.as_bytes()))
            .collect();
        content.sort_unstable();
        content.dedup();
        let joined = words.join(" ");
        let (mut opens, mut has) = (0, 0);
        for (c, m) in MARKERS {
            let at_word = |k: usize| {
                (k == 0 || joined.as_bytes()[k - 1] == b' ')
                    && joined
                        .as_bytes()
                        .get(k + m.len())
                        .is_none_or(|&b| b == b' ')
            };
            for k in joined.match_indices(m).map(|(k, _)| k) {
                if !at_word(k) {
                    continue;
                }
                if k == 0 {
                    opens |= 1 << c;
                } else {
                    has |= 1 << c;
                }
            }
        }
        SentView {
            words,
            content,
            last: s.trim_end().chars().last().unwrap_or('\0'),
            opens,
            has,
            upper: s
                .chars()
                .find(|c| c.is_alphabetic())
                .is_some_and(char::is_uppercase),
        }
    }

    fn word(&self, i: usize) -> &str {
        self.words.get(i).map_or("", String::as_str)
    }
}

/// Lower-cased words of `s`: letters and digits, with inner apostrophes (either
/// kind, written `'`).
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        } else if is_apostrophe(c) && !cur.is_empty() {
            cur.push('\'');
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur).trim_end_matches('\'').to_string());
        }
    }
    if !cur.is_empty() {
        out.push(cur.trim_end_matches('\'').to_string());
    }
    out
}

/// Share of `a`'s content words that `b` also has, in tenths (0 to 10).
fn overlap(a: &[u64], b: &[u64]) -> usize {
    if a.is_empty() {
        return 0;
    }
    let shared = a.iter().filter(|x| b.binary_search(x).is_ok()).count();
    (shared * 10 + a.len() / 2) / a.len()
}

/// Which [`BreakInfo::length_log_prob`] table a paragraph uses: 0 the first,
/// 1 a middle one, 2 the last, 3 the whole block.
pub(crate) fn table(first: bool, last: bool) -> usize {
    match (first, last) {
        (true, false) => 0,
        (false, false) => 1,
        (false, true) => 2,
        (true, true) => 3,
    }
}

/// Size bucket of a count: exact up to 5, then coarser.
pub(crate) fn size_bucket(n: usize) -> usize {
    match n {
        0..=5 => n,
        6..=8 => 6,
        9..=12 => 7,
        13..=18 => 8,
        19..=25 => 9,
        26..=35 => 10,
        36..=50 => 11,
        _ => 12,
    }
}

/// Hashes features into `2^bits` buckets.
struct Feats<'o> {
    mask: u64,
    out: &'o mut Vec<u32>,
}

impl Feats<'_> {
    /// Adds the feature of kind `kind` named by `parts`.
    fn add(&mut self, kind: u64, parts: &[&[u8]]) {
        let mut h = mix(0x6272_6561_6b73, kind);
        for p in parts {
            h = bytes(h, p);
        }
        self.out.push((finish(h) & self.mask) as u32);
    }

    /// Adds the feature of kind `kind` with the numbers `nums`.
    fn num(&mut self, kind: u64, nums: &[usize]) {
        let mut h = mix(0x6e75_6d73, kind);
        for &n in nums {
            h = mix(h, n as u64);
        }
        self.out.push((finish(h) & self.mask) as u32);
    }
}

/// Pushes onto `out` the buckets of the features of the boundary before
/// sentence `i` (1 <= i < views.len()).
pub(crate) fn boundary_features(views: &[SentView], i: usize, bits: u32, out: &mut Vec<u32>) {
    let n = views.len();
    let (prev, next) = (&views[i - 1], &views[i]);
    let mut f = Feats {
        mask: (1u64 << bits) - 1,
        out,
    };
    f.num(0, &[]);
    let (n1, n2, n3) = (next.word(0), next.word(1), next.word(2));
    f.add(1, &[n1.as_bytes()]);
    f.add(2, &[n1.as_bytes(), n2.as_bytes()]);
    f.add(3, &[n1.as_bytes(), n2.as_bytes(), n3.as_bytes()]);
    let (p1, p2) = (prev.word(0), prev.word(1));
    f.add(4, &[p1.as_bytes()]);
    f.add(5, &[p1.as_bytes(), p2.as_bytes()]);
    let plast = prev.words.last().map_or("", String::as_str);
    f.add(6, &[plast.as_bytes()]);
    let mut punct = [0u8; 4];
    f.add(7, &[prev.last.encode_utf8(&mut punct).as_bytes()]);
    // Where the boundary is: tenths of the block, sentences from either end,
    // block size.
    let tenth = i * 10 / n;
    let third = i * 3 / n;
    f.num(8, &[tenth]);
    f.num(9, &[size_bucket(i)]);
    f.num(10, &[size_bucket(n - i)]);
    f.num(11, &[size_bucket(n), tenth]);
    f.add(12, &[n1.as_bytes(), &[third as u8]]);
    for (c, _) in CATEGORIES.iter().enumerate() {
        if next.opens >> c & 1 == 1 {
            f.num(13, &[c]);
            f.num(14, &[c, tenth]);
        }
        if prev.opens >> c & 1 == 1 {
            f.num(15, &[c]);
        }
    }
    f.num(16, &[size_bucket(prev.words.len())]);
    f.num(17, &[size_bucket(next.words.len())]);
    // Topic shift: how much of the next sentence the two before it share, and
    // how much of it the one after it shares.
    let back = overlap(&next.content, &prev.content);
    let back2 = if i >= 2 {
        overlap(&next.content, &views[i - 2].content)
    } else {
        back
    };
    let fwd = views
        .get(i + 1)
        .map_or(0, |v| overlap(&next.content, &v.content));
    f.num(18, &[back]);
    f.num(19, &[back.max(back2)]);
    f.num(20, &[fwd]);
    f.num(21, &[(fwd + 10).saturating_sub(back.max(back2)) / 2]);
    // Argument structure either side: an introduction ends with the writer's
    // opinion; a topic sentence is followed by its example.
    for (c, _) in CATEGORIES.iter().enumerate() {
        if prev.has >> c & 1 == 1 {
            f.num(22, &[c, third]);
        }
        if next.has >> c & 1 == 1 {
            f.num(23, &[c, third]);
        }
        if views.get(i + 1).is_some_and(|v| v.opens >> c & 1 == 1) {
            f.num(24, &[c]);
        }
    }
    // Since `breaks-v4`. What the next sentence is about: the words of its
    // first clause (its first twelve), wherever they sit.
    for w in next.words.iter().take(12) {
        f.add(25, &[w.as_bytes()]);
    }
    // Whether either sentence opens with a capital, and the previous one's
    // final punctuation with the next one's first word.
    f.num(28, &[usize::from(next.upper), usize::from(prev.upper)]);
    f.add(
        29,
        &[prev.last.encode_utf8(&mut punct).as_bytes(), n1.as_bytes()],
    );
    // Topic shift over a wider window: the next sentence's overlap with the
    // block's first two (a conclusion restates the introduction; at the
    // second sentence trivially full, a mark of that place), with the
    // three sentences before it and the three after it, and the previous
    // sentence's with the three after the boundary.
    let intro = overlap(&next.content, &views[0].content).max(
        views
            .get(1)
            .map_or(0, |v| overlap(&next.content, &v.content)),
    );
    f.num(34, &[intro, third]);
    let pooled = |r: std::ops::Range<usize>| {
        let mut c: Vec<u64> = views[r]
            .iter()
            .flat_map(|v| v.content.iter().copied())
            .collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    let (before, after) = (pooled(i.saturating_sub(3)..i), pooled(i + 1..n.min(i + 4)));
    f.num(
        35,
        &[
            overlap(&next.content, &before),
            overlap(&next.content, &after),
        ],
    );
    f.num(36, &[overlap(&prev.content, &after)]);
}

/// Whether the break model cut `doc`'s prose: two sentences of prose in
/// consecutive paragraphs with no line break between them. The layout only
/// ends a paragraph at a line break, so only the break model's cuts in text
/// pasted without any look so. A document without byte ranges (read back from
/// JSON) was not restored here.
pub fn restored(doc: &Document) -> bool {
    doc.sentences.windows(2).any(|w| {
        let (a, b) = (&w[0], &w[1]);
        b.paragraph == a.paragraph + 1
            && a.kind.is_prose()
            && b.kind.is_prose()
            && !a.bytes.is_empty()
            && doc
                .text
                .get(a.bytes.end..b.bytes.start)
                .is_some_and(|gap| !gap.contains(['\n', '\r']))
    })
}

/// The cell of `(sentences so far, paragraphs so far)` in the decoder's tables.
fn cell(j: usize, c: usize) -> usize {
    j * MAX_COUNT + c - 1
}

/// The decoder's scores for one block: what a paragraph, a break and a
/// paragraph count add.
struct Lattice<'m> {
    info: &'m BreakInfo,
    probs: &'m [f32],
    /// `stay[m]`: sum of ln(1 - p) over the boundaries before sentences 1..=m.
    stay: Vec<f64>,
    /// The count prior's row for this block (none: every count scores 0).
    counts: Option<&'m Vec<f32>>,
}

impl<'m> Lattice<'m> {
    fn new(info: &'m BreakInfo, probs: &'m [f32]) -> Self {
        let n = probs.len() + 1;
        let mut stay = vec![0.0f64; n];
        for (m, &p) in probs.iter().enumerate() {
            stay[m + 1] = stay[m] + f64::from((1.0 - clamp(p)).ln());
        }
        Lattice {
            info,
            probs,
            stay,
            counts: info.count_log_prob.get(size_bucket(n)),
        }
    }

    /// A paragraph of sentences k..j: its inner boundaries stay unbroken, and
    /// the length prior.
    fn span(&self, k: usize, j: usize) -> f64 {
        let n = self.probs.len() + 1;
        let lp = &self.info.length_log_prob[table(k == 0, j == n)];
        let prior = lp
            .get(j - k - 1)
            .or(lp.last())
            .map_or(0.0, |&x| f64::from(x * self.info.length_weight));
        (self.stay[j - 1] - self.stay[k]) + prior
    }

    /// A break before sentence k.
    fn open(&self, k: usize) -> f64 {
        f64::from(clamp(self.probs[k - 1]).ln() + self.info.break_bias)
    }

    /// The count prior for c paragraphs.
    fn count(&self, c: usize) -> f64 {
        self.counts
            .and_then(|row| row.get(c - 1).or(row.last()))
            .map_or(0.0, |&x| f64::from(x * self.info.count_weight))
    }
}

fn clamp(p: f32) -> f32 {
    p.clamp(1e-6, 1.0 - 1e-6)
}

/// ln(e^a + e^b).
fn log_add(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// One of `options` drawn with probability proportional to `exp(weight)`,
/// advancing the SplitMix64 state `rng`; `None` when every weight is -inf.
fn draw<T: Copy>(rng: &mut u64, options: &[(f64, T)]) -> Option<T> {
    let top = options
        .iter()
        .map(|o| o.0)
        .fold(f64::NEG_INFINITY, f64::max);
    if top == f64::NEG_INFINITY {
        return None;
    }
    let total: f64 = options.iter().map(|o| (o.0 - top).exp()).sum();
    *rng = rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let z = finish(*rng);
    let mut r = (z >> 11) as f64 / (1u64 << 53) as f64 * total;
    let mut last = None;
    for o in options {
        if o.0 == f64::NEG_INFINITY {
            continue;
        }
        last = Some(o.1);
        r -= (o.0 - top).exp();
        if r <= 0.0 {
            break;
        }
    }
    last
}

impl BreakModel {
    /// The model compiled into the binary, parsed on first use.
    ///
    /// # Errors
    /// [`Error::Model`] if the embedded file is corrupt (a build problem).
    pub fn embedded() -> Result<&'static BreakModel> {
        EMBEDDED.as_ref().map_err(|m| Error::Model {
            what: "embedded breaks.bin".into(),
            message: m.clone(),
        })
    }

    /// `sentences`: the texts of the block's sentences, in order. Returns the
    /// ascending indices i (1..sentences.len()) of the sentences that start a new
    /// paragraph; empty when the block reads as one paragraph (e.g. a short answer
    /// of fewer than `min_sentences` stays one paragraph).
    pub fn breaks(&self, sentences: &[&str]) -> Vec<usize> {
        if sentences.len() < (self.info.min_sentences as usize).max(2) {
            return Vec::new();
        }
        self.decode(&self.boundary_probs(sentences))
    }

    /// P(a new paragraph starts at sentence i) for each i in 1..sentences.len()
    /// (`[i - 1]`), each boundary read alone, without the length prior.
    pub fn boundary_probs(&self, sentences: &[&str]) -> Vec<f32> {
        let views: Vec<SentView> = sentences.iter().map(|s| SentView::new(s)).collect();
        let mut feats = Vec::new();
        (1..views.len())
            .map(|i| {
                feats.clear();
                boundary_features(&views, i, self.info.bits, &mut feats);
                self.prob(&feats)
            })
            .collect()
    }

    /// P(break) at a boundary with features `feats`.
    pub(crate) fn prob(&self, feats: &[u32]) -> f32 {
        let z: f32 = feats
            .iter()
            .map(|&k| self.weights.get(k as usize).copied().unwrap_or(0.0))
            .sum();
        1.0 / (1.0 + (-z).exp())
    }

    /// The breaks of a block whose boundaries have break probabilities `probs`
    /// (`probs[i - 1]`: before sentence `i`), by the dynamic programme of the
    /// module docs.
    pub(crate) fn decode(&self, probs: &[f32]) -> Vec<usize> {
        let n = probs.len() + 1;
        if n < (self.info.min_sentences as usize).max(2) {
            return Vec::new();
        }
        let lat = Lattice::new(&self.info, probs);
        // best[cell(j, c)]: the best score of the first j sentences cut into c
        // paragraphs (c = MAX_COUNT: that many or more); from[cell(j, c)]:
        // where the last of those paragraphs starts and the count before it.
        let mut best = vec![f64::NEG_INFINITY; (n + 1) * MAX_COUNT];
        let mut from = vec![(0usize, 0usize); (n + 1) * MAX_COUNT];
        for j in 1..=n {
            for k in j.saturating_sub(MAX_PARAGRAPH)..j {
                let span = lat.span(k, j);
                if k == 0 {
                    best[cell(j, 1)] = span;
                    continue;
                }
                let open = lat.open(k);
                for c0 in 1..=MAX_COUNT {
                    let prev = best[cell(k, c0)];
                    if prev == f64::NEG_INFINITY {
                        continue;
                    }
                    let c = (c0 + 1).min(MAX_COUNT);
                    let s = prev + open + span;
                    if s > best[cell(j, c)] {
                        best[cell(j, c)] = s;
                        from[cell(j, c)] = (k, c0);
                    }
                }
            }
        }
        let Some(mut c) = (1..=MAX_COUNT)
            .filter(|&c| best[cell(n, c)] > f64::NEG_INFINITY)
            .max_by(|&a, &b| {
                (best[cell(n, a)] + lat.count(a)).total_cmp(&(best[cell(n, b)] + lat.count(b)))
            })
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut j = n;
        while j > 0 {
            let (k, c0) = from[cell(j, c)];
            if k > 0 {
                out.push(k);
            }
            (j, c) = (k, c0);
        }
        out.reverse();
        out
    }

    /// `samples` segmentations of a block, each as [`BreakModel::breaks`]
    /// gives one, drawn from the decoder's posterior (every segmentation
    /// weighted by `exp(score / temperature)`, its score the one
    /// [`BreakModel::breaks`] maximises), by forward filtering and backward
    /// sampling. Why: a restored paragraph break is often wrong, and labels
    /// averaged over likely segmentations do not stake everything on one.
    /// Deterministic for a given `seed`. Empty when the block is too short to
    /// cut (see [`BreakModel::breaks`]).
    pub fn sample(
        &self,
        sentences: &[&str],
        samples: usize,
        temperature: f64,
        seed: u64,
    ) -> Vec<Vec<usize>> {
        let n = sentences.len();
        if n < (self.info.min_sentences as usize).max(2) || samples == 0 {
            return Vec::new();
        }
        let probs = self.boundary_probs(sentences);
        let lat = Lattice::new(&self.info, &probs);
        let t = temperature.max(1e-3);
        // alpha[cell(j, c)]: log of the summed weights of the first j
        // sentences cut into c paragraphs.
        let mut alpha = vec![f64::NEG_INFINITY; (n + 1) * MAX_COUNT];
        for j in 1..=n {
            for k in j.saturating_sub(MAX_PARAGRAPH)..j {
                let span = lat.span(k, j) / t;
                if k == 0 {
                    alpha[cell(j, 1)] = span;
                    continue;
                }
                let step = lat.open(k) / t + span;
                for c0 in 1..=MAX_COUNT {
                    let a = alpha[cell(k, c0)];
                    if a > f64::NEG_INFINITY {
                        let c = (c0 + 1).min(MAX_COUNT);
                        alpha[cell(j, c)] = log_add(alpha[cell(j, c)], a + step);
                    }
                }
            }
        }
        let mut rng = seed;
        let mut out = Vec::with_capacity(samples);
        let mut options = Vec::new();
        for _ in 0..samples {
            options.clear();
            options.extend((1..=MAX_COUNT).map(|c| (alpha[cell(n, c)] + lat.count(c) / t, (n, c))));
            let Some((mut j, mut c)) = draw(&mut rng, &options) else {
                break;
            };
            let mut cut = Vec::new();
            // Walk back: which paragraph ends at j, given c paragraphs so far.
            while c > 1 {
                options.clear();
                for k in j.saturating_sub(MAX_PARAGRAPH).max(1)..j {
                    let step = lat.open(k) / t + lat.span(k, j) / t;
                    let before: &[usize] = if c == MAX_COUNT {
                        &[MAX_COUNT - 1, MAX_COUNT]
                    } else {
                        &[c - 1]
                    };
                    for &c0 in before {
                        options.push((alpha[cell(k, c0)] + step, (k, c0)));
                    }
                }
                let Some((k, c0)) = draw(&mut rng, &options) else {
                    break;
                };
                cut.push(k);
                (j, c) = (k, c0);
            }
            cut.reverse();
            out.push(cut);
        }
        out
    }

    /// Parses a model file's bytes.
    ///
    /// # Errors
    /// [`Error::Model`] when the bytes are corrupt or truncated,
    /// [`Error::ModelMismatch`] when they are a model of another format or
    /// feature layout.
    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        let bad = |m: &str| Error::Model {
            what: "breaks".into(),
            message: m.to_string(),
        };
        let (body, sum) = b
            .split_last_chunk::<8>()
            .ok_or_else(|| bad("truncated file"))?;
        let rest = body
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| bad("not a paragraph-break model (bad magic)"))?;
        if fnv1a(body) != u64::from_le_bytes(*sum) {
            return Err(bad("checksum mismatch (corrupt or truncated file)"));
        }
        let (len, rest) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| bad("truncated header"))?;
        let len = u32::from_le_bytes(*len) as usize;
        if rest.len() < len {
            return Err(bad("truncated header"));
        }
        let (head, rest) = rest.split_at(len);
        let info: BreakInfo =
            serde_json::from_slice(head).map_err(|e| bad(&format!("bad header: {e}")))?;
        let mismatch = |field, expected: String, found: String| Error::ModelMismatch {
            what: "breaks".into(),
            field,
            expected,
            found,
        };
        if info.format != FORMAT {
            return Err(mismatch(
                "format",
                FORMAT.to_string(),
                info.format.to_string(),
            ));
        }
        if info.feature_spec != FEATURE_SPEC {
            return Err(mismatch(
                "feature_spec",
                FEATURE_SPEC.into(),
                info.feature_spec.clone(),
            ));
        }
        if !(1..=24).contains(&info.bits) || rest.len() != 4 << info.bits {
            return Err(bad("weights do not match the header's size"));
        }
        if info
            .length_log_prob
            .iter()
            .chain(&info.count_log_prob)
            .flatten()
            .chain([&info.length_weight, &info.count_weight, &info.break_bias])
            .any(|x| !x.is_finite())
        {
            return Err(bad("non-finite decoding setting or prior"));
        }
        let weights = finite_f32s(rest).ok_or_else(|| bad("non-finite weight"))?;
        Ok(BreakModel { info, weights })
    }

    /// The model as file bytes (see the module docs for the layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        let head = serde_json::to_vec(&self.info).unwrap_or_default();
        let mut b = Vec::with_capacity(16 + head.len() + 4 * self.weights.len());
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&(head.len() as u32).to_le_bytes());
        b.extend_from_slice(&head);
        for w in &self.weights {
            b.extend_from_slice(&w.to_le_bytes());
        }
        let sum = fnv1a(&b);
        b.extend_from_slice(&sum.to_le_bytes());
        b
    }

    /// Writes the model file.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be written.
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_bytes()).map_err(|e| Error::io(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> BreakModel {
        BreakModel {
            info: BreakInfo {
                format: FORMAT,
                feature_spec: FEATURE_SPEC.into(),
                bits: 4,
                length_weight: 1.0,
                break_bias: 0.0,
                min_sentences: 3,
                length_log_prob: [vec![-1.0, -2.0], vec![-1.0], vec![], vec![-3.0]],
                count_weight: 0.0,
                count_log_prob: Vec::new(),
                provenance: serde_json::json!({"test": true}),
            },
            weights: (0..16).map(|i| i as f32 / 8.0 - 1.0).collect(),
        }
    }

    #[test]
    fn model_round_trips_through_bytes() {
        let m = tiny();
        assert_eq!(BreakModel::from_bytes(&m.to_bytes()).unwrap(), m);
    }

    #[test]
    fn corrupt_bytes_are_a_typed_error() {
        let b = tiny().to_bytes();
        let mut flipped = b.clone();
        flipped[b.len() / 2] ^= 1;
        let mut extra = b.clone();
        extra.insert(b.len() - 8, 0);
        for bad in [&b[..3], &b[..12], &b[..b.len() - 1], &flipped, &extra] {
            let e = BreakModel::from_bytes(bad).unwrap_err();
            assert_eq!(e.kind(), "model", "{e}");
        }
        let mut other = tiny();
        other.info.feature_spec = "breaks-v2".into();
        let e = BreakModel::from_bytes(&other.to_bytes()).unwrap_err();
        assert_eq!(e.kind(), "model_mismatch");
    }

    #[test]
    fn embedded_model_loads() {
        let m = BreakModel::embedded().unwrap();
        assert_eq!(m.info.feature_spec, FEATURE_SPEC);
        assert!(m.weights.iter().any(|&w| w != 0.0), "trained");
        // The compiled-in bytes are the checked file.
        assert_eq!(BreakModel::from_bytes(EMBEDDED_BYTES).unwrap(), *m);
    }

    #[test]
    fn decoding_follows_the_probabilities_and_the_length_prior() {
        let mut m = tiny();
        m.info.length_weight = 0.0;
        m.info.min_sentences = 2;
        assert_eq!(m.decode(&[0.9, 0.1, 0.8]), [1, 3]);
        m.info.break_bias = -5.0;
        assert!(m.decode(&[0.9, 0.1, 0.8]).is_empty());
        // A prior that makes one-sentence paragraphs, and a block left whole,
        // very unlikely.
        m.info.break_bias = 0.0;
        m.info.length_weight = 1.0;
        let short = vec![-20.0, -1.0, -1.0];
        m.info.length_log_prob = [short.clone(), short.clone(), short, vec![-20.0; 4]];
        assert_eq!(m.decode(&[0.9, 0.1, 0.8]), [2]);
    }

    #[test]
    fn the_count_prior_picks_how_many_paragraphs() {
        let mut m = tiny();
        m.info.length_weight = 0.0;
        m.info.min_sentences = 2;
        let probs = [0.6, 0.1, 0.4, 0.1, 0.7];
        // Alone, the boundaries give the breaks above one half.
        assert_eq!(m.decode(&probs), [1, 5]);
        // A prior that says blocks of six sentences have four paragraphs adds
        // the most likely boundary left, and one that says one leaves it whole.
        let mut row = vec![-30.0; MAX_COUNT];
        row[3] = 0.0;
        m.info.count_log_prob = vec![row; 13];
        m.info.count_weight = 1.0;
        assert_eq!(m.decode(&probs), [1, 3, 5]);
        let mut row = vec![-30.0; MAX_COUNT];
        row[0] = 0.0;
        m.info.count_log_prob = vec![row; 13];
        assert!(m.decode(&probs).is_empty());
        // Weight 0 or a missing row: no prior.
        m.info.count_weight = 0.0;
        assert_eq!(m.decode(&probs), [1, 5]);
        m.info.count_weight = 1.0;
        m.info.count_log_prob.truncate(2);
        assert_eq!(m.decode(&probs), [1, 5]);
    }

    #[test]
    fn samples_are_valid_segmentations_and_cool_to_the_best_one() {
        let m = BreakModel::embedded().unwrap();
        let text = "Many towns are growing fast these days. Some people want more roads, \
            while others want more parks. In my opinion, every town should plant more trees. \
            Firstly, trees keep streets cool in the summer. A street lined with old oaks can \
            be several degrees cooler than a bare one. People walk more when the shade is \
            there. Secondly, trees clean the air we breathe. Their leaves catch dust and \
            smoke from traffic. Children who live near parks have fewer problems with \
            asthma. In conclusion, trees make towns cooler, cleaner and healthier. Every \
            town council should plant them now.";
        let s = sentences(text);
        let warm = m.sample(&s, 40, 1.0, 7);
        assert_eq!(warm.len(), 40);
        for cut in &warm {
            assert!(cut.windows(2).all(|w| w[0] < w[1]), "{cut:?}");
            assert!(cut.iter().all(|&i| (1..s.len()).contains(&i)), "{cut:?}");
        }
        assert_eq!(warm, m.sample(&s, 40, 1.0, 7), "deterministic for a seed");
        // Near zero temperature every draw is the decoder's best segmentation.
        let best = m.breaks(&s);
        assert!(m.sample(&s, 5, 1e-3, 1).iter().all(|c| *c == best));
        // Too short to cut, or nothing asked for: no draws.
        assert!(m.sample(&s[..5], 4, 1.0, 1).is_empty());
        assert!(m.sample(&s, 0, 1.0, 1).is_empty());
    }

    #[test]
    fn draw_follows_the_weights_and_skips_impossible_options() {
        let mut rng = 3;
        let opts = [(f64::NEG_INFINITY, 0), (0.0, 1), (-1e9, 2)];
        assert!((0..50).all(|_| draw(&mut rng, &opts) == Some(1)));
        assert_eq!(draw(&mut rng, &[(f64::NEG_INFINITY, 0)]), None);
        assert_eq!(draw::<u8>(&mut rng, &[]), None);
        let even = [(0.0, 0), (0.0, 1)];
        let ones = (0..400)
            .filter(|_| draw(&mut rng, &even) == Some(1))
            .count();
        assert!((150..250).contains(&ones), "{ones}");
    }

    /// Sentences of a text written for these tests.
    fn sentences(t: &str) -> Vec<&str> {
        let mut r = Vec::new();
        crate::segment::Segmenter::split(&crate::segment::RuleSegmenter::default(), t, &mut r);
        r.into_iter().map(|r| &t[r]).collect()
    }

    #[test]
    fn boundary_features_read_the_first_clause_capitals_and_the_wider_topic() {
        let feats = |texts: &[&str], i: usize| {
            let views: Vec<SentView> = texts.iter().map(|s| SentView::new(s)).collect();
            let mut f = Vec::new();
            boundary_features(&views, i, 16, &mut f);
            f.sort_unstable();
            f
        };
        let base = [
            "Trees cool streets.",
            "They shade the road in summer.",
            "Birds sing.",
        ];
        let base_f = feats(&base, 1);
        // A word deep in the next sentence's first clause, beyond its first
        // three, changes the features; the same words past the twelfth do not.
        let deeper = [
            "Trees cool streets.",
            "They shade the road in winter.",
            "Birds sing.",
        ];
        assert_ne!(feats(&deeper, 1), base_f);
        let long = "They shade the road and the path and the yard and the park in summer.";
        let longer = "They shade the road and the path and the yard and the park in winter.";
        assert_eq!(
            feats(&["Trees cool streets.", long, "Birds sing."], 1),
            feats(&["Trees cool streets.", longer, "Birds sing."], 1)
        );
        // A lower-case opening is read as such.
        let lower = [
            "Trees cool streets.",
            "they shade the road in summer.",
            "Birds sing.",
        ];
        assert_ne!(feats(&lower, 1), base_f);
        // Words shared two sentences after the boundary, which only the
        // wider window reads.
        let four = |last: &str| feats(&["Trees cool streets.", base[1], "Birds sing.", last], 1);
        assert_ne!(four("Summer shade on the road."), four("Cats sleep."));
    }

    #[test]
    fn a_structured_essay_breaks_before_its_openers() {
        let text = "Many towns are growing fast these days. Some people want more roads, \
            while others want more parks. In my opinion, every town should plant more trees. \
            Firstly, trees keep streets cool in the summer. A street lined with old oaks can \
            be several degrees cooler than a bare one. People walk more when the shade is \
            there. Shops on shady streets also sell more. Secondly, trees clean the air we \
            breathe. Their leaves catch dust and smoke from traffic. Children who live near \
            parks have fewer problems with asthma. On the other hand, some say that trees \
            cost too much to look after. However, the money saved on cooling pays for them \
            many times over. In conclusion, trees make towns cooler, cleaner and healthier. \
            Every town council should plant them now.";
        let s = sentences(text);
        let b = BreakModel::embedded().unwrap().breaks(&s);
        for opener in ["Firstly", "Secondly", "In conclusion"] {
            let i = s.iter().position(|x| x.starts_with(opener)).unwrap();
            assert!(b.contains(&i), "no break before {opener:?}: {b:?}");
        }
        assert!(b.windows(2).all(|w| w[0] < w[1]));
        assert!(b.iter().all(|&i| (1..s.len()).contains(&i)));
    }

    #[test]
    fn restored_tells_the_break_models_cuts_from_the_layouts() {
        let seg = crate::segment::RuleSegmenter::default();
        let doc = |t: &str| crate::segment::document(&seg, None, None, t.to_string());
        let paragraphs = [
            "Many towns are growing fast these days. Some people want more roads, while \
             others want more parks. In my opinion, every town should plant more trees.",
            "Firstly, trees keep streets cool in the summer. A street lined with old oaks can \
             be several degrees cooler than a bare one. People walk more when the shade is \
             there. Shops on shady streets also sell more.",
            "Secondly, trees clean the air we breathe. Their leaves catch dust and smoke from \
             traffic. Children who live near parks have fewer problems with asthma.",
            "In conclusion, trees make towns cooler, cleaner and healthier. Every town \
             council should plant them now.",
        ];
        let flat = doc(&paragraphs.join(" "));
        assert!(flat.paragraphs.len() > 1, "the break model cuts it");
        assert!(restored(&flat));
        for sep in ["\n\n", "\n"] {
            let laid_out = doc(&paragraphs.join(sep));
            assert_eq!(laid_out.paragraphs.len(), 4);
            assert!(!restored(&laid_out), "{sep:?}");
        }
        // Read back from JSON, the byte ranges are gone: not restored here.
        let mut read_back = flat.clone();
        read_back.sentences.iter_mut().for_each(|s| s.bytes = 0..0);
        assert!(!restored(&read_back));
        assert!(!restored(&doc("")));
        assert!(!restored(&doc("One sentence only.")));
    }

    #[test]
    fn short_texts_stay_one_paragraph() {
        let m = BreakModel::embedded().unwrap();
        let text = "I think homework should be shorter. Students are tired after school. \
            Firstly, they need time to play outside. Another reason is sleep. Teachers could \
            give less of it. In conclusion, less homework would help everyone.";
        let s = sentences(text);
        assert_eq!(s.len(), 6);
        assert!(m.breaks(&s).is_empty());
        assert!(m.breaks(&[]).is_empty());
        assert!(m.breaks(&["Only one sentence here."]).is_empty());
        assert!(m.breaks(&["", " ", "?", "\u{a0}"]).is_empty());
    }

    #[test]
    fn odd_blocks_never_panic() {
        let m = BreakModel::embedded().unwrap();
        let many: Vec<&str> = ["", "...", "ß’’ end.", "In conclusion, yes."]
            .into_iter()
            .cycle()
            .take(300)
            .collect();
        let b = m.breaks(&many);
        assert!(b.iter().all(|&i| (1..many.len()).contains(&i)));
        assert!(b.windows(2).all(|w| w[0] < w[1]));
    }
}
