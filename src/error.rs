//! The crate's error type.
//!
//! One `thiserror` enum for the whole library, so callers can match on what went
//! wrong; [`Error::kind`] gives the stable machine-readable code that batch error
//! records carry (`{"error": {"kind", "message"}}`). Causes are kept as sources,
//! never flattened into strings, and context (path, line, record) is in named fields.

use std::path::PathBuf;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Input bytes are not UTF-8.
    #[error("{what}: invalid UTF-8 at byte offset {offset} (use --lossy to replace bad bytes)")]
    InvalidUtf8 {
        /// The file or record.
        what: String,
        /// Byte offset of the first bad byte.
        offset: usize,
    },
    /// A JSON record could not be parsed.
    #[error("{what}: line {line}: invalid JSON: {source}")]
    Json {
        /// The file.
        what: String,
        /// 1-based line number.
        line: usize,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// A record lacks something it needs or holds something it must not.
    #[error("{what}: {message}")]
    BadRecord {
        /// The file, line or record id.
        what: String,
        /// What is wrong.
        message: String,
    },
    /// A record is larger than the configured limit.
    #[error("{what}: {size} bytes is over the limit of {limit} bytes")]
    TooLarge {
        /// The record.
        what: String,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// A model file is missing, corrupt or of another version.
    #[error("model {what}: {message}")]
    Model {
        /// The model file or resource.
        what: String,
        /// What is wrong.
        message: String,
    },
    /// A rubric file is malformed or names something that does not exist.
    #[error("rubric {what}: {message}")]
    Rubric {
        /// The rubric file.
        what: String,
        /// What is wrong.
        message: String,
    },
    /// A model file was made for another format version, feature spec or label set.
    #[error("model {what}: {field} is {found}, this build expects {expected} (retrain or use a matching build)")]
    ModelMismatch {
        /// The model file or resource.
        what: String,
        /// What differs.
        field: &'static str,
        /// What this build expects.
        expected: String,
        /// What the file holds.
        found: String,
    },
    /// A backend or feature this build does not have.
    #[error("{0}")]
    Unavailable(String),
}

impl Error {
    /// Stable code naming the kind of error, as written in batch error records.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::InvalidUtf8 { .. } => "invalid_utf8",
            Error::Json { .. } => "invalid_json",
            Error::BadRecord { .. } => "bad_record",
            Error::TooLarge { .. } => "too_large",
            Error::Model { .. } => "model",
            Error::Rubric { .. } => "rubric",
            Error::ModelMismatch { .. } => "model_mismatch",
            Error::Unavailable(_) => "unavailable",
        }
    }

    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
