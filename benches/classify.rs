//! Throughput of the analysis pipeline (segment + features + role model) on a
//! ~400-word essay we wrote ourselves, in essays per second on one core.
//! The essay text is cloned per iteration because `Pipeline::label` takes ownership,
//! as it does in the real command.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use essaymap::Pipeline;

fn bench(c: &mut Criterion) {
    let text = include_str!("essay.txt").to_string();
    let Ok(pipeline) = Pipeline::embedded() else {
        eprintln!("embedded model failed to load; nothing to measure");
        return;
    };
    let mut g = c.benchmark_group("analyze");
    g.throughput(Throughput::Elements(1));
    g.bench_function("essay_400_words", |b| {
        b.iter(|| {
            let doc = pipeline.label(std::hint::black_box(text.clone()).into());
            std::hint::black_box(doc.map(|d| d.sentences.len()).unwrap_or(0))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
