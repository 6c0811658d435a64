#!/usr/bin/env bash
# Installs what is missing (tools, Debian's Chromium and redis-server, npm packages), checks formatting and
# lints, then runs every test: Rust (all crates) and Playwright (JS and no-JS projects).
set -euo pipefail
cd "$(dirname "$0")/.."
# Builds of every test binary, the browser bundles and the release bench need several GB.
echo "== disk space: $(df -h --output=avail . | tail -1 | tr -d ' ') free here"
./scripts/tools.sh
export PATH="$HOME/.cargo/bin:$PATH"

# Debian's chromium for Playwright, and redis-server for the shared-session tests.
./scripts/system-packages.sh chromium redis-server

echo "== the commands the README gives exist and parse"
for script in $(grep -o '\./scripts/[a-z-]*\.sh' README.md | sort -u); do
  if ! [ -x "$script" ] || ! bash -n "$script"; then
    echo "README names $script, which is missing, not executable or not valid bash" >&2
    exit 1
  fi
done

echo "== the benchmark's variant without in-place steps still applies (benches/in-place-size.sh)"
git apply --check benches/without-in-place.patch

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== clippy (server and tests)"
cargo clippy --workspace --all-targets --features ssr -- -D warnings
# The hosted server renders the password helpers as an island.
cargo clippy --lib --features ssr,islands -- -D warnings
echo "== clippy (browser build)"
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features hydrate,hosted -- -D warnings
cargo clippy -p example-site --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

echo "== Rust tests"
rust_log=$(mktemp)
set +e
cargo test --workspace --features ssr --no-fail-fast 2>&1 | tee "$rust_log"
rust_status=${PIPESTATUS[0]}
set -e

echo "== official AWS clients against the standalone local pool"
venv=target/clients-venv
requirements=crates/local-pool/tests/clients/requirements.txt
if ! cmp -s "$requirements" "$venv/installed.txt" 2>/dev/null; then
  echo "== installing the Python clients ($requirements)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$requirements"
  cp "$requirements" "$venv/installed.txt"
fi
echo "== debug build of the server (the standalone pool runs from it)"
cargo build --features ssr --bin cognito-authenticator
pool_dir=$(mktemp -d)
# Three pools: the default one, one that tracks devices (remembered devices skip MFA), and one
# with access keys of its own.
cat > "$pool_dir/pool.toml" <<'TOML'
print_outbox = false
mfa = "OPTIONAL"
allowed_first_auth_factors = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
[[credentials]]
access_key_id = "test"
secret_access_key = "test"

[[pools]]
pool_id = "us-east-1_Devices"
pool_name = "Devices"
print_outbox = false
mfa = "OPTIONAL"
[pools.device_configuration]
challenge_required_on_new_device = true
device_only_remembered_on_user_prompt = true
[[pools.clients]]
client_id = "devicesclient000000000001"

# A pool with keys of its own (test_signatures.py).
[[pools]]
pool_id = "us-east-1_Signed"
pool_name = "Signed"
print_outbox = false
[[pools.credentials]]
access_key_id = "signer"
secret_access_key = "signer-secret"
[[pools.clients]]
client_id = "signedclient0000000000001"

# Passkeys (test_passkeys.py).
[[pools]]
pool_id = "us-east-1_Passkeys"
pool_name = "Passkeys"
print_outbox = false
allowed_first_auth_factors = ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]
[pools.webauthn]
relying_party_id = "localhost"
[[pools.clients]]
client_id = "passkeysclient00000000001"

# The OAuth domain with its test provider (test_oauth.py, Authlib).
[[pools]]
pool_id = "us-east-1_OAuth"
pool_name = "OAuth"
print_outbox = false
[[pools.identity_providers]]
provider_name = "Google"
provider_type = "Google"
[[pools.clients]]
client_id = "oauthclient00000000000001"
allowed_oauth_flows_user_pool_client = true
allowed_oauth_flows = ["code", "implicit"]
allowed_oauth_scopes = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]
callback_urls = ["http://localhost:8000/callback"]
supported_identity_providers = ["Google", "Corp"]
[[pools.clients]]
client_id = "machineclient00000000001"
client_secret = "machine-secret"
allowed_oauth_flows_user_pool_client = true
allowed_oauth_flows = ["client_credentials"]
allowed_oauth_scopes = ["https://api.example.com/orders.read"]
TOML
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pool_port=$(free_port)
# A certified OpenID provider (npm oidc-provider) as the upstream of the OAuth pool's "Corp"
# provider (test_upstream_oidc.py).
oidc_dir=crates/local-pool/tests/clients/oidc
if [ ! -d "$oidc_dir/node_modules/oidc-provider" ]; then
  echo "== installing oidc-provider for the upstream federation tests"
  (cd "$oidc_dir" && npm ci --no-audit --no-fund)
fi
oidc_port=$(free_port)
node "$oidc_dir/provider.mjs" "$oidc_port" \
  "http://127.0.0.1:$pool_port/local/auth/us-east-1_OAuth/oauth2/idpresponse" > "$pool_dir/oidc.log" 2>&1 &
oidc_pid=$!
cat >> "$pool_dir/pool.toml" <<TOML
[[pools.identity_providers]]
provider_name = "Corp"
provider_type = "OIDC"
[pools.identity_providers.provider_details]
client_id = "corp-client"
client_secret = "corp-secret"
oidc_issuer = "http://127.0.0.1:$oidc_port"
authorize_scopes = "openid email profile"
TOML
target/debug/cognito-authenticator local-pool --port "$pool_port" --data "$pool_dir/data" --config "$pool_dir/pool.toml" > "$pool_dir/pool.log" 2>&1 &
pool_pid=$!
trap 'kill $pool_pid $oidc_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
    "http://127.0.0.1:$pool_port/local/outbox" 2>/dev/null && break
  sleep 0.2
