//! Readers that turn batch inputs into a stream of essay records.
//!
//! Inputs: a directory (every `.txt`/`.md` file, recursively, sorted; the id is
//! the relative path), a JSONL file (`{"id", "text", "title"?}` per line, other
//! fields kept as `meta`), a CSV file (header detected: `id`/`essay_id`,
//! `text`/`full_text`/`essay`, optional `title`/`prompt`), a single `.txt`/`.md`
//! file, or `-` for JSONL on standard input.
//!
//! Reading is lazy and sequential (one record at a time), so memory does not grow
//! with the corpus. A record that cannot be read (bad JSON, missing text,
//! non-UTF-8, empty, too large) becomes a [`Failed`] item carrying its id, and
//! the stream goes on: one bad line never loses the rest of the corpus.

use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One essay to analyse.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Record id: relative path, JSONL/CSV id, or `FILE:LINE` when the input has none.
    pub id: String,
    /// The prompt the essay answers, when the input gives one.
    pub title: Option<String>,
    /// The essay text.
    pub text: String,
    /// Other input fields, passed through to the output.
    pub meta: Option<Map<String, Value>>,
}

/// A record that could not be read, with the id it will be reported under.
#[derive(Debug)]
pub struct Failed {
    /// Record id (or `FILE:LINE`).
    pub id: String,
    /// What went wrong.
    pub error: Error,
}

/// What the reader yields per record.
pub type Item = std::result::Result<Record, Failed>;

/// A batch input source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A directory of `.txt`/`.md` essays.
    Dir(PathBuf),
    /// A JSONL file.
    Jsonl(PathBuf),
    /// A CSV file with a header row.
    Csv(PathBuf),
    /// One essay file.
    Text(PathBuf),
    /// JSONL on standard input.
    Stdin,
}

impl Input {
    /// Classifies a command-line argument by what it names.
    ///
    /// # Errors
    /// [`Error::Io`] when the path does not exist.
    pub fn from_arg(arg: &Path) -> Result<Input> {
        if arg.as_os_str() == "-" {
            return Ok(Input::Stdin);
        }
        let meta = std::fs::metadata(arg).map_err(|e| Error::io(arg, e))?;
        if meta.is_dir() {
            return Ok(Input::Dir(arg.to_path_buf()));
        }
        let ext = arg
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        Ok(match ext.as_str() {
            "csv" => Input::Csv(arg.to_path_buf()),
            "txt" | "md" => Input::Text(arg.to_path_buf()),
            _ => Input::Jsonl(arg.to_path_buf()),
        })
    }
}

/// Limits applied while reading.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Records with more bytes of text than this fail with [`Error::TooLarge`].
    pub max_bytes: usize,
    /// Replace invalid UTF-8 bytes with U+FFFD instead of failing the record.
    pub lossy: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_bytes: 5 * 1024 * 1024,
            lossy: false,
        }
    }
}

/// Streams the records of all `inputs`, in order.
///
/// # Errors
/// Fails only when an input cannot be opened at all (missing file, unreadable
/// directory, CSV without a text column); problems inside an input become
/// [`Failed`] items.
pub fn records(
    inputs: &[Input],
    opts: ReadOptions,
) -> Result<Box<dyn Iterator<Item = Item> + Send>> {
    let mut streams: Vec<Box<dyn Iterator<Item = Item> + Send>> = Vec::new();
    for input in inputs {
        streams.push(match input {
            Input::Dir(dir) => Box::new(dir_records(dir, opts)?),
            Input::Text(path) => {
                let id = path.display().to_string();
                Box::new(std::iter::once(file_record(path, id, opts)))
            }
            Input::Jsonl(path) => {
                let f = File::open(path).map_err(|e| Error::io(path, e))?;
                Box::new(jsonl_records(
                    BufReader::new(f),
                    path.display().to_string(),
                    opts,
                ))
            }
            Input::Stdin => Box::new(stdin_records(opts)?),
            Input::Csv(path) => Box::new(csv_records(path, opts)?),
        });
    }
    Ok(Box::new(streams.into_iter().flatten()))
}

