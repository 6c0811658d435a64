// The `test` every spec uses: Playwright's, plus a check that no page broke its Content
// Security Policy (a blocked script or style would show up here before it shows as a bug).
import { expect, test as base } from '@playwright/test';

export const test = base.extend<{ cspViolations: void }>({
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await use();
      expect(violations, 'CSP violations').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
