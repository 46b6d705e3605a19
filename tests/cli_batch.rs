//! End-to-end tests of `essaymap batch`: bad records, exit codes, order, resume.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use std::path::Path;

const ESSAY: &str = "Schools should ban phones. Phones distract students in class.\n\n\
    For example, a survey found that most teachers lose time to phones every week.";

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn good(id: usize) -> String {
    serde_json::json!({"id": format!("e{id}"), "text": ESSAY, "grade": 8}).to_string()
}

#[test]
fn bad_records_get_error_lines_and_exit_code_3() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let mut data = Vec::new();
    data.extend(format!("{}\n", good(0)).bytes());
    data.extend(b"{not json\n");
    data.extend(b"{\"id\":\"notext\"}\n");
    data.extend(b"{\"id\":\"empty\",\"text\":\"   \"}\n");
    data.extend(b"{\"id\":\"latin1\",\"text\":\"caf\xe9\"}\n");
    data.extend(
        format!(
            "{}\n",
            serde_json::json!({"id": "big", "text": "word ".repeat(300)})
        )
        .bytes(),
    );
    data.extend(format!("{}\n", good(1)).bytes());
    std::fs::write(&input, data).unwrap();
    let out = dir.path().join("out.jsonl");
    let summary = dir.path().join("sum.csv");
    cargo_bin_cmd!("essaymap")
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("--summary")
        .arg(&summary)
        .args(["--max-bytes", "1000", "--quiet"])
        .assert()
        .code(3);
    let got = lines(&out);
    let kinds: Vec<String> = got
        .iter()
        .map(|v| v["error"]["kind"].as_str().unwrap_or("ok").to_string())
        .collect();
    assert_eq!(
        kinds,
        [
            "ok",
            "invalid_json",
            "bad_record",
            "bad_record",
            "invalid_utf8",
            "too_large",
            "ok"
        ]
    );
    assert_eq!(got[0]["id"], "e0");
    assert_eq!(got[0]["meta"]["grade"], 8);
    assert_eq!(got[0]["sentences"].as_array().unwrap().len(), 3);
    assert!(got[0]["sentences"][0]["label"].is_string());
    assert_eq!(got[6]["id"], "e1");
    // Only the text's bytes are bad, so the error keeps the record's own id.
    assert_eq!(got[4]["id"], "latin1");
    let csv = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");

    // --lossy analyses that record with U+FFFD for the bad byte.
    let lossy_out = dir.path().join("lossy.jsonl");
    cargo_bin_cmd!("essaymap")
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&lossy_out)
        .args(["--max-bytes", "1000", "--quiet", "--lossy"])
        .assert()
        .code(3);
    let got = lines(&lossy_out);
    assert_eq!(got.len(), 7);
    assert_eq!(got[4]["id"], "latin1");
    assert!(got[4].get("error").is_none(), "{}", got[4]);
    assert_eq!(got[4]["sentences"][0]["text"], "caf\u{fffd}");
}

#[test]
fn summary_rows_count_what_the_map_shows() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (out, summary) = (dir.path().join("out.jsonl"), dir.path().join("sum.csv"));
    cargo_bin_cmd!("essaymap")
        .arg("batch")
        .arg(root.join("examples"))
        .arg("-o")
        .arg(&out)
        .arg("--summary")
        .arg(&summary)
        .arg("--quiet")
        .assert()
        .success();
    let mut csv = csv::Reader::from_path(&summary).unwrap();
    let header = csv.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let lines = lines(&out);
    assert_eq!(rows.len(), lines.len());
    let mut some_supported = false;
    for (row, line) in rows.iter().zip(&lines) {
        let cell = |name: &str| -> usize {
            let i = header.iter().position(|h| h == name).unwrap();
            row[i].parse().unwrap()
        };
        let m = &line["assessment"]["metrics"];
        let len = |k: &str| m[k].as_array().unwrap().len();
        assert_eq!(row[0], line["id"]);
        assert_eq!(cell("words") as u64, m["words"].as_u64().unwrap());
        assert_eq!(cell("depth") as u64, m["depth"].as_u64().unwrap());
        assert_eq!(cell("unsupported_claims"), len("unsupported_claims"));
        assert_eq!(cell("orphan_evidence"), len("orphan_evidence"));
        assert_eq!(cell("counter_arguments"), len("counter_arguments"));
        // Every claim of the writer's side is supported or not.
        let counters: Vec<&Value> = m["counter_arguments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| &c["sentence"])
            .collect();
        let own = m["claim_sentences"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| !counters.contains(c))
            .count();
        assert_eq!(cell("supported_claims") + cell("unsupported_claims"), own);
        some_supported |= cell("supported_claims") > 0;
    }
    assert!(some_supported, "the examples have supported claims");
}

