//! Stage 2: sentences -> sparse feature vectors for the role classifier.
//!
//! Every sentence becomes a row of hashed features (the "hashing trick"): word
//! unigrams and bigrams, the first words, character 3-grams inside words,
//! discourse-marker categories, position of the sentence in its paragraph and
//! of the paragraph in the essay (intro/body/conclusion), paragraph and essay
//! size, first/second person, modal verbs, numbers, quotations and citations,
//! overlap with the title (prompt) and with the opposite end of the essay,
//! question marks, and a summary of the same signals for the previous and next
//! sentence of the paragraph.
//!
//! Why hashing: no vocabulary to ship or look up, features are computed on the
//! fly without building strings, and the model is a dense `2^bits x k` array.
//! Extraction reuses the buffers of a [`Scratch`], so classifying an essay does
//! not allocate once the buffers have grown. Everything that determines feature
//! ids is folded into [`FeatureSpec::hash`], which the model file records.
//!
//! The files: `spec` (the feature space and its fingerprint), `buffers`
//! ([`Features`] and [`Scratch`]), `lexicon` (the word lists and the marker
//! finder), `row` (namespaces and hashing into feature ids) and `extract`
//! (the two passes, one step per feature family).

mod buffers;
mod extract;
mod lexicon;
mod row;
mod spec;

pub use buffers::{Features, Scratch, Token};
pub use extract::{extract, extract_deferred};
pub use row::token_features;
pub use spec::{FeatureSpec, SPEC_VERSION};
