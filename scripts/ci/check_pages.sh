#!/usr/bin/env bash
# Loads essaymap's HTML pages in headless Chromium at a laptop's 1280x800 and
# fails on a JavaScript error, a page whose script did not finish, a link to a
# missing file, a page (or a box in it: the essay table, the map) that scrolls
# sideways, or a blank screenshot.
#
# Usage:
#   scripts/ci/check_pages.sh                 # build the pages below and check them
#   scripts/ci/check_pages.sh PAGE.html ...   # check these pages
# The default pages: the class report of tests/data/class_batch.jsonl and its
# essay pages; `analyze --format html` of examples/*.txt and of the essays in
# ../shared/examples/ (when present); the report's essay pages of those essays.
# Environment:
#   ESSAYMAP   essaymap binary (default: target/debug/essaymap, built if missing)
#   CHROMIUM   browser binary (default: chromium, chromium-browser or google-chrome)
#   SHOTS      folder for the 1280x800 screenshots (default: a temporary one)
#   MARKER     0 to skip the data-ready check (console errors are still checked)
#
# How: every page's script sets data-ready="1" on <body> as its last step, so
# `--dump-dom` shows the marker only if the script ran to the end; console
# errors ("Uncaught ...") are read from Chromium's log on stderr. For the
# widths, a copy of the page gets one more script at its end that writes the
# document's scroll width, its viewport width and every scrolling box wider
# than itself into a data-measure attribute, which `--dump-dom` shows.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
browser="${CHROMIUM:-}"
if [[ -z "$browser" ]]; then
  for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser="$b"; break; fi
  done
fi
if [[ -z "$browser" ]]; then
  echo "check_pages: no Chromium found (apt-get install -y chromium, or set CHROMIUM)" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
shots="${SHOTS:-$work/shots}"
mkdir -p "$shots"

pages=("$@")
if [[ ${#pages[@]} -eq 0 ]]; then
  bin="${ESSAYMAP:-$root/target/debug/essaymap}"
  if [[ ! -x "$bin" ]]; then
    (cd "$root" && cargo build --quiet)
  fi
  "$bin" report "$root/tests/data/class_batch.jsonl" -o "$work/site/class.html" --title "Check" 2>/dev/null
  pages=("$work/site/class.html" "$work"/site/class_essays/*.html)
  essays=("$root"/examples/*.txt)
  if compgen -G "$root/../shared/examples/*.txt" >/dev/null; then
    essays+=("$root"/../shared/examples/*.txt)
  else
    echo "check_pages: ../shared/examples absent, checking examples/ only" >&2
  fi
  mkdir -p "$work/analyze"
  : >"$work/essays.jsonl"
  for essay in "${essays[@]}"; do
    name="$(basename "$essay" .txt)"
    "$bin" analyze "$essay" --format html >"$work/analyze/$name.html" 2>/dev/null
    "$bin" analyze "$essay" --format jsonl >>"$work/essays.jsonl" 2>/dev/null
    pages+=("$work/analyze/$name.html")
  done
  "$bin" report "$work/essays.jsonl" -o "$work/examples/class.html" --title "Examples" 2>/dev/null
  pages+=("$work/examples/class.html")
  while IFS= read -r -d '' p; do pages+=("$p"); done \
    < <(find "$work/examples/class_essays" -name '*.html' -print0 | sort -z)
fi

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
       --disable-component-update --disable-sync --no-first-run
       --enable-logging=stderr --v=0 --window-size=1280,800 --hide-scrollbars)

# Appended to a copy of each page: measures after the page's own script ran.
measure='<script>(function(){var d=document.documentElement,over=[];
document.querySelectorAll("body *").forEach(function(el){var o=getComputedStyle(el).overflowX;
if((o==="auto"||o==="scroll")&&el.scrollWidth>el.clientWidth+1){
over.push((el.id||el.className||el.tagName)+":"+el.scrollWidth+"px-in-"+el.clientWidth);}});
document.body.setAttribute("data-measure",d.scrollWidth+" "+window.innerWidth+" "+(over.join(",")||"-"));})();</script>'

fail=0
n=0
for page in "${pages[@]}"; do
  bad=0
  n=$((n + 1))
  abs="$(cd "$(dirname "$page")" && pwd)/$(basename "$page")"
  profile="$(mktemp -d -p "$work")"
  dom="$work/dom.html"
  log="$work/log.txt"
  if ! timeout 60 "$browser" "${flags[@]}" --user-data-dir="$profile" --dump-dom "file://$abs" >"$dom" 2>"$log"; then
    echo "FAIL $page: chromium exited with an error" >&2
    tail -5 "$log" >&2
    fail=1
    continue
  fi
  if grep -E "Uncaught|CONSOLE.*(Error|error)" "$log" >&2; then
    echo "FAIL $page: JavaScript error (above)" >&2
    bad=1
  fi
  if [[ "${MARKER:-1}" != 0 ]] && ! grep -q 'data-ready="1"' "$dom"; then
    echo "FAIL $page: the page script did not finish (no data-ready marker)" >&2
    bad=1
  fi
  # No sideways scrolling at 1280 px: the document is as wide as the window
  # and no box in it (the essay table, the map) scrolls sideways.
  copy="$(dirname "$abs")/.measure-$n-$(basename "$abs")"
  python3 - "$abs" "$copy" "$measure" <<'PY'
import sys
src, dst, script = sys.argv[1:4]
html = open(src, encoding="utf-8").read()
at = html.rfind("</body>")
open(dst, "w", encoding="utf-8").write(html[:at] + script + html[at:] if at >= 0 else html + script)
PY
  timeout 60 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d -p "$work")" --dump-dom \
    "file://$copy" >"$work/measure.html" 2>/dev/null || true
  rm -f "$copy"
  read -r scroll inner over < <(grep -o 'data-measure="[^"]*"' "$work/measure.html" \
    | sed 's/^data-measure="//; s/"$//') || true
  if [[ -z "${scroll:-}" ]]; then
    echo "FAIL $page: the width could not be measured" >&2
    bad=1
  elif [[ "$scroll" != "$inner" || "$over" != "-" ]]; then
    echo "FAIL $page: scrolls sideways at 1280 px (document $scroll px in a $inner px window; boxes: $over)" >&2
    bad=1
  fi
  # Every local link must point at an existing file.
  dir="$(dirname "$abs")"
  while IFS= read -r href; do
    target="${href%%#*}"
    [[ -z "$target" || "$target" == http* ]] && continue
    target="${target#file://}"
    target="$(printf '%b' "${target//%/\\x}")"
    [[ "$target" == /* ]] || target="$dir/$target"
    if [[ ! -e "$target" ]]; then
      echo "FAIL $page: broken link $href" >&2
      bad=1
    fi
  done < <(grep -o 'href="[^"]*"' "$abs" | sed 's/^href="//; s/"$//' | sort -u)
  # A screenshot at 1280x800 that is not blank.
  shot="$shots/$n-$(basename "$page" .html).png"
  timeout 60 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d -p "$work")" \
    --screenshot="$shot" "file://$abs" >/dev/null 2>&1 || true
  if ! python3 "$root/scripts/ci/png_not_blank.py" "$shot" 1280 800; then
    echo "FAIL $page: screenshot $shot missing, of the wrong size or blank" >&2
    bad=1
  fi
  if [[ $bad -eq 0 ]]; then echo "ok   $page (${scroll} px wide)"; else fail=1; fi
done
exit $fail
