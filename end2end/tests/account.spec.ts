// The account page's own actions, as a signed-in person uses them: a new email that counts
// only once its code is entered, profile details, "Remember this device" skipping the second
// step and forgetting it, and deleting the account. Each test takes a fresh user.
import { expect, expectAccessible, test } from './fixtures';
import { ready, servers } from './pages';

test.use({ baseURL: servers.account });

const signIn = async (page, username: string, password: string, js: boolean) => {
  await page.goto('/signin');
  await ready(page, js);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
};

const signOut = async (page, js: boolean) => {
  await ready(page, js);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/signin/);
};

test('a new email counts only once its code is entered, and the old one stays until then', async ({ page, pool, newUser, javaScriptEnabled: js }) => {
  await signIn(page, newUser.username, newUser.password, js);
  await expect(page).toHaveURL(/\/account$/);
  const email = page.locator('[data-contact="email"]');
  const oldEmail = `${newUser.username}@example.com`;
  await expect(page.getByTestId('email-value')).toHaveText(oldEmail);

  // A malformed address is refused beside the field.
  await email.getByLabel('New email').fill('not-an-address');
  await email.getByRole('button', { name: 'Change' }).click();
  await expect(page.getByText('Enter a valid email address, like name@example.com.')).toBeVisible();

  await ready(page, js);
  const newEmail = `${newUser.username}.new@example.com`;
  await page.locator('[data-contact="email"]').getByLabel('New email').fill(newEmail);
  await page.locator('[data-contact="email"]').getByRole('button', { name: 'Change' }).click();
  await expect(page.getByTestId('contact-sent')).toBeVisible();
  const sent = await pool.latestMessage(newUser.username, { kind: 'VERIFY_ATTRIBUTE' });
  expect(sent.destination).toBe(newEmail);
  // Not yet: the verified old address is still the account's.
  await expect(page.getByTestId('email-value')).toHaveText(oldEmail);
  await expect(page.getByTestId('email-status')).toHaveText('Verified');

  await ready(page, js);
  await page.getByLabel('Confirmation Code').fill(sent.code === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('Invalid verification code provided, please try again.')).toBeVisible();
  await expect(page.getByTestId('email-value')).toHaveText(oldEmail);

  await ready(page, js);
  await page.getByLabel('Confirmation Code').fill(sent.code!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('Your new contact details are verified and now in use.')).toBeVisible();
  await expect(page.getByTestId('email-value')).toHaveText(newEmail);
  await expect(page.getByTestId('email-status')).toHaveText('Verified');
  await expectAccessible(page, js);
});

test('a change in progress can be cancelled, and the code sent again', async ({ page, pool, newUser, javaScriptEnabled: js }) => {
  await signIn(page, newUser.username, newUser.password, js);
  await expect(page).toHaveURL(/\/account$/);
  const contact = page.locator('[data-contact="email"]');
  await contact.getByLabel('New email').fill(`${newUser.username}.other@example.com`);
  await contact.getByRole('button', { name: 'Change' }).click();
  await expect(page.getByTestId('contact-sent')).toBeVisible();
  const first = await pool.latestMessage(newUser.username, { kind: 'VERIFY_ATTRIBUTE' });
  await ready(page, js);
  await page.locator('[data-contact="email"]').getByRole('button', { name: 'Resend Code' }).click();
  await expect(page.getByText('A code is on its way.')).toBeVisible();
  await expect
    .poll(async () => (await pool.latestMessage(newUser.username, { kind: 'VERIFY_ATTRIBUTE' })).at)
    .toBeGreaterThanOrEqual(first.at);
  await ready(page, js);
  await page.locator('[data-contact="email"]').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('contact-sent')).toHaveCount(0);
  await expect(page.getByTestId('email-value')).toHaveText(`${newUser.username}@example.com`);
});