#[test]
fn output_order_is_input_order_with_many_threads() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let text: String = (0..300).map(|i| good(i) + "\n").collect();
    std::fs::write(&input, text).unwrap();
    let run = |threads: &str, out: &Path| {
        cargo_bin_cmd!("essaymap")
            .arg("batch")
            .arg(&input)
            .arg("-o")
            .arg(out)
            .args(["--threads", threads, "--chunk", "7", "--quiet"])
            .assert()
            .success();
    };
    let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    run("1", &a);
    run("4", &b);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let ids: Vec<String> = lines(&b)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    let want: Vec<String> = (0..300).map(|i| format!("e{i}")).collect();
    assert_eq!(ids, want);
}

#[test]
fn resume_after_a_crash_writes_every_id_once() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let text: String = (0..50).map(|i| good(i) + "\n").collect();
    std::fs::write(&input, text).unwrap();
    let out = dir.path().join("out.jsonl");
    let batch = || {
        let mut c = cargo_bin_cmd!("essaymap");
        c.arg("batch")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .arg("--quiet");
        c
    };
    batch().assert().success();
    // A crash part-way: 20 whole lines and half of the 21st.
    let full = std::fs::read_to_string(&out).unwrap();
    let keep: usize = full.lines().take(20).map(|l| l.len() + 1).sum::<usize>() + 40;
    std::fs::write(&out, &full[..keep]).unwrap();
    batch().arg("--resume").assert().success();
    let ids: Vec<String> = lines(&out)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    let want: Vec<String> = (0..50).map(|i| format!("e{i}")).collect();
    assert_eq!(ids, want);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), full);
}

#[test]
fn directories_and_csv_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let essays = dir.path().join("essays");
    std::fs::create_dir_all(essays.join("class1")).unwrap();
    std::fs::write(essays.join("class1/ann.txt"), ESSAY).unwrap();
    std::fs::write(essays.join("bob.md"), ESSAY).unwrap();
    let csv = dir.path().join("k.csv");
    std::fs::write(&csv, format!("essay_id,full_text\nk1,\"{ESSAY}\"\n")).unwrap();
    let out = dir.path().join("out.jsonl");
    cargo_bin_cmd!("essaymap")
        .arg("batch")
        .arg(&essays)
        .arg(&csv)
        .arg("-o")
        .arg(&out)
        .arg("--quiet")
        .assert()
        .success();
    let ids: Vec<String> = lines(&out)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["bob.md", "class1/ann.txt", "k1"]);
}

#[test]
fn missing_input_is_a_usage_error() {
    cargo_bin_cmd!("essaymap")
        .args(["batch", "/no/such.jsonl", "-o", "/tmp/essaymap-never.jsonl"])
        .assert()
        .code(2);
}

#[test]
fn an_output_that_is_also_an_input_is_a_usage_error_and_the_input_stays() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let text = good(0) + "\n";
    std::fs::write(&input, &text).unwrap();
    for (out, summary) in [(&input, None), (&dir.path().join("o.jsonl"), Some(&input))] {
        let mut c = cargo_bin_cmd!("essaymap");
        c.arg("batch").arg(&input).arg("-o").arg(out);
        if let Some(s) = summary {
            c.arg("--summary").arg(s);
        }
        c.assert()
            .code(2)
            .stderr(predicates::str::contains("an input as well as an output"));
        assert_eq!(std::fs::read_to_string(&input).unwrap(), text);
    }
}

