// Research harness (a cargo example, built with the other targets): cuts the
// essays of a flat-layout corpus file (`scripts/research/layouts.py`) with a
// given break model, for training `roles-restored.bin` on copies cut by a break
// model that did not train on them (cross-fitting, docs/layout.md). Run
//
//   cargo run --release --example cut_flat -- IN.flat.jsonl BREAKS.bin OUT.jsonl
//
// Each record is written back with a `paragraphs` field (code-point offsets)
// holding BREAKS.bin's best segmentation of its sentences, so that `essaymap
// train` reads it cut so. A record whose text is not one block of prose (a
// line break, a heading, furniture) is written back unchanged, read as a
// user's text is.
use essaymap::segment::breaks::BreakModel;
use essaymap::train::corpus;
use essaymap::Pipeline;
use std::io::{BufRead, Write};
use std::path::Path;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 4 {
        eprintln!("usage: cut_flat IN.flat.jsonl BREAKS.bin OUT.jsonl");
        std::process::exit(2);
    }
    let pl = Pipeline::embedded().unwrap();
    let essays = corpus::read_file(Path::new(&a[1]), pl.segmenter()).unwrap();
    let bm = BreakModel::from_bytes(&std::fs::read(&a[2]).unwrap()).unwrap();
    let lines: Vec<String> = std::io::BufReader::new(std::fs::File::open(&a[1]).unwrap())
        .lines()
        .map(|l| l.unwrap())
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), essays.len(), "one essay per line");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&a[3]).unwrap());
    let (mut cut, mut kept) = (0, 0);
    for (line, e) in lines.iter().zip(&essays) {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        let d = &e.doc;
        assert_eq!(v["id"].as_str(), d.id.as_deref(), "same order");
        let one_block = d.sentences.iter().all(|s| s.kind.is_prose())
            && !d.text.trim().contains('\n')
            && !d.sentences.is_empty();
        if one_block {
            let texts: Vec<&str> = d.sentences.iter().map(|s| s.text.as_str()).collect();
            let br = bm.breaks(&texts);
            cut += usize::from(!br.is_empty());
            let char_at = |b: usize| d.text[..b].chars().count();
            let mut starts = vec![0];
            starts.extend(&br);
            let ends: Vec<usize> = br.iter().copied().chain([d.sentences.len()]).collect();
            let paragraphs: Vec<[usize; 2]> = starts
                .iter()
                .zip(&ends)
                .map(|(&s, &e)| {
                    [
                        char_at(d.sentences[s].bytes.start),
                        char_at(d.sentences[e - 1].bytes.end),
                    ]
                })
                .collect();
            v["paragraphs"] = serde_json::json!(paragraphs);
        } else {
            kept += 1;
        }
        writeln!(out, "{v}").unwrap();
    }
    eprintln!(
        "{} essays: {cut} cut, {kept} not one block (left to the reader)",
        essays.len()
    );
}
