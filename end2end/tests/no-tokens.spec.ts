// The browser never sees a token: no JWT in any response, an HttpOnly SameSite=Lax session
// cookie, and nothing in web storage.
import { expect, test } from './fixtures';
import { AccountPage, SignInPage, createAccount, uniqueName } from './pages';

const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/;

test('no token reaches the browser', async ({ page, request, context, javaScriptEnabled }) => {
  const bodies: Array<{ url: string; body: string }> = [];
  page.on('response', async (response) => {
    try {
      bodies.push({ url: response.url(), body: (await response.body()).toString('utf8') });
    } catch {
      // Redirect responses have no body.
    }
  });
  const username = uniqueName('tokens');
  await createAccount(page, request, javaScriptEnabled, username);
  await page.reload();
  await new AccountPage(page).expectSignedInAs(username);

  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'session');
  expect(session, 'a session cookie').toBeTruthy();
  expect(session!.httpOnly).toBe(true);
  expect(session!.sameSite).toBe('Lax');
  expect(session!.value).not.toMatch(JWT);
  expect(cookies.filter((c) => c.name !== 'session')).toEqual([]);

  if (javaScriptEnabled) {
    const storage = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length }));
    expect(storage).toEqual({ local: 0, session: 0 });
    expect(await page.evaluate(() => document.cookie)).toBe('');
  }
  await new AccountPage(page).signOut();
  await expect(page).toHaveURL(/\/signin$/);

  expect(bodies.length).toBeGreaterThan(3);
  for (const { url, body } of bodies) {
    expect(body, `a token in ${url}`).not.toMatch(JWT);
  }
});

test('the session id changes at sign-in and the session is deleted at sign-out', async ({ page, request, context, javaScriptEnabled }) => {
  const username = uniqueName('cycle');
  await createAccount(page, request, javaScriptEnabled, username);
  await new AccountPage(page).signOut();
  await expect(page).toHaveURL(/\/signin$/);
  const afterSignOut = (await context.cookies()).find((c) => c.name === 'session')?.value;

  const signIn = new SignInPage(page, javaScriptEnabled);
  await signIn.goto();
  await signIn.signIn(username);
  await new AccountPage(page).expectSignedInAs(username);
  const signedIn = (await context.cookies()).find((c) => c.name === 'session')?.value;
  expect(signedIn).toBeTruthy();
  expect(signedIn).not.toBe(afterSignOut);

  // The old id no longer opens the account.
  const replay = await request.get('/account', { headers: { Cookie: `session=${afterSignOut}` }, maxRedirects: 0 });
  expect(replay.status()).toBe(302);
});

test('a cross-site form post is refused', async ({ request }) => {
  const response = await request.post('/api/sign_in', {
    headers: { Origin: 'https://attacker.example', Accept: 'text/html' },
    form: { username: 'someone', password: 'x' },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(403);
  expect(await response.text()).toContain('Request refused');
});
