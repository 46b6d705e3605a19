//! Features of the three link models, as sparse hashed vectors.
//!
//! - **Pair** features describe a (source, candidate target) pair inside one
//!   paragraph: signed distance, target role and position, nearest-claim flags,
//!   lexical and stem overlap, and the source's opening words (discourse markers
//!   such as "for example", "however", "this shows") crossed with the target's
//!   role and direction. The opening words are hashed as they are, so the model
//!   learns which markers matter instead of us listing them.
//! - **Relation** features (does a linked evidence sentence support or attack its
//!   target?) are the source's words and opening, contrast markers, and the
//!   target's role.
//! - **Stance** features (does a claim argue for or against the thesis?) are the
//!   claim's words and bigrams, its opening, where it sits, the opening of the
//!   sentence after it and the contrast markers of the sentences after it in its
//!   paragraph (a counter-argument is usually followed by "However, ..."), and
//!   its overlap with the thesis. They read text only, never the roles of other
//!   sentences: those are gold in training and predicted in use.
//!
//! Every feature name is hashed (FNV-1a) into a fixed number of buckets, so the
//! model file is a flat weight vector and there is no vocabulary to ship.
//! [`FEATURE_SPEC`] names this layout; a model trained on another layout is
//! rejected when loaded.

use super::text::{overlap, Phrases, SentText};
use crate::document::{Document, Label};
use crate::text::fnv::{fnv, fnv_run};

/// Version of the feature layout; stored in model files and checked on load.
pub const FEATURE_SPEC: &str = "links-v3";

/// P(claim) at which a sentence labelled other becomes a link candidate.
pub(crate) const CANDIDATE_PCLAIM: f32 = 0.2;

/// How many sentences on either side of a sentence, within its paragraph, it
/// may link to and is compared with. Essays' paragraphs are far shorter, so
/// this only bounds the work on a text of thousands of sentences without
/// paragraph breaks, which would otherwise take quadratic time or worse.
pub(crate) const WINDOW: usize = 20;

/// A sparse feature vector: (bucket, value) pairs.
pub(crate) type Feats = Vec<(u32, f32)>;

/// Contrast and concession markers, looked for anywhere in a sentence.
const CONTRAST: &[&str] = &[
    "however",
    "but",
    "although",
    "though",
    "even though",
    "nevertheless",
    "on the other hand",
    "despite",
    "in spite of",
    "while",
    "whereas",
    "yet",
    "admittedly",
    "it is true that",
    "some people",
    "many people",
    "others",
    "opponents",
    "critics",
    "argue",
    "believe",
    "claim",
    "might say",
    "may say",
    "would say",
    "disagree",
    "not",
    "no",
];
// At most 64 markers, as `DocView::contrast` keeps one bit per marker.
static CONTRAST_PHRASES: Phrases = Phrases::new(CONTRAST);

/// Where a [`Hasher`] puts the features it hashes.
pub(crate) trait Sink {
    /// Takes feature `bucket` with value `v`.
    fn add(&mut self, bucket: u32, v: f32);
}

impl Sink for Feats {
    #[inline]
    fn add(&mut self, bucket: u32, v: f32) {
        self.push((bucket, v));
    }
}

/// The dot product of the features with weights `w`, summed as they are
/// hashed (from `-0.0`, as `f32`'s `sum` starts): scoring builds no vector, and
/// gives the sum the model's `dot` takes over a [`Feats`] vector.
pub(crate) struct Dot<'w> {
    pub w: &'w [f32],
    pub sum: f32,
}

impl Sink for Dot<'_> {
    #[inline]
    fn add(&mut self, bucket: u32, v: f32) {
        self.sum += self.w.get(bucket as usize).copied().unwrap_or(0.0) * v;
    }
}

/// Hashes features, named by their parts, into a [`Sink`]: a vector (for
/// training) or a dot product with a model's weights (for scoring).
pub(crate) struct Hasher<S = Feats> {
    dim: u32,
    /// `dim - 1` when `dim` is a power of two (as in every trained model): a
    /// mask gives the same bucket as `%` without a 64-bit division per feature.
    mask: Option<u64>,
    out: S,
}

