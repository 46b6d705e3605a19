//! Cost of each stage after the role model, on the same ~400-word essay as the
//! `classify` bench: linking (link features, pair, relation and stance models,
//! forest decoding), the argument map plus grading, and the JSON line that
//! `batch` writes (also through serde_json, for comparison). Together with `classify` it splits the per-essay time of
//! `essaymap batch` by stage, which is where speed work should start.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use essaymap::grade::Grader;
use essaymap::link::{LearnedLinker, Linker};
use essaymap::render::{self, Format};
use essaymap::{Analyzer, ArgumentMap};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let text = include_str!("essay.txt").to_string();
    let (Ok(analyzer), Ok(linker)) = (Analyzer::embedded(), LearnedLinker::embedded()) else {
        eprintln!("embedded models failed to load; nothing to measure");
        return;
    };
    let Ok(doc) = analyzer.roles().label(text.into()) else {
        eprintln!("the bench essay failed to analyse; nothing to measure");
        return;
    };
    let grader = Grader::default();
    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Elements(1));
    g.bench_function("link", |b| {
        b.iter(|| {
            let mut d = doc.clone();
            black_box(linker.link_labelled(black_box(&mut d)).len())
        })
    });
    let mut linked = doc.clone();
    let links = linker.link_labelled(&mut linked);
    g.bench_function("map_and_grade", |b| {
        b.iter(|| {
            let map = ArgumentMap::build(black_box(&linked), &links);
            black_box(grader.grade_map(&linked, &map).feedback.len())
        })
    });
    let analysis = analyzer.finish(doc.clone());
    g.bench_function("json_line", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(1 << 14);
            black_box(
                render::render(black_box(&analysis), Format::Jsonl, &mut out).map(|()| out.len()),
            )
        })
    });
    // The same bytes through serde_json, which batch used before render::compact.
    g.bench_function("json_line_serde_json", |b| {
        b.iter(|| black_box(serde_json::to_string(black_box(&analysis)).map_or(0, |s| s.len())))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
