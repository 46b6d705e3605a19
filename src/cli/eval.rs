//! `essaymap eval`: score a role model against annotated essays.

use anyhow::Result;
use essaymap::link::LearnedLinker;
use essaymap::train::{corpus, links_eval, score::Scorer};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Score the role model on annotated essays (AAE/PERSUADE JSONL): per-label
/// precision/recall/F1, macro-F1 over claim/evidence/other, accuracy, thesis F1.
///
/// Example: essaymap eval --gold ../shared/data/aae/dev.jsonl
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Annotated JSONL file(s); each is scored separately.
    #[arg(long, required = true, num_args = 1..)]
    gold: Vec<PathBuf>,
    /// Model file to score instead of the one built in.
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Print one JSON object per gold file instead of a table.
    #[arg(long)]
    json: bool,
    /// Score the argument map instead: links (rule baseline vs model, gold vs
    /// predicted roles), attacks, claim stance, counter-arguments.
    #[arg(long)]
    links: bool,
    /// Link model file to score instead of the one built in.
    #[arg(long, value_name = "PATH")]
    links_model: Option<PathBuf>,
    #[command(flatten)]
    backend: super::backend::BackendArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let pipeline = args.backend.apply(super::pipeline(args.model.as_ref())?)?;
    let mut out = std::io::stdout().lock();
    for (i, path) in args.gold.iter().enumerate() {
        let essays = corpus::read_file(path, pipeline.segmenter())?;
        if args.links {
            let model = super::link_model(args.links_model.as_ref())?;
            let mut predicted: Vec<_> = essays.iter().map(|e| e.doc.clone()).collect();
            pipeline.annotate_many(&mut predicted)?;
            let rows = links_eval::compare(&essays, &LearnedLinker::new(&model), &predicted);
            if args.json {
                let v = serde_json::json!({"gold": path.display().to_string(), "links": rows});
                serde_json::to_writer(&mut out, &v)?;
                writeln!(out)?;
            } else {
                writeln!(out, "{} ({} essays)", path.display(), essays.len())?;
                write!(out, "{}", links_eval::table(&rows))?;
            }
            continue;
        }
        let mut scorer = Scorer::default();
        let (mut docs, golds): (Vec<_>, Vec<_>) =
            essays.into_iter().map(|e| (e.doc, e.gold)).unzip();
        pipeline.annotate_many(&mut docs)?;
        for (doc, gold) in docs.iter().zip(&golds) {
            scorer.add(doc, gold);
        }
        let report = scorer.report();
        if args.json {
            let v = serde_json::json!({"gold": path.display().to_string(), "report": report});
            serde_json::to_writer(&mut out, &v)?;
            writeln!(out)?;
        } else {
            if i > 0 {
                writeln!(out)?;
            }
            writeln!(out, "{}", path.display())?;
            writeln!(out, "{report}")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
