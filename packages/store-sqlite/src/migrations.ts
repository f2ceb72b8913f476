import { readFileSync, readdirSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { StoreError, toStoreError } from './errors.js';

/**
 * `PRAGMA application_id` of a Poolnet device database ("PLND" in ASCII). It tells our file
 * from another program's SQLite file, which we must not migrate.
 */
export const APPLICATION_ID = 0x504c4e44;

/** The folder of numbered schema files, next to this module. */
export const MIGRATIONS_FOLDER = new URL('./sql/', import.meta.url);

/** One numbered schema change, read from `NNN-name.sql`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The migrations in a folder, in version order: `001-initial.sql`, `002-…`, with no gap. */
export function readMigrations(folder: URL = MIGRATIONS_FOLDER): Migration[] {
  const migrations = readdirSync(folder)
    .map((file) => /^(\d+)-(.+)\.sql$/.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([file = '', version = '', name = '']) => ({
      version: Number(version),
      name,
      sql: readFileSync(new URL(file, folder), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.version} out of sequence`);
  });
  return migrations;
}

interface SchemaState {
  readonly applicationId: number;
  readonly version: number;
  readonly empty: boolean;
}

function inspect(db: Database.Database): SchemaState {
  return {
    applicationId: Number(db.pragma('application_id', { simple: true })),
    version: Number(db.pragma('user_version', { simple: true })),
    empty: db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() === 0,
  };
}

/** The version to migrate from, or a typed refusal. */
function startingVersion(state: SchemaState, latest: number): number {
  if (state.applicationId === APPLICATION_ID) {
    if (state.version > latest) {
      throw new StoreError(
        'SCHEMA_TOO_NEW',
        `the database has schema ${state.version}, this Poolnet knows up to ${latest}: upgrade Poolnet`,
      );
    }
    return state.version;
  }
  if (state.applicationId === 0 && state.version === 0 && state.empty) return 0;
  throw new StoreError('FOREIGN_DATABASE', 'an SQLite file, but not a Poolnet device database');
}

/**
 * Brings the schema to the newest version. `PRAGMA user_version` is the schema version and
 * lives in the file's header, so it commits with the migration's own transaction: a crash
 * leaves the schema at a whole version and the next open continues from there. The check is
 * repeated inside the (IMMEDIATE, so write-locked) transaction, so two processes opening a
 * fresh file at once apply each migration once. Returns the schema version.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): number {
  const latest = migrations.length;
  let version = startingVersion(inspect(db), latest);
  while (version < latest) {
    version = db
      .transaction((): number => {
        const current = startingVersion(inspect(db), latest);
        const next = migrations[current];
        if (next === undefined) return current;
        try {
          db.exec(next.sql);
        } catch (err) {
          throw toStoreError(err, `migration ${next.version}-${next.name}`);
        }
        db.pragma(`user_version = ${next.version}`);
        db.pragma(`application_id = ${APPLICATION_ID}`);
        return next.version;
      })
      .immediate();
  }
  return version;
}
