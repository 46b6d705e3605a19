//! The crate's layering, checked from the sources: which top-level module may
//! import which (`crate::x` paths outside comments and test code).
//!
//! - no two top-level modules import each other (directly or through others);
//! - no pipeline stage imports the training tree, the facade or the callers
//!   above it (batch, report);
//! - `render` and `report` are leaves: they import no stage that runs a model.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module -> the top-level modules its non-test code imports.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap();
            let top = rel.iter().next().unwrap().to_string_lossy();
            let top = top.trim_end_matches(".rs").to_string();
            // The binary (main.rs, cli/) uses the library by its public paths.
            if !matches!(path.extension(), Some(e) if e == "rs") || top == "main" || top == "cli" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let deps = out.entry(top.clone()).or_default();
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for m in line.split("crate::").skip(1).map(leading_name) {
                    if !m.is_empty() && m != top {
                        deps.insert(m);
                    }
                }
                if let Some(group) = line.split("use crate::{").nth(1) {
                    for part in group.split(',') {
                        let m = leading_name(part.trim_start());
                        if !m.is_empty() && m != top {
                            deps.insert(m);
                        }
                    }
                }
            }
        }
    }
    out
}

fn leading_name(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
        .collect()
}

/// Every module `m` reaches through imports.
fn reach(graph: &BTreeMap<String, BTreeSet<String>>, m: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&str> = graph
        .get(m)
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    while let Some(n) = todo.pop() {
        if seen.insert(n.to_string()) {
            todo.extend(graph.get(n).into_iter().flatten().map(String::as_str));
        }
    }
    seen
}

#[test]
fn no_module_reaches_itself() {
    let graph = imports();
    assert!(graph.len() > 10, "found only {:?}", graph.keys());
    for m in graph.keys() {
        assert!(
            !reach(&graph, m).contains(m),
            "{m} imports itself through {graph:?}"
        );
    }
}

#[test]
fn stages_import_nothing_above_them() {
    let graph = imports();
    let stages = [
        "segment", "features", "classify", "link", "map", "grade", "pipeline", "document",
        "argument", "text", "util",
    ];
    for s in stages {
        let reached = reach(&graph, s);
        for above in ["train", "analyzer", "batch", "report", "render"] {
            assert!(!reached.contains(above), "{s} reaches {above}");
        }
    }
}

#[test]
fn render_and_report_call_no_model() {
    let graph = imports();
    for leaf in ["render", "report"] {
        let reached = reach(&graph, leaf);
        for stage in [
            "segment", "features", "classify", "link", "map", "pipeline", "analyzer",
        ] {
            assert!(!reached.contains(stage), "{leaf} reaches {stage}");
        }
    }
}
