//! The role-labelling half of the pipeline: essay -> segmented, labelled
//! [`Document`].
//!
//! A [`Pipeline`] owns a segmenter and a role model (and an optional refiner,
//! the transformer backend) and runs segment -> features -> classify; a text
//! of one paragraph then takes its thesis from the short-text model
//! ([`ShortModel`], `models/short.json`). The
//! [`crate::Analyzer`] facade runs it and then the later stages (links, map,
//! grading); trainers and evaluation call it directly.
//! The shipped model is compiled into the binary (`models/roles.bin` via
//! `include_bytes!`) and parsed once per process ([`LazyLock`]); pipelines
//! share it through an [`Arc`]. `Pipeline` is `Send + Sync`, so rayon workers
//! can share one `&Pipeline`; per-thread feature buffers live in a
//! thread-local, so analysing an essay does not allocate scratch space. So does
//! each thread's `TokenCache`: the role model's sums over a word's unigram and
//! character features, computed once per word instead of at every occurrence
//! (a large share of a sentence's features).

use crate::classify::{restored, Classifier, Model, Refiner, ShortModel, TokenCache};
use crate::document::{Document, Essay, Label, Paragraph, Scores, Sentence};
use crate::error::{Error, Result};
use crate::features::{extract, extract_deferred, Features, Scratch};
use crate::segment::{self, RuleSegmenter, Segmenter};
use crate::text::ends_with_question;
use rayon::prelude::*;
use std::cell::RefCell;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};

/// The shipped role model's bytes.
pub static EMBEDDED_MODEL: &[u8] = include_bytes!("../models/roles.bin");

static EMBEDDED: LazyLock<std::result::Result<Arc<Model>, String>> = LazyLock::new(|| {
    Model::from_embedded_bytes("<embedded roles.bin>", EMBEDDED_MODEL)
        .map(Arc::new)
        .map_err(|e| e.to_string())
});

/// The shipped short-text model (`models/short.json`), shared by every
/// pipeline; `None` only if it does not parse, which a unit test rules out.
static EMBEDDED_SHORT: LazyLock<Option<Arc<ShortModel>>> =
    LazyLock::new(|| ShortModel::embedded().ok().cloned().map(Arc::new));

thread_local! {
    static BUFS: RefCell<(Scratch, Features, TokenCache)> = RefCell::new(Default::default());
}

/// The number the next pipeline's model gets ([`TokenCache::serve`]).
static NEXT_MODEL: AtomicU64 = AtomicU64::new(1);

/// Feature entries a thread keeps buffers for between essays (a 400-word
/// essay fills a few thousand). Buffers that grew past it for a very long text
/// (a 5 MB record needs about 190 MB) are dropped after it, so a batch worker
/// does not hold them for the rest of the run.
const KEEP_FEATURE_ENTRIES: usize = 1 << 18;

/// Segmenter plus role model.
#[derive(Clone)]
pub struct Pipeline {
    segmenter: Arc<dyn Segmenter>,
    model: Arc<Model>,
    /// A number no other model of this process has: the key of the token
    /// caches (the model behind the `Arc` never changes).
    model_id: u64,
    refiner: Option<Arc<dyn Refiner>>,
    /// Whether essays whose paragraphs the break model restored are read by
    /// the embedded restored-paragraph model (`classify::restored`): the
    /// embedded pipeline's choice; a model given by the caller reads all.
    restored: bool,
    /// Decodes a text of one paragraph as a short text (its thesis).
    short: Option<Arc<ShortModel>>,
}

