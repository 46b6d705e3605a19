//! Trains a [`LinkModel`] from annotated essays.
//!
//! - The **pair** model is a conditional log-linear (softmax) model: for each
//!   gold evidence sentence, the options are the claim/evidence sentences of its
//!   paragraph plus "no target", and the loss is the negative log-probability of
//!   the gold option. A softmax over candidates learns *which* target wins, which
//!   a per-pair binary classifier (the Python baseline) does not.
//! - The **relation** model is logistic regression over gold links (attack = 1),
//!   with attacks up-weighted because they are rare (6% of AAE links).
//! - The **stance** model is logistic regression over gold claims (against = 1):
//!   AAE claim stance plus PERSUADE, where Counterclaim is against the Position
//!   and Claim/Rebuttal are for it; AAE examples count ten times, as in the
//!   role model.
//!
//! All three use AdaGrad with a small L2 penalty on the touched weights and a
//! fixed-seed shuffle, so training is deterministic. The thresholds are then
//! tuned on dev: attack F1 over gold links and against-F1 over dev claims (gold
//! roles), the counter-argument thresholds and the weight of "no target" with
//! the role classifier's roles, which is what the linker runs on.

use super::corpus::{self, gold_document, AnnotatedEssay, ComponentType, GoldRelation, Stance};
use super::links_eval;
use super::rng::Lcg;
use crate::document::{Document, Label};
use crate::error::Result;
use crate::link::features::{self, DocView, Feats, Role};
use crate::link::model::dot;
use crate::link::{main_thesis, stated_thesis, LearnedLinker, LinkModel, ModelInfo};
use crate::segment::Segmenter;
use crate::util::math::{sigmoid, softmax};
use std::path::PathBuf;

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Hash buckets of the pair model.
    pub pair_dim: u32,
    /// Hash buckets of the relation model.
    pub relation_dim: u32,
    /// Hash buckets of the stance model.
    pub stance_dim: u32,
    /// Passes over the link data.
    pub link_epochs: usize,
    /// Passes over the stance data.
    pub stance_epochs: usize,
    /// AdaGrad learning rate.
    pub learning_rate: f32,
    /// L2 penalty on touched weights.
    pub l2: f32,
    /// Weight of an attack example relative to a support example.
    pub attack_weight: f32,
    /// Weight of an against-claim example relative to a for-claim example.
    pub against_weight: f32,
    /// Visits per epoch of a stance example from an essay with gold relations
    /// (AAE: about 1,000 claims, 150 of them against, beside PERSUADE's 280,000
    /// statements; 10, as the role model weighs AAE, so that university writing
    /// is not drowned out).
    pub linked_stance_repeats: usize,
    /// Shuffle seed.
    pub seed: u64,
    /// Also train the pair model on gold-role documents (besides predicted ones).
    pub pair_on_gold_roles: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            pair_dim: 1 << 14,
            relation_dim: 1 << 14,
            stance_dim: 1 << 18,
            link_epochs: 12,
            stance_epochs: 6,
            learning_rate: 0.1,
            l2: 1e-5,
            attack_weight: 3.0,
            against_weight: 2.0,
            linked_stance_repeats: 10,
            seed: 7,
            pair_on_gold_roles: true,
        }
    }
}

struct AdaGrad<'w> {
    w: &'w mut [f32],
    g2: Vec<f32>,
    lr: f32,
    l2: f32,
}

impl<'w> AdaGrad<'w> {
    fn new(w: &'w mut [f32], lr: f32, l2: f32) -> Self {
        let n = w.len();
        AdaGrad {
            w,
            g2: vec![1e-6; n],
            lr,
            l2,
        }
    }

    /// One step for a score whose loss gradient is `g` (d loss / d score).
    fn step(&mut self, f: &Feats, g: f32) {
        for &(i, v) in f {
            let i = i as usize;
            let (Some(w), Some(g2)) = (self.w.get_mut(i), self.g2.get_mut(i)) else {
                continue;
            };
            let grad = g * v + self.l2 * *w;
            *g2 += grad * grad;
            *w -= self.lr * grad / g2.sqrt();
        }
    }
}

/// One source's options: feature vectors of each candidate then "no target",
/// and the index of the gold option.
struct PairExample {
    options: Vec<Feats>,
    gold: usize,
}

