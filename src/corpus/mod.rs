//! Many essays: annotated-corpus readers (for training and evaluation).

pub mod annotated;
pub mod read;
pub mod runner;
