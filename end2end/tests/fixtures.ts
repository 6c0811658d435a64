// The `test` every spec uses: Playwright's, plus checks that no page broke its Content
// Security Policy (a blocked script or style would show up here before it shows as a bug) and
// that every app page arrived with its own nonce-based policy.
import { expect, test as base } from '@playwright/test';

export const test = base.extend<{ cspViolations: void }>({
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
