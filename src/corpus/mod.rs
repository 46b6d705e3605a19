//! Many essays: annotated-corpus readers (for training and evaluation) and scoring.

pub mod annotated;
pub mod eval;
