import Database from 'better-sqlite3';
import { asMessageId, asNodeId, asPoolId } from '@poolnet/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SqliteMessageStore, StoreError } from '../src/index.js';
import { TempDatabases, ids, message } from './fixture.js';

const dbs = new TempDatabases();
afterEach(() => dbs.closeAll());
afterAll(() => dbs.cleanup());

const A = asPoolId('pool-a');
const B = asPoolId('pool-b');

/** Every message of a store, walking pages backwards from the latest. */
async function everything(store: SqliteMessageStore, limit = 7) {
  let page = await store.page({ limit });
  const all = [...page.messages];
  while (page.hasOlder) {
    page = await store.page({ before: all[0]!.id, limit });
    all.unshift(...page.messages);
  }
  return all;
}

describe('SqliteMessageStore', () => {
  it('survives close and reopen: every message, in the same order, with its bytes', async () => {
    const path = dbs.path();
    const first = dbs.db(path);
    const a = new SqliteMessageStore(first, A);
    const b = new SqliteMessageStore(first, B);
    // Sender clocks going backwards: arrival order must win, after the reopen too.
    for (let i = 1; i <= 60; i++) {
      await a.append({ ...message(i, 'a', 1 + (i % 13)), createdAt: 10_000 - i });
      if (i % 2 === 0) await b.append(message(i, 'b'));
    }
    const before = await everything(a);
    first.close();

    const second = dbs.db(path);
    const again = new SqliteMessageStore(second, A);
    const after = await everything(again);
    expect(after).toEqual(before);
    expect(ids(after)).toEqual(Array.from({ length: 60 }, (_, i) => `a${i + 1}`));
    expect(after[59]!.createdAt).toBe(10_000 - 60);
    expect(after[59]!.signed).toEqual(new Uint8Array(1 + (60 % 13)).fill(60));
    expect(await again.count()).toBe(60);
    expect(await new SqliteMessageStore(second, B).count()).toBe(30);
    // A duplicate is still refused after the reopen.
    expect(await again.append(message(1, 'a'))).toBe(false);
  });

  it('returns plain Uint8Arrays with the arrival seq, and refuses a duplicate without change', async () => {
    const store = new SqliteMessageStore(dbs.db(), A);
    expect(await store.append(message(1))).toBe(true);
    expect(await store.append({ ...message(1), signed: new Uint8Array([9]) })).toBe(false);
    const got = await store.get(asMessageId('m1'));
    expect(got?.signed).toEqual(new Uint8Array(10).fill(1));
    expect(Object.getPrototypeOf(got?.signed)).toBe(Uint8Array.prototype);
    await store.append(message(2));
    const [one, two] = (await store.page()).messages;
    expect(one!.seq).toBeLessThan(two!.seq!);
  });

  it('the same message id in two pools is two messages', async () => {
    const db = dbs.db();
    const a = new SqliteMessageStore(db, A);
    const b = new SqliteMessageStore(db, B);
    expect(await a.append(message(1))).toBe(true);
    expect(await b.append(message(1))).toBe(true);
    expect(await a.count()).toBe(1);
    expect(await b.count()).toBe(1);
  });

  it('a cursor from another pool is an unknown cursor here', async () => {
    const db = dbs.db();
    const a = new SqliteMessageStore(db, A);
    const b = new SqliteMessageStore(db, B);
    for (let i = 1; i <= 3; i++) await a.append(message(i, 'a'));
    await b.append(message(1, 'b'));
    expect(await a.page({ before: asMessageId('b1') })).toEqual({
      messages: [],
      hasOlder: false,
      hasNewer: true,
    });
    expect(await a.page({ after: asMessageId('b1') })).toEqual({
      messages: [],
      hasOlder: true,
      hasNewer: false,
    });
    expect(await a.has(asMessageId('b1'))).toBe(false);
    expect(await a.get(asMessageId('b1'))).toBeUndefined();
  });

  it('hostile rows of another pool never reach or break this pool', async () => {
    const path = dbs.path();
    const db = dbs.db(path);
    const mine = new SqliteMessageStore(db, A);
    for (let i = 1; i <= 12; i++) await mine.append(message(i));
    const expected = await everything(mine);

    // Another writer (a bug, an older build, a hand edit) puts garbage in the shared table:
    // truncated and empty blobs, ids no peer could send, pool ids that are no pool's, and
    // numbers out of range (a seq at the very top of the integers, a year-2^62 timestamp).
    const raw = new Database(path);
    const insert = raw.prepare(
      'INSERT INTO messages (pool_id, seq, id, author, created_at, signed) VALUES (?, ?, ?, ?, ?, ?)',
    );
    insert.run('pool-b', 1, 'm5', 'x', -1, Buffer.from([0x0a, 0x80]));
    insert.run('pool-b', 2, '', '', 0, Buffer.alloc(0));
    insert.run('pool-b', 3, 'id with spaces\u0000', 'a', Number.MAX_SAFE_INTEGER, Buffer.from('x'));
    insert.run('pool-b', 2n ** 63n - 1n, 'top', 'a', 1, Buffer.from([1]));
    insert.run('pool-b', 4, 'far-future', 'a', 2n ** 62n, Buffer.from([1]));
    insert.run('', 1, 'm6', 'author', 1, Buffer.from([1]));
    insert.run('pool-a\u0000', 1, 'm7', 'author', 1, Buffer.from([1]));
    // STRICT tables keep the shape: a value of the wrong type is refused outright.
    expect(() => insert.run('pool-b', 5, 'm9', 'x', 'yesterday', Buffer.from([1]))).toThrow();
    expect(() => insert.run('pool-b', 5, 'm9', 'x', 1, 'not bytes')).toThrow();
    raw.close();

    for (let i = 13; i <= 15; i++) expect(await mine.append(message(i))).toBe(true);
    const all = await everything(mine);
    expect(ids(all)).toEqual([...ids(expected), 'm13', 'm14', 'm15']);
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(await mine.count()).toBe(15);
    expect(ids(await mine.latest(100, 1_000_000))).toHaveLength(15);
    expect(await mine.page({ after: asMessageId('m12') })).toMatchObject({ hasNewer: false });

    // The damaged pool itself still pages: the store hands out bytes (the engine verifies
    // them) and leaves out the rows it cannot read, which still count; asked for one by id,
    // it says CORRUPT.
    const other = new SqliteMessageStore(db, B);
    expect((await other.page()).messages.map((m) => m.signed.length)).toEqual([2, 0, 1]);
    await expect(other.get(asMessageId('top'))).rejects.toMatchObject({ code: 'CORRUPT' });
    expect(await other.count()).toBe(5);
    // Its numbering is exhausted: appending there fails, with a typed error.
    await expect(other.append(message(99))).rejects.toBeInstanceOf(StoreError);
  });

  it('refuses a message that breaks the wire rules, with INVALID_ARGUMENT', async () => {
    const store = new SqliteMessageStore(dbs.db(), A);
    const bad = [
      { ...message(1), id: asMessageId('') },
      { ...message(1), id: asMessageId('x'.repeat(65)) },
      { ...message(1), author: asNodeId('has space') },
      { ...message(1), createdAt: 1.5 },
      { ...message(1), createdAt: -1 },
      { ...message(1), signed: new Uint8Array(0) },
      { ...message(1), signed: new Uint8Array(256 * 1024 + 1) },
    ];
    for (const m of bad) {
      await expect(store.append(m)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(await store.count()).toBe(0);
    expect(() => new SqliteMessageStore(dbs.db(), asPoolId(''))).toThrow(StoreError);
  });

  it('latest takes no more than the limit, stops at the first that does not fit', async () => {
    const store = new SqliteMessageStore(dbs.db(), A);
    const sizes = [50, 10, 300, 20, 30];
    for (const [i, size] of sizes.entries()) await store.append(message(i + 1, 'm', size));
    expect(ids(await store.latest(10, 60))).toEqual(['m4', 'm5']);
    expect(ids(await store.latest(10, 350))).toEqual(['m3', 'm4', 'm5']);
    expect(ids(await store.latest(Infinity, Infinity))).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(await store.latest(0, 1000)).toEqual([]);
    expect(await store.latest(10, -1)).toEqual([]);
  });

  it('clamps page sizes and reads pages of an empty pool', async () => {
    const store = new SqliteMessageStore(dbs.db(), A);
    expect(await store.page()).toEqual({ messages: [], hasOlder: false, hasNewer: false });
    for (let i = 1; i <= 600; i++) await store.append(message(i));
    expect((await store.page()).messages).toHaveLength(50);
    expect((await store.page({ limit: 10_000 })).messages).toHaveLength(500);
    expect((await store.page({ limit: 0 })).messages).toHaveLength(1);
    expect((await store.page({ limit: Number.NaN })).messages).toHaveLength(50);
  });

  it('a closed database fails with CLOSED', async () => {
    const db = dbs.db();
    const store = new SqliteMessageStore(db, A);
    db.close();
    await expect(store.append(message(1))).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(store.page()).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