/// Adds the feature named by a literal and further parts (`feat!(h, "dist",
/// bucket(d); 1.0)`) to the [`Hasher`] `h`. The literal is hashed at compile
/// time, so only the parts that vary are hashed per feature: the bucket is the
/// FNV-1a hash of all the parts with a separator byte between them.
macro_rules! feat {
    ($h:expr, $name:literal $(, $part:expr)* ; $v:expr) => {{
        const NAME: u64 = fnv($name);
        $h.add_after(NAME, &[$($part),*], $v)
    }};
}

impl Hasher {
    pub(crate) fn new(dim: u32) -> Self {
        Hasher::with(dim, Vec::with_capacity(64))
    }
}

impl<S: Sink> Hasher<S> {
    /// A hasher into `dim` buckets that gives its features to `out`.
    pub(crate) fn with(dim: u32, out: S) -> Self {
        let dim = dim.max(1);
        Hasher {
            dim,
            mask: dim.is_power_of_two().then(|| u64::from(dim) - 1),
            out,
        }
    }

    /// Adds the feature whose name hashes to state `name` and goes on with
    /// `parts`, with value `v` (see [`feat!`]).
    #[inline]
    pub(crate) fn add_after(&mut self, name: u64, parts: &[&str], v: f32) {
        let mut h = name;
        for p in parts {
            // A 0x1f byte between parts keeps ("ab", "c") apart from ("a", "bc").
            h = fnv_run(fnv_run(h, &[0x1f]), p.as_bytes());
        }
        self.add_hashed(h, v);
    }

    /// Adds the feature whose name and parts hash to `h`, with value `v`.
    #[inline]
    pub(crate) fn add_hashed(&mut self, h: u64, v: f32) {
        if v != 0.0 {
            let bucket = match self.mask {
                Some(m) => h & m,
                None => h % u64::from(self.dim),
            };
            self.out.add(bucket as u32, v);
        }
    }

    pub(crate) fn finish(self) -> S {
        self.out
    }
}

/// Roles of the sentences as the linker sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Thesis,
    Claim,
    Evidence,
    None,
}

impl Role {
    pub(crate) fn of(doc: &Document, i: usize) -> Role {
        let Some(s) = doc.sentences.get(i) else {
            return Role::None;
        };
        match s.label {
            _ if s.thesis == Some(true) => Role::Thesis,
            Some(Label::Claim) => Role::Claim,
            Some(Label::Evidence) => Role::Evidence,
            _ => Role::None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Role::Thesis => "thesis",
            Role::Claim => "claim",
            Role::Evidence => "evidence",
            Role::None => "none",
        }
    }

    /// Whether the role can be the target of an evidence link.
    pub(crate) fn is_target(self) -> bool {
        self != Role::None
    }

    pub(crate) fn is_claim(self) -> bool {
        matches!(self, Role::Thesis | Role::Claim)
    }
}

/// Probabilities that put everything on `l` (a gold or rule-given label).
fn one_hot(l: Label) -> [f32; 4] {
    let mut p = [0.0; 4];
    p[l.index()] = 1.0;
    p
}

/// Everything the feature functions read about one document, computed once.
pub(crate) struct DocView<'a> {
    pub doc: &'a Document,
    pub text: Vec<SentText>,
    pub roles: Vec<Role>,
    /// Role probabilities in [`Label::ALL`] order: the classifier's scores,
    /// or one-hot from the label when there are none (gold documents).
    pub probs: Vec<[f32; 4]>,
    /// Per sentence, bit `i` set when it contains `CONTRAST[i]`: the phrase
    /// search runs once per sentence instead of once per candidate pair.
    pub contrast: Vec<u64>,
}

impl DocView<'_> {
    /// Whether sentence `s` contains the contrast marker `CONTRAST[i]`.
    fn has_contrast(&self, s: usize, i: usize) -> bool {
        self.contrast.get(s).is_some_and(|m| m >> i & 1 == 1)
    }
}

impl<'a> DocView<'a> {
    pub(crate) fn new(doc: &'a Document) -> Self {
        let text: Vec<SentText> = doc
            .sentences
            .iter()
            .map(|s| SentText::new(&s.text))
            .collect();
        let contrast = text
            .iter()
            .map(|t| t.phrase_mask(&CONTRAST_PHRASES))
            .collect();
        DocView {
            doc,
            contrast,
            text,
            roles: (0..doc.sentences.len()).map(|i| Role::of(doc, i)).collect(),
            probs: doc
                .sentences
                .iter()
                .map(|s| match (s.scores, s.label) {
                    (Some(sc), _) => sc.to_array(),
                    (None, Some(l)) => one_hot(l),
                    (None, None) => [0.0; 4],
                })
                .collect(),
        }
    }

