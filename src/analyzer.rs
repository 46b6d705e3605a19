//! The facade: one [`Analyzer`] runs every stage on an [`Essay`] and returns
//! its [`Analysis`].
//!
//! segment -> features -> classify (the role [`Pipeline`]) -> link -> map ->
//! grade. The CLI's `analyze` and `batch`, and every other front end, are thin
//! callers of [`Analyzer::analyze`] and [`Analyzer::analyze_many`]; [`crate::render`]
//! then turns the analysis into bytes.
//!
//! ```
//! use essaymap::{Analyzer, Essay, Format};
//! let analyzer = Analyzer::embedded()?;
//! let essay = Essay::new("Phones distract pupils. Schools should ban them.")
//!     .prompt("Should schools ban phones?");
//! let analysis = analyzer.analyze(essay)?;
//! println!("{}", essaymap::render::to_string(&analysis, Format::Json)?);
//! # Ok::<(), essaymap::Error>(())
//! ```

use crate::analysis::Analysis;
use crate::argument::ArgumentMap;
use crate::document::{Document, Essay};
use crate::error::{Error, Result};
use crate::grade::{Grader, Rubric};
use crate::link::{LearnedLinker, LinkModel, Linker};
use crate::pipeline::Pipeline;
use crate::segment;
use rayon::prelude::*;
use std::sync::Arc;

/// The link model an analyzer uses: the one compiled in, or one loaded from a
/// file.
#[derive(Debug, Clone)]
enum Links {
    Embedded(&'static LinkModel),
    Loaded(Arc<LinkModel>),
}

/// Every stage of the pipeline, loaded once: a role [`Pipeline`], a link
/// model and a [`Grader`] with its rubric. Cheap to clone and `Send + Sync`,
/// so threads share one.
#[derive(Debug, Clone)]
pub struct Analyzer {
    roles: Pipeline,
    links: Links,
    grader: Arc<Grader>,
}

impl Analyzer {
    /// The analyzer with every model compiled into the binary and the default
    /// rubric.
    ///
    /// # Errors
    /// [`Error::Model`] if an embedded model does not load (a build problem,
    /// reported rather than panicking).
    pub fn embedded() -> Result<Analyzer> {
        Analyzer::new(Pipeline::embedded()?)
    }

    /// The analyzer labelling roles with `roles` (e.g. a model file, or the
    /// transformer backend), with the embedded link model and default rubric.
    ///
    /// # Errors
    /// As [`Analyzer::embedded`], for the link model.
    pub fn new(roles: Pipeline) -> Result<Analyzer> {
        Ok(Analyzer {
            roles,
            links: Links::Embedded(LinkModel::embedded()?),
            grader: Arc::new(Grader::default()),
        })
    }

    /// This analyzer linking with `model` instead of the embedded link model.
    #[must_use]
    pub fn with_links(mut self, model: LinkModel) -> Analyzer {
        self.links = Links::Loaded(Arc::new(model));
        self
    }

    /// This analyzer suggesting scores with `rubric` (a teacher's) instead of
    /// the default rubric.
    #[must_use]
    pub fn with_rubric(mut self, rubric: Rubric) -> Analyzer {
        self.grader = Arc::new(Grader::new(rubric));
        self
    }

    /// The role pipeline (segmenter, role model, refiner).
    pub fn roles(&self) -> &Pipeline {
        &self.roles
    }

    /// The rubric scores are suggested with.
    pub fn rubric(&self) -> &Rubric {
        self.grader.rubric()
    }

    /// Analyses one essay: segments it, labels roles and thesis, links, maps
    /// and grades it.
    ///
    /// # Errors
    /// When the transformer backend fails (the embedded models cannot).
    pub fn analyze(&self, essay: Essay) -> Result<Analysis> {
        let doc = self.roles.label(essay)?;
        Ok(self.finish(doc))
    }

    /// Analyses many essays in parallel (rayon's current pool): one result per
    /// essay, in input order. With the transformer backend the network labels
    /// all of them in one call, batching sentences across essays.
    pub fn analyze_many(&self, essays: Vec<Essay>) -> Vec<Result<Analysis>> {
        if !self.roles.has_refiner() {
            return essays.into_par_iter().map(|e| self.analyze(e)).collect();
        }
        let mut docs: Vec<Document> = essays
            .into_par_iter()
            .map(|e| self.roles.segment(e))
            .collect();
        if let Err(e) = self.roles.annotate_many(&mut docs) {
            let message = e.to_string();
            return docs
                .iter()
                .map(|_| {
                    Err(Error::Model {
                        what: "role model".into(),
                        message: message.clone(),
                    })
                })
                .collect();
        }
        docs.into_par_iter().map(|d| Ok(self.finish(d))).collect()
    }

