// Accessibility details people rely on: the password toggle (JavaScript only) says whether the
// password is shown, and the autocomplete tokens password managers need are on the fields.
import { expect, test } from './fixtures';
import { PASSWORD, ready } from './pages';

test('the password can be shown and hidden again', async ({ page, javaScriptEnabled }) => {
  await page.goto('/signin');
  await ready(page, javaScriptEnabled);
  const password = page.getByLabel('Password', { exact: true });
  await expect(password).toHaveAttribute('type', 'password');
  await expect(password).toHaveAttribute('autocomplete', 'current-password');
  await expect(page.getByLabel('Username')).toHaveAttribute('autocomplete', 'username');
  const toggle = page.getByRole('button', { name: 'Show password' });
  if (!javaScriptEnabled) {
    // Without JavaScript the button could do nothing, so it is not offered.
    await expect(toggle).toBeHidden();
    return;
  }
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await password.fill('Typed-secret1!');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(password).toHaveAttribute('type', 'text');
  await expect(password).toHaveValue('Typed-secret1!');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await expect(password).toHaveAttribute('type', 'password');
});

test('each page is titled by its step, which is what a screen reader announces first', async ({ page, javaScriptEnabled }) => {
  await page.goto('/signin');
  await ready(page, javaScriptEnabled);
  await expect(page).toHaveTitle('Sign in to your account');
  await page.getByRole('link', { name: 'Create Account' }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page).toHaveTitle('Create a new account');
  await page.goto('/forgot-password');
  await expect(page).toHaveTitle('Reset your password');
  await page.goto('/no-such-page');
  await expect(page).toHaveTitle('Page not found');
});

test('new passwords are marked for password managers', async ({ page }) => {
  await page.goto('/signup');
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('autocomplete', 'new-password');
  await expect(page.getByLabel('Confirm Password')).toHaveAttribute('autocomplete', 'new-password');
  await expect(page.getByLabel('Email')).toHaveAttribute('autocomplete', 'email');
});

test('the password rules are listed before typing and ticked while typing', async ({ page, javaScriptEnabled }) => {
  await page.goto('/signup');
  await ready(page, javaScriptEnabled);
  const rules = page.locator('[data-field="password"] .ca-password-rule');
  await expect(rules).toHaveCount(5);
  await expect(rules.first()).toContainText('at least 8 characters');
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-describedby', /ca-field-password-rules/);
  if (!javaScriptEnabled) {
    return;
  }
  await page.getByLabel('Password', { exact: true }).fill('abc');
  await expect(page.locator('[data-rule="password.rule.lowercase"]')).toHaveAttribute('data-met', 'true');
  await expect(page.locator('[data-rule="password.rule.uppercase"]')).toHaveAttribute('data-met', 'false');
  await expect(page.locator('[data-rule="password.rule.minimum_length"]')).toHaveAttribute('data-met', 'false');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await expect(page.locator('.ca-password-rule[data-met="false"]')).toHaveCount(0);
});

test('a password typed before the page is interactive is checked once it is', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'the rules are ticked by JavaScript');
  // Hold the wasm back until the password is in (as autofill or a slow network would).
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/pkg/*.wasm', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/signup');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  release();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('.ca-password-rule[data-met="true"]')).toHaveCount(5);
});

// The refused form comes back as a page whose field at fault has `autofocus`: the same with or
// without JavaScript.
test('a refused submission moves focus to the first field at fault', async ({ page, javaScriptEnabled }) => {
  await page.goto('/signup');
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Username').fill('someone');
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByRole('button', { name: 'Create Account' }).click();
  const password = page.getByLabel('Password', { exact: true });
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(password).toBeFocused();
  await expect(password).toHaveAttribute('aria-describedby', /ca-field-password-error/);
});
