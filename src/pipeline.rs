//! The public entry point: text -> segmented, labelled [`Document`].
//!
//! A [`Pipeline`] owns a segmenter and a role model and runs segment ->
//! features -> classify; later stages (links, map, grading) hang off it too.
//! The shipped model is compiled into the binary (`models/roles.bin` via
//! `include_bytes!`) and parsed once per process ([`LazyLock`]); pipelines
//! share it through an [`Arc`]. `Pipeline` is `Send + Sync`, so rayon workers
//! can share one `&Pipeline`; per-thread feature buffers live in a
//! thread-local, so analysing an essay does not allocate scratch space.

use crate::classify::{Classifier, Model};
use crate::document::Document;
use crate::error::{Error, Result};
use crate::features::{extract, Features, Scratch};
use crate::segment::{self, RuleSegmenter, Segmenter};
use std::cell::RefCell;
use std::path::Path;
use std::sync::{Arc, LazyLock};

/// The shipped role model's bytes.
pub static EMBEDDED_MODEL: &[u8] = include_bytes!("../models/roles.bin");

static EMBEDDED: LazyLock<std::result::Result<Arc<Model>, String>> = LazyLock::new(|| {
    Model::from_bytes("<embedded roles.bin>", EMBEDDED_MODEL)
        .map(Arc::new)
        .map_err(|e| e.to_string())
});

thread_local! {
    static BUFS: RefCell<(Scratch, Features)> = RefCell::new(Default::default());
}

/// Segmenter plus role model.
#[derive(Clone)]
pub struct Pipeline {
    segmenter: Arc<dyn Segmenter>,
    model: Arc<Model>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("feature_bits", &self.model.spec.bits)
            .finish_non_exhaustive()
    }
}

impl Pipeline {
    /// The pipeline with the default segmenter and the model shipped in the binary.
    ///
    /// # Errors
    /// [`Error::Model`] / [`Error::ModelMismatch`] if the embedded model does not load
    /// (a build problem, reported rather than panicking).
    pub fn embedded() -> Result<Pipeline> {
        match &*EMBEDDED {
            Ok(m) => Ok(Pipeline::with_model(Arc::clone(m))),
            Err(msg) => Err(Error::Model {
                what: "<embedded>".into(),
                message: msg.clone(),
            }),
        }
    }

    /// The pipeline with the default segmenter and the model file at `path`.
    ///
    /// # Errors
    /// [`Error::Io`] when unreadable, model errors as in [`Model::from_bytes`].
    pub fn from_model_file(path: &Path) -> Result<Pipeline> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let m = Model::from_bytes(&path.display().to_string(), &bytes)?;
        Ok(Pipeline::with_model(Arc::new(m)))
    }

    /// The pipeline with the default segmenter and `model`.
    pub fn with_model(model: Arc<Model>) -> Pipeline {
        Pipeline {
            segmenter: Arc::new(RuleSegmenter::default()),
            model,
        }
    }

    /// The role model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The segmenter.
    pub fn segmenter(&self) -> &dyn Segmenter {
        &*self.segmenter
    }

    /// Segments and analyses one essay. `title` is the prompt, if known (it
    /// feeds the title-overlap features).
    ///
    /// # Errors
    /// None today; later stages may fail and report through this.
    pub fn analyze(
        &self,
        id: Option<String>,
        title: Option<String>,
        text: String,
    ) -> Result<Document> {
        let mut doc = segment::document(&*self.segmenter, id, title, text);
        self.annotate(&mut doc)?;
        Ok(doc)
    }

    /// Analyses an already segmented document (e.g. a corpus essay with its own
    /// paragraphs), overwriting any earlier predictions.
    ///
    /// # Errors
    /// As [`Pipeline::analyze`].
    pub fn annotate(&self, doc: &mut Document) -> Result<()> {
        let spec = self.model.spec();
        BUFS.with(|b| match b.try_borrow_mut() {
            Ok(mut b) => {
                let (scratch, feats) = &mut *b;
                extract(&spec, doc, feats, scratch);
                self.model.classify(doc, feats);
            }
            Err(_) => {
                let mut feats = Features::default();
                extract(&spec, doc, &mut feats, &mut Scratch::default());
                self.model.classify(doc, &feats);
            }
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Label;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn pipeline_is_send_sync_and_embedded_loads() {
        assert_send_sync::<Pipeline>();
        let p = Pipeline::embedded().unwrap();
        let doc = p
            .analyze(None, None, "Should schools ban phones?".into())
            .unwrap();
        assert_eq!(doc.sentences.len(), 1);
        assert_eq!(doc.sentences[0].label, Some(Label::Question));
        assert_eq!(doc.sentences[0].thesis, Some(false));
        let empty = p.analyze(None, None, String::new()).unwrap();
        assert!(empty.sentences.is_empty());
    }
}
