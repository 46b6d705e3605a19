//! Throughput of the rule segmenter on essay-like prose.
//!
//! The corpus is generated here from sentences we wrote ourselves (no corpus
//! text), shuffled with a fixed-seed generator and grouped into paragraphs of
//! 3-8 sentences, about 1 MB in all. It mixes plain sentences with the cases
//! that cost the scanner extra work (abbreviations, numbers, quotes, ellipses,
//! citations), in roughly the proportion student essays have them.
//!
//! Two groups measure the same work: `segment/bytes` reports MB/s and
//! `segment/sentences` reports sentences per second (Throughput::Elements is
//! the number of sentences the segmenter finds). Run `cargo bench --bench segment`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use essaymap::segment::{paragraphs, RuleSegmenter, Segmenter};
use std::ops::Range;

const SENTENCES: &[&str] = &[
    "Many students believe that phones should be allowed in class.",
    "However, phones can distract pupils from the lesson.",
    "Teachers report that attention drops when a phone buzzes.",
    "Dr. Alvarez, a teacher in our town, says phones help with research.",
    "In my opinion, the benefits do not outweigh the costs.",
    "A survey of 1,200 pupils found that 62.5% check their phones during lessons.",
    "Some parents want to reach their children in an emergency.",
    "Why should a school ban something that every adult uses?",
    "The answer is simple: learning needs focus!",
    "Schools in the U.S. have tried many different rules.",
    "For example, some schools collect phones at the door, e.g. in a locker.",
    "Others allow phones only at lunch, i.e. between 12 p.m. and 1 p.m. each day.",
    "As one pupil put it, \"My phone is my calculator.\"",
    "Critics argue that bans are hard to enforce (Okafor 2019, 44).",
    "Still, a clear rule is better than no rule at all.",
    "Students could also use school tablets instead of their own phones.",
    "This would cost money, but it would keep lessons fair.",
    "Mr. Chen's class tried this last year and grades went up.",
    "Not everyone agrees... some say the change was due to a new textbook.",
    "In conclusion, phones should be limited, not banned outright.",
    "It costs about $300.00 to replace a lost device.",
    "The library opens at 8 a.m. on weekdays.",
    "Is it fair to punish everyone for the mistakes of a few?",
    "i think most kids would follow the rule if it was explained well",
];

fn corpus() -> String {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize
    };
    let mut text = String::with_capacity(1_100_000);
    while text.len() < 1_000_000 {
        let len = 3 + next() % 6;
        for k in 0..len {
            if k > 0 {
                text.push(' ');
            }
            text.push_str(SENTENCES[next() % SENTENCES.len()]);
        }
        text.push_str("\n\n");
    }
    text
}

fn bench(c: &mut Criterion) {
    let text = corpus();
    let paras: Vec<&str> = paragraphs(&text).into_iter().map(|r| &text[r]).collect();
    let seg = RuleSegmenter::default();
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut sentences = 0u64;
    for p in &paras {
        out.clear();
        seg.split(p, &mut out);
        sentences += out.len() as u64;
    }
    let bytes: u64 = paras.iter().map(|p| p.len() as u64).sum();
    let run = |out: &mut Vec<Range<usize>>| {
        let mut n = 0;
        for p in &paras {
            out.clear();
            seg.split(black_box(p), out);
            n += out.len();
        }
        n
    };

    let mut g = c.benchmark_group("segment");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("bytes", |b| b.iter(|| run(&mut out)));
    g.throughput(Throughput::Elements(sentences));
    g.bench_function("sentences", |b| b.iter(|| run(&mut out)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
