import pg from 'pg';
import { migrate, readMigrations } from '../sql/migrations.js';
import { SqlStore } from '../sql/sql-store.js';
import type { ServerStore } from '../store.js';
import { MIGRATION_LOCK, withAdvisoryLock } from './advisory-lock.js';
import { PostgresDriver } from './postgres-driver.js';

export interface PostgresStoreOptions {
  /** A `postgres://` or `postgresql://` connection URL. */
  readonly url: string;
  /** Schema to use instead of `public` (set as the search path); it must exist. */
  readonly schema?: string;
  /** Most connections the pool opens (at least 2: one holds the migration lock). */
  readonly maxConnections?: number;
}

/** Opens (and migrates) the PostgreSQL store. Works against CockroachDB too. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<ServerStore> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.schema)) {
    throw new Error(`invalid schema name ${options.schema}`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: Math.max(2, options.maxConnections ?? 10),
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle connection that dies (server restart) must not crash the process; the next
  // query opens a fresh one.
  pool.on('error', () => undefined);
  const driver = new PostgresDriver(pool);
  try {
    await withAdvisoryLock(pool, MIGRATION_LOCK, () =>
      migrate(driver, readMigrations(new URL('./migrations/', import.meta.url))),
    );
  } catch (err) {
    await pool.end();
    throw err;
  }
  return new SqlStore(driver);
}
