#!/usr/bin/env bash
# Installs what is missing, then serves the hosted pages at http://127.0.0.1:3000.
# Without COGNITO_USER_POOL_ID it runs on the embedded local pool (data in ./data).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/tools.sh
export PATH="$HOME/.cargo/bin:$PATH"
echo "== cargo leptos serve: builds the server and the browser files (a few minutes the first time), then serves"
exec cargo leptos serve --project cognito-authenticator
