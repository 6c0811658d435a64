// Amplify JS in a real browser, on a page of another origin than the app: every call to the
// embedded pool is cross-origin, so it passes the CORS preflight or fails (Node has no preflight,
// which is why the Amplify tests of crates/local-pool cannot see this).
import { build } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { PASSWORD, lastCode, lastMessage, servers, uniqueName } from './pages';

const POOL = {
  userPoolId: 'us-east-1_LocalPool',
  userPoolClientId: 'localclient0000000000000001',
  userPoolEndpoint: `${servers.main}/local/cognito/`,
};

test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, 'Amplify runs in the page');

let server: Server;
let pageOrigin: string;
/** The same page at `localhost`, the only loopback name passkeys work at. */
let localhostOrigin: string;

test.beforeAll(async ({}, testInfo) => {
  if (testInfo.project.use.javaScriptEnabled === false) return;
  const source = join(__dirname, '..', 'amplify-page');
  const out = mkdtempSync(join(tmpdir(), 'ca-amplify-page-'));
  await build({
    entryPoints: [join(source, 'main.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    outdir: out,
    logLevel: 'warning',
  });
  const script = readFileSync(join(out, 'main.js'));
  const html = readFileSync(join(source, 'index.html'), 'utf8');
  server = createServer((request, response) => {
    if (request.url === '/main.js') {
      response.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
      return;
    }
    if (request.url !== '/') {
      response.writeHead(404).end();
      return;
    }
    // A strict policy of its own, naming the pool: a miss would be a CSP error, not a CORS one.
    const nonce = randomBytes(16).toString('base64');
    response
      .writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; connect-src ${servers.main} ${servers.passkeys}`,
      })
      .end(html.replace('{{nonce}}', nonce));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  localhostOrigin = `http://localhost:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

/** Opens the page and collects what the browser says about blocked cross-origin calls. */
async function openPage(page: Page, origin = pageOrigin): Promise<string[]> {
  const blocked: string[] = [];
  page.on('console', (message) => {
    if (/CORS|Access-Control/i.test(message.text())) blocked.push(message.text());
  });
  page.on('requestfailed', (request) => blocked.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
  await page.goto(`${origin}/`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  expect(new URL(page.url()).origin).not.toBe(servers.main);
  expect(new URL(page.url()).origin).not.toBe(servers.passkeys);
  return blocked;
}

/** Calls `window.amplifyPage[name](arg)`; a rejection fails with Amplify's error and the browser's reasons. */
async function amplify<T>(page: Page, blocked: string[], name: string, arg?: unknown): Promise<T> {
  const outcome = await page.evaluate(
    ([name, arg]) =>
      (window as unknown as { amplifyPage: Record<string, (arg: unknown) => Promise<unknown>> }).amplifyPage[name](arg)
        .then((value) => ({ value }), (e: Error) => ({ error: `${e.name}: ${e.message}` })),
    [name, arg] as const,
  );
  if ('error' in outcome) throw new Error(`${name} failed: ${outcome.error}\n${blocked.join('\n')}`);
  return outcome.value as T;
}

test('Amplify signs up, confirms, signs in with SRP and out from another origin', async ({ page, request }) => {
  const blocked = await openPage(page);
  await page.evaluate((pool) => (window as unknown as { amplifyPage: { configure(p: object): void } }).amplifyPage.configure(pool), POOL);
  const username = uniqueName('amplify');

  const signedUp = await amplify<{ isSignUpComplete: boolean; nextStep: { signUpStep: string } }>(page, blocked, 'signUp', {
    username, password: PASSWORD, email: `${username}@example.com`,
  });
  expect(signedUp.isSignUpComplete).toBe(false);
  expect(signedUp.nextStep.signUpStep).toBe('CONFIRM_SIGN_UP');

  const confirmed = await amplify<{ isSignUpComplete: boolean; nextStep: { signUpStep: string } }>(page, blocked, 'confirmSignUp', {
    username, code: await lastCode(request, username),
  });
  expect(confirmed.isSignUpComplete).toBe(true);
  expect(confirmed.nextStep.signUpStep).toBe('DONE');

  const signedIn = await amplify<{ isSignedIn: boolean; nextStep: { signInStep: string } }>(page, blocked, 'signIn', { username, password: PASSWORD });
  expect(signedIn).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });

  const user = await amplify<{ username: string; userId: string; idTokenUsername: string }>(page, blocked, 'currentUser');
  expect(user.username).toBe(username);
  expect(user.idTokenUsername).toBe(username);
  expect(user.userId).toMatch(/^[0-9a-f-]{36}$/);

  await amplify(page, blocked, 'signOut');
  await expect(amplify(page, blocked, 'currentUser')).rejects.toThrow(/UserUnAuthenticatedException/);
  expect(blocked, 'cross-origin calls the browser blocked').toEqual([]);
});

test('a page of another origin gets no user list with administrator credentials', async ({ page }) => {
  await openPage(page);
  const outcome = await page.evaluate(async (endpoint) => {
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': 'AWSCognitoIdentityProviderService.ListUsers',
          Authorization: 'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00',
        },
        body: JSON.stringify({ UserPoolId: 'us-east-1_LocalPool' }),
      });
      return { status: response.status, body: await response.text() };
    } catch (e) {
      return { blocked: String(e) };
    }
  }, POOL.userPoolEndpoint);
  // Either the browser refuses to send it, or the pool refuses it: no `Users` either way.
  if ('status' in outcome) {
    expect(outcome.status, outcome.body).toBeGreaterThanOrEqual(400);
    expect(outcome.body).not.toContain('"Users"');
  } else {
    expect(outcome.blocked).toMatch(/Failed to fetch/);
  }
});

test.describe('Amplify with choice-based sign-in and passkeys', () => {
  test.use({ baseURL: servers.passkeys });

  test('USER_AUTH from the list, an email code, and a passkey Amplify creates and uses', async ({ page, request }) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
        isUserVerified: true, automaticPresenceSimulation: true,
      },
    });
    const blocked = await openPage(page, localhostOrigin);
    await page.evaluate(
      (pool) => (window as unknown as { amplifyPage: { configure(p: object): void } }).amplifyPage.configure(pool),
      { ...POOL, userPoolEndpoint: `${servers.passkeys}/local/cognito/` },
    );
    const username = uniqueName('amplifypk');
    await amplify(page, blocked, 'signUp', { username, password: PASSWORD, email: `${username}@example.com` });
    await amplify(page, blocked, 'confirmSignUp', {
      username, code: (await lastMessage(request, username, 'CONFIRM_SIGN_UP')).code,
    });

    type Step = { isSignedIn: boolean; nextStep: { signInStep: string; availableChallenges?: string[] } };
    // The list, then the password as Amplify answers it (a local step, then SRP).
    const listed = await amplify<Step>(page, blocked, 'signInUserAuth', { username });
    expect(listed.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    expect(listed.nextStep.availableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
    const password = await amplify<Step>(page, blocked, 'confirmSignIn', { challengeResponse: 'PASSWORD_SRP' });
    expect(password.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_PASSWORD');
    const done = await amplify<Step>(page, blocked, 'confirmSignIn', { challengeResponse: PASSWORD });
    expect(done).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });

    // Amplify runs the registration ceremony in this page, against the pool.
    await amplify(page, blocked, 'associatePasskey');
    const passkeys = await amplify<{ credentialId: string; friendlyCredentialName: string; relyingPartyId: string }[]>(
      page, blocked, 'listPasskeys',
    );
    expect(passkeys).toHaveLength(1);
    expect(passkeys[0]).toMatchObject({ friendlyCredentialName: 'Passkey 1', relyingPartyId: 'localhost' });
    await amplify(page, blocked, 'signOut');

    // The passkey from the list: Amplify runs the ceremony and gets tokens.
    const again = await amplify<Step>(page, blocked, 'signInUserAuth', { username });
    expect(again.nextStep.availableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'WEB_AUTHN']);
    const withPasskey = await amplify<Step>(page, blocked, 'confirmSignIn', { challengeResponse: 'WEB_AUTHN' });
    expect(withPasskey).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    await amplify(page, blocked, 'signOut');

    // An email code as the preferred first factor.
    const code = await amplify<Step>(page, blocked, 'signInUserAuth', { username, preferredChallenge: 'EMAIL_OTP' });
    expect(code.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    const signedIn = await amplify<Step>(page, blocked, 'confirmSignIn', {
      challengeResponse: (await lastMessage(request, username, 'SIGN_IN_CODE')).code,
    });
    expect(signedIn.isSignedIn).toBe(true);
    await amplify(page, blocked, 'deletePasskey', { credentialId: passkeys[0].credentialId });
    expect(await amplify(page, blocked, 'listPasskeys')).toEqual([]);
    expect(blocked, 'cross-origin calls the browser blocked').toEqual([]);
  });
});
