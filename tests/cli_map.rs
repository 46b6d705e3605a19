//! End-to-end tests of the argument map: `analyze` with every map format,
//! `train --links` and `eval --links` on a tiny annotated corpus we wrote, and
//! errors for bad link model files. All essay text here is our own.

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use std::collections::HashSet;
use std::io::Write;

const ESSAY: &str = "Every town should build more cycle lanes. Safe lanes get more people \
riding, which cuts traffic.\n\nFirst, cycle lanes make roads safer. For example, one city saw \
crashes fall by a third after it added protected lanes. Drivers also learn to expect bikes.\n\n\
Some people argue that lanes take space away from cars. However, a lane moves far more people \
per hour than a parking strip does.\n\nIn conclusion, cycle lanes are a cheap way to make towns \
safer and calmer.";

const TITLE: &str = "Should towns build more cycle lanes?";

fn analyze(format: &str) -> std::process::Output {
    cargo_bin_cmd!("essaymap")
        .args(["analyze", "-", "--title", TITLE, "--format", format])
        .write_stdin(ESSAY)
        .output()
        .unwrap()
}

#[test]
fn json_map_is_a_forest_of_sentence_ids_with_issue() {
    let out = analyze("json");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = v["sentences"].as_array().unwrap().len() as i64;
    let nodes = v["map"]["nodes"].as_array().unwrap();
    let edges = v["map"]["edges"].as_array().unwrap();
    assert_eq!(nodes[0]["id"], -1);
    assert_eq!(nodes[0]["kind"], "issue");
    assert_eq!(nodes[0]["text"], TITLE);
    let ids: HashSet<i64> = nodes.iter().map(|x| x["id"].as_i64().unwrap()).collect();
    let mut sources = HashSet::new();
    for e in edges {
        let (s, t) = (e["source"].as_i64().unwrap(), e["target"].as_i64().unwrap());
        assert!(ids.contains(&s) && ids.contains(&t), "{e}");
        assert!(s >= 0 && s < n && t >= -1 && t < n);
        assert!(sources.insert(s), "two edges leave {s}");
        assert!(["supports", "attacks", "answers"].contains(&e["relation"].as_str().unwrap()));
        let c = e["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&c));
    }
    assert!(edges
        .iter()
        .any(|e| e["relation"] == "answers" && e["target"] == -1));
    // Following edges from any node ends at a root: no cycles.
    for &start in &ids {
        let mut cur = start;
        for _ in 0..=ids.len() {
            match edges.iter().find(|e| e["source"] == cur) {
                Some(e) => cur = e["target"].as_i64().unwrap(),
                None => break,
            }
        }
        assert!(
            edges.iter().all(|e| e["source"] != cur),
            "cycle through {start}"
        );
    }
}

/// A text of thousands of sentences without one paragraph break (a pasted
/// transcript, a broken export) is analysed whole, its map still a forest.
/// Linking and grading once took time cubic in the paragraph's length here.
/// An essay of ours full of contractions, with two counter-arguments.
const CONTRACTIONS: &str = "Schools shouldn't ban phones in class. A phone isn't only a toy; \
it's a tool that students can't easily replace.\n\nFirst, phones help students learn. For \
example, a pupil who doesn't understand a word can look it up at once, and teachers say it's \
faster than a dictionary.\n\nSome people say phones don't help because they're distracting. \
They argue that students won't focus when messages keep arriving. However, that's a reason to \
teach good habits, not to ban the device.\n\nOthers claim it isn't fair to pupils who can't \
afford a phone. But schools can lend tablets, so nobody's left out.\n\nIn conclusion, we \
shouldn't ban phones; we should teach students how they're best used.";

/// `analyze --format json` of `text`, which must succeed.
fn analyze_json(text: String) -> serde_json::Value {
    let out = cargo_bin_cmd!("essaymap")
        .args(["analyze", "-", "--format", "json"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn typographic_apostrophes_give_the_same_map() {
    let map = |text: String| -> serde_json::Value {
        let v = analyze_json(text);
        let labels: Vec<_> = v["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["label"].clone())
            .collect();
        serde_json::json!({"labels": labels, "edges": v["map"]["edges"]})
    };
    // As typed in a word processor: "don’t". Before the linker read ’ as ',
    // one of these edges turned from attacks to supports.
    let straight = map(CONTRACTIONS.to_string());
    assert!(straight["edges"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["relation"] == "attacks"));
    assert_eq!(map(CONTRACTIONS.replace('\'', "\u{2019}")), straight);
}

#[test]
fn one_line_of_thousands_of_sentences_is_mapped() {
    let one_line = ESSAY.replace("\n\n", " ");
    let text = vec![one_line.as_str(); 250].join(" ");
    let v = analyze_json(text);
    let sentences = v["sentences"].as_array().unwrap();
    assert_eq!(sentences.len(), 8 * 250);
    assert!(sentences.iter().all(|s| s["label"].is_string()));
    // Pasted without breaks: the break model restores paragraphs.
    assert!(v["paragraphs"].as_array().unwrap().len() > 1);
    let mut target = std::collections::HashMap::new();
    for e in v["map"]["edges"].as_array().unwrap() {
        let (s, t) = (e["source"].as_i64().unwrap(), e["target"].as_i64().unwrap());
        assert!(target.insert(s, t).is_none(), "two edges leave {s}");
    }
    assert!(!target.is_empty());
    for &start in target.keys() {
        let (mut cur, mut steps) = (start, 0);
        while let Some(&t) = target.get(&cur) {
            cur = t;
            steps += 1;
            assert!(steps <= target.len(), "cycle through {start}");
        }
    }
    let depth = v["assessment"]["metrics"]["depth"].as_u64().unwrap();
    assert!(depth >= 1 && depth < sentences.len() as u64);
}

#[test]
fn every_map_format_renders() {
    let aif: serde_json::Value = serde_json::from_slice(&analyze("aif").stdout).unwrap();
    assert!(aif["AIF"]["nodes"].as_array().unwrap().len() > 3);
    assert!(aif["text"]["txt"]
        .as_str()
        .unwrap()
        .contains("class=\"highlighted\""));
    let dot = String::from_utf8(analyze("dot").stdout).unwrap();
    assert!(dot.starts_with("digraph") && dot.trim_end().ends_with('}'));
    assert!(dot.contains("-> issue [label=\"answers"));
    let mmd = String::from_utf8(analyze("mermaid").stdout).unwrap();
    assert!(mmd.starts_with("flowchart BT") && mmd.contains("==>|answers| issue"));
    let html = String::from_utf8(analyze("html").stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg id=\"map\""));
    assert!(!html.contains("https://"));
}

#[test]
fn html_lists_references_and_links_citations_to_them() {
    let essay = "Towns should close their centres to cars. After Ghent shut its core to \
through traffic, cycling rose by a quarter (Moreau 2019, 44). Footfall in the shops rose as \
well (Lindqvist 2021).\n\nCars also make streets loud. Most residents of busy streets sleep \
badly (Moreau 2019, 71).\n\nPage 2 of 3\n\nWorks Cited\n\n\
Moreau, Alice. 2019. Streets Without Engines. Lyon: Presses du Rhone.\n\
Lindqvist, Per. 2021. \"Footfall after <script>alert(1)</script> Pedestrianisation.\" Urban \
Review 12: 33-51.\n";
    let out = cargo_bin_cmd!("essaymap")
        .args(["analyze", "-", "--format", "html"])
        .write_stdin(essay)
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    let (text, refs) = html.split_once("<section id=\"references\">").unwrap();
    let refs = &refs[..refs.find("</section>").unwrap()];
    assert_eq!(refs.matches("<li>").count(), 2, "{refs}");
    assert_eq!(refs.matches("class=\"s kind-reference\"").count(), 2);
    assert!(refs.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(html.matches("<script>").count(), 1, "only the page's own");
    assert_eq!(text.matches("<a class=\"cite\"").count(), 3);
    assert!(
        text.contains("class=\"s kind-furniture\"") && text.contains("class=\"s kind-heading\"")
    );
    for href in html.split("href=\"#").skip(1) {
        let id = &href[..href.find('"').unwrap()];
        assert!(
            html.contains(&format!(" id=\"{id}\"")),
            "no target for #{id}"
        );
    }
}

/// Three tiny essays in the annotated-corpus format, with relations.
fn corpus() -> tempfile::NamedTempFile {
    let essays: [(&str, Vec<(&str, &str)>); 3] = [
        (
            "Libraries matter. They lend books for free. Many families cannot buy books.",
            vec![
                ("MajorClaim", "Libraries matter."),
                ("Premise", "They lend books for free."),
                ("Premise", "Many families cannot buy books."),
            ],
        ),
        (
            "Parks help cities. Trees cool the streets. Some say parks cost too much. However, \
             upkeep is cheap.",
            vec![
                ("MajorClaim", "Parks help cities."),
                ("Premise", "Trees cool the streets."),
                ("Claim", "Some say parks cost too much."),
                ("Premise", "However, upkeep is cheap."),
            ],
        ),
        (
            "Buses beat cars. They carry forty people. For example, one bus replaces many cars.",
            vec![
                ("Claim", "Buses beat cars."),
                ("Premise", "They carry forty people."),
                ("Premise", "For example, one bus replaces many cars."),
            ],
        ),
    ];
    let mut f = tempfile::NamedTempFile::new().unwrap();
    for (i, (text, comps)) in essays.iter().enumerate() {
        let components: Vec<serde_json::Value> = comps
            .iter()
            .enumerate()
            .map(|(k, (ty, sub))| {
                // ASCII text: byte offsets are code-point offsets.
                let start = text.find(sub).unwrap();
                let stance = (*ty == "Claim").then_some("Against");
                serde_json::json!({"id": format!("T{}", k + 1), "type": ty, "start": start,
                    "end": start + sub.len(), "text": sub, "stance": stance})
            })
            .collect();
        let relations: Vec<serde_json::Value> = (1..comps.len())
            .filter(|&k| comps[k].0 == "Premise")
            .map(|k| {
                serde_json::json!({"source": format!("T{}", k + 1), "target": "T1",
                    "type": if i == 1 && k == 3 { "attacks" } else { "supports" }})
            })
            .collect();
        let rec = serde_json::json!({"id": format!("ours-{i}"), "title": "A question?",
            "text": text, "paragraphs": [[0, text.chars().count()]],
            "components": components, "relations": relations});
        writeln!(f, "{rec}").unwrap();
    }
    f
}

#[test]
fn train_links_writes_a_model_that_analyze_and_eval_use() {
    let data = corpus();
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("links.bin");
    cargo_bin_cmd!("essaymap")
        .args(["train", "--links", "--train"])
        .arg(data.path())
        .arg("--dev")
        .arg(data.path())
        .arg("-o")
        .arg(&model)
        .assert()
        .success()
        .stderr(predicate::str::contains("link training data"));
    assert!(std::fs::metadata(&model).unwrap().len() > 1000);
    cargo_bin_cmd!("essaymap")
        .args(["eval", "--links", "--gold"])
        .arg(data.path())
        .arg("--links-model")
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("rel-F1"))
        .stdout(predicate::str::is_match(r"predicted +model").unwrap());
    cargo_bin_cmd!("essaymap")
        .args(["analyze", "-", "--format", "jsonl", "--links-model"])
        .arg(&model)
        .write_stdin(ESSAY)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"map\""));
}

#[test]
fn bad_link_model_is_a_clear_error() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(b"not a model").unwrap();
    cargo_bin_cmd!("essaymap")
        .args(["analyze", "-", "--links-model"])
        .arg(f.path())
        .write_stdin(ESSAY)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a link model"));
}

/// `--format text` tells the whole story on stdout: the tagged essay, then the
/// feedback and the rubric suggestion; an empty text says why, on stdout too.
#[test]
fn text_format_ends_with_feedback_and_rubric_and_explains_an_empty_essay() {
    let out = analyze("text");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let (essay, tail) = text.split_once("\nFeedback\n").expect("a feedback section");
    assert!(essay.contains("Every town should build more cycle lanes."));
    assert!(tail.lines().any(|l| l.starts_with("  [")), "{tail}");
    let rubric = tail
        .split_once("\nRubric suggestion: ")
        .expect("a rubric")
        .1;
    assert!(rubric.contains("Not a grade"), "{rubric}");
    assert!(rubric
        .lines()
        .skip(1)
        .all(|l| l.contains('/') || l.ends_with(" -")));
    for empty in ["", "\n\n  \n"] {
        let out = cargo_bin_cmd!("essaymap")
            .args(["analyze", "-", "--format", "text"])
            .write_stdin(empty)
            .output()
            .unwrap();
        assert!(out.status.success());
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.starts_with("No essay to analyse: the text is empty"),
            "{stdout}"
        );
        assert!(stdout.contains("\nRubric suggestion: "));
    }
}
