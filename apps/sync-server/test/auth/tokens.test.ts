import { describe, expect, it } from 'vitest';
import { SoftwareAuthenticator } from '../../src/auth/software-authenticator.js';
import { expectAuthError, MINUTE, register, useAuthFixture } from './fixture.js';

const make = useAuthFixture();

const flip = (s: string, at: number): string =>
  s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);

describe('access tokens', () => {
  it('[AUTH3] a tampered, truncated or foreign access token is refused', async () => {
    const { auth } = await make();
    const tokens = await register(auth, new SoftwareAuthenticator());
    const [body = '', mac = ''] = tokens.accessToken.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), userId: 'eve' }),
    ).toString('base64url');
    for (const bad of [
      `${forged}.${mac}`,
      flip(tokens.accessToken, 3),
      flip(tokens.accessToken, tokens.accessToken.length - 1),
      `${body}.`,
      body,
      `${tokens.accessToken}.x`,
      '',
      'x'.repeat(5000),
      tokens.refreshToken,
    ]) {
      await expectAuthError(auth.authenticate(bad), 'UNAUTHENTICATED');
    }
    // Signed with another server's secret.
    const { auth: other } = await make({ secret: 'another secret, also long enough for HMAC' });
    await expectAuthError(other.authenticate(tokens.accessToken), 'UNAUTHENTICATED');
  });

  it('[AUTH3] an access token expires after 15 minutes; refresh gets a new one', async () => {
    const { auth, clock } = await make();
    const tokens = await register(auth, new SoftwareAuthenticator());
    expect(tokens.accessExpiresAt - clock.now()).toBe(15 * MINUTE);
    clock.advance(15 * MINUTE - 1);
    await auth.authenticate(tokens.accessToken);
    clock.advance(1);
    await expectAuthError(auth.authenticate(tokens.accessToken), 'EXPIRED');
    const fresh = await auth.refresh(tokens.refreshToken);
    expect((await auth.authenticate(fresh.accessToken)).deviceId).toBe(tokens.deviceId);
  });

  it('[AUTH4] after sign-out the access and refresh tokens of the session are refused', async () => {
    const { auth } = await make();
    const authenticator = new SoftwareAuthenticator();
    const tokens = await register(auth, authenticator);
    const identity = await auth.authenticate(tokens.accessToken);
    await auth.signOut(identity.sessionId);
    await expectAuthError(auth.authenticate(tokens.accessToken), 'REVOKED');
    await expectAuthError(auth.refresh(tokens.refreshToken), 'REVOKED');
    await auth.signOut(identity.sessionId); // idempotent
    await expectAuthError(auth.signOut('no-such-session'), 'NOT_FOUND');
  });
});

describe('refresh tokens', () => {
  it('[AUTH5] refresh rotates: new tokens work, the old refresh token is refused', async () => {
    const { auth } = await make();
    const tokens = await register(auth, new SoftwareAuthenticator());
    const next = await auth.refresh(tokens.refreshToken);
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(next.sessionId).not.toBe(tokens.sessionId);
    expect([next.userId, next.deviceId]).toEqual([tokens.userId, tokens.deviceId]);
    expect((await auth.authenticate(next.accessToken)).sessionId).toBe(next.sessionId);

    await expectAuthError(auth.refresh(tokens.refreshToken), 'REVOKED');
    // The old session is gone, so its access token stops too.
    await expectAuthError(auth.authenticate(tokens.accessToken), 'REVOKED');
    const third = await auth.refresh(next.refreshToken);
    await auth.authenticate(third.accessToken);
  });

  it('[AUTH5] concurrent uses of one refresh token: exactly one wins', async () => {
    const { auth } = await make();
    const tokens = await register(auth, new SoftwareAuthenticator());
    const results = await Promise.allSettled([
      auth.refresh(tokens.refreshToken),
      auth.refresh(tokens.refreshToken),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('[AUTH5] an unknown, malformed or expired refresh token is refused', async () => {
    const { auth, clock } = await make({ refreshTtlMs: 60 * MINUTE });
    const tokens = await register(auth, new SoftwareAuthenticator());
    await expectAuthError(auth.refresh(flip(tokens.refreshToken, 0)), 'UNAUTHENTICATED');
    await expectAuthError(auth.refresh('short'), 'UNAUTHENTICATED');
    await expectAuthError(auth.refresh(tokens.accessToken), 'UNAUTHENTICATED');
    clock.advance(60 * MINUTE);
    await expectAuthError(auth.refresh(tokens.refreshToken), 'EXPIRED');
  });

  it('[AUTH3] an access token never outlives its session', async () => {
    const { auth, clock } = await make({ refreshTtlMs: 5 * MINUTE });
    const tokens = await register(auth, new SoftwareAuthenticator());
    expect(tokens.accessExpiresAt).toBe(tokens.refreshExpiresAt);
    clock.advance(5 * MINUTE);
    await expectAuthError(auth.authenticate(tokens.accessToken), 'EXPIRED');
  });
});
