// The local pool's console and outbox look like the sign-in pages (the app's stylesheet and
// card), work without JavaScript, and have no axe violations.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { lastMessage, uniqueName } from './pages';

test('the console creates a user with the app look, and the outbox shows what was sent', async ({ page, request, javaScriptEnabled }) => {
  await page.goto('/local/console');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Local user pool');
  // The app's stylesheet, not the browser's plain styles.
  const card = page.locator('.ca-card');
  await expect(card).toBeVisible();
  expect(await card.evaluate((el) => getComputedStyle(el).boxShadow)).not.toBe('none');
  expect(await page.getByRole('button', { name: 'Create user' }).evaluate((el) => getComputedStyle(el).backgroundColor))
    .not.toBe('rgb(239, 239, 239)');

  const username = uniqueName('console');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('status')).toContainText(`Created ${username}`);
  const row = page.locator(`tr[data-username="${username}"]`);
  await expect(row).toContainText('FORCE_CHANGE_PASSWORD');
  if (javaScriptEnabled) {
    const results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.map((v) => `console: ${v.id}`)).toEqual([]);
  }

  const temporary = await lastMessage(request, username);
  await page.getByRole('link', { name: 'Outbox' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Local outbox');
  await expect(page.locator('.ca-card')).toBeVisible();
  // Other specs share the outbox: this user's message is one of its rows.
  await expect(page.locator('tbody tr', { hasText: username }).first()).toBeVisible();
  expect(temporary.kind).toBeTruthy();
  if (javaScriptEnabled) {
    const results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.map((v) => `outbox: ${v.id}`)).toEqual([]);
  }
});
