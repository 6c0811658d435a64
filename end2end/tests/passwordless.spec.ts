// Choice-based sign-in (SIGN_IN_METHODS), with JavaScript and without: username first, the
// methods this user has, email and SMS codes, the password, and password-less sign-up.
import { type Page } from '@playwright/test';
import { expect, expectAccessible, test } from './fixtures';
import {
  AccountPage, ConfirmSignUpPage, PASSWORD, SignUpPage, admin, fieldError, lastMessage, ready,
  servers, uniqueName,
} from './pages';

const WRONG_CODE = 'Invalid verification code provided, please try again.';

/** The first page: the username alone, then Continue. */
async function startSignIn(page: Page, js: boolean, username: string) {
  await page.goto('/signin');
  await ready(page, js);
  await expect(page.getByLabel('Password', { exact: true })).toHaveCount(0);
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** The names of the method buttons, in the order shown. */
async function methods(page: Page): Promise<string[]> {
  await expect(page).toHaveURL(/\/signin-methods$/);
  return page.locator('form.ca-methods button').allTextContents();
}

async function newestCode(page: Page, username: string, kind: string, not?: string): Promise<string> {
  let code = '';
  await expect
    .poll(async () => {
      code = (await lastMessage(page.request, username, kind)).code!;
      return code !== not;
    })
    .toBe(true);
  return code;
}

test.describe('choice-based sign-in', () => {
  test.use({ baseURL: servers.choice });

  test('the list comes from what the user has; email and SMS codes, wrong code, resend', async ({ page, javaScriptEnabled: js }) => {
    const username = uniqueName('choice');
    const signUp = new SignUpPage(page, js);
    await signUp.goto();
    await signUp.fill({ username, phone: '5555550123' });
    await signUp.submit();
    await ready(page, js);
    await new ConfirmSignUpPage(page).confirm((await lastMessage(page.request, username, 'CONFIRM_SIGN_UP')).code!);
    const account = new AccountPage(page);
    await account.expectSignedInAs(username);
    await ready(page, js);
    await account.signOut();

    // Email verified by the sign-up code, the phone not yet: no text.
    await startSignIn(page, js, username);
    expect(await methods(page)).toEqual(['Email me a code', 'Use my password']);
    await expect(page.getByTestId('login')).toContainText(username);
    await expectAccessible(page, js);

    // Once the phone is verified, texts are offered too, in the site's order.
    await admin(page.request, 'AdminUpdateUserAttributes', {
      UserPoolId: 'us-east-1_LocalPool',
      Username: username,
      UserAttributes: [{ Name: 'phone_number_verified', Value: 'true' }],
    });
    await startSignIn(page, js, username);
    expect(await methods(page)).toEqual(['Email me a code', 'Text me a code', 'Use my password']);

    await page.getByRole('button', { name: 'Text me a code' }).click();
    await expect(page).toHaveURL(/\/confirm-signin$/);
    await ready(page, js);
    await expect(page.getByTestId('delivery')).toContainText('+*******0123');
    await expectAccessible(page, js);
    const texted = await newestCode(page, username, 'SIGN_IN_CODE');
    await page.getByLabel('Code', { exact: true }).fill(texted === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await fieldError(page, 'Code', WRONG_CODE);
    await ready(page, js);

    // Another method after all: back to the list, then the email code and a resend.
    await page.getByRole('button', { name: 'Other sign-in options' }).click();
    expect(await methods(page)).toEqual(['Email me a code', 'Text me a code', 'Use my password']);
    await ready(page, js);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await expect(page).toHaveURL(/\/confirm-signin$/);
    await ready(page, js);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(/email/i);
    const emailed = await newestCode(page, username, 'SIGN_IN_CODE', texted);
    await page.getByRole('button', { name: 'Resend Code' }).click();
    await expect(page.getByRole('status')).toContainText('A new code is on its way.');
    await ready(page, js);
    const resent = await newestCode(page, username, 'SIGN_IN_CODE', emailed);
    await page.getByLabel('Code', { exact: true }).fill(resent);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await account.expectSignedInAs(username);
    expect(await page.getByTestId('sign-in-methods').locator('li').allTextContents())
      .toEqual(['Code by email', 'Code by text message', 'Password']);
  });

  test('the password from the list; a name with no account gets a list too', async ({ page, javaScriptEnabled: js }) => {
    const username = uniqueName('choicepw');
    const signUp = new SignUpPage(page, js);
    await signUp.goto();
    await signUp.fill({ username });
    await signUp.submit();
    await ready(page, js);
    await new ConfirmSignUpPage(page).confirm((await lastMessage(page.request, username, 'CONFIRM_SIGN_UP')).code!);
    const account = new AccountPage(page);
    await account.expectSignedInAs(username);
    await ready(page, js);
    await account.signOut();

    await startSignIn(page, js, username);
    await ready(page, js);
    await page.getByRole('button', { name: 'Use my password' }).click();
    await expect(page).toHaveURL(/\/signin-password$/);
    await ready(page, js);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Enter your password');
    await expectAccessible(page, js);
    await page.getByLabel('Password', { exact: true }).fill('Wr0ng-password!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').first()).toContainText('Incorrect username or password.');
    await ready(page, js);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await account.expectSignedInAs(username);
    await ready(page, js);
    await account.signOut();

    // No account by this name: a page like a real user's, never "user not found".
    await startSignIn(page, js, uniqueName('nobody'));
    await expect(page).toHaveURL(/\/(signin-methods|signin-password|confirm-signin)$/);
    await expect(page.getByText(/not found|does not exist/i)).toHaveCount(0);
  });
});

test.describe('codes only', () => {
  test.use({ baseURL: servers.codesOnly });

  test('password-less sign-up, confirmed by code, then signed in; sign in again by email', async ({ page, javaScriptEnabled: js, browser }) => {
    const username = uniqueName('nopw');
    await page.goto('/signup');
    await ready(page, js);
    await expect(page.getByLabel('Password', { exact: true })).toHaveCount(0);
    await expectAccessible(page, js);
    await page.getByLabel('Username').fill(username);
    await page.getByRole('button', { name: 'Create Account' }).click();
    // Codes go by email, so the email is needed.
    await fieldError(page, 'Email', 'This field is required.');
    await ready(page, js);
    await page.getByLabel('Email').fill(`${username}@example.com`);
    await page.getByRole('button', { name: 'Create Account' }).click();
    await expect(page).toHaveURL(/\/confirm-signup$/);
    await ready(page, js);
    await new ConfirmSignUpPage(page).confirm((await lastMessage(page.request, username, 'CONFIRM_SIGN_UP')).code!);
    const account = new AccountPage(page);
    await account.expectSignedInAs(username);
    // Ways to sign in as Cognito reports them; no password to change.
    await expect(page.getByTestId('sign-in-methods')).toHaveText('Code by email');
    await expect(page.getByRole('heading', { name: 'Change your password' })).toHaveCount(0);

    const other = await browser.newContext({ javaScriptEnabled: js, baseURL: servers.codesOnly });
    const otherPage = await other.newPage();
    // The email code is this user's only way in: it is sent at once.
    await startSignIn(otherPage, js, username);
    await expect(otherPage).toHaveURL(/\/confirm-signin$/);
    await expect(otherPage.getByRole('button', { name: 'Other sign-in options' })).toHaveCount(0);
    await ready(otherPage, js);
    await otherPage.getByLabel('Code', { exact: true }).fill(await newestCode(otherPage, username, 'SIGN_IN_CODE'));
    await otherPage.getByRole('button', { name: 'Confirm' }).click();
    await new AccountPage(otherPage).expectSignedInAs(username);
    await other.close();
  });
});
