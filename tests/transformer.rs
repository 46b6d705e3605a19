//! The transformer backend (Cargo feature `transformer`; needs
//! `scripts/setup-transformer.sh` first, which `.ci/run` runs). Without the
//! feature this file compiles to nothing.
//!
//! - the base model reproduces sentence-transformers' embeddings (reference
//!   numbers computed once in Python, see `tests/data/minilm_reference.json`);
//! - fine-tuning a tiny corpus of ours lowers the loss, and the saved weights
//!   reload to identical outputs;
//! - essays labelled in one batch get the labels they get one by one;
//! - with `../shared/data` (CI has it), the shipped weights meet the floors on
//!   both dev splits through `essaymap eval --backend transformer`.
#![cfg(feature = "transformer")]

use essaymap::classify::transformer::{base_dir, embed_sentences, Transformer};
use essaymap::classify::Refiner;
use essaymap::segment::RuleSegmenter;
use essaymap::train::corpus;
use essaymap::train::transformer::{fine_tune, DevData, FineTuneConfig, TrainFile};
use essaymap::Pipeline;
use std::path::PathBuf;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn base_model_embeddings_match_sentence_transformers() {
    let raw = std::fs::read_to_string(manifest().join("tests/data/minilm_reference.json")).unwrap();
    let reference: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let texts: Vec<&str> = reference["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let ours = embed_sentences(&base_dir(), &texts).unwrap();
    for (i, v) in ours.iter().enumerate() {
        assert_eq!(v.len(), 384);
        let want = reference["first_dims"][i].as_array().unwrap();
        for (k, w) in want.iter().enumerate() {
            let w = w.as_f64().unwrap() as f32;
            assert!(
                (v[k] - w).abs() < 1e-4,
                "sentence {i} dim {k}: {} vs {w}",
                v[k]
            );
        }
    }
    let cos: f32 = ours[0].iter().zip(&ours[1]).map(|(a, b)| a * b).sum();
    let want = reference["cosine"].as_f64().unwrap() as f32;
    assert!((cos - want).abs() < 1e-4, "cosine {cos} vs {want}");
}

#[test]
fn fine_tuning_lowers_the_loss_and_weights_round_trip() {
    let seg = RuleSegmenter::default();
    let essays = corpus::read_file(&manifest().join("tests/data/gold_tiny.jsonl"), &seg).unwrap();
    let pipeline = Pipeline::embedded().unwrap();
    let mut dev_essays = essays.clone();
    for e in &mut dev_essays {
        pipeline.annotate(&mut e.doc).unwrap();
    }
    let dev = [DevData {
        name: "tiny".into(),
        essays: dev_essays,
    }];
    let cfg = FineTuneConfig {
        epochs: 30,
        lr: 1e-3,
        batch: 4,
        max_steps: Some(24),
        ..Default::default()
    };
    let files = [TrainFile {
        essays: essays.clone(),
        register: 1.0,
        weight: 1.0,
    }];
    let out = fine_tune(
        &base_dir(),
        &cfg,
        &files,
        &dev,
        serde_json::Value::Null,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(out.losses.len(), 24);
    let first: f32 = out.losses[..4].iter().sum();
    let last: f32 = out.losses[20..].iter().sum();
    assert!(last < 0.5 * first, "loss went {first} -> {last}");

    // fp16 on disk: the file reloads to the same bytes and the same outputs.
    let bytes = out.model.to_bytes().unwrap();
    let a = Transformer::from_bytes(&base_dir(), "a", &bytes).unwrap();
    let again = a.to_bytes().unwrap();
    assert_eq!(bytes, again);
    let b = Transformer::from_bytes(&base_dir(), "b", &again).unwrap();
    assert_eq!(a.meta, out.model.meta);
    let mut da = essays[0].doc.clone();
    pipeline.annotate(&mut da).unwrap();
    let mut db = da.clone();
    let mut dm = da.clone();
    a.refine(&mut da).unwrap();
    b.refine(&mut db).unwrap();
    out.model.refine(&mut dm).unwrap();
    assert_eq!(da, db);
    for (x, y) in da.sentences.iter().zip(&dm.sentences) {
        let (px, py) = (x.scores.unwrap().to_array(), y.scores.unwrap().to_array());
        for k in 0..4 {
            assert!(
                (px[k] - py[k]).abs() < 0.02,
                "fp16 changed a probability: {px:?} vs {py:?}"
            );
        }
    }
}

/// The embedded model with the shipped transformer weights on top.
fn shipped_pipeline() -> Pipeline {
    let t = Transformer::embedded(&base_dir()).unwrap();
    Pipeline::embedded()
        .unwrap()
        .with_refiner(std::sync::Arc::new(t))
}

#[test]
fn shipped_weights_load_and_label_an_essay() {
    let p = shipped_pipeline();
    let essay = essaymap::Essay::new(
        "Phones are everywhere in schools today. I believe schools should ban phones \
         during lessons.\n\nPhones distract pupils. For example, a survey found that most \
         teachers lose ten minutes a lesson to phones.\n\nIn conclusion, phones should \
         stay in lockers during lessons.",
    )
    .prompt("Should schools ban phones?");
    let doc = p.label(essay).unwrap();
    assert!(doc
        .sentences
        .iter()
        .all(|s| s.label.is_some() && s.scores.is_some()));
    assert!(doc.sentences.iter().any(|s| s.thesis == Some(true)));
    assert!(doc
        .sentences
        .iter()
        .any(|s| s.label == Some(essaymap::document::Label::Evidence)));
}

#[test]
fn word_processor_typography_reads_as_plain_text() {
    let p = shipped_pipeline();
    let plain = "Phones don't help anyone learn... I believe schools should ban them - \
                 during lessons.\n\nTeachers say \"phones distract pupils\". For example, \
                 most teachers lose ten minutes a lesson to them.";
    let typed = plain
        .replace('\'', "’")
        .replace("...", "…")
        .replace(" - ", " – ")
        .replacen('"', "“", 1)
        .replacen('"', "”", 1);
    let a = p.label(plain.into()).unwrap();
    let b = p.label(typed.into()).unwrap();
    assert_eq!(a.sentences.len(), b.sentences.len());
    for (x, y) in a.sentences.iter().zip(&b.sentences) {
        assert_eq!((x.label, x.thesis), (y.label, y.thesis), "{}", y.text);
        assert_eq!(x.scores, y.scores, "{}", y.text);
    }
}

#[test]
fn essays_labelled_together_match_essays_labelled_one_by_one() {
    let p = shipped_pipeline();
    let texts = [
        "Should schools ban phones?\n\nPhones are everywhere. I believe schools should ban \
         them.\n\nPhones distract pupils. For example, most teachers lose ten minutes a \
         lesson to them.\n\nIn conclusion, phones belong in lockers.",
        "Homework helps. Studies show that pupils who practise remember more.",
        "Cities should build more cycle lanes, because cycling is cheap and clean. \
         Some say lanes slow traffic. However, the evidence from Utrecht shows the \
         opposite.\n\nTo sum up, cycle lanes pay for themselves.",
    ];
    let mut together: Vec<_> = texts.iter().map(|t| p.segment((*t).into())).collect();
    p.annotate_many(&mut together).unwrap();
    for (text, joint) in texts.iter().zip(&together) {
        let alone = p.label((*text).into()).unwrap();
        assert_eq!(alone.sentences.len(), joint.sentences.len());
        for (a, b) in alone.sentences.iter().zip(&joint.sentences) {
            assert_eq!((a.label, a.thesis), (b.label, b.thesis), "{}", a.text);
            let (pa, pb) = (a.scores.unwrap().to_array(), b.scores.unwrap().to_array());
            for (x, y) in pa.iter().zip(pb) {
                assert!((x - y).abs() < 1e-4, "{}: {pa:?} vs {pb:?}", a.text);
            }
        }
    }
}

#[test]
fn batch_with_the_transformer_keeps_order_and_reports_bad_records() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let essay = "Schools should ban phones. Phones distract students in class.\n\n\
        For example, a survey found that most teachers lose time to phones every week.";
    let good = |id: &str| format!("{}\n", serde_json::json!({"id": id, "text": essay}));
    let mut data = Vec::new();
    data.extend(good("a").bytes());
    data.extend(b"{not json\n");
    data.extend(good("b").bytes());
    data.extend(b"{\"id\":\"empty\",\"text\":\"\"}\n");
    data.extend(b"{\"id\":\"latin1\",\"text\":\"caf\xe9\"}\n");
    data.extend(good("c").bytes());
    std::fs::write(&input, data).unwrap();
    let out = dir.path().join("out.jsonl");
    // Chunks of 2 records: the bad ones fall inside and between chunks.
    assert_cmd::cargo::cargo_bin_cmd!("essaymap")
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--backend", "transformer", "--chunk", "2", "--quiet"])
        .assert()
        .code(3);
    let got: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = got
        .iter()
        .map(|v| v["error"]["kind"].as_str().unwrap_or("ok"))
        .collect();
    assert_eq!(
        kinds,
        [
            "ok",
            "invalid_json",
            "ok",
            "bad_record",
            "invalid_utf8",
            "ok"
        ]
    );
    assert_eq!(
        [&got[0]["id"], &got[2]["id"], &got[5]["id"]],
        ["a", "b", "c"]
    );
    for v in [&got[0], &got[2], &got[5]] {
        assert_eq!(v["sentences"], got[0]["sentences"]);
        assert!(v["sentences"][0]["label"].is_string());
    }
}

/// Floors just under the shipped weights' dev scores (docs/transformer.md).
const MIN_AAE_MACRO: f64 = 0.805;
const MIN_AAE_THESIS: f64 = 0.74;
const MIN_PERSUADE_MACRO: f64 = 0.755;
const MIN_PERSUADE_THESIS: f64 = 0.585;

#[test]
fn shipped_weights_meet_the_dev_floors() {
    let d = manifest().join("../shared/data");
    let (aae, persuade) = (d.join("aae/dev.jsonl"), d.join("persuade/dev.jsonl"));
    if !aae.exists() || !persuade.exists() {
        println!("skipped: annotated corpora not found at {}", d.display());
        return;
    }
    let out = assert_cmd::Command::cargo_bin("essaymap")
        .unwrap()
        .args(["eval", "--backend", "transformer", "--json", "--gold"])
        .arg(&aae)
        .arg(&persuade)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let score = |i: usize, k: &str| match k {
        "thesis" => reports[i]["report"]["thesis"]["f1"].as_f64().unwrap(),
        _ => reports[i]["report"]["macro_f1"].as_f64().unwrap(),
    };
    println!(
        "AAE dev macro {:.3} thesis {:.3}; PERSUADE dev macro {:.3} thesis {:.3}",
        score(0, "macro"),
        score(0, "thesis"),
        score(1, "macro"),
        score(1, "thesis")
    );
    assert!(score(0, "macro") >= MIN_AAE_MACRO);
    assert!(score(0, "thesis") >= MIN_AAE_THESIS);
    assert!(score(1, "macro") >= MIN_PERSUADE_MACRO);
    assert!(score(1, "thesis") >= MIN_PERSUADE_THESIS);
}