/// The restored-paragraph model's key for the token caches.
static RESTORED_ID: LazyLock<u64> = LazyLock::new(|| NEXT_MODEL.fetch_add(1, Ordering::Relaxed));

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
            Ok(m) => Ok(Pipeline {
                restored: true,
                ..Pipeline::with_model(Arc::clone(m))
            }),
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
            model_id: NEXT_MODEL.fetch_add(1, Ordering::Relaxed),
            refiner: None,
            restored: false,
            short: EMBEDDED_SHORT.clone(),
        }
    }

    /// This pipeline decoding one-paragraph texts with `short` (`None`: as
    /// essays, the role model's thesis alone).
    #[must_use]
    pub fn with_short(mut self, short: Option<Arc<ShortModel>>) -> Pipeline {
        self.short = short;
        self
    }

    /// The short-text model, if one decodes one-paragraph texts.
    pub fn short(&self) -> Option<&ShortModel> {
        self.short.as_deref()
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

    /// Whether a second-stage model (the transformer backend) runs after the
    /// role model: callers with many essays should then use
    /// [`Pipeline::annotate_many`].
    pub fn has_refiner(&self) -> bool {
        self.refiner.is_some()
    }

    /// Splits `essay` into paragraphs and sentences, unlabelled.
    pub fn segment(&self, essay: Essay) -> Document {
        segment::document(&*self.segmenter, essay.id, essay.prompt, essay.text)
    }

    /// Segments `essay` and labels its sentences' roles and thesis. Its prompt,
    /// if known, feeds the title-overlap features.
    ///
    /// # Errors
    /// When a refiner fails (the embedded model alone cannot).
    pub fn label(&self, essay: Essay) -> Result<Document> {
        let mut doc = self.segment(essay);
        self.annotate(&mut doc)?;
        Ok(doc)
    }

    /// Labels an already segmented document (e.g. a corpus essay with its own
    /// paragraphs), overwriting any earlier predictions.
    ///
    /// # Errors
    /// As [`Pipeline::label`].
    pub fn annotate(&self, doc: &mut Document) -> Result<()> {
        let mut parts = self.first_pass(doc);
        if let Some(r) = &self.refiner {
            let mut refs = Vec::with_capacity(2);
            push_parts(&mut refs, doc, &mut parts);
            r.refine_many(&mut refs)?;
        }
        finish(doc, parts, self.short());
        Ok(())
    }

    /// [`Pipeline::annotate`] for many documents: the role model runs on them
    /// in parallel (rayon), then the refiner once over all of them.
    ///
    /// # Errors
    /// As [`Pipeline::label`]; a refiner's error fails the whole call.
    pub fn annotate_many(&self, docs: &mut [Document]) -> Result<()> {
        let mut parts: Vec<Option<Parts>> = docs
            .par_iter_mut()
            .map(|doc| self.first_pass(doc))
            .collect();
        if let Some(r) = &self.refiner {
            let mut refs: Vec<&mut Document> = Vec::with_capacity(docs.len() * 2);
            for (doc, parts) in docs.iter_mut().zip(&mut parts) {
                push_parts(&mut refs, doc, parts);
            }
            r.refine_many(&mut refs)?;
        }
        for (doc, parts) in docs.iter_mut().zip(parts) {
            finish(doc, parts, self.short());
        }
        Ok(())
    }

    /// The role model's labels for `doc`, read in its [`Parts`] when it has
    /// several (returned, for the refiner and [`finish`]).
    fn first_pass(&self, doc: &mut Document) -> Option<Parts> {
        let mut parts = Parts::split(doc);
        // A title line is read as `--title` is: it is the essay's title, so the
        // map's issue and the rubric's prompt check see it.
        if let Some(t) = parts.as_ref().and_then(|p| p.heading.clone()) {
            doc.title.get_or_insert(t);
        }
        let restored = self.restored && segment::breaks::restored(doc);
        let (model, id) = self.model_for(doc, restored);
        // Paragraphs the break model restored are labelled averaged over its
        // likely segmentations (`classify::restored::label_hedged`).
        let hedge = restored
            .then(segment::breaks::BreakModel::embedded)
            .and_then(std::result::Result::ok);
        match (&mut parts, hedge) {
            (Some(t), None) => t.docs().for_each(|d| self.classify(d, model, id)),
            (None, None) => self.classify(doc, model, id),
            (Some(t), Some(b)) => {
                for d in t.docs() {
                    restored::label_hedged(d, &doc.text, b, &restored::HEDGE, |c| {
                        self.classify(c, model, id);
                    });
                }
            }
            (None, Some(b)) => {
                let text = doc.text.clone();
                restored::label_hedged(doc, &text, b, &restored::HEDGE, |c| {
                    self.classify(c, model, id);
                });
            }
        }
        parts
    }

    /// The role model for `doc` and its token-cache key: the restored-paragraph
    /// model when the break model cut its prose (`restored`) and that model
    /// reads it (`classify::restored::reads`), else the pipeline's.
    fn model_for(&self, doc: &Document, restored: bool) -> (&Model, u64) {
        if restored {
            if let Ok(m) = restored::embedded_restored() {
                if restored::reads(m, doc) {
                    return (m, *RESTORED_ID);
                }
            }
        }
        (&self.model, self.model_id)
    }

    /// `model`'s labels for `doc`; `model_id` keys the token caches.
    fn classify(&self, doc: &mut Document, model: &Model, model_id: u64) {
        let spec = model.spec();
        BUFS.with(|b| match b.try_borrow_mut() {
            Ok(mut b) => {
                let (scratch, feats, tokens) = &mut *b;
                extract_deferred(&spec, doc, feats, scratch);
                tokens.serve(model_id);
                model.classify_cached(doc, feats, tokens);
                if feats.capacity() > KEEP_FEATURE_ENTRIES {
                    *b = Default::default();
                }
            }
            Err(_) => {
                let mut feats = Features::default();
                extract(&spec, doc, &mut feats, &mut Scratch::default());
                model.classify(doc, &feats);
            }
        });
    }
}

