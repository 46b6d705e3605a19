//! K-fold cross-validation of the whole recipe: per fold, the role model and
//! the link model are retrained on the other folds and the held-out fold is
//! scored with the figures the docs quote (role macro-F1 and thesis F1,
//! relation F1, the grading-validity figures of `validate-grading`, and the
//! short-text figures of [`super::short`]).
//!
//! - **Corpora.** The gold files are grouped by folder (`aae/train.jsonl` and
//!   `aae/dev.jsonl` are one corpus, "aae"); each corpus is split into K folds
//!   of its own, so every fold holds a K-th of every corpus.
//! - **Folds by text.** Essays are assigned by text, not by record: a text
//!   annotated twice (AAE dev holds such copies) stays in one fold. The order
//!   is a seeded shuffle of the distinct texts, dealt round-robin.
//! - **Inner dev.** The shipped recipe picks its epoch, temperature, thesis
//!   and link thresholds on dev files. Inside a fold those choices must not see
//!   the held-out essays, so a seeded ninth of each corpus's training side (at
//!   most [`Config::dev_max`] essays, about the size of the real dev splits)
//!   is set aside as that fold's dev and not trained on.
//! - **Short texts** are cut from the held-out essays only, so a paragraph is
//!   always on its essay's side.

use super::corpus::{self, AnnotatedEssay};
use super::links::{self, TrainData};
use super::links_eval;
use super::roles::{DevSet, Recipe, TrainSet};
use super::score::Scorer;
use super::short::{self, ShortReport, ShortScores};
use super::validity;
use crate::analyzer::Analyzer;
use crate::argument::Link as Edge;
use crate::classify::ShortModel;
use crate::document::Document;
use crate::error::{Error, Result};
use crate::grade::metrics::Metrics;
use crate::link::{LearnedLinker, LinkModel, Linker};
use crate::pipeline::Pipeline;
use crate::segment::Segmenter;
use crate::ArgumentMap;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// One gold file and how its essays count in training.
#[derive(Debug, Clone)]
pub struct GoldFile {
    /// Annotated JSONL (AAE/PERSUADE format).
    pub path: PathBuf,
    /// Example weight of its essays in the role model.
    pub weight: f32,
    /// Register: 1 university writing, 0 school writing (see `train --register`).
    pub register: Option<f32>,
}

/// What to cross-validate and how.
#[derive(Debug, Clone)]
pub struct Config {
    /// Number of folds (at least 2).
    pub folds: usize,
    /// Seed of the fold assignment and of the samples.
    pub seed: u64,
    /// Use a seeded sample of at most this many essays of each corpus.
    pub max_essays: Option<usize>,
    /// The role recipe (its `config` and `rescore_folds`; files are ignored).
    pub recipe: Recipe,
    /// The link trainer's settings.
    pub links: links::TrainConfig,
    /// Most essays of a corpus in a fold's inner dev set.
    pub dev_max: usize,
    /// The linker's level for claims of claimless body paragraphs
    /// ([`LearnedLinker::with_paragraph_claim_min`]; the shipped
    /// [`crate::link::PARAGRAPH_CLAIM_MIN`] by default), to choose it by
    /// cross-validation.
    pub paragraph_claim_min: f32,
    /// The short-text thesis decision reads the role model's output.
    pub short_thesis_roles: bool,
    /// Where to write each fold's held-out analyses next to their gold maps
    /// (see [`dump`]), to study where the grading figures break.
    pub dump_dir: Option<PathBuf>,
}

/// A corpus: the essays of the gold files in one folder.
#[derive(Debug)]
pub struct Corpus {
    /// Folder name ("aae").
    pub name: String,
    /// Its essays, each with the index of its gold file.
    pub essays: Vec<(usize, AnnotatedEssay)>,
}

