//! Training the role model from annotated essays.
//!
//! The label part is a linear-chain CRF over the sentences of each paragraph
//! (per-sentence softmax when transitions are off, i.e. multinomial logistic
//! regression); the thesis head is a logistic regression on the same features.
//! Both are fitted together by AdaGrad stochastic gradient descent with L2
//! regularisation applied to the weights an example touches (the usual lazy
//! scheme for sparse data), one paragraph per step, in an order shuffled by a
//! seeded xorshift generator: the same data, settings and seed give the same
//! model bit for bit.
//!
//! After each epoch the model is scored on the dev sets (if any) and the best
//! epoch is kept; then the softmax temperature is fitted on dev (minimum
//! negative log-likelihood, so the label probabilities are calibrated) and the
//! thesis threshold is chosen for dev thesis F1.

// The SGD kernel indexes weights, gradients and label arrays in step; index
// loops say that more plainly than zipped iterators.
#![allow(clippy::needless_range_loop)]

use super::corpus::{self, AnnotatedEssay, GoldSentence};
use super::rng::Rng;
use super::score::{provenance_scores, Report, Scorer};
use crate::classify::crf::{self, Lattice, Trans, L};
use crate::classify::model::{DecodeConfig, Model, Work, NO_RESTATE, N_OUT, REGISTER, THESIS};
use crate::classify::rescore::{self, ParaPlace, Rescorer, N_FEAT};
use crate::error::Result;
use crate::features::{extract, FeatureSpec, Features, Scratch};
use crate::segment::Segmenter;
use crate::util::math::sigmoid;
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

/// Training settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainConfig {
    /// Feature space.
    pub spec: FeatureSpec,
    /// Passes over the data.
    pub epochs: usize,
    /// AdaGrad base learning rate.
    pub lr: f32,
    /// L2 regularisation strength.
    pub l2: f32,
    /// Shuffling seed.
    pub seed: u64,
    /// Train label transitions (CRF) rather than independent decisions.
    pub transitions: bool,
    /// Ship the average of the weights over all steps (Polyak averaging),
    /// which generalises better than the last iterate.
    pub average: bool,
    /// Train the thesis head with a softmax over each essay's sentences
    /// (ranking) instead of a per-sentence logistic loss.
    pub listwise_thesis: bool,
    /// Train this many models with consecutive seeds and ship the average of
    /// their weights: the same size and speed as one model, without the
    /// seed-to-seed swing of a single run (about ±0.01 AAE dev macro-F1).
    pub ensemble: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            spec: FeatureSpec::default(),
            epochs: 8,
            lr: 0.1,
            l2: 1e-6,
            seed: 42,
            transitions: true,
            average: true,
            listwise_thesis: false,
            ensemble: 1,
        }
    }
}

/// One training essay: features, gold and the weight of its examples.
#[derive(Debug, Clone)]
pub struct Example {
    feats: Features,
    labels: Vec<u8>,
    thesis: Vec<bool>,
    paras: Vec<(u32, u32)>,
    weight: f32,
    register: Option<f32>,
}

/// Extracts features of `essays` (in parallel) and pairs them with their gold;
/// every example gets `weight`, and `register` (1 = university-level writing,
/// 0 = school writing) when known, which trains the register-specific weights
/// and the register detector.
pub fn prepare(
    spec: &FeatureSpec,
    essays: &[AnnotatedEssay],
    weight: f32,
    register: Option<f32>,
) -> Vec<Example> {
    essays
        .par_iter()
        .map_init(Scratch::default, |scratch, e| {
            let mut feats = Features::default();
            extract(spec, &e.doc, &mut feats, scratch);
            let mut paras = Vec::new();
            let s = &e.doc.sentences;
            let mut lo = 0;
            while lo < s.len() {
                let mut hi = lo + 1;
                while hi < s.len() && s[hi].paragraph == s[lo].paragraph {
                    hi += 1;
                }
                paras.push((lo as u32, hi as u32));
                lo = hi;
            }
            Example {
                feats,
                labels: e.gold.iter().map(|g| g.label.index() as u8).collect(),
                thesis: e.gold.iter().map(|g| g.thesis).collect(),
                paras,
                weight,
                register,
            }
        })
        .collect()
}

/// A named dev set with precomputed features.
#[derive(Debug)]
pub struct DevSet {
    /// Name for logs and provenance.
    pub name: String,
    essays: Vec<AnnotatedEssay>,
    feats: Vec<Features>,
}

impl DevSet {
    /// Precomputes the features of `essays`.
    pub fn new(name: String, spec: &FeatureSpec, essays: Vec<AnnotatedEssay>) -> DevSet {
        let feats = essays
            .par_iter()
            .map_init(Scratch::default, |scratch, e| {
                let mut f = Features::default();
                extract(spec, &e.doc, &mut f, scratch);
                f
            })
            .collect();
        DevSet {
            name,
            essays,
            feats,
        }
    }