fn pair_examples(
    essays: &[AnnotatedEssay],
    predicted: &[Document],
    with_gold: bool,
    dim: u32,
) -> Vec<PairExample> {
    let mut out = Vec::new();
    let gold_docs: Vec<Document> = if with_gold || predicted.is_empty() {
        essays.iter().map(gold_document).collect()
    } else {
        Vec::new()
    };
    // Gold-role documents, then (if given) the same essays with predicted roles,
    // so the model also learns what to do when the roles are wrong: a source
    // whose gold target is not among its candidates (or that is not a premise
    // at all) is taught to choose "no target". Noisy copies of the gold
    // documents add classifier-like mistakes: predictions on the classifier's
    // own training essays are too clean to teach this.
    let mut rng = Lcg(11);
    let noisy: Vec<Document> = if with_gold {
        (0..NOISY_COPIES)
            .flat_map(|_| gold_docs.iter().cloned())
            .map(|d| add_role_noise(d, &mut rng))
            .collect()
    } else {
        Vec::new()
    };
    let noisy_essays: Vec<&AnnotatedEssay> =
        (0..NOISY_COPIES).flat_map(|_| essays.iter()).collect();
    for (e, d) in noisy_essays.iter().zip(&noisy) {
        push_examples(&mut out, e, d, true, dim);
    }
    let sets: [(&[Document], bool); 2] = [(&gold_docs, false), (predicted, true)];
    for (docs, is_predicted) in sets {
        for (e, d) in essays.iter().zip(docs) {
            push_examples(&mut out, e, d, is_predicted, dim);
        }
    }
    out
}

/// Noisy copies of the gold documents added to the pair model's data.
const NOISY_COPIES: usize = 2;

/// `d` with roles perturbed the way the role classifier errs on AAE dev (a third
/// of claims read as evidence, some evidence as claims) and soft scores, so the
/// pair model learns to lean on P(claim) and position rather than hard roles.
fn add_role_noise(mut d: Document, rng: &mut Lcg) -> Document {
    use crate::document::{Label, Scores};
    for s in &mut d.sentences {
        let u = (rng.next() % 1000) as f32 / 1000.0;
        let (label, scores) = match s.label {
            Some(Label::Claim) if s.thesis != Some(true) && u < 0.35 => {
                (Label::Evidence, [0.35, 0.6, 0.0, 0.05])
            }
            Some(Label::Claim) => (Label::Claim, [0.7, 0.25, 0.0, 0.05]),
            Some(Label::Evidence) if u < 0.1 => (Label::Claim, [0.55, 0.4, 0.0, 0.05]),
            Some(Label::Evidence) => (Label::Evidence, [0.15, 0.8, 0.0, 0.05]),
            Some(l) => {
                let mut p = [0.05, 0.05, 0.0, 0.0];
                p[l.index()] = 0.9;
                (l, p)
            }
            None => continue,
        };
        s.label = Some(label);
        s.scores = Some(Scores::from_array(scores));
    }
    d
}

/// Adds the pair examples of document `d` (essay `e` with some roles) to `out`.
fn push_examples(
    out: &mut Vec<PairExample>,
    e: &AnnotatedEssay,
    d: &Document,
    is_predicted: bool,
    dim: u32,
) {
    let v = DocView::new(d);
    for s in 0..d.sentences.len() {
        if v.roles[s] != Role::Evidence {
            continue;
        }
        let cands: Vec<usize> = v.candidates(s).collect();
        let gold = match e.links.iter().find(|l| l.source == s) {
            Some(l) => match cands.iter().position(|&t| t == l.target) {
                Some(k) => k,
                None if is_predicted => cands.len(),
                None => continue,
            },
            None => cands.len(),
        };
        let mut options: Vec<Feats> = cands
            .iter()
            .map(|&t| features::pair(&v, s, t, dim))
            .collect();
        options.push(features::null(&v, s, dim));
        out.push(PairExample { options, gold });
    }
}

/// A training example of a binary model: features, label, and how many times
/// an epoch visits it.
type Example = (Feats, bool, usize);

/// Examples of gold evidence links: label 1 for attacks.
fn relation_examples(essays: &[AnnotatedEssay], dim: u32) -> Vec<Example> {
    let mut out = Vec::new();
    for e in essays {
        let d = gold_document(e);
        let v = DocView::new(&d);
        for l in &e.links {
            if v.roles.get(l.source) == Some(&Role::Evidence)
                && v.roles.get(l.target).is_some_and(|r| r.is_target())
            {
                out.push((
                    features::relation(&v, l.source, l.target, dim),
                    l.relation == GoldRelation::Attacks,
                    1,
                ));
            }
        }
    }
    out
}

