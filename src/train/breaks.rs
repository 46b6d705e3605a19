//! Trains a `BreakModel` from the gold paragraphs of annotated essays.
//!
//! Why this recipe: every sentence boundary inside an essay is an example
//! (break: the next sentence is in a new paragraph), so the corpora give
//! hundreds of thousands of examples for free. Logistic regression with
//! AdaGrad, a small L2 penalty and a fixed-seed shuffle is fast and
//! deterministic. The decoding settings (weight of the paragraph-length prior,
//! bias per break) are chosen on out-of-fold predictions over the training
//! essays (K folds by essay), maximising the mean over training files of the
//! boundary F1, so dev is only measured, never tuned on. The length prior is
//! the smoothed distribution of the training paragraphs' sizes in sentences,
//! the count prior that of the essays' paragraph counts per essay size; the
//! floor below which a block stays whole is chosen by the same
//! cross-validation, from [`TrainConfig::min_sentences`] up to 11.

use super::corpus::{self, AnnotatedEssay};
use super::rng::Lcg;
use crate::error::Result;
use crate::segment::breaks::{
    boundary_features, size_bucket, table, BreakInfo, BreakModel, SentView, FEATURE_SPEC, FORMAT,
    MAX_COUNT,
};
use crate::segment::Segmenter;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// The model has `2^bits` weights.
    pub bits: u32,
    /// Passes over the training boundaries.
    pub epochs: usize,
    /// AdaGrad learning rate.
    pub lr: f32,
    /// L2 penalty on touched weights.
    pub l2: f32,
    /// Shuffle seed.
    pub seed: u64,
    /// Cross-validation folds for the decoding settings.
    pub folds: usize,
    /// The lowest floor cross-validation may choose: a block of fewer
    /// sentences stays one paragraph (see `BreakInfo`).
    pub min_sentences: u32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            bits: 16,
            epochs: 4,
            lr: 0.1,
            l2: 1e-6,
            seed: 42,
            folds: 3,
            min_sentences: 8,
        }
    }
}

/// Longest paragraph the length prior counts separately (longer ones share
/// its last entry).
const PRIOR_LEN: usize = 40;

/// The boundaries of one essay.
struct Essay {
    /// Index of its training (or dev) file.
    file: usize,
    /// Example weight.
    weight: f32,
    /// Feature buckets of each boundary.
    feats: Vec<Vec<u32>>,
    /// Whether each boundary is a paragraph break.
    gold: Vec<bool>,
}

impl Essay {
    fn new(e: &AnnotatedEssay, file: usize, weight: f32, bits: u32) -> Self {
        let s = &e.doc.sentences;
        let views: Vec<SentView> = s.iter().map(|s| SentView::new(&s.text)).collect();
        let feats = (1..s.len())
            .map(|i| {
                let mut f = Vec::with_capacity(40);
                boundary_features(&views, i, bits, &mut f);
                f
            })
            .collect();
        let gold = s
            .windows(2)
            .map(|w| w[0].paragraph != w[1].paragraph)
            .collect();
        Essay {
            file,
            weight,
            feats,
            gold,
        }
    }

    /// Sizes, in sentences, of its gold paragraphs.
    fn paragraph_sizes(&self) -> Vec<usize> {
        let mut out = Vec::new();
        let mut len = 1;
        for &g in &self.gold {
            if g {
                out.push(len);
                len = 0;
            }
            len += 1;
        }
        out.push(len);
        out
    }
}

/// Logistic-regression weights fitted on the boundaries of `essays`.
fn fit(cfg: &TrainConfig, essays: &[&Essay]) -> Vec<f32> {
    let dim = 1usize << cfg.bits;
    let mut w = vec![0.0f32; dim];
    let mut g2 = vec![1e-6f32; dim];
    let mut order: Vec<(usize, usize)> = essays
        .iter()
        .enumerate()
        .flat_map(|(e, x)| (0..x.gold.len()).map(move |b| (e, b)))
        .collect();
    let mut rng = Lcg(cfg.seed);
    for _ in 0..cfg.epochs {
        rng.shuffle(&mut order);
        for &(e, b) in &order {
            let (f, y) = (&essays[e].feats[b], essays[e].gold[b]);
            let z: f32 = f.iter().map(|&k| w[k as usize]).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let g = (p - f32::from(u8::from(y))) * essays[e].weight;
            for &k in f {
                let k = k as usize;
                let grad = g + cfg.l2 * w[k];
                g2[k] += grad * grad;
                w[k] -= cfg.lr * grad / g2[k].sqrt();
            }
        }
    }
    w
}

/// Natural log of the smoothed share of paragraphs of each size (1 to
/// [`PRIOR_LEN`], the last for that size or more), weighted as the essays are,
/// in the four tables of [`BreakInfo::length_log_prob`].
fn length_prior(essays: &[&Essay]) -> [Vec<f32>; 4] {
    let mut counts = [0, 1, 2, 3].map(|_| vec![0.5f64; PRIOR_LEN]);
    for e in essays {
        let sizes = e.paragraph_sizes();
        for (k, &len) in sizes.iter().enumerate() {
            let t = table(k == 0, k + 1 == sizes.len());
            counts[t][len.min(PRIOR_LEN) - 1] += f64::from(e.weight);
        }
    }
    counts.map(|c| {
        let total: f64 = c.iter().sum();
        c.iter().map(|x| (x / total).ln() as f32).collect()
    })
}