    /// Scores `model` on this set.
    pub fn evaluate(&self, model: &Model) -> Report {
        let mut work = Work::default();
        let mut sc = Scorer::default();
        for (e, f) in self.essays.iter().zip(&self.feats) {
            let mut doc = e.doc.clone();
            model.predict(&mut doc, f, &mut work);
            sc.add(&doc, &e.gold);
        }
        sc.report()
    }

    /// Mean negative log-likelihood of the gold labels under `model`.
    fn nll(&self, model: &Model) -> f64 {
        let mut work = Work::default();
        let (mut sum, mut n) = (0.0f64, 0usize);
        for (e, f) in self.essays.iter().zip(&self.feats) {
            let mut doc = e.doc.clone();
            model.predict(&mut doc, f, &mut work);
            for (s, g) in doc.sentences.iter().zip(&e.gold) {
                let p = s.scores.map_or(0.25, |sc| sc.get(g.label));
                sum -= f64::from(p.max(1e-6)).ln();
                n += 1;
            }
        }
        sum / n.max(1) as f64
    }
}

/// Selection score on dev: mean over sets of (macro-F1 + thesis F1) / 2.
fn dev_score(reports: &[Report]) -> f64 {
    if reports.is_empty() {
        return 0.0;
    }
    reports
        .iter()
        .map(|r| (r.macro_f1 + r.thesis.f1) / 2.0)
        .sum::<f64>()
        / reports.len() as f64
}

/// Trains a model on `train`, selecting the epoch and decode settings on `dev`.
/// `log` receives one line per epoch.
pub fn train(
    cfg: &TrainConfig,
    train: &[Example],
    dev: &[DevSet],
    log: &mut dyn FnMut(&str),
) -> Model {
    let all: Vec<usize> = (0..train.len()).collect();
    train_on(cfg, train, &all, dev, log)
}

/// [`train`] on the examples of `train` at the indices `keep`.
fn train_on(
    cfg: &TrainConfig,
    train: &[Example],
    keep: &[usize],
    dev: &[DevSet],
    log: &mut dyn FnMut(&str),
) -> Model {
    let n = cfg.ensemble.max(1);
    let mut model = train_one(cfg, train, keep, dev, log);
    if n > 1 {
        for k in 1..n {
            let c = TrainConfig {
                seed: cfg.seed.wrapping_add(k as u64),
                ..*cfg
            };
            log(&format!(
                "ensemble member {} of {n}, seed {}",
                k + 1,
                c.seed
            ));
            let m = train_one(&c, train, keep, dev, log);
            model.weights += &m.weights;
            for (b, x) in model.bias.iter_mut().zip(m.bias) {
                *b += x;
            }
            for (row, r2) in model.trans.iter_mut().zip(m.trans) {
                for (t, x) in row.iter_mut().zip(r2) {
                    *t += x;
                }
            }
        }
        let inv = 1.0 / n as f32;
        model.weights *= inv;
        model.bias.iter_mut().for_each(|b| *b *= inv);
        model.trans.iter_mut().flatten().for_each(|t| *t *= inv);
        for (d, r) in dev.iter().zip(dev.iter().map(|d| d.evaluate(&model))) {
            log(&format!(
                "average of {n}: {} macro-F1 {:.3} thesis F1 {:.3}",
                d.name, r.macro_f1, r.thesis.f1
            ));
        }
    }
    if !dev.is_empty() {
        calibrate(&mut model, dev, log);
    }
    model
}