/// Examples (against?) of gold non-thesis claims with a known stance, and,
/// in essays annotated with discourse elements rather than relations
/// (PERSUADE), of every other non-thesis statement as "not against": the
/// model also screens sentences the role classifier did not call claims.
/// Examples from essays with relations (AAE) are visited `linked_repeats` times
/// an epoch.
fn stance_examples(essays: &[AnnotatedEssay], dim: u32, linked_repeats: usize) -> Vec<Example> {
    let mut out = Vec::new();
    for e in essays {
        let d = gold_document(e);
        let v = DocView::new(&d);
        let thesis = main_thesis(&d);
        let repeats = if e.links.is_empty() {
            1
        } else {
            linked_repeats
        };
        for (c, g) in e.gold.iter().enumerate() {
            let against = match (v.roles[c], g.stance) {
                (Role::Claim, Some(stance)) => stance == Stance::Against,
                (Role::Evidence, _) if e.links.is_empty() => false,
                (Role::None, _) if e.links.is_empty() && g.label == Label::Other => false,
                _ => continue,
            };
            out.push((features::stance(&v, c, thesis, dim), against, repeats));
        }
    }
    out
}

/// Tunes the two stance thresholds on `dev` essays annotated with discourse
/// elements (their Counterclaims), labelled by the role classifier
/// (`predicted`, parallel): a claim attacks the thesis at `against_threshold`,
/// another statement at `counter_threshold`. The criterion is the sum of two
/// things a teacher sees: sentence-level counter-argument F1 (which sentences
/// the map marks) and the accuracy of "counter-argument considered" per essay
/// (the feedback). F1 alone picks a low claim threshold that flags a
/// counter-argument in many essays without one.
fn tune_counter(m: &mut LinkModel, dev: &[AnnotatedEssay], predicted: &[Document]) {
    // (essay, labelled claim?, P(against), gold Counterclaim?)
    let mut scored: Vec<(usize, bool, f32, bool)> = Vec::new();
    let mut gold_total = 0usize;
    // Per essay: whether gold has a Counterclaim.
    let mut gold_essay: Vec<bool> = Vec::new();
    for (e, d) in dev.iter().zip(predicted) {
        if !e.links.is_empty() {
            continue;
        }
        let essay = gold_essay.len();
        let counters = e
            .gold
            .iter()
            .filter(|g| g.component == Some(ComponentType::Counterclaim))
            .count();
        gold_total += counters;
        gold_essay.push(counters > 0);
        // As at inference: only essays that state a thesis are screened.
        let Some(t) = stated_thesis(d) else {
            continue;
        };
        let v = DocView::new(d);
        for (c, s) in d.sentences.iter().enumerate() {
            // Thesis sentences (Role::Thesis) are not screened.
            let claim = match v.roles[c] {
                Role::Claim => true,
                Role::Evidence => false,
                Role::None if s.label == Some(Label::Other) => false,
                _ => continue,
            };
            let gold = e.gold.get(c).and_then(|g| g.component) == Some(ComponentType::Counterclaim);
            scored.push((essay, claim, m.against_prob(&v, c, Some(t)), gold));
        }
    }
    if gold_total == 0 {
        return;
    }
    (m.info.against_threshold, m.info.counter_threshold) =
        best_counter_thresholds(&scored, &gold_essay, gold_total);
}

/// The (claim, other) thresholds that maximise counter-argument F1 plus
/// essay-level accuracy over `scored` (essay, labelled claim?, P(against),
/// gold Counterclaim?), given which essays have one and how many gold
/// Counterclaim sentences there are in all.
fn best_counter_thresholds(
    scored: &[(usize, bool, f32, bool)],
    gold_essay: &[bool],
    gold_total: usize,
) -> (f32, f32) {
    let mut best = (-1.0f64, 0.5, 1.0);
    let mut flagged = vec![false; gold_essay.len()];
    for a in 5..100 {
        for c in (a..=100).step_by(2) {
            let (a, c) = (a as f32 / 100.0, c as f32 / 100.0);
            let (mut tp, mut fp) = (0usize, 0usize);
            flagged.fill(false);
            for &(essay, claim, p, gold) in scored {
                if p >= if claim { a } else { c } {
                    flagged[essay] = true;
                    if gold {
                        tp += 1;
                    } else {
                        fp += 1;
                    }
                }
            }
            let f1 = 2.0 * tp as f64 / (tp + fp + gold_total) as f64;
            let agree = flagged.iter().zip(gold_essay).filter(|(p, g)| p == g);
            let accuracy = agree.count() as f64 / gold_essay.len().max(1) as f64;
            if f1 + accuracy > best.0 {
                best = (f1 + accuracy, a, c);
            }
        }
    }
    (best.1, best.2)
}

