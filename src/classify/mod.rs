//! Stage 3: sentence roles (claim, evidence, question, other) and the thesis.
//!
//! [`Model`] is a trained linear-chain CRF over the sentences of a paragraph,
//! on hashed sparse features ([`crate::features`]), with a logistic thesis
//! head, and a second pass ([`rescore`]) that rescores each sentence against
//! the rest of its paragraph; [`train`] fits both. The [`Classifier`] trait is what the pipeline
//! calls, so another model (or a test double) can stand in. A [`Refiner`]
//! runs after it and may relabel: the transformer backend (`transformer`,
//! Cargo feature `transformer`) fuses its own probabilities with the
//! embedded model's.

pub mod crf;
pub mod model;
pub mod rescore;
pub mod train;
#[cfg(feature = "transformer")]
pub mod transformer;

pub use model::{DecodeConfig, Model, TokenCache, Work};
pub use train::{DevSet, TrainConfig};

use crate::document::Document;
use crate::features::{FeatureSpec, Features};
use std::cell::RefCell;

/// Labels the sentences of a segmented document.
pub trait Classifier: Send + Sync {
    /// The feature space the classifier reads.
    fn spec(&self) -> FeatureSpec;
    /// Sets `label`, `confidence`, `scores` and `thesis` of every sentence of
    /// `doc`, given its features.
    fn classify(&self, doc: &mut Document, feats: &Features);
}

/// A second-stage role model that reads the first one's labels, scores and
/// thesis flags in the sentences and overwrites them.
pub trait Refiner: Send + Sync {
    /// Relabels the sentences of `doc`.
    ///
    /// # Errors
    /// When the model fails to run (e.g. a libtorch error).
    fn refine(&self, doc: &mut Document) -> crate::error::Result<()>;

    /// Relabels several documents. A model that runs faster on many sentences
    /// at once (the transformer, which batches them by length) overrides this.
    ///
    /// # Errors
    /// As [`Refiner::refine`].
    fn refine_many(&self, docs: &mut [&mut Document]) -> crate::error::Result<()> {
        docs.iter_mut().try_for_each(|d| self.refine(d))
    }
}

thread_local! {
    static WORK: RefCell<Work> = RefCell::new(Work::default());
}

impl Classifier for Model {
    fn spec(&self) -> FeatureSpec {
        self.spec
    }

    fn classify(&self, doc: &mut Document, feats: &Features) {
        WORK.with(|w| match w.try_borrow_mut() {
            Ok(mut w) => self.predict(doc, feats, &mut w),
            Err(_) => self.predict(doc, feats, &mut Work::default()),
        });
    }
}