#[test]
fn a_teachers_rubric_scores_every_essay_and_a_broken_one_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, format!("{}\n{}\n", good(0), good(1))).unwrap();
    let out = cargo_bin_cmd!("essaymap")
        .args(["report", "--print-default-rubric"])
        .output()
        .unwrap();
    // The default rubric on a 0-10 scale (its four level names no longer fit).
    let rubric: String = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("labels"))
        .map(|l| match l {
            "min = 1" => "min = 0\n".to_string(),
            "max = 4" => "max = 10\n".to_string(),
            _ => format!("{l}\n"),
        })
        .collect();
    let rubric_file = dir.path().join("ten.toml");
    std::fs::write(&rubric_file, rubric).unwrap();
    let output = dir.path().join("out.jsonl");
    cargo_bin_cmd!("essaymap")
        .args(["batch", "--quiet", "--rubric"])
        .arg(&rubric_file)
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .assert()
        .success();
    let got = lines(&output);
    assert_eq!(got.len(), 2);
    for line in &got {
        let r = &line["assessment"]["rubric"];
        assert_eq!(r["scale_min"], 0, "{r}");
        assert_eq!(r["scale_max"], 10, "{r}");
        for c in r["criteria"].as_array().unwrap() {
            let s = c["score"].as_i64().unwrap();
            assert!((0..=10).contains(&s), "{c}");
        }
    }
    std::fs::write(&rubric_file, "[scale]\nmin = 3\nmax = 1\n").unwrap();
    cargo_bin_cmd!("essaymap")
        .args(["batch", "--quiet", "--rubric"])
        .arg(&rubric_file)
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("never.jsonl"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("ten.toml"));
}

/// `batch INPUT -o OUT --summary SUMMARY --quiet`, with more arguments after.
fn batch_cmd(input: &Path, out: &Path, summary: &Path) -> assert_cmd::Command {
    let mut c = cargo_bin_cmd!("essaymap");
    c.arg("batch")
        .arg(input)
        .arg("-o")
        .arg(out)
        .arg("--summary")
        .arg(summary)
        .arg("--quiet");
    c
}

#[test]
fn resume_redoes_an_essay_whose_summary_row_a_crash_lost() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let text: String = (0..40).map(|i| good(i) + "\n").collect();
    std::fs::write(&input, text).unwrap();
    let (out, summary) = (dir.path().join("out.jsonl"), dir.path().join("sum.csv"));
    batch_cmd(&input, &out, &summary).assert().success();
    let (full, full_csv) = (
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(&summary).unwrap(),
    );
    // Killed after the 30th essay's line, before its summary row, which was
    // half-written: the header and 29 whole rows.
    let keep_lines: usize = full.lines().take(30).map(|l| l.len() + 1).sum();
    std::fs::write(&out, &full[..keep_lines]).unwrap();
    let keep_rows: usize = full_csv.lines().take(30).map(|l| l.len() + 1).sum();
    std::fs::write(&summary, &full_csv[..keep_rows + 3]).unwrap();
    batch_cmd(&input, &out, &summary)
        .arg("--resume")
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), full);
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), full_csv);
}

#[test]
fn records_with_the_same_id_are_all_kept_on_resume_and_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("in.jsonl");
    let rec = |id: &str, n: usize| {
        let text = format!("{ESSAY} Reason number {n} matters.");
        serde_json::json!({"id": id, "text": text}).to_string() + "\n"
    };
    std::fs::write(
        &jsonl,
        rec("a", 1) + &rec("b", 2) + &rec("a", 3) + &rec("c", 4),
    )
    .unwrap();
    // Rows with an empty id all have the id "".
    let csv = dir.path().join("in.csv");
    std::fs::write(&csv, "id,text\n,First essay here.\n,Second essay here.\n").unwrap();
    let (out, summary) = (dir.path().join("out.jsonl"), dir.path().join("sum.csv"));
    let run = || {
        let mut c = batch_cmd(&jsonl, &out, &summary);
        c.arg(&csv);
        c
    };
    run().assert().success().stderr(predicates::str::contains(
        "2 records have the id of an earlier record",
    ));
    let (full, full_csv) = (
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(&summary).unwrap(),
    );
    let ids: Vec<Value> = lines(&out).iter().map(|v| v["id"].clone()).collect();
    assert_eq!(ids, ["a", "b", "a", "c", "", ""]);
    // Stopped after the first "a" and "b", and after the first empty id.
    for keep in [2, 5] {
        let cut: usize = full.lines().take(keep).map(|l| l.len() + 1).sum();
        std::fs::write(&out, &full[..cut]).unwrap();
        let cut: usize = full_csv.lines().take(keep + 1).map(|l| l.len() + 1).sum();
        std::fs::write(&summary, &full_csv[..cut]).unwrap();
        run()
            .arg("--resume")
            .assert()
            .success()
            .stderr(predicates::str::contains("2 records have the id"));
        assert_eq!(std::fs::read_to_string(&out).unwrap(), full, "kept {keep}");
        assert_eq!(std::fs::read_to_string(&summary).unwrap(), full_csv);
    }
}

