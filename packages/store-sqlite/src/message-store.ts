import type { MessagePage, MessageStore, PageQuery, StoredMessage } from '@poolnet/engine';
import {
  MAX_PACKAGE_BYTES,
  asMessageId,
  asNodeId,
  type MessageId,
  type PoolId,
} from '@poolnet/protocol';
import { checkedBytes, checkedId, checkedInteger, clampedLimit } from './checks.js';
import { type Row, bytes, integer, readableRows, text, toBlob } from './columns.js';
import type { DeviceDatabase } from './device-database.js';

const COLUMNS = 'seq, id, author, created_at, signed';
/** Numbered after the pool's newest message (an index lookup), unless the id is known. */
const INSERT = `
  INSERT INTO messages (pool_id, seq, id, author, created_at, signed)
  SELECT @pool, coalesce(max(seq), 0) + 1, @id, @author, @createdAt, @signed
  FROM messages WHERE pool_id = @pool
  ON CONFLICT (pool_id, id) DO NOTHING`;
const SELECT_ONE = `SELECT ${COLUMNS} FROM messages WHERE pool_id = ? AND id = ?`;
const SELECT_SEQ = 'SELECT seq FROM messages WHERE pool_id = ? AND id = ?';
const SELECT_ANY = 'SELECT EXISTS (SELECT 1 FROM messages WHERE pool_id = ?)';
const COUNT = 'SELECT count(*) FROM messages WHERE pool_id = ?';
// Pages read one row past the limit to learn whether there is more on that side.
const SELECT_NEWEST = `SELECT ${COLUMNS} FROM messages WHERE pool_id = ? ORDER BY seq DESC LIMIT ?`;
const SELECT_BEFORE = `
  SELECT ${COLUMNS} FROM messages WHERE pool_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`;
const SELECT_AFTER = `
  SELECT ${COLUMNS} FROM messages WHERE pool_id = ? AND seq > ? ORDER BY seq LIMIT ?`;
// `latest` first walks the sizes (length() of a BLOB does not read its bytes), then reads
// only the rows that fit.
const SELECT_SIZES = `
  SELECT seq, length(signed) AS size FROM messages WHERE pool_id = ? ORDER BY seq DESC LIMIT ?`;
const SELECT_FROM = `SELECT ${COLUMNS} FROM messages WHERE pool_id = ? AND seq >= ? ORDER BY seq`;

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

/**
 * The `MessageStore` of one pool in a device database: the `messages` rows of that pool id.
 * Many pools share the table; every statement is keyed by the pool, so a row of another pool
 * (or a damaged one there) never shows up in, or breaks, this pool's pages. Ordered by local
 * arrival (`seq`), the sender's `createdAt` kept for display. Passes the engine's contract
 * suite (STORE1–STORE4); pages follow `MemoryMessageStore` exactly, unknown cursors included.
 * `seq` counts 1, 2, 3… within the pool, as the memory store's does. A damaged row is left
 * out of pages (see `readableRows`); it still counts, and still blocks its id.
 */
export class SqliteMessageStore implements MessageStore {
  readonly poolId: PoolId;

  constructor(
    private readonly db: DeviceDatabase,
    poolId: PoolId,
  ) {
    this.poolId = checkedId(poolId, 'poolId');
  }

  async append(message: StoredMessage): Promise<boolean> {
    return this.db.guard('append message', () => {
      const changes = this.db.prepare(INSERT).run({
        pool: this.poolId,
        id: checkedId(message.id, 'message.id'),
        author: checkedId(message.author, 'message.author'),
        createdAt: checkedInteger(message.createdAt, 'message.createdAt'),
        signed: toBlob(checkedBytes(message.signed, 'message.signed', 1, MAX_PACKAGE_BYTES)),
      }).changes;
      return changes === 1;
    });
  }

  async has(id: MessageId): Promise<boolean> {
    return this.db.guard('has message', () => this.seqOf(id) !== undefined);
  }

  async get(id: MessageId): Promise<StoredMessage | undefined> {
    return this.db.guard('get message', () => {
      const row = this.db.prepare(SELECT_ONE).get(this.poolId, id) as Row | undefined;
      return row === undefined ? undefined : toMessage(row);
    });
  }

  async page(query: PageQuery = {}): Promise<MessagePage> {
    return this.db.guard('page messages', () => {
      const limit = clampedLimit(query.limit, DEFAULT_PAGE, MAX_PAGE);
      if (query.after !== undefined) {
        const seq = this.seqOf(query.after);
        // An unknown cursor is past the end: nothing newer, everything older.
        if (seq === undefined) return { messages: [], hasOlder: this.any(), hasNewer: false };
        const rows = this.rows(SELECT_AFTER, seq, limit + 1);
        return { messages: rows.slice(0, limit), hasOlder: true, hasNewer: rows.length > limit };
      }
      if (query.before !== undefined) {
        const seq = this.seqOf(query.before);
        // An unknown cursor is before the start: nothing older, everything newer.
        if (seq === undefined) return { messages: [], hasOlder: false, hasNewer: this.any() };
        const rows = this.rows(SELECT_BEFORE, seq, limit + 1);
        return {
          messages: rows.slice(0, limit).reverse(),
          hasOlder: rows.length > limit,
          hasNewer: true,
        };
      }
      const rows = this.rows(SELECT_NEWEST, limit + 1);
      return {
        messages: rows.slice(0, limit).reverse(),
        hasOlder: rows.length > limit,
        hasNewer: false,
      };
    });
  }

  async latest(limit: number, maxBytes: number): Promise<StoredMessage[]> {
    return this.db.guard('latest messages', () => {
      if (!(limit >= 1) || !(maxBytes >= 0)) return [];
      // SQLite reads a negative LIMIT as "no limit".
      const bound = Number.isFinite(limit) ? Math.floor(limit) : -1;
      const sizes = this.db.prepare(SELECT_SIZES).iterate(this.poolId, bound) as Iterable<Row>;
      let total = 0;
      let oldest: unknown;
      for (const row of sizes) {
        total += Number(row.size);
        if (total > maxBytes) break;
        oldest = row.seq;
      }
      return oldest === undefined ? [] : this.rows(SELECT_FROM, oldest);
    });
  }

  async count(): Promise<number> {
    return this.db.guard('count messages', () =>
      Number(this.db.prepare(COUNT).pluck().get(this.poolId)),
    );
  }

  private seqOf(id: MessageId): number | undefined {
    const seq = this.db.prepare(SELECT_SEQ).pluck().get(this.poolId, id);
    return seq === undefined ? undefined : Number(seq);
  }

  private any(): boolean {
    return this.db.prepare(SELECT_ANY).pluck().get(this.poolId) === 1;
  }

  private rows(sql: string, ...params: unknown[]): StoredMessage[] {
    return readableRows(this.db.prepare(sql).all(this.poolId, ...params), toMessage);
  }
}

function toMessage(row: Row): StoredMessage {
  return {
    id: asMessageId(text(row, 'id')),
    author: asNodeId(text(row, 'author')),
    createdAt: integer(row, 'created_at'),
    seq: integer(row, 'seq'),
    signed: bytes(row, 'signed'),
  };
}
