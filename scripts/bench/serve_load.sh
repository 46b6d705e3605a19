#!/usr/bin/env bash
# Load benchmark and soak of `essaymap serve` (tests/serve_load.rs), on
# loopback, bounded: 64 clients post PERSUADE dev essays to /v1/analyze;
# prints req/s, p50/p99 latency, the ratio to `batch`'s essays/s on the same
# essays and threads (batch runs before and after, interleaved), peak RSS
# after a run and after one LONG times longer; then the soak (5% malformed,
# oversized, trickling and stalled requests; every good answer compared byte
# for byte with the library's). Needs ../shared/data/persuade.
#
# usage: scripts/bench/serve_load.sh [REQUESTS] [THREADS]
#   REQUESTS  requests in the short run (default 1000; the long run does 10x)
#   THREADS   analysis threads of server and batch (default 0 = all cores)
# Environment: CLIENTS (64), LONG (10).
set -euo pipefail
cd "$(dirname "$0")/../.."
export REQUESTS="${1:-1000}" THREADS="${2:-0}"
cargo test --release --test serve_load -- --ignored --nocapture --test-threads 1 2>&1 \
  | grep -E '^serve_load|test result|panicked'
