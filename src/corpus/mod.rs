//! Annotated corpora: readers of gold annotations and scoring, for training
//! and evaluation.

pub mod annotated;
pub mod eval;
