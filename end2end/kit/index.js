// Playwright fixtures for cognito-authenticator's pages on its local user pool. The kit never
// imports Playwright itself: `withCognito(test)` extends the suite's own `test`, so one copy
// of @playwright/test runs the tests however the kit was installed (a link, a copy, a tarball).
// CommonJS, so suites in either module system can load it on every Node that Playwright runs on.
'use strict';
const { createHash, createHmac, randomBytes } = require('node:crypto');
const { mkdirSync } = require('node:fs');
const { join } = require('node:path');

const DEFAULT_POOL_ID = 'us-east-1_LocalPool';
const DEFAULT_PASSWORD = 'Kit-passw0rd!';

/** A name no other test (or earlier run against the same pool) has used. */
function uniqueName(prefix = 'user') {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').replace(/\s+/g, '').toUpperCase()) {
    const value = alphabet.indexOf(c);
    if (value < 0) throw new Error(`not a base32 TOTP secret: ${text}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The RFC 6238 code an authenticator app shows for `secret` now (plus `stepOffset` steps of 30 s). */
function totp(secret, stepOffset = 0, now = Date.now()) {
  const step = Math.floor(now / 1000 / 30) + stepOffset;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = digest[19] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

async function poll(what, attempt, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await attempt();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function ok(response, what) {
  if (!response.ok()) throw new Error(`${what}: ${response.status()} ${await response.text()}`);
  return response.json();
}

/**
 * The local pool of the app at `request`'s base URL: its admin API, outbox and test mode.
 * `request` is a Playwright APIRequestContext (the `request` fixture, or `page.request`).
 */
class LocalPool {
  /** `login`: what the pool's users sign in with, `username` or `email` (the default name's shape). */
  constructor(request, poolId = DEFAULT_POOL_ID, login = 'username') {
    this.request = request;
    this.poolId = poolId;
    this.login = login;
  }

  /** An administrator's call (the local pool accepts any SigV4 credentials unless configured). */
  async admin(operation, body) {
    const response = await this.request.post('/local/cognito/', {
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${operation}`,
        Authorization:
          'AWS4-HMAC-SHA256 Credential=kit/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0',
      },
      data: JSON.stringify({ UserPoolId: this.poolId, ...body }),
    });
    return ok(response, operation);
  }

  /**
   * A confirmed user with a permanent password, made through the admin API (no sign-up pages,
   * no code). `attributes` default to a verified email (`<username>@example.com`, or the
   * username itself when it is an address, as on a pool that signs in by email).
   */
  async createUser({ username, password = DEFAULT_PASSWORD, attributes } = {}) {
    username ??= this.login === 'email' ? `${uniqueName()}@example.com` : uniqueName();
    const email = username.includes('@') ? username : `${username}@example.com`;
    const wanted = attributes ?? { email, email_verified: 'true' };
    await this.admin('AdminCreateUser', {
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: Object.entries(wanted).map(([Name, Value]) => ({ Name, Value })),
    });
    await this.admin('AdminSetUserPassword', { Username: username, Password: password, Permanent: true });
    return { username, password, attributes: wanted };
  }

  /** Every message the pool has sent, oldest first. */
  async outbox() {
    const response = await this.request.get('/local/outbox', { headers: { Accept: 'application/json' } });
    return ok(response, 'the outbox');
  }

  /**
   * The newest message to `username` (optionally of one `kind`, such as CONFIRM_SIGN_UP,
   * FORGOT_PASSWORD, SIGN_IN_CODE), waiting for it; `after` skips messages sent before a time
   * (unix seconds, from `message.at`).
   */
  async latestMessage(username, { kind, after = 0, timeoutMs = 10_000 } = {}) {
    return poll(
      `a message to ${username}${kind ? ` (${kind})` : ''}`,
      async () =>
        (await this.outbox())
          .filter((m) => m.username === username && (!kind || m.kind === kind) && m.at >= after)
          .pop(),
      timeoutMs,
    );
  }

  /** The code of the newest message to `username` that carries one. */
  async latestCode(username, options = {}) {
    const message = await poll(
      `a code for ${username}`,
      async () => {
        const found = await this.latestMessage(username, { ...options, timeoutMs: 0 }).catch(() => undefined);
        return found?.code ? found : undefined;
      },
      options.timeoutMs ?? 10_000,
    );
    return message.code;
  }

  /** What test mode is doing (its code, the pool's clock), or null when it is off. */
  async testMode() {
    const response = await this.request.get(`/local/test?pool_id=${encodeURIComponent(this.poolId)}`);
    return response.status() === 404 ? null : ok(response, 'test mode');
  }

  /** Test mode: every code sent to `username` from now on is `code` (null: the pool's again). */
  async setCode(username, code) {
    const response = await this.request.post('/local/test/codes', {
      data: { pool_id: this.poolId, username, code },
    });
    return ok(response, 'setting a test code');
  }

  /**
   * Test mode: moves the pool's clock forward, so codes, sessions and tokens expire now. The
   * whole server's clock moves: give tests that use it a server of their own, or run them
   * serially.
   */
  async advanceClock(seconds) {
    const response = await this.request.post('/local/test/clock', {
      data: { pool_id: this.poolId, advance_secs: seconds },
    });
    return ok(response, 'moving the clock');
  }
}

