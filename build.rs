//! With the `transformer` feature: finds the fine-tuned weights the binary
//! embeds, and gives our binaries and tests an RPATH to the folders that
//! libtorch's libraries really live in (the set-up script links them from PyPI
//! wheels), so they run without LD_LIBRARY_PATH. RPATH, not RUNPATH: it must
//! also resolve libtorch_cpu's own dependencies.
//!
//! The weights (7 MB) are in the git repository but not in the crates.io
//! package, whose default build never needs them: a build from the package
//! names the file with `ESSAYMAP_TRANSFORMER_WEIGHTS`.
use std::collections::BTreeSet;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_TRANSFORMER").is_none() {
        return;
    }
    println!("cargo:rerun-if-env-changed=ESSAYMAP_TRANSFORMER_WEIGHTS");
    let weights = match std::env::var_os("ESSAYMAP_TRANSFORMER_WEIGHTS") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default())
            .join("models/roles-transformer.safetensors"),
    };
    if !weights.is_file() {
        // A build script reports a fatal problem by failing; the message is
        // what the user reads.
        eprintln!(
            "essaymap: the transformer feature embeds fine-tuned weights, but {} is missing: \
             build from the git repository, or set ESSAYMAP_TRANSFORMER_WEIGHTS to the file",
            weights.display()
        );
        std::process::exit(1);
    }
    println!("cargo:rerun-if-changed={}", weights.display());
    println!(
        "cargo:rustc-env=ESSAYMAP_TRANSFORMER_WEIGHTS_FILE={}",
        weights.display()
    );
    let Some(root) = std::env::var_os("LIBTORCH") else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(PathBuf::from(root).join("lib")) else {
        return;
    };
    let dirs: BTreeSet<String> = entries
        .filter_map(|e| std::fs::canonicalize(e.ok()?.path()).ok())
        .filter_map(|p| Some(p.parent()?.display().to_string()))
        .collect();
    if !dirs.is_empty() {
        let joined = dirs.into_iter().collect::<Vec<_>>().join(":");
        println!("cargo:rustc-link-arg=-Wl,--disable-new-dtags,-rpath,{joined}");
    }
}
