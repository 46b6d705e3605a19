//! The batch runner: many essays in parallel, in input order, resumable.
//!
//! Records are read lazily and processed in bounded chunks with rayon. While
//! the workers process one chunk, one task writes the previous chunk's results
//! in input order and reads the next chunk, so memory is bounded by three
//! chunks, not the corpus size, and `--threads 1` writes the same bytes as any
//! other thread count.
//!
//! Every input record yields exactly one output line: the processor's JSON
//! object, or `{"id", "error": {"kind", "message"}}`. Each line is written with
//! one `write` call once its chunk is done, so a crash loses at most the two
//! chunks in flight. The output is thus always a prefix of a complete run's,
//! line `n` for input record `n`: `resume` matches its lines with the input's
//! records by position (checking each id, which need not be unique), cuts a
//! half-written last line, and redoes the records whose summary row a crash
//! lost between the two writes.

use super::read::{Failed, Item, Record};
use crate::error::{Error, Result};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// Turns one record into one output line.
pub trait Processor: Sync {
    /// Column names of the per-essay summary CSV.
    fn summary_header(&self) -> &[&'static str];

    /// Analyses `record`: the output JSON object (one line, no newline) and its
    /// summary row (values in [`Processor::summary_header`] order).
    ///
    /// # Errors
    /// Any error is written as that record's error line.
    fn process(&self, record: Record) -> Result<(String, Vec<String>)>;

    /// [`Processor::process`] for each record of a chunk, in order; by
    /// default in parallel, one record per task. A processor whose model runs
    /// faster on many essays at once overrides this.
    fn process_many(&self, records: Vec<Record>) -> Vec<Result<(String, Vec<String>)>> {
        records.into_par_iter().map(|r| self.process(r)).collect()
    }
}

/// Counters of a run, also passed to the progress callback.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunStats {
    /// Records processed successfully.
    pub processed: usize,
    /// Records that yielded an error line.
    pub failed: usize,
    /// Records skipped because `resume` found them in the output.
    pub skipped: usize,
    /// Records whose id an earlier record of the input already had.
    pub duplicate_ids: usize,
    /// Time since the run started.
    pub elapsed: Duration,
}

impl RunStats {
    /// Records written (processed + failed) per second.
    pub fn rate(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            (self.processed + self.failed) as f64 / secs
        } else {
            0.0
        }
    }
}

/// How a run writes its output.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Records per parallel chunk (bounds memory).
    pub chunk: usize,
    /// Continue an earlier run: keep its output and skip the records it holds.
    pub resume: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            chunk: 512,
            resume: false,
        }
    }
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    id: &'a str,
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    kind: &'a str,
    message: String,
}

/// The line `batch` writes for a record that failed:
/// `{"id", "error": {"kind", "message"}}`, no newline.
pub fn error_line(id: &str, error: &Error) -> String {
    let line = ErrorLine {
        id,
        error: ErrorBody {
            kind: error.kind(),
            message: error.to_string(),
        },
    };
    // Serialising strings into JSON cannot fail.
    serde_json::to_string(&line).unwrap_or_default()
}

