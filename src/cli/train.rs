//! `essaymap train`: fit a model (roles, links, paragraph breaks, or the
//! transformer) on annotated essays and write its file. The arguments become a
//! recipe or config of `essaymap::train`, which does the training.

use anyhow::{bail, Context, Result};
use essaymap::features::FeatureSpec;
use essaymap::segment::RuleSegmenter;
use essaymap::train::roles;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use super::backend::Backend;

/// Train the sentence-role model from annotated JSONL (AAE/PERSUADE format).
///
/// With --dev, the best epoch, the probability temperature and the thesis
/// threshold are chosen on the dev files. The full shipped recipe (AAE train
/// + PERSUADE train) takes a few minutes on two cores.
///
/// Example: essaymap train --train aae/train.jsonl persuade/train.jsonl
/// --weights 8 1 --dev aae/dev.jsonl persuade/dev.jsonl -o models/roles.bin
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Annotated training file(s).
    #[arg(long, required_unless_present = "retune", num_args = 1..)]
    train: Vec<PathBuf>,
    /// Annotated dev file(s) for model selection and calibration.
    #[arg(long, num_args = 1..)]
    dev: Vec<PathBuf>,
    /// Output model file.
    #[arg(short, long)]
    output: PathBuf,
    /// Example weight per training file, in the order of --train (default 1 each).
    #[arg(long, num_args = 1..)]
    weights: Vec<f32>,
    /// Register of each training file, in the order of --train: 1 for
    /// university-level writing (AAE), 0 for school writing (PERSUADE). Trains
    /// register-specific weights mixed at inference by a register detector.
    #[arg(long, num_args = 1..)]
    register: Vec<f32>,
    /// Use at most this many essays from each training file (a seeded sample).
    #[arg(long)]
    max_essays: Option<usize>,
    /// Which role model to train: the embedded linear model, or the transformer
    /// (a build with --features transformer, after scripts/setup-transformer.sh).
    #[arg(long, value_enum, default_value_t = Backend::Embedded)]
    backend: Backend,
    /// Passes over the data [default: 8, or 3 with --backend transformer].
    #[arg(long)]
    epochs: Option<usize>,
    /// Hash bits (feature space of 2^bits).
    #[arg(long, default_value_t = FeatureSpec::default().bits)]
    bits: u32,
    /// Learning rate [default: 0.1 (AdaGrad), or 1e-4 (AdamW peak) with
    /// --backend transformer].
    #[arg(long)]
    lr: Option<f32>,
    /// L2 regularisation.
    #[arg(long, default_value_t = 1e-6)]
    l2: f32,
    /// Shuffling seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Decide each sentence alone (no label transitions), for ablation.
    #[arg(long)]
    no_transitions: bool,
    /// Train the thesis head with a softmax over each essay's sentences
    /// instead of a per-sentence logistic loss (measured worse; for ablation).
    #[arg(long)]
    listwise_thesis: bool,
    /// Keep the last weights instead of their average over training, for ablation.
    #[arg(long)]
    no_average: bool,
    /// Train N models with seeds SEED, SEED+1, ... and ship the average of their
    /// weights (same size and speed as one model, less seed-to-seed variance).
    #[arg(long, default_value_t = 1, value_name = "N")]
    ensemble: usize,
    /// Fit the paragraph rescorer (a second pass comparing each sentence with
    /// the rest of its paragraph) on the university-register files (--register
    /// 1), from the predictions of K models each trained without one K-th of
    /// those essays; about K/2 single-seed trainings more on two cores. 0: none.
    #[arg(long, default_value_t = 5, value_name = "K")]
    rescore_folds: usize,
    /// Train the link model (links, attacks, claim stance) instead of the role
    /// model: essays with relations (AAE) train the links, all essays the
    /// stance; --dev tunes the thresholds. Shipped recipe: --train aae/train.jsonl
    /// persuade/train.jsonl --dev aae/dev.jsonl persuade/dev.jsonl -o models/links.bin
    #[arg(long)]
    links: bool,
    /// Train the paragraph-break model (where text pasted without breaks
    /// starts new paragraphs) instead of the role model, on the gold paragraphs
    /// of --train (--weights per file; decoding settings cross-validated on
    /// --train); --dev is only measured. Shipped recipe: --train
    /// aae/train.jsonl persuade/train.jsonl --weights 30 1 --dev aae/dev.jsonl
    /// persuade/dev.jsonl -o models/breaks.bin
    #[arg(long, conflicts_with = "links")]
    paragraphs: bool,
    /// With --links: the role model whose predictions the links also train on;
    /// with --backend transformer: the embedded model it is fused with
    /// (default: the built-in one).
    #[arg(long, value_name = "PATH")]
    roles_model: Option<PathBuf>,
    /// With --backend transformer: how many top layers to fine-tune (the others
    /// stay frozen and their outputs are computed once).
    #[arg(long, default_value_t = 2)]
    trainable_layers: usize,
    /// With --backend transformer: inputs per optimiser step.
    #[arg(long, default_value_t = 32)]
    batch: usize,
    /// With --backend transformer: do not train; tune the decoding of these
    /// fine-tuned weights on --dev again and write them to --output.
    #[arg(long, value_name = "PATH", requires = "dev")]
    retune: Option<PathBuf>,
    /// With --backend transformer: the heads' learning rate as a multiple of --lr.
    #[arg(long, default_value_t = 10.0)]
    head_lr_factor: f64,
}