fn train_binary(
    w: &mut [f32],
    data: &[Example],
    pos_weight: f32,
    epochs: usize,
    cfg: &TrainConfig,
    rng: &mut Lcg,
) {
    let mut opt = AdaGrad::new(w, cfg.learning_rate, cfg.l2);
    let mut order: Vec<usize> = (0..data.len())
        .flat_map(|i| std::iter::repeat_n(i, data[i].2))
        .collect();
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let (f, y, _) = &data[i];
            let p = sigmoid(dot(opt.w, f));
            let (target, weight) = if *y { (1.0, pos_weight) } else { (0.0, 1.0) };
            opt.step(f, weight * (p - target));
        }
    }
}

/// The threshold in (0, 1) maximising F1 of the positive class or, with
/// `macro_f1`, accuracy with positive F1 as a small bonus (for attacks, where
/// positive-class F1 alone would trade many correct supports for a few attacks).
fn best_threshold(scored: &[(f32, bool)], macro_f1: bool) -> f32 {
    let f1 = |tp: f32, fp: f32, fn_: f32| {
        if tp == 0.0 {
            0.0
        } else {
            2.0 * tp / (2.0 * tp + fp + fn_)
        }
    };
    let mut best = (0.5, -1.0);
    for k in 1..100 {
        let th = k as f32 / 100.0;
        let count = |pred: bool, gold: bool| {
            scored
                .iter()
                .filter(|(p, y)| (*p >= th) == pred && *y == gold)
                .count() as f32
        };
        let (tp, fp, fn_, tn) = (
            count(true, true),
            count(true, false),
            count(false, true),
            count(false, false),
        );
        let mut score = f1(tp, fp, fn_);
        if macro_f1 {
            // Accuracy first (every wrong relation costs a link in relation
            // F1), attack F1 as the tie-breaker among near-equal accuracies.
            score = (tp + tn) / (tp + tn + fp + fn_).max(1.0) + 0.02 * score;
        }
        if score > best.1 {
            best = (th, score);
        }
    }
    best.0
}

/// What to train on.
#[derive(Debug, Clone, Copy)]
pub struct TrainData<'a> {
    /// Essays with gold relations (AAE train): pair and relation models.
    pub link_train: &'a [AnnotatedEssay],
    /// The same essays with roles from the role classifier (parallel to
    /// `link_train`), or empty to train on gold roles only.
    pub link_train_predicted: &'a [Document],
    /// Essays with gold claim stance (AAE and PERSUADE train): stance model.
    pub stance_train: &'a [AnnotatedEssay],
    /// Dev essays with gold relations, for the attack threshold.
    pub link_dev: &'a [AnnotatedEssay],
    /// The same essays with roles from the role classifier (parallel to
    /// `link_dev`), or empty: the "no target" weight.
    pub link_dev_predicted: &'a [Document],
    /// Dev essays with gold stance, for the against threshold.
    pub stance_dev: &'a [AnnotatedEssay],
    /// The same essays with roles from the role classifier (parallel to
    /// `stance_dev`), or empty: the counter-argument thresholds.
    pub stance_dev_predicted: &'a [Document],
}

