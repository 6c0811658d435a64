#!/usr/bin/env bash
# The benchmark suite (not part of the test command): release builds, then every measurement of
# DESIGN §7, printed as a markdown table and written to BENCHMARKS.md with the machine's
# description. Takes about 25 minutes on 2 cores (the release builds, and the example site's two
# browser builds of benches/in-place-size.sh, are most of it).
set -euo pipefail
cd "$(dirname "$0")/.."
# The build tools (tools.sh, wasm-opt) are installed by build-release.sh below.
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"

# wrk drives the load; Chromium the page loads; redis-server one of the session stores.
./scripts/system-packages.sh wrk chromium redis-server

echo "== release builds"
# The suite first: building it also builds the server binary, without the settings
# cargo-leptos compiles in (the name of the wasm file), so build-release.sh builds it again after.
suite=$(cargo bench --features ssr --bench suite --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "suite" and m.get("executable"):
        print(m["executable"])')
./scripts/build-release.sh
server=target/release/cognito-authenticator
work=$(mktemp -d)
rows="$work/rows.md"
: > "$rows"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

# Starts the release server on a fresh local pool; sets $port and $pid.
start_server() {
  port=$(free_port)
  local data="$work/data-$port"
  mkdir -p "$data"
  printf 'print_outbox = false\n' > "$data/pool.toml"
  LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=cognito-authenticator \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_ENV=PROD DATA_DIR="$data" LOCAL_POOL_CONFIG="$data/pool.toml" \
    ATTEMPT_LIMIT_SCALE=100000 RUST_LOG=warn "$server" > "$data/server.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "bench: the server did not start" >&2
  cat "$data/server.log" >&2
  exit 1
}

# wrk's requests/s and its 50 % / 99 % latencies for a URL (more wrk arguments may follow).
load() {
  wrk -t2 -c32 -d10s --latency "$@" | python3 -c 'import re, sys
text = sys.stdin.read()
rps = float(re.search(r"Requests/sec:\s*([\d.]+)", text).group(1))
def pct(p):
    value, unit = re.search(rf"^\s*{p}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
print(f"{rps:.0f} {pct(50):.2f} {pct(99):.2f}")'
}

echo "== in-process measurements"
"$suite" inprocess | grep '^|' | tee -a "$rows"

echo "== SSR of /signin against a plain axum handler with the same bytes"
start_server
curl -sf "http://127.0.0.1:$port/signin" -o "$work/signin.html"
plain_port=$(free_port)
"$suite" plain "$plain_port" "$work/signin.html" &
pids+=($!)
sleep 1
read -r ssr_rps ssr_p50 ssr_p99 < <(load "http://127.0.0.1:$port/signin")
read -r plain_rps plain_p50 plain_p99 < <(load "http://127.0.0.1:$plain_port/signin")
# A cookie keeps a request out of the anonymous-page cache: every one is rendered.
read -r render_rps render_p50 render_p99 < <(load "http://127.0.0.1:$port/signin" -H "Cookie: bench=1")
python3 - "$ssr_rps" "$ssr_p50" "$ssr_p99" "$plain_rps" "$plain_p50" "$plain_p99" "$render_rps" "$render_p50" "$render_p99" <<'PY' | tee -a "$rows"
import sys
ssr, s50, s99, plain, p50, p99, render, r50, r99 = map(float, sys.argv[1:])
def verdict(ratio):
    return "meets" if ratio >= 0.5 else f"**misses** by {0.5 - ratio:.2f} ({(1 - ratio / 0.5) * 100:.0f} %)"
print(f"| SSR of /signin as a new visitor gets it (wrk, 2 threads, 32 connections, 10 s) | {ssr:.0f} req/s · p50 {s50:.2f} ms · p99 {s99:.2f} ms | — | — |")
print(f"| plain axum handler, same bytes | {plain:.0f} req/s · p50 {p50:.2f} ms · p99 {p99:.2f} ms | — | — |")
print(f"| **SSR / plain throughput** (anonymous pages served from the 30 s page cache, fresh nonce each) | {ssr / plain:.2f}× | ≥ 0.5× | {verdict(ssr / plain)} |")
print(f"| SSR of /signin rendered on every request (cache bypassed) | {render:.0f} req/s · p50 {r50:.2f} ms · p99 {r99:.2f} ms | — | — |")
print(f"| rendered every time / plain | {render / plain:.2f}× | ≥ 0.5× | {verdict(render / plain)} |")
PY
# Anonymous page views write no session: the store stays empty after the load.
sessions=$(python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("select count(*) from sessions").fetchone()[0])' "$work/data-$port/sessions.sqlite3" 2>/dev/null || echo "?")
echo "| sessions written by the anonymous page views above | $sessions | 0 | $([ "$sessions" = 0 ] && echo meets || echo '**misses**') |" | tee -a "$rows"

echo "== bundle size and page load"
# The sizes of the built files (the precompressed copies cargo-leptos wrote are not counted).
node benches/bundle-size.mjs target/site/pkg "$work/signin.html" | tee -a "$rows"
"$suite" account "http://127.0.0.1:$port" pageload
node benches/page-load.mjs "http://127.0.0.1:$port" pageload Corr3ct-horse! | tee -a "$rows"

echo "== what in-place steps add to the example site's browser build"
benches/in-place-size.sh "$work" | tee -a "$rows"

echo "== 200 concurrent sign-ups and sign-ins"
start_server
"$suite" concurrent "http://127.0.0.1:$port" "$pid" 200 | tee -a "$rows"

{
  echo "# Benchmarks"
  echo
  echo "Written by \`./scripts/bench.sh\` on $(date -u +%Y-%m-%d). Everything runs on one machine, over loopback:"
  echo
  echo "- CPU: $(lscpu | sed -n 's/^Model name:\s*//p' | head -1), $(nproc) cores"
  echo "- memory: $(free -g | awk '/^Mem:/ { print $2 }') GiB; $(uname -sr)"
  echo "- $(rustc -V); release profile; the browser build with \`wasm-release\` (opt-level z, LTO) and wasm-opt"
  echo
  echo "| measure | result | budget | verdict |"
  echo "|---|---|---|---|"
  cat "$rows"
  echo
  cat benches/NOTES.md
} > BENCHMARKS.md
echo
cat BENCHMARKS.md
