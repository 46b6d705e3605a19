//! essaymap reads argumentative essays and shows how they argue.
//!
//! ```
//! use essaymap::{Analyzer, Essay, Format};
//! let analyzer = Analyzer::embedded()?;
//! let essay = Essay::new("Phones distract pupils. Schools should ban them.").id("s1.txt");
//! let analysis = analyzer.analyze(essay)?;
//! println!("{}", essaymap::render::to_string(&analysis, Format::Json)?);
//! # Ok::<(), essaymap::Error>(())
//! ```
//!
//! [`Analyzer`] is the one entry point: it owns every stage, loaded once, and
//! turns an [`Essay`] into an [`Analysis`] (labelled [`Document`], argument
//! map, assessment); [`Analyzer::analyze_many`] does many in parallel, in input
//! order. [`render`] turns an analysis into JSON, xAIF, DOT, Mermaid, HTML or
//! text. The command-line tool and [`batch`] are thin callers of it.
//!
//! The stages, one module each, behind small traits, one document flowing one
//! way:
//!
//! 1. [`segment`]: text -> [`Document`] with paragraphs and sentences (layout
//!    recovery, citations, references; offsets in bytes internally, Unicode
//!    code points in output).
//! 2. [`features`]: sentences -> hashed sparse feature rows.
//! 3. [`classify`]: feature rows -> roles (claim, evidence, question, other),
//!    calibrated probabilities and the thesis. [`Pipeline`] runs stages 1-3.
//! 4. [`link`]: labelled sentences -> [`argument::Link`]s (evidence -> claim,
//!    claim -> thesis) and the stance of claims.
//! 5. [`map`]: links -> [`ArgumentMap`] (issue, thesis, claims, evidence).
//! 6. [`grade`]: labelled document + links -> [`grade::Assessment`]
//!    (metrics, teacher feedback, rubric suggestion; never a grade).
//!
//! The data they share: [`document`] (the essay as it flows through) and
//! [`argument`] (relations, links, the map). Leaves that call no model:
//! [`render`] (one analysis -> bytes) and [`report`] (batch output -> class
//! page and gradebook CSV). Apart from the pipeline, and imported by no stage:
//! [`train`] (training and evaluation). Errors are one enum with stable kinds,
//! [`Error`].
#![warn(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod analysis;
mod analyzer;
pub mod argument;
pub mod batch;
pub mod classify;
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
#[cfg(feature = "serve")]
pub mod serve;
mod text;
pub mod train;
mod util;

pub use analysis::Analysis;
pub use analyzer::Analyzer;
pub use pipeline::Pipeline;

pub use argument::ArgumentMap;
pub use document::{Document, Essay, Label, Paragraph, Scores, Sentence};
pub use error::{Error, Result};
pub use render::Format;

/// The README's code examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