/// Runs `processor` over `items`, writing JSONL to `out` (and a summary CSV to
/// `summary` when given), calling `progress` after every chunk.
///
/// # Errors
/// Only when an output file cannot be opened or written; record failures are
/// counted in [`RunStats::failed`] and written as error lines.
pub fn run<P: Processor>(
    items: impl Iterator<Item = Item> + Send,
    processor: &P,
    out: &Path,
    summary: Option<&Path>,
    opts: RunOptions,
    progress: &mut dyn FnMut(&RunStats),
) -> Result<RunStats> {
    let start = Instant::now();
    let mut stats = RunStats::default();
    let mut items = items.fuse();
    let mut ids = Ids::default();
    let summary_started = if opts.resume {
        let summary = summary.map(|p| (p, processor.summary_header()));
        resume(&mut items, out, summary, &mut stats, &mut ids)?
    } else {
        false
    };
    let mut out_file = open_output(out, opts.resume)?;
    let mut summary_file = match summary {
        Some(p) => {
            let mut f = open_output(p, opts.resume)?;
            if !summary_started {
                write_csv_row(&mut f, p, processor.summary_header())?;
            }
            Some((f, p))
        }
        None => None,
    };
    let chunk_size = opts.chunk.max(1);
    let mut chunk = next_chunk(&mut items, chunk_size, &mut ids, &mut stats);
    // Results of the previous chunk, written while the next one is processed,
    // so the workers do not wait for the writes.
    let mut pending: Vec<(String, Option<Vec<String>>)> = Vec::new();
    loop {
        if chunk.is_empty() && pending.is_empty() {
            break;
        }
        // One side writes the previous chunk's lines and reads the next chunk,
        // the other processes this one: reading and writing never idle the
        // workers.
        let ((written, next), results) = rayon::join(
            || {
                let written = write_results(
                    std::mem::take(&mut pending),
                    (&mut out_file, out),
                    summary_file.as_mut(),
                    &mut stats,
                );
                (
                    written,
                    next_chunk(&mut items, chunk_size, &mut ids, &mut stats),
                )
            },
            || process_chunk(processor, &mut chunk),
        );
        written?;
        pending = results;
        chunk = next;
        stats.elapsed = start.elapsed();
        progress(&stats);
    }
    // Closing is part of the run's time: a file system may do work then.
    drop(out_file);
    drop(summary_file);
    stats.elapsed = start.elapsed();
    Ok(stats)
}

/// Up to `size` items, counting repeated ids.
fn next_chunk(
    items: &mut impl Iterator<Item = Item>,
    size: usize,
    ids: &mut Ids,
    stats: &mut RunStats,
) -> Vec<Item> {
    let mut chunk = Vec::with_capacity(size);
    for item in items {
        if ids.repeated(item_id(&item)) {
            stats.duplicate_ids += 1;
        }
        chunk.push(item);
        if chunk.len() == size {
            break;
        }
    }
    chunk
}

fn item_id(item: &Item) -> &str {
    match item {
        Ok(r) => &r.id,
        Err(f) => &f.id,
    }
}

/// The ids seen so far, as 64-bit hashes: a million records take 16 MB, not
/// the ids' size, and a false "repeated" needs a hash collision (odds about
/// 1 in 10^7 for a million ids), for a warning only.
struct Ids(HashSet<u64>);

impl Default for Ids {
    /// Room for 57,000 ids from the start (1 MB): grown from empty, the
    /// tables it freed on the way left the allocator holding 10 MB more at
    /// the peak of a 20,000-essay run.
    fn default() -> Self {
        Ids(HashSet::with_capacity(1 << 16))
    }
}

impl Ids {
    /// Notes `id`; true when an earlier record had it.
    fn repeated(&mut self, id: &str) -> bool {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        id.hash(&mut h);
        !self.0.insert(h.finish())
    }
}

/// One output line per item of `chunk`, in order (draining it).
fn process_chunk<P: Processor>(
    processor: &P,
    chunk: &mut Vec<Item>,
) -> Vec<(String, Option<Vec<String>>)> {
    let mut ids = Vec::with_capacity(chunk.len());
    let mut records = Vec::with_capacity(chunk.len());
    let mut lines: Vec<Option<(String, Option<Vec<String>>)>> = chunk
        .drain(..)
        .map(|item| match item {
            Ok(record) => {
                ids.push(record.id.clone());
                records.push(record);
                None
            }
            Err(Failed { id, error }) => Some((error_line(&id, &error), None)),
        })
        .collect();
    let mut results = processor.process_many(records).into_iter();
    for (line, id) in lines.iter_mut().filter(|l| l.is_none()).zip(ids) {
        *line = Some(match results.next() {
            Some(Ok((json, row))) => (json, Some(row)),
            Some(Err(e)) => (error_line(&id, &e), None),
            // A processor that returns too few results still yields a line per record.
            None => (
                error_line(
                    &id,
                    &Error::BadRecord {
                        what: id.clone(),
                        message: "no result for this record".into(),
                    },
                ),
                None,
            ),
        });
    }
    lines.into_iter().flatten().collect()
}

