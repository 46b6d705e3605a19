//! `essaymap cv` end to end on the tiny gold file written for the tests, and
//! (when `../shared/data` exists; CI has it) the short-text sets cut from the
//! annotated corpora. Without the data that part prints a line and returns.

use assert_cmd::Command;
use essaymap::segment::RuleSegmenter;
use essaymap::train::{corpus, short};
use serde_json::Value;
use std::path::PathBuf;

fn tiny() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/gold_tiny.jsonl")
}

/// A light recipe, so the test takes well under a second.
const LIGHT: [&str; 6] = ["--epochs", "2", "--ensemble", "1", "--rescore-folds", "0"];

#[test]
fn cv_scores_every_essay_once_and_summarises_the_folds() {
    let out = Command::cargo_bin("essaymap")
        .unwrap()
        .args(["cv", "--folds", "3", "--json", "--gold"])
        .arg(tiny())
        .args(LIGHT)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["folds"], 3);
    let c = &v["corpora"][0];
    assert_eq!(c["corpus"], "data", "the folder names the corpus");
    assert_eq!(c["essays"], 3);
    let folds = c["folds"].as_array().unwrap();
    assert_eq!(folds.len(), 3);
    for f in folds {
        // Each of the 3 essays is held out exactly once; the other two are
        // split between training and the inner dev set.
        assert_eq!(f["essays"], 1);
        assert_eq!(
            f["trained_on"].as_u64().unwrap() + f["inner_dev"].as_u64().unwrap(),
            2
        );
        let m = f["macro_f1"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&m));
    }
    let macro_row = c["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["measure"] == "role macro-F1")
        .unwrap();
    let values: Vec<f64> = folds
        .iter()
        .map(|f| f["macro_f1"].as_f64().unwrap())
        .collect();
    let mean = values.iter().sum::<f64>() / 3.0;
    assert!((macro_row["mean"].as_f64().unwrap() - mean).abs() < 1e-12);
    assert!(macro_row["sd"].as_f64().is_some());
}

#[test]
fn cv_prints_a_table_and_rejects_bad_options() {
    let out = Command::cargo_bin("essaymap")
        .unwrap()
        .args(["cv", "--folds", "3", "--gold"])
        .arg(tiny())
        .args(LIGHT)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("mean") && text.contains("short: thesis F1, first-sentence rule"));
    for (args, message) in [
        (vec!["--folds", "1"], "at least 2 folds"),
        (
            vec!["--folds", "4"],
            "fewer distinct essays than the 4 folds",
        ),
        (vec!["--weights", "1", "2"], "one value per --gold file"),
    ] {
        let err = Command::cargo_bin("essaymap")
            .unwrap()
            .args(["cv", "--gold"])
            .arg(tiny())
            .args(LIGHT)
            .args(args)
            .assert()
            .failure()
            .get_output()
            .stderr
            .clone();
        assert!(String::from_utf8_lossy(&err).contains(message), "{message}");
    }
}

#[test]
fn short_text_sets_come_from_both_corpora() {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if !d.join("aae/dev.jsonl").exists() || !d.join("persuade/dev.jsonl").exists() {
        println!("skipped: annotated corpora not found at {}", d.display());
        return;
    }
    let seg = RuleSegmenter::default();
    for (file, at_least) in [("aae/dev.jsonl", 50), ("persuade/dev.jsonl", 20)] {
        let essays = corpus::read_file(&d.join(file), &seg).unwrap();
        let texts = short::from_essays(&essays);
        assert!(
            texts.len() >= at_least,
            "{file}: {} short texts",
            texts.len()
        );
        let mut with_counter = 0;
        for t in &texts {
            assert!(t.sentences.len() >= short::MIN_SENTENCES);
            assert!(t.sentences.iter().any(|s| s.thesis), "{}", t.id);
            assert!(t.sentences.iter().all(|s| !(s.thesis && s.counter)));
            for s in &t.sentences {
                assert!(t
                    .text
                    .get(s.bytes.clone())
                    .is_some_and(|x| !x.trim().is_empty()));
            }
            with_counter += usize::from(t.sentences.iter().any(|s| s.counter));
        }
        assert!(
            with_counter > 0,
            "{file}: no short text voices the other side"
        );
    }
}

#[test]
fn cv_dump_dir_writes_each_folds_held_out_analyses_beside_their_gold_maps() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    Command::cargo_bin("essaymap")
        .unwrap()
        .args(["cv", "--folds", "3", "--json", "--gold"])
        .arg(tiny())
        .args(LIGHT)
        .arg("--dump-dir")
        .arg(&dump)
        .assert()
        .success();
    let mut ids = Vec::new();
    for f in 1..=3 {
        let text = std::fs::read_to_string(dump.join(format!("fold{f}-data.jsonl"))).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "one held-out essay per fold");
        let row: Value = serde_json::from_str(lines[0]).unwrap();
        ids.push(row["id"].as_str().unwrap().to_string());
        for side in ["predicted", "gold"] {
            // (document, edges, metrics)
            let doc = &row[side][0];
            let n = doc["sentences"].as_array().unwrap().len();
            assert!(n > 0);
            assert!(row[side][1].is_array());
            assert_eq!(row[side][2]["sentences"].as_u64(), Some(n as u64));
        }
        // The predicted side carries the role probabilities, the gold side none.
        assert!(row["predicted"][0]["sentences"][0]["scores"].is_object());
        assert!(row["gold"][0]["sentences"][0]["scores"].is_null());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "every essay is held out once");
}
