// Every next step of sign-in, with JavaScript and without; each survives a reload.
import { expect, expectAccessible, test } from './fixtures';
import {
  AccountPage, PASSWORD, SignInPage, SignUpPage, admin, adminCreateUser, createAccount,
  fieldError, lastMessage, ready, reloadKeeps, servers, totp, uniqueName,
} from './pages';

const NEW_PASSWORD = 'N3w-password!';


test.describe('on a pool with optional MFA', () => {
  test.use({ baseURL: servers.main });

  test('forgot password: code, new password, sign in', async ({ page, request, javaScriptEnabled, context }) => {
    const username = uniqueName('forgot');
    await createAccount(page, request, javaScriptEnabled, username);
    await context.clearCookies();
    const signIn = new SignInPage(page, javaScriptEnabled);
    await signIn.goto();
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await expect(page).toHaveURL(/\/forgot-password$/);
    await ready(page, javaScriptEnabled);
    await page.getByLabel('Username').fill(username);
    await page.getByRole('button', { name: 'Send code' }).click();
    await expect(page).toHaveURL(/\/reset-password$/);
    await expect(page.getByTestId('delivery')).toContainText(`${username[0]}***@e***.com`);
    await reloadKeeps(page, javaScriptEnabled, /\/reset-password$/, 'Reset your password');

    const code = (await lastMessage(request, username, 'FORGOT_PASSWORD')).code!;
    const wrong = code === '000000' ? '111111' : '000000';
    const fill = async (c: string, password = NEW_PASSWORD, confirm = password) => {
      await page.getByLabel('Confirmation Code').fill(c);
      await page.getByLabel('New Password').fill(password);
      await page.getByLabel('Confirm Password').fill(confirm);
      await page.getByRole('button', { name: 'Submit' }).click();
    };
    await fill(wrong);
    await fieldError(page, 'Confirmation Code', 'Invalid verification code provided, please try again.');
    await fill(code, 'weak');
    await fieldError(page, 'New Password', 'Password must be at least 8 characters long.');
    await fill(code);
    await expect(page).toHaveURL(/\/signin$/);
    await expect(page.getByRole('status')).toContainText('Your password has been reset.');
    await signIn.signIn(username, NEW_PASSWORD);
    await new AccountPage(page).expectSignedInAs(username);
  });

  test('forgot password for an unknown user looks the same', async ({ page, javaScriptEnabled }) => {
    await page.goto('/forgot-password');
    await ready(page, javaScriptEnabled);
    await page.getByLabel('Username').fill(uniqueName('nobody'));
    await page.getByRole('button', { name: 'Send code' }).click();
    await expect(page).toHaveURL(/\/reset-password$/);
    await expect(page.getByTestId('delivery')).toContainText('***');
  });

  test('an administrator reset leads sign-in to RESET_PASSWORD', async ({ page, request, javaScriptEnabled, context }) => {
    const username = uniqueName('adminreset');
    await createAccount(page, request, javaScriptEnabled, username);
    await context.clearCookies();
    await admin(request, 'AdminResetUserPassword', { UserPoolId: 'us-east-1_LocalPool', Username: username });
    const signIn = new SignInPage(page, javaScriptEnabled);
    await signIn.goto();
    await signIn.signIn(username);
    await expect(page).toHaveURL(/\/reset-password$/);
    await expect(page.getByRole('status')).toContainText('You need to choose a new password.');
    await ready(page, javaScriptEnabled);
    await page.getByLabel('Confirmation Code').fill((await lastMessage(request, username, 'FORGOT_PASSWORD')).code!);
    await page.getByLabel('New Password').fill(NEW_PASSWORD);
    await page.getByLabel('Confirm Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect(page).toHaveURL(/\/signin$/);
    await signIn.signIn(username, NEW_PASSWORD);
    await new AccountPage(page).expectSignedInAs(username);
  });

  test('SMS and email codes, choosing between them, and running out of tries', async ({ page, request, javaScriptEnabled }) => {
    // About twenty page loads and three sign-ins: 20–30 s on two loaded cores, over the default.
    test.slow();
    const username = uniqueName('codes');
    const temporary = await adminCreateUser(request, username, {
      email: `${username}@example.com`, email_verified: 'true', phone_number: '+15555550123', phone_number_verified: 'true',
    });
    const signIn = new SignInPage(page, javaScriptEnabled);
    await signIn.goto();
    await signIn.signIn(username, temporary);
    await expect(page).toHaveURL(/\/new-password$/);
    await expectAccessible(page, javaScriptEnabled);
    await reloadKeeps(page, javaScriptEnabled, /\/new-password$/, 'Change Password');
    await page.getByLabel('New Password').fill(NEW_PASSWORD);
    await page.getByLabel('Confirm Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change Password' }).click();
    const account = new AccountPage(page);
    await account.expectSignedInAs(username);

    for (const factor of ['SMS_MFA', 'EMAIL_OTP']) {
      await ready(page, javaScriptEnabled);
      await page.locator(`[data-factor="${factor}"]`).getByRole('button', { name: 'Turn on' }).click();
      await expect(page.locator(`[data-factor="${factor}"]`).getByRole('button', { name: 'Turn off' })).toBeVisible();
    }
    await ready(page, javaScriptEnabled);
    await account.signOut();

    await signIn.signIn(username, NEW_PASSWORD);
    await expect(page).toHaveURL(/\/select-mfa$/);
    await expectAccessible(page, javaScriptEnabled);
    await reloadKeeps(page, javaScriptEnabled, /\/select-mfa$/, "Choose how to confirm it's you");
    await page.getByLabel('Text message (SMS)').check();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page).toHaveURL(/\/confirm-signin$/);
    await expectAccessible(page, javaScriptEnabled);
    await reloadKeeps(page, javaScriptEnabled, /\/confirm-signin$/, 'Confirm SMS Code');
    await expect(page.getByTestId('delivery')).toContainText('+*******0123');
    const sms = await lastMessage(request, username, 'MFA_CODE');
    expect(sms.channel).toBe('SMS');
    await page.getByLabel('Code', { exact: true }).fill(sms.code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await fieldError(page, 'Code', 'Invalid verification code provided, please try again.');
    await page.getByLabel('Code', { exact: true }).fill(sms.code!);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await account.expectSignedInAs(username);

    // Email preferred: sign-in goes straight to the email code; three wrong codes end it.
    await ready(page, javaScriptEnabled);
    await page.getByLabel('Email', { exact: true }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('status')).toContainText('Your two-step sign-in settings were saved.');
    await ready(page, javaScriptEnabled);
    await account.signOut();
    await signIn.signIn(username, NEW_PASSWORD);
    await expect(page).toHaveURL(/\/confirm-signin$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Confirm Email Code');
    const email = await lastMessage(request, username, 'MFA_CODE');
    expect(email.channel).toBe('EMAIL');
    const wrong = email.code === '000000' ? '111111' : '000000';
    for (let attempt = 0; attempt < 2; attempt++) {
      await ready(page, javaScriptEnabled);
      await page.getByLabel('Code', { exact: true }).fill(wrong);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await fieldError(page, 'Code', 'Invalid verification code provided, please try again.');
    }
    await page.getByLabel('Code', { exact: true }).fill(wrong);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page).toHaveURL(/\/signin$/);
    await expect(page.getByRole('status')).toContainText('Your sign-in session expired. Please start again.');
  });

  test('authenticator app from the account page, TOTP sign-in, change password', async ({ page, request, javaScriptEnabled }) => {
    const username = uniqueName('totp');
    await createAccount(page, request, javaScriptEnabled, username);
    await ready(page, javaScriptEnabled);
    await expect(page.getByTestId('totp-status')).toHaveText('Off');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secretBox = page.getByTestId('totp-secret');
    await expect(secretBox).toBeVisible();
    await expect(page.locator('.ca-qr svg')).toBeVisible();
    const secret = (await secretBox.textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await ready(page, javaScriptEnabled);
    await page.getByLabel('Code', { exact: true }).fill(totp(secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByRole('status')).toContainText('Your authenticator app is set up.');
    await expect(page.getByTestId('totp-status')).toHaveText('On');

    // Change the password: the current one is checked.
    await ready(page, javaScriptEnabled);
    await page.getByLabel('Current Password').fill('Wrong-pass1!');
    await page.getByLabel('New Password').fill(NEW_PASSWORD);
    await page.getByLabel('Confirm Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change Password' }).click();
    await fieldError(page, 'Current Password', 'Your current password is incorrect.');
    await ready(page, javaScriptEnabled);
    await page.getByLabel('Current Password').fill(PASSWORD);
    await page.getByLabel('New Password').fill(NEW_PASSWORD);
    await page.getByLabel('Confirm Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change Password' }).click();
    await expect(page.getByRole('status')).toContainText('Your password has been changed.');

    await ready(page, javaScriptEnabled);
    const account = new AccountPage(page);
    await account.signOut();
    const signIn = new SignInPage(page, javaScriptEnabled);
    await signIn.signIn(username, NEW_PASSWORD);
    await expect(page).toHaveURL(/\/confirm-signin$/);
    await reloadKeeps(page, javaScriptEnabled, /\/confirm-signin$/, 'Confirm TOTP Code');
    // The code used at set-up cannot be used again; the next step's code is accepted.
    await page.getByLabel('Code', { exact: true }).fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await account.expectSignedInAs(username);

    await ready(page, javaScriptEnabled);
    await page.getByRole('button', { name: 'Remove the authenticator app' }).click();
    await expect(page.getByRole('status')).toContainText('Your authenticator app was removed.');
    await expect(page.getByTestId('totp-status')).toHaveText('Off');
  });

  test('code pages without a sign-in in progress send you to sign in', async ({ page }) => {
    for (const path of ['/confirm-signin', '/setup-totp', '/setup-email', '/select-mfa', '/new-password', '/reset-password']) {
      await page.goto(path);
      // A visitor without a session gets the reason in the URL (no session is made for it).
      await expect(page).toHaveURL(/\/signin\?notice=flow_expired$/);
      await expect(page.getByRole('status')).toContainText('Your sign-in session expired. Please start again.');
    }
  });
});

