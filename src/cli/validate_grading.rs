//! `essaymap validate-grading`: do the grading metrics computed from predicted
//! maps agree with the same metrics computed from gold annotation? Glue only:
//! the measurement is `essaymap::train::validity`.

use anyhow::{Context, Result};
use essaymap::argument::Link as Edge;
use essaymap::link::{LearnedLinker, Linker};
use essaymap::segment::{RuleSegmenter, Segmenter};
use essaymap::train::corpus;
use essaymap::train::validity::{self, Findings, Validity};
use essaymap::ArgumentMap;
use essaymap::Document;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Check the grading metrics against gold: per essay, compute claims, evidence,
/// unsupported claims, thesis present and counter-argument considered from the
/// gold map and from the predicted map, and report Pearson r (counts) and
/// accuracy (yes/no) across essays, with the targets (r >= 0.6,
/// accuracy >= 0.8). Essays with identical text are counted once.
///
/// Examples:
///   essaymap validate-grading --gold ../shared/data/aae/dev.jsonl --gold ../shared/data/persuade/dev.jsonl
///   essaymap validate-grading --gold dev.jsonl --predicted batch-out.jsonl
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Annotated JSONL (AAE / PERSUADE format); repeat for several, each measured separately.
    #[arg(long, required = true, num_args = 1..)]
    gold: Vec<PathBuf>,
    /// Compare with this `essaymap batch` output (matched by id) instead of running the pipeline.
    #[arg(long, value_name = "JSONL")]
    predicted: Option<PathBuf>,
    /// Role model file instead of the one built in.
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Keep essays whose text repeats an earlier one.
    #[arg(long)]
    keep_duplicates: bool,
    /// Write gold and predicted findings per essay to this CSV.
    #[arg(long, value_name = "CSV")]
    per_essay: Option<PathBuf>,
    /// Diagnostic: predict only the map (links, stance) on top of the gold
    /// roles and thesis, to separate linker errors from role errors.
    #[arg(long, conflicts_with = "predicted")]
    gold_roles: bool,
    /// Print one JSON object per gold file instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    backend: super::backend::BackendArgs,
}

/// `doc` (relabelled where the linker finds counter-arguments) and its map edges.
fn map_edges(linker: &dyn Linker, mut doc: Document) -> (Document, Vec<Edge>) {
    let links = linker.link_labelled(&mut doc);
    let edges = Edge::from_map(&ArgumentMap::build(&doc, &links));
    (doc, edges)
}

/// `--predicted` absent always builds a pipeline; kept as an error, not a panic.
fn unreachable_pair() -> Result<(Validity, Vec<String>)> {
    anyhow::bail!("no predictions: neither --predicted nor a pipeline")
}

fn fmt(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{v:.3}"))
}

fn write_table(out: &mut impl Write, v: &Validity) -> std::io::Result<()> {
    let rows: [(&str, Option<f64>, f64); 6] = [
        ("pearson r, claims", v.pearson_claims, 0.6),
        ("pearson r, evidence", v.pearson_evidence, 0.6),
        (
            "pearson r, unsupported claims",
            v.pearson_unsupported_claims,
            0.6,
        ),
        (
            "pearson r, orphan evidence",
            v.pearson_orphan_evidence,
            f64::NAN,
        ),
        ("accuracy, thesis present", v.accuracy_thesis_present, 0.8),
        (
            "accuracy, counter-argument considered",
            v.accuracy_counter_argument,
            0.8,
        ),
    ];
    writeln!(out, "  {:<40} {:>7}  {:>6}", "measure", "value", "target")?;
    for (name, value, target) in rows {
        let (t, verdict) = if target.is_nan() {
            ("-".to_string(), "")
        } else if value.is_none() {
            (format!(">={target}"), "")
        } else {
            let ok = value.is_some_and(|x| x >= target);
            (format!(">={target}"), if ok { "  ok" } else { "  below" })
        };
        writeln!(out, "  {name:<40} {:>7}  {t:>6}{verdict}", fmt(value))?;
    }
    writeln!(
        out,
        "  gold base rates: thesis present {}, counter-argument {}",
        fmt(v.gold_thesis_rate),
        fmt(v.gold_counter_rate)
    )
}

fn predicted_from_batch(path: &Path) -> Result<HashMap<String, Findings>> {
    let data = essaymap::report::read_batch(path, None)
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(data
        .essays
        .iter()
        .map(|e| (e.id.clone(), Findings::from(&e.assessment.metrics)))
        .collect())
}

