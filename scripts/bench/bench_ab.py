#!/usr/bin/env python3
"""Compares essaymap builds on `batch` by medians of interleaved runs.

Single runs on a shared machine vary by 20% or more, so comparing one run of
each build says little. This runs every build, at 1 and at 2 threads, once per
round, round after round, so that a slow spell of the machine hits all of
them, and prints each build's median essays/s and peak RSS.

usage: python3 scripts/bench/bench_ab.py ROUNDS CORPUS.jsonl BINARY [BINARY ...]
       (a corpus: python3 scripts/bench/gen_corpus.py 20000 corpus.jsonl)
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile


def run(binary, corpus, threads, out):
    # Every run writes a new file: builds before 693ba83 truncate an existing
    # output inside the timed run (up to 0.2 s per 320 MB on ext4 here), and
    # ext4 then flushes the new one when it is closed.
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run(
        [binary, "batch", corpus, "-o", out, "--threads", str(threads)],
        capture_output=True,
        text=True,
    )
    rate = re.search(r"\((\d+) essays/s", p.stderr)
    rss = re.search(r"peak RSS (\d+) MB", p.stderr)
    if p.returncode != 0 or not rate or not rss:
        sys.exit(f"{binary} failed (exit {p.returncode}):\n{p.stderr}")
    return int(rate.group(1)), int(rss.group(1))


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rounds, corpus, binaries = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    runs = {(b, t): [] for b in binaries for t in (1, 2)}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.jsonl")
        for _ in range(rounds):
            for b in binaries:
                for t in (1, 2):
                    runs[(b, t)].append(run(b, corpus, t, out))
    for b in binaries:
        line = [b]
        median = {}
        for t in (1, 2):
            rates = sorted(r for r, _ in runs[(b, t)])
            rss = max(m for _, m in runs[(b, t)])
            median[t] = statistics.median(rates)
            line.append(
                f"{t} thread(s): median {median[t]:.0f} essays/s "
                f"(runs {rates[0]}-{rates[-1]}), peak RSS up to {rss} MB"
            )
        line.append(f"2 threads / 1 thread: {median[2] / median[1]:.2f}x")
        print("\n  ".join(line))


if __name__ == "__main__":
    main()
