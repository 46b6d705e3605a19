//! The role model for essays whose paragraphs the break model restored.
//!
//! Why a second model: an essay pasted without any paragraph breaks gets them
//! back from `segment::breaks`, which finds four in five of AAE dev's breaks
//! and about half of PERSUADE dev's. The main
//! model trusts paragraph positions (the introduction's last sentence, a body
//! paragraph's first) that are then often wrong. This one has the main
//! recipe, trained on the training essays pasted flat with their paragraphs
//! restored the same way, so it learns how far restored paragraphs can be
//! trusted. It has 2^16 feature buckets (1.6 MB) to keep the binary small, and
//! is parsed only when the first such essay comes (`models/README.md`).
//!
//! Whichever model reads such an essay, it reads it on several segmentations
//! drawn from the break model, and the labels are averaged ([`label_hedged`]).

use super::Model;
use crate::document::{Document, Label, Paragraph, Scores};
use crate::error::{Error, Result};
use crate::features::{extract, Features, Scratch};
use crate::segment::breaks::BreakModel;
use std::sync::LazyLock;

/// The shipped restored-paragraph role model's bytes.
pub static EMBEDDED_RESTORED_MODEL: &[u8] = include_bytes!("../../models/roles-restored.bin");

static RESTORED: LazyLock<std::result::Result<Model, String>> = LazyLock::new(|| {
    Model::from_embedded_bytes("<embedded roles-restored.bin>", EMBEDDED_RESTORED_MODEL)
        .map_err(|e| e.to_string())
});

/// The role model for essays whose paragraphs were restored, parsed on first use.
///
/// # Errors
/// [`Error::Model`] if the embedded file is corrupt (a build problem).
pub fn embedded_restored() -> Result<&'static Model> {
    RESTORED.as_ref().map_err(|m| Error::Model {
        what: "<embedded roles-restored.bin>".into(),
        message: m.clone(),
    })
}

/// Whether the restored-paragraph model `model` reads `doc`, an essay whose
/// paragraphs were restored: when its register head calls it school writing.
/// On held-out training essays pasted flat it read those better than the main
/// recipe trained on the same essays, and university-level ones no better, so
/// these keep the main model, which saw more of them (`models/README.md`).
pub(crate) fn reads(model: &Model, doc: &Document) -> bool {
    let mut feats = Features::default();
    extract(&model.spec, doc, &mut feats, &mut Scratch::default());
    model.register_of(&feats) < 0.5
}

/// How the labels of an essay whose paragraphs were restored are averaged over
/// the break model's likely segmentations ([`label_hedged`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hedge {
    /// Segmentations drawn (0: label the restored paragraphs alone).
    pub samples: usize,
    /// Temperature of the break model's posterior they are drawn from.
    pub temperature: f64,
    /// A sentence is the thesis when at least this share of the
    /// segmentations made it one.
    pub thesis_share: f32,
}

/// The shipped setting, chosen on held-out training essays pasted flat
/// (`docs/layout.md`).
pub const HEDGE: Hedge = Hedge {
    samples: 16,
    temperature: 0.5,
    thesis_share: 0.3,
};

/// Seed of the segmentation draws: the same essay always gets the same labels.
const SEED: u64 = 0x7365_676d_656e_7473;

