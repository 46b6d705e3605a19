//! Second pass of the role model: each sentence's label probabilities are
//! rescored with what the first pass says about the rest of its paragraph.
//!
//! The CRF sees neighbouring sentences' features but not how the paragraph's
//! sentences compare: in university essays a body paragraph states one claim,
//! so a sentence whose claim probability is the paragraph's highest is more
//! likely the claim than its own score says, and one beside a clearer claim is
//! less likely. The rescorer is a multinomial logistic regression over a few
//! dense features of the first pass's marginals ([`features`]): the sentence's
//! own log probabilities, the largest and summed claim probability of the other
//! sentences of its paragraph, its rank by claim probability, its place in the
//! paragraph, the paragraph's place in the essay, the thesis flag, and whether
//! it or an earlier or later sentence of its paragraph opens by drawing a
//! conclusion ("Therefore, ...": [`opens_with_inference`]). The last cue is
//! the one text feature: on AAE train, a body paragraph's first sentence is its
//! claim 68% of the time, but 33% when a later sentence opens that way, and
//! the CRF sees only adjacent sentences.
//!
//! It is trained on out-of-fold first-pass predictions (models that did not
//! see the essay), so it learns how the first pass errs on unseen text, and it
//! is fitted on university-level essays only: on school essays it measured no
//! gain. At inference its probabilities are mixed with the first pass's by the
//! essay's register probability.

use super::crf::L;
use crate::text::is_apostrophe;
use crate::util::math::softmax;

/// Number of rescoring features per sentence.
pub const N_FEAT: usize = 18;

/// Features of rescorers saved before the inference-marker cues (model file
/// format 3): the first this many, with the same meaning.
pub const N_FEAT_V3: usize = 15;

/// Openings that draw a conclusion from what came before (lower case, words
/// separated by single spaces).
const INFERENCE: &[&str] = &[
    "therefore",
    "thus",
    "hence",
    "consequently",
    "accordingly",
    "as a result",
    "as a consequence",
    "that is why",
    "that's why",
    "this is why",
    "for this reason",
    "for these reasons",
    "so",
    "in short",
    "in other words",
];

/// Bytes of a sentence's opening that decide [`opens_with_inference`]: the
/// longest [`INFERENCE`] marker and the byte after it (a test checks).
const HEAD: usize = 18;

/// The first bytes of the [`INFERENCE`] markers.
static STARTS: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < INFERENCE.len() {
        t[INFERENCE[i].as_bytes()[0] as usize] = true;
        i += 1;
    }
    t
};

/// Whether `text` opens with an `INFERENCE` marker ("Therefore, ...",
/// "That's why ...", "As a result of this, ...").
pub fn opens_with_inference(text: &str) -> bool {
    // The first (up to four) words, lower-cased and joined by single spaces, in
    // a fixed buffer: this runs for every sentence, and only the first
    // `HEAD` bytes, the longest marker and the byte after it, can decide.
    let mut head = [0u8; HEAD];
    let mut len = 0;
    let (mut in_word, mut words) = (false, 0);
    'chars: for c in text.chars() {
        if !(c.is_alphanumeric() || is_apostrophe(c)) {
            in_word = false;
            continue;
        }
        let mut buf = [0u8; 5];
        let mut n = 0;
        if !in_word {
            if words == 4 {
                break;
            }
            words += 1;
            in_word = true;
            if len > 0 {
                buf[0] = b' ';
                n = 1;
            }
        }
        let c = if is_apostrophe(c) {
            '\''
        } else {
            c.to_ascii_lowercase()
        };
        n += c.encode_utf8(&mut buf[n..]).len();
        // Most sentences open with a letter no marker opens with.
        if len == 0 && !STARTS[usize::from(buf[0])] {
            return false;
        }
        for &b in &buf[..n] {
            let Some(slot) = head.get_mut(len) else {
                break 'chars;
            };
            *slot = b;
            len += 1;
        }
    }
    let head = &head[..len];
    INFERENCE
        .iter()
        .any(|m| head.starts_with(m.as_bytes()) && head.get(m.len()).is_none_or(|&b| b == b' '))
}

/// Where a paragraph stands in its essay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParaPlace {
    /// The first paragraph.
    Intro,
    /// Neither the first nor the last.
    Body,
    /// The last paragraph of an essay with more than one.
    Conclusion,
}

