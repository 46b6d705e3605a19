#!/usr/bin/env python3
"""Generate a synthetic essay corpus (JSONL) for benchmarks from our own example essays.

Each generated essay keeps an example's introduction and conclusion and draws its body
paragraphs, shuffled, from all examples, until it has at least --min-words words. Only the
essays in examples/ (written by us) are used, so the corpus is licence-clean.

usage: gen_corpus.py N OUT.jsonl [--min-words 300] [--seed 1]
"""
import argparse
import glob
import json
import os
import random

ap = argparse.ArgumentParser()
ap.add_argument("n", type=int)
ap.add_argument("out")
ap.add_argument("--min-words", type=int, default=300)
ap.add_argument("--seed", type=int, default=1)
args = ap.parse_args()

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")
essays = []
for path in sorted(glob.glob(os.path.join(root, "*.txt"))):
    paras = [p.strip() for p in open(path, encoding="utf-8").read().split("\n\n") if p.strip()]
    title, body = paras[0], paras[1:]
    essays.append((title, body))
bodies = [p for _, body in essays for p in body[1:-1]]

rng = random.Random(args.seed)
with open(args.out, "w", encoding="utf-8") as out:
    for i in range(args.n):
        title, body = essays[i % len(essays)]
        paras = [body[0]]
        words = len(body[0].split()) + len(body[-1].split())
        while words < args.min_words:
            p = rng.choice(bodies)
            paras.append(p)
            words += len(p.split())
        paras.append(body[-1])
        out.write(json.dumps({"id": f"gen-{i:07d}", "title": title, "text": "\n\n".join(paras)}) + "\n")
