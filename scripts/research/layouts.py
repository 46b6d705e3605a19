#!/usr/bin/env python3
"""Rewrite an annotated corpus (AAE/PERSUADE JSONL) into the layouts people paste.

    python3 scripts/research/layouts.py IN.jsonl OUTDIR

writes OUTDIR/<stem>.<layout>.jsonl for each layout:

  lines     one paragraph per line (paragraphs separated by a single newline)
  wrapped   hard-wrapped at 72 columns, blank lines between paragraphs
  wrapped1  hard-wrapped at 72 columns, no blank lines between paragraphs
  flat      no breaks at all (paragraphs joined by one space)

Gold component offsets move with the text, and the `paragraphs` field is
dropped, so that `essaymap eval` finds paragraphs in the text the way it reads
a user's text. Only the whitespace between and inside paragraphs changes;
every other character stays, in order. Standard library only.
"""

import json
import sys
from pathlib import Path

WIDTH = 72


def wrap(par, width=WIDTH):
    """`par` with its line breaks and runs of spaces kept as they are, except
    that the space before any word that would pass `width` becomes a newline."""
    out = list(par)
    col = 0
    last_space = None
    for i, ch in enumerate(out):
        if ch == "\n":
            col = 0
            last_space = None
            continue
        if ch == " ":
            last_space = i
        col += 1
        if col > width and last_space is not None and ch != " ":
            out[last_space] = "\n"
            col = i - last_space
            last_space = None
    return "".join(out)


def paragraph_spans(essay):
    spans = essay.get("paragraphs") or []
    if spans:
        return [tuple(p) for p in spans]
    # No field: blank lines separate paragraphs, as in the corpus files.
    text, spans, pos = essay["text"], [], 0
    for block in text.split("\n\n"):
        s = len(block) - len(block.lstrip())
        e = len(block.rstrip())
        if e > s:
            spans.append((pos + s, pos + e))
        pos += len(block) + 2
    return spans


def rewrite(essay, layout):
    """The essay in `layout`, with `mapping[i]` the new offset of old offset i."""
    text = essay["text"]
    spans = paragraph_spans(essay)
    sep = {"lines": "\n", "wrapped": "\n\n", "wrapped1": "\n", "flat": " "}[layout]
    pieces, mapping = [], [0] * (len(text) + 1)
    pos = 0  # length of the new text so far
    prev_end = 0
    for k, (s, e) in enumerate(spans):
        # Old whitespace before this paragraph (or between two) maps to its start.
        for i in range(prev_end, s):
            mapping[i] = pos
        if k > 0:
            pieces.append(sep)
            pos += len(sep)
        else:
            # Keep anything before the first paragraph (never prose in the corpora).
            pieces.append(text[:s])
            for i in range(s):
                mapping[i] = i
            pos = s
        par = text[s:e]
        if layout in ("wrapped", "wrapped1"):
            par = wrap(par)
        else:
            par = par.replace("\n", " ")
        for i in range(s, e):
            mapping[i] = pos + (i - s)
        pieces.append(par)
        pos += len(par)
        prev_end = e
    for i in range(prev_end, len(text) + 1):
        mapping[i] = pos
    return "".join(pieces), mapping


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, outdir = Path(sys.argv[1]), Path(sys.argv[2])
    outdir.mkdir(parents=True, exist_ok=True)
    essays = [json.loads(l) for l in src.open(encoding="utf-8") if l.strip()]
    stem = src.name.removesuffix(".jsonl")
    for layout in ("lines", "wrapped", "wrapped1", "flat"):
        path = outdir / f"{stem}.{layout}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for essay in essays:
                new_text, m = rewrite(essay, layout)
                out = {k: v for k, v in essay.items() if k != "paragraphs"}
                out["text"] = new_text
                comps = []
                for c in essay.get("components", []):
                    c = dict(c)
                    old = essay["text"][c["start"] : c["end"]]
                    c["start"], c["end"] = m[c["start"]], m[c["end"] - 1] + 1
                    # Only whitespace may change inside a component.
                    assert new_text[c["start"] : c["end"]].split() == old.split(), essay["id"]
                    if "text" in c:
                        c["text"] = new_text[c["start"] : c["end"]]
                    comps.append(c)
                out["components"] = comps
                f.write(json.dumps(out, ensure_ascii=False) + "\n")
        print(path)


if __name__ == "__main__":
    main()
