#!/usr/bin/env bash
# Transformer backend speed, side by side with Python: generates N essays from our
# own examples (scripts/bench/gen_corpus.py), runs `essaymap batch --backend transformer`
# on them (read, segment, embedded model, transformer, map, assessment, JSON out),
# then the same network on the same sentences in PyTorch (scripts/bench/bench_transformer.py,
# tokenization and network only), at 1 and 2 threads. Prints sentences/s for each.
# The Python side needs torch 2.4.0 with transformers; the first run installs them
# into .transformer/bench-venv (PyPI's torch wheel pulls ~3 GB of CUDA libraries).
#
# usage: scripts/bench/bench_transformer.sh [N]   (default 100)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-100}
bash scripts/setup-transformer.sh
cargo build --release --features transformer --quiet
venv=.transformer/bench-venv
if [ ! -f "$venv/.done" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check torch==2.4.0 transformers==4.44.2 \
    tokenizers safetensors
  touch "$venv/.done"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/bench/gen_corpus.py "$n" "$work/corpus.jsonl"
for t in 1 2; do
  start=$(date +%s.%N)
  target/release/essaymap batch "$work/corpus.jsonl" --backend transformer \
    --threads "$t" -o "$work/out.jsonl" --quiet
  end=$(date +%s.%N)
  sentences=$(python3 -c 'import json,sys; print(sum(len(json.loads(l).get("sentences", [])) for l in open(sys.argv[1])))' "$work/out.jsonl")
  python3 -c "import sys; s,d=int(sys.argv[1]),float(sys.argv[3])-float(sys.argv[2]); print(f'essaymap ({sys.argv[4]} threads, end to end): {s} sentences in {d:.1f}s = {s/d:.1f} sentences/s')" \
    "$sentences" "$start" "$end" "$t"
  "$venv/bin/python" scripts/bench/bench_transformer.py .transformer/minilm models/roles-transformer.safetensors \
    "$work/out.jsonl" "$t"
done
