// "Sign in with Google" through the user pool's domain, played offline by the embedded pool's
// built-in test provider: sign-up and sign-in, the way back to a guarded page, sign-out asking
// again, a cancel at the provider and a forged callback. The buttons are plain links, so both
// projects (JavaScript on and off) run every test.
import { type Page } from '@playwright/test';
import { expect, expectAccessible, test } from './fixtures';
import { AccountPage, servers, uniqueName } from './pages';

test.use({ baseURL: servers.federation });

/** At the test provider's page: sign in as `email`. */
async function signInAtProvider(page: Page, email: string, name = 'Jane Doe') {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to Google (local test provider)');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
}

test('sign up with Google, come back signed in, sign out and be asked again', async ({ page, javaScriptEnabled }) => {
  const email = `${uniqueName('fed')}@example.com`;
  await page.goto('/signup');
  await expectAccessible(page, javaScriptEnabled);
  await page.getByRole('link', { name: 'Sign up with Google' }).click();
  await signInAtProvider(page, email);
  await expect(page).toHaveURL(/\/account$/);
  const username = (await page.getByTestId('username').textContent())!;
  expect(username).toMatch(/^google_\d{21}$/);
  await expect(page.getByRole('cell', { name: email })).toBeVisible();
  // The provider owns its user's email: the account page offers no change of it.
  await expect(page.locator('[data-contact="email"]')).toHaveCount(0);
  // The browser holds only the session cookie: no code, state or token in the address or storage.
  expect(page.url()).not.toContain('code=');
  for (const cookie of await page.context().cookies()) {
    expect(cookie.httpOnly, cookie.name).toBe(true);
    expect(cookie.value, cookie.name).not.toMatch(/^eyJ/);
  }

  await new AccountPage(page).signOut();
  await expect(page).toHaveURL(/\/signin\?notice=signed_out$/);
  await expect(page.getByRole('status')).toContainText('You have signed out.');
  // The domain's session ended too: the provider asks again instead of signing straight in.
  await page.getByRole('link', { name: 'Sign in with Google' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to Google (local test provider)');
  // The earlier identity is offered as a one-click choice, and it is the same user.
  await page.getByRole('button', { name: `Continue as Jane Doe (${email})` }).click();
  await new AccountPage(page).expectSignedInAs(username);
});

test('signing in keeps where the visitor was going', async ({ page }) => {
  await page.goto('/signin?return_to=%2Faccount%3Ffrom%3Dguard');
  await page.getByRole('link', { name: 'Sign in with Apple' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to Apple (local test provider)');
  await page.getByLabel('Email', { exact: true }).fill(`${uniqueName('apple')}@example.com`);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(page).toHaveURL(/\/account\?from=guard$/);
  await expect(page.getByTestId('username')).toHaveText(/^signinwithapple_\d{21}$/);
});

test('cancelling at the provider comes back to sign-in with a clear message', async ({ page }) => {
  await page.goto('/signin');
  await page.getByRole('link', { name: 'Sign in with Google' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page).toHaveURL(/\/signin\?notice=federation_cancelled$/);
  await expect(page.getByRole('status')).toContainText('Sign-in was cancelled. Choose another way to sign in, or try again.');
  await expect(page.getByRole('link', { name: 'Sign in with Google' })).toBeVisible();
});

test('a forged or replayed callback is refused and signs no one in', async ({ page }) => {
  await page.goto('/auth/callback?code=forged-code&state=forged-state');
  await expect(page).toHaveURL(/\/signin\?notice=federation_expired$/);
  await expect(page.getByRole('status')).toContainText('That sign-in could not be finished');
  // A real callback, used once, then again.
  await page.getByRole('link', { name: 'Sign in with Google' }).click();
  await page.getByLabel('Email', { exact: true }).fill(`${uniqueName('replay')}@example.com`);
  const callback = page.waitForRequest((request) => request.url().includes('/auth/callback?'));
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  const used = (await callback).url();
  await expect(page).toHaveURL(/\/account$/);
  await new AccountPage(page).signOut();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto(used);
  await expect(page).toHaveURL(/\/signin\?notice=federation_expired$/);
  await page.goto('/account');
  await expect(page).toHaveURL(/\/signin\?notice=not_signed_in$/);
});
