//! `essaymap train` and `essaymap eval` end to end.
//!
//! A tiny corpus written here checks the commands and the model file; when the
//! annotated corpora exist at `../shared/data` (CI has them), the test also
//! trains on AAE train and checks the dev floor, and checks the SHIPPED model
//! against the accuracy targets on both dev splits. Without the data those
//! parts print a line and return.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

fn data() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if d.join("aae/train.jsonl").exists() && d.join("persuade/dev.jsonl").exists() {
        Some(d)
    } else {
        println!("skipped: annotated corpora not found at {}", d.display());
        None
    }
}

/// Our own miniature annotated corpus (same schema as AAE).
fn tiny_corpus() -> String {
    let mut lines = Vec::new();
    let claims = [
        "Parks should stay open at night.",
        "Libraries must lend tools.",
    ];
    let evid = [
        "For example, lit paths cut crime by a third in one city.",
        "For instance, a drill is used for only minutes in its life.",
    ];
    for i in 0..20 {
        let intro = "Dear readers, here is my view.";
        let c = claims[i % 2];
        let e = evid[i % 2];
        let text = format!("{intro}\n\n{c} {e}");
        let c0 = intro.chars().count() + 2;
        let c1 = c0 + c.chars().count();
        let e0 = c1 + 1;
        let e1 = e0 + e.chars().count();
        let rec = serde_json::json!({
            "id": format!("tiny-{i}"), "title": "Public services", "text": text,
            "paragraphs": [[0, intro.chars().count()], [c0, e1]],
            "components": [
                {"id": "T1", "type": "MajorClaim", "start": c0, "end": c1, "stance": null},
                {"id": "T2", "type": "Premise", "start": e0, "end": e1, "stance": null}],
            "relations": [{"source": "T2", "target": "T1", "type": "supports"}]
        });
        lines.push(rec.to_string());
    }
    lines.join("\n") + "\n"
}

fn eval_json(gold: &std::path::Path, model: Option<&std::path::Path>) -> Value {
    let mut cmd = Command::cargo_bin("essaymap").unwrap();
    cmd.arg("eval").arg("--gold").arg(gold).arg("--json");
    if let Some(m) = model {
        cmd.arg("--model").arg(m);
    }
    let out = cmd.assert().success().get_output().stdout.clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    v["report"].clone()
}

/// Trains on the tiny corpus (also its dev set) with `extra` options; returns
/// the temporary directory (kept alive), the corpus, the model and the run.
fn train_tiny(
    extra: &[&str],
) -> (
    tempfile::TempDir,
    std::path::PathBuf,
    std::path::PathBuf,
    assert_cmd::assert::Assert,
) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("tiny.jsonl");
    std::fs::write(&corpus, tiny_corpus()).unwrap();
    let model = dir.path().join("m.bin");
    let run = Command::cargo_bin("essaymap")
        .unwrap()
        .args(["train", "--bits", "12", "--epochs", "10", "--lr", "0.1"])
        .args(extra)
        .arg("--train")
        .arg(&corpus)
        .arg("--dev")
        .arg(&corpus)
        .arg("-o")
        .arg(&model)
        .assert()
        .success();
    (dir, corpus, model, run)
}

#[test]
fn train_then_eval_on_a_tiny_corpus() {
    let (_dir, corpus, model, _) = train_tiny(&[]);
    let r = eval_json(&corpus, Some(&model));
    assert_eq!(r["sentences"], 60);
    assert!(r["accuracy"].as_f64().unwrap() > 0.99, "{r}");
    assert!(r["thesis"]["f1"].as_f64().unwrap() > 0.99, "{r}");
    // The table form names every label and the summary lines.
    Command::cargo_bin("essaymap")
        .unwrap()
        .args(["eval", "--gold"])
        .arg(&corpus)
        .arg("--model")
        .arg(&model)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "macro-F1 (claim, evidence, other)",
        ))
        .stdout(predicates::str::contains("evidence"));
}

#[test]
fn a_university_register_file_trains_the_paragraph_rescorer() {
    let (_dir, corpus, model, run) = train_tiny(&["--register", "1", "--rescore-folds", "3"]);
    run.stderr(predicates::str::contains("rescorer fold 3 of 3"));
    // Its provenance says what the rescorer was fitted on: every sentence, once.
    let bytes = std::fs::read(&model).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains(r#""rescorer":{"folds":3,"iterations":1500,"l2":0.001,"sentences":60}"#),
        "provenance lacks the rescorer"
    );
    let r = eval_json(&corpus, Some(&model));
    assert!(r["accuracy"].as_f64().unwrap() > 0.99, "{r}");
}

