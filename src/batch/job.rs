//! The `batch` job: the full pipeline as a [`Processor`] for the runner.
//!
//! Each record becomes the same JSON object as `analyze --format json` (its
//! argument map included), with the record's `id` and any extra input fields
//! under `meta`, plus one row of per-essay counts for the summary CSV.

use super::read::Record;
use super::runner::Processor;
use crate::analysis::Analysis;
use crate::analyzer::Analyzer;
use crate::document::{Essay, Label};
use crate::error::{Error, Result};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Runs an [`Analyzer`] over batch records.
#[derive(Debug, Clone)]
pub struct BatchProcessor {
    analyzer: Analyzer,
    /// Records analysed whose prose is not English (see [`Analysis::language`]).
    not_english: Arc<AtomicUsize>,
}

impl BatchProcessor {
    /// A processor running `analyzer`.
    pub fn new(analyzer: Analyzer) -> Self {
        BatchProcessor {
            analyzer,
            not_english: Arc::default(),
        }
    }

    /// How many records analysed so far are not in English: their labels are
    /// not to be trusted, which the command tells the user.
    pub fn not_english(&self) -> usize {
        self.not_english.load(Ordering::Relaxed)
    }

    /// Counts `a` if it is not in English; returns it.
    fn note<'a>(&self, a: &'a Analysis) -> &'a Analysis {
        if a.language.as_deref().is_some_and(|l| l != "en") {
            self.not_english.fetch_add(1, Ordering::Relaxed);
        }
        a
    }

    /// Whether [`Processor::process_many`] labels a chunk in one pass (the
    /// transformer backend), so the chunk size sets the network's workload.
    pub fn batches_across_records(&self) -> bool {
        self.analyzer.batches_across_essays()
    }
}

#[derive(Serialize)]
struct Line<'a, T: Serialize> {
    #[serde(flatten)]
    analysis: &'a T,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<&'a Meta>,
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
        let (essay, meta) = split(record);
        line(self.note(&self.analyzer.analyze(essay)?), meta.as_ref())
    }

    /// With the transformer backend, labels the whole chunk in one call so the
    /// network batches sentences across essays; otherwise one task per record
    /// (analysed and written at once, so a chunk's analyses are never all held).
    fn process_many(&self, records: Vec<Record>) -> Vec<Result<(String, Vec<String>)>> {
        if !self.batches_across_records() {
            return records.into_par_iter().map(|r| self.process(r)).collect();
        }
        let (essays, metas): (Vec<Essay>, Vec<_>) = records.into_iter().map(split).unzip();
        let analyses = self.analyzer.analyze_many(essays);
        analyses
            .into_par_iter()
            .zip(metas)
            .map(|(a, meta)| line(self.note(&a?), meta.as_ref()))
            .collect()
    }
}

type Meta = serde_json::Map<String, serde_json::Value>;

/// A record's essay and the input fields passed through to its line.
fn split(record: Record) -> (Essay, Option<Meta>) {
    let Record {
        id,
        title,
        text,
        meta,
    } = record;
    let essay = Essay {
        text,
        id: Some(id),
        prompt: title,
    };
    (essay, meta)
}

/// The output line and summary row of `analysis`.
fn line(analysis: &Analysis, meta: Option<&Meta>) -> Result<(String, Vec<String>)> {
    let line = Line { analysis, meta };
    let json = crate::render::compact::to_string(&line).map_err(|e| Error::BadRecord {
        what: analysis.doc.id.clone().unwrap_or_default(),
        message: format!("cannot serialise the analysis: {e}"),
    })?;
    Ok((json, counts(analysis)))
}