/// Writes each line with one `write` call (and its summary row), counting it.
fn write_results(
    results: Vec<(String, Option<Vec<String>>)>,
    (out_file, out): (&mut File, &Path),
    mut summary: Option<&mut (File, &Path)>,
    stats: &mut RunStats,
) -> Result<()> {
    for (mut line, row) in results {
        line.push('\n');
        out_file
            .write_all(line.as_bytes())
            .map_err(|e| Error::io(out, e))?;
        match row {
            Some(row) => {
                stats.processed += 1;
                if let Some((f, p)) = summary.as_mut() {
                    write_csv_row(f, p, &row)?;
                }
            }
            None => stats.failed += 1,
        }
    }
    Ok(())
}

fn open_output(path: &Path, append: bool) -> Result<File> {
    let mut o = OpenOptions::new();
    o.create(true);
    if append {
        return o.append(true).open(path).map_err(|e| Error::io(path, e));
    }
    let old_perm = remove_old_output(path);
    let f = o
        .write(true)
        .truncate(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    if let Some(perm) = old_perm {
        // The new file keeps the old one's mode; failing that, the default one.
        let _ = f.set_permissions(perm);
    }
    Ok(f)
}

/// Removes `path` when it is a regular file with no other name, returning its
/// permissions, so that a rerun writes a new file instead of truncating the old
/// one: ext4 starts writing back a file truncated to zero as soon as it is
/// closed (its guard against empty files after a crash), which made closing a
/// rewritten 320 MB output take 0.4-0.75 s of wall-clock time here. Anything
/// else (a symbolic link, `/dev/stdout`, a file with hard links) is truncated
/// in place, as is a file that cannot be removed.
fn remove_old_output(path: &Path) -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::symlink_metadata(path).ok()?;
        // Only a file this run could have truncated: writable by us.
        let writable = || OpenOptions::new().write(true).open(path).is_ok();
        if meta.file_type().is_file()
            && meta.nlink() == 1
            && writable()
            && std::fs::remove_file(path).is_ok()
        {
            return Some(meta.permissions());
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}

fn write_csv_row<S: AsRef<[u8]>>(
    f: &mut File,
    path: &Path,
    row: impl IntoIterator<Item = S>,
) -> Result<()> {
    let bytes = csv_row(path, row)?;
    f.write_all(&bytes).map_err(|e| Error::io(path, e))
}

/// `row` as one CSV line.
fn csv_row<S: AsRef<[u8]>>(path: &Path, row: impl IntoIterator<Item = S>) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(row)
        .and_then(|()| w.into_inner().map_err(|e| e.into_error().into()))
        .map_err(|e| Error::io(path, std::io::Error::other(e)))
}

/// An error that stops a resumed run before it writes anything.
fn cannot_resume(path: &Path, message: String) -> Error {
    Error::io(
        path,
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("cannot resume: {message}"),
        ),
    )
}

/// Where an earlier run stopped. Matches the complete lines of `out` with the
/// first records of `items` (consuming them), stopping at the first analysis
/// whose summary row is missing (a crash between the two writes) so that it
/// is done again; then cuts `out` and the summary after what is kept. Fails,
/// changing nothing, when the files are not from a run over these inputs.
/// Returns whether the summary keeps its header.
fn resume(
    items: &mut impl Iterator<Item = Item>,
    out: &Path,
    summary: Option<(&Path, &[&str])>,
    stats: &mut RunStats,
    ids: &mut Ids,
) -> Result<bool> {
    #[derive(serde::Deserialize)]
    struct Line {
        id: String,
        #[serde(default)]
        error: Option<serde::de::IgnoredAny>,
    }
    let rows = match summary {
        Some((p, header)) => Some(summary_rows(p, header)?),
        None => None,
    };
    let (mut kept, mut analysed) = (0u64, 0usize);
    if let Some(f) = open_existing(out)? {
        let mut reader = BufReader::new(f);
        let mut buf = Vec::new();
        for n in 1.. {
            buf.clear();
            let len = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| Error::io(out, e))?;
            // Nothing more, or a line half-written by a crash.
            if buf.last() != Some(&b'\n') {
                break;
            }
            let line: Line = serde_json::from_slice(&buf).map_err(|_| {
                cannot_resume(out, format!("line {n} is not a line of batch output"))
            })?;
            let ok = line.error.is_none();
            if ok && rows.as_ref().is_some_and(|r| r.ends.len() == analysed) {
                break;
            }
            let Some(item) = items.next() else {
                let message = format!("it has more lines than the inputs have records ({n})");
                return Err(cannot_resume(out, message));
            };
            if item_id(&item) != line.id {
                let message = format!(
                    "line {n} is record {:?} but record {n} of the inputs is {:?}: \
                     the inputs are not the ones that run read; \
                     give -o a new file or run without --resume",
                    line.id,
                    item_id(&item)
                );
                return Err(cannot_resume(out, message));
            }
            if ids.repeated(&line.id) {
                stats.duplicate_ids += 1;
            }
            stats.skipped += 1;
            analysed += usize::from(ok);
            kept += len as u64;
        }
        cut(out, kept)?;
    }
    let Some((rows, (path, _))) = rows.zip(summary) else {
        return Ok(false);
    };
    let keep = match analysed.checked_sub(1) {
        Some(last) => rows.ends[last],
        None => rows.header_end,
    };
    cut(path, keep)?;
    Ok(rows.header_end > 0)
}

