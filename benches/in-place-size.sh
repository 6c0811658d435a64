#!/usr/bin/env bash
# What in-place steps add to a fully hydrated page (run by scripts/bench.sh, after
# build-release.sh installed wasm-opt): the example site's browser build from this tree, against
# the same tree with benches/without-in-place.patch applied (the <Authenticator> shows its first
# screen and leaves later steps to their pages, as before the in-place steps; the modal kept).
# Each build: wasm-release profile, wasm-bindgen, wasm-opt -Oz, gzip -9. Prints one markdown row.
#   benches/in-place-size.sh <work dir>
set -euo pipefail
# A failed build stops the script, inside $(…) too.
shopt -s inherit_errexit
work=$(realpath "$1")
cd "$(dirname "$0")/.."
root=$PWD
wasm_opt="$root/target/build-tools/node_modules/binaryen/bin/wasm-opt"

# The gzip size of the example site's optimised wasm, built from the tree in $1 into target dir $2.
site_wasm_gzip() {
  local tree=$1 target=$2 out
  out=$(mktemp -d -p "$work")
  (cd "$tree" && CARGO_TARGET_DIR="$target" cargo build -q -p example-site --lib \
    --target wasm32-unknown-unknown --no-default-features --features hydrate --profile wasm-release >&2)
  wasm-bindgen --target web --out-dir "$out" "$target/wasm32-unknown-unknown/wasm-release/example_site.wasm"
  "$wasm_opt" -Oz "$out/example_site_bg.wasm" -o "$out/opt.wasm"
  gzip -9 -c "$out/opt.wasm" | wc -c
}

# The variant: this tree's tracked files as they are now, with the patch applied. A patch that
# no longer applies means the component changed: update the patch with it.
variant="$work/without-in-place"
rm -rf "$variant"
mkdir -p "$variant"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$variant"
(cd "$variant" && git apply "$root/benches/without-in-place.patch")

with=$(site_wasm_gzip "$root" "$root/target")
without=$(site_wasm_gzip "$variant" "$root/target/without-in-place")
python3 - "$without" "$with" <<'PY'
import sys
without, with_ = (int(n) for n in sys.argv[1:])
added = (with_ - without) / 1000
verdict = "meets" if added <= 10 else f"**misses** by {added - 10:.1f} kB"
print(f"| what in-place steps add to a fully hydrated page: the example site's wasm, gzip | {added:+.1f} kB ({without / 1000:.1f} → {with_ / 1000:.1f} kB) | ≤ 10 kB gzip | {verdict} |")
PY