#[test]
fn aae_train_reaches_its_dev_floor() {
    let Some(d) = data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("aae.bin");
    Command::cargo_bin("essaymap")
        .unwrap()
        .args([
            "train", "--lr", "0.01", "--l2", "0.01", "--epochs", "4", "--train",
        ])
        .arg(d.join("aae/train.jsonl"))
        .arg("--dev")
        .arg(d.join("aae/dev.jsonl"))
        .arg("-o")
        .arg(&model)
        .assert()
        .success();
    let r = eval_json(&d.join("aae/dev.jsonl"), Some(&model));
    let m = r["macro_f1"].as_f64().unwrap();
    assert!(m >= 0.78, "AAE-only dev macro-F1 {m}");
}

#[test]
fn shipped_model_keeps_its_dev_scores_on_both_splits() {
    let Some(d) = data() else { return };
    let aae = eval_json(&d.join("aae/dev.jsonl"), None);
    let per = eval_json(&d.join("persuade/dev.jsonl"), None);
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap();
    let th = |v: &Value| v["thesis"]["f1"].as_f64().unwrap();
    println!(
        "AAE dev macro {:.3} thesis {:.3}; PERSUADE dev macro {:.3} thesis {:.3}",
        f(&aae, "macro_f1"),
        th(&aae),
        f(&per, "macro_f1"),
        th(&per)
    );
    assert!(f(&aae, "macro_f1") >= MIN_AAE_MACRO, "{aae}");
    assert!(th(&aae) >= MIN_AAE_THESIS, "{aae}");
    assert!(f(&per, "macro_f1") >= MIN_PERSUADE_MACRO, "{per}");
    assert!(th(&per) >= MIN_PERSUADE_THESIS, "{per}");
}

// Regression floors for the shipped model, just under what it measures (see
// models/README.md). The issue's targets are 0.81 / 0.70 (AAE) and 0.72 / 0.70
// (PERSUADE); PERSUADE thesis F1 does not reach its target yet.
const MIN_AAE_MACRO: f64 = 0.815;
const MIN_AAE_THESIS: f64 = 0.74;
const MIN_PERSUADE_MACRO: f64 = 0.745;
const MIN_PERSUADE_THESIS: f64 = 0.58;

/// F1 of `counts` ({"tp", "fp", "fn_"}).
fn f1(counts: &Value) -> f64 {
    let g = |k: &str| counts[k].as_f64().unwrap();
    let tp = g("tp");
    if tp == 0.0 {
        0.0
    } else {
        2.0 * tp / (2.0 * tp + g("fp") + g("fn_"))
    }
}

/// The shipped link model's end-to-end scores (predicted roles): relation F1 on
/// AAE dev and counter-argument F1 on PERSUADE dev, just under what they measure
/// (docs/accuracy.md; the issue's targets are 0.58 and 0.50).
#[test]
fn shipped_link_model_keeps_its_dev_scores() {
    let Some(d) = data() else { return };
    let row = |split: &str, roles: &str| -> Value {
        let out = Command::cargo_bin("essaymap")
            .unwrap()
            .args(["eval", "--links", "--json", "--gold"])
            .arg(d.join(split))
            .output()
            .unwrap();
        assert!(out.status.success());
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["linker"] == "model" && r["roles"] == roles)
            .unwrap()["report"]
            .clone()
    };
    let aae = row("aae/dev.jsonl", "predicted");
    let per = row("persuade/dev.jsonl", "predicted");
    let (rel, counter) = (f1(&aae["relation"]), f1(&per["counter"]));
    println!("AAE dev relation F1 {rel:.3}; PERSUADE dev counter-argument F1 {counter:.3}");
    assert!(rel >= 0.58, "{aae}");
    assert!(counter >= 0.34, "{per}");
}

/// The shipped models' grading findings against gold (`validate-grading`) on
/// the measures the grading issue sets targets for: Pearson r of the claim,
/// evidence and unsupported-claim counts on AAE dev (target 0.6) and the
/// accuracy of "thesis present" and "counter-argument considered" on PERSUADE
/// dev (target 0.8). Floors just under what they measure (docs/grading.md).
#[test]
fn shipped_models_keep_their_grading_validity() {
    let Some(d) = data() else { return };
    let validity = |split: &str| -> Value {
        let out = Command::cargo_bin("essaymap")
            .unwrap()
            .args(["validate-grading", "--json", "--gold"])
            .arg(d.join(split))
            .output()
            .unwrap();
        assert!(out.status.success());
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["validity"].clone()
    };
    let aae = validity("aae/dev.jsonl");
    let per = validity("persuade/dev.jsonl");
    let g = |v: &Value, k: &str| v[k].as_f64().unwrap();
    println!("AAE dev {aae}\nPERSUADE dev {per}");
    assert!(g(&aae, "pearson_claims") >= 0.65, "{aae}");
    assert!(g(&aae, "pearson_evidence") >= 0.95, "{aae}");
    assert!(g(&aae, "pearson_unsupported_claims") >= 0.6, "{aae}");
    assert!(g(&per, "accuracy_thesis_present") >= 0.88, "{per}");
    assert!(g(&per, "accuracy_counter_argument") >= 0.8, "{per}");
}
