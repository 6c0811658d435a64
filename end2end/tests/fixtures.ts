// The `test` every spec uses: Playwright's with the kit's fixtures (end2end/kit), plus checks that no page broke its Content
// Security Policy (a blocked script or style would show up here before it shows as a bug) and
// that every app page arrived with its own nonce-based policy.
import AxeBuilder from '@axe-core/playwright';
import { expect, test as base, type Page } from '@playwright/test';
import { withCognito } from '../kit/index.js';

// The kit's fixtures (pool, newUser, signedIn, signedInPage) come with every spec, as an
// embedding site's suite gets them.
export const test = withCognito(base).extend<{ cspViolations: void }>({
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
      });
      page.on('response', (response) => {
        const request = response.request();
        if (request.resourceType() !== 'document' || response.status() >= 300) return;
        if (new URL(response.url()).pathname.startsWith('/local/')) return;
        const policy = response.headers()['content-security-policy'] ?? '';
        if (!policy.includes("'nonce-")) {
          violations.push(`${request.method()} ${response.url()} (${response.status()}) came without a page policy: ${policy}`);
        }
      });
      await use();
      expect(violations, 'CSP violations').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/**
 * axe-core finds no violation on the screen shown. axe runs inside the page, so without
 * JavaScript this is a no-op (the markup is the server's in both projects).
 */
export async function expectAccessible(page: Page, javaScriptEnabled: boolean) {
  if (!javaScriptEnabled) return;
  await expect(page.locator('.ca-card h1, main h1').first()).toBeVisible();
  const results = await new AxeBuilder({ page }).analyze();
  const where = new URL(page.url()).pathname;
  expect(results.violations.map((v) => `${where}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}