/// Trains all three models and tunes the thresholds.
pub fn train(data: TrainData<'_>, cfg: &TrainConfig, provenance: &str) -> LinkModel {
    let mut m = LinkModel::zeros(cfg.pair_dim, cfg.relation_dim, cfg.stance_dim);
    m.info.provenance = provenance.to_string();
    let mut rng = Lcg(cfg.seed);

    let pairs = pair_examples(
        data.link_train,
        data.link_train_predicted,
        cfg.pair_on_gold_roles,
        cfg.pair_dim,
    );
    {
        let mut opt = AdaGrad::new(&mut m.pair, cfg.learning_rate, cfg.l2);
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        for _ in 0..cfg.link_epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let ex = &pairs[i];
                let mut p: Vec<f32> = ex.options.iter().map(|f| dot(opt.w, f)).collect();
                softmax(&mut p);
                for (k, f) in ex.options.iter().enumerate() {
                    let y = if k == ex.gold { 1.0 } else { 0.0 };
                    opt.step(f, p[k] - y);
                }
            }
        }
    }

    let rel = relation_examples(data.link_train, cfg.relation_dim);
    train_binary(
        &mut m.relation,
        &rel,
        cfg.attack_weight,
        cfg.link_epochs,
        cfg,
        &mut rng,
    );
    let st = stance_examples(data.stance_train, cfg.stance_dim, cfg.linked_stance_repeats);
    train_binary(
        &mut m.stance,
        &st,
        cfg.against_weight,
        cfg.stance_epochs,
        cfg,
        &mut rng,
    );

    let score = |w: &[f32], ex: Vec<Example>| -> Vec<(f32, bool)> {
        ex.into_iter()
            .map(|(f, y, _)| (sigmoid(dot(w, &f)), y))
            .collect()
    };
    let rel_dev = score(
        &m.relation,
        relation_examples(data.link_dev, cfg.relation_dim),
    );
    if rel_dev.iter().any(|x| x.1) {
        m.info.attack_threshold = best_threshold(&rel_dev, true);
    }
    let st_dev = score(
        &m.stance,
        stance_examples(data.stance_dev, cfg.stance_dim, 1),
    );
    if st_dev.iter().any(|x| x.1) {
        m.info.against_threshold = best_threshold(&st_dev, false);
    }
    tune_counter(&mut m, data.stance_dev, data.stance_dev_predicted);
    tune_decoding(&mut m, data.link_dev, data.link_dev_predicted);
    m
}

/// Sets the factors on "no target" ([`ModelInfo::no_target_weight`])
/// and then on claim targets ([`ModelInfo::claim_target_weight`]) that
/// give the best relation F1 on `dev` essays labelled by the role classifier
/// (`predicted`, parallel); the first of each grid (no rescaling) wins ties,
/// and without predictions nothing changes.
fn tune_decoding(m: &mut LinkModel, dev: &[AnnotatedEssay], predicted: &[Document]) {
    if predicted.is_empty() || dev.iter().all(|e| e.links.is_empty()) {
        return;
    }
    let f1 = |m: &LinkModel| {
        links_eval::evaluate(&LearnedLinker::new(m), dev, predicted)
            .relation
            .f1()
    };
    // Sets the factor `field` picks to the grid value with the best F1.
    let search = |m: &mut LinkModel, grid: &[f32], field: fn(&mut ModelInfo) -> &mut f32| {
        let mut best = (f64::NEG_INFINITY, 1.0);
        for &w in grid {
            *field(&mut m.info) = w;
            let f = f1(m);
            if f > best.0 + 1e-9 {
                best = (f, w);
            }
        }
        *field(&mut m.info) = best.1;
    };
    let no_target: fn(&mut ModelInfo) -> &mut f32 = |i| &mut i.no_target_weight;
    let claim_target: fn(&mut ModelInfo) -> &mut f32 = |i| &mut i.claim_target_weight;
    search(m, &[1.0, 0.5, 0.3, 0.2, 0.1, 0.05, 0.0], no_target);
    search(m, &[1.0, 1.5, 2.0, 3.0, 5.0], claim_target);
}

/// Counts of the training data, for reports.
pub fn describe(data: TrainData<'_>, cfg: &TrainConfig) -> String {
    let sources = pair_examples(
        data.link_train,
        data.link_train_predicted,
        cfg.pair_on_gold_roles,
        1,
    )
    .len();
    let rel = relation_examples(data.link_train, 1);
    let st = stance_examples(data.stance_train, 1, 1);
    let counter = data
        .stance_train
        .iter()
        .flat_map(|e| &e.gold)
        .filter(|g| g.component == Some(ComponentType::Counterclaim))
        .count();
    format!(
        "{sources} link sources; {} links ({} attacks); {} claims ({} against, {counter} \
         Counterclaim sentences); dims {}/{}/{}",
        rel.len(),
        rel.iter().filter(|x| x.1).count(),
        st.len(),
        st.iter().filter(|x| x.1).count(),
        cfg.pair_dim,
        cfg.relation_dim,
        cfg.stance_dim
    )
}

