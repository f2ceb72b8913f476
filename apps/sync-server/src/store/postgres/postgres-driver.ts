import type pg from 'pg';
import type { ConstraintKind, SqlDriver, SqlExecutor, SqlRow, SqlValue } from '../sql/driver.js';

/** `?` placeholders (as the shared queries are written) to PostgreSQL's `$1, $2…`. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** pg sends Buffers as bytea; a plain Uint8Array would be sent as text. */
const bind = (params: readonly SqlValue[]): unknown[] =>
  params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));

const pgCode = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;

/** SQLSTATE of a serialization failure: CockroachDB (always SERIALIZABLE) asks for a retry. */
const SERIALIZATION_FAILURE = '40001';
const MAX_ATTEMPTS = 5;

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  const sqlText = new Map<string, string>();
  const text = (sql: string): string => {
    let numbered = sqlText.get(sql);
    if (numbered === undefined) sqlText.set(sql, (numbered = numberPlaceholders(sql)));
    return numbered;
  };
  return {
    all: async (sql, params = []) => (await client.query(text(sql), bind(params))).rows as SqlRow[],
    run: async (sql, params = []) => (await client.query(text(sql), bind(params))).rowCount ?? 0,
    script: async (sql) => void (await client.query(sql)),
  };
}

/** The PostgreSQL driver: a connection pool; a transaction holds one connection. */
export class PostgresDriver implements SqlDriver {
  private readonly direct: SqlExecutor;

  constructor(private readonly pool: pg.Pool) {
    this.direct = executor(pool);
  }

  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]> {
    return this.direct.all(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.direct.run(sql, params);
  }

  script(sql: string): Promise<void> {
    return this.direct.script(sql);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      const tx = executor(client);
      for (let attempt = 1; ; attempt++) {
        await client.query('BEGIN');
        try {
          const result = await work(tx);
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK');
          if (pgCode(err) !== SERIALIZATION_FAILURE || attempt >= MAX_ATTEMPTS) throw err;
        }
      }
    } finally {
      client.release();
    }
  }

  constraintOf(err: unknown): ConstraintKind | undefined {
    switch (pgCode(err)) {
      case '23505':
        return 'unique';
      case '23503':
        return 'foreign-key';
      case '23514':
        return 'check';
      default:
        return undefined;
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