done
clients_log=$(mktemp)
set +e
AWS_EC2_METADATA_DISABLED=true POOL_ENDPOINT="http://127.0.0.1:$pool_port" \
  "$venv/bin/pytest" -q crates/local-pool/tests/clients 2>&1 | tee "$clients_log"
clients_status=${PIPESTATUS[0]}
amplify_dir=crates/local-pool/tests/clients/amplify
if [ ! -d "$amplify_dir/node_modules/aws-amplify" ]; then
  echo "== installing Amplify JS for its client tests"
  (cd "$amplify_dir" && npm ci --no-audit --no-fund)
fi
amplify_log=$(mktemp)
# Amplify's autoSignIn keeps a three-minute timer alive after the tests pass: end the run
# once they are done instead of waiting for it.
(cd "$amplify_dir" && POOL_ENDPOINT="http://127.0.0.1:$pool_port" node --test --test-force-exit) 2>&1 | tee "$amplify_log"
amplify_status=${PIPESTATUS[0]}
set -e
kill $pool_pid $oidc_pid 2>/dev/null || true

echo "== build the hosted pages and the example site (examples/site)"
cargo leptos build --project cognito-authenticator
cargo leptos build --project example-site

echo "== Playwright"
e2e_json=$(mktemp --suffix=.json)
set +e
e2e_log=$(mktemp)
# One retry: a test that passes only on its second run is reported as flaky below, by name.
(cd end2end && PLAYWRIGHT_JSON_OUTPUT_NAME="$e2e_json" npx playwright test --retries=1 --reporter=list,json) 2>&1 | tee "$e2e_log"
e2e_status=${PIPESTATUS[0]}
# The example site's own suite, written only with the test kit, as an embedding site's is.
if [ ! -d examples/site/end2end/node_modules/@playwright/test ]; then
  echo "== installing the example site's Playwright suite"
  (cd examples/site/end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
site_json=$(mktemp --suffix=.json)
(cd examples/site/end2end && PLAYWRIGHT_JSON_OUTPUT_NAME="$site_json" npx playwright test --retries=1 --reporter=list,json) 2>&1 | tee -a "$e2e_log"
site_status=${PIPESTATUS[0]}
set -e

rust_passed=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($i ~ /^passed;?$/) s += $(i-1) } END { print s + 0 }' "$rust_log")
rust_failed=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($i ~ /^failed;?$/) s += $(i-1) } END { print s + 0 }' "$rust_log")
read -r e2e_passed e2e_flaky e2e_failed < <(node -e '
  let passed = 0, flaky = 0, failed = 0;
  for (const file of process.argv.slice(1)) {
    const s = JSON.parse(require("fs").readFileSync(file, "utf8")).stats ?? {};
    passed += (s.expected ?? 0) + (s.flaky ?? 0); flaky += s.flaky ?? 0; failed += s.unexpected ?? 0;
  }
  console.log(passed, flaky, failed);
' "$e2e_json" "$site_json" 2>/dev/null || echo "0 0 1")
clients_passed=$(grep -Eo '[0-9]+ passed' "$clients_log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
clients_failed=$(grep -Eo '[0-9]+ failed' "$clients_log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
flaky=$(node -e '
  const names = [];
  const walk = (suite, path) => {
    for (const spec of suite.specs ?? []) for (const test of spec.tests ?? [])
      if (test.status === "flaky") names.push(`${test.projectName}: ${[...path, spec.title].join(" > ")}`);
    for (const child of suite.suites ?? []) walk(child, suite.title ? [...path, suite.title] : path);
  };
  for (const file of process.argv.slice(1))
    for (const suite of JSON.parse(require("fs").readFileSync(file, "utf8")).suites ?? []) walk(suite, []);
  console.log(names.join("\n"));
' "$e2e_json" "$site_json" 2>/dev/null || true)
if [ -n "$flaky" ]; then
  echo "== flaky (failed once, passed on the retry):"
  echo "$flaky"
fi
if [ -n "$flaky" ] || [ "$e2e_status" != 0 ] || [ "$site_status" != 0 ]; then
  echo "== what the app servers logged during Playwright (warnings and errors)"
  grep -a '\[WebServer\]' "$e2e_log" | grep -av 'local outbox' | tail -40 || true
fi
echo "rust: $rust_passed passed, $rust_failed failed"
amplify_passed=$(awk '/^# pass/ { print $3 }' "$amplify_log" | tail -1)
amplify_failed=$(awk '/^# fail/ { print $3 }' "$amplify_log" | tail -1)
clients_passed=$((clients_passed + ${amplify_passed:-0}))
clients_failed=$((clients_failed + ${amplify_failed:-1}))
echo "clients: $clients_passed passed, $clients_failed failed"
echo "playwright: $e2e_passed passed ($e2e_flaky of them on the retry), $e2e_failed failed"
echo "test command: $((SECONDS / 60)) min $((SECONDS % 60)) s (budget: 45 min on a fresh machine)"
echo "total: $((rust_passed + clients_passed + e2e_passed)) passed, $((rust_failed + clients_failed + e2e_failed)) failed"
[ "$rust_status" = 0 ] && [ "$clients_status" = 0 ] && [ "$amplify_status" = 0 ] && [ "$e2e_status" = 0 ] && [ "$site_status" = 0 ]
