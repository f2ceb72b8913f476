import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, user } from '../../src/store/contract/fixtures.js';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.js';
import { readMigrations } from '../../src/store/sql/migrations.js';
import { openSqliteStore, SQLITE_FILE_NAME } from '../../src/store/sqlite/open-sqlite-store.js';
import { PG_TEST_URL, PgTestSchemas } from './pg-test-database.js';

const folder = (dialect: string) =>
  new URL(`../../src/store/${dialect}/migrations/`, import.meta.url);

describe('migrations', () => {
  it('both dialects have the same numbered migrations, in order', () => {
    const names = (dialect: string) =>
      readMigrations(folder(dialect)).map((m) => `${m.version}-${m.name}`);
    expect(names('sqlite')).toEqual(names('postgres'));
    expect(names('sqlite')[0]).toBe('1-initial');
  });

  it('SQLite: reopening applies nothing twice and keeps the data; the file is in WAL mode', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'poolnet-migrate-'));
    try {
      const first = await openSqliteStore({ dataDir });
      await register(first, 1);
      await first.close();
      const second = await openSqliteStore({ dataDir });
      expect((await second.getUser(user(1))).displayName).toBe('User 1');
      await second.close();
      const db = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
      try {
        expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual([
          { version: 1, name: 'initial' },
          { version: 2, name: 'device-signing-key' },
          { version: 3, name: 'pending-challenges' },
        ]);
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      } finally {
        db.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('PostgreSQL', () => {
    const schemas = new PgTestSchemas();
    beforeAll(() => schemas.connect());
    afterAll(() => schemas.dropAll());

    it('reopening applies nothing twice and keeps the data', async () => {
      const schema = await schemas.create();
      const first = await openPostgresStore({ url: PG_TEST_URL, schema });
      await register(first, 1);
      await first.close();
      const second = await openPostgresStore({ url: PG_TEST_URL, schema });
      expect((await second.getUser(user(1))).displayName).toBe('User 1');
      await second.close();
      const client = new pg.Client({ connectionString: PG_TEST_URL });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT version, name FROM ${schema}.schema_migrations`,
        );
        expect(rows).toEqual([
          { version: 1, name: 'initial' },
          { version: 2, name: 'device-signing-key' },
          { version: 3, name: 'pending-challenges' },
        ]);
      } finally {
        await client.end();
      }
    });
  });
});
