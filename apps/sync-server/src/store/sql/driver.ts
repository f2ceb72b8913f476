/**
 * What the SQL store needs from a database: run a statement, read rows, run work in a
 * transaction. The SQLite and PostgreSQL adapters implement it; everything else (the SQL, the
 * rules, the errors) is shared in `SqlStore`.
 */
export type SqlValue = string | number | Uint8Array | null;
export type SqlRow = Readonly<Record<string, unknown>>;

export interface SqlExecutor {
  /** Runs a query (`?` placeholders) and returns its rows. */
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs a statement and returns how many rows it changed (matched, for an UPDATE). */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs a script of several statements without parameters (a migration). */
  script(sql: string): Promise<void>;
}

/** Which constraint a failed statement broke, if that is why it failed. */
export type ConstraintKind = 'unique' | 'foreign-key' | 'check';

export interface SqlDriver extends SqlExecutor {
  /**
   * Runs `work` in one transaction: committed if it resolves, rolled back if it throws. The
   * driver may run `work` again after a serialization failure, so it must have no effects
   * outside the transaction.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Classifies an error thrown by this driver. */
  constraintOf(err: unknown): ConstraintKind | undefined;
  close(): Promise<void>;
}