    /// Whether [`Analyzer::analyze_many`] labels its essays in one pass (the
    /// transformer backend), so the number of essays per call sets the
    /// network's workload.
    pub fn batches_across_essays(&self) -> bool {
        self.roles.has_refiner()
    }

    /// The later stages on a labelled `doc`: links (relabelling the
    /// counter-arguments the linker finds), the argument map and the
    /// assessment.
    pub fn finish(&self, mut doc: Document) -> Analysis {
        let model = match &self.links {
            Links::Embedded(m) => m,
            Links::Loaded(m) => &**m,
        };
        let mut links = LearnedLinker::new(model).link_labelled(&mut doc);
        // A short text's concessions are its counter-arguments.
        if let Some(m) = self.roles.short() {
            m.relink(&mut doc, &mut links);
        }
        let map = ArgumentMap::build(&doc, &links);
        let mut assessment = self.grader.grade_map(&doc, &map);
        let language = segment::language::detect(&doc);
        if let Some(code) = language.filter(|&l| l != "en") {
            let item = crate::grade::not_english(code, segment::language::name(code));
            assessment.feedback.insert(0, item);
        }
        Analysis {
            doc,
            language: language.map(str::to_string),
            map,
            assessment: Some(assessment),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Label;

    fn assert_send_sync<T: Send + Sync>() {}

    const ESSAY: &str = "Should schools ban phones?\n\nMany pupils bring phones to \
        school. I believe that schools should ban phones during lessons.\n\nPhones \
        distract pupils. For example, a survey found that most teachers lose ten \
        minutes a lesson to phones.\n\nIn conclusion, phones should stay in lockers.";

    #[test]
    fn analyze_runs_every_stage() {
        assert_send_sync::<Analyzer>();
        let a = Analyzer::embedded()
            .unwrap()
            .analyze(Essay::new(ESSAY).id("phones.txt"))
            .unwrap();
        assert_eq!(a.doc.id.as_deref(), Some("phones.txt"));
        assert!(a.doc.sentences.iter().all(|s| s.label.is_some()));
        assert!(a.doc.sentences.iter().any(|s| s.thesis == Some(true)));
        assert!(!a.map.nodes.is_empty() && !a.map.edges.is_empty());
        let metrics = &a.assessment.as_ref().unwrap().metrics;
        assert_eq!(metrics.paragraphs, a.doc.paragraphs.len());
    }

    #[test]
    fn analyze_many_keeps_input_order_and_matches_analyze() {
        let analyzer = Analyzer::embedded().unwrap();
        let essays: Vec<Essay> = (0..20)
            .map(|i| {
                let text = if i % 2 == 0 {
                    ESSAY
                } else {
                    "Phones distract pupils."
                };
                Essay::new(text).id(format!("e{i}"))
            })
            .collect();
        let many = analyzer.analyze_many(essays.clone());
        assert_eq!(many.len(), essays.len());
        for (e, a) in essays.into_iter().zip(many) {
            assert_eq!(a.unwrap(), analyzer.analyze(e).unwrap());
        }
    }

    #[test]
    fn a_rubric_changes_the_suggestion_not_the_map() {
        let analyzer = Analyzer::embedded().unwrap();
        let toml = crate::grade::rubric::DEFAULT_RUBRIC
            .replace("max = 4", "max = 10")
            .replace("labels = [", "# labels = [");
        let custom = analyzer
            .clone()
            .with_rubric(Rubric::from_toml(&toml, "test").unwrap());
        let (a, b) = (
            analyzer.analyze(ESSAY.into()).unwrap(),
            custom.analyze(ESSAY.into()).unwrap(),
        );
        assert_eq!((&a.doc, &a.map), (&b.doc, &b.map));
        assert_ne!(a.assessment, b.assessment);
        assert_eq!(a.doc.sentences[0].label, Some(Label::Question));
    }

    #[test]
    fn the_batch_line_writer_matches_serde_json_on_full_analyses() {
        let analyzer = Analyzer::embedded().unwrap();
        for text in [
            include_str!("../examples/cars.txt"),
            include_str!("../examples/phones.txt"),
            "Tabs\tand \"quotes\", a back\\slash, a bell \u{7}, a NUL \u{0}.\r\n\
             Schools should ban phones … “surely” – naïve 日本語 🎉.",
        ] {
            let essay = Essay::new(text).id("id \"1\"").prompt("A title?");
            let a = analyzer.analyze(essay).unwrap();
            assert_eq!(
                crate::render::compact::to_string(&a).unwrap(),
                serde_json::to_string(&a).unwrap()
            );
        }
    }
}
