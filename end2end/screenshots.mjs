// Takes screenshots of every screen (JS on and off, desktop and mobile) for a human to look at.
// Usage: node screenshots.mjs http://127.0.0.1:3000 OUT_DIR  (against a running server)
import { chromium } from '@playwright/test';

const [base = 'http://127.0.0.1:3000', out = 'screenshots'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const code = async (page, username) => {
  const res = await page.request.get(`${base}/local/outbox`, { headers: { Accept: 'application/json' } });
  return (await res.json()).filter((m) => m.username === username).pop().code;
};
for (const [label, viewport, js] of [['desktop', { width: 1280, height: 900 }, true], ['mobile-nojs', { width: 390, height: 844 }, false]]) {
  const context = await browser.newContext({ viewport, javaScriptEnabled: js });
  const page = await context.newPage();
  const shot = (name) => page.screenshot({ path: `${out}/${label}-${name}.png`, fullPage: true });
  const user = `shot${label.replace(/\W/g, '')}${Date.now() % 100000}`;
  await page.goto(`${base}/signin`);
  await shot('signin');
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password', { exact: true }).fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').getByText(/Incorrect/).waitFor();
  await shot('signin-error');
  await page.goto(`${base}/signup`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password', { exact: true }).fill('weak');
  await page.getByLabel('Confirm Password').fill('weak');
  await page.getByLabel('Email').fill(`${user}@example.com`);
  await page.getByRole('button', { name: 'Create Account' }).click();
  await page.locator('[aria-invalid="true"]').first().waitFor();
  await shot('signup-error');
  await page.getByLabel('Password', { exact: true }).fill('Corr3ct-horse!');
  await page.getByLabel('Confirm Password').fill('Corr3ct-horse!');
  await page.getByLabel('Phone Number').fill('555 555 0123');
  await page.getByRole('button', { name: 'Create Account' }).click();
  await page.waitForURL(/confirm-signup/);
  await shot('confirm');
  await page.getByLabel('Confirmation Code').fill(await code(page, user));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.waitForURL(/account/);
  await shot('account');
  await page.getByLabel('Username').count();
  await page.goto(`${base}/local/outbox`);
  await shot('outbox');
  await context.close();
}
await browser.close();
