#!/usr/bin/env bash
# Loads essaymap's HTML pages in headless Chromium and fails on a JavaScript
# error, a page whose script did not finish, or a link to a missing file.
#
# Usage:
#   scripts/ci/check_pages.sh                 # build the report of tests/data/class_batch.jsonl and check it
#   scripts/ci/check_pages.sh PAGE.html ...   # check these pages
# Environment:
#   ESSAYMAP   essaymap binary (default: target/debug/essaymap, built if missing)
#   CHROMIUM   browser binary (default: chromium, chromium-browser or google-chrome)
#   SHOTS      if set, a folder where a 1366x900 screenshot of each page is saved
#   MARKER     0 to skip the data-ready check (pages from other renderers, e.g.
#              `analyze --format html`; console errors are still checked)
#
# How: every page's script sets data-ready="1" on <body> as its last step, so
# `--dump-dom` shows the marker only if the script ran to the end; console
# errors ("Uncaught ...") are read from Chromium's log on stderr.
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

pages=("$@")
if [[ ${#pages[@]} -eq 0 ]]; then
  bin="${ESSAYMAP:-$root/target/debug/essaymap}"
  if [[ ! -x "$bin" ]]; then
    (cd "$root" && cargo build --quiet)
  fi
  "$bin" report "$root/tests/data/class_batch.jsonl" -o "$work/site/class.html" --title "Check" 2>/dev/null
  pages=("$work/site/class.html" "$work"/site/class_essays/*.html)
fi

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
       --disable-component-update --disable-sync --no-first-run
       --enable-logging=stderr --v=0 --window-size=1366,900)

fail=0
for page in "${pages[@]}"; do
  bad=0
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
  if [[ -n "${SHOTS:-}" ]]; then
    mkdir -p "$SHOTS"
    shot="$SHOTS/$(basename "$page" .html).png"
    timeout 60 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d -p "$work")" \
      --screenshot="$shot" "file://$abs" >/dev/null 2>&1 || true
  fi
  if [[ $bad -eq 0 ]]; then echo "ok   $page"; else fail=1; fi
done
exit $fail
