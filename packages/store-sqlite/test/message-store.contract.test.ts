import { asPoolId } from '@poolnet/protocol';
import { messageStoreContract } from '@poolnet/engine/testing';
import { afterAll, afterEach, describe, it } from 'vitest';
import { SqliteMessageStore } from '../src/index.js';
import { TempDatabases, message } from './fixture.js';

const dbs = new TempDatabases();
afterEach(() => dbs.closeAll());
afterAll(() => dbs.cleanup());

describe('SQLite message store contract', () => {
  // Each case gets its own database file, as a device would have.
  for (const c of messageStoreContract) {
    it(`[${c.id}] ${c.name}`, () =>
      c.run(async () => new SqliteMessageStore(dbs.db(), asPoolId('pool'))));
  }
});

describe('SQLite message store contract, beside another pool in the same file', () => {
  // The neighbour holds the same message ids, written before and interleaved with the pool
  // under test: nothing of it may show in the pool's pages, counts or duplicate checks.
  for (const c of messageStoreContract) {
    it(`[${c.id}] ${c.name}`, () =>
      c.run(async () => {
        const db = dbs.db();
        const neighbour = new SqliteMessageStore(db, asPoolId('neighbour'));
        for (let i = 1; i <= 30; i++) await neighbour.append(message(i, 'm', 100));
        const store = new SqliteMessageStore(db, asPoolId('pool'));
        const append = store.append.bind(store);
        let n = 30;
        store.append = async (m) => {
          await neighbour.append(message(++n, 'm', 100));
          return append(m);
        };
        return store;
      }));
  }
});