/// Reads `files` and groups them into corpora by folder, in first-seen
/// order; with `max`, keeps a seeded sample of each corpus.
///
/// # Errors
/// An unreadable or malformed file.
pub fn read(
    files: &[GoldFile],
    segmenter: &dyn Segmenter,
    max: Option<usize>,
    seed: u64,
) -> Result<Vec<Corpus>> {
    let mut corpora: Vec<Corpus> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let label = corpus::file_label(&f.path);
        let name = label
            .rsplit_once('/')
            .map_or(label.as_str(), |(d, _)| d)
            .to_string();
        let essays = corpus::read_file(&f.path, segmenter)?;
        let slot = match corpora.iter().position(|c| c.name == name) {
            Some(k) => k,
            None => {
                corpora.push(Corpus {
                    name,
                    essays: Vec::new(),
                });
                corpora.len() - 1
            }
        };
        corpora[slot]
            .essays
            .extend(essays.into_iter().map(|e| (i, e)));
    }
    if let Some(max) = max {
        for c in &mut corpora {
            let order = shuffled(c.essays.len(), seed);
            let mut keep = vec![false; c.essays.len()];
            for &i in order.iter().take(max) {
                keep[i] = true;
            }
            let mut k = keep.into_iter();
            c.essays.retain(|_| k.next().unwrap_or(false));
        }
    }
    Ok(corpora)
}

fn invalid(message: String) -> Error {
    Error::BadRecord {
        what: "cross-validation".into(),
        message,
    }
}

/// SplitMix64: a seeded key per index.
fn mix(seed: u64, i: u64) -> u64 {
    let mut z = seed ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `0..n` in a seeded random order.
fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut keyed: Vec<(u64, usize)> = (0..n).map(|i| (mix(seed, i as u64), i)).collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Ranks of the distinct texts of `texts` in a seeded order: equal texts get
/// the same rank, ranks are `0..distinct`.
fn text_ranks(texts: &[&str], seed: u64) -> Vec<usize> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    let group: Vec<usize> = texts
        .iter()
        .map(|t| {
            let n = first.len();
            *first.entry(t).or_insert(n)
        })
        .collect();
    let mut rank = vec![0; first.len()];
    for (r, g) in shuffled(first.len(), seed).into_iter().enumerate() {
        rank[g] = r;
    }
    group.into_iter().map(|g| rank[g]).collect()
}

/// The fold of each essay text: a seeded shuffle of the distinct texts dealt
/// round-robin into `k` folds, so equal texts share a fold and fold sizes
/// differ by at most one distinct text.
pub fn assign_folds(texts: &[&str], k: usize, seed: u64) -> Vec<usize> {
    text_ranks(texts, seed)
        .into_iter()
        .map(|r| r % k.max(1))
        .collect()
}

/// Which of `texts` (one fold's training side of a corpus) form its inner
/// dev set: a seeded ninth of the distinct texts, at most `max`.
fn inner_dev(texts: &[&str], max: usize, seed: u64) -> Vec<bool> {
    let ranks = text_ranks(texts, seed);
    let distinct = ranks.iter().max().map_or(0, |m| m + 1);
    let take = distinct.div_ceil(9).min(max);
    ranks.into_iter().map(|r| r < take).collect()
}

/// The held-out figures of one corpus in one fold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldFigures {
    /// Fold number, from 1.
    pub fold: usize,
    /// Held-out essays.
    pub essays: usize,
    /// Essays trained on (the training side without the inner dev set).
    pub trained_on: usize,
    /// Inner dev essays.
    pub inner_dev: usize,
    /// Role macro-F1 (claim, evidence, other).
    pub macro_f1: f64,
    /// Thesis F1.
    pub thesis_f1: f64,
    /// Relation F1 of the link model on predicted roles (corpora with gold
    /// relations only).
    pub relation_f1: Option<f64>,
    /// Essays `validate-grading` compares (duplicate texts counted once).
    pub validity_essays: usize,
    /// Pearson r of claims per essay.
    pub pearson_claims: Option<f64>,
    /// Pearson r of unsupported claims per essay (corpora with gold relations).
    pub pearson_unsupported_claims: Option<f64>,
    /// Accuracy of "counter-argument considered".
    pub accuracy_counter_argument: Option<f64>,
    /// Gold rate of "counter-argument considered" (the base rate).
    pub gold_counter_rate: Option<f64>,
    /// Short texts cut from the held-out essays.
    pub short: ShortReport,
    /// Their counts.
    pub short_counts: ShortScores,
    /// Gold and predicted findings of each held-out essay (`validate-grading`).
    #[serde(skip)]
    pub findings: Vec<validity::EssayAgreement>,
}