test.describe('on a pool that requires MFA and confirms by link', () => {
  test.use({ baseURL: servers.mfaRequired });

  test('email MFA set up during sign-in, with the address typed on its own page', async ({ page, request, javaScriptEnabled }) => {
    const username = uniqueName('mailmfa');
    const signUp = new SignUpPage(page, javaScriptEnabled);
    await signUp.goto();
    await signUp.fill({ username });
    await signUp.submit();
    const link = (await lastMessage(request, username, 'CONFIRM_SIGN_UP')).link!;
    await page.goto(link);
    await ready(page, javaScriptEnabled);
    await page.getByRole('button', { name: 'Confirm my account' }).click();
    await expect(page).toHaveURL(/\/select-mfa$/);
    await page.getByLabel('Email', { exact: true }).check();
    await page.getByRole('button', { name: 'Confirm' }).click();

    await expect(page).toHaveURL(/\/setup-email$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Set up email for sign-in codes');
    await expectAccessible(page, javaScriptEnabled);
    const address = `${username}.codes@example.org`;
    await page.getByLabel('Email').fill('not-an-address');
    await page.getByRole('button', { name: 'Send code' }).click();
    await fieldError(page, 'Email', 'Enter a valid email address, like name@example.com.');
    await ready(page, javaScriptEnabled);
    await page.getByLabel('Email').fill(address);
    await page.getByRole('button', { name: 'Send code' }).click();

    await expect(page).toHaveURL(/\/confirm-signin$/);
    const sent = await lastMessage(request, username, 'MFA_CODE');
    expect(sent.destination).toBe(address);
    await page.getByLabel('Code', { exact: true }).fill(sent.code!);
    await page.getByRole('button', { name: 'Confirm' }).click();
    const account = new AccountPage(page);
    await account.expectSignedInAs(username);
    await expect(page.getByRole('cell', { name: address })).toBeVisible();

    // The next sign-in asks for a code sent to that address.
    await ready(page, javaScriptEnabled);
    await account.signOut();
    const signIn = new SignInPage(page, javaScriptEnabled);
    await signIn.signIn(username);
    await expect(page).toHaveURL(/\/confirm-signin$/);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(/email/i);
  });

  test('link confirmation, MFA set-up choice, TOTP set-up, TOTP sign-in', async ({ page, request, javaScriptEnabled }) => {
    const username = uniqueName('link');
    const signUp = new SignUpPage(page, javaScriptEnabled);
    await signUp.goto();
    await signUp.fill({ username });
    await signUp.submit();
    await expect(page).toHaveURL(/\/confirm-signup$/);
    const link = (await lastMessage(request, username, 'CONFIRM_SIGN_UP')).link!;
    expect(link).toContain('/confirm-link?');
    await page.goto(link);
    await ready(page, javaScriptEnabled);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Confirm your account');
    await page.getByRole('button', { name: 'Confirm my account' }).click();

    // Signed in automatically, MFA must be set up first: authenticator app or email.
    await expect(page).toHaveURL(/\/select-mfa$/);
    await expectAccessible(page, javaScriptEnabled);
    await reloadKeeps(page, javaScriptEnabled, /\/select-mfa$/, 'Set up a second sign-in step');
    await page.getByLabel('Authenticator app (TOTP)').check();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page).toHaveURL(/\/setup-totp$/);
    await expectAccessible(page, javaScriptEnabled);
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    await reloadKeeps(page, javaScriptEnabled, /\/setup-totp$/, 'Setup TOTP');
    expect((await page.getByTestId('totp-secret').textContent())!.trim()).toBe(secret);
    const uri = await page.getByRole('link', { name: 'Open in an authenticator app on this device' }).getAttribute('href');
    expect(uri).toBe(`otpauth://totp/Cognito%20Authenticator:${username}?secret=${secret}&issuer=Cognito%20Authenticator`);
    await page.getByLabel('Code', { exact: true }).fill(totp(secret) === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await fieldError(page, 'Code', 'Invalid verification code provided, please try again.');
    await ready(page, javaScriptEnabled);
    await page.getByLabel('Code', { exact: true }).fill(totp(secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    const account = new AccountPage(page);
    await account.expectSignedInAs(username);

    await ready(page, javaScriptEnabled);
    await account.signOut();
    const signIn = new SignInPage(page, javaScriptEnabled);
    await signIn.signIn(username);
    await expect(page).toHaveURL(/\/confirm-signin$/);
    await page.getByLabel('Code', { exact: true }).fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await account.expectSignedInAs(username);

    // Signed in, the link just leads to the account.
    await page.goto(link);
    await expect(page).toHaveURL(/\/account$/);
  });

  test('a link opened in another browser confirms, then asks to sign in', async ({ page, request, javaScriptEnabled, browser }) => {
    const username = uniqueName('otherbrowser');
    const signUp = new SignUpPage(page, javaScriptEnabled);
    await signUp.goto();
    await signUp.fill({ username });
    await signUp.submit();
    await expect(page).toHaveURL(/\/confirm-signup$/);
    const link = (await lastMessage(request, username, 'CONFIRM_SIGN_UP')).link!;
    const other = await browser.newContext({ javaScriptEnabled });
    const otherPage = await other.newPage();
    await otherPage.goto(link);
    await ready(otherPage, javaScriptEnabled);
    await otherPage.getByRole('button', { name: 'Confirm my account' }).click();
    await expect(otherPage).toHaveURL(/\/signin$/);
    await expect(otherPage.getByRole('status')).toContainText('Your account is confirmed. Please sign in.');
    // Once more (already confirmed), and a tampered link, and a link for nobody: one answer,
    // so a link never tells whether its account exists or is confirmed.
    const refused = "This confirmation link can't be used";
    for (const target of [
      link,
      link.replace(/confirmation_code=\d+/, 'confirmation_code=000000'),
      link.replace(/user_name=[^&]+/, `user_name=${uniqueName('nobody')}`),
    ]) {
      await otherPage.goto(target);
      await ready(otherPage, javaScriptEnabled);
      await otherPage.getByRole('button', { name: 'Confirm my account' }).click();
      await expect(otherPage).toHaveURL(/\/signin$/);
      await expect(otherPage.getByRole('status')).toContainText(refused);
    }
    await other.close();
  });
});

test.describe('on a pool with a required attribute', () => {
  test.use({ baseURL: servers.requiredAttribute });

  test('new password with the missing attribute, then verify a contact', async ({ page, request, javaScriptEnabled }) => {
    const username = uniqueName('newpw');
    const temporary = await adminCreateUser(request, username, { email: `${username}@example.com` });
    const signIn = new SignInPage(page, javaScriptEnabled);
    await signIn.goto();
    await signIn.signIn(username, temporary);
    await expect(page).toHaveURL(/\/new-password$/);
    await ready(page, javaScriptEnabled);
    const submit = async (password: string, givenName: string) => {
      await page.getByLabel('New Password').fill(password);
      await page.getByLabel('Confirm Password').fill(password);
      await page.getByLabel('Given name').fill(givenName);
      await page.getByRole('button', { name: 'Change Password' }).click();
    };
    await submit('weakpassword', 'Ada');
    await fieldError(page, 'New Password', 'Password must contain an uppercase letter.');
    await reloadKeeps(page, javaScriptEnabled, /\/new-password$/, 'Change Password');
    await submit(NEW_PASSWORD, '');
    await fieldError(page, 'Given name', 'This field is required.');
    await submit(NEW_PASSWORD, 'Ada');

    // Nothing verified yet: offered, skippable.
    await expect(page).toHaveURL(/\/verify$/);
    await expectAccessible(page, javaScriptEnabled);
    await reloadKeeps(page, javaScriptEnabled, /\/verify$/, 'Account recovery requires verified contact information');
    await page.getByRole('button', { name: 'Send code' }).click();
    await expect(page.getByTestId('delivery')).toContainText(`${username[0]}***@e***.com`);
    await ready(page, javaScriptEnabled);
    await page.getByLabel('Confirmation Code').fill((await lastMessage(request, username, 'VERIFY_ATTRIBUTE')).code!);
    await page.getByRole('button', { name: 'Verify' }).click();
    const account = new AccountPage(page);
    await account.expectSignedInAs(username);
    await expect(page.getByRole('status')).toContainText('your contact information is verified');
    await expect(page.getByRole('row', { name: /Email verified/ })).toContainText('Yes');
    await expect(page.getByRole('row', { name: /Given name/ })).toContainText('Ada');
  });

  test('verifying a contact can be skipped', async ({ page, request, javaScriptEnabled }) => {
    const username = uniqueName('skip');
    const temporary = await adminCreateUser(request, username, { email: `${username}@example.com`, given_name: 'Bo' });
    const signIn = new SignInPage(page, javaScriptEnabled);
    await signIn.goto();
    await signIn.signIn(username, temporary);
    await expect(page).toHaveURL(/\/new-password$/);
    await ready(page, javaScriptEnabled);
    await expect(page.getByLabel('Given name')).toHaveCount(0);
    await page.getByLabel('New Password').fill(NEW_PASSWORD);
    await page.getByLabel('Confirm Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change Password' }).click();
    await expect(page).toHaveURL(/\/verify$/);
    await ready(page, javaScriptEnabled);
    await page.getByRole('button', { name: 'Skip' }).click();
    await new AccountPage(page).expectSignedInAs(username);
  });
});

test.describe('on a pool with custom challenges after the password', () => {
  test.use({ baseURL: servers.customChallenge });

  test('answer the custom challenge, with a second try', async ({ page, request, javaScriptEnabled, context }) => {
    const username = uniqueName('custom');
    await createAccount(page, request, javaScriptEnabled, username);
    await context.clearCookies();
    const signIn = new SignInPage(page, javaScriptEnabled);
    await signIn.goto();
    await signIn.signIn(username);
    await expect(page).toHaveURL(/\/confirm-signin$/);
    await expectAccessible(page, javaScriptEnabled);
    await reloadKeeps(page, javaScriptEnabled, /\/confirm-signin$/, 'Answer the challenge');
    const parameters = page.getByTestId('challenge-parameters');
    await expect(parameters).toContainText('EMAIL_CODE');
    await expect(parameters.getByRole('row', { name: /attempt/ })).toContainText('1');
    await expect(parameters).toContainText(`${username[0]}***@e***.com`);
    const first = (await lastMessage(request, username, 'CUSTOM_CHALLENGE')).code!;
    await page.getByLabel('Answer').fill(first === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    // A wrong answer starts the next round, with a new code.
    await expect(parameters.getByRole('row', { name: /attempt/ })).toContainText('2');
    await ready(page, javaScriptEnabled);
    const second = await lastMessage(request, username, 'CUSTOM_CHALLENGE');
    await page.getByLabel('Answer').fill(second.code!);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await new AccountPage(page).expectSignedInAs(username);
  });
});
