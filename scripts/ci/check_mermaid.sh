#!/usr/bin/env bash
# Renders each example essay with `--format mermaid` and draws it with the real
# Mermaid library (npm `mermaid`, pinned) in headless Chromium, offline: the
# check fails when Mermaid reports a parse or render error, or when the SVG it
# draws has not one node per map node and one edge per map edge.
#
# Usage: scripts/ci/check_mermaid.sh [ESSAYMAP_BINARY] [ESSAY.txt...]
#        (defaults: target/release/essaymap, examples/*.txt)
# Needs: chromium, node/npm (installs mermaid into target/mermaid-check once).
set -euo pipefail
bin=${1:-target/release/essaymap}
shift || true
essays=("$@")
[ ${#essays[@]} -gt 0 ] || essays=(examples/*.txt)
command -v chromium >/dev/null || { echo "check_mermaid: chromium not installed" >&2; exit 1; }
tool=target/mermaid-check
if [ ! -f "$tool/node_modules/mermaid/dist/mermaid.min.js" ]; then
  mkdir -p "$tool"
  (cd "$tool" && npm install --silent --no-audit --no-fund --no-save mermaid@11.12.1 >/dev/null)
fi
lib=$(realpath "$tool/node_modules/mermaid/dist/mermaid.min.js")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for essay in "${essays[@]}"; do
  name=$(basename "$essay" .txt)
  "$bin" analyze "$essay" --format mermaid > "$out/$name.mmd"
  "$bin" analyze "$essay" --format json > "$out/$name.json"
  python3 - "$out/$name.mmd" "$lib" > "$out/$name.html" <<'PY'
import html, json, sys
src = open(sys.argv[1], encoding="utf-8").read()
print(f"""<!doctype html><meta charset="utf-8"><script src="file://{sys.argv[2]}"></script>
<pre id="status">pending</pre><div id="out"></div><script>
mermaid.initialize({{startOnLoad: false, securityLevel: "strict"}});
mermaid.render("g", {json.dumps(src)}).then(r => {{
  document.getElementById("out").innerHTML = r.svg;
  document.getElementById("status").textContent = "ok";
}}).catch(e => {{ document.getElementById("status").textContent = "error: " + e; }});
</script>""")
PY
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --allow-file-access-from-files \
    --user-data-dir="$(mktemp -d -p "$out")" --virtual-time-budget=10000 \
    --dump-dom "file://$out/$name.html" > "$out/$name.dom" 2>/dev/null
  python3 - "$out/$name.dom" "$out/$name.json" "$name" <<'PY'
import json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
m = json.load(open(sys.argv[2], encoding="utf-8"))["map"]
name = sys.argv[3]
status = re.search(r'<pre id="status">(.*?)</pre>', dom, re.S)
status = status.group(1) if status else "no status (page did not run)"
if status != "ok":
    sys.exit(f"check_mermaid: FAIL {name}: {status}")
nodes = len(re.findall(r'<g class="node[ "]', dom))
edges = len(re.findall(r'<path[^>]*class="[^"]*flowchart-link', dom))
if nodes != len(m["nodes"]) or edges != len(m["edges"]):
    sys.exit(f"check_mermaid: FAIL {name}: drew {nodes} nodes / {edges} edges, "
             f"map has {len(m['nodes'])} / {len(m['edges'])}")
print(f"check_mermaid: {name}: ok ({nodes} nodes, {edges} edges)")
PY
done