    /// Shows sentence `c` as a claim, as a view of the document with `c`
    /// relabelled would (a stated thesis stays the thesis).
    pub(crate) fn relabel_claim(&mut self, c: usize) {
        if self.roles[c] != Role::Thesis {
            self.roles[c] = Role::Claim;
        }
        if self.doc.sentences[c].scores.is_none() {
            self.probs[c] = one_hot(Label::Claim);
        }
    }

    /// Sentence indices of paragraph `p`.
    pub(crate) fn paragraph(&self, p: usize) -> std::ops::Range<usize> {
        let s = &self.doc.sentences;
        s.partition_point(|x| x.paragraph < p)..s.partition_point(|x| x.paragraph <= p)
    }

    /// The sentences of `s`'s paragraph at most [`WINDOW`] away from it: its
    /// candidate targets and the neighbours its features count.
    pub(crate) fn window(&self, s: usize) -> std::ops::Range<usize> {
        around(self.paragraph(self.doc.sentences[s].paragraph), s)
    }

    /// The candidate targets of evidence sentence `s`: the [`DocView::window`]
    /// sentences that [`DocView::is_candidate`] accepts, other than `s`.
    pub(crate) fn candidates(&self, s: usize) -> impl Iterator<Item = usize> + '_ {
        self.window(s)
            .filter(move |&t| t != s && self.is_candidate(t))
    }

    /// Whether sentence `t` may be the target of an evidence link: a claim or
    /// evidence sentence, or another sentence the classifier gives a fair
    /// chance of being a claim (so one mislabelled claim does not orphan its
    /// evidence).
    pub(crate) fn is_candidate(&self, t: usize) -> bool {
        self.roles[t].is_target()
            || (self.doc.sentences[t].label != Some(Label::Question)
                && self.probs[t][Label::Claim.index()] >= CANDIDATE_PCLAIM)
    }

    fn last_paragraph(&self) -> usize {
        self.doc.sentences.last().map_or(0, |s| s.paragraph)
    }
}

/// The part of paragraph `para` at most [`WINDOW`] sentences from `s`.
fn around(para: std::ops::Range<usize>, s: usize) -> std::ops::Range<usize> {
    para.start.max(s.saturating_sub(WINDOW))..para.end.min(s + WINDOW + 1)
}

fn bucket(d: i64) -> &'static str {
    match d {
        i64::MIN..=-6 => "<=-6",
        -5 => "-5",
        -4 => "-4",
        -3 => "-3",
        -2 => "-2",
        -1 => "-1",
        0 => "0",
        1 => "1",
        2 => "2",
        3 => "3",
        4 => "4",
        5 => "5",
        _ => ">=6",
    }
}

fn prob_bucket(p: f32) -> &'static str {
    match p {
        p if p < 0.2 => "0",
        p if p < 0.4 => "1",
        p if p < 0.6 => "2",
        p if p < 0.8 => "3",
        _ => "4",
    }
}

fn position_name(pos: usize, len: usize) -> &'static str {
    if pos == 0 {
        "first"
    } else if pos + 1 >= len {
        "last"
    } else {
        "mid"
    }
}

