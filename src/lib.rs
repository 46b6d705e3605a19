//! essaymap reads argumentative essays and shows how they argue.
//!
//! The pipeline, one module per stage, each behind a small trait:
//!
//! 1. [`segment`]: text -> [`Document`] with paragraphs and sentences (offsets in
//!    bytes internally, Unicode code points in output).
//! 2. [`features`]: sentences -> hashed sparse feature rows.
//! 3. [`classify`]: feature rows -> roles (claim, evidence, question, other),
//!    calibrated probabilities and the thesis, by a trained CRF shipped in the
//!    binary. [`pipeline::Pipeline`] runs the stages in order.
//! 4. [`link`]: labelled sentences -> links (evidence -> claim, claim -> thesis),
//!    learned pairwise model with forest decoding, stance of claims.
//! 5. [`map`]: links -> [`ArgumentMap`] (issue, thesis, claims, evidence).
//! 6. [`grade`]: labelled document + map edges -> [`grade::Assessment`]
//!    (metrics, teacher feedback, rubric suggestion; never a grade).
//! 7. [`render`]: [`Analysis`] (document + map) -> json, xAIF, DOT, Mermaid, HTML.
//!
//! Reports: [`report`] turns batch output into a class summary (HTML + CSV).
//!
//! Supporting modules: [`document`] (the type that flows through), [`io`]
//! (decoding input), [`corpus`] (annotated corpora), [`error`].
//!
//! ```
//! use essaymap::segment::{self, RuleSegmenter};
//! let doc = segment::document(&RuleSegmenter::default(), None, None,
//!     "Phones distract pupils. They should be banned.".to_string());
//! assert_eq!(doc.sentences.len(), 2);
//! assert_eq!(doc.sentences[1].text, "They should be banned.");
//! ```
#![warn(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod analysis;
mod analyzer;
pub mod batch;
pub mod classify;
pub mod corpus;
pub mod document;
pub mod error;
pub mod features;
pub mod grade;
pub mod io;
pub mod link;
pub mod map;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod segment;
mod text;

pub use analysis::Analysis;
pub use analyzer::Analyzer;
pub use pipeline::Pipeline;

pub use document::{Document, Essay, Label, Paragraph, Scores, Sentence};
pub use error::{Error, Result};
pub use map::ArgumentMap;
pub use render::Format;
