import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { asPoolId } from '@poolnet/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  APPLICATION_ID,
  SqliteMessageStore,
  type StoreError,
  isStoreError,
  openDeviceDatabase,
  readMigrations,
} from '../src/index.js';
import { TempDatabases, message } from './fixture.js';

const dbs = new TempDatabases();
afterEach(() => dbs.closeAll());
afterAll(() => dbs.cleanup());

/** Opens `path` expecting a StoreError with `code`. */
function expectRefused(path: string, code: string): StoreError {
  try {
    openDeviceDatabase(path).close();
  } catch (err) {
    expect(isStoreError(err)).toBe(true);
    expect((err as StoreError).code).toBe(code);
    return err as StoreError;
  }
  throw new Error(`opened ${path}; expected ${code}`);
}

const pragmas = (path: string) => {
  const raw = new Database(path, { readonly: true });
  try {
    return {
      version: raw.pragma('user_version', { simple: true }),
      applicationId: raw.pragma('application_id', { simple: true }),
      journal: raw.pragma('journal_mode', { simple: true }),
    };
  } finally {
    raw.close();
  }
};

describe('openDeviceDatabase', () => {
  it('creates the directory and file, in WAL mode, at the newest schema', () => {
    const path = dbs.path();
    const db = dbs.db(path);
    const latest = readMigrations().length;
    expect(db.schemaVersion).toBe(latest);
    db.close();
    expect(pragmas(path)).toEqual({
      version: latest,
      applicationId: APPLICATION_ID,
      journal: 'wal',
    });
  });

  it('reopening applies nothing twice and keeps the data', async () => {
    const path = dbs.path();
    const first = dbs.db(path);
    await new SqliteMessageStore(first, asPoolId('p')).append(message(1));
    first.close();
    const second = dbs.db(path);
    expect(second.schemaVersion).toBe(readMigrations().length);
    expect(await new SqliteMessageStore(second, asPoolId('p')).count()).toBe(1);
  });

  it('migrations are numbered 1, 2, … with no gap, and start with the initial schema', () => {
    const migrations = readMigrations();
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(migrations[0]!.name).toBe('initial');
    const folder = new URL('../src/sql/', import.meta.url);
    expect(readdirSync(folder).every((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f))).toBe(true);
  });

  it('a file that is not SQLite is NOT_A_DATABASE, and is left as it was', () => {
    const path = dbs.path();
    mkdirSync(join(path, '..'), { recursive: true });
    const garbage = 'this is not a database, just text that is long enough to be a header. '.repeat(
      20,
    );
    writeFileSync(path, garbage);
    expectRefused(path, 'NOT_A_DATABASE');
    expect(readdirSync(join(path, '..'))).toEqual(['poolnet.db']);
    expect(readFileSync(path, 'utf8')).toBe(garbage);
  });

  it('a database from a newer Poolnet is SCHEMA_TOO_NEW, and is not touched', () => {
    const path = dbs.path();
    dbs.db(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${readMigrations().length + 1}`);
    raw.close();
    const err = expectRefused(path, 'SCHEMA_TOO_NEW');
    expect(err.message).toMatch(/upgrade/);
    expect(pragmas(path).version).toBe(readMigrations().length + 1);
  });

  it("another program's SQLite file is FOREIGN_DATABASE, and is not migrated", () => {
    const path = dbs.path();
    mkdirSync(join(path, '..'), { recursive: true });
    const raw = new Database(path);
    raw.exec('CREATE TABLE users (id TEXT PRIMARY KEY)');
    raw.close();
    expectRefused(path, 'FOREIGN_DATABASE');
    const check = new Database(path, { readonly: true });
    expect(
      check.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all(),
    ).toEqual(['users']);
    check.close();

    const other = dbs.path();
    mkdirSync(join(other, '..'), { recursive: true });
    const stamped = new Database(other);
    stamped.pragma('application_id = 42');
    stamped.close();
    expectRefused(other, 'FOREIGN_DATABASE');
  });

  it('a path that cannot be a file is CANNOT_OPEN', () => {
    const dir = dbs.path();
    mkdirSync(dir, { recursive: true });
    expectRefused(dir, 'CANNOT_OPEN');
    const blocker = join(dbs.root, 'a-file');
    writeFileSync(blocker, '');
    expectRefused(join(blocker, 'poolnet.db'), 'CANNOT_OPEN');
  });

  it('an empty file (a crash before the first write) becomes a database', () => {
    const path = dbs.path();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '');
    expect(dbs.db(path).schemaVersion).toBe(readMigrations().length);
  });

  it('prepares each statement once, and close is idempotent', () => {
    const db = dbs.db();
    expect(db.prepare('SELECT 1')).toBe(db.prepare('SELECT 1'));
    expect(db.isOpen).toBe(true);
    db.close();
    db.close();
    expect(db.isOpen).toBe(false);
  });

  it('a write lock held by another process past the busy timeout is BUSY', async () => {
    const path = dbs.path();
    dbs.db(path).close();
    const db = openDeviceDatabase(path, { busyTimeoutMs: 0 });
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      const store = new SqliteMessageStore(db, asPoolId('p'));
      await expect(store.append(message(1))).rejects.toMatchObject({ code: 'BUSY' });
      other.exec('ROLLBACK');
      expect(await store.append(message(1))).toBe(true);
    } finally {
      other.close();
      db.close();
    }
  });

  it('a transaction rolls back everything when its work throws', async () => {
    const db = dbs.db();
    const store = new SqliteMessageStore(db, asPoolId('p'));
    expect(() =>
      db.transaction(() => {
        db.prepare(
          "INSERT INTO messages (pool_id, seq, id, author, created_at, signed) VALUES ('p', 1, 'x', 'a', 1, X'01')",
        ).run();
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    expect(await store.count()).toBe(0);
  });
});
