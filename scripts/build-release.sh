#!/usr/bin/env bash
# The production build: installs what is missing (the tools of tools.sh, and wasm-opt), then builds
# the server and the browser files in release, the browser files with .br and .gz copies.
# Prints what to ship and how to run it (README, Deployment).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/tools.sh
export PATH="$HOME/.cargo/bin:$PATH"

# wasm-opt for the release browser build: npm's binaryen (Debian's breaks hydration, and
# cargo-leptos cannot download its own here). It is kept under target/ and put first on PATH.
BINARYEN_VERSION=132
tools=target/build-tools
installed=$(node -p "require('./$tools/node_modules/binaryen/package.json').version.split('.')[0]" 2>/dev/null || true)
if [ "$installed" != "$BINARYEN_VERSION" ]; then
  command -v npm >/dev/null || { echo "build-release: npm is needed to install wasm-opt (Debian: apt-get install nodejs npm)" >&2; exit 1; }
  echo "== installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
  npm install --prefix "$tools" --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >/dev/null
fi
export PATH="$PWD/$tools/node_modules/.bin:$PATH"

echo "== release build of the hosted pages (server, then browser files and their .br/.gz copies)"
cargo leptos build --release --precompress --project cognito-authenticator

cat <<'EOF'

== built. Ship these two:
  target/release/cognito-authenticator   the server
  target/site/                           the browser files it serves

Run the server with Leptos' settings (LEPTOS_SITE_ROOT is relative to the working directory)
and a real user pool (README, Deployment):
  LEPTOS_ENV=PROD LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
  LEPTOS_OUTPUT_NAME=cognito-authenticator LEPTOS_SITE_ADDR=0.0.0.0:3000 \
  COGNITO_USER_POOL_ID=<region>_<id> COGNITO_CLIENT_ID=<app client id> \
  target/release/cognito-authenticator
EOF
