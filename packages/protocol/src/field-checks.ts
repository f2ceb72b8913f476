/**
 * Field-level rules shared by every validator. They run on each decoded package, on every
 * hop, so they are plain loops and comparisons (no regex) that build an error only on failure.
 * `field` names the field for the error; callers pass constant strings.
 */
import { ProtocolError } from './errors.js';
import { MAX_ID_LENGTH, MAX_PATH_DEPTH, MAX_SAFE_UINT64 } from './limits.js';

export const invalid = (field: string, detail: string): ProtocolError =>
  new ProtocolError('INVALID_FIELD', { field, detail });

/** [WIRE5] 1..MAX_ID_LENGTH characters, each visible ASCII (0x21..0x7e). */
export function checkId(value: string, field: string): void {
  const n = value.length;
  if (n === 0) throw invalid(field, 'empty id');
  if (n > MAX_ID_LENGTH) throw invalid(field, `id longer than ${MAX_ID_LENGTH}`);
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) throw invalid(field, 'id is not visible ASCII');
  }
}

/** [WIRE5] "" (none) or a valid id. */
export function checkOptionalId(value: string, field: string): void {
  if (value !== '') checkId(value, field);
}

/** [WIRE5] Every entry a valid id, at most `max` entries. */
export function checkIds(values: readonly string[], max: number, field: string): void {
  checkCount(values.length, max, field);
  for (const v of values) checkId(v, field);
}

/** [WIRE6] 1..MAX_PATH_DEPTH panels: the first 0..2 (center), every later one 0..1. */
export function checkPath(path: readonly number[], field: string): void {
  const n = path.length;
  if (n === 0) throw invalid(field, 'empty path');
  if (n > MAX_PATH_DEPTH) throw invalid(field, `path deeper than ${MAX_PATH_DEPTH}`);
  const first = path[0];
  if (first !== 0 && first !== 1 && first !== 2) throw invalid(field, 'path[0] is not 0..2');
  for (let i = 1; i < n; i++) {
    const p = path[i];
    if (p !== 0 && p !== 1) throw invalid(field, `path[${i}] is not 0..1`);
  }
}

/** [WIRE7] A slot (partner int) or lane: 0, 1 or 2. */
export function checkSlot(value: number, field: string): void {
  if (value !== 0 && value !== 1 && value !== 2) throw invalid(field, 'not 0..2');
}

export function checkCount(n: number, max: number, field: string): void {
  if (n > max) throw invalid(field, `more than ${max} entries`);
}

/** Byte length in [min, max]. */
export function checkBytes(value: Uint8Array, min: number, max: number, field: string): void {
  const n = value.byteLength;
  if (n < min || n > max) {
    throw invalid(field, min === max ? `not ${min} bytes` : `length ${n} outside ${min}..${max}`);
  }
}

/** A uint64 that converts to a JS number exactly (0..2^53-1). */
export function checkSafeUint64(value: bigint, field: string): void {
  if (value < 0n || value > MAX_SAFE_UINT64) throw invalid(field, 'not in 0..2^53-1');
}

/** UTF-8 length of a JS string, counting a lone surrogate as the 3-byte U+FFFD it becomes. */
export function utf8ByteLength(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** UTF-8 length in [min, max]; skips the count when the UTF-16 length already decides. */
export function checkUtf8(value: string, min: number, max: number, field: string): void {
  const units = value.length;
  if (units === 0) {
    if (min > 0) throw invalid(field, 'empty');
    return;
  }
  // Every UTF-16 unit is 1..3 UTF-8 bytes, so the length bounds the byte count both ways.
  if (units * 3 <= max && units >= min) return;
  if (units > max) throw invalid(field, `longer than ${max} bytes`);
  const bytes = utf8ByteLength(value);
  if (bytes < min || bytes > max) throw invalid(field, `${bytes} bytes outside ${min}..${max}`);
}
