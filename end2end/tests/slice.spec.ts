// The whole slice a person goes through: create an account, confirm it with the code from the
// outbox, land signed in, sign out, sign in again, and sign out everywhere.
import { expect, test } from './fixtures';
import { AccountPage, ConfirmSignUpPage, SignInPage, SignUpPage, lastCode, outbox, ready, uniqueName } from './pages';

test('sign up, confirm, auto sign-in, sign out and sign in again', async ({ page, request, javaScriptEnabled }) => {
  const username = uniqueName('slice');
  const signUp = new SignUpPage(page, javaScriptEnabled);
  await signUp.goto();
  await expect(page.getByRole('link', { name: 'Create Account' })).toHaveAttribute('aria-current', 'page');
  await signUp.fill({ username, dialCode: '+44', phone: '07700 900123' });
  await signUp.submit();

  await expect(page).toHaveURL(/\/confirm-signup$/);
  await ready(page, javaScriptEnabled);
  await expect(page.getByRole('heading', { name: 'We Emailed You' })).toBeVisible();
  const masked = `${username[0]}***@e***.com`;
  await expect(page.getByTestId('delivery')).toContainText(masked);

  const sent = (await outbox(request)).filter((m) => m.username === username);
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatchObject({ channel: 'EMAIL', destination: `${username}@example.com`, kind: 'CONFIRM_SIGN_UP' });
  expect(sent[0].code).toMatch(/^\d{6}$/);

  // Resend gives a new code; the page says so.
  const confirm = new ConfirmSignUpPage(page);
  await confirm.resend();
  await expect(page.getByRole('status')).toContainText('A new code is on its way.');
  await expect.poll(async () => (await outbox(request)).filter((m) => m.username === username).length).toBe(2);

  await ready(page, javaScriptEnabled);
  await confirm.confirm(await lastCode(request, username));
  const account = new AccountPage(page);
  await account.expectSignedInAs(username);
  await expect(page.getByRole('row', { name: /Phone Number/ })).toContainText('+447700900123');
  await expect(page.getByRole('row', { name: /Email verified/ })).toContainText('Yes');

  await ready(page, javaScriptEnabled);
  await account.signOut();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole('status')).toContainText('You have signed out.');

  // The account page is closed once signed out.
  await page.goto('/account');
  await expect(page).toHaveURL(/\/signin(\?notice=not_signed_in)?$/);
  await expect(page.getByText('Please sign in first.')).toBeVisible();

  const signIn = new SignInPage(page, javaScriptEnabled);
  await signIn.goto();
  await signIn.signIn(username);
  await account.expectSignedInAs(username);

  // Signed in, the sign-in page sends you to your account.
  await page.goto('/signin');
  await expect(page).toHaveURL(/\/account$/);
});

test('sign out everywhere ends the other browser sessions within seconds', async ({ browser, request, javaScriptEnabled }) => {
  const username = uniqueName('everywhere');
  const laptop = await browser.newContext({ javaScriptEnabled });
  const phone = await browser.newContext({ javaScriptEnabled });
  const laptopPage = await laptop.newPage();
  const phonePage = await phone.newPage();

  const { createAccount } = await import('./pages');
  await createAccount(laptopPage, request, javaScriptEnabled, username);
  const phoneSignIn = new SignInPage(phonePage, javaScriptEnabled);
  await phoneSignIn.goto();
  await phoneSignIn.signIn(username);
  await new AccountPage(phonePage).expectSignedInAs(username);

  await ready(laptopPage, javaScriptEnabled);
  await new AccountPage(laptopPage).signOutEverywhere();
  await expect(laptopPage).toHaveURL(/\/signin$/);
  await expect(laptopPage.getByRole('status')).toContainText('You have signed out on every device.');

  // The other browser still holds its cookie, but its session is ended on the next request
  // after the re-check interval (1 s in this test server).
  await expect
    .poll(async () => {
      await phonePage.goto('/account');
      return new URL(phonePage.url()).pathname;
    }, { intervals: [500, 1000, 1000, 1000], timeout: 10_000 })
    .toBe('/signin');
  await expect(phonePage.getByRole('status')).toContainText('signed out everywhere or changed your password on another device');

  await laptop.close();
  await phone.close();
});
