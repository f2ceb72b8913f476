/**
 * Argument checks shared by the file storage classes. Ids and names end up in paths on disk,
 * so they are checked strictly here rather than trusted from the caller.
 */
import { FileError } from './errors.js';

const FILE_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Longest file name most file systems accept, in UTF-8 bytes. */
const MAX_NAME_BYTES = 255;

const invalid = (message: string): FileError => new FileError('INVALID_ARGUMENT', message);

/** Whether `fileId` is safe as a file name: 1..64 of `A-Z a-z 0-9 _ -` (never `/`, `.`). */
export const isFileId = (fileId: unknown): fileId is string =>
  typeof fileId === 'string' && FILE_ID.test(fileId);

/** A file id safe as a file name (see `isFileId`). */
export function checkFileId(fileId: unknown): asserts fileId is string {
  if (!isFileId(fileId)) throw invalid(`fileId: must match ${String(FILE_ID)}`);
}

/** Whether `index` is an integer in 0..count-1. */
export const isIndexIn = (index: unknown, count: number): index is number =>
  typeof index === 'number' && Number.isSafeInteger(index) && index >= 0 && index < count;

/** A chunk index: an integer in 0..count-1 (any safe non-negative integer when `count` is absent). */
export function checkChunkIndex(index: unknown, count?: number): asserts index is number {
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    throw invalid(`chunk index ${String(index)}: not a non-negative integer`);
  }
  if (count !== undefined && index >= count) {
    throw invalid(`chunk index ${index}: out of range 0..${count - 1}`);
  }
}

/** Chunk bytes: a Uint8Array (a Buffer is one). */
export function checkChunkData(data: unknown): asserts data is Uint8Array {
  if (!(data instanceof Uint8Array)) throw invalid('chunk data: not a Uint8Array');
}

/**
 * A single path segment to create a file under: non-empty, at most 255 UTF-8 bytes, not `.`
 * or `..`, no `/`, `\`, NUL or other control character.
 */
export function checkFileName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..') {
    throw invalid(`file name ${JSON.stringify(name)}: empty or a dot segment`);
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    throw invalid(`file name: longer than ${MAX_NAME_BYTES} bytes`);
  }
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f /* / */ || c === 0x5c /* \ */) {
      throw invalid(`file name ${JSON.stringify(name)}: separator or control character`);
    }
  }
}

/** A positive safe integer no larger than `max` (sizes, limits, intervals). */
export function checkPositiveInteger(
  value: unknown,
  what: string,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw invalid(`${what} ${String(value)}: not an integer in 1..${max}`);
  }
}
