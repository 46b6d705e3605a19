//! `batch --summary --resume` after repeated `kill -9` at random points ends
//! with the same bytes as a run never interrupted, in the output and in the
//! summary CSV.

#![cfg(unix)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

const BIN: &str = env!("CARGO_BIN_EXE_essaymap");

fn batch(input: &Path, out: &Path, summary: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("batch")
        .arg(input)
        .arg("-o")
        .arg(out)
        .arg("--summary")
        .arg(summary)
        .arg("--quiet")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// xorshift64: the kill points, reproducible from the seed printed on failure.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Waits until `out` grows past `from` (the run is writing a chunk) or the run
/// ends; true when it is still running.
fn wait_for_writes(child: &mut Child, out: &Path, from: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if size(out) > from {
            return true;
        }
        std::thread::yield_now();
    }
    panic!("the run wrote nothing for 20 s");
}

#[test]
fn repeated_kills_then_resume_give_the_bytes_of_a_clean_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench/gen_corpus.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg("2000")
        .arg(&input)
        .stdout(Stdio::null())
        .status()
        .expect("python3 runs scripts/bench/gen_corpus.py");
    assert!(status.success());
    let (clean, clean_csv) = (dir.path().join("clean.jsonl"), dir.path().join("clean.csv"));
    assert!(batch(&input, &clean, &clean_csv)
        .status()
        .unwrap()
        .success());

    let (out, csv) = (dir.path().join("out.jsonl"), dir.path().join("out.csv"));
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = seed;
    let mut kills = 0;
    while kills < 80 {
        let before = size(&out);
        // Small chunks: many bursts of writes, where a kill can fall between
        // an essay's line and its summary row.
        let mut child = batch(&input, &out, &csv)
            .args(["--resume", "--chunk", "32"])
            .spawn()
            .unwrap();
        if !wait_for_writes(&mut child, &out, before) {
            break;
        }
        let delay = [0, 100, 300, 1000, 3000][(next(&mut rng) % 5) as usize];
        std::thread::sleep(Duration::from_micros(delay));
        if child.try_wait().unwrap().is_some() {
            break;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
    }
    let status = batch(&input, &out, &csv).arg("--resume").status().unwrap();
    assert!(status.success(), "seed {seed}");
    assert!(kills > 5, "only {kills} kills (seed {seed})");
    assert!(
        std::fs::read(&out).unwrap() == std::fs::read(&clean).unwrap(),
        "the output differs from a clean run's after {kills} kills (seed {seed})"
    );
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        std::fs::read_to_string(&clean_csv).unwrap(),
        "the summary differs from a clean run's after {kills} kills (seed {seed})"
    );
}
