#!/usr/bin/env bash
# Renders an essay with `--format html`, loads the page in headless Chromium and
# checks that it works offline: the DOM (after scripts ran) holds the SVG map with
# one box per map node and one highlighted span per sentence, and a screenshot is
# written and not blank.
#
# Usage: scripts/ci/check_html.sh [ESSAYMAP_BINARY] [ESSAY.txt] [OUT_DIR]
#        (defaults: target/release/essaymap, examples/phones.txt, a temp dir)
# Needs: chromium (apt-get install -y chromium), python3.
set -euo pipefail
bin=${1:-target/release/essaymap}
essay=${2:-examples/phones.txt}
out=${3:-$(mktemp -d)}
mkdir -p "$out"
command -v chromium >/dev/null || { echo "check_html: chromium not installed" >&2; exit 1; }

title=$(head -n 1 "$essay")
tail -n +2 "$essay" | "$bin" analyze - --title "$title" --format html > "$out/map.html"
tail -n +2 "$essay" | "$bin" analyze - --title "$title" --format json > "$out/map.json"

chrome() {
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d)" "$@"
}
chrome --dump-dom "file://$(realpath "$out/map.html")" > "$out/dom.html" 2>/dev/null
chrome --screenshot="$out/map.png" --window-size=1280,1600 "file://$(realpath "$out/map.html")" \
  >/dev/null 2>&1

python3 - "$out" <<'PY'
import json, re, sys, zlib, struct
out = sys.argv[1]
dom = open(f"{out}/dom.html", encoding="utf-8").read()
analysis = json.load(open(f"{out}/map.json", encoding="utf-8"))
def fail(m):
    print(f"check_html: FAIL: {m}", file=sys.stderr); sys.exit(1)
if '<svg id="map"' not in dom:
    fail("no <svg id=map> in the DOM")
nodes = len(re.findall(r'<g class="node kind-', dom))
spans = len(re.findall(r'<span class="s[ "]', dom))
want_nodes = len(analysis["map"]["nodes"])
want_spans = len(analysis["sentences"])
if nodes != want_nodes or nodes == 0:
    fail(f"{nodes} node boxes in the DOM, map has {want_nodes}")
if spans != want_spans:
    fail(f"{spans} sentence spans in the DOM, essay has {want_spans}")
if re.search(r'(src|href)="https?:', dom):
    fail("page loads something from the network")
# The PNG: present, decodable, and not one flat colour.
png = open(f"{out}/map.png", "rb").read()
if png[:8] != b"\x89PNG\r\n\x1a\n":
    fail("screenshot missing or not a PNG")
pos, idat, w = 8, b"", 0
while pos < len(png):
    n, kind = struct.unpack(">I4s", png[pos:pos + 8])
    body = png[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    if kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
distinct = len(set(raw[i:i + 3] for i in range(0, min(len(raw), 4_000_000), 97)))
if distinct < 20:
    fail(f"screenshot looks blank ({distinct} distinct samples)")
print(f"check_html: OK: {nodes} node boxes, {spans} sentence spans, screenshot {w}x{h} "
      f"({len(png)} bytes, {distinct} distinct samples) in {out}")
PY
