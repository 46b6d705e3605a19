//! Training and evaluation, apart from inference: the gold readers, the
//! scorers, every model's trainer and training recipe, and the validity check
//! of the grading metrics.
//!
//! Why apart: the pipeline stages only run models, so a reader of a stage (or
//! a program that only analyses essays) never meets training code. This tree
//! may import every stage; no stage imports it.
//!
//! - [`corpus`]: the annotated-corpus reader (AAE and PERSUADE JSONL), gold
//!   projected onto our own sentences;
//! - [`score`]: sentence-level scores of roles and theses against gold;
//! - [`roles`]: the role model's trainer and its recipe (data, settings,
//!   provenance); `transformer` (Cargo feature `transformer`): fine-tuning the
//!   accurate mode;
//! - [`links`]: the link model's trainer, [`links_eval`]: the link scores;
//! - [`breaks`]: the paragraph-break model's trainer;
//! - [`validity`]: the grading metrics on gold and on predicted maps, compared;
//! - [`short`]: short-text sets (single paragraphs) cut from the gold essays;
//! - [`cv`]: k-fold cross-validation of the whole recipe (retrain, score);
//! - `rng`: the trainers' seeded generators.

pub mod breaks;
pub mod corpus;
pub mod cv;
pub mod links;
pub mod links_eval;
mod rng;
pub mod roles;
pub mod score;
pub mod short;
#[cfg(feature = "transformer")]
pub mod transformer;
pub mod validity;