/// Labels `doc` as `label` labels a document, but averaged over `hedge.samples`
/// segmentations of its restored paragraphs drawn from `breaks`: each
/// sentence gets the mean of the label probabilities, the most probable label,
/// and the thesis flag when at least `hedge.thesis_share` of the draws gave
/// it. Why: a restored break is often wrong (a boundary F1 of about 0.8 on
/// AAE, 0.59 on PERSUADE), and the role model leans on paragraph positions; on
/// held-out training essays the average beat the single best segmentation.
///
/// `text` is the essay text the sentences' byte ranges point into (`doc` may
/// be a part of it without text). A run of prose sentences with no line break
/// between them, cut into paragraphs, is a restored block; paragraphs outside
/// such blocks stay as they are. Without a block to draw for, `doc` is
/// labelled once as it is.
pub fn label_hedged(
    doc: &mut Document,
    text: &str,
    breaks: &BreakModel,
    hedge: &Hedge,
    mut label: impl FnMut(&mut Document),
) {
    let blocks = restored_blocks(doc, text);
    let draws: Vec<Vec<Vec<usize>>> = blocks
        .iter()
        .enumerate()
        .map(|(b, r)| {
            let texts: Vec<&str> = doc.sentences[r.clone()]
                .iter()
                .map(|s| s.text.as_str())
                .collect();
            breaks.sample(&texts, hedge.samples, hedge.temperature, SEED ^ b as u64)
        })
        .collect();
    let rounds = draws.iter().map(Vec::len).min().unwrap_or(0);
    if rounds == 0 {
        label(doc);
        return;
    }
    let n = doc.sentences.len();
    let mut sums = vec![[0.0f32; 4]; n];
    let mut thesis = vec![0usize; n];
    for round in 0..rounds {
        let mut starts: Vec<bool> = (0..n)
            .map(|i| i > 0 && doc.sentences[i].paragraph != doc.sentences[i - 1].paragraph)
            .collect();
        for (r, d) in blocks.iter().zip(&draws) {
            starts[r.start + 1..r.end].fill(false);
            for &k in &d[round] {
                starts[r.start + k] = true;
            }
        }
        let mut copy = reparagraphed(doc, &starts);
        label(&mut copy);
        for (i, s) in copy.sentences.iter().enumerate() {
            let p = match (s.scores, s.label) {
                (Some(sc), _) => sc.to_array(),
                (None, l) => {
                    let mut a = [0.0; 4];
                    a[l.unwrap_or(Label::Other).index()] = 1.0;
                    a
                }
            };
            for (t, x) in sums[i].iter_mut().zip(p) {
                *t += x / rounds as f32;
            }
            thesis[i] += usize::from(s.thesis == Some(true));
        }
    }
    for (i, s) in doc.sentences.iter_mut().enumerate() {
        let scores = Scores::from_array(sums[i]);
        let (l, p) = scores.best();
        s.label = Some(l);
        s.confidence = Some(p);
        s.scores = Some(scores);
        s.thesis = Some(thesis[i] as f32 >= hedge.thesis_share * rounds as f32);
    }
}

/// The runs of sentences of `doc` (index ranges) that are prose with no line
/// break between them in `text` and that are cut into more than one
/// paragraph: the blocks whose paragraphs the break model restored.
fn restored_blocks(doc: &Document, text: &str) -> Vec<std::ops::Range<usize>> {
    let s = &doc.sentences;
    let joined = |i: usize| {
        let (a, b) = (&s[i - 1], &s[i]);
        a.kind.is_prose()
            && b.kind.is_prose()
            && !a.bytes.is_empty()
            && text
                .get(a.bytes.end..b.bytes.start)
                .is_some_and(|gap| !gap.contains(['\n', '\r']))
    };
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=s.len() {
        if i == s.len() || !joined(i) {
            if s[start..i]
                .windows(2)
                .any(|w| w[0].paragraph != w[1].paragraph)
            {
                out.push(start..i);
            }
            start = i;
        }
    }
    out
}

