#!/usr/bin/env bash
# Installs the Debian packages named (chromium, redis-server, wrk, …) that are missing, and the
# end-to-end test packages (Playwright, axe-core) when they are not there yet.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
for package in "$@"; do
  case "$package" in
    chromium) [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium) ;;
    *) command -v "$package" >/dev/null || missing+=("$package") ;;
  esac
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Installed again whenever the lock file changed since the last install.
if ! cmp -s end2end/package-lock.json end2end/node_modules/.installed-lock.json 2>/dev/null; then
  echo "installing the end-to-end test packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  cp end2end/package-lock.json end2end/node_modules/.installed-lock.json
fi
