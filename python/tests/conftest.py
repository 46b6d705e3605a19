"""Shared fixtures: the repository, the `essaymap` CLI built from it, and
generated corpora (scripts/bench/gen_corpus.py, from our own examples)."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.txt"))


@pytest.fixture(scope="session")
def cli() -> Path:
    """The essaymap binary the package is compared with (ESSAYMAP_BIN, else
    target/release/essaymap, as `cargo build --release` leaves it)."""
    path = Path(os.environ.get("ESSAYMAP_BIN", ROOT / "target" / "release" / "essaymap"))
    if not path.exists():
        pytest.fail(f"{path} not found: run `cargo build --release` or set ESSAYMAP_BIN")
    return path


def run(cli: Path, *args: str, check: bool = True) -> str:
    """The CLI's standard output, run from the repository root."""
    done = subprocess.run(
        [str(cli), *args], cwd=ROOT, capture_output=True, text=True, encoding="utf-8"
    )
    if check and done.returncode != 0:
        raise AssertionError(f"essaymap {' '.join(args)}: {done.returncode}: {done.stderr}")
    return done.stdout


def gen_corpus(n: int, out: Path, seed: int = 1) -> Path:
    script = ROOT / "scripts" / "bench" / "gen_corpus.py"
    subprocess.run([sys.executable, str(script), str(n), str(out), "--seed", str(seed)], check=True)
    return out


def batch(cli: Path, inp: Path, tmp: Path) -> tuple:
    """`essaymap batch` on `inp`: its output lines and summary CSV rows."""
    out, summary = tmp / f"{inp.stem}.out.jsonl", tmp / f"{inp.stem}.summary.csv"
    run(cli, "batch", str(inp), "-o", str(out), "--summary", str(summary), "-q", check=False)
    lines = out.read_text(encoding="utf-8").splitlines()
    with open(summary, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return lines, rows


def read_jsonl(path: Path) -> list:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """300 generated essays (id, title, text)."""
    return gen_corpus(300, tmp_path_factory.mktemp("corpus") / "corpus.jsonl")


@pytest.fixture(scope="session")
def corpus_batch(cli, corpus, tmp_path_factory) -> tuple:
    return batch(cli, corpus, tmp_path_factory.mktemp("batch"))
