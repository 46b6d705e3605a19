//! The public entry point: text -> segmented, labelled [`Document`].
//!
//! A [`Pipeline`] owns a segmenter and a role model and runs segment ->
//! features -> classify; later stages (links, map, grading) hang off it too.
//! The shipped model is compiled into the binary (`models/roles.bin` via
//! `include_bytes!`) and parsed once per process ([`LazyLock`]); pipelines
//! share it through an [`Arc`]. `Pipeline` is `Send + Sync`, so rayon workers
//! can share one `&Pipeline`; per-thread feature buffers live in a
//! thread-local, so analysing an essay does not allocate scratch space.

use crate::classify::{Classifier, Model, Refiner};
use crate::document::{Document, Paragraph, Sentence};
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
    refiner: Option<Arc<dyn Refiner>>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("feature_bits", &self.model.spec.bits)
            .field("refiner", &self.refiner.is_some())
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
            refiner: None,
        }
    }

    /// This pipeline with `refiner` run after the role model (e.g. the
    /// transformer backend).
    #[must_use]
    pub fn with_refiner(mut self, refiner: Arc<dyn Refiner>) -> Pipeline {
        self.refiner = Some(refiner);
        self
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
    /// When a refiner fails (the embedded model alone cannot).
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
        if doc.paragraphs.len() >= 3 && doc.is_heading(0) {
            self.annotate_titled(doc)
        } else {
            self.classify(doc)
        }
    }

    fn classify(&self, doc: &mut Document) -> Result<()> {
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
        match &self.refiner {
            Some(r) => r.refine(doc),
            None => Ok(()),
        }
    }

    /// An essay file that starts with its title or prompt on a line of its own
    /// ("Should schools ban phones?"): the model was trained on essays whose
    /// first paragraph is the introduction, with the prompt given apart. So the
    /// body is classified as such an essay, with the heading as its prompt
    /// unless one was given, and the heading line on its own.
    fn annotate_titled(&self, doc: &mut Document) -> Result<()> {
        let split = doc.paragraph_sentences(0).len();
        let heading = doc.sentences[..split].to_vec();
        let shift = |mut s: Sentence, by: usize, para: usize| {
            s.index -= by;
            s.paragraph -= para;
            s
        };
        let mut body = Document {
            id: None,
            title: doc
                .title
                .clone()
                .or_else(|| heading.first().map(|s| s.text.clone())),
            text: String::new(),
            paragraphs: doc.paragraphs[1..]
                .iter()
                .map(|p| Paragraph {
                    index: p.index - 1,
                    ..p.clone()
                })
                .collect(),
            sentences: doc.sentences[split..]
                .iter()
                .map(|s| shift(s.clone(), split, 1))
                .collect(),
        };
        let mut head = Document {
            id: None,
            title: doc.title.clone(),
            text: String::new(),
            paragraphs: doc.paragraphs[..1].to_vec(),
            sentences: heading,
        };
        self.classify(&mut body)?;
        self.classify(&mut head)?;
        for (dst, src) in doc
            .sentences
            .iter_mut()
            .zip(head.sentences.into_iter().chain(body.sentences))
        {
            dst.label = src.label;
            dst.confidence = src.confidence;
            dst.scores = src.scores;
            dst.thesis = src.thesis;
        }
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

    #[test]
    fn a_title_line_above_the_essay_is_its_prompt() {
        let p = Pipeline::embedded().unwrap();
        let body = "Many pupils bring phones to school every day. I believe that schools \
            should ban phones during lessons.\n\nPhones distract pupils. For example, a \
            survey found that most teachers lose ten minutes a lesson to phones.\n\n\
            In conclusion, phones should stay in lockers during lessons.";
        let titled = format!("Should schools ban phones?\n\n{body}");
        let with_line = p.analyze(None, None, titled).unwrap();
        let given = p
            .analyze(None, Some("Should schools ban phones?".into()), body.into())
            .unwrap();
        assert_eq!(with_line.sentences[0].label, Some(Label::Question));
        assert_eq!(with_line.sentences[0].thesis, Some(false));
        assert_eq!(with_line.sentences.len(), given.sentences.len() + 1);
        for (a, b) in with_line.sentences[1..].iter().zip(&given.sentences) {
            assert_eq!((a.label, a.thesis, a.scores), (b.label, b.thesis, b.scores));
        }
        assert!(with_line.sentences.iter().any(|s| s.thesis == Some(true)));
    }
}
