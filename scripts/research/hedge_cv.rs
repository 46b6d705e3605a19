// Research harness (a cargo example, built with the other targets): chooses
// `classify::restored::HEDGE` on held-out training essays pasted flat. Run
//
//   S=16,32 cargo run --release --example hedge_cv -- SEL.flat.jsonl ROLES.bin BREAKS.bin
//
// where ROLES.bin (or `restored`: the embedded roles-restored.bin) and
// BREAKS.bin were trained without the SEL essays (recipe in docs/layout.md).
// It cuts each flat essay with BREAKS.bin's best segmentation, labels it once
// ("single") and with `label_hedged` at each setting, and prints macro-F1 /
// thesis F1. (The pipeline's rules after the role model are not applied, so
// the figures are for comparing settings, not for quoting as eval scores.)
use essaymap::classify::restored::{label_hedged, reparagraphed, Hedge};
use essaymap::classify::{Classifier, Model};
use essaymap::features::{extract, Features, Scratch};
use essaymap::segment::breaks::BreakModel;
use essaymap::train::{corpus, score::Scorer};
use essaymap::{Document, Pipeline};
use std::path::Path;

/// `d` with its paragraphs starting at the sentences in `br`.
fn repar(d: &Document, br: &[usize]) -> Document {
    let starts: Vec<bool> = (0..d.sentences.len()).map(|i| br.contains(&i)).collect();
    reparagraphed(d, &starts)
}

fn lab(m: &Model, d: &mut Document) {
    let mut f = Features::default();
    extract(&m.spec(), d, &mut f, &mut Scratch::default());
    m.classify(d, &f);
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let pl = Pipeline::embedded().unwrap();
    let flat = corpus::read_file(Path::new(&a[1]), pl.segmenter()).unwrap();
    let model = if a[2] == "restored" {
        essaymap::classify::restored::embedded_restored()
            .unwrap()
            .clone()
    } else {
        Model::from_bytes("m", &std::fs::read(&a[2]).unwrap()).unwrap()
    };
    let bm = BreakModel::from_bytes(&std::fs::read(&a[3]).unwrap()).unwrap();
    let mut docs = Vec::new();
    let mut golds = Vec::new();
    let mut cut = 0;
    for e in &flat {
        let d = &e.doc;
        let ok = d.sentences.iter().all(|s| s.kind.is_prose()) && !d.text.trim().contains('\n');
        let d = if ok {
            let t: Vec<&str> = d.sentences.iter().map(|s| s.text.as_str()).collect();
            let b = bm.breaks(&t);
            if !b.is_empty() {
                cut += 1;
            }
            repar(d, &b)
        } else {
            d.clone()
        };
        docs.push(d);
        golds.push(e.gold.clone());
    }
    eprintln!("{} essays, {} cut", docs.len(), cut);
    let run = |h: Option<Hedge>| -> String {
        let mut ds = docs.clone();
        use rayon::prelude::*;
        ds.par_iter_mut().for_each(|d| {
            let text = d.text.clone();
            match h {
                None => lab(&model, d),
                Some(h) => label_hedged(d, &text, &bm, &h, |c| lab(&model, c)),
            }
        });
        let mut sc = Scorer::default();
        for (d, g) in ds.iter().zip(&golds) {
            sc.add(d, g);
        }
        let r = sc.report();
        format!("{:.4} / {:.4}", r.macro_f1, r.thesis.f1)
    };
    println!("single        {}", run(None));
    let ss: Vec<usize> = std::env::var("S")
        .unwrap_or("16".into())
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    for &samples in &ss {
        for &temperature in &[0.5, 0.75] {
            for &thesis_share in &[0.2f32, 0.25, 0.3, 0.35, 0.4] {
                println!(
                    "S {samples} T {temperature} th {thesis_share}  {}",
                    run(Some(Hedge {
                        samples,
                        temperature,
                        thesis_share
                    }))
                );
            }
        }
    }
}
