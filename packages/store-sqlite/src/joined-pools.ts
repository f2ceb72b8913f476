import { asMessageId, asPoolId, type MessageId, type PoolId } from '@poolnet/protocol';
import { checkedId, checkedInteger } from './checks.js';
import { type Row, integer, optionalText, readableRows, text } from './columns.js';
import type { DeviceDatabase } from './device-database.js';
import { StoreError } from './errors.js';

/** A pool this device has joined, with what the user has not read yet. */
export interface JoinedPool {
  readonly poolId: PoolId;
  readonly name: string;
  readonly joinedAt: number;
  /** The newest message the user has seen here; null before the first. */
  readonly lastReadMessageId: MessageId | null;
  /** Messages that arrived after `lastReadMessageId` (all of them when it is null). */
  readonly unread: number;
}

/** Longest pool name, in characters: what the sync server's API accepts. */
export const MAX_POOL_NAME_LENGTH = 128;

// Unread: the pool's messages with a higher seq than the last read one (0 when none).
const SELECT = `
  SELECT p.pool_id, p.name, p.joined_at, p.last_read_message_id,
    (SELECT count(*) FROM messages m WHERE m.pool_id = p.pool_id AND m.seq > coalesce(
      (SELECT r.seq FROM messages r
       WHERE r.pool_id = p.pool_id AND r.id = p.last_read_message_id), 0)) AS unread
  FROM pools p`;
const SELECT_ONE = `${SELECT} WHERE p.pool_id = ?`;
const SELECT_ALL = `${SELECT} ORDER BY p.joined_at, p.pool_id`;
/** Joining again keeps the first join time and the read marker; only the name follows. */
const UPSERT = `
  INSERT INTO pools (pool_id, name, joined_at) VALUES (?, ?, ?)
  ON CONFLICT (pool_id) DO UPDATE SET name = excluded.name`;
const RENAME = 'UPDATE pools SET name = ? WHERE pool_id = ?';
const SEQ_OF = 'SELECT seq FROM messages WHERE pool_id = ? AND id = ?';
/** Params: message id, pool id, the message's seq, pool id. Moves the marker only forward. */
const MARK_READ = `
  UPDATE pools SET last_read_message_id = ?
  WHERE pool_id = ? AND ? > coalesce(
    (SELECT r.seq FROM messages r WHERE r.pool_id = ? AND r.id = pools.last_read_message_id), 0)`;
const DELETE_POOL = 'DELETE FROM pools WHERE pool_id = ?';
const DELETE_MESSAGES = 'DELETE FROM messages WHERE pool_id = ?';
const DELETE_OFFERS = 'DELETE FROM file_offers WHERE pool_id = ?';

function checkedPoolName(name: string): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_POOL_NAME_LENGTH) {
    throw new StoreError(
      'INVALID_ARGUMENT',
      `pool name must be 1..${MAX_POOL_NAME_LENGTH} characters`,
    );
  }
  if (name.includes('\0')) throw new StoreError('INVALID_ARGUMENT', 'pool name contains NUL');
  return name;
}

/** The pools this device has joined (table `pools`), with read markers and unread counts. */
export class JoinedPools {
  constructor(private readonly db: DeviceDatabase) {}

  /** Records a join; joining a pool already joined only updates its name. */
  join(pool: { poolId: PoolId; name: string; joinedAt: number }): JoinedPool {
    return this.db.guard('join pool', () => {
      const poolId = checkedId(pool.poolId, 'poolId');
      this.db
        .prepare(UPSERT)
        .run(poolId, checkedPoolName(pool.name), checkedInteger(pool.joinedAt, 'joinedAt'));
      return this.existing(poolId);
    });
  }

  get(poolId: PoolId): JoinedPool | undefined {
    return this.db.guard('get pool', () => {
      const row = this.db.prepare(SELECT_ONE).get(poolId) as Row | undefined;
      return row === undefined ? undefined : toJoinedPool(row);
    });
  }

  /** Every joined pool, in the order they were joined. */
  list(): JoinedPool[] {
    return this.db.guard('list pools', () =>
      readableRows(this.db.prepare(SELECT_ALL).all(), toJoinedPool),
    );
  }

  rename(poolId: PoolId, name: string): JoinedPool {
    return this.db.guard('rename pool', () => {
      if (this.db.prepare(RENAME).run(checkedPoolName(name), poolId).changes === 0) {
        throw new StoreError('NOT_FOUND', 'pool not joined');
      }
      return this.existing(poolId);
    });
  }

  /**
   * Marks everything up to `messageId` read. The marker only moves forward, so two windows
   * reporting out of order cannot make read messages unread again. `NOT_FOUND` when the pool
   * is not joined or the message is not in its store.
   */
  markRead(poolId: PoolId, messageId: MessageId): JoinedPool {
    return this.db.guard('mark read', () =>
      this.db.transaction(() => {
        this.existing(poolId);
        const seq = this.db.prepare(SEQ_OF).pluck().get(poolId, messageId);
        if (seq === undefined) throw new StoreError('NOT_FOUND', 'message not in this pool');
        this.db.prepare(MARK_READ).run(messageId, poolId, seq, poolId);
        return this.existing(poolId);
      }),
    );
  }

  /**
   * Forgets a pool: its record, its messages and its file offers, in one transaction.
   * Downloads stay (they are the user's history and files on disk). False if not joined.
   */
  leave(poolId: PoolId): boolean {
    return this.db.guard('leave pool', () =>
      this.db.transaction(() => {
        const left = this.db.prepare(DELETE_POOL).run(poolId).changes === 1;
        this.db.prepare(DELETE_MESSAGES).run(poolId);
        this.db.prepare(DELETE_OFFERS).run(poolId);
        return left;
      }),
    );
  }

  private existing(poolId: PoolId): JoinedPool {
    const row = this.db.prepare(SELECT_ONE).get(poolId) as Row | undefined;
    if (row === undefined) throw new StoreError('NOT_FOUND', 'pool not joined');
    return toJoinedPool(row);
  }
}

function toJoinedPool(row: Row): JoinedPool {
  const lastRead = optionalText(row, 'last_read_message_id');
  return {
    poolId: asPoolId(text(row, 'pool_id')),
    name: text(row, 'name'),
    joinedAt: integer(row, 'joined_at'),
    lastReadMessageId: lastRead === null ? null : asMessageId(lastRead),
    unread: integer(row, 'unread'),
  };
}