/// A copy of `doc` whose paragraphs start at the sentences `starts` marks
/// (one entry per sentence; the first sentence always starts one).
pub fn reparagraphed(doc: &Document, starts: &[bool]) -> Document {
    let mut d = doc.clone();
    d.paragraphs.clear();
    let mut pos = 0;
    for (i, s) in d.sentences.iter_mut().enumerate() {
        if i > 0 && starts[i] {
            pos = 0;
        }
        if i == 0 || starts[i] {
            d.paragraphs.push(Paragraph {
                index: d.paragraphs.len(),
                start: s.start,
                end: s.end,
                bytes: s.bytes.clone(),
            });
        }
        if let Some(p) = d.paragraphs.last_mut() {
            p.end = s.end;
            p.bytes.end = s.bytes.end;
            s.paragraph = p.index;
        }
        s.position_in_paragraph = pos;
        pos += 1;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_restored_model_loads_and_passes_its_checksum() {
        let m = embedded_restored().unwrap();
        // The start-up parse skips the checksum; the file must still pass it.
        let checked = Model::from_bytes("roles-restored.bin", EMBEDDED_RESTORED_MODEL).unwrap();
        assert_eq!(checked.spec, m.spec);
        assert_eq!(checked.weights, m.weights);
        assert!(m.weights.iter().any(|&w| w != 0.0), "trained");
    }

    fn flat_doc(text: &str) -> Document {
        let seg = crate::segment::RuleSegmenter::default();
        crate::segment::document(&seg, None, None, text.to_string())
    }

    const ESSAY: [&str; 4] = [
        "Many towns are growing fast these days. Some people want more roads, while \
         others want more parks. In my opinion, every town should plant more trees.",
        "Firstly, trees keep streets cool in the summer. A street lined with old oaks can \
         be several degrees cooler than a bare one. People walk more when the shade is there.",
        "Secondly, trees clean the air we breathe. Their leaves catch dust and smoke from \
         traffic. Children who live near parks have fewer problems with asthma.",
        "In conclusion, trees make towns cooler, cleaner and healthier. Every town \
         council should plant them now.",
    ];

    /// A labeller that reads paragraph positions alone: first sentences are
    /// claims and thesis, the others evidence.
    fn by_position(d: &mut Document) {
        for s in &mut d.sentences {
            let first = s.position_in_paragraph == 0;
            let p = if first {
                [1.0, 0.0, 0.0, 0.0]
            } else {
                [0.0, 1.0, 0.0, 0.0]
            };
            s.scores = Some(Scores::from_array(p));
            s.label = Some(if first { Label::Claim } else { Label::Evidence });
            s.thesis = Some(first);
        }
    }

    #[test]
    fn restored_essays_are_labelled_by_the_average_over_segmentations() {
        let breaks = BreakModel::embedded().unwrap();
        let mut doc = flat_doc(&ESSAY.join(" "));
        assert!(doc.paragraphs.len() > 1, "the break model cuts it");
        let text = doc.text.clone();
        let before = doc.clone();
        let mut calls = 0;
        label_hedged(&mut doc, &text, breaks, &HEDGE, |d| {
            calls += 1;
            assert_eq!(d.sentences.len(), before.sentences.len());
            assert_eq!(
                d.paragraphs.len(),
                d.sentences.last().unwrap().paragraph + 1
            );
            by_position(d);
        });
        assert_eq!(calls, HEDGE.samples);
        // The segmentation itself is the restored one; only labels are averaged.
        for (s, b) in doc.sentences.iter().zip(&before.sentences) {
            assert_eq!(
                (s.paragraph, s.position_in_paragraph),
                (b.paragraph, b.position_in_paragraph)
            );
            let sc = s.scores.unwrap().to_array();
            assert!((sc.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{sc:?}");
            assert_eq!(s.label, Some(s.scores.unwrap().best().0));
            assert_eq!(s.confidence, Some(s.scores.unwrap().best().1));
        }
        // The opening sentence opens a paragraph in every draw.
        assert_eq!(doc.sentences[0].scores.unwrap().claim, 1.0);
        assert_eq!(doc.sentences[0].thesis, Some(true));
        // "Firstly" opens a paragraph in most draws, "Some people" in few.
        let at = |w: &str| {
            doc.sentences
                .iter()
                .find(|s| s.text.starts_with(w))
                .unwrap()
        };
        assert_eq!(at("Firstly").label, Some(Label::Claim));
        assert_eq!(at("Some people").label, Some(Label::Evidence));
    }

    #[test]
    fn laid_out_essays_are_labelled_once_as_they_are() {
        let breaks = BreakModel::embedded().unwrap();
        for text in [
            ESSAY.join("\n\n"),
            ESSAY.join("\n"),
            String::new(),
            "One.".into(),
        ] {
            let mut doc = flat_doc(&text);
            let mut expected = doc.clone();
            by_position(&mut expected);
            let mut calls = 0;
            label_hedged(&mut doc, &text, breaks, &HEDGE, |d| {
                calls += 1;
                by_position(d);
            });
            assert_eq!(calls, 1, "{text:?}");
            assert_eq!(doc, expected);
        }
    }
}