#[test]
fn resume_refuses_an_output_written_from_other_inputs_and_leaves_it() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    std::fs::write(&first, good(0) + "\n" + &good(1) + "\n").unwrap();
    std::fs::write(&second, good(5) + "\n" + &good(6) + "\n").unwrap();
    let (out, summary) = (dir.path().join("out.jsonl"), dir.path().join("sum.csv"));
    batch_cmd(&first, &out, &summary).assert().success();
    let before = std::fs::read(&out).unwrap();
    batch_cmd(&second, &out, &summary)
        .arg("--resume")
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "cannot resume: line 1 is record \"e0\" but record 1 of the inputs is \"e5\"",
        ));
    assert_eq!(std::fs::read(&out).unwrap(), before);
}

#[test]
fn a_csv_quote_left_open_is_an_error_record_and_the_rows_after_it_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("in.csv");
    std::fs::write(
        &csv,
        "id,text\n\
         e1,\"First essay. It is fine.\"\n\
         e2,\"Forgot to close the quote. Sad.\n\
         e3,Third essay is here.\n\
         e4,\"Fourth essay, quoted.\"\n",
    )
    .unwrap();
    let out = dir.path().join("out.jsonl");
    cargo_bin_cmd!("essaymap")
        .arg("batch")
        .arg(&csv)
        .arg("-o")
        .arg(&out)
        .arg("--quiet")
        .assert()
        .code(3);
    let got = lines(&out);
    let ids: Vec<&str> = got.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["e1", "e2", "e3", "e4"]);
    assert_eq!(got[1]["error"]["kind"], "bad_record");
    let message = got[1]["error"]["message"].as_str().unwrap();
    assert!(message.contains("in.csv:3: a quoted field"), "{message}");
    assert_eq!(got[2]["text"], "Third essay is here.");
    assert_eq!(got[3]["text"], "Fourth essay, quoted.");
}

#[test]
fn plain_text_on_stdin_gets_one_hint_and_jsonl_with_a_bom_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let assert = cargo_bin_cmd!("essaymap")
        .args(["batch", "-", "--quiet", "-o"])
        .arg(&out)
        .write_stdin("Schools should ban phones.\nPhones distract.\nTeachers agree.\n")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("essaymap analyze -"));
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    cargo_bin_cmd!("essaymap")
        .args(["batch", "-", "--quiet", "-o"])
        .arg(&out)
        .write_stdin(format!("\u{feff}{}\n{}\n", good(0), good(1)))
        .assert()
        .success();
    let ids: Vec<Value> = lines(&out).iter().map(|v| v["id"].clone()).collect();
    assert_eq!(ids, ["e0", "e1"]);
}

#[test]
fn a_text_that_is_not_a_string_is_an_error_record() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"n\",\"text\":12345}\n".to_string() + &good(1),
    )
    .unwrap();
    let out = dir.path().join("out.jsonl");
    cargo_bin_cmd!("essaymap")
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("--quiet")
        .assert()
        .code(3);
    let got = lines(&out);
    assert_eq!(got[0]["error"]["kind"], "bad_record");
    assert!(got[0]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("\"text\" must be a string, not a number"));
    assert_eq!(got[1]["id"], "e1");
}

#[test]
fn threads_0_means_all_cores() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, good(0) + "\n").unwrap();
    let cores = std::thread::available_parallelism().unwrap().get();
    cargo_bin_cmd!("essaymap")
        .env_remove("RAYON_NUM_THREADS")
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("out.jsonl"))
        .args(["--quiet", "--threads", "0"])
        .assert()
        .success()
        .stderr(predicates::str::contains(format!("{cores} threads")));
}