impl ParaPlace {
    /// The place of paragraph `p` in an essay whose last paragraph is `last`.
    pub fn of(p: usize, last: usize) -> ParaPlace {
        if p == 0 {
            ParaPlace::Intro
        } else if p == last {
            ParaPlace::Conclusion
        } else {
            ParaPlace::Body
        }
    }
}

/// Rescoring features of the sentences of one paragraph, from their first-pass
/// label probabilities `marg`, thesis flags and [`opens_with_inference`]
/// flags; appended to `out`.
pub fn features(
    marg: &[[f32; L]],
    thesis: &[bool],
    inference: &[bool],
    place: ParaPlace,
    out: &mut Vec<[f32; N_FEAT]>,
) {
    let n = marg.len();
    let first_inference = inference.iter().position(|&x| x);
    let last_inference = inference.iter().rposition(|&x| x);
    let claim = |i: usize| marg[i][0];
    // A text without blank lines can be one paragraph of thousands of
    // sentences: there the others' claim probabilities are summarised once
    // (largest two, total, sorted), not rescanned per sentence. Paragraphs of
    // essays take the direct loop, whose sums the shipped model was fitted on.
    let long = (n > LONG_PARAGRAPH).then(|| Summary::new(marg));
    for (i, p) in marg.iter().enumerate() {
        let (max_other, sum_other, higher) = match &long {
            Some(s) => s.others(i, claim(i)),
            None => {
                let (mut max_other, mut sum_other, mut higher) = (0.0f32, 0.0f32, 0usize);
                for j in (0..n).filter(|&j| j != i) {
                    max_other = max_other.max(claim(j));
                    sum_other += claim(j);
                    higher += usize::from(claim(j) > claim(i));
                }
                (max_other, sum_other, higher)
            }
        };
        let flag = |b: bool| f32::from(u8::from(b));
        out.push([
            p[0].max(1e-6).ln(),
            p[1].max(1e-6).ln(),
            p[2].max(1e-6).ln(),
            p[3].max(1e-6).ln(),
            flag(i == 0),
            flag(i + 1 == n),
            max_other,
            sum_other,
            flag(higher == 0),
            flag(higher == 1),
            n.min(8) as f32 / 8.0,
            flag(thesis.get(i).copied().unwrap_or(false)),
            flag(place == ParaPlace::Intro),
            flag(place == ParaPlace::Conclusion),
            flag(place == ParaPlace::Body),
            flag(inference.get(i).copied().unwrap_or(false)),
            flag(first_inference.is_some_and(|f| f < i)),
            flag(last_inference.is_some_and(|l| l > i)),
        ]);
    }
}

/// Paragraphs longer than this (in sentences) are summarised by [`Summary`].
const LONG_PARAGRAPH: usize = 64;

/// The claim probabilities of a long paragraph, summarised for
/// [`features`]: each sentence's "others" figures in `O(log n)`.
struct Summary {
    /// Index of the (first) largest claim probability.
    top: usize,
    /// The largest, and the largest of the others of `top`.
    first: f32,
    second: f32,
    total: f64,
    /// All claim probabilities, ascending.
    sorted: Vec<f32>,
}

impl Summary {
    fn new(marg: &[[f32; L]]) -> Summary {
        let claims: Vec<f32> = marg.iter().map(|p| p[0]).collect();
        let top = (0..claims.len())
            .max_by(|&a, &b| claims[a].total_cmp(&claims[b]).then(b.cmp(&a)))
            .unwrap_or(0);
        let others = |skip: usize| {
            claims
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != skip)
                .fold(0.0f32, |m, (_, &c)| m.max(c))
        };
        let mut sorted = claims.clone();
        sorted.sort_by(f32::total_cmp);
        Summary {
            top,
            first: claims.get(top).copied().unwrap_or(0.0),
            second: others(top),
            total: claims.iter().map(|&c| f64::from(c)).sum(),
            sorted,
        }
    }

    /// (largest, sum, number greater) of the claim probabilities of the
    /// sentences other than `i`, whose own is `own`.
    fn others(&self, i: usize, own: f32) -> (f32, f32, usize) {
        let max = if i == self.top {
            self.second
        } else {
            self.first.max(0.0)
        };
        let greater = self.sorted.len() - self.sorted.partition_point(|&c| c <= own);
        (max, (self.total - f64::from(own)) as f32, greater)
    }
}

/// The trained rescorer: label scores `weights · features + bias`, softmaxed.
#[derive(Debug, Clone, PartialEq)]
pub struct Rescorer {
    /// One row of feature weights per label ([`crate::document::Label::ALL`] order).
    pub weights: [[f32; N_FEAT]; L],
    /// Label biases.
    pub bias: [f32; L],
}

