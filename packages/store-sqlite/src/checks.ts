import { isAbsolute } from 'node:path';
import { SHA256_BYTES, checkFileName, checkId, utf8ByteLength } from '@poolnet/protocol';
import { StoreError } from './errors.js';

/**
 * Checks on values handed to the store. Each returns the value (typed) or throws
 * `StoreError('INVALID_ARGUMENT')`. Ids and file names follow the wire's rules (the protocol
 * package's checks), so what the store accepts is what a peer may send.
 */

const invalid = (field: string, detail: string, cause?: unknown): StoreError =>
  new StoreError('INVALID_ARGUMENT', `${field}: ${detail}`, { cause });

/** Longest local path accepted (bytes of UTF-8); PATH_MAX on Linux. */
export const MAX_LOCAL_PATH_BYTES = 4096;

/** A wire id: 1..64 visible ASCII characters. */
export function checkedId<T extends string>(value: T, field: string): T {
  if (typeof value !== 'string') throw invalid(field, 'not a string');
  try {
    checkId(value, field);
  } catch (err) {
    throw invalid(field, 'not a valid id', err);
  }
  return value;
}

/** An integer from `min` to 2^53 - 1 (times, sizes, counts, indexes). */
export function checkedInteger(value: number, field: string, min = 0): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalid(field, `not an integer in ${min}..2^53-1`);
  }
  return value;
}

/** Text of `min`..`max` UTF-8 bytes without NUL, stored as given. */
export function checkedText(value: string, field: string, min: number, max: number): string {
  if (typeof value !== 'string') throw invalid(field, 'not a string');
  const bytes = utf8ByteLength(value);
  if (bytes < min || bytes > max) throw invalid(field, `not ${min}..${max} UTF-8 bytes`);
  if (value.includes('\0')) throw invalid(field, 'contains NUL');
  return value;
}

/** A single file name, as the wire allows it (no separators, no dot segments). */
export function checkedFileName(value: string, field: string): string {
  if (typeof value !== 'string') throw invalid(field, 'not a string');
  try {
    checkFileName(value, field);
  } catch (err) {
    throw invalid(field, 'not a valid file name', err);
  }
  return value;
}

/** An absolute path on this device. */
export function checkedLocalPath(value: string, field: string): string {
  checkedText(value, field, 1, MAX_LOCAL_PATH_BYTES);
  if (!isAbsolute(value)) throw invalid(field, 'not an absolute path');
  return value;
}

/** A SHA-256 digest. */
export function checkedSha256(value: Uint8Array, field: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.byteLength !== SHA256_BYTES) {
    throw invalid(field, `not ${SHA256_BYTES} bytes`);
  }
  return value;
}

/** Bytes of `min`..`max` length. */
export function checkedBytes(
  value: Uint8Array,
  field: string,
  min: number,
  max: number,
): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalid(field, 'not bytes');
  if (value.byteLength < min || value.byteLength > max) {
    throw invalid(field, `not ${min}..${max} bytes`);
  }
  return value;
}

/** A page size: a whole number clamped to 1..`max`; `fallback` when absent or not a number. */
export function clampedLimit(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || Number.isNaN(value)) return fallback;
  return Math.max(1, Math.min(Math.floor(value), max));
}
