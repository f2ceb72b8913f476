/**
 * The engine's `MessageStore` for one pool on IndexedDB. Messages are ordered by arrival (the
 * object store's auto-increment key), never by the sender's clock; the `[pool, id]` index is
 * unique, so a second append of an id changes nothing. Several pools share one database.
 */
import type { MessagePage, MessageStore, PageQuery, StoredMessage } from '@poolnet/engine';
import { type MessageId, type NodeId } from '@poolnet/protocol';
import { BY_POOL_ID, BY_POOL_SEQ, MESSAGES } from './device-store.js';
import { BrowserStoreError } from './errors.js';
import { requestResult, transactionDone } from './idb.js';

interface Row {
  readonly seq?: number;
  readonly pool: string;
  readonly id: string;
  readonly author: string;
  readonly createdAt: number;
  readonly signed: Uint8Array;
}

const MAX_PAGE = 500;

export class IndexedDbMessageStore implements MessageStore {
  constructor(
    private readonly db: IDBDatabase,
    readonly pool: string,
  ) {
    if (typeof pool !== 'string' || pool === '') {
      throw new BrowserStoreError('INVALID_ARGUMENT', 'pool: not a non-empty string');
    }
  }

  async append(message: StoredMessage): Promise<boolean> {
    const tx = this.db.transaction(MESSAGES, 'readwrite');
    const done = transactionDone(tx);
    const store = tx.objectStore(MESSAGES);
    // Readwrite transactions on one store run one at a time: the check and the add are atomic.
    const existing = await requestResult(store.index(BY_POOL_ID).getKey([this.pool, message.id]));
    if (existing !== undefined) {
      await done;
      return false;
    }
    const row: Row = {
      pool: this.pool,
      id: message.id,
      author: message.author,
      createdAt: message.createdAt,
      signed: message.signed,
    };
    store.add(row);
    await done;
    return true;
  }

  async has(id: MessageId): Promise<boolean> {
    return (await this.seqOf(id)) !== undefined;
  }

  async get(id: MessageId): Promise<StoredMessage | undefined> {
    const tx = this.db.transaction(MESSAGES, 'readonly');
    const row = (await requestResult(
      tx.objectStore(MESSAGES).index(BY_POOL_ID).get([this.pool, id]),
    )) as Row | undefined;
    return row && toStored(row);
  }

  async page(query: PageQuery = {}): Promise<MessagePage> {
    const limit = Math.max(1, Math.min(query.limit ?? 50, MAX_PAGE));
    if (query.after !== undefined) {
      const seq = await this.seqOf(query.after);
      if (seq === undefined) {
        return { messages: [], hasOlder: (await this.count()) > 0, hasNewer: false };
      }
      const rows = await this.scan(
        IDBKeyRange.bound([this.pool, seq], [this.pool, Infinity], true),
        'next',
        limit + 1,
      );
      return {
        messages: rows.slice(0, limit).map(toStored),
        hasOlder: true,
        hasNewer: rows.length > limit,
      };
    }
    if (query.before !== undefined) {
      const seq = await this.seqOf(query.before);
      if (seq === undefined) {
        return { messages: [], hasOlder: false, hasNewer: (await this.count()) > 0 };
      }
      const rows = await this.scan(
        IDBKeyRange.bound([this.pool, -Infinity], [this.pool, seq], false, true),
        'prev',
        limit + 1,
      );
      return {
        messages: rows.slice(0, limit).reverse().map(toStored),
        hasOlder: rows.length > limit,
        hasNewer: true,
      };
    }
    const rows = await this.scan(this.all(), 'prev', limit + 1);
    return {
      messages: rows.slice(0, limit).reverse().map(toStored),
      hasOlder: rows.length > limit,
      hasNewer: false,
    };
  }

  async latest(limit: number, maxBytes: number): Promise<StoredMessage[]> {
    const out: StoredMessage[] = [];
    if (limit <= 0) return out;
    const tx = this.db.transaction(MESSAGES, 'readonly');
    const request = tx.objectStore(MESSAGES).index(BY_POOL_SEQ).openCursor(this.all(), 'prev');
    let bytes = 0;
    await new Promise<void>((resolve, reject) => {
      request.onerror = () =>
        reject(
          new BrowserStoreError('INTERNAL', 'IndexedDB cursor failed', { cause: request.error }),
        );
      request.onsuccess = () => {
        const cursor = request.result;
        if (!cursor) return resolve();
        const row = cursor.value as Row;
        if (bytes + row.signed.length > maxBytes) return resolve();
        bytes += row.signed.length;
        out.push(toStored(row));
        if (out.length >= limit) return resolve();
        cursor.continue();
      };
    });
    return out.reverse();
  }

  async count(): Promise<number> {
    const tx = this.db.transaction(MESSAGES, 'readonly');
    return requestResult(tx.objectStore(MESSAGES).index(BY_POOL_SEQ).count(this.all()));
  }

  private all(): IDBKeyRange {
    return IDBKeyRange.bound([this.pool, -Infinity], [this.pool, Infinity]);
  }

  private async seqOf(id: MessageId): Promise<number | undefined> {
    const tx = this.db.transaction(MESSAGES, 'readonly');
    const key = await requestResult(
      tx.objectStore(MESSAGES).index(BY_POOL_ID).getKey([this.pool, id]),
    );
    return key === undefined ? undefined : Number(key);
  }

  /** Up to `max` rows of the range, in the direction asked. */
  private async scan(
    range: IDBKeyRange,
    direction: IDBCursorDirection,
    max: number,
  ): Promise<Row[]> {
    const tx = this.db.transaction(MESSAGES, 'readonly');
    const request = tx.objectStore(MESSAGES).index(BY_POOL_SEQ).openCursor(range, direction);
    const rows: Row[] = [];
    await new Promise<void>((resolve, reject) => {
      request.onerror = () =>
        reject(
          new BrowserStoreError('INTERNAL', 'IndexedDB cursor failed', { cause: request.error }),
        );
      request.onsuccess = () => {
        const cursor = request.result;
        if (!cursor) return resolve();
        rows.push(cursor.value as Row);
        if (rows.length >= max) return resolve();
        cursor.continue();
      };
    });
    return rows;
  }
}

function toStored(row: Row): StoredMessage {
  return {
    id: row.id as MessageId,
    author: row.author as NodeId,
    createdAt: row.createdAt,
    seq: row.seq,
    signed: row.signed,
  };
}