impl FoldFigures {
    /// The figures averaged over folds, by name.
    pub fn measures(&self) -> Vec<(&'static str, Option<f64>)> {
        let s = &self.short;
        // No short text in the fold: no figure, rather than a zero.
        let short = |x: f64| (s.texts > 0).then_some(x);
        vec![
            ("role macro-F1", Some(self.macro_f1)),
            ("thesis F1", Some(self.thesis_f1)),
            ("relation F1", self.relation_f1),
            ("pearson r, claims", self.pearson_claims),
            (
                "pearson r, unsupported claims",
                self.pearson_unsupported_claims,
            ),
            (
                "accuracy, counter-argument considered",
                self.accuracy_counter_argument,
            ),
            ("gold counter-argument rate", self.gold_counter_rate),
            ("short texts", Some(s.texts as f64)),
            ("short: thesis F1", short(s.thesis_f1)),
            (
                "short: thesis F1, first-sentence rule",
                short(s.thesis_f1_first_sentence),
            ),
            ("short: counter-argument F1", short(s.counter_f1)),
            (
                "short: counter-argument F1, contrast rule",
                short(s.counter_f1_contrast_rule),
            ),
        ]
    }
}

/// Mean and sample standard deviation of one measure over the folds where it
/// is defined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Measure name.
    pub measure: String,
    /// Mean over folds.
    pub mean: Option<f64>,
    /// Sample standard deviation over folds (n - 1).
    pub sd: Option<f64>,
    /// Per-fold values (null where undefined).
    pub values: Vec<Option<f64>>,
}

/// Mean and sample standard deviation of the defined values.
pub fn mean_sd(values: &[Option<f64>]) -> (Option<f64>, Option<f64>) {
    let v: Vec<f64> = values.iter().flatten().copied().collect();
    if v.is_empty() {
        return (None, None);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = (v.len() > 1)
        .then(|| (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    (Some(mean), sd)
}

/// The cross-validated figures of one corpus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorpusResult {
    /// Corpus (folder) name.
    pub corpus: String,
    /// Its essays (after sampling).
    pub essays: usize,
    /// Per fold.
    pub folds: Vec<FoldFigures>,
    /// Mean and spread per measure.
    pub summary: Vec<Summary>,
    /// `validate-grading` over all held-out essays of all folds together
    /// (one correlation over every essay, steadier than a fold's).
    pub pooled_validity: Option<validity::Validity>,
    /// The short-text scores over all folds together.
    pub pooled_short: Option<ShortReport>,
}

/// The pooled figures of `folds`: the grading validity over every held-out
/// essay at once (without per-essay rows), and the short-text scores from the
/// summed counts.
pub fn pooled(folds: &[FoldFigures]) -> (Option<validity::Validity>, Option<ShortReport>) {
    if folds.is_empty() {
        return (None, None);
    }
    let rows = folds
        .iter()
        .flat_map(|f| f.findings.iter().cloned())
        .collect();
    let mut v = validity::Validity::from_rows(rows);
    if folds.iter().all(|f| f.pearson_unsupported_claims.is_none()) {
        v.pearson_unsupported_claims = None;
        v.pearson_orphan_evidence = None;
    }
    v.per_essay.clear();
    let mut sc = ShortScores::default();
    for f in folds {
        sc.merge(&f.short_counts);
    }
    (Some(v), Some(sc.report()))
}

/// The map edges of a labelled `doc` (relabelled where the linker finds
/// counter-arguments), as `validate-grading` computes them.
fn map_edges(
    linker: &dyn Linker,
    short: Option<&ShortModel>,
    mut doc: Document,
) -> (Document, Vec<Edge>) {
    let mut links = linker.link_labelled(&mut doc);
    if let Some(m) = short {
        m.relink(&mut doc, &mut links);
    }
    let edges = Edge::from_map(&ArgumentMap::build(&doc, &links));
    (doc, edges)
}

fn annotate<'a>(
    pipeline: &Pipeline,
    essays: impl IntoIterator<Item = &'a AnnotatedEssay>,
) -> Result<Vec<Document>> {
    let mut docs: Vec<Document> = essays.into_iter().map(|e| e.doc.clone()).collect();
    pipeline.annotate_many(&mut docs)?;
    Ok(docs)
}

/// One held-out essay as [`dump`] writes it: the predicted and the gold
/// document (labels, thesis flags, role probabilities), map edges and
/// metrics.
#[derive(Serialize)]
struct Dumped<'a> {
    id: &'a str,
    predicted: (&'a Document, &'a [Edge], Metrics),
    gold: (&'a Document, &'a [Edge], Metrics),
}

