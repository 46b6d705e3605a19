//! The extension module behind the `essaymap` Python package: a thin caller of
//! the library's facade ([`Analyzer`], [`BatchProcessor`], [`render`]).
//!
//! Results cross into Python as JSON text (the same bytes the CLI and `batch`
//! write), which the package parses; records are processed in parallel on
//! rayon with the GIL released. Library errors become Python exceptions whose
//! class and `kind` attribute name the library's error kind.

use essaymap::batch::read::Record;
use essaymap::batch::runner::Processor;
use essaymap::batch::{error_line, BatchProcessor};
use essaymap::grade::Rubric;
use essaymap::link::LinkModel;
use essaymap::render::{self, Format};
use essaymap::segment::RuleSegmenter;
use essaymap::{Analysis, Analyzer, Error, Essay};
use pyo3::exceptions::{PyException, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pyo3::create_exception!(
    _essaymap,
    EssaymapError,
    PyException,
    "An essaymap error; `kind` is the library's stable code (as in batch error records)."
);
pyo3::create_exception!(
    _essaymap,
    IoError,
    EssaymapError,
    "kind \"io\": a file could not be read."
);
pyo3::create_exception!(
    _essaymap,
    InvalidUtf8Error,
    EssaymapError,
    "kind \"invalid_utf8\": bytes that are not UTF-8."
);
pyo3::create_exception!(
    _essaymap,
    InvalidJsonError,
    EssaymapError,
    "kind \"invalid_json\": a JSON input could not be parsed."
);
pyo3::create_exception!(
    _essaymap,
    BadRecordError,
    EssaymapError,
    "kind \"bad_record\": a record lacks something it needs or holds something it must not."
);
pyo3::create_exception!(
    _essaymap,
    TooLargeError,
    EssaymapError,
    "kind \"too_large\": a text over the size limit."
);
pyo3::create_exception!(
    _essaymap,
    ModelError,
    EssaymapError,
    "kind \"model\": a model file is missing or corrupt."
);
pyo3::create_exception!(
    _essaymap,
    RubricError,
    EssaymapError,
    "kind \"rubric\": a rubric file is malformed."
);
pyo3::create_exception!(
    _essaymap,
    ModelMismatchError,
    EssaymapError,
    "kind \"model_mismatch\": a model file made for another version."
);
pyo3::create_exception!(
    _essaymap,
    UnavailableError,
    EssaymapError,
    "kind \"unavailable\": a feature this build does not have."
);

/// The Python exception for `e`, with `kind` and `message` attributes.
fn py_err(py: Python<'_>, e: &Error) -> PyErr {
    let kind = e.kind();
    let message = e.to_string();
    let err = match kind {
        "io" => IoError::new_err(message.clone()),
        "invalid_utf8" => InvalidUtf8Error::new_err(message.clone()),
        "invalid_json" => InvalidJsonError::new_err(message.clone()),
        "bad_record" => BadRecordError::new_err(message.clone()),
        "too_large" => TooLargeError::new_err(message.clone()),
        "model" => ModelError::new_err(message.clone()),
        "rubric" => RubricError::new_err(message.clone()),
        "model_mismatch" => ModelMismatchError::new_err(message.clone()),
        "unavailable" => UnavailableError::new_err(message.clone()),
        _ => EssaymapError::new_err(message.clone()),
    };
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail.
    let _ = value.setattr("kind", kind);
    let _ = value.setattr("message", message);
    err
}

/// Every stage loaded once, with an optional thread pool of its own.
#[pyclass(frozen, module = "essaymap._essaymap")]
struct Engine {
    analyzer: Analyzer,
    processor: Arc<BatchProcessor>,
    pool: Option<Arc<rayon::ThreadPool>>,
    max_bytes: usize,
}

impl Engine {
    /// Runs `f` with the GIL released, in this engine's pool if it has one.
    fn detached<T: Send>(&self, py: Python<'_>, f: impl FnOnce() -> T + Send) -> T {
        py.allow_threads(|| match &self.pool {
            Some(pool) => pool.install(f),
            None => f(),
        })
    }

    /// The size limit of `batch`, for one text named `what`.
    fn check_size(&self, what: &str, text: &str) -> Result<(), Error> {
        if text.len() > self.max_bytes {
            return Err(Error::TooLarge {
                what: what.to_string(),
                size: text.len(),
                limit: self.max_bytes,
            });
        }
        Ok(())
    }

    /// The records of `items` (str, bytes or dicts), the first at position
    /// `start`, read from Python: a record that cannot be read becomes its
    /// error line here, as in `batch`.
    fn read(&self, items: &Bound<'_, PyList>, start: usize) -> Batch {
        let mut records = Vec::with_capacity(items.len());
        let mut failed = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match record(&item, start + i).and_then(|r| {
                self.check_size(&r.id, &r.text)?;
                if r.text.trim().is_empty() {
                    return Err(Error::BadRecord {
                        what: r.id.clone(),
                        message: "empty essay".into(),
                    });
                }
                Ok(r)
            }) {
                Ok(r) => records.push(r),
                Err(e) => {
                    let id = match &e {
                        Error::BadRecord { what, .. }
                        | Error::TooLarge { what, .. }
                        | Error::InvalidUtf8 { what, .. } => what.clone(),
                        _ => (start + i).to_string(),
                    };
                    failed.push((i, error_line(&id, &e)));
                }
            }
        }
        Batch {
            len: items.len(),
            records,
            failed,
        }
    }
}

