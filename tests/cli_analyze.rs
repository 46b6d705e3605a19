//! `essaymap analyze` end to end: JSON fields, text output, questions, thesis,
//! empty and non-UTF-8 input, and model-file errors. Essays here are our own.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const ESSAY: &str = "Should cities build more bike lanes?\n\n\
Every day, thousands of people sit in traffic on their way to work. In my opinion, cities should build more bike lanes, because cycling is healthy, cheap and clean.\n\n\
First, cycling keeps people fit. For example, a study in our town found that commuters who cycled took 20 percent fewer sick days. Doctors recommend at least thirty minutes of exercise a day.\n\n\
In conclusion, bike lanes are a smart investment. Cities should start building them now.";

fn analyze(args: &[&str], stdin: &str) -> Value {
    let out = Command::cargo_bin("essaymap")
        .unwrap()
        .arg("analyze")
        .args(args)
        .write_stdin(stdin)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn a_question_is_a_question() {
    let v = analyze(&[], "Should schools ban phones?");
    let s = &v["sentences"][0];
    assert_eq!(s["label"], "question");
    assert_eq!(s["thesis"], false);
}

#[test]
fn json_has_labels_scores_and_thesis() {
    let v = analyze(&["--title", "Should cities build more bike lanes?"], ESSAY);
    assert_eq!(v["title"], "Should cities build more bike lanes?");
    let sents = v["sentences"].as_array().unwrap();
    assert_eq!(sents.len(), 8);
    for s in sents {
        let scores = s["scores"].as_object().unwrap();
        assert_eq!(scores.len(), 4);
        let sum: f64 = scores.values().map(|x| x.as_f64().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-3, "{s}");
        let label = s["label"].as_str().unwrap();
        let conf = s["confidence"].as_f64().unwrap();
        assert!((scores[label].as_f64().unwrap() - conf).abs() < 1e-6);
        assert!(s["thesis"].is_boolean());
        // Offsets still as in `segment`.
        assert!(s["start"].as_u64().unwrap() < s["end"].as_u64().unwrap());
    }
    let label = |i: usize| sents[i]["label"].as_str().unwrap().to_string();
    assert_eq!(label(0), "question");
    assert_eq!(label(4), "evidence", "the 'For example' sentence");
    let theses: Vec<usize> = (0..sents.len())
        .filter(|&i| sents[i]["thesis"] == true)
        .collect();
    assert!(
        !theses.is_empty(),
        "an essay with a clear stance has a thesis"
    );
    for i in theses {
        assert_ne!(label(i), "question");
    }
}

#[test]
fn text_format_tags_sentences_without_colour_when_piped() {
    Command::cargo_bin("essaymap")
        .unwrap()
        .args(["analyze", "--format", "text"])
        .write_stdin(ESSAY)
        .assert()
        .success()
        .stdout(predicate::str::contains("[question"))
        .stdout(predicate::str::contains("For example, a study"))
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn text_format_names_units_that_are_not_prose() {
    let essay = format!(
        "{ESSAY}\n\nWorks Cited\nSmith, J. (2010). Phones. Leeds: Press.\n\nOpen Document\n"
    );
    Command::cargo_bin("essaymap")
        .unwrap()
        .args(["analyze", "--format", "text"])
        .write_stdin(essay)
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"\[heading\] +Works Cited").unwrap())
        .stdout(predicate::str::is_match(r"\[reference\] +Smith, J\. \(2010\)").unwrap())
        .stdout(predicate::str::is_match(r"\[furniture\] +Open Document").unwrap());
}

#[test]
fn empty_input_gives_no_sentences_and_a_warning() {
    let v = analyze(&[], "");
    assert_eq!(v["sentences"].as_array().unwrap().len(), 0);
    Command::cargo_bin("essaymap")
        .unwrap()
        .args(["analyze", "-", "--format", "text"])
        .write_stdin(" \n\n ")
        .assert()
        .success()
        // The text output itself says why there is nothing (issue 34).
        .stdout(predicate::str::starts_with("No essay to analyse"))
        .stderr(predicate::str::contains("the essay is empty"));
}

#[test]
fn invalid_utf8_fails_with_offset_unless_lossy() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.txt");
    std::fs::write(&p, b"Phones are bad.\xff They distract.").unwrap();
    Command::cargo_bin("essaymap")
        .unwrap()
        .arg("analyze")
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("byte offset 15"));
    Command::cargo_bin("essaymap")
        .unwrap()
        .arg("analyze")
        .arg(&p)
        .arg("--lossy")
        .assert()
        .success();
}

#[test]
fn a_corrupt_model_file_is_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.bin");
    std::fs::write(&p, b"not a model").unwrap();
    Command::cargo_bin("essaymap")
        .unwrap()
        .args(["analyze", "--model"])
        .arg(&p)
        .write_stdin("Hello.")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not an essaymap role model"));
}

/// With no file and standard input on a terminal, analyze says it is waiting
/// for an essay (through `script`, which runs it on a pseudo-terminal); piped
/// input gets no such line.
#[cfg(unix)]
#[test]
fn a_terminal_on_stdin_gets_a_hint() {
    let hint = "reading an essay from standard input";
    let bin = env!("CARGO_BIN_EXE_essaymap");
    let run = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("'{bin}' analyze --format jsonl"),
            "/dev/null",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = run else {
        eprintln!("skipped: no `script` (util-linux) to run a terminal");
        return;
    };
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"Cities need bike lanes.\n").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(hint), "{text}");
    assert!(text.contains("\"sentences\""), "{text}");

    Command::cargo_bin("essaymap")
        .unwrap()
        .arg("analyze")
        .write_stdin("Cities need bike lanes.")
        .assert()
        .success()
        .stderr(predicate::str::contains(hint).not());
}
