#!/usr/bin/env python3
"""Peak memory of a Python process streaming essays through Pipeline.pipe.

Essays are generated on the fly (as gen_corpus.py does, from examples/), never
held, so the process's memory is the pipeline's own. Prints the resident set
every --every essays and the peak (VmHWM) at the end.

usage: python_rss.py [--n 200000] [--every 20000]
"""
import argparse
import glob
import os
import random
import time

import essaymap

ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=200000)
ap.add_argument("--every", type=int, default=20000)
args = ap.parse_args()


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # MiB
    return float("nan")


root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")
essays = []
for path in sorted(glob.glob(os.path.join(root, "*.txt"))):
    paras = [p.strip() for p in open(path, encoding="utf-8").read().split("\n\n") if p.strip()]
    essays.append((paras[0], paras[1:]))
bodies = [p for _, body in essays for p in body[1:-1]]


def generate(n, rng=random.Random(1)):
    for i in range(n):
        title, body = essays[i % len(essays)]
        paras, words = [body[0]], len(body[0].split()) + len(body[-1].split())
        while words < 300:
            p = rng.choice(bodies)
            paras.append(p)
            words += len(p.split())
        paras.append(body[-1])
        yield {"id": f"gen-{i:07d}", "title": title, "text": "\n\n".join(paras)}


nlp = essaymap.Pipeline()
print(f"after loading: RSS {status('VmRSS'):.0f} MiB", flush=True)
start = time.perf_counter()
for i, a in enumerate(nlp.pipe(generate(args.n)), 1):
    if i % args.every == 0:
        rate = i / (time.perf_counter() - start)
        print(f"{i:7d} essays: RSS {status('VmRSS'):.0f} MiB, peak {status('VmHWM'):.0f} MiB, "
              f"{rate:.0f} essays/s", flush=True)
print(f"peak RSS (VmHWM) over {args.n} essays: {status('VmHWM'):.0f} MiB")
