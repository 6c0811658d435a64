// An embedding site's Playwright set-up: its own server on the embedded pool in test mode, and
// the kit's fixtures. Run from here: `npm ci && npx playwright test`, after building the site
// from the repository root (`cargo leptos build --project example-site`). One worker: the
// suite is small, and the machines it runs on have two cores.
import { defineConfig, devices } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = Number(process.env.E2E_SITE_PORT ?? 3330);
const dataDir = mkdtempSync(join(tmpdir(), 'site-e2e-'));
writeFileSync(join(dataDir, 'pool.toml'), 'print_outbox = false\nusername_attributes = ["email"]\nauto_verified_attributes = ["email"]\n');

export default defineConfig({
  testDir: '.',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    ...devices['Desktop Chrome'],
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [
    { name: 'js', use: { javaScriptEnabled: true } },
    { name: 'nojs', use: { javaScriptEnabled: false } },
  ],
  webServer: {
    command: '../../../target/debug/example-site',
    url: `http://127.0.0.1:${port}/signin`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      LEPTOS_SITE_ROOT: '../../../target/example-site',
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_OUTPUT_NAME: 'example-site',
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_ENV: 'DEV',
      DATA_DIR: dataDir,
      LOCAL_POOL_CONFIG: join(dataDir, 'pool.toml'),
      // Known codes, raised limits, a clock the specs may move: the kit's test mode.
      LOCAL_POOL_TEST_MODE: '1',
      RUST_LOG: 'warn',
    },
  },
});
