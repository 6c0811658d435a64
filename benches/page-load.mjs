// Page-load measurements in Chromium (run by scripts/bench.sh):
//   node benches/page-load.mjs <base-url> <username> <password>
// Prints markdown rows: time until the Sign in button is painted (first contentful paint; the
// server sends the whole form, its stylesheet inline) and until the page is interactive
// (hydrated), cold cache, median of 5, unthrottled and in two throttled profiles with 4x CPU
// slowdown; then the bytes a sign-in without JavaScript transfers.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'end2end', 'package.json'));
const { chromium } = require('@playwright/test');
const [base, username, password] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

// DevTools' "slow 4G" preset (562.5 ms latency, 1.4 Mbit/s down), with a 4x slower CPU.
const SLOW_4G = { offline: false, latency: 562.5, downloadThroughput: (1474.56 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 };
// Lighthouse's mobile profile (150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up), with a 4x slower CPU:
// the conditions a well-known React authenticator page was measured at (2,292 ms).
const LIGHTHOUSE_MOBILE = { offline: false, latency: 150, downloadThroughput: (1638.4 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

async function coldLoad(throttled) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (throttled) {
    await cdp.send('Network.emulateNetworkConditions', throttled.network);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttled.cpu });
  }
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body?.dataset.hydrated === 'true') {
        window.__interactiveAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
  });
  await page.goto(`${base}/signin`, { waitUntil: 'commit' });
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ state: 'visible', timeout: 120_000 });
  await page.waitForFunction(() => window.__interactiveAt !== undefined, null, { timeout: 120_000 });
  const times = await page.evaluate(() => ({
    // When the last byte of the HTML arrived: one round trip on a throttled network.
    html: performance.getEntriesByType('navigation')[0]?.responseEnd ?? NaN,
    visible: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    interactive: window.__interactiveAt,
  }));
  await context.close();
  return times;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const profiles = [
  ['unthrottled', null],
  // The network alone: how many round trips the first paint waits for.
  ['slow 4G (562.5 ms, 1.4 Mbit/s)', { network: SLOW_4G, cpu: 1 }],
  ['slow 4G (562.5 ms, 1.4 Mbit/s), 4x CPU', { network: SLOW_4G, cpu: 4 }],
  ['150 ms, 1.6 Mbit/s, 4x CPU', { network: LIGHTHOUSE_MOBILE, cpu: 4 }],
];
for (const [label, throttled] of profiles) {
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await coldLoad(throttled));
  const html = median(runs.map((r) => r.html));
  const visible = median(runs.map((r) => r.visible));
  const interactive = median(runs.map((r) => r.interactive));
  console.log(`| /signin, ${label}: HTML in / Sign in button painted / interactive (cold, median of 5) | ${html.toFixed(0)} ms / ${visible.toFixed(0)} ms / ${interactive.toFixed(0)} ms | — | — |`);
}

// A sign-in without JavaScript: every byte on the wire (headers and bodies).
const context = await browser.newContext({ javaScriptEnabled: false });
const page = await context.newPage();
let bytes = 0;
const pending = [];
page.on('requestfinished', (request) => pending.push(request.sizes().then((s) => {
  bytes += s.requestHeadersSize + s.requestBodySize + s.responseHeadersSize + s.responseBodySize;
})));
await page.goto(`${base}/signin`);
await page.getByLabel('Username').fill(username);
await page.getByLabel('Password', { exact: true }).fill(password);
await page.getByRole('button', { name: 'Sign in', exact: true }).click();
await page.waitForURL(/\/account$/);
await Promise.all(pending);
console.log(`| bytes a sign-in without JavaScript transfers (sign-in page, CSS, form post, account page) | ${(bytes / 1000).toFixed(1)} kB | — | — |`);
await browser.close();
