//! Stage 3: sentence roles (claim, evidence, question, other) and the thesis.
//!
//! [`Model`] is a trained linear-chain CRF over the sentences of a paragraph,
//! on hashed sparse features ([`crate::features`]), with a logistic thesis
//! head, and a second pass (`rescore`) that rescores each sentence against
//! the rest of its paragraph; `train::roles` fits both. The [`Classifier`]
//! trait is what the pipeline calls, so another model (or a test double) can
//! stand in. A [`Refiner`] runs after it and may relabel: the transformer
//! backend (`transformer`, Cargo feature `transformer`) fuses its own
//! probabilities with the embedded model's. Essays whose paragraphs the
//! break model restored are read by a second model trained on such essays
//! (`restored`).

pub(crate) mod crf;
pub(crate) mod model;
pub(crate) mod rescore;
pub mod restored;
pub mod short;
#[cfg(feature = "transformer")]
pub mod transformer;

pub use model::{DecodeConfig, Model};
pub(crate) use model::{TokenCache, Work};
pub use short::ShortModel;

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
    pub(crate) fn classify_cached(
        &self,
        doc: &mut Document,
        feats: &Features,
        cache: &mut TokenCache,
    ) {
        WORK.with(|w| match w.try_borrow_mut() {
            Ok(mut w) => self.predict_cached(doc, feats, &mut w, cache),
            Err(_) => self.predict_cached(doc, feats, &mut Work::default(), cache),
        });
    }
}
