#!/usr/bin/env python3
"""essaymap.spark in local[2] against `essaymap batch --threads 2`, one corpus.

Times Spark's start-up (session and first job) apart from the analysis, which
is measured as an action that writes nothing (`noop` sink) after the corpus
is read and cached; batch and Spark rounds are interleaved.

usage: python_spark.py [--n 20000] [--rounds 3] [--partitions 8]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=20000)
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--partitions", type=int, default=8)
ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "essaymap"))
args = ap.parse_args()

tmp = tempfile.mkdtemp(prefix="essaymap-spark-")
corpus = os.path.join(tmp, "corpus.jsonl")
subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "bench", "gen_corpus.py"),
                str(args.n), corpus], check=True)

t0 = time.perf_counter()
from pyspark.sql import SparkSession  # noqa: E402

import essaymap.spark  # noqa: E402

os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers run this interpreter
spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
         .config("spark.driver.memory", "2g").getOrCreate())
essays = spark.read.json(corpus).repartition(args.partitions).cache()
assert essays.count() == args.n
startup = time.perf_counter() - t0


def run_spark():
    t = time.perf_counter()
    out = essaymap.spark.analyze(essays, title_col="title")
    out.write.format("noop").mode("overwrite").save()
    return time.perf_counter() - t


def run_batch():
    t = time.perf_counter()
    subprocess.run([args.bin, "batch", corpus, "-o", os.path.join(tmp, "out.jsonl"), "-q",
                    "--threads", "2"], check=True)
    return time.perf_counter() - t


times = {"batch --threads 2": [], "spark local[2]": []}
for r in range(args.rounds):
    times["batch --threads 2"].append(run_batch())
    times["spark local[2]"].append(run_spark())
    print(f"round {r + 1}: " + ", ".join(f"{k} {args.n / v[-1]:.0f} essays/s" for k, v in times.items()),
          flush=True)
rate = {k: args.n / statistics.median(v) for k, v in times.items()}
print(f"\n{args.n} essays, {args.partitions} partitions, median of {args.rounds} interleaved rounds")
print(f"  Spark start-up (session, read and cache the corpus): {startup:.1f} s")
for k, v in rate.items():
    print(f"  {k:20s} {v:8.0f} essays/s")
print(f"  spark / batch: {rate['spark local[2]'] / rate['batch --threads 2']:.2f}x")
spark.stop()