/// One training run (seed `cfg.seed`) on the examples at `keep`, keeping its
/// best epoch on `dev`; no calibration.
fn train_one(
    cfg: &TrainConfig,
    train: &[Example],
    keep: &[usize],
    dev: &[DevSet],
    log: &mut dyn FnMut(&str),
) -> Model {
    let dim = cfg.spec.dim();
    let mut model = Model::zeros(cfg.spec);
    let registers = train.iter().any(|e| e.register.is_some());
    model.decode = DecodeConfig {
        transitions: cfg.transitions,
        registers,
        ..DecodeConfig::default()
    };
    let mut w = vec![0.0f32; dim * N_OUT];
    let mut g2 = vec![0.0f32; dim * N_OUT];
    // Averaged weights (Polyak) by the lazy trick: `u` accumulates step * delta,
    // and the average after `c` steps is `w - u / c`.
    let mut u = vec![0.0f32; dim * N_OUT];
    let mut step = 1.0f32;
    let mut bias = [0.0f32; N_OUT];
    let mut bias_g2 = [0.0f32; N_OUT];
    let mut trans: Trans = [[0.0; L]; L + 1];
    let mut trans_g2: Trans = [[0.0; L]; L + 1];
    // One step per essay: CRF over each paragraph, listwise thesis over the essay.
    let mut order: Vec<usize> = keep.to_vec();
    let mut rng = Rng::seeded(cfg.seed);
    let mut emit: Vec<[f32; L]> = Vec::new();
    let mut th: Vec<f32> = Vec::new();
    let mut reg: Vec<f32> = Vec::new();
    let mut marg: Vec<[f32; L]> = Vec::new();
    let mut pmarg: Vec<[f32; L]> = Vec::new();
    let mut lat = Lattice::default();
    let eps = 1e-8f32;
    let mut best: Option<(f64, Model)> = None;
    let mut steps = 0usize;
    for epoch in 0..cfg.epochs {
        rng.shuffle(&mut order);
        let mut loss = 0.0f64;
        for &ei in &order {
            let ex = &train[ei];
            let n = ex.labels.len().min(ex.feats.len());
            if n == 0 {
                continue;
            }
            steps += 1;
            emit.clear();
            th.clear();
            reg.clear();
            let r = ex.register.unwrap_or(0.5);
            for t in 0..n {
                let mut s = bias;
                for &(j, v) in ex.feats.row(t) {
                    let o = j as usize * N_OUT;
                    for k in 0..N_OUT {
                        s[k] += w[o + k] * v;
                    }
                }
                reg.push(s[REGISTER]);
                if ex.register.is_some() {
                    for &(a, b, v) in ex.feats.domain_row(t) {
                        let (oa, ob) = (a as usize * N_OUT, b as usize * N_OUT);
                        for k in 0..REGISTER {
                            s[k] += (r * w[oa + k] + (1.0 - r) * w[ob + k]) * v;
                        }
                    }
                }
                emit.push([s[0], s[1], s[2], s[3]]);
                th.push(s[THESIS]);
            }
            // Label marginals, paragraph by paragraph; expected transitions
            // minus observed ones go into `pair`.
            let mut pair: Trans = [[0.0; L]; L + 1];
            let zero: Trans = [[0.0; L]; L + 1];
            marg.clear();
            for &(plo, phi) in &ex.paras {
                let (plo, phi) = (plo as usize, (phi as usize).min(n));
                if plo >= phi {
                    continue;
                }
                let e = &emit[plo..phi];
                let tr = if cfg.transitions { &trans } else { &zero };
                let z = crf::marginals(e, tr, &mut lat, &mut pmarg, Some(&mut pair));
                let mut gold_score = 0.0;
                for t in plo..phi {
                    let y = ex.labels[t] as usize;
                    let prev = if t == plo {
                        0
                    } else {
                        1 + ex.labels[t - 1] as usize
                    };
                    gold_score += emit[t][y] + tr[prev][y];
                    pair[prev][y] -= 1.0;
                }
                loss += f64::from(z - gold_score);
                marg.extend_from_slice(&pmarg);
            }
            if marg.len() != n {
                continue;
            }
            // Thesis: softmax over the essay's sentences (a ranking loss: the
            // thesis is the best candidate of its essay), or per-sentence
            // logistic loss.
            let n_thesis = ex.thesis[..n].iter().filter(|&&x| x).count();
            let mut gth = vec![0.0f32; n];
            if cfg.listwise_thesis {
                if n_thesis > 0 {
                    let m = th.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    let zs: f32 = th.iter().map(|x| (x - m).exp()).sum();
                    for t in 0..n {
                        let p = (th[t] - m).exp() / zs;
                        let y = if ex.thesis[t] {
                            1.0 / n_thesis as f32
                        } else {
                            0.0
                        };
                        gth[t] = ex.weight * (p - y);
                    }
                }
            } else {
                for t in 0..n {
                    let y = if ex.thesis[t] { 1.0 } else { 0.0 };
                    gth[t] = ex.weight * (sigmoid(th[t]) - y);
                }
            }
            let wt = ex.weight;
            for (row, m) in marg.iter().enumerate() {
                let y = ex.labels[row] as usize;
                let mut g = [0.0f32; N_OUT];
                for k in 0..L {
                    g[k] = wt * (m[k] - if k == y { 1.0 } else { 0.0 });
                }
                g[THESIS] = gth[row];
                if let Some(rg) = ex.register {
                    g[REGISTER] = wt * (sigmoid(reg[row]) - rg);
                }
                for &(j, v) in ex.feats.row(row) {
                    let o = j as usize * N_OUT;
                    for k in 0..N_OUT {
                        let gr = g[k] * v + cfg.l2 * w[o + k];
                        g2[o + k] += gr * gr;
                        let d = cfg.lr * gr / (g2[o + k] + eps).sqrt();
                        w[o + k] -= d;
                        u[o + k] -= step * d;
                    }
                }
                if ex.register.is_some() {
                    // With a known register only its own copy is active.
                    for &(a, b, v) in ex.feats.domain_row(row) {
                        let j = if r >= 0.5 { a } else { b };
                        let o = j as usize * N_OUT;
                        for k in 0..REGISTER {
                            let gr = g[k] * v + cfg.l2 * w[o + k];
                            g2[o + k] += gr * gr;
                            let d = cfg.lr * gr / (g2[o + k] + eps).sqrt();
                            w[o + k] -= d;
                            u[o + k] -= step * d;
                        }
                    }
                }
                step += 1.0;
                for k in 0..N_OUT {
                    bias_g2[k] += g[k] * g[k];
                    bias[k] -= cfg.lr * g[k] / (bias_g2[k] + eps).sqrt();
                }
            }
            if cfg.transitions {
                for (ri, prow) in pair.iter().enumerate() {
                    for (k, &gk) in prow.iter().enumerate() {
                        let gr = wt * gk;
                        trans_g2[ri][k] += gr * gr;
                        trans[ri][k] -= cfg.lr * gr / (trans_g2[ri][k] + eps).sqrt();
                    }
                }
            }
        }
        model.bias = bias;
        model.trans = trans;
        let avg: Vec<f32> = if cfg.average {
            w.iter().zip(&u).map(|(&wi, &ui)| wi - ui / step).collect()
        } else {
            w.clone()
        };
        model.weights = ndarray::Array2::from_shape_vec((dim, N_OUT), avg)
            .unwrap_or_else(|_| ndarray::Array2::zeros((dim, N_OUT)));
        let reports: Vec<Report> = dev.iter().map(|d| d.evaluate(&model)).collect();
        let mut line = format!(
            "epoch {}: train loss {:.4}",
            epoch + 1,
            loss / steps.max(1) as f64 * (epoch + 1) as f64
        );
        for (d, r) in dev.iter().zip(&reports) {
            line.push_str(&format!(
                "; {} macro-F1 {:.3} thesis F1 {:.3}",
                d.name, r.macro_f1, r.thesis.f1
            ));
        }
        log(&line);
        let score = dev_score(&reports);
        let better = match &best {
            None => true,
            Some((b, _)) => score > *b,
        };
        if dev.is_empty() || better {
            best = Some((score, model.clone()));
        }
    }
    best.map_or(model, |(_, m)| m)
}