/// The complete rows of a summary CSV: where its header ends (0: no complete
/// header) and where each row after it ends.
struct SummaryRows {
    header_end: u64,
    ends: Vec<u64>,
}

/// Reads the rows of the summary CSV at `path`, refusing one whose header is
/// not `header`: its rows would be of two layouts under one header.
fn summary_rows(path: &Path, header: &[&str]) -> Result<SummaryRows> {
    let mut rows = SummaryRows {
        header_end: 0,
        ends: Vec::new(),
    };
    let Some(f) = open_existing(path)? else {
        return Ok(rows);
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::new(f));
    let mut row = csv::ByteRecord::new();
    loop {
        let start = reader.position().byte();
        let more = reader
            .read_byte_record(&mut row)
            .map_err(|e| Error::io(path, std::io::Error::other(e)))?;
        let end = reader.position().byte();
        // A row cut by a crash lacks at least its line end, so it is shorter
        // than the same fields written out again.
        if !more || csv_row(path, &row)?.len() as u64 != end - start {
            break;
        }
        if rows.header_end > 0 {
            rows.ends.push(end);
        } else if row.iter().eq(header.iter().map(|h| h.as_bytes())) {
            rows.header_end = end;
        } else {
            let message = format!(
                "its columns are not this version's ({}); give --summary a new file",
                header.join(",")
            );
            return Err(cannot_resume(path, message));
        }
    }
    Ok(rows)
}

