import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asUserId, type UserId } from '@poolnet/protocol';
import { afterAll, afterEach, expect } from 'vitest';
import { AuthService } from '../../src/auth/auth-service.js';
import type { AuthConfig } from '../../src/auth/config.js';
import { isAuthError, type AuthErrorCode } from '../../src/auth/errors.js';
import type { SoftwareAuthenticator } from '../../src/auth/software-authenticator.js';
import type { IssuedTokens } from '../../src/auth/tokens.js';
import { openServerStore, storeConfigFor } from '../../src/store/open-server-store.js';
import type { DeviceType, ServerStore } from '../../src/store/store.js';

export const RP_ID = 'poolnet.test';
export const ORIGIN = 'https://poolnet.test';
export const SECRET = 'a test secret that is long enough for HMAC';
export const MINUTE = 60_000;

/** Virtual time: starts at a fixed instant, moves only when told. */
export class ManualClock {
  t = 1_750_000_000_000;
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface AuthFixture {
  readonly auth: AuthService;
  readonly store: ServerStore;
  readonly clock: ManualClock;
}

/**
 * Registers the hooks of a test file and returns a factory: each call opens a fresh SQLite
 * store in a temp directory and an AuthService over it, closed after the test.
 */
export function useAuthFixture(): (config?: Partial<AuthConfig>) => Promise<AuthFixture> {
  const root = mkdtempSync(join(tmpdir(), 'poolnet-auth-'));
  const open: ServerStore[] = [];
  let n = 0;
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return async (config = {}) => {
    const store = await openServerStore(storeConfigFor(undefined, join(root, `db-${++n}`)));
    open.push(store);
    const clock = new ManualClock();
    const auth = new AuthService(store, {
      rpId: RP_ID,
      rpName: 'Poolnet',
      origins: [ORIGIN],
      secret: SECRET,
      clock,
      ...config,
    });
    return { auth, store, clock };
  };
}

/** The user id behind a WebAuthn user handle (base64url of the id's UTF-8). */
export const userIdOfHandle = (handle: string): UserId =>
  asUserId(Buffer.from(handle, 'base64url').toString('utf8'));

/** Registers a new account with the authenticator, as a browser would. */
export async function register(
  auth: AuthService,
  authenticator: SoftwareAuthenticator,
  device: { deviceName: string; deviceType: DeviceType } = {
    deviceName: 'laptop',
    deviceType: 'desktop',
  },
): Promise<IssuedTokens> {
  const { challengeId, options } = await auth.startRegistration({ displayName: 'Ada', ...device });
  return auth.finishRegistration(challengeId, authenticator.register(options, { origin: ORIGIN }));
}

/** Signs in with whatever passkey the authenticator holds for the RP. */
export async function signIn(
  auth: AuthService,
  authenticator: SoftwareAuthenticator,
): Promise<IssuedTokens> {
  const { challengeId, options } = await auth.startSignIn();
  return auth.finishSignIn(challengeId, authenticator.authenticate(options, { origin: ORIGIN }));
}

/** Expects the promise (or call) to fail with an AuthError of this code. */
export async function expectAuthError(
  action: Promise<unknown> | (() => unknown),
  code: AuthErrorCode,
): Promise<void> {
  let error: unknown;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (err) {
    error = err;
  }
  expect(isAuthError(error) ? error.code : error).toBe(code);
}
