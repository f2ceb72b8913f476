import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IceError } from '../../src/ice/errors.js';
import { createTurnCredentials } from '../../src/ice/turn-credentials.js';

describe('TURN credentials', () => {
  it('[ICE9] known answer: username expiry:user, credential base64 HMAC-SHA1(secret, username)', () => {
    const credentials = createTurnCredentials({
      secret: 'north-pool-secret',
      userId: 'device-42',
      ttlSeconds: 3600,
      nowMs: 1_700_000_000_500,
    });
    expect(credentials.username).toBe('1700003600:device-42');
    // Computed here independently, as coturn does when it checks the password.
    const expected = createHmac('sha1', 'north-pool-secret')
      .update('1700003600:device-42')
      .digest('base64');
    expect(credentials.credential).toBe(expected);
    expect(Buffer.from(credentials.credential, 'base64').length).toBe(20);
    expect(credentials.ttlSeconds).toBe(3600);
    expect(credentials.expiresAtSeconds).toBe(1_700_003_600);
  });

  it('[ICE10] expiry is floor(now / 1000) + ttl and moves with the clock', () => {
    const at = (nowMs: number, ttlSeconds: number) =>
      createTurnCredentials({ secret: 's', userId: 'u', ttlSeconds, nowMs }).expiresAtSeconds;
    expect(at(0, 1)).toBe(1);
    expect(at(999, 60)).toBe(60);
    expect(at(1000, 60)).toBe(61);
    expect(at(1_700_000_000_999, 86_400)).toBe(1_700_086_400);
    const early = createTurnCredentials({ secret: 's', userId: 'u', ttlSeconds: 60, nowMs: 0 });
    const late = createTurnCredentials({ secret: 's', userId: 'u', ttlSeconds: 60, nowMs: 1000 });
    expect(early.credential).not.toBe(late.credential);
  });

  it('[ICE10] refuses an empty secret, a bad ttl and a user id coturn cannot parse', () => {
    const base = { secret: 's', userId: 'u', ttlSeconds: 60, nowMs: 0 };
    const cases: [Partial<typeof base>, string][] = [
      [{ secret: '' }, 'INVALID_CONFIG'],
      [{ ttlSeconds: 0 }, 'INVALID_CONFIG'],
      [{ ttlSeconds: 1.5 }, 'INVALID_CONFIG'],
      [{ userId: '' }, 'INVALID_ARGUMENT'],
      [{ userId: 'a:b' }, 'INVALID_ARGUMENT'],
      [{ nowMs: Number.NaN }, 'INVALID_ARGUMENT'],
    ];
    for (const [change, code] of cases) {
      let caught: unknown;
      try {
        createTurnCredentials({ ...base, ...change });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(IceError);
      expect((caught as IceError).code).toBe(code);
    }
  });
});
