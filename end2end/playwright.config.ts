import { defineConfig, devices } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = Number(process.env.E2E_PORT ?? 3300);
const baseURL = `http://127.0.0.1:${port}`;

/** The app servers the specs use, each on an empty local pool with its own settings. */
export const servers = {
  /** MFA optional: the slice, bad input, account settings, password reset. */
  main: { port, pool: 'mfa = "OPTIONAL"\n', env: {} },
  /** MFA required, sign-up confirmed by link. */
  mfaRequired: {
    port: port + 1,
    pool: `mfa = "ON"\nverification = "link"\nlink_base_url = "http://127.0.0.1:${port + 1}/confirm-link"\n`,
    env: {},
  },
  /** A required attribute that administrators' new users lack. */
  requiredAttribute: { port: port + 2, pool: 'required_attributes = ["given_name"]\n', env: {} },
  /** Custom challenges after the password. */
  customChallenge: { port: port + 3, pool: '', env: { SIGN_IN_FLOW: 'CUSTOM_WITH_SRP' } },
  /** The example site (examples/site), embedding the crate: people sign in by email or phone. */
  example: {
    port: port + 4,
    pool: 'mfa = "OPTIONAL"\nusername_attributes = ["email", "phone_number"]\nauto_verified_attributes = ["email", "phone_number"]\n',
    env: { IDENTITY_PROVIDERS: 'Google' },
    binary: 'example-site',
  },
  /** Choice-based sign-in: username first, then the user's email code, text or password. */
  choice: { port: port + 5, pool: 'mfa = "OPTIONAL"\n', env: { SIGN_IN_METHODS: 'EMAIL_OTP,SMS_OTP,PASSWORD' } },
  /** Codes only: password-less sign-up and sign-in. */
  codesOnly: { port: port + 6, pool: '', env: { SIGN_IN_METHODS: 'EMAIL_OTP' } },
  /** Passkeys first: browsed at localhost, the only loopback name a passkey can belong to. */
  passkeys: {
    port: port + 7,
    pool: '',
    env: { SIGN_IN_METHODS: 'WEB_AUTHN,EMAIL_OTP,PASSWORD' },
    host: 'localhost',
  },
  /** "Sign In with Google" and Apple through the embedded pool's built-in test provider. */
  federation: { port: port + 8, pool: '', env: { IDENTITY_PROVIDERS: 'Google,Apple' } },
  /**
   * The pool's test mode (known codes, a clock the specs move), one server per project: moving
   * the clock moves it for everyone on the server.
   */
  testModeJs: { port: port + 9, pool: '', env: { LOCAL_POOL_TEST_MODE: '1', SIGN_IN_METHODS: 'EMAIL_OTP,PASSWORD' } },
  testModeNoJs: { port: port + 10, pool: '', env: { LOCAL_POOL_TEST_MODE: '1', SIGN_IN_METHODS: 'EMAIL_OTP,PASSWORD' } },
  /** The account page's every section: devices remembered on request, a profile to edit. */
  account: {
    port: port + 11,
    pool: 'mfa = "OPTIONAL"\n[device_configuration]\nchallenge_required_on_new_device = true\ndevice_only_remembered_on_user_prompt = true\n',
    env: { ACCOUNT_ATTRIBUTES: 'email,phone_number,given_name,family_name' },
  },
};

function webServer(server: { port: number; pool: string; env: Record<string, string>; binary?: string; host?: string }) {
  const binary = server.binary ?? 'cognito-authenticator';
  // Each run starts on an empty local pool; the outbox is read as JSON, not echoed.
  const dataDir = mkdtempSync(join(tmpdir(), 'ca-e2e-'));
  const poolConfig = join(dataDir, 'pool.toml');
  writeFileSync(poolConfig, `print_outbox = false\n${server.pool}`);
  const url = `http://${server.host ?? '127.0.0.1'}:${server.port}`;
  return {
    command: `../target/debug/${binary}`,
    url: `${url}/signin`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    env: {
      LEPTOS_SITE_ROOT: binary === 'cognito-authenticator' ? '../target/site' : `../target/${binary}`,
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_OUTPUT_NAME: binary,
      LEPTOS_SITE_ADDR: `127.0.0.1:${server.port}`,
      LEPTOS_ENV: 'DEV',
      DATA_DIR: dataDir,
      LOCAL_POOL_CONFIG: poolConfig,
      // A short re-check interval so "sign out everywhere" reaches other sessions quickly here.
      SESSION_REVALIDATE_SECS: '1',
      // The whole suite signs in from one address; the limits themselves are tested in Rust.
      ATTEMPT_LIMIT_SCALE: '100',
      RUST_LOG: 'warn',
      ...server.env,
    },
  };
}

const chromium = {
  ...devices['Desktop Chrome'],
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  },
};

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: [['list']],
  use: { baseURL, trace: 'retain-on-failure' },
  projects: [
    { name: 'js', use: { ...chromium, javaScriptEnabled: true } },
    { name: 'nojs', use: { ...chromium, javaScriptEnabled: false } },
  ],
  webServer: Object.values(servers).map(webServer),
});