/// The documents the refiner reads for `doc`: its parts, or itself.
fn push_parts<'a>(
    refs: &mut Vec<&'a mut Document>,
    doc: &'a mut Document,
    parts: &'a mut Option<Parts>,
) {
    match parts {
        Some(t) => refs.extend(t.docs()),
        None => refs.push(doc),
    }
}

/// Copies the parts' labels back into `doc` and applies the rules that follow
/// the models.
fn finish(doc: &mut Document, parts: Option<Parts>, short: Option<&ShortModel>) {
    if let Some(t) = parts {
        t.merge_into(doc);
    }
    questions_are_no_evidence(doc);
    if let Some(m) = short {
        m.decode_thesis(doc);
    }
    a_thesis_is_a_claim(doc);
}

/// A thesis is a claim, but the thesis head and the role decoder decide apart
/// (the decoder only leans towards "claim" for a thesis), and every later stage
/// (map, metrics, feedback, the views) must tell one story. A flagged sentence
/// the decoder did not call a claim loses the flag when the essay states its
/// thesis in a claim elsewhere (measured on dev: thesis precision rises, role
/// F1 is unchanged); otherwise it is relabelled claim, so an essay keeps the
/// thesis it was found to state. `scores` keep the models' probabilities, and
/// `confidence` becomes the probability of "claim".
fn a_thesis_is_a_claim(doc: &mut Document) {
    let flagged = |s: &Sentence| s.thesis == Some(true);
    if !doc
        .sentences
        .iter()
        .any(|s| flagged(s) && s.label != Some(Label::Claim))
    {
        return;
    }
    let stated = doc
        .sentences
        .iter()
        .any(|s| flagged(s) && s.label == Some(Label::Claim));
    for s in doc
        .sentences
        .iter_mut()
        .filter(|s| flagged(s) && s.label != Some(Label::Claim))
    {
        if stated {
            s.thesis = Some(false);
        } else {
            s.label = Some(Label::Claim);
            s.confidence = s.scores.map(|sc| sc.get(Label::Claim));
        }
    }
}

/// A question in the introduction (the first paragraph of prose) offers no
/// evidence: one the models call evidence takes its next most probable role
/// (a research question is a question). In body paragraphs students do ask
/// questions as part of their evidence (PERSUADE's gold has many), so those
/// keep the models' label.
fn questions_are_no_evidence(doc: &mut Document) {
    let Some(intro) = doc.sentences.iter().find(|s| s.kind.is_prose()) else {
        return;
    };
    let intro = intro.paragraph;
    for s in &mut doc.sentences {
        if s.paragraph != intro || s.label != Some(Label::Evidence) || !ends_with_question(&s.text)
        {
            continue;
        }
        let Some(scores) = s.scores else { continue };
        let mut p = scores.to_array();
        p[Label::Evidence.index()] = 0.0;
        let total: f32 = p.iter().sum();
        if total > 0.0 {
            p.iter_mut().for_each(|x| *x /= total);
        } else {
            p[Label::Question.index()] = 1.0;
        }
        let scores = Scores::from_array(p);
        let (label, confidence) = scores.best();
        s.label = Some(label);
        s.confidence = Some(confidence);
        s.scores = Some(scores);
    }
}

/// The parts of an essay the role model reads apart, when it is more than one
/// run of prose. An essay file that starts with its title or prompt on a line
/// of its own ("Should schools ban phones?"): the model was trained on essays
/// whose first paragraph is the introduction, with the prompt given apart. So
/// the body is classified as such an essay, with the heading as its prompt
/// unless one was given, and the heading line on its own. Units that are not
/// prose (headings, references, page furniture) are left out of the body, so
/// that paragraph positions count prose alone, and are labelled `other`.
struct Parts {
    /// The parts, each with the index in the essay of each of its sentences.
    parts: Vec<(Document, Vec<usize>)>,
    /// The title line, when the essay starts with one.
    heading: Option<String>,
}