/// Counts the records `inputs` will yield, for progress bars; `None` when an
/// input is standard input. Cheap next to analysis: one quick pass over each file.
pub fn count(inputs: &[Input]) -> Option<u64> {
    let mut total = 0u64;
    for input in inputs {
        total += match input {
            Input::Stdin => return None,
            Input::Text(_) => 1,
            Input::Dir(d) => list_dir(d).ok()?.len() as u64,
            Input::Jsonl(p) => {
                let mut r = BufReader::new(File::open(p).ok()?);
                let mut buf = Vec::new();
                let mut n = 0;
                while r.read_until(b'\n', &mut buf).ok()? > 0 {
                    if !buf.iter().all(u8::is_ascii_whitespace) {
                        n += 1;
                    }
                    buf.clear();
                }
                n
            }
            Input::Csv(p) => csv::Reader::from_path(p).ok()?.into_byte_records().count() as u64,
        };
    }
    Some(total)
}

/// A record of `text` read from elsewhere (an upload), checked as `batch`
/// checks every record: over `opts.max_bytes` or empty, it is a [`Failed`] item.
pub fn text_record(id: String, text: String, opts: ReadOptions) -> Item {
    finish(id, text, None, None, opts)
}

/// Checks the text of a record: size limit and non-emptiness.
fn check_text(id: &str, text: &str, opts: ReadOptions) -> std::result::Result<(), Error> {
    if text.len() > opts.max_bytes {
        return Err(Error::TooLarge {
            what: id.to_string(),
            size: text.len(),
            limit: opts.max_bytes,
        });
    }
    if text.trim().is_empty() {
        return Err(Error::BadRecord {
            what: id.to_string(),
            message: "empty essay".into(),
        });
    }
    Ok(())
}

fn finish(
    id: String,
    text: String,
    title: Option<String>,
    meta: Option<Map<String, Value>>,
    opts: ReadOptions,
) -> Item {
    match check_text(&id, &text, opts) {
        Ok(()) => Ok(Record {
            id,
            title,
            text,
            meta,
        }),
        Err(error) => Err(Failed { id, error }),
    }
}

fn file_record(path: &Path, id: String, opts: ReadOptions) -> Item {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > opts.max_bytes as u64 {
        let error = Error::TooLarge {
            what: id.clone(),
            size: usize::try_from(size).unwrap_or(usize::MAX),
            limit: opts.max_bytes,
        };
        return Err(Failed { id, error });
    }
    let text = std::fs::read(path)
        .map_err(|e| Error::io(path, e))
        .and_then(|bytes| crate::io::decode(&id, bytes, opts.lossy));
    match text {
        Ok(text) => finish(id, text, None, None, opts),
        Err(error) => Err(Failed { id, error }),
    }
}

/// Every `.txt`/`.md` file under `dir`, sorted.
fn list_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| Error::io(&d, e))?;
        for entry in entries {
            let path = entry.map_err(|e| Error::io(&d, e))?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("md"))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn dir_records(dir: &Path, opts: ReadOptions) -> Result<impl Iterator<Item = Item> + Send> {
    let files = list_dir(dir)?;
    let dir = dir.to_path_buf();
    Ok(files.into_iter().map(move |path| {
        let id = path
            .strip_prefix(&dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        file_record(&path, id, opts)
    }))
}

/// The first of `keys` present in `obj` as a string (numbers are accepted for ids).
fn take_str(obj: &mut Map<String, Value>, keys: &[&str]) -> Option<String> {
    for k in keys {
        match obj.remove(*k) {
            Some(Value::String(s)) => return Some(s),
            Some(Value::Number(n)) => return Some(n.to_string()),
            Some(other) => {
                obj.insert((*k).to_string(), other);
            }
            None => {}
        }
    }
    None
}

/// The essay text: the first of [`TEXT_KEYS`] present, which must be a string
/// (a number there is a mistake in the input, not an essay to analyse).
fn take_text(obj: &mut Map<String, Value>) -> std::result::Result<Option<String>, String> {
    for k in TEXT_KEYS {
        match obj.remove(*k) {
            Some(Value::String(s)) => return Ok(Some(s)),
            Some(other) => {
                let kind = match other {
                    Value::Null => "null",
                    Value::Bool(_) => "a boolean",
                    Value::Number(_) => "a number",
                    Value::Array(_) => "an array",
                    _ => "an object",
                };
                return Err(format!("\"{k}\" must be a string, not {kind}"));
            }
            None => {}
        }
    }
    Ok(None)
}

const ID_KEYS: &[&str] = &["id", "essay_id"];
const TEXT_KEYS: &[&str] = &["text", "full_text", "essay"];
const TITLE_KEYS: &[&str] = &["title", "prompt"];

fn jsonl_records<R: BufRead + Send>(
    mut reader: R,
    name: String,
    opts: ReadOptions,
) -> impl Iterator<Item = Item> + Send {
    let mut line_no = 0;
    let mut buf = Vec::new();
    let mut done = false;
    std::iter::from_fn(move || loop {
        if done {
            return None;
        }
        buf.clear();
        line_no += 1;
        let here = format!("{name}:{line_no}");
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => {
                // A read error ends this input; report it once as a record.
                let error = Error::io(&name, e);
                done = true;
                return Some(Err(Failed { id: here, error }));
            }
        }
        // Editors on Windows start UTF-8 files with a byte-order mark.
        let line = match buf.strip_prefix(BOM) {
            Some(rest) if line_no == 1 => rest,
            _ => &buf[..],
        };
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        return Some(parse_json_line(line, here, &name, line_no, opts));
    })
}