/// Reports a written model file and the time taken.
fn wrote(path: &Path, t0: Instant) {
    eprintln!(
        "wrote {} in {:.1}s",
        path.display(),
        t0.elapsed().as_secs_f64()
    );
}

pub fn run(args: Args) -> Result<ExitCode> {
    if args.backend == Backend::Transformer {
        return transformer(&args);
    }
    if args.paragraphs {
        return paragraphs(&args);
    }
    if args.links {
        let t0 = Instant::now();
        let cfg = essaymap::train::links::TrainConfig::default();
        // Links also learn from the built-in role model's predictions (or
        // --roles-model's), so they cope with its mistakes.
        let pipeline = super::pipeline(args.roles_model.as_ref())?;
        let annotate = |d: &mut essaymap::Document| {
            // The embedded model alone (no refiner) cannot fail.
            let _ = pipeline.annotate(d);
        };
        let model = essaymap::train::links::train_files(
            &args.train,
            &args.dev,
            &RuleSegmenter::default(),
            Some(&annotate),
            &cfg,
            &mut |l| eprintln!("{l}"),
        )?;
        model.save(&args.output)?;
        wrote(&args.output, t0);
        return Ok(ExitCode::SUCCESS);
    }
    if !(8..=24).contains(&args.bits) {
        bail!("--bits must be between 8 and 24");
    }
    check_per_file(&args)?;
    let t0 = Instant::now();
    let recipe = roles::Recipe {
        train: train_files(&args),
        dev: args.dev.clone(),
        max_essays: args.max_essays,
        config: roles::TrainConfig {
            spec: FeatureSpec { bits: args.bits },
            epochs: args.epochs.unwrap_or(8),
            lr: args.lr.unwrap_or(0.1),
            l2: args.l2,
            seed: args.seed,
            transitions: !args.no_transitions,
            average: !args.no_average,
            listwise_thesis: args.listwise_thesis,
            ensemble: args.ensemble,
        },
        rescore_folds: args.rescore_folds,
    };
    let model = recipe.train(&RuleSegmenter::default(), &mut |l| eprintln!("{l}"))?;
    let bytes = model.to_bytes();
    std::fs::write(&args.output, &bytes)
        .with_context(|| format!("writing {}", args.output.display()))?;
    eprintln!(
        "wrote {} ({} bytes) in {:.1}s",
        args.output.display(),
        bytes.len(),
        t0.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// The --train files with their --weights (default 1) and --register.
fn train_files(args: &Args) -> Vec<roles::TrainFile> {
    args.train
        .iter()
        .enumerate()
        .map(|(i, p)| roles::TrainFile {
            path: p.clone(),
            weight: args.weights.get(i).copied().unwrap_or(1.0),
            register: args.register.get(i).copied(),
        })
        .collect()
}

/// `train --paragraphs`: the paragraph-break model.
fn paragraphs(args: &Args) -> Result<ExitCode> {
    use essaymap::train::breaks;
    check_per_file(args)?;
    let t0 = Instant::now();
    let defaults = breaks::TrainConfig::default();
    let cfg = breaks::TrainConfig {
        epochs: args.epochs.unwrap_or(defaults.epochs),
        lr: args.lr.unwrap_or(defaults.lr),
        l2: args.l2,
        seed: args.seed,
        ..defaults
    };
    let train: Vec<(PathBuf, f32)> = args
        .train
        .iter()
        .enumerate()
        .map(|(i, p)| (p.clone(), args.weights.get(i).copied().unwrap_or(1.0)))
        .collect();
    let model = breaks::train_files(
        &train,
        &args.dev,
        &RuleSegmenter::default(),
        &cfg,
        &mut |l| eprintln!("{l}"),
    )?;
    model.save(&args.output)?;
    wrote(&args.output, t0);
    Ok(ExitCode::SUCCESS)
}

/// `train --backend transformer`: fine-tunes the transformer; the dev files
/// pick the epoch and tune its fusion with the embedded model.
#[cfg(feature = "transformer")]
fn transformer(args: &Args) -> Result<ExitCode> {
    use essaymap::classify::transformer::{base_dir, Transformer};
    use essaymap::train::transformer::{self as fine, FineTuneConfig};
    let t0 = Instant::now();
    super::backend::keep_freed_memory();
    let seg = RuleSegmenter::default();
    check_per_file(args)?;
    let pipeline = super::pipeline(args.roles_model.as_ref())?;
    if let Some(path) = &args.retune {
        let dev = fine::read_dev(&args.dev, &seg, &pipeline)?;
        let mut model = Transformer::from_file(&base_dir(), path)?;
        fine::retune(&mut model, &dev, &mut |l| eprintln!("{l}"))?;
        model.save(&args.output)?;
        eprintln!("wrote {}", args.output.display());
        return Ok(ExitCode::SUCCESS);
    }
    let recipe = fine::Recipe {
        train: train_files(args),
        dev: args.dev.clone(),
        max_essays: args.max_essays,
        config: FineTuneConfig {
            epochs: args.epochs.unwrap_or(3),
            lr: args.lr.map_or(1e-4, f64::from),
            batch: args.batch,
            head_lr_factor: args.head_lr_factor,
            trainable_layers: args.trainable_layers,
            seed: args.seed,
            ..Default::default()
        },
    };
    let out = recipe.fine_tune(&base_dir(), &seg, &pipeline, &mut |l| eprintln!("{l}"))?;
    out.model.save(&args.output)?;
    wrote(&args.output, t0);
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "transformer"))]
fn transformer(_: &Args) -> Result<ExitCode> {
    bail!(super::backend::NOT_BUILT)
}

/// Checks --weights and --register, the values given per --train file, for
/// both role-model trainers.
fn check_per_file(args: &Args) -> Result<()> {
    if !args.weights.is_empty() && args.weights.len() != args.train.len() {
        bail!("--weights needs one value per --train file");
    }
    if args.weights.iter().any(|w| !(w.is_finite() && *w > 0.0)) {
        bail!("--weights must be positive");
    }
    if !args.register.is_empty() && args.register.len() != args.train.len() {
        bail!("--register needs one value per --train file");
    }
    if args.register.iter().any(|r| !(0.0..=1.0).contains(r)) {
        bail!("--register values are 0 (school) or 1 (university)");
    }
    Ok(())
}
