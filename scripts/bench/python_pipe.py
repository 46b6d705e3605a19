#!/usr/bin/env python3
"""Pipeline.pipe against `essaymap batch` on one generated corpus, interleaved.

For each round: batch with 2 threads, pipe with the default (all-core) pool
yielding dicts, then yielding JSON lines (as_json=True, no dicts built), then
batch and pipe (dicts, then lines) with 1 thread. Pipe reads the corpus with
json.loads per line, as batch reads it, and its time includes loading the
models, as batch's does.
Reports each configuration's median essays/s and the ratios, all from this run.

usage: python_pipe.py [--n 20000] [--rounds 3] [--bin target/release/essaymap]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import essaymap

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=20000)
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "essaymap"))
args = ap.parse_args()

tmp = tempfile.mkdtemp(prefix="essaymap-pipe-")
corpus = os.path.join(tmp, "corpus.jsonl")
subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "bench", "gen_corpus.py"),
                str(args.n), corpus], check=True)


def batch(threads):
    t = time.perf_counter()
    subprocess.run([args.bin, "batch", corpus, "-o", os.path.join(tmp, "out.jsonl"), "-q",
                    "--threads", str(threads)], check=True)
    return time.perf_counter() - t


def records():
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def pipe(threads, raw=False):
    t = time.perf_counter()
    nlp = essaymap.Pipeline(threads=threads)
    n = 0
    for _ in nlp.pipe(records(), as_json=raw):
        n += 1
    assert n == args.n
    return time.perf_counter() - t


runs = {
    "batch --threads 2": lambda: batch(2),
    "pipe (threads=None: all cores)": lambda: pipe(None),
    "pipe as_json=True": lambda: pipe(None, raw=True),
    "batch --threads 1": lambda: batch(1),
    "pipe threads=1": lambda: pipe(1),
    "pipe as_json=True threads=1": lambda: pipe(1, raw=True),
}
times = {k: [] for k in runs}
for r in range(args.rounds):
    for k, f in runs.items():
        times[k].append(f())
        print(f"round {r + 1}: {k}: {args.n / times[k][-1]:.0f} essays/s", flush=True)
rate = {k: args.n / statistics.median(v) for k, v in times.items()}
print(f"\n{args.n} essays, {os.cpu_count()} cores, median of {args.rounds} interleaved rounds:")
for k, v in rate.items():
    print(f"  {k:34s} {v:8.0f} essays/s")
print(f"  pipe / batch (2 threads):      {rate['pipe (threads=None: all cores)'] / rate['batch --threads 2']:.2f}x")
print(f"  as_json / batch (2 threads):   {rate['pipe as_json=True'] / rate['batch --threads 2']:.2f}x")
print(f"  pipe / batch (1 thread):       {rate['pipe threads=1'] / rate['batch --threads 1']:.2f}x")
print(f"  as_json / batch (1 thread):    {rate['pipe as_json=True threads=1'] / rate['batch --threads 1']:.2f}x")
print(f"  pipe 2 threads / 1 thread:     {rate['pipe (threads=None: all cores)'] / rate['pipe threads=1']:.2f}x")
print(f"  as_json 2 threads / 1 thread:  {rate['pipe as_json=True'] / rate['pipe as_json=True threads=1']:.2f}x")
print(f"  batch 2 threads / 1 thread:    {rate['batch --threads 2'] / rate['batch --threads 1']:.2f}x")
