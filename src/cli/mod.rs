//! Binary-only glue: clap argument structs and one file per subcommand. Each
//! subcommand turns its arguments into library calls and writes the result; the
//! logic lives in the library.

mod analyze;
mod backend;
mod batch;
mod cv;
mod eval;
mod report;
mod segment;
#[cfg(feature = "serve")]
mod serve;
mod train;
mod validate_grading;

use clap::{Parser, Subcommand};
use essaymap::grade::Rubric;
use essaymap::link::LinkModel;
use essaymap::Analyzer;
use std::path::PathBuf;
use std::process::ExitCode;

/// Model and rubric options of the commands that analyse essays.
#[derive(Debug, clap::Args)]
pub struct ModelArgs {
    /// Use this role-model file instead of the one built in.
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Use this link model file instead of the one built in.
    #[arg(long, value_name = "PATH")]
    pub links_model: Option<PathBuf>,
    /// Rubric (TOML) for the suggested scores in each essay's "assessment"
    /// (default: the built-in one; see `essaymap report --print-default-rubric`).
    #[arg(long, value_name = "FILE")]
    pub rubric: Option<PathBuf>,
    #[command(flatten)]
    pub backend: backend::BackendArgs,
}

impl ModelArgs {
    /// The role pipeline these options ask for.
    pub fn pipeline(&self) -> anyhow::Result<essaymap::Pipeline> {
        self.backend.apply(pipeline(self.model.as_ref())?)
    }

    /// The analyzer these options ask for: role pipeline, link model and
    /// rubric, all read now, so a broken file stops the command before any
    /// essay is read.
    pub fn analyzer(&self) -> anyhow::Result<Analyzer> {
        let mut analyzer = Analyzer::new(self.pipeline()?)?;
        if let Some(p) = &self.rubric {
            analyzer = analyzer.with_rubric(Rubric::from_file(p)?);
        }
        if let Some(p) = &self.links_model {
            analyzer = analyzer.with_links(LinkModel::load(p)?);
        }
        Ok(analyzer)
    }
}

/// The link model from `path`, else the built-in one.
pub fn link_model(path: Option<&PathBuf>) -> anyhow::Result<std::borrow::Cow<'static, LinkModel>> {
    Ok(match path {
        Some(p) => std::borrow::Cow::Owned(LinkModel::load(p)?),
        None => std::borrow::Cow::Borrowed(LinkModel::embedded()?),
    })
}

/// The role pipeline from the model file at `model`, else the built-in one.
pub fn pipeline(model: Option<&PathBuf>) -> anyhow::Result<essaymap::Pipeline> {
    Ok(match model {
        Some(p) => essaymap::Pipeline::from_model_file(p)?,
        None => essaymap::Pipeline::embedded()?,
    })
}

/// Reads argumentative essays and shows how they argue.
#[derive(Debug, Parser)]
#[command(name = "essaymap", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Segment(segment::Args),
    Analyze(analyze::Args),
    Batch(batch::Args),
    Train(train::Args),
    Eval(eval::Args),
    Report(report::Args),
    ValidateGrading(validate_grading::Args),
    #[cfg(feature = "serve")]
    Serve(serve::Args),
    Cv(cv::Args),
}

/// Parses the command line and runs the chosen subcommand.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Segment(args) => segment::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Batch(args) => batch::run(args),
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Report(args) => report::run(args),
        Command::ValidateGrading(args) => validate_grading::run(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(args),
        Command::Cv(args) => cv::run(args),
    }
}
