import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, readMigrations } from '../sql/migrations.js';
import { SqlStore } from '../sql/sql-store.js';
import type { ServerStore } from '../store.js';
import { SqliteDriver } from './sqlite-driver.js';

/** The database file inside the data directory. */
export const SQLITE_FILE_NAME = 'poolnet-sync.db';

export interface SqliteStoreOptions {
  /** Directory holding the database file (created if missing), or `:memory:` for tests. */
  readonly dataDir: string;
}

/**
 * Opens (creating and migrating as needed) the SQLite store. WAL lets reads proceed beside
 * the writer; `synchronous = FULL` syncs the WAL on every commit, so an acknowledged write
 * survives a crash or power cut, not just a killed process.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<ServerStore> {
  let file = ':memory:';
  if (options.dataDir !== ':memory:') {
    mkdirSync(options.dataDir, { recursive: true });
    file = join(options.dataDir, SQLITE_FILE_NAME);
  }
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const driver = new SqliteDriver(db);
    await migrate(driver, readMigrations(new URL('./migrations/', import.meta.url)));
    return new SqlStore(driver);
  } catch (err) {
    db.close();
    throw err;
  }
}