/// Trains from annotated JSONL files: essays that carry relations (AAE) train
/// the pair and relation models, all essays train the stance model; `dev`
/// files tune the thresholds the same way. `log` receives progress lines.
///
/// # Errors
/// Fails on an unreadable or malformed file.
pub fn train_files(
    train_paths: &[PathBuf],
    dev_paths: &[PathBuf],
    segmenter: &dyn Segmenter,
    annotate: Option<&dyn Fn(&mut Document)>,
    cfg: &TrainConfig,
    log: &mut dyn FnMut(&str),
) -> Result<LinkModel> {
    let read = |paths: &[PathBuf]| -> Result<(Vec<AnnotatedEssay>, Vec<AnnotatedEssay>)> {
        let mut linked = Vec::new();
        let mut all = Vec::new();
        for p in paths {
            let essays = corpus::read_file(p, segmenter)?;
            for e in essays {
                if !e.links.is_empty() {
                    linked.push(e.clone());
                }
                all.push(e);
            }
        }
        Ok((linked, all))
    };
    let (link_train, stance_train) = read(train_paths)?;
    let (link_dev, stance_dev) = read(dev_paths)?;
    let predict = |essays: &[AnnotatedEssay]| -> Vec<Document> {
        match annotate {
            Some(f) => essays
                .iter()
                .map(|e| {
                    let mut d = e.doc.clone();
                    f(&mut d);
                    d
                })
                .collect(),
            None => Vec::new(),
        }
    };
    let predicted = predict(&link_train);
    let dev_predicted = predict(&stance_dev);
    let link_dev_predicted = predict(&link_dev);
    let data = TrainData {
        link_train: &link_train,
        link_train_predicted: &predicted,
        stance_train: &stance_train,
        link_dev: &link_dev,
        link_dev_predicted: &link_dev_predicted,
        stance_dev: &stance_dev,
        stance_dev_predicted: &dev_predicted,
    };
    log(&format!("link training data: {}", describe(data, cfg)));
    let names = |paths: &[PathBuf]| {
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let provenance = format!(
        "essaymap {}; trained on {} ({}); thresholds tuned on {}",
        env!("CARGO_PKG_VERSION"),
        names(train_paths),
        if annotate.is_some() {
            "gold roles and the role classifier's predictions"
        } else {
            "gold roles"
        },
        if dev_paths.is_empty() {
            "nothing (defaults)".to_string()
        } else {
            names(dev_paths)
        }
    );
    let m = train(data, cfg, &provenance);
    log(&format!(
        "thresholds: attack {:.2}, against {:.2}, counter-argument {:.2}; \
         no-target weight {:.2}, claim-target weight {:.2}",
        m.info.attack_threshold,
        m.info.against_threshold,
        m.info.counter_threshold,
        m.info.no_target_weight,
        m.info.claim_target_weight
    ));
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_threshold_separates_scores() {
        let s = [
            (0.9, true),
            (0.8, true),
            (0.3, false),
            (0.6, false),
            (0.1, false),
        ];
        let th = best_threshold(&s, false);
        assert!(th > 0.6 && th <= 0.8, "{th}");
    }

    #[test]
    fn counter_thresholds_weigh_essays_not_only_sentences() {
        // Essay 0 has three counter-arguments, one clear; essays 1 and 2 have
        // none but a claim as doubtful as essay 0's other two. Sentence F1
        // alone would take all five (F1 0.75 against 0.5); counting the essays
        // it would get wrong, only the clear one is taken.
        let scored = [
            (0, true, 0.9, true),
            (0, true, 0.15, true),
            (0, true, 0.15, true),
            (1, true, 0.15, false),
            (2, true, 0.15, false),
        ];
        let (claim, other) = best_counter_thresholds(&scored, &[true, false, false], 3);
        assert!(claim > 0.15 && claim <= 0.9, "{claim}");
        assert!(other >= claim);
    }

    #[test]
    fn adagrad_moves_towards_the_label() {
        let mut w = vec![0.0; 4];
        let data = vec![(vec![(1, 1.0)], true, 1), (vec![(2, 1.0)], false, 1)];
        let cfg = TrainConfig::default();
        train_binary(&mut w, &data, 1.0, 20, &cfg, &mut Lcg(1));
        assert!(w[1] > 0.5 && w[2] < -0.5, "{w:?}");
    }
}
