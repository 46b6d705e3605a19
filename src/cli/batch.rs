//! `essaymap batch`: analyse a whole corpus into JSONL, in parallel, resumably.

use anyhow::{Context, Result};
use essaymap::batch::read::{self, Input, ReadOptions};
use essaymap::batch::runner::{self, RunOptions, RunStats};
use essaymap::batch::BatchProcessor;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Analyse many essays: one JSON line per input record, in input order.
///
/// INPUT is a directory (every .txt/.md file, recursively; id = relative path),
/// a JSONL file ({"id", "text", "title"?} per line; other fields are kept as
/// "meta"), a CSV file with a header (id/essay_id, text/full_text/essay,
/// optional title/prompt), a single .txt/.md file, or - for JSONL on stdin.
/// A record that cannot be processed yields {"id", "error": {"kind", "message"}}
/// and the run goes on. Exit code 0 when every record succeeded, 3 when some
/// failed, 2 on a usage error.
///
/// Example: essaymap batch essays/ class.jsonl -o out.jsonl --summary out.csv --resume
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Inputs: directories, .jsonl, .csv or .txt files, or - for JSONL on stdin.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output JSONL file.
    #[arg(short, long)]
    output: PathBuf,
    /// Also write one CSV row of counts per essay here.
    #[arg(long, value_name = "FILE.csv")]
    summary: Option<PathBuf>,
    /// Continue an earlier run into OUTPUT: keep the records it holds (matched
    /// with the inputs by position and id), redo a half-written last one.
    #[arg(long)]
    resume: bool,
    /// Worker threads (default, or 0: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Records larger than this many bytes fail with "too_large".
    #[arg(long, default_value_t = 5 * 1024 * 1024)]
    max_bytes: usize,
    /// Replace invalid UTF-8 bytes with U+FFFD instead of failing the record.
    #[arg(long)]
    lossy: bool,
    /// Records per parallel chunk (bounds memory; default 1024, or 128 with
    /// --backend transformer, which labels a whole chunk in one pass).
    #[arg(long, hide = true)]
    chunk: Option<usize>,
    /// No progress output.
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    models: super::ModelArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    // Writing over an input would destroy it before it is read (or, resuming,
    // append to what is being read).
    for out in std::iter::once(&args.output).chain(&args.summary) {
        if args
            .inputs
            .iter()
            .any(|i| same_file::is_same_file(i, out).unwrap_or(false))
        {
            anyhow::bail!(
                "{} is an input as well as an output; write the output elsewhere",
                out.display()
            );
        }
    }
    let inputs = args
        .inputs
        .iter()
        .map(|p| Input::from_arg(p))
        .collect::<essaymap::Result<Vec<_>>>()?;
    let processor = BatchProcessor::new(args.models.analyzer()?);
    let items = read::records(
        &inputs,
        ReadOptions {
            max_bytes: args.max_bytes,
            lossy: args.lossy,
        },
    )?;
    let mut pool = rayon::ThreadPoolBuilder::new();
    // rayon reads 0 as "all cores", as --threads documents.
    if let Some(n) = args.threads {
        pool = pool.num_threads(n);
    }
    let pool = pool.build().context("cannot start worker threads")?;
    if args.threads.is_some() {
        super::backend::set_threads(pool.current_num_threads());
    }
    let opts = RunOptions {
        chunk: args.chunk.unwrap_or(if processor.batches_across_records() {
            128
        } else {
            1024
        }),
        resume: args.resume,
    };
    let mut progress = Progress::new(args.quiet, || read::count(&inputs));
    let stats = pool.install(|| {
        runner::run(
            items,
            &processor,
            &args.output,
            args.summary.as_deref(),
            opts,
            &mut |s| progress.update(s),
        )
    })?;
    progress.finish();
    eprintln!(
        "essaymap batch: {} processed, {} failed{} in {:.1} s ({:.0} essays/s, {} threads{})",
        stats.processed,
        stats.failed,
        if stats.skipped > 0 {
            format!(", {} skipped (resumed)", stats.skipped)
        } else {
            String::new()
        },
        stats.elapsed.as_secs_f64(),
        stats.rate(),
        pool.current_num_threads(),
        peak_rss_mb().map_or(String::new(), |mb| format!(", peak RSS {mb} MB")),
    );
    let foreign = processor.not_english();
    if foreign > 0 {
        let (n, looks) = match foreign {
            1 => ("1 record".to_string(), "looks"),
            n => (format!("{n} records"), "look"),
        };
        eprintln!(
            "essaymap batch: warning: {n} {looks} not English (see their \"language\" field); \
             the models read English essays, so their labels are not to be trusted"
        );
    }
    if stats.duplicate_ids > 0 {
        let (n, has) = match stats.duplicate_ids {
            1 => ("1 record".to_string(), "has"),
            n => (format!("{n} records"), "have"),
        };
        eprintln!(
            "essaymap batch: warning: {n} {has} the id of an earlier record; every record \
             has its own output line, line N for input record N, so tell them apart by position"
        );
    }
    Ok(if stats.failed > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

/// A bar with rate and ETA on a terminal, periodic plain lines otherwise.
enum Progress {
    Off,
    Bar(ProgressBar),
    Lines { last: Instant },
}

impl Progress {
    fn new(quiet: bool, total: impl FnOnce() -> Option<u64>) -> Self {
        if quiet {
            return Progress::Off;
        }
        if !std::io::stderr().is_terminal() {
            return Progress::Lines {
                last: Instant::now(),
            };
        }
        let bar = match total() {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} essays  {per_sec}  ETA {eta}  {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
            None => ProgressBar::new_spinner(),
        };
        Progress::Bar(bar)
    }

    fn update(&mut self, s: &RunStats) {
        let done = (s.processed + s.failed + s.skipped) as u64;
        match self {
            Progress::Off => {}
            Progress::Bar(bar) => {
                bar.set_position(done);
                if s.failed > 0 {
                    bar.set_message(format!("{} failed", s.failed));
                }
            }
            Progress::Lines { last } => {
                if last.elapsed() >= Duration::from_secs(10) {
                    *last = Instant::now();
                    eprintln!(
                        "essaymap batch: {done} records ({} failed), {:.0} essays/s",
                        s.failed,
                        s.rate()
                    );
                }
            }
        }
    }

    fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// Peak resident memory of this process (Linux), in MB.
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
