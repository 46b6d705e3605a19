//! Low-level helpers below every stage: feature hashing, reading and
//! checksumming model files, softmax and the logistic function.
//!
//! Why a module of its own: segmentation, role classification and linking each
//! load a model file and hash features. Kept here, a stage needs no other stage
//! for them; this module imports only the text layer (the FNV-1a hash).

pub mod hash;
pub mod math;
pub mod model_file;
