//! Many essays: the `batch` job. Input readers ([`read`]) stream records from
//! directories, JSONL and CSV files; the runner ([`runner`]) processes them in
//! parallel, in input order, resumably; [`BatchProcessor`] is the job itself, a
//! thin caller of the [`crate::Analyzer`] facade.

mod job;
pub mod read;
pub mod runner;

pub use job::BatchProcessor;
pub use runner::error_line;