/// Fits the paragraph rescorer (`classify::rescore`) on out-of-fold
/// predictions for the `held` essays (each with the index of its example in
/// `train`): they are split into `folds` folds by a seeded shuffle, and each
/// fold is labelled by a one-seed model trained and calibrated like the main
/// one on every other example, so the rescorer learns how the first pass errs
/// on essays it has not seen. Folds train in parallel. Returns the rescorer and
/// the number of sentences it was fitted on; none without held essays.
pub fn fit_rescorer(
    cfg: &TrainConfig,
    train: &[Example],
    held: &[(usize, &AnnotatedEssay)],
    folds: usize,
    dev: &[DevSet],
    log: &mut dyn FnMut(&str),
) -> Option<(Rescorer, usize)> {
    // No more folds than essays: an empty fold would train a model for nothing.
    let folds = folds.min(held.len());
    if folds < 2 {
        return None;
    }
    let mut order: Vec<usize> = (0..held.len()).collect();
    Rng::seeded(cfg.seed).shuffle(&mut order);
    let fold_of: Vec<usize> = {
        let mut f = vec![0; held.len()];
        for (pos, &h) in order.iter().enumerate() {
            f[h] = pos % folds;
        }
        f
    };
    let one = TrainConfig {
        ensemble: 1,
        ..*cfg
    };
    let rows: Vec<_> = (0..folds)
        .into_par_iter()
        .map(|k| {
            let members: Vec<&(usize, &AnnotatedEssay)> = held
                .iter()
                .zip(&fold_of)
                .filter(|(_, &f)| f == k)
                .map(|(h, _)| h)
                .collect();
            let out: std::collections::HashSet<usize> = members.iter().map(|(i, _)| *i).collect();
            let keep: Vec<usize> = (0..train.len()).filter(|i| !out.contains(i)).collect();
            let model = train_on(&one, train, &keep, dev, &mut |_| {});
            let mut rows = Vec::new();
            let (mut feats, mut work) = (Vec::new(), Work::default());
            for (i, e) in members {
                let mut doc = e.doc.clone();
                model.predict(&mut doc, &train[*i].feats, &mut work);
                feats.clear();
                rescore_rows(&doc, &mut feats);
                rows.extend(
                    feats
                        .iter()
                        .copied()
                        .zip(e.gold.iter().map(|g| g.label.index())),
                );
            }
            let m = dev
                .iter()
                .map(|d| format!("{} macro-F1 {:.3}", d.name, d.evaluate(&model).macro_f1));
            let line = format!(
                "rescorer fold {} of {folds}: {} held-out essays, first pass on dev: {}",
                k + 1,
                out.len(),
                m.collect::<Vec<_>>().join(", ")
            );
            (rows, line)
        })
        .collect();
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for (fold_rows, line) in rows {
        log(&line);
        for (x, y) in fold_rows {
            xs.push(x);
            ys.push(y);
        }
    }
    let n = xs.len();
    Some((Rescorer::fit(&xs, &ys, RESCORER_L2, RESCORER_ITERATIONS), n))
}

