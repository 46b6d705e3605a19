//! `essaymap cv`: k-fold cross-validation of the training recipe. Glue only:
//! the protocol is `essaymap::train::cv`.

use anyhow::{bail, Result};
use essaymap::features::FeatureSpec;
use essaymap::segment::RuleSegmenter;
use essaymap::train::cv::{self, Config, CorpusResult, GoldFile};
use essaymap::train::{links, roles, short};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Cross-validate the shipped recipe: split the essays of the --gold files
/// into K folds (per corpus, i.e. per folder; an essay text annotated twice
/// stays in one fold), and per fold retrain the role model and the link model
/// on the other folds (a ninth of them, at most --dev-max essays per corpus,
/// picks the epoch and the thresholds as dev does in `train`), then score the
/// held-out fold: role macro-F1, thesis F1, relation F1, the grading-validity
/// figures of `validate-grading`, and short texts (single paragraphs of the
/// held-out essays) against the first-sentence rule. Prints every fold and the
/// mean ± sd. The shipped recipe takes several minutes per fold on two cores.
///
/// Example (see docs/cross-validation.md):
///   essaymap cv --gold aae/train.jsonl aae/dev.jsonl persuade/train.jsonl
///   --weights 10 10 1 --register 1 1 0 --folds 5
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Annotated JSONL files; files in the same folder form one corpus.
    #[arg(long, required = true, num_args = 1..)]
    gold: Vec<PathBuf>,
    /// Role-model example weight per --gold file (default 1 each).
    #[arg(long, num_args = 1..)]
    weights: Vec<f32>,
    /// Register per --gold file: 1 university writing (AAE), 0 school writing (PERSUADE).
    #[arg(long, num_args = 1..)]
    register: Vec<f32>,
    /// Number of folds.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Seed of the folds and samples.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Use a seeded sample of at most this many essays of each corpus.
    #[arg(long)]
    max_essays: Option<usize>,
    /// Most essays of a corpus in a fold's inner dev set.
    #[arg(long, default_value_t = 500)]
    dev_max: usize,
    /// Role model: passes over the data (shipped recipe: 5).
    #[arg(long, default_value_t = 5)]
    epochs: usize,
    /// Role model: AdaGrad learning rate (shipped recipe: 0.02).
    #[arg(long, default_value_t = 0.02)]
    lr: f32,
    /// Role model: L2 regularisation (shipped recipe: 0.001).
    #[arg(long, default_value_t = 0.001)]
    l2: f32,
    /// Role model: seeds averaged (shipped recipe: 3).
    #[arg(long, default_value_t = 3)]
    ensemble: usize,
    /// Role model: folds of the paragraph rescorer (shipped recipe: 5; 0: none).
    #[arg(long, default_value_t = 5)]
    rescore_folds: usize,
    /// Linker: P(claim) at which a claimless body paragraph's most
    /// claim-like sentence becomes its claim (above 1: never).
    #[arg(long, default_value_t = essaymap::link::PARAGRAPH_CLAIM_MIN)]
    paragraph_claim_min: f32,
    /// Write each fold's held-out analyses, with their gold maps, into this
    /// folder (`foldN-CORPUS.jsonl`, one essay a line), to study where the
    /// grading figures break.
    #[arg(long, value_name = "DIR")]
    dump_dir: Option<PathBuf>,
    /// Print one JSON object (every fold and the summary) instead of tables.
    #[arg(long)]
    json: bool,
    /// Instead of cross-validating: train the short-text model on the short
    /// texts of all the --gold files (labelled by the embedded role model) and
    /// write it to this file (the shipped one is models/short.json).
    #[arg(long, value_name = "PATH")]
    train_short_out: Option<PathBuf>,
    /// Short-text model: its thesis decision reads the role model's
    /// probabilities and thesis flag (false: position and cue words only).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    short_thesis_roles: bool,
}

