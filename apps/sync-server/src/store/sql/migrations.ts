import { readFileSync, readdirSync } from 'node:fs';
import type { SqlDriver } from './driver.js';

/** One numbered schema change, read from `NNN-name.sql`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The migrations in a folder, in version order. File names are `001-initial.sql`, `002-…`. */
export function readMigrations(folder: URL): Migration[] {
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

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction
 * together with its record, so a crash leaves the schema at a whole version and a restart
 * picks up where it stopped. Running it again changes nothing.
 */
export async function migrate(driver: SqlDriver, migrations: readonly Migration[]): Promise<void> {
  await driver.script(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)',
  );
  const applied = new Set(
    (await driver.all('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
  );
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    await driver.transaction(async (tx) => {
      await tx.script(m.sql);
      await tx.run('INSERT INTO schema_migrations (version, name) VALUES (?, ?)', [
        m.version,
        m.name,
      ]);
    });
  }
}
