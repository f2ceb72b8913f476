import { asInviteId } from '../store.js';
import type { ServerStoreContractCase } from './fixtures.js';
import {
  MINUTE,
  T0,
  check,
  device,
  expectError,
  home,
  pool,
  register,
  settings,
  snapshot,
  user,
} from './fixtures.js';

/** One user's operations never change another user's data. */
export const isolationCases: readonly ServerStoreContractCase[] = [
  {
    id: 'DB22',
    name: "a user's operations, allowed or refused, never change another user's data",
    async run(make) {
      const store = await make();
      await register(store, 1);
      await register(store, 2);
      const later = T0 + 60 * MINUTE;
      // User 2 has a pool, an invite and a session.
      await store.createPool({ id: pool('b'), name: 'Two', ownerId: user(2), settings, now: T0 });
      await store.createInvite({
        id: asInviteId('i2'),
        tokenHash: 't2',
        poolId: pool('b'),
        createdBy: user(2),
        expiresAt: later,
        maxUses: 3,
        now: T0,
      });
      await store.createSession({
        tokenHash: 's2',
        userId: user(2),
        deviceId: device(2),
        expiresAt: later,
        now: T0,
      });
      const before = await snapshot(store, user(2));

      // User 1 does everything a user can do to their own things…
      await store.renameUser(user(1), 'Renamed');
      await store.updateCredentialCounter('cred-1', 9, T0 + 1);
      await store.renameDevice(user(1), device(1), 'New name');
      await store.touchDevice(device(1), T0 + 2);
      await store.createSession({
        tokenHash: 's1',
        userId: user(1),
        deviceId: device(1),
        expiresAt: later,
        now: T0,
      });
      await store.revokeSession('s1', T0 + 3);
      await store.createAddDeviceCode({
        codeHash: 'c1',
        userId: user(1),
        expiresAt: later,
        now: T0,
      });
      await store.consumeAddDeviceCode({
        codeHash: 'c1',
        device: { id: device(1, 2), name: 'Second', type: 'browser' },
        now: T0 + 4,
      });
      await store.revokeDevice(user(1), device(1, 2), T0 + 5);
      await store.createPool({ id: pool('a'), name: 'One', ownerId: user(1), settings, now: T0 });
      await store.renamePool(user(1), pool('a'), 'Uno');
      await store.updatePoolSettings(user(1), pool('a'), { maxTextBytes: 1 });
      await store.createInvite({
        id: asInviteId('i1'),
        tokenHash: 't1',
        poolId: pool('a'),
        createdBy: user(1),
        expiresAt: later,
        maxUses: 1,
        now: T0,
      });
      await store.revokeInvite(pool('a'), asInviteId('i1'), T0 + 6);
      await store.deletePool(user(1), pool('a'));
      await store.renamePool(user(1), home(1), 'Casa');

      // …and tries the same on user 2's things, which all read as not found.
      await expectError(store.renameDevice(user(1), device(2), 'x'), 'NOT_FOUND', 'rename device');
      await expectError(store.revokeDevice(user(1), device(2), T0), 'NOT_FOUND', 'revoke device');
      await expectError(
        store.createSession({
          tokenHash: 'x',
          userId: user(1),
          deviceId: device(2),
          expiresAt: later,
          now: T0,
        }),
        'NOT_FOUND',
        'session on a foreign device',
      );
      await expectError(store.renamePool(user(1), pool('b'), 'x'), 'NOT_FOUND', 'rename pool');
      await expectError(
        store.updatePoolSettings(user(1), pool('b'), { maxFileBytes: 1 }),
        'NOT_FOUND',
        'pool settings',
      );
      await expectError(store.deletePool(user(1), pool('b')), 'NOT_FOUND', 'delete pool');
      await expectError(store.deletePool(user(1), home(2)), 'NOT_FOUND', 'delete home pool');
      await expectError(
        store.createInvite({
          id: asInviteId('x'),
          tokenHash: 'x',
          poolId: pool('b'),
          createdBy: user(1),
          expiresAt: later,
          maxUses: 1,
          now: T0,
        }),
        'NOT_FOUND',
        'invite to a foreign pool',
      );
      await expectError(
        store.revokeInvite(pool('a'), asInviteId('i2'), T0),
        'NOT_FOUND',
        'revoke invite',
      );

      check((await snapshot(store, user(2))) === before, "user 2's data is unchanged");
      check((await store.findSession('s2', T0 + 7)).revokedAt === null, "user 2's session lives");
    },
  },
];