fn paragraph_kind(v: &DocView<'_>, p: usize) -> &'static str {
    if p == 0 {
        "intro"
    } else if p == v.last_paragraph() {
        "concl"
    } else {
        "body"
    }
}

/// Features of the pair (source `s`, candidate target `t`), both in one paragraph.
pub(crate) fn pair(v: &DocView<'_>, s: usize, t: usize, dim: u32) -> Feats {
    let mut h = Hasher::new(dim);
    pair_into(v, s, t, &mut h);
    h.finish()
}

/// [`pair`] into any [`Sink`].
pub(crate) fn pair_into<S: Sink>(v: &DocView<'_>, s: usize, t: usize, h: &mut Hasher<S>) {
    let para = v.paragraph(v.doc.sentences[s].paragraph);
    let trole = if v.roles[t].is_target() {
        v.roles[t].name()
    } else {
        "other"
    };
    let near = around(para.clone(), s);
    let d = t as i64 - s as i64;
    let dir = if d < 0 { "before" } else { "after" };
    feat!(h, "bias"; 1.0);
    feat!(h, "dist", bucket(d); 1.0);
    feat!(h, "dist-role", bucket(d), trole; 1.0);
    feat!(h, "absdist"; (d.unsigned_abs() as f32).min(10.0) / 10.0);
    feat!(h, "role", trole; 1.0);
    let tpos = t - para.start;
    let spos = s - para.start;
    let plen = para.len();
    feat!(h, "tpos", position_name(tpos, plen), trole; 1.0);
    feat!(h, "spos", position_name(spos, plen); 1.0);
    feat!(h, "pkind", paragraph_kind(v, v.doc.sentences[s].paragraph), trole; 1.0);

    // Rank of the target among candidates of its kind by distance, per direction.
    let same_kind = |i: usize| v.roles[i].is_claim() == v.roles[t].is_claim();
    let closer = near
        .clone()
        .filter(|&i| i != s && i != t && same_kind(i) && v.is_candidate(i))
        .filter(|&i| (i as i64 - s as i64).signum() == d.signum())
        .filter(|&i| (i as i64 - s as i64).abs() < d.abs())
        .count();
    let rank = ["0", "1", "2", ">=3"][closer.min(3)];
    feat!(h, "rank", rank, dir, trole; 1.0);
    // The rule baseline's choice: the nearest claim, the preceding one on a tie.
    let nearest_claim = near
        .clone()
        .filter(|&i| v.roles[i].is_claim())
        .min_by_key(|&i| (i.abs_diff(s), i > s));
    if nearest_claim == Some(t) {
        feat!(h, "nearest-claim", dir; 1.0);
    }
    let claims = near.clone().filter(|&i| v.roles[i].is_claim()).count();
    feat!(h, "nclaims", ["0", "1", "2", ">=3"][claims.min(3)], trole; 1.0);
    if claims == 1 && v.roles[t].is_claim() {
        feat!(h, "only-claim"; 1.0);
    }
    // Is some claim between source and target?
    let (lo, hi) = if s < t { (s + 1, t) } else { (t + 1, s) };
    let between = (lo..hi).filter(|&i| v.roles[i].is_claim()).count();
    feat!(h, "claims-between", ["0", "1", ">=2"][between.min(2)], trole; 1.0);

    // How sure the classifier is of the target's role: lets the model prefer a
    // likely claim labelled evidence over a sure piece of evidence.
    let pc = v.probs[t][Label::Claim.index()];
    feat!(h, "t-pclaim", prob_bucket(pc), dir; 1.0);
    feat!(h, "t-pclaim-val"; pc);
    let best_claim = near
        .clone()
        .filter(|&i| i != s && v.is_candidate(i))
        .max_by(|&a, &b| {
            v.probs[a][Label::Claim.index()].total_cmp(&v.probs[b][Label::Claim.index()])
        });
    if best_claim == Some(t) {
        feat!(h, "t-most-claimlike", dir; 1.0);
    }
    let (shared, jac) = overlap(&v.text[s], &v.text[t]);
    feat!(h, "jaccard"; jac);
    feat!(h, "shared", ["0", "1", "2", ">=3"][shared.min(3)], trole; 1.0);

    let open1 = v.text[s].opening(1);
    let open2 = v.text[s].opening(2);
    feat!(h, "sopen1", open1, trole, dir; 1.0);
    feat!(h, "sopen2", open2, trole, dir; 1.0);
    let topen1 = v.text[t].opening(1);
    feat!(h, "topen1", topen1, trole, dir; 1.0);
    // The sentence right after the source opening with a marker often continues it.
    if d == -1 {
        feat!(h, "prev-open", open1; 1.0);
    }
}

/// Features of the "no target" option of source `s`.
pub(crate) fn null(v: &DocView<'_>, s: usize, dim: u32) -> Feats {
    let mut h = Hasher::new(dim);
    null_into(v, s, &mut h);
    h.finish()
}

/// [`null`] into any [`Sink`].
pub(crate) fn null_into<S: Sink>(v: &DocView<'_>, s: usize, h: &mut Hasher<S>) {
    feat!(h, "null-bias"; 1.0);
    let cands = v.candidates(s).count();
    feat!(h, "null-ncands", ["0", "1", "2", ">=3"][cands.min(3)]; 1.0);
    feat!(h, "null-pkind", paragraph_kind(v, v.doc.sentences[s].paragraph); 1.0);
    feat!(h, "null-open1", v.text[s].opening(1); 1.0);
    feat!(h, "null-pevid", prob_bucket(v.probs[s][Label::Evidence.index()]); 1.0);
    feat!(h, "null-pclaim", prob_bucket(v.probs[s][Label::Claim.index()]); 1.0);
}

/// Features for "does evidence `s` attack (rather than support) target `t`?".
pub(crate) fn relation(v: &DocView<'_>, s: usize, t: usize, dim: u32) -> Feats {
    let mut h = Hasher::new(dim);
    relation_into(v, s, t, &mut h);
    h.finish()
}

/// [`relation`] into any [`Sink`].
pub(crate) fn relation_into<S: Sink>(v: &DocView<'_>, s: usize, t: usize, h: &mut Hasher<S>) {
    let trole = v.roles[t].name();
    feat!(h, "bias"; 1.0);
    feat!(h, "trole", trole; 1.0);
    feat!(h, "dir", if t < s { "before" } else { "after" }; 1.0);
    let st = &v.text[s];
    feat!(h, "open1", st.opening(1); 1.0);
    feat!(h, "open2", st.opening(2); 1.0);
    feat!(h, "topen1", v.text[t].opening(1); 1.0);
    // feat!(h, "w", w; 0.5) for every word, hashed once per word (WordInfo).
    for w in st.word_info() {
        h.add_hashed(w.unigram, 0.5);
    }
    for (i, m) in CONTRAST.iter().enumerate() {
        if v.has_contrast(s, i) {
            feat!(h, "contrast", m; 1.0);
        }
        if v.has_contrast(t, i) {
            feat!(h, "tcontrast", m; 1.0);
        }
    }
    let (_, jac) = overlap(st, &v.text[t]);
    feat!(h, "jaccard"; jac);
}

/// Features for "does claim `c` argue against thesis `thesis`?".
pub(crate) fn stance(v: &DocView<'_>, c: usize, thesis: Option<usize>, dim: u32) -> Feats {
    let mut h = Hasher::new(dim);
    stance_into(v, c, thesis, &mut h);
    h.finish()
}

/// [`stance`] into any [`Sink`].
pub(crate) fn stance_into<S: Sink>(
    v: &DocView<'_>,
    c: usize,
    thesis: Option<usize>,
    h: &mut Hasher<S>,
) {
    let st = &v.text[c];
    let sent = &v.doc.sentences[c];
    let para = v.paragraph(sent.paragraph);
    feat!(h, "bias"; 1.0);
    // feat!(h, "w", w; 0.5) and feat!(h, "b", a, b; 0.5), from the hashes
    // of "w" and of "b" with the first word that WordInfo keeps.
    for w in st.word_info() {
        h.add_hashed(w.unigram, 0.5);
    }
    for (a, b) in st.word_info().iter().zip(st.words().skip(1)) {
        h.add_after(a.bigram, &[b], 0.5);
    }
    feat!(h, "open1", st.opening(1); 1.0);
    feat!(h, "open2", st.opening(2); 1.0);
    feat!(h, "open3", st.opening(3); 1.0);
    for (i, m) in CONTRAST.iter().enumerate() {
        // A sentence can only open with a marker it contains.
        if v.has_contrast(c, i) {
            if st.starts_with_phrase(m) {
                feat!(h, "starts", m; 1.0);
            } else {
                feat!(h, "has", m; 1.0);
            }
        }
    }
    let pk = paragraph_kind(v, sent.paragraph);
    feat!(h, "pkind", pk; 1.0);
    feat!(h, "ppos", position_name(c - para.start, para.len()), pk; 1.0);
    // Later sentences of the paragraph that turn against what came before
    // ("However, ..."): read from the text, not from predicted roles, which
    // differ between training (gold) and use (the classifier).
    let near = around(para.clone(), c);
    let later = v.contrast[c + 1..near.end].iter().fold(0, |m, x| m | x);
    for (i, m) in CONTRAST.iter().enumerate().take(12) {
        if later >> i & 1 == 1 {
            feat!(h, "later-contrast", m; 1.0);
        }
    }
    if c + 1 < para.end {
        let next = &v.text[c + 1];
        feat!(h, "next-open1", next.opening(1); 1.0);
        feat!(h, "next-open2", next.opening(2); 1.0);
    }
    if c > para.start {
        feat!(h, "prev-open1", v.text[c - 1].opening(1); 1.0);
    }
    match thesis {
        Some(t) if t != c => {
            let (shared, jac) = overlap(st, &v.text[t]);
            feat!(h, "thesis-jaccard"; jac);
            feat!(h, "thesis-shared", ["0", "1", "2", ">=3"][shared.min(3)]; 1.0);
            let negated = match (st.is_negated(), v.text[t].is_negated()) {
                (true, true) => "both",
                (true, false) => "claim",
                (false, true) => "thesis",
                (false, false) => "neither",
            };
            feat!(h, "neg", negated; 1.0);
        }
        _ => feat!(h, "no-thesis"; 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{self, RuleSegmenter};

    /// The feature hash spelled out: FNV-1a over the parts, a 0x1f byte
    /// between them (the layout the shipped model was trained on).
    fn spelled_out(parts: &[&str]) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                h ^= 0x1f;
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
            for b in p.bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        h
    }

    #[test]
    fn named_features_hash_as_their_parts() {
        let mut h = Hasher::new(1 << 20);
        feat!(h, "dist-role", "-1", "claim"; 1.0);
        feat!(h, "bias"; 0.5);
        feat!(h, "b", "", "x"; 1.0);
        let want = [
            spelled_out(&["dist-role", "-1", "claim"]),
            spelled_out(&["bias"]),
            spelled_out(&["b", "", "x"]),
        ];
        let got: Vec<u32> = h.finish().iter().map(|&(i, _)| i).collect();
        assert_eq!(got, want.map(|x| (x % (1 << 20)) as u32));
    }

    #[test]
    fn word_info_hashes_are_the_named_word_features() {
        let st = SentText::new("Phones don't help internationalisation at all");
        let (mut named, mut kept) = (Hasher::new(1 << 20), Hasher::new(1 << 20));
        for (w, i) in st.words().zip(st.word_info()) {
            feat!(named, "w", w; 0.5);
            kept.add_hashed(i.unigram, 0.5);
        }
        for ((a, b), i) in st.words().zip(st.words().skip(1)).zip(st.word_info()) {
            feat!(named, "b", a, b; 0.5);
            kept.add_after(i.bigram, &[b], 0.5);
        }
        let named = named.finish();
        assert_eq!(named.len(), 11);
        assert_eq!(named, kept.finish());
    }

    fn doc() -> Document {
        let mut d = segment::document(
            &RuleSegmenter::default(),
            None,
            None,
            "Phones should be banned in class. They distract pupils. For example, a study found \
             lower marks."
                .to_string(),
        );
        let labels = [Label::Claim, Label::Evidence, Label::Evidence];
        for (s, l) in d.sentences.iter_mut().zip(labels) {
            s.label = Some(l);
        }
        d
    }

    #[test]
    fn features_are_deterministic_and_in_range() {
        let d = doc();
        let v = DocView::new(&d);
        let a = pair(&v, 2, 0, 1 << 10);
        assert_eq!(a, pair(&v, 2, 0, 1 << 10));
        assert!(a.iter().all(|&(i, _)| i < 1 << 10));
        assert_ne!(a, pair(&v, 2, 1, 1 << 10));
        assert!(!stance(&v, 0, None, 64).is_empty());
        assert!(!relation(&v, 1, 0, 64).is_empty());
        assert!(!null(&v, 1, 64).is_empty());
    }

    #[test]
    fn stance_reads_text_not_the_roles_of_other_sentences() {
        let d = doc();
        let mut relabelled = d.clone();
        relabelled.sentences[1].label = Some(Label::Claim);
        relabelled.sentences[2].label = Some(Label::Other);
        let (v, w) = (DocView::new(&d), DocView::new(&relabelled));
        assert_eq!(stance(&v, 0, None, 1 << 12), stance(&w, 0, None, 1 << 12));
        // A "However" later in the paragraph is seen.
        let mut turned = d.clone();
        turned.sentences[2].text = "However, a study found higher marks.".into();
        let t = DocView::new(&turned);
        let want = (spelled_out(&["later-contrast", "however"]) % 4096) as u32;
        assert!(stance(&t, 0, None, 4096).iter().any(|&(i, _)| i == want));
        assert!(!stance(&v, 0, None, 4096).iter().any(|&(i, _)| i == want));
    }

    #[test]
    fn opening_marker_is_a_feature() {
        let d = doc();
        let v = DocView::new(&d);
        let want = (spelled_out(&["sopen1", "for", "claim", "before"]) % 4096) as u32;
        assert!(pair(&v, 2, 0, 4096).iter().any(|&(i, _)| i == want));
    }
}