/// Natural log of the smoothed share of essays of each paragraph count (1
/// to [`MAX_COUNT`]) among the essays of each size bucket, weighted as the
/// essays are ([`BreakInfo::count_log_prob`]).
fn count_prior(essays: &[&Essay]) -> Vec<Vec<f32>> {
    let mut counts = vec![vec![0.5f64; MAX_COUNT]; size_bucket(usize::MAX) + 1];
    for e in essays {
        let paragraphs = e.gold.iter().filter(|&&g| g).count() + 1;
        counts[size_bucket(e.gold.len() + 1)][paragraphs.min(MAX_COUNT) - 1] += f64::from(e.weight);
    }
    counts
        .into_iter()
        .map(|c| {
            let total: f64 = c.iter().sum();
            c.iter().map(|x| (x / total).ln() as f32).collect()
        })
        .collect()
}

/// Boundary counts: (true positives, predicted breaks, gold breaks).
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Predicted breaks that are gold breaks.
    pub hits: usize,
    /// Predicted breaks.
    pub predicted: usize,
    /// Gold breaks.
    pub gold: usize,
}

impl Counts {
    fn add(&mut self, predicted: &[usize], gold: &[bool]) {
        self.predicted += predicted.len();
        self.gold += gold.iter().filter(|&&g| g).count();
        self.hits += predicted.iter().filter(|&&i| gold[i - 1]).count();
    }

    /// Precision of the predicted breaks.
    pub fn precision(&self) -> f64 {
        self.hits as f64 / self.predicted.max(1) as f64
    }

    /// Recall of the gold breaks.
    pub fn recall(&self) -> f64 {
        self.hits as f64 / self.gold.max(1) as f64
    }

    /// F1 of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// Boundary counts per file of decoding `probs` (one vector per essay) with `m`'s settings.
fn score(m: &BreakModel, essays: &[&Essay], probs: &[Vec<f32>], files: usize) -> Vec<Counts> {
    essays
        .par_iter()
        .zip(probs)
        .fold(
            || vec![Counts::default(); files],
            |mut out, (e, p)| {
                out[e.file].add(&m.decode(p), &e.gold);
                out
            },
        )
        .reduce(
            || vec![Counts::default(); files],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    x.hits += y.hits;
                    x.predicted += y.predicted;
                    x.gold += y.gold;
                }
                a
            },
        )
}

fn mean_f1(c: &[Counts]) -> f64 {
    c.iter().map(Counts::f1).sum::<f64>() / c.len().max(1) as f64
}

fn probs(m: &BreakModel, e: &Essay) -> Vec<f32> {
    e.feats.iter().map(|f| m.prob(f)).collect()
}

/// Reads `path` into boundary examples of file `file`.
fn read(
    path: &Path,
    file: usize,
    weight: f32,
    seg: &dyn Segmenter,
    bits: u32,
) -> Result<Vec<Essay>> {
    let essays = corpus::read_file(path, seg)?;
    Ok(essays
        .iter()
        .map(|e| Essay::new(e, file, weight, bits))
        .collect())
}