/// L2 strength of the rescorer (on standardised features; chosen by
/// cross-validation on AAE train's out-of-fold predictions).
pub const RESCORER_L2: f64 = 1e-3;
/// Full-batch optimiser steps for the rescorer (it converges well before).
pub const RESCORER_ITERATIONS: usize = 1500;

/// Rescoring features of every sentence of a labelled document, paragraph by
/// paragraph, from its label probabilities and thesis flags.
fn rescore_rows(doc: &crate::document::Document, out: &mut Vec<[f32; N_FEAT]>) {
    let last = doc.sentences.last().map_or(0, |x| x.paragraph);
    for para in doc.sentences.chunk_by(|a, b| a.paragraph == b.paragraph) {
        let marg: Vec<[f32; L]> = para
            .iter()
            .map(|x| x.scores.map_or([0.25; L], |sc| sc.to_array()))
            .collect();
        let thesis: Vec<bool> = para.iter().map(|x| x.thesis == Some(true)).collect();
        let inference: Vec<bool> = para
            .iter()
            .map(|x| rescore::opens_with_inference(&x.text))
            .collect();
        let place = ParaPlace::of(para[0].paragraph, last);
        rescore::features(&marg, &thesis, &inference, place, out);
    }
}

/// Fits the temperature (dev NLL) and the thesis threshold and fallback (dev
/// thesis F1) of `model`.
fn calibrate(model: &mut Model, dev: &[DevSet], log: &mut dyn FnMut(&str)) {
    let mut best_t = (f64::INFINITY, 1.0f32);
    for i in 0..=30 {
        let t = 0.5 + 0.1 * i as f32;
        model.decode.temperature = t;
        let nll: f64 = dev.iter().map(|d| d.nll(model)).sum::<f64>() / dev.len() as f64;
        if nll < best_t.0 {
            best_t = (nll, t);
        }
    }
    model.decode.temperature = best_t.1;
    // Thesis: the claim weight, then per-register threshold and fallback by
    // coordinate ascent (each register's rule only affects its own essays).
    let thesis_f1 = |m: &Model| -> f64 {
        dev.iter().map(|s| s.evaluate(m).thesis.f1).sum::<f64>() / dev.len() as f64
    };
    let mut best = (f64::NEG_INFINITY, model.decode);
    for cw in [0.0f32, 0.5, 1.0, 2.0, 3.0, 4.0] {
        model.decode.thesis_claim_weight = cw;
        let f = thesis_f1(model);
        if f > best.0 + 1e-9 {
            best = (f, model.decode);
        }
    }
    model.decode = best.1;
    let regs: &[usize] = if model.decode.registers {
        &[0, 1]
    } else {
        &[0]
    };
    for _round in 0..2 {
        for &reg in regs {
            for i in 0..=12 {
                for fallback in [0.0f32, 0.05, 0.15, 1.1] {
                    let mut d = best.1;
                    d.thesis_threshold[reg] = 0.2 + 0.05 * i as f32;
                    d.thesis_fallback[reg] = fallback;
                    if !model.decode.registers {
                        d.thesis_threshold[1] = d.thesis_threshold[0];
                        d.thesis_fallback[1] = d.thesis_fallback[0];
                    }
                    model.decode = d;
                    let f = thesis_f1(model);
                    if f > best.0 + 1e-9 {
                        best = (f, d);
                    }
                }
            }
        }
    }
    model.decode = best.1;
    // The restatement level per register, from "never" down; only a strictly
    // better dev thesis F1 turns it on.
    for &reg in regs {
        for level in [NO_RESTATE, 0.3, 0.25, 0.2, 0.15, 0.12, 0.1, 0.08, 0.05] {
            let mut d = best.1;
            d.thesis_restate[reg] = level;
            if !model.decode.registers {
                d.thesis_restate[1] = level;
            }
            model.decode = d;
            let f = thesis_f1(model);
            if f > best.0 + 1e-9 {
                best = (f, d);
            }
        }
    }
    model.decode = best.1;
    // How strongly a thesis pulls its sentence to "claim", then the
    // body-paragraph claim factor per register: by dev macro-F1.
    if let Some((m, b)) = tune_macro(model, dev, [0.0f32, 0.5, 1.0, 2.0, 4.0], |d, b| {
        d.thesis_claim_boost = b;
    }) {
        log(&format!("thesis claim boost {b:.1} (dev macro-F1 {m:.3})"));
    }
    for &reg in regs {
        let shared = !model.decode.registers;
        let tuned = tune_macro(
            model,
            dev,
            [0.0f32, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0],
            |d, b| {
                d.claim_bonus[reg] = b;
                if shared {
                    d.claim_bonus[1] = b;
                }
            },
        );
        if let Some((m, _)) = tuned {
            log(&format!(
                "body-paragraph claim bonus {:?} (dev macro-F1 {m:.3})",
                model.decode.claim_bonus
            ));
        }
    }
    log(&format!(
        "calibrated: temperature {:.2} (dev NLL {:.4}), thesis claim weight {:.1}, threshold {:?}, fallback {:?}, restatement {:?} (dev thesis F1 {:.3})",
        best_t.1, best_t.0, best.1.thesis_claim_weight, best.1.thesis_threshold, best.1.thesis_fallback, best.1.thesis_restate, best.0
    ));
}

