// The test kit and the pool's test mode, as an embedding site's suite uses them: a user made
// through the admin API and signed in once per worker, known codes, and expiry seen by moving
// the pool's clock instead of waiting.
import { expect, test } from './fixtures';
import { ready, servers } from './pages';

// The clock moves for the whole server: each project has a server of its own, and the tests
// of a project run one after another.
test.describe.configure({ mode: 'serial' });
test.use({
  baseURL: async ({ javaScriptEnabled }, use) => use(javaScriptEnabled ? servers.testModeJs : servers.testModeNoJs),
});

test('the worker’s signed-in user opens the account page without signing in again', async ({ signedInPage, signedIn }) => {
  await signedInPage.goto('/account');
  await expect(signedInPage.getByTestId('username')).toHaveText(signedIn.username);
  // The storage state is a session cookie only: no token is in the browser.
  const state = JSON.parse(require('node:fs').readFileSync(signedIn.storageState, 'utf8'));
  expect(state.cookies.map((c: { name: string; httpOnly: boolean }) => [c.name, c.httpOnly])).toEqual([['session', true]]);
  expect(JSON.stringify(state.origins)).not.toMatch(/eyJ/);
});

test('a sign-up code past its day is refused, and a new one confirms', async ({ page, pool, javaScriptEnabled: js }) => {
  const mode = await pool.testMode();
  expect(mode?.code).toMatch(/^\d{6}$/);
  const username = `expiry${Date.now().toString(36)}`;
  await page.goto('/signup');
  await ready(page, js);
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill('Kit-passw0rd!');
  await page.locator('input[name="confirm_password"]').fill('Kit-passw0rd!');
  await page.locator('input[name="email"]').fill(`${username}@example.com`);
  await page.getByRole('button', { name: 'Create Account' }).click();
  await expect(page).toHaveURL(/\/confirm-signup$/);
  expect(await pool.latestCode(username, { kind: 'CONFIRM_SIGN_UP' })).toBe(mode!.code);

  await pool.advanceClock(24 * 3600 + 1);
  await ready(page, js);
  await page.getByLabel('Confirmation Code').fill(mode!.code);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('This code has expired. Select Resend Code to get a new one.')).toBeVisible();

  await pool.setCode(username, '246810');
  await ready(page, js);
  await page.getByRole('button', { name: 'Resend Code' }).click();
  await expect.poll(() => pool.latestCode(username, { kind: 'CONFIRM_SIGN_UP' })).toBe('246810');
  await ready(page, js);
  await page.getByLabel('Confirmation Code').fill('246810');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('username')).toHaveText(username);
});

test('an email sign-in code used after its three minutes ends the sign-in', async ({ page, pool, newUser, javaScriptEnabled: js }) => {
  const code = (await pool.testMode())!.code;
  const begin = async () => {
    await page.goto('/signin');
    await ready(page, js);
    await page.getByLabel('Username').fill(newUser.username);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page).toHaveURL(/\/signin-methods$/);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await expect(page).toHaveURL(/\/confirm-signin$/);
    await ready(page, js);
  };
  await begin();
  await pool.advanceClock(181);
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page).toHaveURL(/\/signin/);
  await expect(page.getByText('Your sign-in session expired. Please start again.')).toBeVisible();

  // A new attempt, within its time, signs in with the same known code.
  await begin();
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('username')).toHaveText(newUser.username);
});
