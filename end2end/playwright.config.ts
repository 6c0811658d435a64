import { defineConfig, devices } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = Number(process.env.E2E_PORT ?? 3300);
const baseURL = `http://127.0.0.1:${port}`;
// Each run starts on an empty local pool.
const dataDir = mkdtempSync(join(tmpdir(), 'ca-e2e-'));
// Tests read codes from the outbox's JSON; echoing them on the console would only be noise.
const poolConfig = join(dataDir, 'pool.toml');
writeFileSync(poolConfig, 'print_outbox = false\n');

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
  webServer: {
    command: '../target/debug/cognito-authenticator',
    url: `${baseURL}/signin`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      LEPTOS_SITE_ROOT: '../target/site',
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_OUTPUT_NAME: 'cognito-authenticator',
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_ENV: 'DEV',
      DATA_DIR: dataDir,
      LOCAL_POOL_CONFIG: poolConfig,
      // A short re-check interval so "sign out everywhere" reaches other sessions quickly here.
      SESSION_REVALIDATE_SECS: '1',
      RUST_LOG: 'warn',
    },
  },
});