const BOM: &[u8] = b"\xef\xbb\xbf";

/// JSONL records from standard input. Plain text piped in by mistake would give
/// one `invalid_json` error per line, so input whose first line is not a JSON
/// object is refused as a whole, with a hint.
fn stdin_records(opts: ReadOptions) -> Result<impl Iterator<Item = Item> + Send> {
    let mut reader = BufReader::new(std::io::stdin());
    let mut head = Vec::new();
    loop {
        let start = head.len();
        let n = reader
            .read_until(b'\n', &mut head)
            .map_err(|e| Error::io("<stdin>", e))?;
        let line = &head[start..];
        let line = if start == 0 {
            line.strip_prefix(BOM).unwrap_or(line)
        } else {
            line
        };
        if n == 0 {
            break;
        }
        match line.iter().find(|b| !b.is_ascii_whitespace()) {
            None => continue,
            Some(b'{') => break,
            Some(_) => {
                return Err(Error::BadRecord {
                    what: "<stdin>".into(),
                    message: "standard input is not JSONL (one {\"id\", \"text\"} object per \
                              line); to analyse one essay from standard input, use \
                              `essaymap analyze -`"
                        .into(),
                })
            }
        }
    }
    Ok(jsonl_records(
        std::io::Cursor::new(head).chain(reader),
        "<stdin>".into(),
        opts,
    ))
}

fn parse_json_line(buf: &[u8], here: String, name: &str, line: usize, opts: ReadOptions) -> Item {
    let fail = |id: String, error| Err(Failed { id, error });
    let line_text = match std::str::from_utf8(buf) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) if opts.lossy => String::from_utf8_lossy(buf),
        Err(e) => {
            // The bad bytes are usually in the text, so the line's own id can
            // still be read and the error reported under it.
            let id = match serde_json::from_str::<Value>(&String::from_utf8_lossy(buf)) {
                Ok(Value::Object(mut o)) => take_str(&mut o, ID_KEYS),
                _ => None,
            }
            .unwrap_or(here);
            let error = Error::InvalidUtf8 {
                what: id.clone(),
                offset: e.valid_up_to(),
            };
            return fail(id, error);
        }
    };
    let mut obj = match serde_json::from_str::<Value>(&line_text) {
        Ok(Value::Object(o)) => o,
        Ok(_) => {
            let error = Error::BadRecord {
                what: here.clone(),
                message: "line is not a JSON object".into(),
            };
            return fail(here, error);
        }
        Err(source) => {
            let error = Error::Json {
                what: name.to_string(),
                line,
                source,
            };
            return fail(here, error);
        }
    };
    let id = take_str(&mut obj, ID_KEYS).unwrap_or(here);
    let text = match take_text(&mut obj) {
        Ok(Some(text)) => text,
        Ok(None) => {
            let error = Error::BadRecord {
                what: id.clone(),
                message: "no \"text\" field".into(),
            };
            return fail(id, error);
        }
        Err(message) => {
            let error = Error::BadRecord {
                what: id.clone(),
                message,
            };
            return fail(id, error);
        }
    };
    let title = take_str(&mut obj, TITLE_KEYS);
    let meta = (!obj.is_empty()).then_some(obj);
    finish(id, text, title, meta, opts)
}

