// axe-core finds no accessibility violation on any screen, in the light and the dark theme.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ConfirmSignUpPage, SignUpPage, lastCode, ready, uniqueName } from './pages';

// axe runs inside the page, so it needs JavaScript; the no-JS pages are the same server markup.
test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, 'axe needs JavaScript in the page');

async function expectNoViolations(page: Page, screen: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const found = results.violations.map((v) => `${screen}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(found).toEqual([]);
}

test('the screens have no axe violations', async ({ page, request, javaScriptEnabled }) => {
  // Ten screens, each scanned in full.
  test.setTimeout(90_000);
  for (const path of ['/signin', '/signup', '/forgot-password']) {
    await page.goto(path);
    await ready(page, javaScriptEnabled);
    await expectNoViolations(page, path);
  }
  // A failed submission: field errors and the form-level alert.
  await page.goto('/signin');
  await ready(page, javaScriptEnabled);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('.ca-field-error:visible').first()).toBeVisible();
  await expectNoViolations(page, '/signin with errors');

  const username = uniqueName('axe');
  const signUp = new SignUpPage(page, javaScriptEnabled);
  await signUp.goto();
  await signUp.fill({ username });
  await signUp.submit();
  await expect(page).toHaveURL(/\/confirm-signup$/);
  await ready(page, javaScriptEnabled);
  await expectNoViolations(page, '/confirm-signup');
  await new ConfirmSignUpPage(page).confirm(await lastCode(request, username));
  await expect(page).toHaveURL(/\/account$/);
  await expectNoViolations(page, '/account');
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(page.locator('.ca-totp')).toBeVisible();
  await expectNoViolations(page, '/account (TOTP set-up)');
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/signin/);

  await page.goto('/forgot-password');
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Send code' }).click();
  await expect(page).toHaveURL(/\/reset-password$/);
  await ready(page, javaScriptEnabled);
  await expectNoViolations(page, '/reset-password');
  await page.getByLabel('New Password').fill('short');
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.locator('.ca-field-error:visible').first()).toBeVisible();
  await expectNoViolations(page, '/reset-password with errors');
});

test('the dark theme follows the system and stays accessible', async ({ page, javaScriptEnabled }, info) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/signin');
  await ready(page, javaScriptEnabled);
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  // The dark token (#0d1117), not the light one.
  expect(background).toBe('rgb(13, 17, 23)');
  await expectNoViolations(page, '/signin (dark)');
  await page.screenshot({ path: info.outputPath('signin-dark.png'), fullPage: true });
});

test('right-to-left languages are laid out from the right and stay accessible', async ({ page, javaScriptEnabled }, info) => {
  for (const [lang, path] of [['ar', '/signin'], ['he', '/signup'], ['ar', '/forgot-password']]) {
    await page.goto(`${path}?lang=${lang}`);
    await ready(page, javaScriptEnabled);
    await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    // The heading's words start at the card's right edge, far from its left one.
    const { left, right } = await page.locator('.ca-heading').evaluate((heading) => {
      const range = document.createRange();
      range.selectNodeContents(heading);
      const text = range.getBoundingClientRect();
      const card = heading.parentElement!.getBoundingClientRect();
      return { left: text.left - card.left, right: card.right - text.right };
    });
    expect(right).toBeLessThan(40);
    expect(left).toBeGreaterThan(right + 40);
    await expectNoViolations(page, `${path}?lang=${lang}`);
    await page.screenshot({ path: info.outputPath(`${lang}${path.replace('/', '-')}.png`), fullPage: true });
  }
});
