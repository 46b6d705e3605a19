//! The `batch` job: the full pipeline as a [`Processor`] for the runner.
//!
//! Each record becomes the same JSON object as `analyze --format json` (its
//! argument map included), with the record's `id` and any extra input fields
//! under `meta`, plus one row of per-essay counts for the summary CSV.

use super::read::Record;
use super::runner::Processor;
use crate::document::{Document, Label};
use crate::error::{Error, Result};
use crate::grade::Grader;
use crate::link::{LearnedLinker, LinkModel};
use crate::pipeline::Pipeline;
use crate::render::Analysis;
use rayon::prelude::*;
use serde::Serialize;

/// Runs a [`Pipeline`] over batch records.
#[derive(Debug, Clone)]
pub struct BatchProcessor {
    pipeline: Pipeline,
    links: Option<LinkModel>,
    grader: Option<Grader>,
}

impl BatchProcessor {
    /// A processor running `pipeline`, with the built-in link model and rubric.
    pub fn new(pipeline: Pipeline) -> Self {
        BatchProcessor {
            pipeline,
            links: None,
            grader: None,
        }
    }

    /// Links with `model` instead of the built-in link model.
    pub fn with_links(mut self, model: LinkModel) -> Self {
        self.links = Some(model);
        self
    }

    /// Grades with `grader` (a teacher's rubric) instead of the default one.
    pub fn with_grader(mut self, grader: Grader) -> Self {
        self.grader = Some(grader);
        self
    }
}

#[derive(Serialize)]
struct Line<'a, T: Serialize> {
    #[serde(flatten)]
    analysis: &'a T,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

const HEADER: &[&str] = &[
    "id",
    "paragraphs",
    "sentences",
    "claims",
    "evidence",
    "questions",
    "other",
    "thesis_found",
    "words",
    "supported_claims",
    "unsupported_claims",
    "orphan_evidence",
    "counter_arguments",
    "depth",
];

/// The summary row of `a`: sentence counts by label, then counts from its map
/// (blank when it was not graded).
fn counts(a: &Analysis) -> Vec<String> {
    let doc = &a.doc;
    let mut n = [0usize; 4];
    for s in &doc.sentences {
        if let Some(l) = s.label {
            n[l.index()] += 1;
        }
    }
    let thesis = doc.sentences.iter().any(|s| s.thesis == Some(true));
    let mut row = vec![
        doc.id.clone().unwrap_or_default(),
        doc.paragraphs.len().to_string(),
        doc.sentences.len().to_string(),
        n[Label::Claim.index()].to_string(),
        n[Label::Evidence.index()].to_string(),
        n[Label::Question.index()].to_string(),
        n[Label::Other.index()].to_string(),
        thesis.to_string(),
    ];
    match &a.assessment {
        Some(x) => {
            let m = &x.metrics;
            row.extend(
                [
                    m.words,
                    m.supported_claims(),
                    m.unsupported_claims.len(),
                    m.orphan_evidence.len(),
                    m.counter_arguments.len(),
                    m.depth,
                ]
                .map(|n| n.to_string()),
            );
        }
        None => row.resize(HEADER.len(), String::new()),
    }
    row
}

impl Processor for BatchProcessor {
    fn summary_header(&self) -> &[&'static str] {
        HEADER
    }

    fn process(&self, record: Record) -> Result<(String, Vec<String>)> {
        let Record {
            id,
            title,
            text,
            meta,
        } = record;
        let doc = self.pipeline.analyze(Some(id), title, text)?;
        self.finish(doc, meta.as_ref())
    }

    /// With the transformer backend, labels the whole chunk in one call so the
    /// network batches sentences across essays; otherwise one task per record.
    fn process_many(&self, records: Vec<Record>) -> Vec<Result<(String, Vec<String>)>> {
        if !self.batches_across_records() {
            return records.into_par_iter().map(|r| self.process(r)).collect();
        }
        let (mut docs, metas): (Vec<Document>, Vec<_>) = records
            .into_par_iter()
            .map(|r| (self.pipeline.segment(Some(r.id), r.title, r.text), r.meta))
            .unzip();
        if let Err(e) = self.pipeline.annotate_many(&mut docs) {
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
        docs.into_par_iter()
            .zip(metas)
            .map(|(doc, meta)| self.finish(doc, meta.as_ref()))
            .collect()
    }
}

impl BatchProcessor {
    /// Whether [`Processor::process_many`] labels a chunk in one pass (the
    /// transformer backend), so the chunk size sets the network's workload.
    pub fn batches_across_records(&self) -> bool {
        self.pipeline.has_refiner()
    }

    /// Links, maps and grades a labelled `doc`: its output line and summary row.
    fn finish(
        &self,
        doc: Document,
        meta: Option<&serde_json::Map<String, serde_json::Value>>,
    ) -> Result<(String, Vec<String>)> {
        let linker = match &self.links {
            Some(m) => LearnedLinker::new(m),
            None => LearnedLinker::embedded()?,
        };
        let analysis = Analysis::build(doc, &linker, self.grader.as_ref());
        let line = Line {
            analysis: &analysis,
            meta,
        };
        let json = crate::render::compact::to_string(&line).map_err(|e| Error::BadRecord {
            what: analysis.doc.id.clone().unwrap_or_default(),
            message: format!("cannot serialise the analysis: {e}"),
        })?;
        Ok((json, counts(&analysis)))
    }
}
