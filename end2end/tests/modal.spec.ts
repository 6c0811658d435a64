// The modal variation (`variation = Modal`) on the example site's `/salon`: a dialog over the
// page, closable, focus kept inside, opened again by its button; the sign-in runs in it.
import { expect, expectAccessible, test } from './fixtures';
import { ready, servers } from './pages';

test.use({ baseURL: servers.example, cognitoLogin: 'email' });

test('the modal authenticator covers the page, keeps focus inside, closes and opens again', async ({ page, javaScriptEnabled: js }) => {
  await page.goto('/salon');
  await ready(page, js);
  const dialog = page.locator('dialog.ca-modal');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading', { level: 1 })).toHaveText('Entrez dans le club');
  // The page is there behind it.
  await expect(page.getByTestId('lounge-intro')).toHaveCount(1);
  const reopen = page.locator('.ca-modal-reopen');
  await expect(reopen).toBeHidden();
  if (js) {
    // Modal: the page behind is inert, so Tab never reaches it (past the dialog's last
    // control, focus goes to the browser's own UI, then back to the dialog).
    expect(await dialog.evaluate((d) => d.matches(':modal'))).toBe(true);
    const inside = new Set<boolean>();
    for (let i = 0; i < 16; i += 1) {
      await page.keyboard.press('Tab');
      const where = await dialog.evaluate((d) => {
        const active = document.activeElement;
        return !active || active === document.body ? 'none' : d.contains(active) ? 'dialog' : active.outerHTML;
      });
      expect(where === 'dialog' || where === 'none', `focus left the dialog: ${where}`).toBe(true);
      inside.add(where === 'dialog');
    }
    expect(inside.has(true)).toBe(true);
    await expectAccessible(page, js);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await reopen.click();
    await expect(dialog).toBeVisible();
  }
  // Its close button works with or without JavaScript (a `method="dialog"` form).
  await dialog.getByRole('button', { name: 'Fermer' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('lounge-intro')).toBeVisible();
  // Its button opens it again, as a modal dialog (the browser's `show-modal` command).
  await expect(reopen).toHaveText('Se connecter');
  await reopen.click();
  await expect(dialog).toBeVisible();
  expect(await dialog.evaluate((d) => d.matches(':modal'))).toBe(true);
});

test('signing in inside the modal shows the page’s signed-in content', async ({ page, pool, javaScriptEnabled: js }) => {
  const user = await pool.createUser();
  await page.goto('/salon');
  await ready(page, js);
  const dialog = page.locator('dialog.ca-modal');
  await expect(page.getByTestId('lounge-badge')).toHaveText('Invité');
  await dialog.getByLabel('Adresse e-mail du club').fill(user.username);
  await dialog.getByLabel('Mot de passe', { exact: true }).fill('Wrong-passw0rd!');
  await dialog.getByRole('button', { name: 'Se connecter', exact: true }).click();
  // A refusal is shown in the dialog, still open.
  await expect(dialog.locator('.ca-alert--error')).toBeVisible();
  await ready(page, js);
  await dialog.getByLabel('Adresse e-mail du club').fill(user.username);
  await dialog.getByLabel('Mot de passe', { exact: true }).fill(user.password);
  await dialog.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await expect(page.getByTestId('lounge-user')).toContainText(user.username);
  // The page's other components learn of the sign-in too (in place with JavaScript).
  await expect(page.getByTestId('lounge-badge')).toHaveText(`Membre : ${user.username}`);
  await expect(page.locator('dialog.ca-modal')).toHaveCount(0);
  await expect(page).toHaveURL(/\/salon$/);
});