/// A `str` argument, or UTF-8 `bytes` (decoded strictly, as the CLI reads files).
fn text_arg(py: Python<'_>, what: &str, text: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = text.downcast::<PyString>() {
        return s.extract::<String>();
    }
    if let Ok(b) = text.downcast::<PyBytes>() {
        return essaymap::io::decode(what, b.as_bytes().to_vec(), false)
            .map_err(|e| py_err(py, &e));
    }
    Err(PyTypeError::new_err(format!(
        "text must be str or bytes, not {}",
        type_name(text)
    )))
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map_or_else(|_| "?".to_string(), |n| n.to_string())
}

#[pymethods]
impl Engine {
    #[new]
    #[pyo3(signature = (model=None, links_model=None, rubric=None, threads=None, max_bytes=5 * 1024 * 1024))]
    fn new(
        py: Python<'_>,
        model: Option<PathBuf>,
        links_model: Option<PathBuf>,
        rubric: Option<PathBuf>,
        threads: Option<usize>,
        max_bytes: usize,
    ) -> PyResult<Engine> {
        let load = || -> Result<Analyzer, Error> {
            let roles = match &model {
                Some(p) => essaymap::Pipeline::from_model_file(p)?,
                None => essaymap::Pipeline::embedded()?,
            };
            let mut analyzer = Analyzer::new(roles)?;
            if let Some(p) = &rubric {
                analyzer = analyzer.with_rubric(Rubric::from_file(p)?);
            }
            if let Some(p) = &links_model {
                analyzer = analyzer.with_links(LinkModel::load(p)?);
            }
            Ok(analyzer)
        };
        let analyzer = load().map_err(|e| py_err(py, &e))?;
        let pool = match threads {
            None => None,
            Some(0) => return Err(PyValueError::new_err("threads must be at least 1")),
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .thread_name(|i| format!("essaymap-{i}"))
                    .build()
                    .map(Arc::new)
                    .map_err(|e| PyValueError::new_err(format!("cannot start {n} threads: {e}")))?,
            ),
        };
        Ok(Engine {
            processor: Arc::new(BatchProcessor::new(analyzer.clone())),
            analyzer,
            pool,
            max_bytes,
        })
    }

    /// One essay as compact JSON (the object of `analyze --format json`).
    #[pyo3(signature = (text, title=None, id=None))]
    fn analyze(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        title: Option<String>,
        id: Option<String>,
    ) -> PyResult<String> {
        let what = id.clone().unwrap_or_else(|| "<text>".into());
        let text = text_arg(py, &what, text)?;
        self.check_size(&what, &text).map_err(|e| py_err(py, &e))?;
        let essay = Essay {
            text,
            id,
            prompt: title,
        };
        self.detached(py, || {
            let a = self.analyzer.analyze(essay)?;
            render::to_string(&a, Format::Jsonl)
        })
        .map_err(|e| py_err(py, &e))
    }

    /// `analysis` (JSON text of an analysis) rendered as `format`.
    fn render(&self, py: Python<'_>, analysis: &str, format: &str) -> PyResult<String> {
        let format: Format = format.parse().map_err(PyValueError::new_err)?;
        let a: Analysis = serde_json::from_str(analysis)
            .map_err(|e| PyValueError::new_err(format!("not an essaymap analysis: {e}")))?;
        py.allow_threads(|| render::to_string(&a, format))
            .map_err(|e| py_err(py, &e))
    }

    /// The summary CSV columns of `batch --summary`, in order.
    #[getter]
    fn summary_columns(&self) -> Vec<&'static str> {
        self.processor.summary_header().to_vec()
    }

    /// A [`Stream`] of batches analysed in parallel, in the order fed; with
    /// `rows`, each line comes with its summary row.
    fn stream(slf: &Bound<'_, Self>, rows: bool) -> PyResult<Stream> {
        let engine = slf.get();
        let (input, batches) = mpsc::sync_channel::<Batch>(1);
        let (done, output) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let processor = Arc::clone(&engine.processor);
        let pool = engine.pool.clone();
        let stopped = Arc::clone(&stop);
        thread::Builder::new()
            .name("essaymap-stream".into())
            .spawn(move || {
                for batch in batches {
                    if stopped.load(Ordering::Relaxed) {
                        break;
                    }
                    let lines = match &pool {
                        Some(pool) => pool.install(|| batch.analyse(&processor)),
                        None => batch.analyse(&processor),
                    };
                    if done.send(lines).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start a thread: {e}")))?;
        Ok(Stream {
            engine: slf.clone().unbind(),
            input,
            output: Mutex::new(output),
            stop,
            rows,
        })
    }
}

/// A batch of records read from Python, with the positions of those that
/// failed to read and their error lines.
struct Batch {
    len: usize,
    records: Vec<Record>,
    failed: Vec<(usize, String)>,
}

/// Output lines of a batch: `(json line, summary row)`, or `(error line, None)`.
type Lines = Vec<(String, Option<Vec<String>>)>;

impl Batch {
    /// Every record analysed, in parallel, and the lines merged in input order.
    fn analyse(self, processor: &BatchProcessor) -> Lines {
        let ids: Vec<String> = self.records.iter().map(|r| r.id.clone()).collect();
        let done = processor.process_many(self.records);
        let mut done = done.into_iter().zip(ids).map(|(r, id)| match r {
            Ok((line, row)) => (line, Some(row)),
            Err(e) => (error_line(&id, &e), None),
        });
        let mut failed = self.failed.into_iter().peekable();
        (0..self.len)
            .filter_map(|i| match failed.peek() {
                Some((j, _)) if *j == i => failed.next().map(|(_, line)| (line, None)),
                _ => done.next(),
            })
            .collect()
    }
}

/// Batches analysed one after another on a thread of their own: Python feeds
/// batches and takes results, and the analysis never waits for the GIL.
/// Python-side threads handing batches to rayon (the previous design) queued
/// on the GIL whenever a batch finished, and left the cores idle meanwhile.
#[pyclass(module = "essaymap._essaymap")]
struct Stream {
    engine: Py<Engine>,
    /// The thread ends when this is dropped.
    input: mpsc::SyncSender<Batch>,
    output: Mutex<mpsc::Receiver<Lines>>,
    /// Set when the stream is dropped, so batches still queued are skipped.
    stop: Arc<AtomicBool>,
    rows: bool,
}

#[pymethods]
impl Stream {
    /// Queues `items` (str, bytes or dicts; the first at position `start`);
    /// waits, with the GIL released, while a batch is already queued.
    fn feed(&self, py: Python<'_>, items: &Bound<'_, PyList>, start: usize) -> PyResult<()> {
        let batch = self.engine.get().read(items, start);
        py.allow_threads(|| self.input.send(batch))
            .map_err(|_| stopped())
    }

    /// The lines of the oldest batch fed and not yet taken (a list of str, or
    /// of `(line, row)` tuples for a stream with rows), waiting for them with
    /// the GIL released.
    fn take(&self, py: Python<'_>) -> PyResult<PyObject> {
        let lines = py
            .allow_threads(|| match self.output.lock() {
                Ok(output) => output.recv().ok(),
                Err(_) => None,
            })
            .ok_or_else(stopped)?;
        if self.rows {
            return lines.into_pyobject(py).map(|l| l.into_any().unbind());
        }
        let lines: Vec<String> = lines.into_iter().map(|(line, _)| line).collect();
        lines.into_pyobject(py).map(|l| l.into_any().unbind())
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The error of a stream whose thread is gone.
fn stopped() -> PyErr {
    PyRuntimeError::new_err("the essaymap stream has stopped")
}

/// The batch record of `item` at `position`: a text (its id is the position),
/// UTF-8 bytes, or a dict read as `batch` reads a JSONL object (`id`/`essay_id`,
/// `text`/`full_text`/`essay`, `title`/`prompt`, other keys kept as `meta`).
fn record(item: &Bound<'_, PyAny>, position: usize) -> Result<Record, Error> {
    let here = position.to_string();
    let Ok(dict) = item.downcast::<PyDict>() else {
        let text = plain_text(&here, item)?.ok_or_else(|| Error::BadRecord {
            what: here.clone(),
            message: format!(
                "a record is a str, UTF-8 bytes or a dict with \"text\", not {}",
                type_name(item)
            ),
        })?;
        return Ok(Record {
            id: here,
            title: None,
            text,
            meta: None,
        });
    };
    let mut fields = Vec::with_capacity(dict.len());
    for (k, v) in dict.iter() {
        let Ok(key) = k.extract::<String>() else {
            return Err(Error::BadRecord {
                what: here,
                message: format!("a record's keys are strings, not {}", type_name(&k)),
            });
        };
        fields.push((key, v));
    }
    let id = take_str(&mut fields, &["id", "essay_id"]).unwrap_or(here);
    let text = take_text(&mut fields, &id)?;
    let title = take_str(&mut fields, &["title", "prompt"]);
    let mut meta = Map::new();
    for (k, v) in fields {
        let value = json_value(&v).map_err(|message| Error::BadRecord {
            what: id.clone(),
            message: format!("field {k:?}: {message}"),
        })?;
        meta.insert(k, value);
    }
    Ok(Record {
        id,
        title,
        text,
        meta: (!meta.is_empty()).then_some(meta),
    })
}

type Fields<'py> = Vec<(String, Bound<'py, PyAny>)>;

/// Removes the first of `keys` present in `fields` as a string or number (as
/// `batch` reads ids and titles); other values stay, to be passed through.
fn take_str(fields: &mut Fields<'_>, keys: &[&str]) -> Option<String> {
    for k in keys {
        let Some(i) = fields.iter().position(|(key, _)| key == k) else {
            continue;
        };
        let v = &fields[i].1;
        let s = if v.is_instance_of::<PyBool>() {
            None
        } else if v.is_instance_of::<PyString>() || v.is_instance_of::<PyInt>() {
            v.str().ok().map(|s| s.to_string())
        } else if let Ok(f) = v.downcast::<PyFloat>() {
            serde_json::Number::from_f64(f.value()).map(|n| n.to_string())
        } else {
            None
        };
        if s.is_some() {
            fields.remove(i);
            return s;
        }
    }
    None
}

/// Removes the text: the first of `text`, `full_text`, `essay` present, which
/// must be a str (or UTF-8 bytes).
fn take_text(fields: &mut Fields<'_>, id: &str) -> Result<String, Error> {
    for k in ["text", "full_text", "essay"] {
        let Some(i) = fields.iter().position(|(key, _)| key == k) else {
            continue;
        };
        let (_, v) = fields.remove(i);
        return plain_text(id, &v)?.ok_or_else(|| Error::BadRecord {
            what: id.to_string(),
            message: format!("\"{k}\" must be a string, not {}", json_kind(&v)),
        });
    }
    Err(Error::BadRecord {
        what: id.to_string(),
        message: "no \"text\" field".into(),
    })
}

/// What `v` would be in JSON, in the words of `batch`'s messages.
fn json_kind(v: &Bound<'_, PyAny>) -> String {
    if v.is_none() {
        "null".into()
    } else if v.is_instance_of::<PyBool>() {
        "a boolean".into()
    } else if v.is_instance_of::<PyInt>() || v.is_instance_of::<PyFloat>() {
        "a number".into()
    } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        "an array".into()
    } else if v.is_instance_of::<PyDict>() {
        "an object".into()
    } else {
        type_name(v)
    }
}

/// A str, or UTF-8 bytes; `None` for anything else.
fn plain_text(what: &str, v: &Bound<'_, PyAny>) -> Result<Option<String>, Error> {
    if let Ok(s) = v.downcast::<PyString>() {
        return s
            .extract::<String>()
            .map(Some)
            .map_err(|e| Error::BadRecord {
                what: what.to_string(),
                message: format!("text is not valid Unicode: {e}"),
            });
    }
    if let Ok(b) = v.downcast::<PyBytes>() {
        return essaymap::io::decode(what, b.as_bytes().to_vec(), false).map(Some);
    }
    Ok(None)
}

/// A passed-through field as JSON: `None`, bools, numbers, str, lists,
/// tuples and dicts with str keys.
fn json_value(v: &Bound<'_, PyAny>) -> Result<Value, String> {
    if v.is_none() {
        Ok(Value::Null)
    } else if let Ok(b) = v.downcast::<PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if v.is_instance_of::<PyInt>() {
        if let Ok(n) = v.extract::<i64>() {
            Ok(n.into())
        } else if let Ok(n) = v.extract::<u64>() {
            Ok(n.into())
        } else {
            Err("an integer too large for JSON".into())
        }
    } else if let Ok(f) = v.downcast::<PyFloat>() {
        // NaN and infinities have no JSON form; like serde_json, write null.
        Ok(Value::from(f.value()))
    } else if let Ok(s) = v.downcast::<PyString>() {
        s.extract::<String>()
            .map(Value::String)
            .map_err(|e| format!("not valid Unicode: {e}"))
    } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for x in v.try_iter().map_err(|e| e.to_string())? {
            out.push(json_value(&x.map_err(|e| e.to_string())?)?);
        }
        Ok(Value::Array(out))
    } else if let Ok(d) = v.downcast::<PyDict>() {
        let mut out = Map::new();
        for (k, x) in d.iter() {
            let k = k
                .extract::<String>()
                .map_err(|_| format!("a dict key must be a str, not {}", type_name(&k)))?;
            out.insert(k, json_value(&x)?);
        }
        Ok(Value::Object(out))
    } else {
        Err(format!("{} cannot be written as JSON", type_name(v)))
    }
}

/// The paragraphs and sentences of `text` as JSON, as `essaymap segment`
/// writes them.
#[pyfunction]
#[pyo3(signature = (text, id=None))]
fn segment(py: Python<'_>, text: &Bound<'_, PyAny>, id: Option<String>) -> PyResult<String> {
    let what = id.clone().unwrap_or_else(|| "<text>".into());
    let text = text_arg(py, &what, text)?;
    let doc =
        py.allow_threads(|| essaymap::segment::document(&RuleSegmenter::default(), id, None, text));
    serde_json::to_string(&doc).map_err(|e| PyValueError::new_err(e.to_string()))
}

#[pymodule]
fn _essaymap(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Engine>()?;
    m.add_class::<Stream>()?;
    m.add_function(wrap_pyfunction!(segment, m)?)?;
    m.add("EssaymapError", py.get_type::<EssaymapError>())?;
    m.add("IoError", py.get_type::<IoError>())?;
    m.add("InvalidUtf8Error", py.get_type::<InvalidUtf8Error>())?;
    m.add("InvalidJsonError", py.get_type::<InvalidJsonError>())?;
    m.add("BadRecordError", py.get_type::<BadRecordError>())?;
    m.add("TooLargeError", py.get_type::<TooLargeError>())?;
    m.add("ModelError", py.get_type::<ModelError>())?;
    m.add("RubricError", py.get_type::<RubricError>())?;
    m.add("ModelMismatchError", py.get_type::<ModelMismatchError>())?;
    m.add("UnavailableError", py.get_type::<UnavailableError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
