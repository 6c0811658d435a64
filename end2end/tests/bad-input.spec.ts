// Bad input: a clear message on the same page, the field marked invalid, typed values kept
// (never the password), and never an error page.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ConfirmSignUpPage, PASSWORD, SignInPage, SignUpPage, createAccount, lastCode, ready, uniqueName } from './pages';

async function expectFieldError(page: Page, label: string, message: string) {
  const input = page.getByLabel(label, { exact: true });
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  const describedBy = await input.getAttribute('aria-describedby');
  expect(describedBy).toBeTruthy();
  const errorId = describedBy!.split(' ').find((id) => id.endsWith('-error'))!;
  await expect(page.locator(`#${errorId}`)).toHaveText(message);
}

test.describe('sign up', () => {
  test.beforeEach(async ({ page, javaScriptEnabled }) => {
    await new SignUpPage(page, javaScriptEnabled).goto();
  });

  const cases: Array<{ name: string; form: Record<string, string>; label: string; message: string }> = [
    { name: 'empty username', form: { username: '' }, label: 'Username', message: 'This field is required.' },
    { name: 'username with a space', form: { username: 'has space' }, label: 'Username', message: 'Usernames cannot contain spaces.' },
    { name: 'weak password', form: { password: 'password1' }, label: 'Password', message: 'Password must contain an uppercase letter.' },
    { name: 'short password', form: { password: 'Ab1!' }, label: 'Password', message: 'Password must be at least 8 characters long.' },
    { name: 'mismatched confirmation', form: { confirm: 'Corr3ct-horse?' }, label: 'Confirm Password', message: 'Your passwords must match.' },
    { name: 'malformed email', form: { email: 'not-an-email' }, label: 'Email', message: 'Enter a valid email address, like name@example.com.' },
    { name: 'empty email', form: { email: '' }, label: 'Email', message: 'This field is required.' },
    { name: 'malformed phone', form: { phone: '12ab34' }, label: 'Phone Number', message: 'Enter a valid phone number: digits only, with the country code selected.' },
  ];
  for (const c of cases) {
    test(c.name, async ({ page }) => {
      const username = c.form.username ?? uniqueName('bad');
      const signUp = new SignUpPage(page, false);
      await signUp.fill({
        username,
        password: c.form.password,
        confirm: c.form.confirm ?? c.form.password,
        email: c.form.email ?? `${username || 'x'}@example.com`,
        phone: c.form.phone,
      });
      await signUp.submit();
      await expectFieldError(page, c.label, c.message);
      await expect(page).toHaveURL(/\/signup$/);
      // What was typed is still there, except passwords.
      await expect(page.getByLabel('Username')).toHaveValue(username);
      if (c.form.email === undefined) await expect(page.getByLabel('Email')).toHaveValue(`${username || 'x'}@example.com`);
    });
  }

  test('over-long username', async ({ page }) => {
    // maxlength stops people typing more; a crafted post still gets a clear answer.
    const response = await page.request.post('/api/sign_up', {
      headers: { Accept: 'text/html', Origin: new URL(page.url()).origin },
      form: { username: 'x'.repeat(300), password: PASSWORD, confirm_password: PASSWORD, email: 'x@example.com', dial_code: '+1', phone_number: '' },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(302);
    await page.goto('/signup');
    await expectFieldError(page, 'Username', 'This value is too long.');
  });

  test('existing username', async ({ page, request, javaScriptEnabled, browser }) => {
    const username = uniqueName('taken');
    const other = await browser.newContext({ javaScriptEnabled });
    await createAccount(await other.newPage(), request, javaScriptEnabled, username);
    await other.close();
    const signUp = new SignUpPage(page, javaScriptEnabled);
    await signUp.fill({ username });
    await signUp.submit();
    await expectFieldError(page, 'Username', 'An account with this username already exists.');
    // The refused form comes back as a new page, and a password is never sent back in one.
    await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
  });
});

test.describe('confirm sign-up', () => {
  test('wrong and malformed codes', async ({ page, request, javaScriptEnabled }) => {
    const username = uniqueName('code');
    const signUp = new SignUpPage(page, javaScriptEnabled);
    await signUp.goto();
    await signUp.fill({ username });
    await signUp.submit();
    await expect(page).toHaveURL(/\/confirm-signup$/);
    await ready(page, javaScriptEnabled);
    const code = await lastCode(request, username);
    const wrong = code === '000000' ? '111111' : '000000';
    const confirm = new ConfirmSignUpPage(page);
    await confirm.confirm(wrong);
    await expectFieldError(page, 'Confirmation Code', 'Invalid verification code provided, please try again.');
    await confirm.confirm('12ab');
    await expectFieldError(page, 'Confirmation Code', 'Enter the 6-digit code.');
    await confirm.confirm('');
    await expectFieldError(page, 'Confirmation Code', 'This field is required.');
    await confirm.confirm(code);
    await expect(page).toHaveURL(/\/account$/);
  });

  test('without a sign-up in progress the page sends you to sign in', async ({ page }) => {
    await page.goto('/confirm-signup');
    // A visitor without a session gets the reason in the URL (no session is made for it).
    await expect(page).toHaveURL(/\/signin\?notice=flow_expired$/);
    await expect(page.getByRole('status')).toContainText('Your sign-in session expired. Please start again.');
  });
});

test.describe('sign in', () => {
  test('unknown user and wrong password look the same', async ({ page, request, javaScriptEnabled }) => {
    const username = uniqueName('known');
    await createAccount(page, request, javaScriptEnabled, username);
    await page.context().clearCookies();
    const signIn = new SignInPage(page, javaScriptEnabled);
    for (const [name, password] of [[username, 'Wrong-pass1!'], [uniqueName('nobody'), PASSWORD]]) {
      await signIn.goto();
      await signIn.signIn(name, password);
      await expect(page.getByRole('alert')).toHaveText('Incorrect username or password.');
      await expect(page).toHaveURL(/\/signin$/);
      await expect(page.getByLabel('Username')).toHaveValue(name);
      await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
    }
  });

  test('empty fields', async ({ page, javaScriptEnabled }) => {
    const signIn = new SignInPage(page, javaScriptEnabled);
    await signIn.goto();
    await signIn.signIn('', '');
    await expectFieldError(page, 'Username', 'This field is required.');
    await signIn.signIn('someone', '');
    await expectFieldError(page, 'Password', 'This field is required.');
  });

  test('an unconfirmed account is sent to confirm', async ({ page, request, javaScriptEnabled, browser }) => {
    const username = uniqueName('unconfirmed');
    const other = await browser.newContext({ javaScriptEnabled });
    const otherPage = await other.newPage();
    const signUp = new SignUpPage(otherPage, javaScriptEnabled);
    await signUp.goto();
    await signUp.fill({ username });
    await signUp.submit();
    await expect(otherPage).toHaveURL(/\/confirm-signup$/);
    await other.close();

    const signIn = new SignInPage(page, javaScriptEnabled);
    await signIn.goto();
    await signIn.signIn(username);
    await expect(page).toHaveURL(/\/confirm-signup$/);
    await ready(page, javaScriptEnabled);
    await new ConfirmSignUpPage(page).confirm(await lastCode(request, username));
    await expect(page).toHaveURL(/\/account$/);
  });
});
