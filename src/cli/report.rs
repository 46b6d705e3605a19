//! `essaymap report`: class summary (HTML pages or gradebook CSV) from the JSONL
//! that `essaymap batch` writes. Glue only: reading, grading and rendering are
//! in `essaymap::report` and `essaymap::grade`.

use anyhow::{bail, Context, Result};
use clap::ValueEnum;
use essaymap::grade::{rubric::DEFAULT_RUBRIC, Grader, Rubric};
use essaymap::report;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A self-contained class page plus one page per essay.
    Html,
    /// One row per essay for gradebooks (Canvas, Google Classroom, spreadsheets).
    Csv,
}

/// Summarise a class from `essaymap batch` output: metric distributions, the
/// most frequent feedback, and a sortable table of essays linking to a page per
/// essay. Rubric scores are suggestions, never grades. Records that failed in
/// the batch are listed, not fatal.
///
/// Examples:
///   essaymap report out.jsonl -o class.html
///   essaymap report out.jsonl --format csv -o grades.csv
///   essaymap report --print-default-rubric > my-rubric.toml
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Batch output (JSONL, one analysis or error object per line).
    #[arg(required_unless_present = "print_default_rubric")]
    input: Option<PathBuf>,
    /// Output file: the class page (html) or the CSV (`-` or omitted: stdout, csv only).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Html)]
    format: Format,
    /// Folder for the per-essay pages, relative to the class page's folder
    /// [default: <output name>_essays].
    #[arg(long, value_name = "DIR")]
    essays_dir: Option<PathBuf>,
    /// Re-grade every essay with this rubric (TOML) instead of the assessments in the input.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    /// Heading of the class page.
    #[arg(long, default_value = "Class report")]
    title: String,
    /// Print the built-in rubric (a documented TOML file to copy and edit) and exit.
    #[arg(long)]
    print_default_rubric: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if args.print_default_rubric {
        let mut out = std::io::stdout().lock();
        out.write_all(DEFAULT_RUBRIC.as_bytes())?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(input) = args.input else {
        bail!("give the batch output file to report on");
    };
    let grader = match &args.rubric {
        Some(p) => Some(Grader::new(Rubric::from_file(p)?)),
        None => None,
    };
    let stdout_out = args.output.as_ref().is_none_or(|o| o.as_os_str() == "-");
    if args.format == Format::Html && stdout_out {
        bail!("--format html writes several files: give the class page with -o class.html");
    }
    // Its errors name the file already.
    let data = report::read_batch(&input, grader.as_ref())?;
    match args.format {
        Format::Html => {
            let out = args.output.unwrap_or_default();
            let site = report::write_site(&data, &out, args.essays_dir.as_deref(), &args.title)?;
            eprintln!(
                "essaymap: wrote {} and {} essay pages in {}",
                site.class_page.display(),
                site.pages,
                site.essays_dir.display()
            );
        }
        Format::Csv => match args.output.filter(|o| o.as_os_str() != "-") {
            Some(path) => {
                let f = std::fs::File::create(&path)
                    .with_context(|| format!("creating {}", path.display()))?;
                report::csv::write_csv(&data, std::io::BufWriter::new(f))?;
            }
            None => report::csv::write_csv(&data, std::io::stdout().lock())?,
        },
    }
    if !data.errors.is_empty() {
        eprintln!(
            "essaymap: {} of {} records could not be analysed; they are listed in the report",
            data.errors.len(),
            data.errors.len() + data.essays.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
