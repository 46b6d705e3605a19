//! `--backend`: the embedded role model alone, or with the fine-tuned
//! transformer on top (a build with the `transformer` feature).

use anyhow::Result;
use essaymap::Pipeline;
use std::path::PathBuf;

/// Which role model labels the sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// The linear model compiled into the binary (fast, no set-up).
    Embedded,
    /// The fine-tuned transformer fused with it (accurate mode; needs a build with
    /// `--features transformer` and scripts/setup-transformer.sh).
    Transformer,
}

/// Backend options shared by analyze, batch and eval.
#[derive(Debug, clap::Args)]
pub struct BackendArgs {
    /// Role model backend.
    #[arg(long, value_enum, default_value_t = Backend::Embedded)]
    pub backend: Backend,
    /// With --backend transformer: fine-tuned weights to use instead of the
    /// built-in ones (a file written by `train --backend transformer`).
    #[arg(long, value_name = "PATH")]
    pub transformer_model: Option<PathBuf>,
}

impl BackendArgs {
    /// `pipeline`, with the transformer on top when asked for.
    pub fn apply(&self, pipeline: Pipeline) -> Result<Pipeline> {
        match self.backend {
            Backend::Embedded => Ok(pipeline),
            Backend::Transformer => transformer(pipeline, self.transformer_model.as_ref()),
        }
    }
}

#[cfg(feature = "transformer")]
fn transformer(pipeline: Pipeline, weights: Option<&PathBuf>) -> Result<Pipeline> {
    use essaymap::classify::transformer::{base_dir, Transformer};
    keep_freed_memory();
    let dir = base_dir();
    let t = match weights {
        Some(p) => Transformer::from_file(&dir, p)?,
        None => Transformer::embedded(&dir)?,
    };
    Ok(pipeline.with_refiner(std::sync::Arc::new(t)))
}

/// libtorch allocates and frees its activations (up to ~25 MB each) on every
/// layer. With glibc's defaults such blocks come from fresh mmaps or are
/// trimmed back to the system when freed, so each batch page-faults its
/// buffers in afresh: a fifth of the run was kernel time. Serving them from
/// the heap and trimming it only past 256 MB cut that to 4.5% (about 25%
/// faster; `essaymap batch --backend transformer` on 30 generated essays) for
/// up to 40 MB more peak RSS.
#[cfg(all(feature = "transformer", target_env = "gnu"))]
pub fn keep_freed_memory() {
    // SAFETY: mallopt only sets allocator parameters; it is called before the
    // model is loaded. A refused value leaves glibc's default in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

#[cfg(all(feature = "transformer", not(target_env = "gnu")))]
pub fn keep_freed_memory() {}

/// Makes libtorch's thread pool as large as `--threads`, so the network and
/// the rayon workers (which wait while it runs) share the same cores.
#[cfg(feature = "transformer")]
pub fn set_threads(n: usize) {
    tch::set_num_threads(i32::try_from(n).unwrap_or(i32::MAX));
}

/// Without libtorch only rayon's pool follows `--threads`.
#[cfg(not(feature = "transformer"))]
pub fn set_threads(_: usize) {}

/// What to run when the transformer backend is asked of a build without it.
#[cfg(not(feature = "transformer"))]
pub const NOT_BUILT: &str = "--backend transformer needs a build with the transformer \
    feature: run scripts/setup-transformer.sh, then cargo build --release --features transformer";

#[cfg(not(feature = "transformer"))]
fn transformer(_: Pipeline, _: Option<&PathBuf>) -> Result<Pipeline> {
    anyhow::bail!(NOT_BUILT)
}
