/** The storage layer of the sync server: one interface, SQLite and PostgreSQL adapters. */
export type * from './store.js';
export { asInviteId } from './store.js';
export { StoreError, isStoreError, type StoreErrorCode } from './errors.js';
export { hashSecret } from './secret-hash.js';
export { openServerStore, storeConfigFor, type StoreConfig } from './open-server-store.js';
export {
  openSqliteStore,
  SQLITE_FILE_NAME,
  type SqliteStoreOptions,
} from './sqlite/open-sqlite-store.js';
export { openPostgresStore, type PostgresStoreOptions } from './postgres/open-postgres-store.js';
