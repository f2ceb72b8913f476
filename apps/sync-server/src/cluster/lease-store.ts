/**
 * The cluster's shared state in PostgreSQL ([CL2]): pool leases with a fencing epoch, the
 * instance registry (who is up, at which URL), the secrets every instance must share and the
 * rate-limit buckets of sign-up, sign-in and joins ([CL11]).
 * Time is the database's (`now()`), so instances with skewed clocks still agree on expiry.
 * The SQL sticks to what CockroachDB accepts too (INSERT … ON CONFLICT … DO UPDATE … WHERE,
 * RETURNING, `= ANY($1)`, INT8).
 */
import pg from 'pg';
import { CLUSTER_SCHEMA_LOCK, withAdvisoryLock } from '../store/postgres/advisory-lock.js';
import { ClusterError } from './errors.js';

/** Milliseconds since the Unix epoch, on the database's clock. */
const NOW_MS = '(EXTRACT(EPOCH FROM now()) * 1000)::INT8';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS cluster_leases (
     pool_id TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     epoch INT8 NOT NULL,
     expires_at INT8 NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS cluster_instances (
     instance_id TEXT PRIMARY KEY,
     url TEXT NOT NULL,
     seen_at INT8 NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS cluster_secrets (
     name TEXT PRIMARY KEY,
     value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS cluster_rate_buckets (
     bucket TEXT PRIMARY KEY,
     tokens FLOAT8 NOT NULL,
     at INT8 NOT NULL)`,
];

/** Who serves a pool, and until when (database time). */
export interface Lease {
  readonly owner: string;
  /** Grows by one every time the pool changes hands: a stale owner's writes are fenced off. */
  readonly epoch: number;
  readonly expiresAt: number;
  /** The database's clock when this was read. */
  readonly now: number;
}

export interface InstanceRow {
  readonly instanceId: string;
  readonly url: string;
  readonly seenAt: number;
}

export class LeaseStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(url: string): Promise<LeaseStore> {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    // An idle connection dying (database restart) must not crash the process.
    pool.on('error', () => undefined);
    const store = new LeaseStore(pool);
    try {
      await withAdvisoryLock(pool, CLUSTER_SCHEMA_LOCK, async () => {
        for (const sql of SCHEMA) await pool.query(sql);
      });
    } catch (cause) {
      await pool.end();
      throw new ClusterError('LEASE_STORE', 'cannot create the cluster tables', { cause });
    }
    return store;
  }

  /**
   * Takes the lease of `poolId` for `owner` if it is free or expired (a new epoch), and
   * returns the lease as it stands after: `owner` holds it, or someone else still does.
   */
  async acquire(poolId: string, owner: string, ttlMs: number): Promise<Lease> {
    const taken = await this.query(
      `INSERT INTO cluster_leases AS l (pool_id, owner, epoch, expires_at)
       VALUES ($1, $2, 1, ${NOW_MS} + $3)
       ON CONFLICT (pool_id) DO UPDATE
         SET owner = excluded.owner, epoch = l.epoch + 1, expires_at = excluded.expires_at
         WHERE l.expires_at < ${NOW_MS}
       RETURNING owner, epoch, expires_at, ${NOW_MS} AS now`,
      [poolId, owner, ttlMs],
    );
    const row =
      taken[0] ??
      (
        await this.query(
          `SELECT owner, epoch, expires_at, ${NOW_MS} AS now FROM cluster_leases WHERE pool_id = $1`,
          [poolId],
        )
      )[0];
    if (row === undefined) throw new ClusterError('LEASE_STORE', `lease of ${poolId} vanished`);
    return {
      owner: String(row.owner),
      epoch: Number(row.epoch),
      expiresAt: Number(row.expires_at),
      now: Number(row.now),
    };
  }

  /** Extends every lease `owner` still holds among `poolIds`; returns those, with epochs. */
  async renew(
    owner: string,
    poolIds: readonly string[],
    ttlMs: number,
  ): Promise<Map<string, number>> {
    if (poolIds.length === 0) return new Map();
    const rows = await this.query(
      `UPDATE cluster_leases SET expires_at = ${NOW_MS} + $3
       WHERE owner = $1 AND pool_id = ANY($2) AND expires_at >= ${NOW_MS}
       RETURNING pool_id, epoch`,
      [owner, [...poolIds], ttlMs],
    );
    return new Map(rows.map((r) => [String(r.pool_id), Number(r.epoch)]));
  }

  /** The instance holding an unexpired lease of each of `poolIds` (absent: nobody). */
  async owners(poolIds: readonly string[]): Promise<Map<string, string>> {
    if (poolIds.length === 0) return new Map();
    const rows = await this.query(
      `SELECT pool_id, owner FROM cluster_leases
       WHERE pool_id = ANY($1) AND expires_at >= ${NOW_MS}`,
      [[...poolIds]],
    );
    return new Map(rows.map((r) => [String(r.pool_id), String(r.owner)]));
  }

  /** Gives a lease up at once (its epoch stays, so the next owner's is higher). */
  async release(poolId: string, owner: string, epoch: number): Promise<void> {
    await this.query(
      'UPDATE cluster_leases SET expires_at = 0 WHERE pool_id = $1 AND owner = $2 AND epoch = $3',
      [poolId, owner, epoch],
    );
  }

  /** Every lease `owner` holds, given up (graceful shutdown). */
  async releaseAll(owner: string): Promise<void> {
    await this.query('UPDATE cluster_leases SET expires_at = 0 WHERE owner = $1', [owner]);
  }

  /** Records that `instanceId` is up at `url`. */
  async heartbeat(instanceId: string, url: string): Promise<void> {
    await this.query(
      `INSERT INTO cluster_instances (instance_id, url, seen_at) VALUES ($1, $2, ${NOW_MS})
       ON CONFLICT (instance_id) DO UPDATE SET url = excluded.url, seen_at = excluded.seen_at`,
      [instanceId, url],
    );
  }

  /** Instances seen within `withinMs`, oldest id first. */
  async instances(withinMs: number): Promise<InstanceRow[]> {
    const rows = await this.query(
      `SELECT instance_id, url, seen_at FROM cluster_instances
       WHERE seen_at >= ${NOW_MS} - $1 ORDER BY instance_id`,
      [withinMs],
    );
    return rows.map((r) => ({
      instanceId: String(r.instance_id),
      url: String(r.url),
      seenAt: Number(r.seen_at),
    }));
  }

  /** An instance that stops gracefully leaves the registry. */
  async forget(instanceId: string): Promise<void> {
    await this.query('DELETE FROM cluster_instances WHERE instance_id = $1', [instanceId]);
  }

  /**
   * The cluster-wide value of secret `name`: the stored one, or `candidate` if none is
   * stored yet (the first instance to start seeds it; racing instances agree on one).
   */
  async sharedSecret(name: string, candidate: string): Promise<string> {
    await this.query(
      'INSERT INTO cluster_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [name, candidate],
    );
    const rows = await this.query('SELECT value FROM cluster_secrets WHERE name = $1', [name]);
    const value = rows[0]?.value;
    if (typeof value !== 'string') throw new ClusterError('LEASE_STORE', `secret ${name} missing`);
    return value;
  }

  /**
   * [CL11] Takes one token from the cluster-wide bucket `bucket` (`burst` tokens, refilled at
   * `perMs` per millisecond), in one statement, so racing instances never hand out more than
   * the bucket holds. Returns the tokens left, or how many milliseconds until one is back.
   */
  async takeToken(
    bucket: string,
    burst: number,
    perMs: number,
  ): Promise<{ readonly allowed: true } | { readonly allowed: false; readonly waitMs: number }> {
    const refilled = `LEAST($2::FLOAT8, b.tokens + (${NOW_MS} - b.at) * $3::FLOAT8)`;
    const taken = await this.query(
      `INSERT INTO cluster_rate_buckets AS b (bucket, tokens, at)
       VALUES ($1, $2::FLOAT8 - 1, ${NOW_MS})
       ON CONFLICT (bucket) DO UPDATE SET tokens = ${refilled} - 1, at = ${NOW_MS}
         WHERE ${refilled} >= 1
       RETURNING tokens`,
      [bucket, burst, perMs],
    );
    if (taken.length > 0) return { allowed: true };
    const rows = await this.query(
      `SELECT ${refilled} AS tokens FROM cluster_rate_buckets AS b WHERE bucket = $1`,
      [bucket, burst, perMs],
    );
    const tokens = Number(rows[0]?.tokens ?? 0);
    return { allowed: false, waitMs: Math.max(1, (1 - tokens) / perMs) };
  }

  /** Drops buckets untouched for `idleMs` (refilled to full by then: the same as none). */
  async dropIdleBuckets(idleMs: number): Promise<void> {
    await this.query(`DELETE FROM cluster_rate_buckets WHERE at < ${NOW_MS} - $1`, [idleMs]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    try {
      return (await this.pool.query(sql, params)).rows as Record<string, unknown>[];
    } catch (cause) {
      throw new ClusterError('LEASE_STORE', 'cluster table query failed', { cause });
    }
  }
}