pub fn run(args: Args) -> Result<ExitCode> {
    // With --predicted the pipeline only segments the gold essays.
    let (pipeline, predicted) = match &args.predicted {
        Some(p) => (None, Some(predicted_from_batch(p)?)),
        None => (
            Some(args.backend.apply(super::pipeline(args.model.as_ref())?)?),
            None,
        ),
    };
    let rules = RuleSegmenter::default();
    let segmenter: &dyn Segmenter = match &pipeline {
        Some(p) => p.segmenter(),
        None => &rules,
    };
    let mut per_essay = match &args.per_essay {
        Some(p) => {
            let mut w =
                csv::Writer::from_path(p).with_context(|| format!("creating {}", p.display()))?;
            w.write_record([
                "corpus",
                "id",
                "gold_claims",
                "pred_claims",
                "gold_evidence",
                "pred_evidence",
                "gold_unsupported",
                "pred_unsupported",
                "gold_orphan",
                "pred_orphan",
                "gold_thesis",
                "pred_thesis",
                "gold_counter",
                "pred_counter",
            ])?;
            Some(w)
        }
        None => None,
    };
    let mut out = std::io::stdout().lock();
    for path in &args.gold {
        let mut essays = corpus::read_file(path, segmenter)
            .with_context(|| format!("reading {}", path.display()))?;
        let dropped = if args.keep_duplicates {
            0
        } else {
            validity::dedup_by_text(&mut essays)
        };
        // PERSUADE has no gold relations: support-based findings have no gold.
        let has_links = essays.iter().any(|e| !e.links.is_empty());
        let (mut v, missing) = match (&predicted, &pipeline) {
            (Some(p), _) => validity::measure_against(&essays, p),
            (None, Some(pl)) => {
                let linker = LearnedLinker::embedded()?;
                // Roles and thesis for every essay first (gold, or predicted in
                // one pass, which the transformer backend batches), then the map.
                let labelled: Vec<Document> = if args.gold_roles {
                    essays.iter().map(|e| validity::gold_map(e).0).collect()
                } else {
                    let mut docs: Vec<Document> = essays.iter().map(|e| e.doc.clone()).collect();
                    pl.annotate_many(&mut docs)?;
                    docs
                };
                let v = validity::measure(&essays, &|i, d: &Document| {
                    let doc = labelled.get(i).cloned().unwrap_or_else(|| d.clone());
                    Ok(map_edges(&linker, doc))
                })?;
                (v, Vec::new())
            }
            (None, None) => unreachable_pair()?,
        };
        if !has_links {
            v.pearson_unsupported_claims = None;
            v.pearson_orphan_evidence = None;
        }
        if let Some(w) = per_essay.as_mut() {
            for r in &v.per_essay {
                let (g, p) = (&r.gold, &r.predicted);
                let b = |x: bool| u8::from(x).to_string();
                w.write_record([
                    path.display().to_string(),
                    r.id.clone(),
                    g.claims.to_string(),
                    p.claims.to_string(),
                    g.evidence.to_string(),
                    p.evidence.to_string(),
                    g.unsupported_claims.to_string(),
                    p.unsupported_claims.to_string(),
                    g.orphan_evidence.to_string(),
                    p.orphan_evidence.to_string(),
                    b(g.thesis_present),
                    b(p.thesis_present),
                    b(g.counter_argument),
                    b(p.counter_argument),
                ])?;
            }
        }
        if args.json {
            let mut summary = serde_json::to_value(&v)?;
            if let Some(o) = summary.as_object_mut() {
                o.remove("per_essay");
            }
            let line = serde_json::json!({
                "gold": path.display().to_string(),
                "duplicates_dropped": dropped,
                "missing_predictions": missing,
                "gold_relations": has_links,
                "validity": summary,
            });
            serde_json::to_writer(&mut out, &line)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{}: {} essays{}{}",
                path.display(),
                v.essays,
                if dropped > 0 {
                    format!(" ({dropped} duplicate texts dropped)")
                } else {
                    String::new()
                },
                if missing.is_empty() {
                    String::new()
                } else {
                    format!(" ({} without a prediction)", missing.len())
                }
            )?;
            write_table(&mut out, &v)?;
            if !has_links {
                writeln!(
                    out,
                    "  (no gold relations in this corpus: support-based measures are n/a)"
                )?;
            }
        }
    }
    if let Some(mut w) = per_essay {
        w.flush()?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