/// Trains a break model on `train` (file, example weight) and reports its
/// boundary scores on `dev` (measured only). Log lines go to `log`.
///
/// # Errors
/// When a file cannot be read or parsed.
pub fn train_files(
    train: &[(PathBuf, f32)],
    dev: &[PathBuf],
    seg: &dyn Segmenter,
    cfg: &TrainConfig,
    log: &mut dyn FnMut(&str),
) -> Result<BreakModel> {
    let mut essays = Vec::new();
    let mut trained_on = Vec::new();
    for (i, (path, weight)) in train.iter().enumerate() {
        let more = read(path, i, *weight, seg, cfg.bits)?;
        let boundaries: usize = more.iter().map(|e| e.gold.len()).sum();
        let breaks: usize = more
            .iter()
            .map(|e| e.gold.iter().filter(|&&g| g).count())
            .sum();
        log(&format!(
            "train {}: {} essays, {boundaries} boundaries, {breaks} breaks, weight {weight}",
            path.display(),
            more.len()
        ));
        trained_on.push(
            serde_json::json!({"file": corpus::file_label(path), "essays": more.len(),
            "boundaries": boundaries, "breaks": breaks, "weight": weight}),
        );
        essays.extend(more);
    }
    let mut model = BreakModel {
        info: BreakInfo {
            format: FORMAT,
            feature_spec: FEATURE_SPEC.into(),
            bits: cfg.bits,
            length_weight: 0.0,
            break_bias: 0.0,
            min_sentences: cfg.min_sentences,
            length_log_prob: Default::default(),
            count_weight: 0.0,
            count_log_prob: Vec::new(),
            provenance: serde_json::Value::Null,
        },
        weights: Vec::new(),
    };
    // Out-of-fold probabilities: essay k is held out in fold k % folds of a
    // shuffled order.
    let folds = cfg.folds.max(2);
    let mut fold_of: Vec<usize> = (0..essays.len()).map(|k| k % folds).collect();
    Lcg(cfg.seed ^ 0x5eed).shuffle(&mut fold_of);
    let mut oof = vec![Vec::new(); essays.len()];
    for fold in 0..folds {
        let inside: Vec<&Essay> = essays
            .iter()
            .zip(&fold_of)
            .filter(|(_, &f)| f != fold)
            .map(|(e, _)| e)
            .collect();
        let m = BreakModel {
            weights: fit(cfg, &inside),
            ..model.clone()
        };
        for (k, e) in essays.iter().enumerate() {
            if fold_of[k] == fold {
                oof[k] = probs(&m, e);
            }
        }
        log(&format!("fold {}/{folds} fitted", fold + 1));
    }
    let all: Vec<&Essay> = essays.iter().collect();
    model.info.length_log_prob = length_prior(&all);
    model.info.count_log_prob = count_prior(&all);
    // The priors' weights and the bias at the shipped floor of 11, then the
    // floor at those settings.
    model.info.min_sentences = 11;
    let mut best = (f64::NEG_INFINITY, 0.0, 0.0, 0.0);
    let mut threshold_only = f64::NEG_INFINITY;
    let mut no_count = f64::NEG_INFINITY;
    for cw in [0.0f32, 0.5, 1.0, 2.0] {
        for lw in [0.0f32, 0.25, 0.5, 1.0, 1.5] {
            for b in -4..=6 {
                let bias = b as f32 * 0.5;
                model.info.length_weight = lw;
                model.info.count_weight = cw;
                model.info.break_bias = bias;
                let f = mean_f1(&score(&model, &all, &oof, train.len()));
                if lw == 0.0 && cw == 0.0 {
                    threshold_only = threshold_only.max(f);
                }
                if cw == 0.0 {
                    no_count = no_count.max(f);
                }
                if f > best.0 {
                    best = (f, lw, cw, bias);
                }
            }
        }
    }
    model.info.length_weight = best.1;
    model.info.count_weight = best.2;
    model.info.break_bias = best.3;
    let mut floors = Vec::new();
    for floor in cfg.min_sentences.min(11)..=11 {
        model.info.min_sentences = floor;
        floors.push((mean_f1(&score(&model, &all, &oof, train.len())), floor));
    }
    let (cv_f1, floor) =
        floors.iter().copied().fold(
            (f64::NEG_INFINITY, 11),
            |a, b| if b.0 > a.0 { b } else { a },
        );
    model.info.min_sentences = floor;
    let cv = score(&model, &all, &oof, train.len());
    log(&format!(
        "cross-validated per file: {:?}",
        cv.iter().map(Counts::f1).collect::<Vec<_>>()
    ));
    log(&format!(
        "cross-validated: length weight {}, count weight {}, break bias {}, floor {floor}: \
         mean boundary F1 {cv_f1:.3} (thresholding alone {threshold_only:.3}, without the \
         count prior {no_count:.3}; by floor {floors:?})",
        best.1, best.2, best.3,
    ));
    model.weights = fit(cfg, &all);
    let mut dev_scores = Vec::new();
    for (i, path) in dev.iter().enumerate() {
        let d = read(path, i, 1.0, seg, cfg.bits)?;
        let refs: Vec<&Essay> = d.iter().collect();
        let p: Vec<Vec<f32>> = d.iter().map(|e| probs(&model, e)).collect();
        let c = score(&model, &refs, &p, dev.len())[i];
        log(&format!(
            "dev {}: {} essays, boundary precision {:.3}, recall {:.3}, F1 {:.3} \
             ({} predicted, {} gold)",
            path.display(),
            d.len(),
            c.precision(),
            c.recall(),
            c.f1(),
            c.predicted,
            c.gold
        ));
        dev_scores.push(
            serde_json::json!({"file": corpus::file_label(path), "essays": d.len(),
            "precision": c.precision(), "recall": c.recall(), "f1": c.f1()}),
        );
    }
    let cv_json: Vec<_> = train
        .iter()
        .zip(&cv)
        .map(|((p, _), c)| serde_json::json!({"file": corpus::file_label(p), "f1": c.f1()}))
        .collect();
    model.info.provenance = serde_json::json!({
        "essaymap": env!("CARGO_PKG_VERSION"),
        "trained_on": trained_on,
        "config": {"bits": cfg.bits, "epochs": cfg.epochs, "lr": cfg.lr, "l2": cfg.l2,
            "seed": cfg.seed, "folds": folds, "min_sentences": cfg.min_sentences},
        "cross_validated": {"mean_f1": cv_f1, "files": cv_json,
            "threshold_only_mean_f1": threshold_only, "without_count_prior_mean_f1": no_count,
            "by_floor": floors.iter().map(|&(f, m)| serde_json::json!({"min_sentences": m, "mean_f1": f})).collect::<Vec<_>>()},
        "dev": dev_scores,
    });
    Ok(model)
}
