//! Many essays: annotated-corpus readers (for training and evaluation),
//! scoring, and batch input readers and runner.

pub mod annotated;
pub mod batch;
pub mod eval;
pub mod read;
pub mod runner;
