// Accessibility details people rely on: the password toggle (JavaScript only) says whether the
// password is shown, and the autocomplete tokens password managers need are on the fields.
import { expect, test } from './fixtures';
import { ready } from './pages';

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

test('new passwords are marked for password managers', async ({ page }) => {
  await page.goto('/signup');
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('autocomplete', 'new-password');
  await expect(page.getByLabel('Confirm Password')).toHaveAttribute('autocomplete', 'new-password');
  await expect(page.getByLabel('Email')).toHaveAttribute('autocomplete', 'email');
});