impl Parts {
    /// The parts of `doc`, or `None` when it is one run of prose.
    fn split(doc: &Document) -> Option<Parts> {
        let titled = doc.paragraphs.len() >= 3 && doc.is_heading(0);
        let all_prose = doc.sentences.iter().all(|s| s.kind.is_prose());
        if !titled && all_prose {
            return None;
        }
        let head_len = if titled {
            doc.paragraph_sentences(0).len()
        } else {
            0
        };
        let heading = titled
            .then(|| doc.sentences.first().map(|s| s.text.trim().to_string()))
            .flatten();
        let title = doc.title.clone().or_else(|| heading.clone());
        let mut parts = Vec::with_capacity(2);
        let head: Vec<usize> = (0..head_len)
            .filter(|&i| doc.sentences[i].kind.is_prose())
            .collect();
        if !head.is_empty() {
            parts.push((part(doc, doc.title.clone(), &head), head));
        }
        let body: Vec<usize> = (head_len..doc.sentences.len())
            .filter(|&i| doc.sentences[i].kind.is_prose())
            .collect();
        parts.push((part(doc, title, &body), body));
        Some(Parts { parts, heading })
    }

    /// The parts' documents.
    fn docs(&mut self) -> impl Iterator<Item = &mut Document> {
        self.parts.iter_mut().map(|(d, _)| d)
    }

    /// Copies the parts' predictions back into `doc`; sentences in no part are
    /// `other` for certain.
    fn merge_into(self, doc: &mut Document) {
        for s in doc.sentences.iter_mut().filter(|s| !s.kind.is_prose()) {
            s.label = Some(Label::Other);
            s.confidence = Some(1.0);
            s.scores = Some(Scores::from_array([0.0, 0.0, 0.0, 1.0]));
            s.thesis = Some(false);
        }
        for (part, indices) in self.parts {
            for (src, &i) in part.sentences.into_iter().zip(&indices) {
                let dst = &mut doc.sentences[i];
                dst.label = src.label;
                dst.confidence = src.confidence;
                dst.scores = src.scores;
                dst.thesis = src.thesis;
            }
        }
    }
}