fn csv_records(path: &Path, opts: ReadOptions) -> Result<CsvRows<File>> {
    let open = || File::open(path).map_err(|e| Error::io(path, e));
    csv_rows(open()?, open()?, path.display().to_string(), opts)
}

/// The records of CSV data held in memory, read as `batch` reads a CSV file
/// (the server's uploads); `name` stands for the file in ids and messages.
///
/// # Errors
/// When the header cannot be read or has no text column.
pub fn csv_bytes<B: AsRef<[u8]> + Clone + Send>(
    data: B,
    name: &str,
    opts: ReadOptions,
) -> Result<impl Iterator<Item = Item> + Send> {
    let cursor = std::io::Cursor::new(data);
    csv_rows(cursor.clone(), cursor, name.to_string(), opts)
}

/// The records of JSONL read from `reader`, as `batch` reads a JSONL file;
/// `name` stands for the file in ids (`NAME:LINE`) and messages.
pub fn jsonl_reader<R: BufRead + Send>(
    reader: R,
    name: &str,
    opts: ReadOptions,
) -> impl Iterator<Item = Item> + Send {
    jsonl_records(reader, name.to_string(), opts)
}

/// The CSV rows of `parsed`, with `raw` the same bytes read alongside.
fn csv_rows<R: Read + std::io::Seek>(
    parsed: R,
    raw: R,
    name: String,
    opts: ReadOptions,
) -> Result<CsvRows<R>> {
    let bad = |e: csv::Error| csv_error(Path::new(&name), e);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(parsed);
    let headers: Vec<String> = reader
        .byte_headers()
        .map_err(bad)?
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase()
        })
        .collect();
    let find = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| headers.iter().position(|h| h == k))
    };
    let Some(text_col) = find(TEXT_KEYS) else {
        return Err(Error::BadRecord {
            what: name,
            message: format!(
                "CSV header has no text column (text, full_text or essay): {headers:?}"
            ),
        });
    };
    let id_col = find(ID_KEYS);
    let title_col = find(TITLE_KEYS);
    Ok(CsvRows {
        reader,
        raw: BufReader::new(raw),
        raw_pos: 0,
        span: Vec::new(),
        row: csv::ByteRecord::new(),
        index: 0,
        done: false,
        headers,
        text_col,
        id_col,
        title_col,
        name,
        opts,
    })
}

/// The data rows of a CSV file. The csv parser lets a quoted field run on
/// until the next quote, however far, so a field whose closing quote is
/// missing swallows the rows after it into its text. Each row's bytes are
/// therefore also read raw and checked; such a row becomes one error item, and
/// reading goes on at the line after its opening quote.
struct CsvRows<R> {
    reader: csv::Reader<R>,
    /// The same file, read alongside the parser for the raw bytes of each row.
    raw: BufReader<R>,
    raw_pos: u64,
    span: Vec<u8>,
    row: csv::ByteRecord,
    /// Data rows read so far (rows without an id are named by it).
    index: usize,
    done: bool,
    headers: Vec<String>,
    text_col: usize,
    id_col: Option<usize>,
    title_col: Option<usize>,
    name: String,
    opts: ReadOptions,
}

