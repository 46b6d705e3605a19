//! End-to-end tests of `essaymap segment`: formats, offsets and input errors.

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use std::io::Write;

fn essay_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(bytes).unwrap();
    f
}

#[test]
fn json_offsets_are_code_points() {
    let text = "Café culture is growing. Naïve critics disagree.\n\nThey are wrong.";
    let f = essay_file(text.as_bytes());
    let out = cargo_bin_cmd!("essaymap")
        .args(["segment", "--format", "json"])
        .arg(f.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let chars: Vec<char> = text.chars().collect();
    let sents = v["sentences"].as_array().unwrap();
    assert_eq!(sents.len(), 3);
    for s in sents {
        let (a, b) = (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap());
        let slice: String = chars[a as usize..b as usize].iter().collect();
        assert_eq!(slice, s["text"].as_str().unwrap());
    }
    assert_eq!(sents[2]["paragraph"], 1);
    assert_eq!(v["paragraphs"].as_array().unwrap().len(), 2);
}

#[test]
fn reads_stdin_and_prints_text() {
    cargo_bin_cmd!("essaymap")
        .args(["segment", "-", "--format", "text"])
        .write_stdin("Phones distract us. Ban them!\n\nDone.")
        .assert()
        .success()
        .stdout("Phones distract us.\nBan them!\n\nDone.\n");
}

#[test]
fn non_utf8_is_an_error_with_the_byte_offset() {
    let f = essay_file(b"Good start. Bad \xff byte.");
    cargo_bin_cmd!("essaymap")
        .arg("segment")
        .arg(f.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("byte offset 16"));
}

#[test]
fn lossy_replaces_bad_bytes() {
    let f = essay_file(b"Good start. Bad \xff byte.");
    cargo_bin_cmd!("essaymap")
        .args(["segment", "--lossy", "--format", "jsonl"])
        .arg(f.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("Bad \u{fffd} byte."));
}

#[test]
fn missing_file_is_a_one_line_error() {
    let out = cargo_bin_cmd!("essaymap")
        .args(["segment", "/no/such/essay.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/no/such/essay.txt"));
}

#[test]
fn empty_file_gives_zero_sentences() {
    let f = essay_file(b"");
    let out = cargo_bin_cmd!("essaymap")
        .args(["segment", "--format", "json"])
        .arg(f.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sentences"].as_array().unwrap().len(), 0);
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    cargo_bin_cmd!("essaymap")
        .args(["segment", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Example:"));
}
