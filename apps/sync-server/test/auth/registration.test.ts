import { describe, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/auth-service.js';
import { deviceIdForCredential } from '../../src/auth/credential-device.js';
import { SoftwareAuthenticator } from '../../src/auth/software-authenticator.js';
import { isStoreError } from '../../src/store/errors.js';
import {
  expectAuthError,
  MINUTE,
  ORIGIN,
  RP_ID,
  SECRET,
  useAuthFixture,
  userIdOfHandle,
} from './fixture.js';

const make = useAuthFixture();

describe('registration', () => {
  it('[AUTH2] creates user, first device, passkey and home pool, and signs the device in', async () => {
    const { auth, store } = await make();
    const authenticator = new SoftwareAuthenticator();
    const { challengeId, options } = await auth.startRegistration({
      displayName: ' Ada ',
      deviceName: 'laptop',
      deviceType: 'desktop',
    });
    expect(options.rp).toEqual({ id: RP_ID, name: 'Poolnet' });
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'preferred',
    });
    const response = authenticator.register(options, { origin: ORIGIN });
    const tokens = await auth.finishRegistration(challengeId, response);

    expect(tokens.userId).toBe(userIdOfHandle(options.user.id));
    expect(tokens.deviceId).toBe(deviceIdForCredential(response.id));
    expect(await auth.authenticate(tokens.accessToken)).toEqual({
      userId: tokens.userId,
      deviceId: tokens.deviceId,
      sessionId: tokens.sessionId,
    });
    expect((await store.getUser(tokens.userId)).displayName).toBe('Ada');
    const devices = await store.listDevices(tokens.userId);
    expect(devices.map((d) => [d.id, d.name, d.type])).toEqual([
      [tokens.deviceId, 'laptop', 'desktop'],
    ]);
    const passkeys = await store.listCredentials(tokens.userId);
    expect(passkeys.map((p) => [p.id, p.counter])).toEqual([[response.id, 0]]);
    const pools = await store.listPoolsOfUser(tokens.userId);
    expect(pools.map((p) => [p.pool.isHome, p.pool.name])).toEqual([[true, 'Home']]);
  });

  it('[AUTH1] a registration challenge cannot be answered twice', async () => {
    const { auth } = await make();
    const { challengeId, options } = await auth.startRegistration({
      displayName: 'Ada',
      deviceName: 'laptop',
      deviceType: 'desktop',
    });
    const response = new SoftwareAuthenticator().register(options, { origin: ORIGIN });
    await auth.finishRegistration(challengeId, response);
    await expectAuthError(auth.finishRegistration(challengeId, response), 'CHALLENGE_MISMATCH');
    // Nor can a sign-in challenge finish a registration.
    const signIn = await auth.startSignIn();
    await expectAuthError(
      auth.finishRegistration(signIn.challengeId, response),
      'CHALLENGE_MISMATCH',
    );
  });

  it('[AUTH1] a registration finished after two minutes is refused and creates nothing', async () => {
    const { auth, store, clock } = await make();
    const { challengeId, options } = await auth.startRegistration({
      displayName: 'Ada',
      deviceName: 'laptop',
      deviceType: 'desktop',
    });
    const response = new SoftwareAuthenticator().register(options, { origin: ORIGIN });
    clock.advance(2 * MINUTE);
    await expectAuthError(auth.finishRegistration(challengeId, response), 'EXPIRED');
    await expect(store.getUser(userIdOfHandle(options.user.id))).rejects.toSatisfy((e) =>
      isStoreError(e, 'NOT_FOUND'),
    );
  });

  it('[AUTH9] a wrong origin, RP id or challenge is refused and creates nothing', async () => {
    const { auth, store } = await make();
    const cases = [
      { origin: 'https://evil.test' },
      { origin: ORIGIN, rpId: 'evil.test' },
      { origin: `${ORIGIN}:8443` },
    ];
    for (const client of cases) {
      const { challengeId, options } = await auth.startRegistration({
        displayName: 'Ada',
        deviceName: 'laptop',
        deviceType: 'desktop',
      });
      const response = new SoftwareAuthenticator().register(options, client);
      await expectAuthError(auth.finishRegistration(challengeId, response), 'VERIFICATION_FAILED');
      await expect(store.getUser(userIdOfHandle(options.user.id))).rejects.toSatisfy((e) =>
        isStoreError(e, 'NOT_FOUND'),
      );
    }
    // A response to one challenge does not finish another ceremony.
    const a = await auth.startRegistration({
      displayName: 'A',
      deviceName: 'a',
      deviceType: 'cli',
    });
    const b = await auth.startRegistration({
      displayName: 'B',
      deviceName: 'b',
      deviceType: 'cli',
    });
    const forA = new SoftwareAuthenticator().register(a.options, { origin: ORIGIN });
    await expectAuthError(auth.finishRegistration(b.challengeId, forA), 'VERIFICATION_FAILED');
    // Garbage is a verification failure too, never a crash.
    const c = await auth.startRegistration({
      displayName: 'C',
      deviceName: 'c',
      deviceType: 'cli',
    });
    await expectAuthError(
      auth.finishRegistration(c.challengeId, JSON.parse('{"id":1}') as typeof forA),
      'VERIFICATION_FAILED',
    );
  });

  it('[AUTH15] names and device types are checked; so is the configuration', async () => {
    const { auth, store } = await make();
    const ok = { displayName: 'Ada', deviceName: 'laptop', deviceType: 'desktop' } as const;
    await expectAuthError(auth.startRegistration({ ...ok, displayName: '  ' }), 'INVALID_ARGUMENT');
    await expectAuthError(
      auth.startRegistration({ ...ok, displayName: 'é'.repeat(33) }),
      'INVALID_ARGUMENT',
    );
    await expectAuthError(auth.startRegistration({ ...ok, deviceName: '' }), 'INVALID_ARGUMENT');
    await expectAuthError(
      auth.startRegistration({ ...ok, deviceType: 'toaster' as 'cli' }),
      'INVALID_ARGUMENT',
    );
    const base = { rpId: RP_ID, rpName: 'Poolnet', origins: [ORIGIN], secret: SECRET, clock: Date };
    for (const bad of [
      { secret: 'short' },
      { origins: [] },
      { origins: [`${ORIGIN}/path`] },
      { rpId: 'https://poolnet.test' },
      { accessTtlMs: 0 },
    ]) {
      await expectAuthError(() => new AuthService(store, { ...base, ...bad }), 'INVALID_CONFIG');
    }
  });
});