impl<R: Read + std::io::Seek> Iterator for CsvRows<R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if self.done {
            return None;
        }
        // Row 1 is the header, so data row i sits on line i + 2 for one-line rows.
        let here = format!("{}:{}", self.name, self.index + 2);
        self.index += 1;
        let fail = |id: String, message: String| {
            let what = id.clone();
            Some(Err(Failed {
                id,
                error: Error::BadRecord { what, message },
            }))
        };
        match self.reader.read_byte_record(&mut self.row) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                // Only I/O can fail here (rows may have any length), and it
                // ends the file: report it once.
                self.done = true;
                return fail(here, e.to_string());
            }
        }
        match self.unclosed_quote() {
            Ok(None) => Some(self.item(here)),
            Ok(Some((line, field, resume))) => {
                // The id survives when its column comes before the bad field.
                let id = match self.id_col {
                    Some(c) if c < field => self.field(Some(c), &here).ok().flatten(),
                    _ => None,
                }
                .unwrap_or_else(|| format!("{}:{line}", self.name));
                let what = format!("{}:{line}", self.name);
                let mut message = format!(
                    "a quoted field opened on this line is not closed where it should be, \
                     so it would swallow the rows after it; reading goes on at line {}",
                    line + 1
                );
                let mut pos = csv::Position::new();
                pos.set_byte(resume).set_line(line + 1);
                if let Err(e) = self.reader.seek(pos) {
                    self.done = true;
                    message = format!("{message}, but cannot: {e}");
                }
                let error = Error::BadRecord { what, message };
                Some(Err(Failed { id, error }))
            }
            Err(e) => {
                self.done = true;
                fail(here, format!("cannot read {}: {e}", self.name))
            }
        }
    }
}

