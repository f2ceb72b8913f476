import { asNodeId, asPoolId } from '@poolnet/protocol';
import type { ServerStoreContractCase } from './fixtures.js';
import {
  MINUTE,
  T0,
  check,
  credential,
  device,
  expectError,
  home,
  register,
  settings,
  user,
} from './fixtures.js';

/** Accounts, passkeys, devices, sessions and add-device codes. */
export const accountCases: readonly ServerStoreContractCase[] = [
  {
    id: 'DB1',
    name: 'an account is a user, a device, a passkey and a home pool, all readable back',
    async run(make) {
      const store = await make();
      const account = await register(store, 1, T0);
      check(account.user.displayName === 'User 1' && account.user.createdAt === T0, 'user');
      check(account.homePool.isHome && account.homePool.ownerId === user(1), 'home pool');
      check((await store.getUser(user(1))).displayName === 'User 1', 'getUser');
      const d = await store.getDevice(device(1));
      check(d.userId === user(1) && d.type === 'desktop' && d.lastSeenAt === T0, 'device');
      check(d.revokedAt === null, 'device not revoked');
      const c = await store.findCredential('cred-1');
      check(c !== undefined && c.userId === user(1) && c.counter === 0, 'credential');
      check(c.publicKey instanceof Uint8Array, 'public key is bytes');
      check([...c.publicKey].join() === '165,1,2,3,0,255,1', 'public key bytes kept');
      check(c.transports.join() === 'internal,hybrid' && c.lastUsedAt === null, 'transports');
      check((await store.listCredentials(user(1))).length === 1, 'one credential');
      const pool = await store.getPool(home(1));
      check(pool.isHome && pool.settings.maxTextBytes === settings.maxTextBytes, 'home settings');
      const member = await store.getMembership(home(1), user(1));
      check(member?.role === 'owner' && member.joinedAt === T0, 'owner is a member');
    },
  },
  {
    id: 'DB2',
    name: 'creating an account is all or nothing: a taken id leaves no trace',
    async run(make) {
      const store = await make();
      await register(store, 1);
      const attempt = (over: { device?: string; credential?: string; pool?: string }) =>
        store.createAccount({
          user: { id: user(2), displayName: 'Two' },
          device: { id: asNodeId(over.device ?? 'new-device'), name: 'x', type: 'mobile' },
          credential: credential(over.credential ?? 'new-cred'),
          homePool: { id: asPoolId(over.pool ?? 'new-home'), name: 'Home', settings },
          now: T0,
        });
      await expectError(attempt({ credential: 'cred-1' }), 'CONFLICT', 'taken credential');
      await expectError(attempt({ pool: home(1) }), 'CONFLICT', 'taken pool id');
      await expectError(attempt({ device: device(1) }), 'CONFLICT', 'taken device id');
      await expectError(store.getUser(user(2)), 'NOT_FOUND', 'no half user');
      await expectError(store.getDevice(asNodeId('new-device')), 'NOT_FOUND', 'no half device');
      check((await store.findCredential('new-cred')) === undefined, 'no half credential');
      await expectError(store.getPool(asPoolId('new-home')), 'NOT_FOUND', 'no half pool');
      await expectError(register(store, 1), 'CONFLICT', 'taken user id');
      const ok = await attempt({});
      check(ok.user.id === user(2), 'a clean retry works');
    },
  },
  {
    id: 'DB3',
    name: 'unknown users, devices, pools and credentials are NOT_FOUND or undefined',
    async run(make) {
      const store = await make();
      await expectError(store.getUser(user(9)), 'NOT_FOUND', 'getUser');
      await expectError(store.renameUser(user(9), 'x'), 'NOT_FOUND', 'renameUser');
      await expectError(store.getDevice(device(9)), 'NOT_FOUND', 'getDevice');
      await expectError(store.getPool(home(9)), 'NOT_FOUND', 'getPool');
      check((await store.findCredential('nope')) === undefined, 'findCredential');
      check((await store.listCredentials(user(9))).length === 0, 'listCredentials');
      check((await store.listDevices(user(9))).length === 0, 'listDevices');
      check((await store.listPoolsOfUser(user(9))).length === 0, 'listPoolsOfUser');
      check((await store.getMembership(home(9), user(9))) === undefined, 'getMembership');
    },
  },
  {
    id: 'DB4',
    name: 'renaming a user and updating a passkey counter are stored',
    async run(make) {
      const store = await make();
      await register(store, 1);
      const renamed = await store.renameUser(user(1), 'Ada');
      check(
        renamed.displayName === 'Ada' && (await store.getUser(user(1))).displayName === 'Ada',
        'rename',
      );
      await store.updateCredentialCounter('cred-1', 42, T0 + MINUTE);
      const c = await store.findCredential('cred-1');
      check(c?.counter === 42 && c.lastUsedAt === T0 + MINUTE, 'counter and last use');
      await expectError(store.updateCredentialCounter('nope', 1, T0), 'NOT_FOUND', 'unknown');
    },
  },
  {
    id: 'DB5',
    name: 'devices list oldest first; renaming and revoking are limited to their owner',
    async run(make) {
      const store = await make();
      await register(store, 1);
      await register(store, 2);
      await store.createAddDeviceCode({
        codeHash: 'h',
        userId: user(1),
        expiresAt: T0 + MINUTE,
        now: T0,
      });
      await store.consumeAddDeviceCode({
        codeHash: 'h',
        device: { id: device(1, 2), name: 'Phone', type: 'mobile' },
        now: T0 + 10,
      });
      const list = await store.listDevices(user(1));
      check(list.map((d) => d.id).join() === `${device(1)},${device(1, 2)}`, 'oldest first');
      const renamed = await store.renameDevice(user(1), device(1, 2), 'Pocket');
      check(renamed.name === 'Pocket' && renamed.type === 'mobile', 'renamed');
      await expectError(store.renameDevice(user(2), device(1), 'x'), 'NOT_FOUND', 'foreign rename');
      await expectError(store.revokeDevice(user(2), device(1), T0), 'NOT_FOUND', 'foreign revoke');
      await expectError(store.renameDevice(user(1), device(9), 'x'), 'NOT_FOUND', 'unknown');
      check(
        (await store.getDevice(device(1))).name === 'Laptop 1',
        'foreign rename changed nothing',
      );
      check(
        (await store.getDevice(device(1))).revokedAt === null,
        'foreign revoke changed nothing',
      );
      const revoked = await store.revokeDevice(user(1), device(1, 2), T0 + 20);
      check(revoked.revokedAt === T0 + 20, 'revoked');
      const again = await store.revokeDevice(user(1), device(1, 2), T0 + 30);
      check(again.revokedAt === T0 + 20, 'revoking again keeps the first time');
      check((await store.listDevices(user(1))).length === 2, 'revoked devices are still listed');
    },
  },
  {
    id: 'DB6',
    name: 'last seen only moves forward',
    async run(make) {
      const store = await make();
      await register(store, 1, T0);
      await store.touchDevice(device(1), T0 + 100);
      await store.touchDevice(device(1), T0 + 50);
      check((await store.getDevice(device(1))).lastSeenAt === T0 + 100, 'kept the latest');
      await expectError(store.touchDevice(device(9), T0), 'NOT_FOUND', 'unknown device');
    },
  },
  {
    id: 'DB7',
    name: 'a session is found until it expires or is revoked',
    async run(make) {
      const store = await make();
      await register(store, 1);
      await register(store, 2);
      const s = { tokenHash: 'tok', userId: user(1), deviceId: device(1), expiresAt: T0 + MINUTE };
      const created = await store.createSession({ ...s, now: T0 });
      check(created.createdAt === T0 && created.revokedAt === null, 'created');
      const found = await store.findSession('tok', T0 + MINUTE - 1);
      check(found.userId === user(1) && found.deviceId === device(1), 'found');
      await expectError(store.findSession('tok', T0 + MINUTE), 'EXPIRED', 'at expiry');
      await expectError(store.findSession('nope', T0), 'NOT_FOUND', 'unknown');
      await expectError(store.createSession({ ...s, now: T0 }), 'CONFLICT', 'duplicate hash');
      await expectError(
        store.createSession({ ...s, tokenHash: 'tok2', userId: user(2), now: T0 }),
        'NOT_FOUND',
        'session for a device of someone else',
      );
      await expectError(
        store.createSession({ ...s, tokenHash: 'tok3', deviceId: device(9), now: T0 }),
        'NOT_FOUND',
        'unknown device',
      );
      await store.revokeSession('tok', T0 + 1);
      await store.revokeSession('tok', T0 + 2);
      await expectError(store.findSession('tok', T0 + 3), 'REVOKED', 'revoked');
      await expectError(store.revokeSession('nope', T0), 'NOT_FOUND', 'revoke unknown');
    },
  },
  {
    id: 'DB8',
    name: 'revoking a device revokes its sessions, and only its sessions',
    async run(make) {
      const store = await make();
      await register(store, 1);
      await store.createAddDeviceCode({
        codeHash: 'c',
        userId: user(1),
        expiresAt: T0 + MINUTE,
        now: T0,
      });
      await store.consumeAddDeviceCode({
        codeHash: 'c',
        device: { id: device(1, 2), name: 'CLI', type: 'cli' },
        now: T0,
      });
      const later = T0 + 10 * MINUTE;
      await store.createSession({
        tokenHash: 'a',
        userId: user(1),
        deviceId: device(1),
        expiresAt: later,
        now: T0,
      });
      await store.createSession({
        tokenHash: 'b',
        userId: user(1),
        deviceId: device(1, 2),
        expiresAt: later,
        now: T0,
      });
      await store.revokeDevice(user(1), device(1, 2), T0 + 5);
      await expectError(store.findSession('b', T0 + 6), 'REVOKED', 'session of revoked device');
      check((await store.findSession('a', T0 + 6)).deviceId === device(1), 'other session lives');
      await expectError(
        store.createSession({
          tokenHash: 'c2',
          userId: user(1),
          deviceId: device(1, 2),
          expiresAt: later,
          now: T0 + 7,
        }),
        'REVOKED',
        'new session for a revoked device',
      );
    },
  },
  {
    id: 'DB9',
    name: 'an add-device code adds one device (and passkey) to its user, once, before expiry',
    async run(make) {
      const store = await make();
      await register(store, 1);
      const code = await store.createAddDeviceCode({
        codeHash: 'code',
        userId: user(1),
        expiresAt: T0 + 5 * MINUTE,
        now: T0,
      });
      check(code.usedAt === null && code.userId === user(1), 'created');
      const added = await store.consumeAddDeviceCode({
        codeHash: 'code',
        device: { id: device(1, 2), name: 'Browser', type: 'browser' },
        credential: credential('cred-1b'),
        now: T0 + MINUTE,
      });
      check(added.userId === user(1) && added.createdAt === T0 + MINUTE, 'device added to user');
      check((await store.findCredential('cred-1b'))?.userId === user(1), 'passkey added to user');
      check((await store.listCredentials(user(1))).length === 2, 'two passkeys');
      const again = store.consumeAddDeviceCode({
        codeHash: 'code',
        device: { id: device(1, 3), name: 'x', type: 'browser' },
        now: T0 + MINUTE,
      });
      await expectError(again, 'EXHAUSTED', 'second use');
      await store.createAddDeviceCode({
        codeHash: 'old',
        userId: user(1),
        expiresAt: T0 + 5 * MINUTE,
        now: T0,
      });
      const late = store.consumeAddDeviceCode({
        codeHash: 'old',
        device: { id: device(1, 4), name: 'x', type: 'browser' },
        now: T0 + 5 * MINUTE,
      });
      await expectError(late, 'EXPIRED', 'at expiry');
      const unknown = store.consumeAddDeviceCode({
        codeHash: 'nope',
        device: { id: device(1, 5), name: 'x', type: 'browser' },
        now: T0,
      });
      await expectError(unknown, 'NOT_FOUND', 'unknown code');
      await expectError(
        store.createAddDeviceCode({ codeHash: 'z', userId: user(9), expiresAt: T0 + 1, now: T0 }),
        'NOT_FOUND',
        'code for an unknown user',
      );
      await expectError(
        store.createAddDeviceCode({
          codeHash: 'code',
          userId: user(1),
          expiresAt: T0 + 1,
          now: T0,
        }),
        'CONFLICT',
        'duplicate code hash',
      );
      check((await store.listDevices(user(1))).length === 2, 'only one device was added');
    },
  },
  {
    id: 'DB10',
    name: 'a code whose device cannot be added stays unused',
    async run(make) {
      const store = await make();
      await register(store, 1);
      await register(store, 2);
      await store.createAddDeviceCode({
        codeHash: 'k',
        userId: user(1),
        expiresAt: T0 + MINUTE,
        now: T0,
      });
      const clash = store.consumeAddDeviceCode({
        codeHash: 'k',
        device: { id: device(2), name: 'stolen id', type: 'cli' },
        now: T0,
      });
      await expectError(clash, 'CONFLICT', 'device id of another user');
      check((await store.getDevice(device(2))).userId === user(2), 'the other device is untouched');
      const ok = await store.consumeAddDeviceCode({
        codeHash: 'k',
        device: { id: device(1, 2), name: 'fine', type: 'cli' },
        now: T0,
      });
      check(ok.userId === user(1), 'the code still works');
    },
  },
  {
    id: 'DB11',
    name: 'of concurrent uses of one add-device code exactly one succeeds',
    async run(make) {
      const store = await make();
      await register(store, 1);
      await store.createAddDeviceCode({
        codeHash: 'race',
        userId: user(1),
        expiresAt: T0 + MINUTE,
        now: T0,
      });
      const results = await Promise.allSettled(
        [2, 3, 4, 5].map((k) =>
          store.consumeAddDeviceCode({
            codeHash: 'race',
            device: { id: device(1, k), name: `d${k}`, type: 'cli' },
            now: T0 + 1,
          }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      check(won.length === 1, `one winner, got ${won.length}`);
      for (const r of results) {
        if (r.status === 'rejected')
          await expectError(Promise.reject(r.reason), 'EXHAUSTED', 'loser');
      }
      check((await store.listDevices(user(1))).length === 2, 'exactly one device added');
    },
  },
  {
    id: 'DB23',
    name: "a device's signing key is kept, replaced, private to its user, and gone with revocation",
    async run(make) {
      const store = await make();
      await register(store, 1);
      await register(store, 2);
      const key = 'A'.repeat(43);
      check((await store.getDeviceSigningKey(user(1), device(1))) === undefined, 'none at first');
      await store.setDeviceSigningKey(user(1), device(1), key);
      check((await store.getDeviceSigningKey(user(1), device(1))) === key, 'kept');
      await store.setDeviceSigningKey(user(1), device(1), 'B'.repeat(43));
      check((await store.getDeviceSigningKey(user(1), device(1))) === 'B'.repeat(43), 'replaced');
      await expectError(
        store.setDeviceSigningKey(user(2), device(1), key),
        'NOT_FOUND',
        "another user's device",
      );
      check((await store.getDeviceSigningKey(user(2), device(1))) === undefined, 'not readable');
      await expectError(store.setDeviceSigningKey(user(1), device(9), key), 'NOT_FOUND', 'unknown');
      await store.revokeDevice(user(1), device(1), T0 + MINUTE);
      check((await store.getDeviceSigningKey(user(1), device(1))) === undefined, 'revoked');
      await expectError(store.setDeviceSigningKey(user(1), device(1), key), 'NOT_FOUND', 'revoked');
    },
  },
];
