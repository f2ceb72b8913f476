import { asMessageId, asNodeId } from '@poolnet/protocol';
import type { MessageStore, StoredMessage } from '../ports/store.js';

/**
 * The contract every message store passes (memory now; SQLite and IndexedDB later).
 * Framework-free: each case throws on failure.
 */
export interface StoreContractCase {
  readonly id: string;
  readonly name: string;
  run(make: () => Promise<MessageStore>): Promise<void>;
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`store contract violated: ${message}`);
}

const msg = (n: number, createdAt = 1000 + n, size = 10): StoredMessage => ({
  id: asMessageId(`m${n}`),
  author: asNodeId('author'),
  createdAt,
  signed: new Uint8Array(size).fill(n & 0xff),
});

async function filled(make: () => Promise<MessageStore>, n: number): Promise<MessageStore> {
  const store = await make();
  for (let i = 1; i <= n; i++) await store.append(msg(i));
  return store;
}

const ids = (list: readonly StoredMessage[]): string => list.map((m) => m.id).join(',');

export const messageStoreContract: readonly StoreContractCase[] = [
  {
    id: 'STORE1',
    name: 'append is idempotent by id and keeps the bytes',
    async run(make) {
      const store = await make();
      check((await store.append(msg(1))) === true, 'first append stored');
      check((await store.append(msg(1, 5))) === false, 'second append refused');
      check((await store.count()) === 1, 'one message');
      const got = await store.get(asMessageId('m1'));
      check(got !== undefined && got.createdAt === 1001 && got.signed[0] === 1, 'bytes kept');
      check((await store.has(asMessageId('m2'))) === false, 'unknown id absent');
    },
  },
  {
    id: 'STORE2',
    name: 'order is arrival order, whatever the sender clocks say',
    async run(make) {
      const store = await make();
      await store.append(msg(1, 5000));
      await store.append(msg(2, 10));
      await store.append(msg(3, 3000));
      const page = await store.page();
      check(ids(page.messages) === 'm1,m2,m3', `arrival order, got ${ids(page.messages)}`);
    },
  },
  {
    id: 'STORE3',
    name: 'pages walk backwards and forwards with cursors and flags',
    async run(make) {
      const store = await filled(make, 25);
      const last = await store.page({ limit: 10 });
      check(ids(last.messages) === 'm16,m17,m18,m19,m20,m21,m22,m23,m24,m25', 'latest page');
      check(last.hasOlder && !last.hasNewer, 'latest flags');
      const older = await store.page({ before: asMessageId('m16'), limit: 10 });
      check(ids(older.messages) === 'm6,m7,m8,m9,m10,m11,m12,m13,m14,m15', 'older page');
      const oldest = await store.page({ before: asMessageId('m6'), limit: 10 });
      check(
        ids(oldest.messages) === 'm1,m2,m3,m4,m5' && !oldest.hasOlder && oldest.hasNewer,
        'oldest page',
      );
      const newer = await store.page({ after: asMessageId('m5'), limit: 3 });
      check(ids(newer.messages) === 'm6,m7,m8' && newer.hasOlder && newer.hasNewer, 'forward page');
    },
  },
  {
    id: 'STORE4',
    name: 'latest is bounded by count and by encoded size, oldest first',
    async run(make) {
      const store = await make();
      for (let i = 1; i <= 10; i++) await store.append(msg(i, 1000 + i, 100));
      check(ids(await store.latest(3, 10_000)) === 'm8,m9,m10', 'count bound');
      check(ids(await store.latest(100, 250)) === 'm9,m10', 'size bound');
      check((await store.latest(100, 50)).length === 0, 'nothing fits');
    },
  },
];