impl<R: Read + std::io::Seek> CsvRows<R> {
    /// Checks the raw bytes of the row just parsed. Returns the line and field
    /// index of a quoted field that does not close properly (see [`bad_quote`])
    /// and the offset of the line after it, where reading should go on.
    fn unclosed_quote(&mut self) -> std::io::Result<Option<(u64, usize, u64)>> {
        let Some(start) = self.row.position().cloned() else {
            return Ok(None);
        };
        let end = self.reader.position().byte();
        self.raw_seek(start.byte())?;
        self.span.clear();
        (&mut self.raw)
            .take(end.saturating_sub(start.byte()))
            .read_to_end(&mut self.span)?;
        self.raw_pos = start.byte() + self.span.len() as u64;
        let Some((open, field)) = bad_quote(&self.span) else {
            return Ok(None);
        };
        let before = &self.span[..open];
        let line = start.line() + before.iter().filter(|&&b| b == b'\n').count() as u64;
        let resume = self.span[open..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(end, |i| start.byte() + (open + i + 1) as u64);
        self.raw_seek(resume)?;
        Ok(Some((line, field, resume)))
    }

    /// Moves the raw reader to byte `to`, keeping its buffer where it can.
    fn raw_seek(&mut self, to: u64) -> std::io::Result<()> {
        let by =
            i64::try_from(to).unwrap_or(i64::MAX) - i64::try_from(self.raw_pos).unwrap_or(i64::MAX);
        self.raw.seek_relative(by)?;
        self.raw_pos = to;
        Ok(())
    }

    fn field(&self, c: Option<usize>, here: &str) -> std::result::Result<Option<String>, Error> {
        let Some(bytes) = c.and_then(|c| self.row.get(c)) else {
            return Ok(None);
        };
        crate::io::decode(here, bytes.to_vec(), self.opts.lossy).map(Some)
    }

    /// The record of the row just parsed.
    fn item(&self, here: String) -> Item {
        let id = self
            .field(self.id_col, &here)
            .ok()
            .flatten()
            .unwrap_or_else(|| here.clone());
        let parsed = self
            .field(Some(self.text_col), &here)
            .and_then(|t| Ok((t, self.field(self.title_col, &here)?)));
        let (text, title) = match parsed {
            Ok(v) => v,
            Err(error) => return Err(Failed { id, error }),
        };
        let Some(text) = text else {
            let error = Error::BadRecord {
                what: id.clone(),
                message: format!("row has {} fields, no text", self.row.len()),
            };
            return Err(Failed { id, error });
        };
        let mut meta = Map::new();
        for (c, h) in self.headers.iter().enumerate() {
            if Some(c) != self.id_col && c != self.text_col && Some(c) != self.title_col {
                if let Some(v) = self.row.get(c) {
                    meta.insert(h.clone(), Value::String(String::from_utf8_lossy(v).into()));
                }
            }
        }
        let meta = (!meta.is_empty()).then_some(meta);
        finish(
            id,
            text,
            title.filter(|t| !t.trim().is_empty()),
            meta,
            self.opts,
        )
    }
}

/// The offset of the opening quote, and the field index, of the first quoted
/// field in `row` (raw CSV bytes) that is not closed, or whose closing quote is followed by
/// something other than a delimiter or line end (RFC 4180); the lenient csv
/// parser reads on in both cases.
fn bad_quote(row: &[u8]) -> Option<(usize, usize)> {
    let mut quoted = false;
    let (mut open, mut field, mut open_field) = (0, 0, 0);
    let mut after_close = false;
    let mut field_start = true;
    let mut i = 0;
    while i < row.len() {
        let b = row[i];
        if quoted {
            if b == b'"' {
                if row.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                    after_close = true;
                }
            }
        } else {
            let delimiter = matches!(b, b',' | b'\n' | b'\r');
            if after_close && !delimiter {
                return Some((open, open_field));
            }
            after_close = false;
            if field_start && b == b'"' {
                quoted = true;
                (open, open_field) = (i, field);
                field_start = false;
            } else {
                field_start = delimiter;
                match b {
                    b',' => field += 1,
                    b'\n' | b'\r' => field = 0,
                    _ => {}
                }
            }
        }
        i += 1;
    }
    quoted.then_some((open, open_field))
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        other => Error::BadRecord {
            what: path.display().to_string(),
            message: format!("{other:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                Ok(r) => r.id.clone(),
                Err(f) => format!("ERR {} {}", f.id, f.error.kind()),
            })
            .collect()
    }

    #[test]
    fn jsonl_keeps_going_after_bad_lines() {
        let data = b"{\"id\":\"a\",\"text\":\"One. Two.\",\"grade\":7}\n\
            {broken\n\
            {\"id\":\"c\"}\n\
            {\"id\":\"d\",\"text\":\"  \"}\n\
            {\"id\":\"e\",\"text\":\"bad \xff\"}\n\
            \n\
            {\"id\":5,\"full_text\":\"Five.\",\"prompt\":\"Why?\"}";
        let items: Vec<Item> =
            jsonl_records(&data[..], "in".into(), ReadOptions::default()).collect();
        assert_eq!(
            ids(&items),
            [
                "a",
                "ERR in:2 invalid_json",
                "ERR c bad_record",
                "ERR d bad_record",
                "ERR e invalid_utf8",
                "5"
            ]
        );
        let Ok(first) = &items[0] else { panic!() };
        assert_eq!(first.meta.as_ref().unwrap()["grade"], 7);
        let Ok(last) = &items[5] else { panic!() };
        assert_eq!(last.title.as_deref(), Some("Why?"));
    }

    #[test]
    fn too_large_records_fail() {
        let opts = ReadOptions {
            max_bytes: 4,
            ..ReadOptions::default()
        };
        let items: Vec<Item> = jsonl_records(
            &b"{\"id\":\"a\",\"text\":\"Too long.\"}"[..],
            "in".into(),
            opts,
        )
        .collect();
        assert_eq!(ids(&items), ["ERR a too_large"]);
    }

    #[test]
    fn lossy_replaces_bad_bytes_in_every_kind_of_input() {
        let lossy = ReadOptions {
            lossy: true,
            ..ReadOptions::default()
        };
        let text = |items: &[Item]| -> Vec<String> {
            items
                .iter()
                .map(|i| i.as_ref().map(|r| r.text.clone()).unwrap())
                .collect()
        };
        let line = b"{\"id\":\"e\",\"text\":\"bad \xff byte.\"}\n{broken \xff\n";
        let items: Vec<Item> = jsonl_records(&line[..], "in".into(), lossy).collect();
        assert_eq!(text(&items[..1]), ["bad \u{fffd} byte."]);
        assert_eq!(ids(&items[1..]), ["ERR in:2 invalid_json"]);

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), b"Caf\xe9 essay.").unwrap();
        let csv = dir.path().join("e.csv");
        std::fs::write(&csv, b"id,text\nx\xff,Na\xefve essay.\n").unwrap();
        let inputs = [Input::Dir(dir.path().into()), Input::Csv(csv)];
        let items: Vec<Item> = records(&inputs, lossy).unwrap().collect();
        assert_eq!(text(&items), ["Caf\u{fffd} essay.", "Na\u{fffd}ve essay."]);
        assert_eq!(ids(&items)[1], "x\u{fffd}");
        let strict: Vec<Item> = records(&inputs, ReadOptions::default()).unwrap().collect();
        // The CSV row's id is not UTF-8 either, so the row is reported by place.
        let strict = ids(&strict);
        assert_eq!(strict[0], "ERR a.txt invalid_utf8");
        assert!(strict[1].ends_with("e.csv:2 invalid_utf8"), "{strict:?}");
    }

    #[test]
    fn csv_detects_feedback_prize_headers() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e.csv");
        std::fs::write(
            &p,
            "essay_id,full_text,score\nx1,\"First essay. It has, commas.\",3\nx2,,4\nx3\n",
        )
        .unwrap();
        let items: Vec<Item> = csv_records(&p, ReadOptions::default()).unwrap().collect();
        assert_eq!(
            ids(&items),
            ["x1", "ERR x2 bad_record", "ERR x3 bad_record"]
        );
        let Ok(r) = &items[0] else { panic!() };
        assert_eq!(r.text, "First essay. It has, commas.");
        assert_eq!(r.meta.as_ref().unwrap()["score"], "3");
    }

    #[test]
    fn jsonl_accepts_a_byte_order_mark_and_wants_text_as_a_string() {
        let data = b"\xef\xbb\xbf{\"id\":\"a\",\"text\":\"One.\"}\n\
            {\"id\":\"n\",\"text\":12345}\n\
            {\"id\":\"o\",\"essay\":{\"body\":\"x\"}}\n";
        let items: Vec<Item> =
            jsonl_records(&data[..], "in".into(), ReadOptions::default()).collect();
        assert_eq!(ids(&items), ["a", "ERR n bad_record", "ERR o bad_record"]);
        let Err(f) = &items[1] else { panic!() };
        assert!(f
            .error
            .to_string()
            .contains("must be a string, not a number"));
    }

    #[test]
    fn a_csv_quote_left_open_fails_its_row_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e.csv");
        // Never closed (e2), and closed by the quote of a later row (e4).
        std::fs::write(
            &p,
            "id,text\ne1,\"One, fine.\"\ne2,\"Two\ne3,Three.\n\
             e4,\"Four\ne5,He said \"hi\" once.\ne6,\"Six,\nin two lines.\"\ne7,\"Seven",
        )
        .unwrap();
        let items: Vec<Item> = csv_records(&p, ReadOptions::default()).unwrap().collect();
        assert_eq!(
            ids(&items),
            [
                "e1",
                "ERR e2 bad_record",
                "e3",
                "ERR e4 bad_record",
                "e5",
                "e6",
                "ERR e7 bad_record"
            ]
        );
        let Err(f) = &items[3] else { panic!() };
        assert!(
            f.error.to_string().contains("e.csv:5: a quoted field"),
            "{}",
            f.error
        );
        let text = |i: usize| items[i].as_ref().unwrap().text.clone();
        assert_eq!(text(4), "He said \"hi\" once.");
        assert_eq!(text(5), "Six,\nin two lines.");
    }

    #[test]
    fn bad_quote_finds_fields_the_csv_parser_lets_run_on() {
        assert_eq!(bad_quote(b"a,\"b \"\"c\"\" d\",e\n"), None);
        assert_eq!(bad_quote(b"a,b \"c\" d\n"), None);
        assert_eq!(bad_quote(b"\n\"x\"\r\n"), None);
        assert_eq!(bad_quote(b"a,\"b\nc,d\n"), Some((2, 1)));
        assert_eq!(bad_quote(b"a,\"b\nc,\"d\",e\n"), Some((2, 1)));
    }

    #[test]
    fn csv_without_text_column_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e.csv");
        std::fs::write(&p, "a,b\n1,2\n").unwrap();
        assert!(csv_records(&p, ReadOptions::default()).is_err());
    }

    #[test]
    fn directories_are_walked_in_sorted_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("b.txt"), "B essay.").unwrap();
        std::fs::write(dir.path().join("sub/a.md"), "A essay.").unwrap();
        std::fs::write(dir.path().join("skip.json"), "{}").unwrap();
        std::fs::write(dir.path().join("bad.txt"), b"\xfe").unwrap();
        let items: Vec<Item> = records(&[Input::Dir(dir.path().into())], ReadOptions::default())
            .unwrap()
            .collect();
        assert_eq!(
            ids(&items),
            ["b.txt", "ERR bad.txt invalid_utf8", "sub/a.md"]
        );
    }
}
