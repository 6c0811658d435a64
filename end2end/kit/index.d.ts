import type { APIRequestContext, Page, TestType } from '@playwright/test';

export const DEFAULT_POOL_ID: string;
export const DEFAULT_PASSWORD: string;

export function uniqueName(prefix?: string): string;
/** The RFC 6238 code for `secret` now (plus `stepOffset` 30-second steps). */
export function totp(secret: string, stepOffset?: number, now?: number): string;

export interface OutboxMessage {
  username: string;
  channel: 'EMAIL' | 'SMS';
  destination: string;
  kind: string;
  code: string | null;
  link: string | null;
  at: number;
}

export interface KitUser {
  username: string;
  password: string;
  attributes: Record<string, string>;
}

export interface SignedInUser extends KitUser {
  /** The storage state file of a context signed in as this user. */
  storageState: string;
}

export interface MessageQuery {
  kind?: string;
  /** Unix seconds: skip messages sent before. */
  after?: number;
  timeoutMs?: number;
}

export class LocalPool {
  constructor(request: APIRequestContext, poolId?: string, login?: 'username' | 'email');
  readonly poolId: string;
  readonly login: 'username' | 'email';
  admin(operation: string, body: object): Promise<any>;
  createUser(options?: { username?: string; password?: string; attributes?: Record<string, string> }): Promise<KitUser>;
  outbox(): Promise<OutboxMessage[]>;
  latestMessage(username: string, options?: MessageQuery): Promise<OutboxMessage>;
  latestCode(username: string, options?: MessageQuery): Promise<string>;
  testMode(): Promise<{ pool_id: string; code: string; now: number } | null>;
  setCode(username: string, code: string | null): Promise<{ username: string }>;
  advanceClock(seconds: number): Promise<{ now: number }>;
}

export function signInThroughPages(
  page: Page,
  user: { username: string; password?: string; path?: string },
): Promise<void>;

export interface CognitoFixtures {
  pool: LocalPool;
  newUser: KitUser;
  signedIn: SignedInUser;
  signedInPage: Page;
}

export interface CognitoOptions {
  cognitoPoolId: string;
  /** What the pool's users sign in with: the shape of the names `createUser` makes. */
  cognitoLogin: 'username' | 'email';
}

export function withCognito<T extends object, W extends object>(
  base: TestType<T, W>,
): TestType<T & CognitoFixtures & CognitoOptions, W>;
