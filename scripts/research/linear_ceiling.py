"""How far a linear sentence classifier gets on PERSUADE's two hardest targets,
thesis (Position) and counter-argument (Counterclaim) sentences: an
independent check that the embedded model's 0.60 / 0.36 on dev are near what
bag-of-words context features allow, rather than a training shortfall.

    pip install scikit-learn==1.9.1 numpy scipy
    python3 scripts/research/linear_ceiling.py [ESSAYMAP_BINARY] [../shared/data/persuade]

Sentences are essaymap's (its `batch` output), gold labels are its rule (the
component type covering most of the sentence). Features per sentence: hashed
word 1-2-grams of the sentence, of its neighbours in the paragraph and of the
paragraph, its opening words, its paragraph kind and position, essaymap's
predicted label, thesis flag and role probabilities. Logistic regression
trained on train; the threshold is picked on dev itself, and for the thesis
also "the top sentence of each essay", so the figures are optimistic.
Takes about 10 minutes on two cores. Measured 2026-11-28: thesis 0.614 (top
sentence per essay 0.607; essaymap's own flag, by this script's gold, 0.603),
counter-argument 0.381 (essaymap end to end: 0.365). The issue targets are 0.70
and 0.50.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/essaymap"
DATA = sys.argv[2] if len(sys.argv) > 2 else "../shared/data/persuade"


def rows(gold_path, tmp):
    out_path = os.path.join(tmp, os.path.basename(gold_path))
    subprocess.run([BIN, "batch", gold_path, "-o", out_path, "--quiet"], check=True)
    gold = {}
    # PERSUADE texts hold U+2028 and friends: split on '\n' only.
    for line in open(gold_path, encoding="utf-8").read().split("\n"):
        if line.strip():
            g = json.loads(line)
            gold[g["id"]] = g
    out = []
    for line in open(out_path, encoding="utf-8"):
        d = json.loads(line)
        comps = gold[d["id"]]["components"]
        sents = d["sentences"]
        n_para = sents[-1]["paragraph"] + 1
        by_para = {}
        for s in sents:
            by_para.setdefault(s["paragraph"], []).append(s)
        for s in sents:
            best, cover = None, 0
            for c in comps:
                ov = min(s["end"], c["end"]) - max(s["start"], c["start"])
                if ov > cover:
                    best, cover = c["type"], ov
            i, p = s["index"], s["paragraph"]
            para = by_para[p]
            same = lambda j: 0 <= j < len(sents) and sents[j]["paragraph"] == p
            kind = "intro" if p == 0 else "concl" if p == n_para - 1 else "body"
            k = s["position_in_paragraph"]
            pos = "first" if k == 0 else "last" if k == len(para) - 1 else "mid"
            sc = s["scores"]
            out.append({
                "essay": d["id"],
                "text": s["text"],
                "prev": sents[i - 1]["text"] if same(i - 1) else "<none>",
                "next": sents[i + 1]["text"] if same(i + 1) else "<none>",
                "para": " ".join(x["text"] for x in para),
                "ctx": f"K_{kind} P_{pos}_{kind} L_{s['label']} T_{s['thesis']} "
                f"NP_{min(n_para, 6)} PI_{min(p, 4)}_{min(k, 4)}",
                "dense": [sc["claim"], sc["evidence"], sc["other"], i / len(sents), p / n_para],
                "gold": best,
                "thesis": s["thesis"],
            })
    return out


def matrix(rs):
    words = lambda: HashingVectorizer(
        n_features=2**20, ngram_range=(1, 2), alternate_sign=False, norm="l2")
    opening = HashingVectorizer(
        n_features=2**16, alternate_sign=False, norm=None,
        analyzer=lambda s: [f"O{n}_" + " ".join(s.lower().split()[:n]) for n in (1, 2, 3)])
    ctx = HashingVectorizer(n_features=2**12, token_pattern=r"\S+", lowercase=False,
                            alternate_sign=False, norm=None)
    return hstack([
        words().transform([r["text"] for r in rs]),
        words().transform([r["prev"] for r in rs]) * 0.5,
        words().transform([r["next"] for r in rs]) * 0.5,
        words().transform([r["para"] for r in rs]) * 0.3,
        opening.transform([r["text"] for r in rs]),
        ctx.transform([r["ctx"] for r in rs]),
        csr_matrix(np.array([r["dense"] for r in rs])),
    ]).tocsr()


def f1(pred, gold):
    return 2 * (pred & gold).sum() / max(1, pred.sum() + gold.sum())


def best_threshold_f1(p, y):
    return max((f1(p >= th, y), th) for th in np.arange(0.025, 0.975, 0.025))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        train = rows(os.path.join(DATA, "train.jsonl"), tmp)
        dev = rows(os.path.join(DATA, "dev.jsonl"), tmp)
    xt, xd = matrix(train), matrix(dev)
    essays = {}
    for k, r in enumerate(dev):
        essays.setdefault(r["essay"], []).append(k)
    for name, gold_type in [("thesis (Position)", "Position"),
                            ("counter-argument (Counterclaim)", "Counterclaim")]:
        yt = np.array([r["gold"] == gold_type for r in train])
        yd = np.array([r["gold"] == gold_type for r in dev])
        p = LogisticRegression(C=1.0, max_iter=3000).fit(xt, yt).predict_proba(xd)[:, 1]
        f, th = best_threshold_f1(p, yd)
        print(f"{name}: dev sentences {yd.sum()}, linear model F1 {f:.3f} (threshold {th:.3f})")
        if gold_type == "Position":
            ours = np.array([r["thesis"] for r in dev])
            print(f"  essaymap's thesis flag: F1 {f1(ours, yd):.3f}")
            best = 0.0
            for floor in np.arange(0.0, 0.6, 0.05):
                pred = np.zeros(len(p), bool)
                for ks in essays.values():
                    top = max(ks, key=lambda k: p[k])
                    pred[top] = p[top] >= floor
                best = max(best, f1(pred, yd))
            print(f"  top sentence per essay (best floor): F1 {best:.3f}")


if __name__ == "__main__":
    main()
