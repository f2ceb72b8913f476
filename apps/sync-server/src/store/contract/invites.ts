import type { ServerStore } from '../store.js';
import { asInviteId } from '../store.js';
import type { ServerStoreContractCase } from './fixtures.js';
import {
  MINUTE,
  T0,
  check,
  expectError,
  home,
  pool,
  register,
  settings,
  user,
} from './fixtures.js';

/** Users 1…n, and pool `a` owned by user 1 with an invite `tok` of `maxUses`. */
async function invited(store: ServerStore, users: number, maxUses: number): Promise<void> {
  for (let n = 1; n <= users; n++) await register(store, n);
  await store.createPool({ id: pool('a'), name: 'Team', ownerId: user(1), settings, now: T0 });
  await store.createInvite({
    id: asInviteId('inv'),
    tokenHash: 'tok',
    poolId: pool('a'),
    createdBy: user(1),
    expiresAt: T0 + 10 * MINUTE,
    maxUses,
    now: T0,
  });
}

/** Invites: create, list, revoke, use, and racing uses. */
export const inviteCases: readonly ServerStoreContractCase[] = [
  {
    id: 'DB17',
    name: 'members create invites to shared pools; they list oldest first',
    async run(make) {
      const store = await make();
      await invited(store, 3, 2);
      await store.addMember(pool('a'), user(2), T0);
      const base = { poolId: pool('a'), expiresAt: T0 + MINUTE, maxUses: 1 };
      const byMember = await store.createInvite({
        ...base,
        id: asInviteId('inv2'),
        tokenHash: 'tok2',
        createdBy: user(2),
        now: T0 + 1,
      });
      check(
        byMember.uses === 0 && byMember.revokedAt === null && byMember.createdAt === T0 + 1,
        'record',
      );
      const list = await store.listInvites(pool('a'));
      check(list.map((i) => i.id).join() === 'inv,inv2', 'oldest first');
      check(list[0]?.maxUses === 2 && list[0].tokenHash === 'tok', 'fields read back');
      const attempt = (over: object) =>
        store.createInvite({
          ...base,
          id: asInviteId('x'),
          tokenHash: 'x',
          createdBy: user(1),
          now: T0,
          ...over,
        });
      await expectError(attempt({ createdBy: user(3) }), 'NOT_FOUND', 'by a non-member');
      await expectError(attempt({ poolId: home(1) }), 'CONFLICT', 'to a home pool');
      await expectError(attempt({ poolId: pool('zz') }), 'NOT_FOUND', 'to an unknown pool');
      await expectError(attempt({ tokenHash: 'tok' }), 'CONFLICT', 'duplicate token hash');
      await expectError(attempt({ id: asInviteId('inv') }), 'CONFLICT', 'duplicate id');
      check((await store.listInvites(pool('a'))).length === 2, 'nothing else created');
    },
  },
  {
    id: 'DB18',
    name: 'using an invite joins the pool and counts a use, until the uses run out',
    async run(make) {
      const store = await make();
      await invited(store, 4, 2);
      const use = (n: number, now = T0 + 1) =>
        store.useInvite({ tokenHash: 'tok', userId: user(n), now });
      const first = await use(2);
      check(
        first.joined && first.pool.id === pool('a') && first.member.role === 'member',
        'joined',
      );
      check((await store.getMembership(pool('a'), user(2)))?.joinedAt === T0 + 1, 'member stored');
      const again = await use(2, T0 + 2);
      check(!again.joined && again.member.joinedAt === T0 + 1, 'already a member: no new join');
      check((await store.listInvites(pool('a')))[0]?.uses === 1, 'and no use counted');
      const owner = await use(1);
      check(!owner.joined && owner.member.role === 'owner', 'the owner is already in');
      await use(3);
      check((await store.listInvites(pool('a')))[0]?.uses === 2, 'two uses');
      await expectError(use(4), 'EXHAUSTED', 'third new user');
      check((await store.getMembership(pool('a'), user(4))) === undefined, 'not joined');
    },
  },
  {
    id: 'DB19',
    name: 'unknown, revoked and expired invites are refused and change nothing',
    async run(make) {
      const store = await make();
      await invited(store, 2, 5);
      const use = (tokenHash: string, now: number) =>
        store.useInvite({ tokenHash, userId: user(2), now });
      await expectError(use('nope', T0), 'NOT_FOUND', 'unknown');
      await expectError(use('tok', T0 + 10 * MINUTE), 'EXPIRED', 'at expiry');
      const revoked = await store.revokeInvite(pool('a'), asInviteId('inv'), T0 + 1);
      check(revoked.revokedAt === T0 + 1, 'revoked');
      check(
        (await store.revokeInvite(pool('a'), asInviteId('inv'), T0 + 2)).revokedAt === T0 + 1,
        'idempotent',
      );
      await expectError(use('tok', T0 + 3), 'REVOKED', 'revoked');
      await expectError(
        store.revokeInvite(home(1), asInviteId('inv'), T0),
        'NOT_FOUND',
        'revoke through another pool',
      );
      await expectError(
        store.revokeInvite(pool('a'), asInviteId('zz'), T0),
        'NOT_FOUND',
        'unknown',
      );
      check((await store.listInvites(pool('a')))[0]?.uses === 0, 'no use counted');
      check((await store.getMembership(pool('a'), user(2))) === undefined, 'nobody joined');
    },
  },
  {
    id: 'DB20',
    name: 'two concurrent uses of a one-use invite: exactly one joins',
    async run(make) {
      const store = await make();
      await invited(store, 3, 1);
      const results = await Promise.allSettled(
        [2, 3].map((n) => store.useInvite({ tokenHash: 'tok', userId: user(n), now: T0 + 1 })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      check(won.length === 1, `one winner, got ${won.length}`);
      const lost = results.find((r) => r.status === 'rejected');
      check(lost !== undefined, 'one loser');
      await expectError(Promise.reject(lost.reason), 'EXHAUSTED', 'the loser');
      const members = (await store.listPoolsOfUser(user(1))).find((v) => v.pool.id === pool('a'));
      check(members?.members.length === 2, 'owner plus one');
      check((await store.listInvites(pool('a')))[0]?.uses === 1, 'one use');
    },
  },
  {
    id: 'DB21',
    name: 'many concurrent uses never exceed max uses',
    async run(make) {
      const store = await make();
      await invited(store, 9, 3);
      const results = await Promise.allSettled(
        [2, 3, 4, 5, 6, 7, 8, 9].map((n) =>
          store.useInvite({ tokenHash: 'tok', userId: user(n), now: T0 + n }),
        ),
      );
      check(results.filter((r) => r.status === 'fulfilled').length === 3, 'three joined');
      const view = (await store.listPoolsOfUser(user(1))).find((v) => v.pool.id === pool('a'));
      check(view?.members.length === 4, 'owner plus three');
      check((await store.listInvites(pool('a')))[0]?.uses === 3, 'three uses');
    },
  },
];