/// Writes a fold's held-out analyses of one corpus to `path`, one [`Dumped`]
/// JSON line per distinct essay, in the order of `essays`.
fn dump(path: &Path, essays: &[AnnotatedEssay], predicted: &[(Document, Vec<Edge>)]) -> Result<()> {
    let mut lines = String::new();
    for (e, (doc, edges)) in essays.iter().zip(predicted) {
        let (gdoc, gedges) = validity::gold_map(e);
        let row = Dumped {
            id: e.doc.id.as_deref().unwrap_or_default(),
            predicted: (doc, edges, Metrics::compute(doc, edges)),
            gold: (&gdoc, &gedges, Metrics::compute(&gdoc, &gedges)),
        };
        lines.push_str(&serde_json::to_string(&row).map_err(|e| invalid(e.to_string()))?);
        lines.push('\n');
    }
    std::fs::write(path, lines).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Scores the held-out `essays` of one corpus with a fold's models; with
/// `dump_to`, writes their analyses there (see [`dump`]).
fn score_held_out(
    pipeline: &Pipeline,
    link_model: &LinkModel,
    paragraph_claim_min: f32,
    essays: &[&AnnotatedEssay],
    dump_to: Option<&Path>,
) -> Result<(f64, f64, Option<f64>, validity::Validity, ShortScores)> {
    let docs = annotate(pipeline, essays.iter().copied())?;
    let mut scorer = Scorer::default();
    for (d, e) in docs.iter().zip(essays) {
        scorer.add(d, &e.gold);
    }
    let roles = scorer.report();
    let linker = LearnedLinker::new(link_model).with_paragraph_claim_min(paragraph_claim_min);
    let (linked, linked_docs): (Vec<AnnotatedEssay>, Vec<Document>) = essays
        .iter()
        .zip(&docs)
        .filter(|(e, _)| !e.links.is_empty())
        .map(|(e, d)| ((*e).clone(), d.clone()))
        .unzip();
    let relation_f1 = (!linked.is_empty()).then(|| {
        links_eval::evaluate(&linker, &linked, &linked_docs)
            .relation
            .f1()
    });
    // As validate-grading: each distinct text once.
    let mut seen = std::collections::HashSet::new();
    let (unique, unique_docs): (Vec<AnnotatedEssay>, Vec<Document>) = essays
        .iter()
        .zip(&docs)
        .filter(|(e, _)| seen.insert(e.doc.text.as_str()))
        .map(|(e, d)| ((*e).clone(), d.clone()))
        .unzip();
    // Each map once, for the figures and the dump alike.
    let predicted: Vec<(Document, Vec<Edge>)> = {
        use rayon::prelude::*;
        unique_docs
            .into_par_iter()
            .map(|d| map_edges(&linker, pipeline.short(), d))
            .collect()
    };
    let mut v = validity::measure(&unique, &|i, d: &Document| {
        Ok(predicted
            .get(i)
            .cloned()
            .unwrap_or_else(|| map_edges(&linker, pipeline.short(), d.clone())))
    })?;
    if let Some(path) = dump_to {
        dump(path, &unique, &predicted)?;
    }
    if linked.is_empty() {
        v.pearson_unsupported_claims = None;
        v.pearson_orphan_evidence = None;
    }
    let analyzer = Analyzer::new(pipeline.clone())?.with_links(link_model.clone());
    let shorts = short::from_essays(&unique);
    let short = short::score(&analyzer, &shorts)?;
    Ok((roles.macro_f1, roles.thesis.f1, relation_f1, v, short))
}

/// Runs the cross-validation over `files`. `log` receives progress lines.
///
/// # Errors
/// An unreadable or malformed file, fewer than 2 folds, or a corpus with
/// fewer distinct texts than folds.
pub fn run(
    files: &[GoldFile],
    cfg: &Config,
    segmenter: &dyn Segmenter,
    log: &mut dyn FnMut(&str),
) -> Result<Vec<CorpusResult>> {
    let k = cfg.folds;
    if k < 2 {
        return Err(invalid("needs at least 2 folds".into()));
    }
    let corpora = read(files, segmenter, cfg.max_essays, cfg.seed)?;
    let mut fold_of = Vec::new();
    for c in &corpora {
        let texts: Vec<&str> = c.essays.iter().map(|(_, e)| e.doc.text.as_str()).collect();
        let folds = assign_folds(&texts, k, cfg.seed);
        if folds.iter().max().map_or(0, |m| m + 1) < k {
            return Err(invalid(format!(
                "corpus {} has fewer distinct essays than the {k} folds",
                c.name
            )));
        }
        log(&format!("corpus {}: {} essays", c.name, c.essays.len()));
        fold_of.push(folds);
    }
    let mut results: Vec<CorpusResult> = corpora
        .iter()
        .map(|c| CorpusResult {
            corpus: c.name.clone(),
            essays: c.essays.len(),
            folds: Vec::new(),
            summary: Vec::new(),
            pooled_validity: None,
            pooled_short: None,
        })
        .collect();
    for f in 0..k {
        let t0 = Instant::now();
        let fold_seed = cfg.seed ^ mix(cfg.seed, f as u64 + 1);
        // Per file: the essays trained on; per corpus: inner dev and held out.
        let mut per_file: Vec<Vec<AnnotatedEssay>> = vec![Vec::new(); files.len()];
        let mut dev_sets = Vec::new();
        let mut dev_all: Vec<&AnnotatedEssay> = Vec::new();
        let mut held: Vec<Vec<&AnnotatedEssay>> = Vec::new();
        let mut sizes = Vec::new();
        for (ci, c) in corpora.iter().enumerate() {
            let side: Vec<&(usize, AnnotatedEssay)> = c
                .essays
                .iter()
                .zip(&fold_of[ci])
                .filter(|(_, &fo)| fo != f)
                .map(|(x, _)| x)
                .collect();
            let texts: Vec<&str> = side.iter().map(|(_, e)| e.doc.text.as_str()).collect();
            let is_dev = inner_dev(&texts, cfg.dev_max, fold_seed);
            let mut dev = Vec::new();
            let mut trained = 0;
            for ((file, e), d) in side.into_iter().zip(is_dev) {
                if d {
                    dev.push(e.clone());
                    dev_all.push(e);
                } else {
                    per_file[*file].push(e.clone());
                    trained += 1;
                }
            }
            sizes.push((trained, dev.len()));
            dev_sets.push(DevSet::new(
                format!("{} inner dev", c.name),
                &cfg.recipe.config.spec,
                dev,
            ));
            held.push(
                c.essays
                    .iter()
                    .zip(&fold_of[ci])
                    .filter(|(_, &fo)| fo == f)
                    .map(|((_, e), _)| e)
                    .collect(),
            );
        }
        let sets: Vec<TrainSet> = files
            .iter()
            .zip(per_file)
            .filter(|(_, essays)| !essays.is_empty())
            .map(|(g, essays)| TrainSet {
                name: corpus::file_label(&g.path),
                weight: g.weight,
                register: g.register,
                essays,
            })
            .collect();
        let train_all: Vec<AnnotatedEssay> =
            sets.iter().flat_map(|s| s.essays.iter().cloned()).collect();
        log(&format!("fold {}/{k}: training the role model", f + 1));
        let model = cfg.recipe.fit(sets, &dev_sets, &mut |_| {});
        let plain = Pipeline::with_model(Arc::new(model)).with_short(None);
        // The short-text model: on paragraphs of the training side only.
        let mut seen = std::collections::HashSet::new();
        let side: Vec<AnnotatedEssay> = train_all
            .iter()
            .chain(dev_all.iter().copied())
            .filter(|e| seen.insert(e.doc.text.as_str()))
            .cloned()
            .collect();
        let side_shorts: Vec<_> = side.iter().flat_map(short::for_training).collect();
        let short_model = short::train(&plain, &side_shorts, cfg.short_thesis_roles)?;
        let pipeline = plain.with_short(Some(Arc::new(short_model)));
        log(&format!(
            "fold {}/{k}: role model and short-text model ({} texts) in {:.0}s; \
             training the link model",
            f + 1,
            side_shorts.len(),
            t0.elapsed().as_secs_f64()
        ));
        let train_refs: Vec<&AnnotatedEssay> = train_all.iter().collect();
        let link_model = train_links(&pipeline, &train_refs, &dev_all, &cfg.links)?;
        for (ci, c) in corpora.iter().enumerate() {
            let (macro_f1, thesis_f1, relation_f1, v, short) = score_held_out(
                &pipeline,
                &link_model,
                cfg.paragraph_claim_min,
                &held[ci],
                cfg.dump_dir
                    .as_ref()
                    .map(|d| d.join(format!("fold{}-{}.jsonl", f + 1, c.name)))
                    .as_deref(),
            )?;
            let fig = FoldFigures {
                fold: f + 1,
                essays: held[ci].len(),
                trained_on: sizes[ci].0,
                inner_dev: sizes[ci].1,
                macro_f1,
                thesis_f1,
                relation_f1,
                validity_essays: v.essays,
                pearson_claims: v.pearson_claims,
                pearson_unsupported_claims: v.pearson_unsupported_claims,
                accuracy_counter_argument: v.accuracy_counter_argument,
                gold_counter_rate: v.gold_counter_rate,
                short: short.report(),
                short_counts: short,
                findings: v.per_essay,
            };
            log(&format!(
                "fold {}/{k} {}: {} held out, macro-F1 {:.3}, thesis F1 {:.3}, claims r {}, \
                 counter acc {}, short thesis F1 {:.3} (first sentence {:.3}), short counter F1 {:.3}",
                f + 1,
                c.name,
                fig.essays,
                fig.macro_f1,
                fig.thesis_f1,
                fig.pearson_claims.map_or("n/a".into(), |x| format!("{x:.3}")),
                fig.accuracy_counter_argument
                    .map_or("n/a".into(), |x| format!("{x:.3}")),
                fig.short.thesis_f1,
                fig.short.thesis_f1_first_sentence,
                fig.short.counter_f1
            ));
            results[ci].folds.push(fig);
        }
        log(&format!(
            "fold {}/{k} done in {:.0}s",
            f + 1,
            t0.elapsed().as_secs_f64()
        ));
    }
    for r in &mut results {
        r.summary = summarise(&r.folds);
        (r.pooled_validity, r.pooled_short) = pooled(&r.folds);
    }
    Ok(results)
}

/// Mean and spread of every measure over `folds`.
pub fn summarise(folds: &[FoldFigures]) -> Vec<Summary> {
    let Some(first) = folds.first() else {
        return Vec::new();
    };
    first
        .measures()
        .iter()
        .enumerate()
        .map(|(m, (name, _))| {
            let values: Vec<Option<f64>> = folds.iter().map(|f| f.measures()[m].1).collect();
            let (mean, sd) = mean_sd(&values);
            Summary {
                measure: (*name).to_string(),
                mean,
                sd,
                values,
            }
        })
        .collect()
}

/// A fold's link model, trained as `train --links` trains the shipped one:
/// pairs and relations on the essays with gold relations (gold roles and the
/// fold's role predictions), stance on all, thresholds on the inner dev set.
fn train_links(
    pipeline: &Pipeline,
    train: &[&AnnotatedEssay],
    dev: &[&AnnotatedEssay],
    cfg: &links::TrainConfig,
) -> Result<LinkModel> {
    let own =
        |v: &[&AnnotatedEssay]| -> Vec<AnnotatedEssay> { v.iter().map(|e| (*e).clone()).collect() };
    let linked = |v: &[&AnnotatedEssay]| -> Vec<AnnotatedEssay> {
        v.iter()
            .filter(|e| !e.links.is_empty())
            .map(|e| (*e).clone())
            .collect()
    };
    let (link_train, stance_train) = (linked(train), own(train));
    let (link_dev, stance_dev) = (linked(dev), own(dev));
    let link_train_predicted = annotate(pipeline, &link_train)?;
    let link_dev_predicted = annotate(pipeline, &link_dev)?;
    let stance_dev_predicted = annotate(pipeline, &stance_dev)?;
    let data = TrainData {
        link_train: &link_train,
        link_train_predicted: &link_train_predicted,
        stance_train: &stance_train,
        link_dev: &link_dev,
        link_dev_predicted: &link_dev_predicted,
        stance_dev: &stance_dev,
        stance_dev_predicted: &stance_dev_predicted,
    };
    Ok(links::train(data, cfg, "cross-validation fold"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_keep_equal_texts_together_and_are_balanced() {
        let texts = ["a", "b", "c", "a", "d", "e", "f", "b", "g", "h"];
        let f = assign_folds(&texts, 3, 7);
        assert_eq!(f[0], f[3]);
        assert_eq!(f[1], f[7]);
        // 8 distinct texts in 3 folds: 3, 3, 2 distinct texts.
        let mut distinct = [
            std::collections::HashSet::new(),
            Default::default(),
            Default::default(),
        ];
        for (t, &k) in texts.iter().zip(&f) {
            distinct[k].insert(*t);
        }
        let mut sizes: Vec<usize> = distinct.iter().map(|d| d.len()).collect();
        sizes.sort_unstable();
        assert_eq!(sizes, [2, 3, 3]);
        assert_eq!(f, assign_folds(&texts, 3, 7), "seeded");
        assert_ne!(
            (0..50)
                .map(|i| assign_folds(&texts, 3, i))
                .collect::<HashSet<_>>()
                .len(),
            1,
            "the seed changes the folds"
        );
    }

    #[test]
    fn inner_dev_takes_a_ninth_of_the_texts_capped() {
        let owned: Vec<String> = (0..40).map(|i| format!("t{i}")).collect();
        let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
        assert_eq!(inner_dev(&texts, 100, 1).iter().filter(|&&d| d).count(), 5);
        assert_eq!(inner_dev(&texts, 2, 1).iter().filter(|&&d| d).count(), 2);
    }

    #[test]
    fn mean_and_sample_sd_skip_undefined_folds() {
        let (m, s) = mean_sd(&[Some(1.0), None, Some(3.0)]);
        assert_eq!(m, Some(2.0));
        assert!((s.unwrap() - 2f64.sqrt()).abs() < 1e-12);
        assert_eq!(mean_sd(&[None]), (None, None));
        assert_eq!(mean_sd(&[Some(0.5)]), (Some(0.5), None));
    }

    use std::collections::HashSet;

    fn fig(rows: Vec<(usize, usize)>, thesis_tp: usize) -> FoldFigures {
        use validity::{EssayAgreement, Findings};
        let f = |claims| Findings {
            claims,
            evidence: 0,
            unsupported_claims: 0,
            orphan_evidence: 0,
            thesis_present: true,
            counter_argument: false,
        };
        let mut counts = ShortScores {
            texts: 1,
            ..ShortScores::default()
        };
        counts.thesis.tp = thesis_tp;
        counts.thesis.fn_ = 1;
        FoldFigures {
            fold: 1,
            essays: rows.len(),
            trained_on: 0,
            inner_dev: 0,
            macro_f1: 0.0,
            thesis_f1: 0.0,
            relation_f1: None,
            validity_essays: rows.len(),
            pearson_claims: None,
            pearson_unsupported_claims: None,
            accuracy_counter_argument: None,
            gold_counter_rate: None,
            short: counts.report(),
            short_counts: counts,
            findings: rows
                .into_iter()
                .map(|(g, p)| EssayAgreement {
                    id: String::new(),
                    gold: f(g),
                    predicted: f(p),
                })
                .collect(),
        }
    }

    #[test]
    fn pooled_figures_use_every_held_out_essay_at_once() {
        // Each fold alone has a constant side (no r); together they correlate.
        let folds = [fig(vec![(1, 2), (1, 2)], 1), fig(vec![(3, 4), (3, 5)], 0)];
        let (v, short) = pooled(&folds);
        let v = v.unwrap();
        assert_eq!(v.essays, 4);
        let want = validity::pearson(&[1.0, 1.0, 3.0, 3.0], &[2.0, 2.0, 4.0, 5.0]);
        assert_eq!(v.pearson_claims, want);
        assert!(v.per_essay.is_empty() && v.pearson_unsupported_claims.is_none());
        // Thesis counts summed: tp 1, fn 2 -> recall 1/3, precision 1.
        let s = short.unwrap();
        assert_eq!(s.texts, 2);
        assert!((s.thesis_f1 - 0.5).abs() < 1e-12);
        assert_eq!(pooled(&[]), (None, None));
    }
}