/// The document of `doc`'s sentences at `indices` (ascending), renumbered:
/// paragraphs that keep no sentence are left out.
fn part(doc: &Document, title: Option<String>, indices: &[usize]) -> Document {
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut sentences = Vec::with_capacity(indices.len());
    let mut last = None;
    for &i in indices {
        let mut s = doc.sentences[i].clone();
        if last != Some(s.paragraph) {
            last = Some(s.paragraph);
            paragraphs.push(Paragraph {
                index: paragraphs.len(),
                ..doc.paragraphs[s.paragraph].clone()
            });
        }
        let p = paragraphs.len() - 1;
        s.position_in_paragraph = sentences
            .last()
            .filter(|prev: &&Sentence| prev.paragraph == p)
            .map_or(0, |prev| prev.position_in_paragraph + 1);
        s.index = sentences.len();
        s.paragraph = p;
        sentences.push(s);
    }
    Document {
        id: None,
        title,
        text: String::new(),
        paragraphs,
        sentences,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Label;

    fn assert_send_sync<T: Send + Sync>() {}

    /// Marks every sentence a question (so none is the thesis) and counts the
    /// calls and documents.
    #[derive(Default)]
    struct Counting(std::sync::Mutex<Vec<usize>>);

    impl Refiner for Counting {
        fn refine(&self, doc: &mut Document) -> Result<()> {
            self.refine_many(&mut [doc])
        }

        fn refine_many(&self, docs: &mut [&mut Document]) -> Result<()> {
            self.0.lock().unwrap().push(docs.len());
            for s in docs.iter_mut().flat_map(|d| d.sentences.iter_mut()) {
                (s.label, s.thesis) = (Some(Label::Question), Some(false));
            }
            Ok(())
        }
    }

    #[test]
    fn annotate_many_refines_every_part_of_every_essay_in_one_call() {
        let counting = Arc::new(Counting::default());
        // Without the short-text model, which would set the one-paragraph
        // essay's thesis after the refiner.
        let p = Pipeline::embedded()
            .unwrap()
            .with_refiner(counting.clone())
            .with_short(None);
        let mut docs = vec![
            p.segment("Phones distract. They should go.".into()),
            p.segment("A title\n\nIntro here.\n\nBody here.\n\nEnd here.".into()),
        ];
        p.annotate_many(&mut docs).unwrap();
        // The titled essay is refined as two parts: heading and body.
        assert_eq!(*counting.0.lock().unwrap(), vec![3]);
        assert!(docs
            .iter()
            .flat_map(|d| &d.sentences)
            .all(|s| s.label == Some(Label::Question)));
        assert_eq!(docs[1].sentences.len(), 4);
    }

    #[test]
    fn school_essays_pasted_without_breaks_are_read_by_the_restored_model() {
        let embedded = Pipeline::embedded().unwrap();
        let main_only = Pipeline::with_model(Arc::clone(&embedded.model));
        let paragraphs = [
            "Some people think kids should have phones at school. I think that is a bad \
             idea. In my opinion phones should stay at home.",
            "First of all, phones are distracting. When my friend gets a text she stops \
             listening to the teacher. Then she does not know what to do on the homework.",
            "Another reason is cheating. Kids can look up answers on a test. That is not \
             fair to the kids who studied.",
            "In conclusion, phones should not be allowed at school. Students would learn \
             more without them.",
        ];
        let flat = paragraphs.join(" ");
        let doc = embedded.segment(flat.as_str().into());
        assert!(
            crate::segment::breaks::restored(&doc),
            "the break model cut it"
        );
        let second = crate::classify::restored::embedded_restored().unwrap();
        assert!(
            crate::classify::restored::reads(second, &doc),
            "school writing"
        );
        let scores = |p: &Pipeline, t: &str| -> Vec<_> {
            let d = p.label(t.into()).unwrap();
            d.sentences.iter().map(|s| s.scores).collect()
        };
        assert_ne!(scores(&embedded, &flat), scores(&main_only, &flat));
        // Laid out with blank lines, nothing was restored: the main model reads it.
        let laid_out = paragraphs.join("\n\n");
        assert_eq!(scores(&embedded, &laid_out), scores(&main_only, &laid_out));
    }

    #[test]
    fn a_flagged_thesis_is_always_a_claim() {
        let p = Pipeline::embedded().unwrap();
        let mut doc = p.segment("Phones distract. They should go. Pupils agree.".into());
        let scores = Scores::from_array([0.3, 0.1, 0.0, 0.6]);
        for s in &mut doc.sentences {
            (s.label, s.scores, s.thesis) = (Some(Label::Other), Some(scores), Some(true));
        }
        // No thesis stated in a claim: the flagged sentences become claims.
        a_thesis_is_a_claim(&mut doc);
        for s in &doc.sentences {
            assert_eq!((s.label, s.thesis), (Some(Label::Claim), Some(true)));
            assert_eq!((s.confidence, s.scores), (Some(0.3), Some(scores)));
        }
        // One stated in a claim: the others lose the flag and keep their label.
        doc.sentences[1].label = Some(Label::Evidence);
        doc.sentences[2].label = Some(Label::Other);
        a_thesis_is_a_claim(&mut doc);
        let got: Vec<_> = doc.sentences.iter().map(|s| (s.label, s.thesis)).collect();
        assert_eq!(
            got,
            [
                (Some(Label::Claim), Some(true)),
                (Some(Label::Evidence), Some(false)),
                (Some(Label::Other), Some(false))
            ]
        );
    }

    #[test]
    fn pipeline_is_send_sync_and_embedded_loads() {
        assert_send_sync::<Pipeline>();
        let p = Pipeline::embedded().unwrap();
        assert!(p.short().is_some(), "the short-text model loads");
        let doc = p.label("Should schools ban phones?".into()).unwrap();
        assert_eq!(doc.sentences.len(), 1);
        assert_eq!(doc.sentences[0].label, Some(Label::Question));
        assert_eq!(doc.sentences[0].thesis, Some(false));
        let empty = p.label(Essay::default()).unwrap();
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
        let with_line = p.label(titled.into()).unwrap();
        let given = p
            .label(Essay::new(body).prompt("Should schools ban phones?"))
            .unwrap();
        assert_eq!(with_line.sentences[0].label, Some(Label::Question));
        assert_eq!(with_line.sentences[0].thesis, Some(false));
        assert_eq!(with_line.sentences.len(), given.sentences.len() + 1);
        for (a, b) in with_line.sentences[1..].iter().zip(&given.sentences) {
            assert_eq!((a.label, a.thesis, a.scores), (b.label, b.thesis, b.scores));
        }
        assert!(with_line.sentences.iter().any(|s| s.thesis == Some(true)));
        assert_eq!(
            with_line.title.as_deref(),
            Some("Should schools ban phones?")
        );
    }
}