test('profile details are saved, and an emptied one is removed', async ({ page, newUser, javaScriptEnabled: js }) => {
  await signIn(page, newUser.username, newUser.password, js);
  await expect(page).toHaveURL(/\/account$/);
  await page.getByLabel('Given name').fill('Ada');
  await page.getByLabel('Family name').fill('Lovelace');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Your details have been saved.')).toBeVisible();
  await expect(page.locator('tr[data-attribute="given_name"] td')).toHaveText('Ada');
  await expect(page.getByLabel('Family name')).toHaveValue('Lovelace');

  await ready(page, js);
  await page.getByLabel('Given name').fill('');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Your details have been saved.')).toBeVisible();
  await expect(page.locator('tr[data-attribute="given_name"]')).toHaveCount(0);
  await expect(page.locator('tr[data-attribute="family_name"] td')).toHaveText('Lovelace');
});

test('a remembered device skips the second step until it is forgotten', async ({ page, pool, newUser, javaScriptEnabled: js }) => {
  await signIn(page, newUser.username, newUser.password, js);
  await expect(page).toHaveURL(/\/account$/);
  await page.locator('[data-factor="EMAIL_OTP"]').getByRole('button', { name: 'Turn on' }).click();
  await expect(page.locator('[data-factor="EMAIL_OTP"]').getByRole('button', { name: 'Turn off' })).toBeVisible();
  await signOut(page, js);

  const mfaCodes = async () =>
    (await pool.outbox()).filter((m) => m.username === newUser.username && m.kind === 'MFA_CODE');
  let seen = 0;
  const passSecondStep = async (remember: boolean) => {
    await expect(page).toHaveURL(/\/confirm-signin/);
    await ready(page, js);
    await expect.poll(async () => (await mfaCodes()).length).toBe(seen + 1);
    seen += 1;
    const code = (await mfaCodes()).pop()!.code!;
    await page.getByLabel('Code', { exact: true }).fill(code);
    if (remember) await page.getByLabel('Remember this device').check();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page).toHaveURL(/\/account$/);
  };

  // Not remembered: the device is not tracked, and the next sign-in asks again.
  await signIn(page, newUser.username, newUser.password, js);
  await passSecondStep(false);
  await expect(page.getByText('No devices yet.')).toBeVisible();
  await signOut(page, js);
  await signIn(page, newUser.username, newUser.password, js);
  await passSecondStep(true);
  const here = page.locator('li.ca-device').filter({ has: page.getByTestId('this-device') });
  await expect(here).toContainText('Remembered');
  // Named from the browser's User-Agent (Playwright's desktop Chrome says Windows).
  await expect(here).toContainText('Chrome on Windows');
  // The device cookie is HttpOnly, and holds no device secret.
  const device = (await page.context().cookies()).find((c) => c.name === 'ca_device');
  expect(device?.httpOnly).toBe(true);
  expect(device?.sameSite).toBe('Lax');
  await expectAccessible(page, js);

  // It outlives sign-out: the password alone signs in from here now.
  await signOut(page, js);
  await signIn(page, newUser.username, newUser.password, js);
  await expect(page).toHaveURL(/\/account$/);

  await ready(page, js);
  await page.locator('li.ca-device').filter({ has: page.getByTestId('this-device') }).getByRole('button', { name: /Forget/ }).click();
  await expect(page.getByText('That device has been forgotten.', { exact: false })).toBeVisible();
  await signOut(page, js);
  await signIn(page, newUser.username, newUser.password, js);
  await expect(page).toHaveURL(/\/confirm-signin/);
});

test('deleting the account needs the password, then ends it for good', async ({ page, newUser, javaScriptEnabled: js }) => {
  await signIn(page, newUser.username, newUser.password, js);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText('This cannot be undone.', { exact: false })).toBeVisible();
  await page.getByLabel('Enter your password to confirm').fill('Wrong-passw0rd!');
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page.getByText('Your current password is incorrect.')).toBeVisible();
  await expect(page).toHaveURL(/\/account$/);

  await ready(page, js);
  await page.getByLabel('Enter your password to confirm').fill(newUser.password);
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL(/\/signin/);
  await expect(page.getByText('Your account has been deleted.')).toBeVisible();
  await signIn(page, newUser.username, newUser.password, js);
  await expect(page.getByText('Incorrect username or password.')).toBeVisible();
});
