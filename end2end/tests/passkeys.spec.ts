// Passkeys end to end with Chromium's virtual authenticator (the DevTools WebAuthn domain):
// the offer after sign-up, signing in with the passkey, the account page's list and delete,
// and ceremonies that fail. Without JavaScript: what the pages say instead.
import { type CDPSession, type Page } from '@playwright/test';
import { expect, expectAccessible, test } from './fixtures';
import { AccountPage, ConfirmSignUpPage, SignUpPage, lastMessage, ready, servers, uniqueName } from './pages';

/** A platform authenticator with user verification, like a phone's or a laptop's. */
async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

async function signUp(page: Page, js: boolean, username: string) {
  const form = new SignUpPage(page, js);
  await form.goto();
  await form.fill({ username });
  await form.submit();
  await expect(page).toHaveURL(/\/confirm-signup$/);
  await ready(page, js);
  await new ConfirmSignUpPage(page).confirm((await lastMessage(page.request, username, 'CONFIRM_SIGN_UP')).code!);
}

async function startSignIn(page: Page, username: string) {
  await page.goto('/signin');
  await ready(page, true);
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/signin-methods$/);
}

test.describe('passkeys', () => {
  test.use({ baseURL: servers.passkeys });

  test('offered after sign-up, then used to sign in, listed and deleted', async ({ page, javaScriptEnabled: js }) => {
    test.skip(!js, 'the ceremony runs in the browser');
    const { cdp, id } = await virtualAuthenticator(page);
    const username = uniqueName('pk');
    await signUp(page, js, username);

    // Signed in by the sign-up code: the offer comes first.
    await expect(page).toHaveURL(/\/passkey$/);
    await expect(page.getByRole('heading', { name: 'Sign in faster with a passkey' })).toBeVisible();
    await expectAccessible(page, js);
    await page.getByRole('button', { name: 'Create a passkey' }).click();
    const account = new AccountPage(page);
    await account.expectSignedInAs(username);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: id });
    expect(credentials).toHaveLength(1);
    expect(credentials[0].rpId).toBe('localhost');
    expect(credentials[0].isResidentCredential).toBe(true);
    await expect(page.getByTestId('passkeys').locator('li')).toHaveCount(1);
    await expect(page.getByTestId('passkeys')).toContainText('Passkey 1');
    await expect(page.getByTestId('sign-in-methods')).toContainText('Passkey');
    await expectAccessible(page, js);

    // Out and back in with the passkey: the method list puts it first.
    await ready(page, js);
    await account.signOut();
    await expect(page).toHaveURL(/\/signin/);
    await startSignIn(page, username);
    await expect(page.locator('form.ca-methods button')).toHaveText(['Sign in with a passkey', 'Email me a code', 'Use my password']);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await account.expectSignedInAs(username);
    // Used once more: the sign count went up on the authenticator.
    const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId: id });
    expect(after.credentials[0].signCount).toBeGreaterThan(credentials[0].signCount);

    // Delete it, after saying so a second time.
    await page.getByText('Delete', { exact: true }).click();
    await expect(page.getByText('Delete “Passkey 1”? You will no longer be able to sign in with it.')).toBeVisible();
    await page.getByRole('button', { name: 'Delete passkey' }).click();
    await expect(page.getByText('Passkey deleted.')).toBeVisible();
    await expect(page.getByTestId('no-passkeys')).toBeVisible();

    // Without a passkey the list no longer offers one.
    await ready(page, js);
    await account.signOut();
    await startSignIn(page, username);
    await expect(page.locator('form.ca-methods button')).toHaveText(['Email me a code', 'Use my password']);
  });

  test('a passkey this device lacks, or a refused check, is reported with the other ways still there', async ({ page, javaScriptEnabled: js }) => {
    test.skip(!js, 'the ceremony runs in the browser');
    const { cdp, id } = await virtualAuthenticator(page);
    const username = uniqueName('pkx');
    await signUp(page, js, username);
    await expect(page).toHaveURL(/\/passkey$/);
    // "Not now" skips the offer; the account page adds one instead.
    await page.getByRole('button', { name: 'Not now' }).click();
    const account = new AccountPage(page);
    await account.expectSignedInAs(username);
    await ready(page, js);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect(page.getByText('Passkey added.')).toBeVisible();
    await expect(page.getByTestId('passkeys').locator('li')).toHaveCount(1);
    await ready(page, js);
    await account.signOut();

    // The fingerprint does not match: the browser refuses, the page says so.
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId: id, isUserVerified: false });
    await startSignIn(page, username);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    const error = page.locator('[data-passkey-error]');
    await expect(error).toContainText('The passkey request was cancelled or timed out');
    await expect(page).toHaveURL(/\/signin-methods$/);
    await expectAccessible(page, js);

    // Another device, without the passkey: the same message, and another way in works.
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId: id, isUserVerified: true });
    await cdp.send('WebAuthn.clearCredentials', { authenticatorId: id });
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(error).toContainText('this device has no passkey for your account');
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await expect(page).toHaveURL(/\/confirm-signin$/);
  });

  test('without JavaScript the offer and the account page say a passkey needs it', async ({ page, javaScriptEnabled: js }) => {
    test.skip(js, 'what a browser without JavaScript sees');
    const username = uniqueName('pkn');
    await signUp(page, js, username);
    await expect(page).toHaveURL(/\/passkey$/);
    await expect(page.getByRole('button', { name: 'Create a passkey' })).toBeDisabled();
    await expect(page.getByText('Creating a passkey needs JavaScript')).toBeVisible();
    await page.getByRole('button', { name: 'Not now' }).click();
    await new AccountPage(page).expectSignedInAs(username);
    await expect(page.getByRole('button', { name: 'Add a passkey' })).toBeDisabled();
    await expect(page.getByTestId('no-passkeys')).toBeVisible();
  });

  test('without JavaScript a passkey is listed but its choice says it needs JavaScript', async ({ browser, page, javaScriptEnabled: js }) => {
    test.skip(js, 'what a browser without JavaScript sees');
    // The passkey is made in a browser with JavaScript.
    const withJs = await browser.newContext({ baseURL: servers.passkeys, javaScriptEnabled: true });
    const other = await withJs.newPage();
    await virtualAuthenticator(other);
    const username = uniqueName('pkj');
    await signUp(other, true, username);
    await other.getByRole('button', { name: 'Create a passkey' }).click();
    await new AccountPage(other).expectSignedInAs(username);
    await withJs.close();

    await page.goto('/signin');
    await page.getByLabel('Username').fill(username);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page).toHaveURL(/\/signin-methods$/);
    await expect(page.getByText('Signing in with a passkey needs JavaScript')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toBeDisabled();
    // The other ways are still there.
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await expect(page).toHaveURL(/\/confirm-signin$/);
  });
});
