import { asNodeId } from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { SoftwareAuthenticator } from '../../src/auth/software-authenticator.js';
import { expectAuthError, ORIGIN, register, signIn, useAuthFixture } from './fixture.js';

const make = useAuthFixture();

describe('devices', () => {
  it("[AUTH6] revoking a device stops its tokens at once and its passkey can't sign in", async () => {
    const { auth, clock } = await make();
    const authenticator = new SoftwareAuthenticator();
    const first = await register(auth, authenticator);
    const second = await signIn(auth, authenticator);
    const device = await auth.revokeDevice(first.userId, first.deviceId);
    expect(device.revokedAt).toBe(clock.now());

    for (const t of [first, second]) {
      await expectAuthError(auth.authenticate(t.accessToken), 'REVOKED');
      await expectAuthError(auth.refresh(t.refreshToken), 'REVOKED');
    }
    const { challengeId, options } = await auth.startSignIn();
    await expectAuthError(
      auth.finishSignIn(challengeId, authenticator.authenticate(options, { origin: ORIGIN })),
      'REVOKED',
    );
  });

  it('[AUTH6] revoking one device leaves the others of the user signed in', async () => {
    const { auth } = await make();
    const laptop = new SoftwareAuthenticator();
    const phone = new SoftwareAuthenticator();
    const a = await register(auth, laptop);
    const { code } = await auth.createAddDeviceCode(a.userId);
    const start = await auth.startAddDevice(code, { deviceName: 'phone', deviceType: 'mobile' });
    const b = await auth.finishAddDevice(
      start.challengeId,
      phone.register(start.options, { origin: ORIGIN }),
    );
    await auth.revokeDevice(a.userId, b.deviceId);
    await expectAuthError(auth.authenticate(b.accessToken), 'REVOKED');
    await auth.authenticate(a.accessToken);
    await signIn(auth, laptop);
  });

  it("[AUTH14] list and rename devices; another user's device is NOT_FOUND", async () => {
    const { auth } = await make();
    const ada = await register(auth, new SoftwareAuthenticator());
    const bob = await register(auth, new SoftwareAuthenticator());
    const renamed = await auth.renameDevice(ada.userId, ada.deviceId, '  work laptop ');
    expect(renamed.name).toBe('work laptop');
    expect((await auth.listDevices(ada.userId)).map((d) => [d.id, d.name])).toEqual([
      [ada.deviceId, 'work laptop'],
    ]);
    await expectAuthError(auth.renameDevice(ada.userId, ada.deviceId, ''), 'INVALID_ARGUMENT');
    await expectAuthError(auth.renameDevice(ada.userId, bob.deviceId, 'mine'), 'NOT_FOUND');
    await expectAuthError(auth.revokeDevice(ada.userId, bob.deviceId), 'NOT_FOUND');
    await expectAuthError(auth.revokeDevice(ada.userId, asNodeId('nope')), 'NOT_FOUND');
    await auth.authenticate(bob.accessToken);
  });
});