/**
 * Signs in through the app's real sign-in page (username and password; the form's field names
 * are the same in every language) and waits until the browser has left it. `path` may carry a
 * `return_to`. A sign-in that needs a second step (MFA) stops there: the test goes on from it.
 */
async function signInThroughPages(page, { username, password = DEFAULT_PASSWORD, path = '/signin' }) {
  await page.goto(path);
  const signInPath = new URL(page.url()).pathname;
  const form = page.locator('form.ca-form').filter({ has: page.locator('input[name="username"]') });
  await form.locator('input[name="username"]').fill(username);
  const passwordHere = (await form.locator('input[name="password"]').count()) > 0;
  if (passwordHere) await form.locator('input[name="password"]').fill(password);
  await form.locator('button[type="submit"]').click();
  await page.waitForURL((url) => url.pathname !== signInPath, { timeout: 20_000 });
  if (passwordHere) return;
  // Choice-based sign-in: the username first, then this user's methods; take the password.
  const methodsPath = new URL(page.url()).pathname;
  await page.locator('form.ca-methods button[name="method"][value="PASSWORD"]').click();
  await page.waitForURL((url) => url.pathname !== methodsPath, { timeout: 20_000 });
  const passwordPath = new URL(page.url()).pathname;
  const passwordForm = page.locator('form.ca-form').filter({ has: page.locator('input[name="password"]') });
  await passwordForm.locator('input[name="password"]').fill(password);
  await passwordForm.locator('button[type="submit"]').click();
  await page.waitForURL((url) => url.pathname !== passwordPath, { timeout: 20_000 });
}

/** Per worker: one signed-in user per app (base URL), and the storage state saved for it. */
const workerAccounts = new Map();

/**
 * Adds the kit's fixtures to a Playwright `test`:
 * - `pool`: a {@link LocalPool} for the test's `baseURL`;
 * - `newUser`: a fresh confirmed user (a test that signs out, deletes or changes its user takes this);
 * - `signedIn`: a user signed in once per worker through the real pages, `{ username, password, attributes, storageState }`;
 * - `signedInPage`: a page in a new context with that storage state (not navigated yet).
 * Options: `cognitoPoolId` (default `us-east-1_LocalPool`), `cognitoLogin` (`username`, or
 * `email` for a pool whose users sign in by email).
 */
function withCognito(base) {
  return base.extend({
    cognitoPoolId: [DEFAULT_POOL_ID, { option: true }],
    cognitoLogin: ['username', { option: true }],
    pool: async ({ request, cognitoPoolId, cognitoLogin }, use) => {
      await use(new LocalPool(request, cognitoPoolId, cognitoLogin));
    },
    newUser: async ({ pool }, use) => {
      await use(await pool.createUser());
    },
    signedIn: async ({ browser, pool, baseURL, javaScriptEnabled }, use, testInfo) => {
      const key = `${baseURL}|${pool.poolId}`;
      let account = workerAccounts.get(key);
      if (!account) {
        const user = await pool.createUser();
        const context = await browser.newContext({ baseURL, javaScriptEnabled });
        const page = await context.newPage();
        await signInThroughPages(page, user);
        const dir = join(testInfo.project.outputDir, '.auth');
        mkdirSync(dir, { recursive: true });
        const tag = createHash('sha256').update(key).digest('hex').slice(0, 12);
        const storageState = join(dir, `worker${testInfo.parallelIndex}-${tag}.json`);
        await context.storageState({ path: storageState });
        await context.close();
        account = { ...user, storageState };
        workerAccounts.set(key, account);
      }
      await use(account);
    },
    signedInPage: async ({ browser, signedIn, baseURL, javaScriptEnabled, locale, viewport }, use) => {
      const context = await browser.newContext({
        baseURL,
        javaScriptEnabled,
        locale,
        viewport,
        storageState: signedIn.storageState,
      });
      const page = await context.newPage();
      await use(page);
      await context.close();
    },
  });
}

module.exports = {
  DEFAULT_POOL_ID,
  DEFAULT_PASSWORD,
  LocalPool,
  signInThroughPages,
  totp,
  uniqueName,
  withCognito,
};
