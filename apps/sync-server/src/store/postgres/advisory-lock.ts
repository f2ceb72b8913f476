/**
 * A session-level PostgreSQL advisory lock around schema work, so that instances of a cluster
 * starting together on a fresh database migrate one after the other instead of colliding on
 * CREATE TABLE. CockroachDB has no advisory locks: there the work runs unguarded (start the
 * first instance alone on a fresh database).
 */
import type pg from 'pg';

/** Any fixed numbers: the keys instances agree on. */
export const MIGRATION_LOCK = 7_270_001;
export const CLUSTER_SCHEMA_LOCK = 7_270_002;

export async function withAdvisoryLock<T>(
  pool: pg.Pool,
  key: number,
  work: () => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let locked = false;
  try {
    try {
      await client.query('SELECT pg_advisory_lock($1)', [key]);
      locked = true;
    } catch {
      // No advisory locks here (CockroachDB).
    }
    return await work();
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
    client.release();
  }
}
