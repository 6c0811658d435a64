// Page objects: one per screen, plus helpers to read the local outbox.
import { expect, type APIRequestContext, type Page } from '@playwright/test';

export const PASSWORD = 'Corr3ct-horse!';

export function uniqueName(prefix = 'user'): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Waits until the page is interactive when JavaScript runs; a no-op without it. */
export async function ready(page: Page, javaScriptEnabled: boolean) {
  await expect(page.locator('.ca-card')).toBeVisible();
  if (javaScriptEnabled) {
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
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
  const response = await request.get('/local/outbox', { headers: { Accept: 'application/json' } });
  expect(response.ok()).toBeTruthy();
  return response.json();
}

/** The newest code sent to `username`. */
export async function lastCode(request: APIRequestContext, username: string): Promise<string> {
  let found: OutboxMessage | undefined;
  await expect
    .poll(async () => {
      found = (await outbox(request)).filter((m) => m.username === username).pop();
      return found?.code ?? null;
    })
    .not.toBeNull();
  return found!.code!;
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
