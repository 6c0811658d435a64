// The example site's suite, written only with the kit (@cognito-authenticator/playwright-kit),
// the way a site that embeds the crate would test its own pages.
import { expect, test as base, type Page } from '@playwright/test';
import { signInThroughPages, withCognito } from '@cognito-authenticator/playwright-kit';

const test = withCognito(base);
// This site signs people in by email.
test.use({ cognitoLogin: 'email' });

/** The form holding the field `name` (a page may have several, such as "Resend code"). */
const formWith = (page: Page, name: string) =>
  page.locator('form.ca-form').filter({ has: page.locator(`input[name="${name}"]`) });

test('the guarded page opens for the worker’s signed-in member', async ({ signedInPage }) => {
  await signedInPage.goto('/prive');
  await expect(signedInPage).toHaveURL(/\/prive$/);
  await expect(signedInPage.getByTestId('private').getByRole('heading')).toHaveText('Espace privé');
  await expect(signedInPage.getByTestId('greeting')).toContainText('Bonjour');
});

test('a visitor of the guarded page signs in and comes back to it', async ({ page, pool }) => {
  const member = await pool.createUser();
  await page.goto('/prive');
  await expect(page).toHaveURL(/\/signin\?return_to=%2Fprive$/);
  await signInThroughPages(page, { ...member, path: '/signin?return_to=%2Fprive' });
  await expect(page).toHaveURL(/\/prive$/);
});

test('a forgotten password is reset with the code the pool sent', async ({ page, pool }) => {
  const member = await pool.createUser();
  await page.goto('/forgot-password');
  await page.locator('input[name="username"]').fill(member.username);
  await formWith(page, 'username').locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/\/reset-password$/);
  const code = await pool.latestCode(member.username, { kind: 'FORGOT_PASSWORD' });
  expect(code).toBe((await pool.testMode())!.code);
  await page.locator('input[name="code"]').fill(code);
  await page.locator('input[name="password"]').fill('N3w-passw0rd!');
  await page.locator('input[name="confirm_password"]').fill('N3w-passw0rd!');
  await formWith(page, 'code').locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/\/signin/);
  await signInThroughPages(page, { username: member.username, password: 'N3w-passw0rd!' });
  await expect(page).toHaveURL(/\/account$/);
});