/// `--train-short-out`: the shipped short-text model, trained on every
/// paragraph the --gold files yield as a short text.
fn train_short(files: &[GoldFile], args: &Args, out: &std::path::Path) -> Result<ExitCode> {
    let corpora = cv::read(files, &RuleSegmenter::default(), args.max_essays, args.seed)?;
    let mut seen = std::collections::HashSet::new();
    let essays: Vec<_> = corpora
        .into_iter()
        .flat_map(|c| c.essays.into_iter().map(|(_, e)| e))
        .filter(|e| seen.insert(e.doc.text.clone()))
        .collect();
    let texts: Vec<_> = essays.iter().flat_map(short::for_training).collect();
    let mut model = short::train(
        &essaymap::Pipeline::embedded()?,
        &texts,
        args.short_thesis_roles,
    )?;
    model.provenance["gold"] = serde_json::json!(args
        .gold
        .iter()
        .map(|p| essaymap::train::corpus::file_label(p))
        .collect::<Vec<_>>());
    model.provenance["role_model"] = "embedded models/roles.bin".into();
    let json = serde_json::to_string_pretty(&model)?;
    std::fs::write(out, json + "\n")?;
    eprintln!(
        "short-text model: {} texts, thesis_extra {}, counter_threshold {} -> {}",
        texts.len(),
        model.thesis_extra,
        model.counter_threshold,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Three decimals, or none for a count (the number of short texts).
fn fmt(v: Option<f64>) -> String {
    match v {
        None => "n/a".into(),
        Some(v) if v.fract() == 0.0 && v.abs() >= 2.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.3}"),
    }
}

fn table(out: &mut impl Write, r: &CorpusResult) -> std::io::Result<()> {
    writeln!(
        out,
        "{} ({} essays, {} folds)",
        r.corpus,
        r.essays,
        r.folds.len()
    )?;
    write!(out, "  {:<42}", "measure")?;
    for f in &r.folds {
        write!(out, " {:>6}", format!("f{}", f.fold))?;
    }
    writeln!(out, " {:>7} {:>6}", "mean", "sd")?;
    for s in &r.summary {
        write!(out, "  {:<42}", s.measure)?;
        for v in &s.values {
            write!(out, " {:>6}", fmt(*v))?;
        }
        writeln!(out, " {:>7} {:>6}", fmt(s.mean), fmt(s.sd))?;
    }
    if let Some(v) = &r.pooled_validity {
        writeln!(
            out,
            "  pooled over the {} held-out essays: claims r {}, unsupported claims r {}, \
             counter-argument accuracy {}",
            v.essays,
            fmt(v.pearson_claims),
            fmt(v.pearson_unsupported_claims),
            fmt(v.accuracy_counter_argument)
        )?;
    }
    if let Some(s) = &r.pooled_short {
        writeln!(
            out,
            "  pooled over the {} short texts: thesis F1 {:.3} (first-sentence rule {:.3}), \
             counter-argument F1 {:.3} (contrast rule {:.3})",
            s.texts,
            s.thesis_f1,
            s.thesis_f1_first_sentence,
            s.counter_f1,
            s.counter_f1_contrast_rule
        )?;
    }
    Ok(())
}

pub fn run(args: Args) -> Result<ExitCode> {
    if !args.weights.is_empty() && args.weights.len() != args.gold.len() {
        bail!("--weights needs one value per --gold file");
    }
    if args.weights.iter().any(|w| !(w.is_finite() && *w > 0.0)) {
        bail!("--weights must be positive");
    }
    if !args.register.is_empty() && args.register.len() != args.gold.len() {
        bail!("--register needs one value per --gold file");
    }
    if args.register.iter().any(|r| !(0.0..=1.0).contains(r)) {
        bail!("--register values are 0 (school) or 1 (university)");
    }
    let files: Vec<GoldFile> = args
        .gold
        .iter()
        .enumerate()
        .map(|(i, p)| GoldFile {
            path: p.clone(),
            weight: args.weights.get(i).copied().unwrap_or(1.0),
            register: args.register.get(i).copied(),
        })
        .collect();
    if let Some(out) = &args.train_short_out {
        return train_short(&files, &args, out);
    }
    let cfg = Config {
        folds: args.folds,
        seed: args.seed,
        max_essays: args.max_essays,
        dev_max: args.dev_max,
        short_thesis_roles: args.short_thesis_roles,
        recipe: roles::Recipe {
            train: Vec::new(),
            dev: Vec::new(),
            max_essays: None,
            config: roles::TrainConfig {
                spec: FeatureSpec::default(),
                epochs: args.epochs,
                lr: args.lr,
                l2: args.l2,
                seed: args.seed,
                ensemble: args.ensemble,
                ..roles::TrainConfig::default()
            },
            rescore_folds: args.rescore_folds,
        },
        links: links::TrainConfig::default(),
        paragraph_claim_min: args.paragraph_claim_min,
        dump_dir: args.dump_dir.clone(),
    };
    if let Some(d) = &args.dump_dir {
        std::fs::create_dir_all(d)?;
    }
    let t0 = Instant::now();
    let results = cv::run(&files, &cfg, &RuleSegmenter::default(), &mut |l| {
        eprintln!("[{:>6.0}s] {l}", t0.elapsed().as_secs_f64());
    })?;
    let seconds = t0.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    if args.json {
        let v = serde_json::json!({
            "folds": args.folds,
            "seed": args.seed,
            "gold": args.gold.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "max_essays": args.max_essays,
            "recipe": {"epochs": args.epochs, "lr": args.lr, "l2": args.l2,
                "ensemble": args.ensemble, "rescore_folds": args.rescore_folds,
                "dev_max": args.dev_max, "paragraph_claim_min": args.paragraph_claim_min},
            "seconds": seconds,
            "corpora": results,
        });
        serde_json::to_writer(&mut out, &v)?;
        writeln!(out)?;
    } else {
        for (i, r) in results.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            table(&mut out, r)?;
        }
        writeln!(out, "\n{:.0}s in all", seconds)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
