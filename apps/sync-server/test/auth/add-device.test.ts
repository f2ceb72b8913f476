import { describe, expect, it } from 'vitest';
import { normalizeAddDeviceCode } from '../../src/auth/add-device-codes.js';
import { SoftwareAuthenticator } from '../../src/auth/software-authenticator.js';
import type { AuthService } from '../../src/auth/auth-service.js';
import type { IssuedTokens } from '../../src/auth/tokens.js';
import type { ServerStore } from '../../src/store/store.js';
import {
  expectAuthError,
  MINUTE,
  ORIGIN,
  register,
  signIn,
  useAuthFixture,
  userIdOfHandle,
} from './fixture.js';

const make = useAuthFixture();
const PHONE = { deviceName: 'phone', deviceType: 'mobile' } as const;

/** Devices and passkeys of the user, to check that a refused attempt created nothing. */
const countRows = async (store: ServerStore, owner: IssuedTokens) => ({
  devices: (await store.listDevices(owner.userId)).length,
  passkeys: (await store.listCredentials(owner.userId)).length,
});

async function addDevice(
  auth: AuthService,
  code: string,
  authenticator: SoftwareAuthenticator,
): Promise<IssuedTokens> {
  const { challengeId, options } = await auth.startAddDevice(code, PHONE);
  return auth.finishAddDevice(challengeId, authenticator.register(options, { origin: ORIGIN }));
}

describe('adding a device by code', () => {
  it('[AUTH12] a code shown on a signed-in device adds a second device; both sign in', async () => {
    const { auth, store, clock } = await make({ serverUrl: 'https://sync.poolnet.test' });
    const laptop = new SoftwareAuthenticator();
    const phone = new SoftwareAuthenticator();
    const first = await register(auth, laptop);

    const issued = await auth.createAddDeviceCode(first.userId);
    expect(issued.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(issued.qrPayload).toBe(
      `poolnet:add-device?code=${issued.code}&server=${encodeURIComponent('https://sync.poolnet.test')}`,
    );
    expect(issued.expiresAt).toBe(clock.now() + 5 * MINUTE);
    clock.advance(30_000);
    // Typed sloppily: lower case, a space instead of the dash.
    const typed = issued.code.toLowerCase().replace('-', ' ');
    const { challengeId, options } = await auth.startAddDevice(typed, PHONE);
    expect(userIdOfHandle(options.user.id)).toBe(first.userId);
    expect(options.user.name).toBe('Ada');
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual(
      (await store.listCredentials(first.userId)).map((p) => p.id),
    );
    const second = await auth.finishAddDevice(
      challengeId,
      phone.register(options, { origin: ORIGIN }),
    );

    expect(second.userId).toBe(first.userId);
    expect(second.deviceId).not.toBe(first.deviceId);
    await auth.authenticate(second.accessToken);
    const devices = await auth.listDevices(first.userId);
    expect(devices.map((d) => [d.id, d.name, d.type])).toEqual([
      [first.deviceId, 'laptop', 'desktop'],
      [second.deviceId, 'phone', 'mobile'],
    ]);
    expect((await signIn(auth, laptop)).deviceId).toBe(first.deviceId);
    expect((await signIn(auth, phone)).deviceId).toBe(second.deviceId);
    expect((await signIn(auth, phone)).userId).toBe(first.userId);
  });

  it('[AUTH12] codes use an unambiguous alphabet and look-alikes are read as meant', () => {
    expect(normalizeAddDeviceCode('abcd-ef01')).toBe('ABCDEF01');
    expect(normalizeAddDeviceCode('ABOD IL12')).toBe('AB0D1112');
    expect(normalizeAddDeviceCode('ABCD-EFU1')).toBeUndefined();
    expect(normalizeAddDeviceCode('ABCD-EF0')).toBeUndefined();
    expect(normalizeAddDeviceCode('')).toBeUndefined();
  });

  it('[AUTH13] a wrong code is INVALID_CODE and creates nothing', async () => {
    const { auth, store } = await make();
    const owner = await register(auth, new SoftwareAuthenticator());
    const { code } = await auth.createAddDeviceCode(owner.userId);
    const wrong = code.startsWith('0') ? `1${code.slice(1)}` : `0${code.slice(1)}`;
    await expectAuthError(auth.startAddDevice(wrong, PHONE), 'INVALID_CODE');
    await expectAuthError(auth.startAddDevice('not a code', PHONE), 'INVALID_CODE');
    // A code issued by another server instance is unknown here.
    const { auth: elsewhere } = await make();
    await expectAuthError(elsewhere.startAddDevice(code, PHONE), 'INVALID_CODE');
    expect(await countRows(store, owner)).toEqual({ devices: 1, passkeys: 1 });
  });

  it('[AUTH13] a used code is CODE_USED, at start and at finish, and creates nothing', async () => {
    const { auth, store } = await make();
    const owner = await register(auth, new SoftwareAuthenticator());
    const { code } = await auth.createAddDeviceCode(owner.userId);
    // Two ceremonies started with one code: the code is checked, not used, at start.
    const a = await auth.startAddDevice(code, PHONE);
    const b = await auth.startAddDevice(code, { deviceName: 'tablet', deviceType: 'browser' });
    await auth.finishAddDevice(
      a.challengeId,
      new SoftwareAuthenticator().register(a.options, { origin: ORIGIN }),
    );
    const late = new SoftwareAuthenticator();
    await expectAuthError(
      auth.finishAddDevice(b.challengeId, late.register(b.options, { origin: ORIGIN })),
      'CODE_USED',
    );
    await expectAuthError(auth.startAddDevice(code, PHONE), 'CODE_USED');
    expect(await countRows(store, owner)).toEqual({ devices: 2, passkeys: 2 });
    await expectAuthError(signIn(auth, late), 'VERIFICATION_FAILED');
  });

  it('[AUTH13] an expired code is EXPIRED, at start and at finish, and creates nothing', async () => {
    const { auth, store, clock } = await make();
    const owner = await register(auth, new SoftwareAuthenticator());
    const { code } = await auth.createAddDeviceCode(owner.userId);
    const started = await auth.startAddDevice(code, PHONE);
    clock.advance(5 * MINUTE - 60_000); // challenge still fresh, code expires before finish
    const response = new SoftwareAuthenticator().register(started.options, { origin: ORIGIN });
    clock.advance(60_000);
    await expectAuthError(auth.finishAddDevice(started.challengeId, response), 'EXPIRED');
    await expectAuthError(auth.startAddDevice(code, PHONE), 'EXPIRED');
    expect(await countRows(store, owner)).toEqual({ devices: 1, passkeys: 1 });
  });

  it('[AUTH13] a failed verification leaves the code unused', async () => {
    const { auth, store } = await make();
    const owner = await register(auth, new SoftwareAuthenticator());
    const { code } = await auth.createAddDeviceCode(owner.userId);
    const phone = new SoftwareAuthenticator();
    const first = await auth.startAddDevice(code, PHONE);
    const phished = phone.register(first.options, { origin: 'https://evil.test' });
    await expectAuthError(auth.finishAddDevice(first.challengeId, phished), 'VERIFICATION_FAILED');
    expect(await countRows(store, owner)).toEqual({ devices: 1, passkeys: 1 });
    const added = await addDevice(auth, code, phone);
    expect(added.userId).toBe(owner.userId);
    expect(await countRows(store, owner)).toEqual({ devices: 2, passkeys: 2 });
  });
});
