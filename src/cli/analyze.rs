//! `essaymap analyze`: segment an essay, label every sentence's role and map
//! its argument (links, stance, issue), then render it.

use anyhow::Result;
use clap::ValueEnum;
use essaymap::render::{self, Renderer, TextRenderer};
use essaymap::Essay;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// One pretty-printed JSON object.
    Json,
    /// One compact JSON object on one line.
    Jsonl,
    /// The essay, one tagged sentence per line (coloured on a terminal).
    Text,
    /// xAIF JSON (Argument Interchange Format) for AIFdb, OVA, AMF.
    Aif,
    /// Graphviz DOT of the argument map.
    Dot,
    /// Mermaid flowchart of the argument map.
    Mermaid,
    /// One self-contained HTML page: highlighted essay and map.
    Html,
}

/// Label every sentence of an essay as claim, evidence, question or other, with
/// probabilities, and mark the thesis.
///
/// Example: essaymap analyze essay.txt --title "Should schools ban phones?" --format text
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Essay file, or `-` for standard input.
    #[arg(default_value = "-")]
    file: PathBuf,
    /// The essay's title or prompt (improves thesis detection).
    #[arg(long)]
    title: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Replace invalid UTF-8 bytes with U+FFFD instead of failing.
    #[arg(long)]
    lossy: bool,
    #[command(flatten)]
    models: super::ModelArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let analyzer = args.models.analyzer()?;
    if args.file.as_os_str() == "-" && std::io::stdin().is_terminal() {
        // Without a file it reads the essay from the keyboard; say so rather
        // than seem to hang.
        eprintln!(
            "essaymap analyze: reading an essay from standard input (end it with Ctrl-D); \
             to analyse a file: essaymap analyze essay.txt"
        );
    }
    let text = essaymap::io::read_text(&args.file, args.lossy)?;
    let id = (args.file.as_os_str() != "-").then(|| args.file.display().to_string());
    let essay = Essay {
        text,
        id,
        prompt: args.title,
    };
    let analysis = analyzer.analyze(essay)?;
    if analysis.doc.sentences.is_empty() {
        // Still a valid (empty) analysis for pipelines; a person should be told.
        eprintln!(
            "essaymap: {}: the essay is empty (no sentences)",
            args.file.display()
        );
    }
    if let Some(code) = analysis.language.as_deref().filter(|&l| l != "en") {
        eprintln!(
            "essaymap: warning: {}: the text looks {} ({code}), not English; the models \
             read English essays, so its labels are not to be trusted",
            args.file.display(),
            essaymap::segment::language::name(code)
        );
    }
    // Buffered: stdout alone flushes at every line of pretty JSON.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let format = match args.format {
        Format::Text => {
            let colour = std::io::stdout().is_terminal();
            TextRenderer { colour }.render(&analysis, &mut out)?;
            None
        }
        Format::Json => Some(render::Format::Json),
        Format::Jsonl => Some(render::Format::Jsonl),
        Format::Aif => Some(render::Format::Aif),
        Format::Dot => Some(render::Format::Dot),
        Format::Mermaid => Some(render::Format::Mermaid),
        Format::Html => Some(render::Format::Html),
    };
    if let Some(f) = format {
        render::render(&analysis, f, &mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
