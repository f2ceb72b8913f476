import { asMessageId, asPoolId } from '@poolnet/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FileOffers, JoinedPools, SqliteMessageStore } from '../src/index.js';
import { TempDatabases, message } from './fixture.js';

const dbs = new TempDatabases();
afterEach(() => dbs.closeAll());
afterAll(() => dbs.cleanup());

const A = asPoolId('pool-a');
const B = asPoolId('pool-b');

describe('JoinedPools', () => {
  it('records joins in join order; joining again only renames', () => {
    const pools = new JoinedPools(dbs.db());
    expect(pools.list()).toEqual([]);
    pools.join({ poolId: B, name: 'Bees', joinedAt: 2 });
    const a = pools.join({ poolId: A, name: 'Ants', joinedAt: 1 });
    expect(a).toEqual({ poolId: A, name: 'Ants', joinedAt: 1, lastReadMessageId: null, unread: 0 });
    expect(pools.list().map((p) => p.poolId)).toEqual([A, B]);
    expect(pools.join({ poolId: A, name: 'Ants 2', joinedAt: 99 })).toMatchObject({
      name: 'Ants 2',
      joinedAt: 1,
    });
    expect(pools.rename(B, 'Wasps').name).toBe('Wasps');
    expect(pools.get(asPoolId('nope'))).toBeUndefined();
    expect(() => pools.rename(asPoolId('nope'), 'x')).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
  });

  it('counts unread messages after the read marker, which only moves forward', async () => {
    const db = dbs.db();
    const pools = new JoinedPools(db);
    const a = new SqliteMessageStore(db, A);
    const b = new SqliteMessageStore(db, B);
    pools.join({ poolId: A, name: 'Ants', joinedAt: 1 });
    pools.join({ poolId: B, name: 'Bees', joinedAt: 2 });
    for (let i = 1; i <= 5; i++) {
      await a.append(message(i, 'a'));
      await b.append(message(i, 'b'));
    }
    expect(pools.list().map((p) => p.unread)).toEqual([5, 5]);
    expect(pools.markRead(A, asMessageId('a3'))).toMatchObject({
      lastReadMessageId: 'a3',
      unread: 2,
    });
    // An older marker (another window, late) does not make read messages unread again.
    expect(pools.markRead(A, asMessageId('a1'))).toMatchObject({
      lastReadMessageId: 'a3',
      unread: 2,
    });
    await a.append(message(6, 'a'));
    expect(pools.get(A)?.unread).toBe(3);
    expect(pools.markRead(A, asMessageId('a6')).unread).toBe(0);
    expect(pools.get(B)?.unread).toBe(5);
    // A message of another pool, or an unknown pool, is NOT_FOUND.
    expect(() => pools.markRead(A, asMessageId('b5'))).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    expect(() => pools.markRead(asPoolId('x'), asMessageId('a1'))).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
  });

  it('leaving forgets the pool, its messages and its offers, and nothing of other pools', async () => {
    const db = dbs.db();
    const pools = new JoinedPools(db);
    const offers = new FileOffers(db);
    for (const poolId of [A, B]) {
      pools.join({ poolId, name: 'P', joinedAt: 1 });
      await new SqliteMessageStore(db, poolId).append(message(1));
      offers.record({
        poolId,
        fileId: 'f1' as never,
        originNode: 'n1' as never,
        name: 'a.txt',
        size: 1,
        sha256: new Uint8Array(32),
        chunkSize: 65_536,
        offeredAt: 1,
      });
    }
    expect(pools.leave(A)).toBe(true);
    expect(pools.leave(A)).toBe(false);
    expect(pools.list().map((p) => p.poolId)).toEqual([B]);
    expect(await new SqliteMessageStore(db, A).count()).toBe(0);
    expect(await new SqliteMessageStore(db, B).count()).toBe(1);
    expect(offers.list(A)).toEqual([]);
    expect(offers.list(B)).toHaveLength(1);
  });

  it('refuses bad ids and names', () => {
    const pools = new JoinedPools(dbs.db());
    const bad = [
      { poolId: asPoolId(''), name: 'x', joinedAt: 1 },
      { poolId: A, name: '   ', joinedAt: 1 },
      { poolId: A, name: 'x'.repeat(129), joinedAt: 1 },
      { poolId: A, name: 'x', joinedAt: -5 },
    ];
    for (const pool of bad) {
      expect(() => pools.join(pool)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(pools.list()).toEqual([]);
  });
});