impl Rescorer {
    /// Label probabilities for one sentence's features.
    pub fn probs(&self, f: &[f32; N_FEAT]) -> [f32; L] {
        let mut z = self.bias;
        for (zk, wk) in z.iter_mut().zip(&self.weights) {
            *zk += wk.iter().zip(f).map(|(w, x)| w * x).sum::<f32>();
        }
        softmax(&mut z);
        z
    }

    /// Fits the rescorer to features `xs` and gold label indices `ys` by
    /// full-batch Adam on the mean cross-entropy plus `l2 / 2 · |W|²` (biases
    /// unpenalised), on standardised features whose scaling is then folded into
    /// the weights. Deterministic.
    pub fn fit(xs: &[[f32; N_FEAT]], ys: &[usize], l2: f64, iterations: usize) -> Rescorer {
        let n = xs.len().min(ys.len());
        let mut mean = [0.0f64; N_FEAT];
        let mut sd = [0.0f64; N_FEAT];
        for x in &xs[..n] {
            for (m, &v) in mean.iter_mut().zip(x) {
                *m += f64::from(v) / n.max(1) as f64;
            }
        }
        for x in &xs[..n] {
            for ((s, &v), m) in sd.iter_mut().zip(x).zip(&mean) {
                *s += (f64::from(v) - m).powi(2) / n.max(1) as f64;
            }
        }
        // A constant feature keeps scale 1 (its weight then stays at zero).
        let sd = sd.map(|v| if v > 1e-12 { v.sqrt() } else { 1.0 });
        let z: Vec<[f64; N_FEAT]> = xs[..n]
            .iter()
            .map(|x| std::array::from_fn(|j| (f64::from(x[j]) - mean[j]) / sd[j]))
            .collect();
        // Parameters: L rows of N_FEAT weights then the bias, as one vector.
        const P: usize = N_FEAT + 1;
        let mut theta = [[0.0f64; P]; L];
        let (mut m1, mut m2) = ([[0.0f64; P]; L], [[0.0f64; P]; L]);
        let (lr, b1, b2, eps) = (0.05, 0.9, 0.999, 1e-8);
        for t in 1..=iterations {
            let mut g = [[0.0f64; P]; L];
            for (x, &y) in z.iter().zip(ys) {
                let mut s = [0.0f64; L];
                for (sk, th) in s.iter_mut().zip(&theta) {
                    *sk = th[N_FEAT] + th[..N_FEAT].iter().zip(x).map(|(w, v)| w * v).sum::<f64>();
                }
                let mx = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let sum: f64 = s.iter().map(|v| (v - mx).exp()).sum();
                for (k, gk) in g.iter_mut().enumerate() {
                    let d = (s[k] - mx).exp() / sum - if k == y { 1.0 } else { 0.0 };
                    for (gj, v) in gk.iter_mut().zip(x) {
                        *gj += d * v;
                    }
                    gk[N_FEAT] += d;
                }
            }
            for k in 0..L {
                for j in 0..P {
                    let reg = if j < N_FEAT { l2 * theta[k][j] } else { 0.0 };
                    let gr = g[k][j] / n.max(1) as f64 + reg;
                    m1[k][j] = b1 * m1[k][j] + (1.0 - b1) * gr;
                    m2[k][j] = b2 * m2[k][j] + (1.0 - b2) * gr * gr;
                    let mh = m1[k][j] / (1.0 - b1.powi(t as i32));
                    let vh = m2[k][j] / (1.0 - b2.powi(t as i32));
                    theta[k][j] -= lr * mh / (vh.sqrt() + eps);
                }
            }
        }
        let mut weights = [[0.0f32; N_FEAT]; L];
        let mut bias = [0.0f32; L];
        for k in 0..L {
            let mut b = theta[k][N_FEAT];
            for j in 0..N_FEAT {
                let w = theta[k][j] / sd[j];
                weights[k][j] = w as f32;
                b -= w * mean[j];
            }
            bias[k] = b as f32;
        }
        Rescorer { weights, bias }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_compare_each_sentence_with_its_paragraph() {
        let marg = [
            [0.7, 0.2, 0.0, 0.1],
            [0.2, 0.7, 0.0, 0.1],
            [0.4, 0.5, 0.0, 0.1],
        ];
        let mut f = Vec::new();
        features(
            &marg,
            &[false, false, true],
            &[false, true, false],
            ParaPlace::Body,
            &mut f,
        );
        assert_eq!(f.len(), 3);
        assert!((f[0][0] - 0.7f32.ln()).abs() < 1e-6);
        // First sentence: first, top claim, others at most 0.4 and sum 0.6.
        assert_eq!(&f[0][4..10], &[1.0, 0.0, 0.4, 0.6, 1.0, 0.0]);
        // Last sentence: second by claim probability, beside a 0.7 claim, thesis.
        assert_eq!(&f[2][4..10], &[0.0, 1.0, 0.7, 0.9, 0.0, 1.0]);
        assert_eq!(&f[2][10..15], &[3.0 / 8.0, 1.0, 0.0, 0.0, 1.0]);
        // The middle sentence draws a conclusion: before the last, after the first.
        assert_eq!(&f[0][15..], &[0.0, 0.0, 1.0]);
        assert_eq!(&f[1][15..], &[1.0, 0.0, 0.0]);
        assert_eq!(&f[2][15..], &[0.0, 1.0, 0.0]);
        assert_eq!(ParaPlace::of(0, 3), ParaPlace::Intro);
        assert_eq!(ParaPlace::of(2, 3), ParaPlace::Body);
        assert_eq!(ParaPlace::of(3, 3), ParaPlace::Conclusion);
    }

    #[test]
    fn inference_openings_are_whole_words() {
        assert!(INFERENCE.iter().all(|m| m.len() < HEAD));
        for t in [
            "Therefore, schools should act.",
            "THUS it follows.",
            "That’s why phones help.",
            "As a result of this, grades rose.",
            "So, what now?",
            "\"Hence\" the rule.",
            "  (for this reason) we stay.",
        ] {
            assert!(opens_with_inference(t), "{t}");
        }
        for t in [
            "Some say so.",
            "Sometimes it rains.",
            "As a rule, no.",
            "Thusly",
            "",
            "Étant donné",
            "’Thus",
            "42 students agreed.",
        ] {
            assert!(!opens_with_inference(t), "{t}");
        }
    }

    #[test]
    fn a_long_paragraph_gets_the_same_features_from_its_summary() {
        // Repeated values check the ties of "largest" and "rank".
        let n = LONG_PARAGRAPH * 3;
        let marg: Vec<[f32; L]> = (0..n)
            .map(|i| {
                let c = ((i * 37) % 101) as f32 / 100.0;
                [c, 1.0 - c, 0.0, 0.0]
            })
            .collect();
        let mut f = Vec::new();
        features(
            &marg,
            &vec![false; n],
            &vec![false; n],
            ParaPlace::Body,
            &mut f,
        );
        for (i, fi) in f.iter().enumerate() {
            let others = (0..n).filter(|&j| j != i).map(|j| marg[j][0]);
            let max = others.clone().fold(0.0f32, f32::max);
            let sum: f32 = others.clone().sum();
            let higher = others.filter(|&c| c > marg[i][0]).count();
            assert_eq!(fi[6], max, "sentence {i}");
            assert!((fi[7] - sum).abs() < 1e-3, "sentence {i}");
            assert_eq!(fi[8..10], [f32::from(higher == 0), f32::from(higher == 1)]);
        }
    }

    #[test]
    fn fit_learns_the_paragraph_rule_it_is_shown() {
        // Gold: the paragraph's top claim sentence is the claim, the rest
        // evidence, whatever their own (uninformative) probabilities say.
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for k in 0..200 {
            let a = 0.3 + 0.001 * k as f32;
            let marg = [
                [a, 0.6, 0.0, 0.1],
                [0.35, 0.55, 0.0, 0.1],
                [0.2, 0.7, 0.0, 0.1],
            ];
            let start = xs.len();
            features(&marg, &[false; 3], &[false; 3], ParaPlace::Body, &mut xs);
            for f in &xs[start..] {
                ys.push(if f[8] == 1.0 { 0 } else { 1 });
            }
        }
        let r = Rescorer::fit(&xs, &ys, 1e-4, 300);
        let right = xs
            .iter()
            .zip(&ys)
            .filter(|(x, &y)| {
                let p = r.probs(x);
                (p[0] > p[1]) == (y == 0)
            })
            .count();
        assert_eq!(right, xs.len());
        assert_eq!(r, Rescorer::fit(&xs, &ys, 1e-4, 300), "deterministic");
    }
}
