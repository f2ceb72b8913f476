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
  user,
} from './fixtures.js';

/** Pools, settings and members. */
export const poolCases: readonly ServerStoreContractCase[] = [
  {
    id: 'DB12',
    name: 'a created pool has its owner as its only member',
    async run(make) {
      const store = await make();
      await register(store, 1);
      const p = await store.createPool({
        id: pool('a'),
        name: 'Team',
        ownerId: user(1),
        settings,
        now: T0 + 5,
      });
      check(!p.isHome && p.ownerId === user(1) && p.createdAt === T0 + 5, 'record');
      const got = await store.getPool(pool('a'));
      check(
        got.name === 'Team' && got.settings.maxFileBytes === settings.maxFileBytes,
        'read back',
      );
      const owner = await store.getMembership(pool('a'), user(1));
      check(owner?.role === 'owner' && owner.joinedAt === T0 + 5, 'owner membership');
      const create = (id = pool('b'), ownerId = user(1)) =>
        store.createPool({ id, name: 'x', ownerId, settings, now: T0 });
      await expectError(create(pool('a')), 'CONFLICT', 'taken id');
      await expectError(create(home(1)), 'CONFLICT', 'home pool id');
      await expectError(create(pool('b'), user(9)), 'NOT_FOUND', 'unknown owner');
      await expectError(store.getPool(pool('b')), 'NOT_FOUND', 'nothing half made');
    },
  },
  {
    id: 'DB13',
    name: 'only the owner renames a pool or changes its settings; settings change partially',
    async run(make) {
      const store = await make();
      await register(store, 1);
      await register(store, 2);
      await store.createPool({ id: pool('a'), name: 'Team', ownerId: user(1), settings, now: T0 });
      await store.addMember(pool('a'), user(2), T0);
      check((await store.renamePool(user(1), pool('a'), 'Crew')).name === 'Crew', 'renamed');
      const updated = await store.updatePoolSettings(user(1), pool('a'), { maxTextBytes: 100 });
      check(updated.settings.maxTextBytes === 100, 'text limit changed');
      check(updated.settings.maxFileBytes === settings.maxFileBytes, 'file limit kept');
      const read = await store.getPool(pool('a'));
      check(read.settings.maxTextBytes === 100 && read.name === 'Crew', 'stored');
      await expectError(store.renamePool(user(2), pool('a'), 'Mine'), 'NOT_FOUND', 'member rename');
      await expectError(
        store.updatePoolSettings(user(2), pool('a'), { maxFileBytes: 1 }),
        'NOT_FOUND',
        'member settings',
      );
      await expectError(store.renamePool(user(1), pool('zz'), 'x'), 'NOT_FOUND', 'unknown pool');
      const after = await store.getPool(pool('a'));
      check(
        after.name === 'Crew' && after.settings.maxFileBytes === settings.maxFileBytes,
        'unchanged',
      );
      check(
        (await store.renamePool(user(1), home(1), 'My stuff')).isHome,
        'home pools can be renamed',
      );
    },
  },
  {
    id: 'DB14',
    name: 'deleting a pool deletes its members and invites; home pools stay',
    async run(make) {
      const store = await make();
      await register(store, 1);
      await register(store, 2);
      await register(store, 3);
      await store.createPool({
        id: pool('a'),
        name: 'Team',
        ownerId: user(1),
        settings,
        now: T0 + 10,
      });
      await store.createPool({
        id: pool('b'),
        name: 'Other',
        ownerId: user(1),
        settings,
        now: T0 + 20,
      });
      await store.addMember(pool('a'), user(2), T0);
      await store.addMember(pool('b'), user(2), T0);
      const invite = {
        tokenHash: 'inv-a',
        createdBy: user(1),
        expiresAt: T0 + MINUTE,
        maxUses: 5,
        now: T0,
      };
      await store.createInvite({ ...invite, id: asInviteId('i-a'), poolId: pool('a') });
      await store.createInvite({
        ...invite,
        id: asInviteId('i-b'),
        poolId: pool('b'),
        tokenHash: 'inv-b',
      });
      await expectError(store.deletePool(user(2), pool('a')), 'NOT_FOUND', 'member deletes');
      await expectError(store.deletePool(user(1), home(1)), 'CONFLICT', 'home pool');
      await expectError(store.deletePool(user(1), pool('zz')), 'NOT_FOUND', 'unknown pool');
      await store.deletePool(user(1), pool('a'));
      await expectError(store.getPool(pool('a')), 'NOT_FOUND', 'pool gone');
      check((await store.getMembership(pool('a'), user(2))) === undefined, 'members gone');
      check((await store.listInvites(pool('a'))).length === 0, 'invites gone');
      await expectError(
        store.useInvite({ tokenHash: 'inv-a', userId: user(3), now: T0 }),
        'NOT_FOUND',
        'deleted invite',
      );
      check((await store.getMembership(pool('b'), user(2)))?.role === 'member', 'other pool kept');
      check((await store.listInvites(pool('b'))).length === 1, 'other invites kept');
      const pools = (await store.listPoolsOfUser(user(2))).map((v) => v.pool.id);
      check(pools.join() === `${home(2)},${pool('b')}`, `user 2 pools: ${pools.join()}`);
    },
  },
  {
    id: 'DB15',
    name: "a user's pools come with their members and the members' live devices",
    async run(make) {
      const store = await make();
      await register(store, 1, T0 + 1);
      await register(store, 2, T0 + 2);
      await register(store, 3, T0 + 3);
      await store.createPool({
        id: pool('a'),
        name: 'Team',
        ownerId: user(1),
        settings,
        now: T0 + 10,
      });
      await store.addMember(pool('a'), user(2), T0 + 11);
      await store.createPool({
        id: pool('c'),
        name: 'Not mine',
        ownerId: user(3),
        settings,
        now: T0 + 12,
      });
      await store.createAddDeviceCode({
        codeHash: 'c',
        userId: user(2),
        expiresAt: T0 + MINUTE,
        now: T0,
      });
      await store.consumeAddDeviceCode({
        codeHash: 'c',
        device: { id: device(2, 2), name: 'Old phone', type: 'mobile' },
        now: T0 + 13,
      });
      await store.revokeDevice(user(2), device(2, 2), T0 + 14);
      const views = await store.listPoolsOfUser(user(1));
      check(
        views.map((v) => v.pool.id).join() === `${home(1)},${pool('a')}`,
        'own pools, oldest first',
      );
      const homeView = views[0];
      check(
        homeView?.members.length === 1 && homeView.members[0]?.member.userId === user(1),
        'home',
      );
      const team = views[1];
      check(team !== undefined && team.members.length === 2, 'two members');
      const [owner, mate] = team.members;
      check(owner?.member.role === 'owner' && owner.displayName === 'User 1', 'owner first');
      check(owner.devices.map((d) => d.id).join() === device(1), 'owner devices');
      check(mate?.member.role === 'member' && mate.member.joinedAt === T0 + 11, 'mate');
      check(mate.devices.map((d) => d.id).join() === device(2), 'revoked device left out');
      const three = await store.listPoolsOfUser(user(3));
      check(three.map((v) => v.pool.id).join() === `${home(3)},${pool('c')}`, "user 3's pools");
    },
  },
  {
    id: 'DB16',
    name: 'members are added once and removed, but never the owner nor into a home pool',
    async run(make) {
      const store = await make();
      await register(store, 1);
      await register(store, 2);
      await store.createPool({ id: pool('a'), name: 'Team', ownerId: user(1), settings, now: T0 });
      const m = await store.addMember(pool('a'), user(2), T0 + 1);
      check(m.role === 'member' && m.joinedAt === T0 + 1, 'added');
      await expectError(store.addMember(pool('a'), user(2), T0), 'CONFLICT', 'twice');
      await expectError(store.addMember(home(1), user(2), T0), 'CONFLICT', 'into a home pool');
      await expectError(store.addMember(pool('a'), user(9), T0), 'NOT_FOUND', 'unknown user');
      await expectError(store.addMember(pool('zz'), user(2), T0), 'NOT_FOUND', 'unknown pool');
      await expectError(store.removeMember(pool('a'), user(1)), 'CONFLICT', 'the owner');
      await store.removeMember(pool('a'), user(2));
      check((await store.getMembership(pool('a'), user(2))) === undefined, 'removed');
      await expectError(store.removeMember(pool('a'), user(2)), 'NOT_FOUND', 'not a member');
      check((await store.getMembership(pool('a'), user(1)))?.role === 'owner', 'owner stays');
    },
  },
];
