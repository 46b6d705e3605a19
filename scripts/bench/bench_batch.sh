#!/usr/bin/env bash
# End-to-end batch benchmark: generates a corpus of essays of at least 300 words
# from our own examples (scripts/bench/gen_corpus.py), then runs `essaymap batch`
# (read, analyze with map and assessment, write JSONL) at 1 and 2 threads on
# N essays, and once at 10 x N essays to show that peak memory does not grow
# with the corpus. essaymap prints essays/s and peak RSS itself.
#
# usage: scripts/bench/bench_batch.sh [N]   (default 20000)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-20000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
python3 scripts/bench/gen_corpus.py "$n" "$work/small.jsonl"
python3 scripts/bench/gen_corpus.py "$((n * 10))" "$work/large.jsonl"
# Each run writes a new file (rm first), so no run pays for removing the last
# one's output.
for t in 1 2; do
  echo "== $n essays, $t thread(s)"
  rm -f "$work/out.jsonl"
  target/release/essaymap batch "$work/small.jsonl" -o "$work/out.jsonl" --threads "$t" --quiet
done
echo "== $((n * 10)) essays, 2 threads"
rm -f "$work/out.jsonl"
target/release/essaymap batch "$work/large.jsonl" -o "$work/out.jsonl" --threads 2 --quiet
