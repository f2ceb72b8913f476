import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError, toStoreError } from './errors.js';
import { migrate, readMigrations } from './migrations.js';

/** The database file inside a device's data directory. */
export const DEVICE_DATABASE_FILE = 'poolnet.db';

export interface DeviceDatabaseOptions {
  /**
   * When a commit reaches the disk. `normal` (the default): in WAL mode a killed process
   * loses nothing and the file never corrupts, but a power cut may lose the last commits;
   * every table here can live with that (messages come back from the pool, downloads are
   * re-verified against the disk, settings change rarely). `full` syncs on every commit.
   */
  readonly synchronous?: 'normal' | 'full';
  /** How long to wait for another process's write lock before failing with BUSY (ms). */
  readonly busyTimeoutMs?: number;
}

/** Parameters of a prepared statement: positional values, or one object of named ones. */
type Params = unknown[];
export type Statement = Database.Statement<Params, unknown>;

/**
 * One device's SQLite file: owns the connection, its cached prepared statements and the
 * schema version. The repositories of this package (`SqliteMessageStore`, `JoinedPools`,
 * `FileOffers`, `Downloads`, `DeviceSettings`, `SqliteChunkStore`) are built on it; many of
 * them (one message store per pool, say) share one database. Open it with
 * `openDeviceDatabase`.
 *
 * better-sqlite3 is synchronous, so every method runs to completion before another can start:
 * a repository method is atomic without locks, and several can be grouped with `transaction`.
 */
export class DeviceDatabase {
  private readonly statements = new Map<string, Statement>();

  private constructor(
    private readonly connection: Database.Database,
    /** The file, as given to `openDeviceDatabase`. */
    readonly path: string,
    /** The schema version after migration. */
    readonly schemaVersion: number,
  ) {}

  /**
   * Opens the file (creating it and its directory if missing), switches it to WAL and
   * applies the migrations it lacks. Throws a `StoreError`: `NOT_A_DATABASE`,
   * `FOREIGN_DATABASE`, `SCHEMA_TOO_NEW`, `CANNOT_OPEN`, `BUSY`…
   */
  static open(path: string, options: DeviceDatabaseOptions = {}): DeviceDatabase {
    const connection = connect(path);
    try {
      const busyMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
      connection.pragma(`busy_timeout = ${busyMs}`);
      // The first read of the file: one that is not SQLite fails here with NOT_A_DATABASE.
      connection.pragma('journal_mode = WAL');
      connection.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      connection.pragma('foreign_keys = ON');
      const version = migrate(connection, readMigrations());
      return new DeviceDatabase(connection, path, version);
    } catch (err) {
      connection.close();
      throw toStoreError(err, `open ${path}`);
    }
  }

  get isOpen(): boolean {
    return this.connection.open;
  }

  /**
   * A prepared statement for `sql`, prepared once per database and then reused. Modes set on
   * it (`pluck`, `raw`) stay set, so one SQL text is always used in one mode.
   */
  prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.connection.prepare<Params, unknown>(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Runs `work` in one transaction (IMMEDIATE: the write lock is taken at the start, so a
   * second process waits there instead of failing at its first write). It commits if `work`
   * returns and rolls back if it throws; nested calls become savepoints.
   */
  transaction<T>(work: () => T): T {
    return this.connection.transaction(work).immediate();
  }

  /** Runs `work` and turns whatever it throws into a `StoreError` naming `what`. */
  guard<T>(what: string, work: () => T): T {
    try {
      return work();
    } catch (err) {
      throw toStoreError(err, what, !this.connection.open);
    }
  }

  /** Closes the connection (idempotent). Statements and repositories built on it stop working. */
  close(): void {
    if (!this.connection.open) return;
    this.statements.clear();
    try {
      // Refreshes the planner's statistics where this session's queries would gain.
      this.connection.pragma('optimize');
    } catch {
      // Best effort: a busy or read-only file closes all the same.
    }
    this.connection.close();
  }
}

/** The connection, with the file's directory created first. */
function connect(path: string): Database.Database {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    return new Database(path);
  } catch (err) {
    throw new StoreError('CANNOT_OPEN', `cannot open ${path}`, { cause: err });
  }
}

/** Opens a device database: see `DeviceDatabase.open`. */
export const openDeviceDatabase = (path: string, options?: DeviceDatabaseOptions): DeviceDatabase =>
  DeviceDatabase.open(path, options);