/// `path` opened for reading; `None` when it does not exist.
fn open_existing(path: &Path) -> Result<Option<File>> {
    match File::open(path) {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Cuts the file at `path` to `len` bytes (when it exists).
fn cut(path: &Path, len: u64) -> Result<()> {
    let f = match OpenOptions::new().write(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(path, e)),
    };
    f.set_len(len).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::read::ReadOptions;

    /// Counts the words of each essay; fails on essays containing "FAIL".
    struct WordCount;

    impl Processor for WordCount {
        fn summary_header(&self) -> &[&'static str] {
            &["id", "words"]
        }
        fn process(&self, r: Record) -> Result<(String, Vec<String>)> {
            if r.text.contains("FAIL") {
                return Err(Error::BadRecord {
                    what: r.id,
                    message: "asked to fail".into(),
                });
            }
            let n = r.text.split_whitespace().count();
            Ok((
                format!(r#"{{"id":"{}","words":{n}}}"#, r.id),
                vec![r.id, n.to_string()],
            ))
        }
    }

    fn record(i: usize) -> Item {
        Ok(Record {
            id: format!("e{i}"),
            title: None,
            text: if i % 7 == 3 {
                "FAIL".into()
            } else {
                "w ".repeat(i % 5 + 1)
            },
            meta: None,
        })
    }

    fn ids_of(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn output_order_is_input_order_with_many_threads() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let opts = RunOptions {
            chunk: 16,
            resume: false,
        };
        let stats = pool
            .install(|| {
                run(
                    (0..200).map(record),
                    &WordCount,
                    &out,
                    None,
                    opts,
                    &mut |_| {},
                )
            })
            .unwrap();
        let want: Vec<String> = (0..200).map(|i| format!("e{i}")).collect();
        assert_eq!(ids_of(&out), want);
        assert_eq!(stats.failed, (0..200).filter(|i| i % 7 == 3).count());
        assert_eq!(stats.processed + stats.failed, 200);
    }

    /// A run of 30 records into `out` and the summary `summary`.
    fn run_30(out: &Path, summary: &Path, resume: bool) -> Result<RunStats> {
        let opts = RunOptions { chunk: 8, resume };
        let records = (0..30).map(record);
        run(records, &WordCount, out, Some(summary), opts, &mut |_| {})
    }

    #[test]
    fn resume_repairs_a_truncated_line_and_writes_each_id_once() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        let summary = dir.path().join("sum.csv");
        run_30(&out, &summary, false).unwrap();
        // Simulate a crash mid-write: cut the file inside its 21st line.
        let text = std::fs::read_to_string(&out).unwrap();
        let cut: usize = text.lines().take(20).map(|l| l.len() + 1).sum::<usize>() + 5;
        std::fs::write(&out, &text[..cut]).unwrap();
        let stats = run_30(&out, &summary, true).unwrap();
        assert_eq!(stats.skipped, 20);
        let want: Vec<String> = (0..30).map(|i| format!("e{i}")).collect();
        assert_eq!(ids_of(&out), want);
        let csv = std::fs::read_to_string(&summary).unwrap();
        assert_eq!(csv.lines().filter(|l| l.starts_with("id,")).count(), 1);
    }

    #[test]
    fn resume_refuses_a_summary_with_other_columns_and_leaves_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        let summary = dir.path().join("sum.csv");
        run_n(5, &out);
        // As an older build would have written it: fewer columns.
        let old = "id\ne0\ne1\n";
        std::fs::write(&summary, old).unwrap();
        let before = std::fs::read_to_string(&out).unwrap();
        let e = run_30(&out, &summary, true).unwrap_err();
        assert!(e.to_string().contains("id,words"), "{e}");
        assert_eq!(std::fs::read_to_string(&summary).unwrap(), old);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), before);
    }

    /// A run of `n` records into `out`, not resuming.
    fn run_n(n: usize, out: &Path) {
        let opts = RunOptions {
            chunk: 8,
            resume: false,
        };
        run((0..n).map(record), &WordCount, out, None, opts, &mut |_| {}).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_rerun_replaces_the_output_keeping_its_mode_but_not_a_hard_link() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        run_n(30, &out);
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
        // An open handle keeps the old file: replaced, it still holds 30 lines.
        let mut old = File::open(&out).unwrap();
        run_n(5, &out);
        let mut kept = String::new();
        std::io::Read::read_to_string(&mut old, &mut kept).unwrap();
        assert_eq!(kept.lines().count(), 30);
        assert_eq!(ids_of(&out).len(), 5);
        let new = std::fs::metadata(&out).unwrap();
        assert_eq!(new.permissions().mode() & 0o777, 0o640);
        // With a second name, the file is truncated in place: both names see it.
        let link = dir.path().join("link.jsonl");
        std::fs::hard_link(&out, &link).unwrap();
        run_n(3, &out);
        assert_eq!(std::fs::metadata(&out).unwrap().ino(), new.ino());
        assert_eq!(ids_of(&link).len(), 3);
    }

    #[test]
    fn failed_reads_become_error_lines() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        let data = b"{\"id\":\"ok\",\"text\":\"fine words\"}\n{oops\n";
        let tmp = dir.path().join("in.jsonl");
        std::fs::write(&tmp, data).unwrap();
        let items = crate::batch::read::records(
            &[crate::batch::read::Input::Jsonl(tmp)],
            ReadOptions::default(),
        )
        .unwrap();
        let stats = run(
            items,
            &WordCount,
            &out,
            None,
            RunOptions::default(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!((stats.processed, stats.failed), (1, 1));
        let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[1]["error"]["kind"], "invalid_json");
    }
}
