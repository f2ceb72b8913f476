import Database from 'better-sqlite3';
import type { ConstraintKind, SqlDriver, SqlExecutor, SqlRow, SqlValue } from '../sql/driver.js';

/** better-sqlite3 binds Buffers, not plain Uint8Arrays. */
const bind = (params: readonly SqlValue[]): unknown[] =>
  params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));

/**
 * better-sqlite3 is synchronous, but the store's transactions are async functions. One
 * connection serves everything, so calls are queued: a transaction runs alone from BEGIN to
 * COMMIT, and no other call's statement can land inside it. SQLite has one writer anyway.
 */
export class SqliteDriver implements SqlDriver {
  private readonly statements = new Map<string, Database.Statement>();
  private tail: Promise<unknown> = Promise.resolve();
  private readonly direct: SqlExecutor = {
    all: async (sql, params = []) => this.prepare(sql).all(...bind(params)) as SqlRow[],
    run: async (sql, params = []) => this.prepare(sql).run(...bind(params)).changes,
    script: async (sql) => void this.db.exec(sql),
  };

  constructor(private readonly db: Database.Database) {}

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const result = this.tail.then(op);
    this.tail = result.catch(() => undefined);
    return result;
  }

  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]> {
    return this.serial(() => this.direct.all(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.serial(() => this.direct.run(sql, params));
  }

  script(sql: string): Promise<void> {
    return this.serial(() => this.direct.script(sql));
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      // IMMEDIATE takes the write lock up front, so another process on the same file waits
      // at BEGIN (busy_timeout) instead of failing at its first write.
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  constraintOf(err: unknown): ConstraintKind | undefined {
    if (!(err instanceof Database.SqliteError)) return undefined;
    switch (err.code) {
      case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      case 'SQLITE_CONSTRAINT_UNIQUE':
        return 'unique';
      case 'SQLITE_CONSTRAINT_FOREIGNKEY':
        return 'foreign-key';
      case 'SQLITE_CONSTRAINT_CHECK':
        return 'check';
      default:
        return undefined;
    }
  }

  async close(): Promise<void> {
    await this.serial(async () => this.db.close());
  }
}