/// Applies each of `candidates` to the decode settings with `set` and keeps the
/// one with the best mean dev macro-F1 (the first on ties): returns that score
/// and value (none for no candidates).
fn tune_macro<T: Copy>(
    model: &mut Model,
    dev: &[DevSet],
    candidates: impl IntoIterator<Item = T>,
    set: impl Fn(&mut DecodeConfig, T),
) -> Option<(f64, T)> {
    let mut best: Option<(f64, T, DecodeConfig)> = None;
    for c in candidates {
        set(&mut model.decode, c);
        let m = dev.iter().map(|s| s.evaluate(model).macro_f1).sum::<f64>() / dev.len() as f64;
        if best.as_ref().is_none_or(|b| m > b.0 + 1e-9) {
            best = Some((m, c, model.decode));
        }
    }
    best.map(|(m, c, d)| {
        model.decode = d;
        (m, c)
    })
}

/// Gold of one essay, for callers that build [`Example`]s by hand in tests.
pub fn example_from(feats: Features, gold: &[GoldSentence], paras: Vec<(u32, u32)>) -> Example {
    Example {
        feats,
        labels: gold.iter().map(|g| g.label.index() as u8).collect(),
        thesis: gold.iter().map(|g| g.thesis).collect(),
        paras,
        weight: 1.0,
        register: None,
    }
}

/// One training file of a [`Recipe`] and how it counts.
#[derive(Debug, Clone)]
pub struct TrainFile {
    /// Annotated JSONL (AAE/PERSUADE format).
    pub path: PathBuf,
    /// Weight of each of its examples.
    pub weight: f32,
    /// Its register, if given: 1 for university-level writing (AAE), 0 for
    /// school writing (PERSUADE). Trains register-specific weights, and the
    /// university files train the rescorer.
    pub register: Option<f32>,
}

/// Essays already read, as one training file of a [`Recipe`] counts them.
#[derive(Debug, Clone)]
pub struct TrainSet {
    /// Name for logs and provenance (e.g. "aae/train.jsonl").
    pub name: String,
    /// Weight of each of its examples.
    pub weight: f32,
    /// Its register, as [`TrainFile::register`].
    pub register: Option<f32>,
    /// The essays.
    pub essays: Vec<AnnotatedEssay>,
}

/// How `essaymap train` fits the role model: the data, the settings, and what
/// the model file records of them (its provenance).
#[derive(Debug, Clone)]
pub struct Recipe {
    /// Training files.
    pub train: Vec<TrainFile>,
    /// Dev files: they pick the epoch, the temperature and the thesis settings.
    pub dev: Vec<PathBuf>,
    /// Use at most this many essays of each training file (a sample seeded by
    /// the config's seed).
    pub max_essays: Option<usize>,
    /// Optimiser and feature settings.
    pub config: TrainConfig,
    /// The rescorer learns from the predictions of this many models, each
    /// trained without one fold of the university-register essays (0: no
    /// rescorer).
    pub rescore_folds: usize,
}

