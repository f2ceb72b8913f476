import { StoreError } from './errors.js';

/**
 * Reading and writing column values. STRICT tables already guarantee each column's type; these
 * readers check it once more at the boundary (a file edited by hand, a future bug) and give
 * the repositories typed values, or `StoreError('CORRUPT')` naming the column.
 */
export type Row = Readonly<Record<string, unknown>>;

const corrupt = (column: string, expected: string): StoreError =>
  new StoreError('CORRUPT', `stored ${column} is not ${expected}`);

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw corrupt(column, 'text');
  return value;
}

export function optionalText(row: Row, column: string): string | null {
  return row[column] === null ? null : text(row, column);
}

export function integer(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw corrupt(column, 'a safe integer');
  }
  return value;
}

export function optionalInteger(row: Row, column: string): number | null {
  return row[column] === null ? null : integer(row, column);
}

/** A BLOB as a plain Uint8Array of its own (not a Buffer, not a view into another). */
export function bytes(row: Row, column: string): Uint8Array {
  const value = row[column];
  if (!(value instanceof Uint8Array)) throw corrupt(column, 'a blob');
  return new Uint8Array(value);
}

export function optionalBytes(row: Row, column: string): Uint8Array | null {
  return row[column] === null ? null : bytes(row, column);
}

/** better-sqlite3 binds Buffers, not plain Uint8Arrays: a Buffer view of the same bytes. */
export const toBlob = (value: Uint8Array): Buffer =>
  Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);

/**
 * The rows `read` can make something of. A damaged row (a value out of range, written by
 * something other than this code) is left out rather than failing every read that passes
 * over it: in its own pool's pages and, for reads across pools (`FileOffers.mine`,
 * `Downloads.history`), in the others'. A read of one named row reports it as `CORRUPT`.
 */
export function readableRows<T>(rows: readonly unknown[], read: (row: Row) => T): T[] {
  const out: T[] = [];
  for (const row of rows) {
    try {
      out.push(read(row as Row));
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 'CORRUPT')) throw err;
    }
  }
  return out;
}
