#!/usr/bin/env python3
"""Checks that essaymap's xAIF output loads in arg-tech's `xaif` package and that
the package finds exactly the relations essaymap put in the map.

Usage: scripts/ci/check_xaif.py [ESSAYMAP_BINARY] [ESSAY.txt] [TITLE]
       (defaults: target/release/essaymap, examples/phones.txt, its first line)
Needs: pip install xaif pandas   (xaif imports pandas without declaring it)

Checks, for the rendered essay:
  - AIF(json) accepts it: is_valid_json_aif(), node ids from 1;
  - get_csv("argument-relation") lists, for every supports/attacks edge of the
    map (kept in the `essaymap` extension key), a row (I source, I target) with
    "Default Inference" (support) or "Default Conflict" (attack), and no other
    related rows;
  - get_csv("locution") anchors every L node to its I node through a YA node;
  - every locution id appears as a highlighted span in text.txt.
Exits 1 with a message on the first failure.
"""
import json
import subprocess
import sys


def fail(msg):
    print(f"check_xaif: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/essaymap"
    essay = sys.argv[2] if len(sys.argv) > 2 else "examples/phones.txt"
    with open(essay, encoding="utf-8") as f:
        lines = f.read().split("\n")
    title = sys.argv[3] if len(sys.argv) > 3 else lines[0].strip()
    body = "\n".join(lines[1:]) if len(sys.argv) <= 3 else "\n".join(lines)
    out = subprocess.run(
        [binary, "analyze", "-", "--title", title, "--format", "aif"],
        input=body.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if out.returncode != 0:
        fail(f"essaymap exited {out.returncode}: {out.stderr.decode()}")
    doc = json.loads(out.stdout)
    try:
        from xaif import AIF
    except ImportError as e:
        fail(f"cannot import xaif ({e}); run: pip install xaif pandas")

    aif = AIF(doc)
    if not aif.is_valid_json_aif():
        fail("xaif says this is not valid xAIF (needs nodes, edges, locutions)")
    nodes = doc["AIF"]["nodes"]
    if min(n["nodeID"] for n in nodes) < 1:
        fail("node ids must start at 1")
    by_id = {n["nodeID"]: n for n in nodes}
    ext = doc["essaymap"]
    i_of = {n["id"]: n["I"] for n in ext["nodes"]}
    l_of = {n["id"]: n["L"] for n in ext["nodes"]}

    want = set()
    for e in ext["edges"]:
        if e["relation"] == "supports":
            want.add((i_of[e["source"]], i_of[e["target"]], "Default Inference"))
        elif e["relation"] == "attacks":
            want.add((i_of[e["source"]], i_of[e["target"]], "Default Conflict"))
    df = aif.get_csv("argument-relation")
    got = {
        (int(r.proposition1_id), int(r.proposition2_id), r.relation)
        for r in df.itertuples()
        if r.relation != "None"
    }
    if got != want:
        fail(f"relations differ: missing {sorted(want - got)}, extra {sorted(got - want)}")

    loc = aif.get_csv("locution")
    anchored = {
        (int(r.proposition1_id), int(r.proposition2_id))
        for r in loc.itertuples()
        if r.relation != "None"
    }
    for n in ext["nodes"]:
        if (n["L"], n["I"]) not in anchored:
            fail(f"L node {n['L']} is not anchored to I node {n['I']}")
        if by_id[n["I"]]["text"] != by_id[n["L"]]["text"]:
            fail(f"I node {n['I']} text differs from its locution")
    txt = doc["text"]["txt"]
    for node_id in l_of.values():
        if f'<span class="highlighted" id="{node_id}">' not in txt:
            fail(f"no highlighted span for locution {node_id}")
    kinds = {}
    for e in ext["edges"]:
        kinds[e["relation"]] = kinds.get(e["relation"], 0) + 1
    print(
        f"check_xaif: OK: {len(nodes)} AIF nodes, {len(ext['nodes'])} locutions, "
        f"relations {kinds}; xaif found the same {len(want)} support/attack relations"
    )


if __name__ == "__main__":
    main()
