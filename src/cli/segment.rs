//! `essaymap segment`: paragraphs and sentences of one essay.

use anyhow::Result;
use clap::ValueEnum;
use essaymap::segment::{self, RuleSegmenter};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `segment`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// One pretty-printed JSON object.
    Json,
    /// One compact JSON object on one line.
    Jsonl,
    /// One sentence per line, a blank line between paragraphs.
    Text,
}

/// Split an essay into paragraphs and sentences.
///
/// Offsets in JSON are Unicode code-point offsets into `text`, end-exclusive.
///
/// Example: essaymap segment examples/phones.txt --format text
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Essay file, or `-` for standard input.
    #[arg(default_value = "-")]
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Replace invalid UTF-8 bytes with U+FFFD instead of failing.
    #[arg(long)]
    lossy: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let text = essaymap::io::read_text(&args.file, args.lossy)?;
    let id = (args.file.as_os_str() != "-").then(|| args.file.display().to_string());
    let doc = segment::document(&RuleSegmenter::default(), id, None, text);
    // Buffered: stdout alone flushes at every line of pretty JSON.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            serde_json::to_writer(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Text => {
            for s in &doc.sentences {
                if s.index > 0 && s.position_in_paragraph == 0 {
                    writeln!(out)?;
                }
                writeln!(out, "{}", s.text.replace('\n', " "))?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