impl Model {
    /// [`Classifier::classify`] with the token sums of `cache` (see
    /// [`Model::predict_cached`]).
    pub fn classify_cached(&self, doc: &mut Document, feats: &Features, cache: &mut TokenCache) {
        WORK.with(|w| match w.try_borrow_mut() {
            Ok(mut w) => self.predict_cached(doc, feats, &mut w, cache),
            Err(_) => self.predict_cached(doc, feats, &mut Work::default(), cache),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::annotated::{AnnotatedEssay, GoldSentence};
    use crate::document::Label;
    use crate::features::FeatureSpec;
    use crate::segment::{self, RuleSegmenter};

    /// Essays whose roles follow from their words: a toy set a working
    /// optimiser must fit perfectly.
    fn toy() -> Vec<AnnotatedEssay> {
        let claims = [
            "Uniforms should be required.",
            "Cities must plant trees.",
            "Tests should be shorter.",
        ];
        let evidence = [
            "For example, my school saw fewer fights.",
            "For instance, shade cools the streets.",
            "For example, tired pupils forget answers.",
        ];
        let other = ["Dear reader, hello there.", "Dear friends, welcome."];
        let questions = ["Is that fair?", "Who decides?"];
        let mut out = Vec::new();
        for i in 0..12 {
            let c = claims[i % 3];
            let e = evidence[(i + 1) % 3];
            let o = other[i % 2];
            let q = questions[i % 2];
            let text = format!("{o} {q}\n\n{c} {e}");
            let doc = segment::document(&RuleSegmenter::default(), None, None, text);
            let labels = [Label::Other, Label::Question, Label::Claim, Label::Evidence];
            let gold = labels
                .iter()
                .map(|&l| GoldSentence {
                    label: l,
                    thesis: l == Label::Claim,
                    component: None,
                    stance: None,
                })
                .collect();
            out.push(AnnotatedEssay {
                doc,
                gold,
                links: vec![],
                components: vec![],
            });
        }
        out
    }

    #[test]
    fn optimiser_fits_a_separable_toy_set_deterministically() {
        let spec = FeatureSpec { bits: 12 };
        let essays = toy();
        for transitions in [false, true] {
            let cfg = TrainConfig {
                spec,
                epochs: 15,
                transitions,
                ..TrainConfig::default()
            };
            let ex = train::prepare(&spec, &essays, 1.0, None);
            let m = train::train(&cfg, &ex, &[], &mut |_| {});
            let m2 = train::train(&cfg, &ex, &[], &mut |_| {});
            assert_eq!(m.weights, m2.weights, "same seed, same model");
            let dev = DevSet::new("toy".into(), &spec, essays.clone());
            let r = dev.evaluate(&m);
            assert!((r.accuracy - 1.0).abs() < 1e-9, "{r}");
            assert!((r.thesis.f1 - 1.0).abs() < 1e-9, "{r}");
            // Probabilities are a distribution.
            let mut doc = essays[0].doc.clone();
            let mut f = crate::features::Features::default();
            crate::features::extract(&spec, &doc, &mut f, &mut Default::default());
            m.classify(&mut doc, &f);
            for s in &doc.sentences {
                let p = s.scores.unwrap().to_array();
                assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
                assert_eq!(s.confidence, Some(p[s.label.unwrap().index()]));
            }
        }
    }

    #[test]
    fn an_ensemble_is_the_average_of_its_seeds() {
        let spec = FeatureSpec { bits: 10 };
        let ex = train::prepare(&spec, &toy(), 1.0, None);
        let cfg = TrainConfig {
            spec,
            epochs: 3,
            ..TrainConfig::default()
        };
        let one = |seed| {
            let c = TrainConfig { seed, ..cfg };
            train::train(&c, &ex, &[], &mut |_| {})
        };
        let (a, b) = (one(cfg.seed), one(cfg.seed + 1));
        assert_ne!(a.weights, b.weights, "seeds shuffle differently");
        let both = TrainConfig { ensemble: 2, ..cfg };
        let m = train::train(&both, &ex, &[], &mut |_| {});
        for ((x, y), z) in a.weights.iter().zip(b.weights.iter()).zip(m.weights.iter()) {
            assert!(((x + y) / 2.0 - z).abs() < 1e-6);
        }
        assert!(((a.bias[0] + b.bias[0]) / 2.0 - m.bias[0]).abs() < 1e-6);
        assert!(((a.trans[1][2] + b.trans[1][2]) / 2.0 - m.trans[1][2]).abs() < 1e-6);
    }

    #[test]
    fn the_rescorer_learns_from_out_of_fold_predictions() {
        let spec = FeatureSpec { bits: 12 };
        let essays = toy();
        let ex = train::prepare(&spec, &essays, 1.0, None);
        let cfg = TrainConfig {
            spec,
            epochs: 15,
            ..TrainConfig::default()
        };
        let held: Vec<_> = essays.iter().enumerate().collect();
        let fit = || train::fit_rescorer(&cfg, &ex, &held, 3, &[], &mut |_| {});
        let (rs, n) = fit().expect("held essays give a rescorer");
        assert_eq!(n, 48, "every held-out sentence is a row");
        assert_eq!(fit().map(|f| f.0), Some(rs.clone()), "deterministic");
        assert!(train::fit_rescorer(&cfg, &ex, &[], 3, &[], &mut |_| {}).is_none());
        // With the rescorer on top, the toy set is still fitted perfectly.
        let mut m = train::train(&cfg, &ex, &[], &mut |_| {});
        m.rescorer = Some(rs);
        let r = DevSet::new("toy".into(), &spec, essays).evaluate(&m);
        assert!((r.accuracy - 1.0).abs() < 1e-9, "{r}");
    }
}
