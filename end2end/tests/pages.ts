// Page objects: one per screen, plus helpers to read the local outbox.
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { LocalPool } from '../kit/index.js';

export const PASSWORD = 'Corr3ct-horse!';

// The test kit (end2end/kit) is what embedding sites use; these specs read the pool through it.
export { totp, uniqueName } from '../kit/index.js';

/** Waits until the page is interactive when JavaScript runs; a no-op without it. */
export async function ready(page: Page, javaScriptEnabled: boolean) {
  await expect(page.locator('.ca-card')).toBeVisible();
  if (javaScriptEnabled) {
    // The debug build's wasm is large; on a busy two-core machine it can take a while.
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 20_000 });
  }
}

export interface OutboxMessage {
  username: string;
  channel: string;
  destination: string;
  kind: string;
  code: string | null;
  at: number;
}

export async function outbox(request: APIRequestContext): Promise<OutboxMessage[]> {
  return new LocalPool(request).outbox();
}

/** The newest code sent to `username`. */
export async function lastCode(request: APIRequestContext, username: string): Promise<string> {
  return new LocalPool(request).latestCode(username);
}

export class SignInPage {
  constructor(private page: Page, private js: boolean) {}
  async goto() {
    await this.page.goto('/signin');
    await ready(this.page, this.js);
  }
  async signIn(username: string, password = PASSWORD) {
    await this.page.getByLabel('Username').fill(username);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }
}

export interface SignUpForm {
  username: string;
  password?: string;
  confirm?: string;
  email?: string;
  dialCode?: string;
  phone?: string;
}

export class SignUpPage {
  constructor(private page: Page, private js: boolean) {}
  async goto() {
    await this.page.goto('/signup');
    await ready(this.page, this.js);
  }
  async fill(form: SignUpForm) {
    const page = this.page;
    await page.getByLabel('Username').fill(form.username);
    await page.getByLabel('Password', { exact: true }).fill(form.password ?? PASSWORD);
    await page.getByLabel('Confirm Password').fill(form.confirm ?? form.password ?? PASSWORD);
    await page.getByLabel('Email').fill(form.email ?? `${form.username}@example.com`);
    if (form.dialCode) await page.getByLabel('Country code').selectOption(form.dialCode);
    if (form.phone !== undefined) await page.getByLabel('Phone Number').fill(form.phone);
  }
  async submit() {
    await this.page.getByRole('button', { name: 'Create Account' }).click();
  }
}

export class ConfirmSignUpPage {
  constructor(private page: Page) {}
  async confirm(code: string) {
    await this.page.getByLabel('Confirmation Code').fill(code);
    await this.page.getByRole('button', { name: 'Confirm' }).click();
  }
  async resend() {
    await this.page.getByRole('button', { name: 'Resend Code' }).click();
  }
}

export class AccountPage {
  constructor(private page: Page) {}
  async expectSignedInAs(username: string) {
    await expect(this.page).toHaveURL(/\/account$/);
    await expect(this.page.getByTestId('username')).toHaveText(username);
  }
  async signOut() {
    await this.page.getByRole('button', { name: 'Sign out', exact: true }).click();
  }
  async signOutEverywhere() {
    await this.page.getByRole('button', { name: 'Sign out everywhere' }).click();
  }
}

/** Signs a new user up and confirms them; ends on /account. */
export async function createAccount(page: Page, request: APIRequestContext, js: boolean, username: string) {
  const signUp = new SignUpPage(page, js);
  await signUp.goto();
  await signUp.fill({ username });
  await signUp.submit();
  await expect(page).toHaveURL(/\/confirm-signup$/);
  await ready(page, js);
  await new ConfirmSignUpPage(page).confirm(await lastCode(request, username));
  await new AccountPage(page).expectSignedInAs(username);
}

const firstPort = Number(process.env.E2E_PORT ?? 3300);
/** The app servers of playwright.config.ts, by their pool settings. */
export const servers = {
  main: `http://127.0.0.1:${firstPort}`,
  mfaRequired: `http://127.0.0.1:${firstPort + 1}`,
  requiredAttribute: `http://127.0.0.1:${firstPort + 2}`,
  customChallenge: `http://127.0.0.1:${firstPort + 3}`,
  example: `http://127.0.0.1:${firstPort + 4}`,
  choice: `http://127.0.0.1:${firstPort + 5}`,
  codesOnly: `http://127.0.0.1:${firstPort + 6}`,
  passkeys: `http://localhost:${firstPort + 7}`,
  federation: `http://127.0.0.1:${firstPort + 8}`,
  testModeJs: `http://127.0.0.1:${firstPort + 9}`,
  testModeNoJs: `http://127.0.0.1:${firstPort + 10}`,
  account: `http://127.0.0.1:${firstPort + 11}`,
};

/** Checks that the field labelled `label` is marked invalid with `message`. */
export async function fieldError(page: Page, label: string, message: string) {
  const input = page.getByLabel(label, { exact: true });
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  const id = (await input.getAttribute('aria-describedby'))!.split(' ').find((i) => i.endsWith('-error'))!;
  await expect(page.locator(`#${id}`)).toHaveText(message);
}

/** The newest outbox message for `username` (optionally of one kind). */
export async function lastMessage(request: APIRequestContext, username: string, kind?: string): Promise<OutboxMessage & { link: string | null }> {
  return new LocalPool(request).latestMessage(username, { kind });
}

/** An administrator's call to the local pool (signed with any SigV4 credentials). */
export async function admin(request: APIRequestContext, operation: string, body: object) {
  return new LocalPool(request).admin(operation, body);
}

/** Creates a user with a temporary password and returns it. */
export async function adminCreateUser(request: APIRequestContext, username: string, attributes: Record<string, string>): Promise<string> {
  await admin(request, 'AdminCreateUser', {
    UserPoolId: 'us-east-1_LocalPool',
    Username: username,
    UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
  });
  return (await lastMessage(request, username, 'TEMPORARY_PASSWORD')).code!;
}

/** Reloads the page and checks the step survived it. */
export async function reloadKeeps(page: Page, js: boolean, path: RegExp, heading: string) {
  await page.reload();
  await expect(page).toHaveURL(path);
  await ready(page, js);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
}
