//! With the `transformer` feature, gives our binaries and tests an RPATH to the
//! folders that libtorch's libraries really live in (the set-up script links them
//! from PyPI wheels), so they run without LD_LIBRARY_PATH. RPATH, not RUNPATH:
//! it must also resolve libtorch_cpu's own dependencies.
use std::collections::BTreeSet;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_TRANSFORMER").is_none() {
        return;
    }
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
