import Database from 'better-sqlite3';

/**
 * Typed errors of the device store. Callers branch on `code`, never on `message`; the daemon
 * turns them into messages for the user. `cause` (the driver's error) is always passed on.
 */
export type StoreErrorCode =
  /** The file is not an SQLite database (or its header is damaged). */
  | 'NOT_A_DATABASE'
  /** An SQLite database, but not a Poolnet device database (another program's file). */
  | 'FOREIGN_DATABASE'
  /** Written by a newer Poolnet, whose schema this code does not know: upgrade first. */
  | 'SCHEMA_TOO_NEW'
  /** The file or its directory cannot be opened or created (permissions, not a directory). */
  | 'CANNOT_OPEN'
  /** Another process holds the write lock longer than the busy timeout. */
  | 'BUSY'
  /** SQLite found the file damaged, or a stored row fails the checks its writer passed. */
  | 'CORRUPT'
  /** A value handed to the store breaks its rules (an id, a name, a size, a hash). */
  | 'INVALID_ARGUMENT'
  /** The record to change does not exist. */
  | 'NOT_FOUND'
  /** The change conflicts with what is stored (e.g. finishing a download that failed). */
  | 'CONFLICT'
  /** The database was closed. */
  | 'CLOSED'
  /** Anything else the database reported (disk full, read-only file…); see `cause`. */
  | 'INTERNAL';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isStoreError = (err: unknown, code?: StoreErrorCode): err is StoreError =>
  err instanceof StoreError && (code === undefined || err.code === code);

/** The store's code for an SQLite result code (extended codes start with the primary one). */
function codeOf(sqliteCode: string): StoreErrorCode {
  if (sqliteCode === 'SQLITE_NOTADB') return 'NOT_A_DATABASE';
  if (sqliteCode.startsWith('SQLITE_CORRUPT')) return 'CORRUPT';
  if (sqliteCode.startsWith('SQLITE_CANTOPEN')) return 'CANNOT_OPEN';
  if (sqliteCode.startsWith('SQLITE_BUSY') || sqliteCode.startsWith('SQLITE_LOCKED')) {
    return 'BUSY';
  }
  if (sqliteCode === 'SQLITE_CONSTRAINT_PRIMARYKEY' || sqliteCode === 'SQLITE_CONSTRAINT_UNIQUE') {
    return 'CONFLICT';
  }
  // A CHECK, NOT NULL or STRICT type rule: the schema refused a value the code let through.
  if (sqliteCode.startsWith('SQLITE_CONSTRAINT')) return 'INVALID_ARGUMENT';
  return 'INTERNAL';
}

/**
 * Any error thrown while `what` ran, as a `StoreError`: store errors pass unchanged, driver
 * errors get the matching code, a call on a closed connection is `CLOSED`.
 */
export function toStoreError(err: unknown, what: string, closed = false): StoreError {
  if (err instanceof StoreError) return err;
  if (closed) return new StoreError('CLOSED', `${what}: the database is closed`, { cause: err });
  if (err instanceof Database.SqliteError) {
    return new StoreError(codeOf(err.code), `${what}: ${err.message}`, { cause: err });
  }
  return new StoreError('INTERNAL', `${what} failed`, { cause: err });
}
