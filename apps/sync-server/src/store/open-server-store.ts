import { openPostgresStore } from './postgres/open-postgres-store.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';
import type { ServerStore } from './store.js';

/** Where the server keeps its state, parsed once from configuration at startup. */
export type StoreConfig =
  | { readonly kind: 'sqlite'; readonly dataDir: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

/**
 * The store configuration for an optional database URL: a `postgres://` or `postgresql://`
 * URL selects PostgreSQL (or CockroachDB); without one the server uses SQLite in `dataDir`.
 */
export function storeConfigFor(databaseUrl: string | undefined, dataDir: string): StoreConfig {
  if (databaseUrl === undefined || databaseUrl === '') return { kind: 'sqlite', dataDir };
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return { kind: 'postgres', url: databaseUrl };
  throw new Error('the database URL must start with postgres:// or postgresql://');
}

export function openServerStore(config: StoreConfig): Promise<ServerStore> {
  return config.kind === 'sqlite' ? openSqliteStore(config) : openPostgresStore(config);
}