impl Recipe {
    /// Reads the files, trains the model and its rescorer, scores them on dev
    /// and records all of it in the model's provenance. `log` receives
    /// progress and dev-score lines.
    ///
    /// # Errors
    /// Fails on an unreadable or malformed file.
    pub fn train(&self, segmenter: &dyn Segmenter, log: &mut dyn FnMut(&str)) -> Result<Model> {
        let mut sets = Vec::new();
        for f in &self.train {
            sets.push(TrainSet {
                name: corpus::file_label(&f.path),
                weight: f.weight,
                register: f.register,
                essays: corpus::read_sampled(
                    &f.path,
                    segmenter,
                    self.max_essays,
                    self.config.seed,
                )?,
            });
        }
        let mut dev = Vec::new();
        for path in &self.dev {
            let essays = corpus::read_file(path, segmenter)?;
            dev.push(DevSet::new(
                corpus::file_label(path),
                &self.config.spec,
                essays,
            ));
        }
        Ok(self.fit(sets, &dev, log))
    }

    /// [`Recipe::train`] on essays already read (the recipe's `train`, `dev`
    /// and `max_essays` are not used; cross-validation passes each fold's
    /// essays here): trains on `sets`, selects and calibrates on `dev`.
    pub fn fit(&self, sets: Vec<TrainSet>, dev: &[DevSet], log: &mut dyn FnMut(&str)) -> Model {
        let t0 = Instant::now();
        let cfg = &self.config;
        let spec = cfg.spec;
        let mut examples = Vec::new();
        let mut data = Vec::new();
        // University-register essays, with the index of their first example: the
        // rescorer's training data.
        let mut university = Vec::new();
        for f in sets {
            let essays = f.essays;
            let w = f.weight;
            let sentences: usize = essays.iter().map(|e| e.gold.len()).sum();
            log(&format!(
                "train {}: {} essays, {} sentences, weight {w}",
                f.name,
                essays.len(),
                sentences
            ));
            data.push(serde_json::json!({"file": f.name, "essays": essays.len(),
                "sentences": sentences, "weight": w, "register": f.register}));
            examples.extend(prepare(&spec, &essays, w, f.register));
            if f.register.is_some_and(|r| r >= 0.5) {
                university.push((examples.len() - essays.len(), essays));
            }
        }
        log(&format!(
            "features ready in {:.1}s",
            t0.elapsed().as_secs_f64()
        ));
        let mut model = train(cfg, &examples, dev, log);
        let held: Vec<_> = university
            .iter()
            .flat_map(|(first, essays)| essays.iter().enumerate().map(move |(j, e)| (first + j, e)))
            .collect();
        let rescorer = fit_rescorer(cfg, &examples, &held, self.rescore_folds, dev, log);
        if let Some((rs, _)) = &rescorer {
            for d in dev {
                let r = d.evaluate(&model);
                log(&format!(
                    "{} first pass only: macro-F1 {:.3}, thesis F1 {:.3}",
                    d.name, r.macro_f1, r.thesis.f1
                ));
            }
            model.rescorer = Some(rs.clone());
        }
        if model.decode.registers {
            // Ablation line: what the shared weights alone would score.
            let mut shared = model.clone();
            shared.decode.registers = false;
            for d in dev {
                let r = d.evaluate(&shared);
                log(&format!(
                    "{} with shared weights only: macro-F1 {:.3}, thesis F1 {:.3}",
                    d.name, r.macro_f1, r.thesis.f1
                ));
            }
        }
        let mut dev_scores = Vec::new();
        for d in dev {
            let r = d.evaluate(&model);
            log(&format!("{}:\n{r}", d.name));
            dev_scores.push(provenance_scores(&d.name, &r));
        }
        model.provenance = serde_json::json!({
            "essaymap": env!("CARGO_PKG_VERSION"),
            "trained_on": data,
            "dev": dev_scores,
            "config": {"epochs": cfg.epochs, "bits": cfg.spec.bits, "lr": cfg.lr, "l2": cfg.l2,
                "seed": cfg.seed, "transitions": cfg.transitions, "average": cfg.average, "listwise_thesis": cfg.listwise_thesis, "ensemble": cfg.ensemble, "max_essays": self.max_essays},
            "rescorer": rescorer.as_ref().map(|(_, n)| serde_json::json!({"folds": self.rescore_folds,
                "sentences": n, "l2": RESCORER_L2, "iterations": RESCORER_ITERATIONS})),
            "decode": {"temperature": model.decode.temperature,
                "thesis_threshold": model.decode.thesis_threshold,
                "thesis_fallback": model.decode.thesis_fallback,
                "thesis_claim_weight": model.decode.thesis_claim_weight,
                "registers": model.decode.registers,
                "thesis_claim_boost": model.decode.thesis_claim_boost},
        })
        .to_string();
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::document::Label;
    use crate::segment::{self, RuleSegmenter};

    /// Essays whose roles follow from their words: a toy set a working
    /// optimiser must fit perfectly.
    fn toy() -> Vec<AnnotatedEssay> {
        let claims = [
            "Uniforms should be required.",
            "Cities must plant trees.",
            "Tests should be shorter.",
        ];
        let evidence = [
            "For example, my school saw fewer fights.",
            "For instance, shade cools the streets.",
            "For example, tired pupils forget answers.",
        ];
        let other = ["Dear reader, hello there.", "Dear friends, welcome."];
        let questions = ["Is that fair?", "Who decides?"];
        let mut out = Vec::new();
        for i in 0..12 {
            let c = claims[i % 3];
            let e = evidence[(i + 1) % 3];
            let o = other[i % 2];
            let q = questions[i % 2];
            let text = format!("{o} {q}\n\n{c} {e}");
            let doc = segment::document(&RuleSegmenter::default(), None, None, text);
            let labels = [Label::Other, Label::Question, Label::Claim, Label::Evidence];
            let gold = labels
                .iter()
                .map(|&l| GoldSentence {
                    label: l,
                    thesis: l == Label::Claim,
                    component: None,
                    stance: None,
                })
                .collect();
            out.push(AnnotatedEssay {
                doc,
                gold,
                links: vec![],
                components: vec![],
            });
        }
        out
    }

    #[test]
    fn optimiser_fits_a_separable_toy_set_deterministically() {
        let spec = FeatureSpec { bits: 12 };
        let essays = toy();
        for transitions in [false, true] {
            let cfg = TrainConfig {
                spec,
                epochs: 15,
                transitions,
                ..TrainConfig::default()
            };
            let ex = prepare(&spec, &essays, 1.0, None);
            let m = train(&cfg, &ex, &[], &mut |_| {});
            let m2 = train(&cfg, &ex, &[], &mut |_| {});
            assert_eq!(m.weights, m2.weights, "same seed, same model");
            let dev = DevSet::new("toy".into(), &spec, essays.clone());
            let r = dev.evaluate(&m);
            assert!((r.accuracy - 1.0).abs() < 1e-9, "{r}");
            assert!((r.thesis.f1 - 1.0).abs() < 1e-9, "{r}");
            // Probabilities are a distribution.
            let mut doc = essays[0].doc.clone();
            let mut f = Features::default();
            extract(&spec, &doc, &mut f, &mut Default::default());
            m.classify(&mut doc, &f);
            for s in &doc.sentences {
                let p = s.scores.unwrap().to_array();
                assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
                assert_eq!(s.confidence, Some(p[s.label.unwrap().index()]));
            }
        }
    }

    #[test]
    fn an_ensemble_is_the_average_of_its_seeds() {
        let spec = FeatureSpec { bits: 10 };
        let ex = prepare(&spec, &toy(), 1.0, None);
        let cfg = TrainConfig {
            spec,
            epochs: 3,
            ..TrainConfig::default()
        };
        let one = |seed| {
            let c = TrainConfig { seed, ..cfg };
            train(&c, &ex, &[], &mut |_| {})
        };
        let (a, b) = (one(cfg.seed), one(cfg.seed + 1));
        assert_ne!(a.weights, b.weights, "seeds shuffle differently");
        let both = TrainConfig { ensemble: 2, ..cfg };
        let m = train(&both, &ex, &[], &mut |_| {});
        for ((x, y), z) in a.weights.iter().zip(b.weights.iter()).zip(m.weights.iter()) {
            assert!(((x + y) / 2.0 - z).abs() < 1e-6);
        }
        assert!(((a.bias[0] + b.bias[0]) / 2.0 - m.bias[0]).abs() < 1e-6);
        assert!(((a.trans[1][2] + b.trans[1][2]) / 2.0 - m.trans[1][2]).abs() < 1e-6);
    }

    #[test]
    fn the_rescorer_learns_from_out_of_fold_predictions() {
        let spec = FeatureSpec { bits: 12 };
        let essays = toy();
        let ex = prepare(&spec, &essays, 1.0, None);
        let cfg = TrainConfig {
            spec,
            epochs: 15,
            ..TrainConfig::default()
        };
        let held: Vec<_> = essays.iter().enumerate().collect();
        let fit = || fit_rescorer(&cfg, &ex, &held, 3, &[], &mut |_| {});
        let (rs, n) = fit().expect("held essays give a rescorer");
        assert_eq!(n, 48, "every held-out sentence is a row");
        assert_eq!(fit().map(|f| f.0), Some(rs.clone()), "deterministic");
        assert!(fit_rescorer(&cfg, &ex, &[], 3, &[], &mut |_| {}).is_none());
        // With the rescorer on top, the toy set is still fitted perfectly.
        let mut m = train(&cfg, &ex, &[], &mut |_| {});
        m.rescorer = Some(rs);
        let r = DevSet::new("toy".into(), &spec, essays).evaluate(&m);
        assert!((r.accuracy - 1.0).abs() < 1e-9, "{r}");
    }
}
