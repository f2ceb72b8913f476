/**
 * What identifies a file's content for transfer: its size, chunk size, whole-file SHA-256 and
 * the SHA-256 of every chunk. Files are read in one streaming pass through a reused buffer, so
 * hashing a file of any size costs about a megabyte of memory.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { checkChunkData, checkChunkIndex, checkPositiveInteger } from './checks.js';
import { FileError, toFileError } from './errors.js';

import { DEFAULT_CHUNK_SIZE } from '@poolnet/protocol';

/** Chunk size of a new offer: the wire's default (see its measurement in protocol limits). */
export { DEFAULT_CHUNK_SIZE };
/**
 * Largest chunk size these classes accept. The wire allows less (protocol `MAX_CHUNK_SIZE`);
 * this bound only keeps a single chunk's buffer small.
 */
export const LARGEST_CHUNK_SIZE = 16 * 1024 * 1024;
/** Bytes of a SHA-256 digest. */
export const HASH_BYTES = 32;
/** Bytes read per system call while hashing (rounded to whole chunks). */
const READ_BYTES = 1024 * 1024;

/** A file's content, as an offer describes it. */
export interface FileManifest {
  /** Bytes. */
  readonly size: number;
  readonly chunkSize: number;
  /** SHA-256 of the whole file, 32 bytes. */
  readonly sha256: Uint8Array;
  /** SHA-256 of each chunk, concatenated (32 × chunkCount bytes). */
  readonly chunkHashes: Uint8Array;
}

/** Number of chunks of a file of `size` bytes: 0 for an empty file. */
export function chunkCount(size: number, chunkSize: number): number {
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new FileError('INVALID_ARGUMENT', `size ${String(size)}: not a non-negative integer`);
  }
  checkPositiveInteger(chunkSize, 'chunk size', LARGEST_CHUNK_SIZE);
  return Math.ceil(size / chunkSize);
}

/** Length of chunk `index` of the file (the last one may be shorter); the index is not checked. */
export const chunkLength = (manifest: FileManifest, index: number): number =>
  Math.min(manifest.chunkSize, manifest.size - index * manifest.chunkSize);

/**
 * Checks a manifest handed in from outside: sizes in range, a 32-byte SHA-256 and exactly one
 * 32-byte hash per chunk. Returns the chunk count.
 */
export function checkManifest(manifest: FileManifest): number {
  if (typeof manifest !== 'object' || manifest === null) {
    throw new FileError('INVALID_ARGUMENT', 'manifest: not an object');
  }
  const count = chunkCount(manifest.size, manifest.chunkSize);
  if (!(manifest.sha256 instanceof Uint8Array) || manifest.sha256.length !== HASH_BYTES) {
    throw new FileError('INVALID_ARGUMENT', 'manifest.sha256: not 32 bytes');
  }
  if (
    !(manifest.chunkHashes instanceof Uint8Array) ||
    manifest.chunkHashes.length !== count * HASH_BYTES
  ) {
    throw new FileError('INVALID_ARGUMENT', `manifest.chunkHashes: not ${count} × 32 bytes`);
  }
  return count;
}

const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

/** SHA-256 of the concatenated chunk hashes: the root an offer carries (FileInfo.chunk_hashes_root). */
export function chunkHashesRoot(chunkHashes: Uint8Array): Uint8Array {
  checkChunkData(chunkHashes);
  if (chunkHashes.length % HASH_BYTES !== 0) {
    throw new FileError('INVALID_ARGUMENT', 'chunkHashes: not a multiple of 32 bytes');
  }
  return new Uint8Array(sha256(chunkHashes));
}

/**
 * Whether `data` is chunk `index` of the file: the right length (the last chunk is shorter)
 * and the right SHA-256. An index outside the file is an `INVALID_ARGUMENT`, not a mismatch.
 */
export function chunkHashOk(manifest: FileManifest, index: number, data: Uint8Array): boolean {
  checkChunkIndex(index, manifest.chunkHashes.length / HASH_BYTES);
  checkChunkData(data);
  if (data.length !== chunkLength(manifest, index)) return false;
  const expected = manifest.chunkHashes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
  return sameBytes(sha256(data), expected);
}

/** The hashes of an open file's first `size` bytes. */
export interface ContentHashes {
  readonly sha256: Uint8Array;
  readonly chunkHashes: Uint8Array;
}

/**
 * Reads `size` bytes of an open file from the start, in one pass through a reused buffer, and
 * hashes the whole and each chunk. `CHANGED` when the file ends early.
 */
export async function hashOpenFile(
  handle: FileHandle,
  size: number,
  chunkSize: number,
): Promise<ContentHashes> {
  const count = chunkCount(size, chunkSize);
  const whole = createHash('sha256');
  const chunkHashes = new Uint8Array(count * HASH_BYTES);
  const buffer = Buffer.allocUnsafe(Math.max(1, Math.floor(READ_BYTES / chunkSize)) * chunkSize);
  let position = 0;
  let index = 0;
  while (position < size) {
    const want = Math.min(buffer.length, size - position);
    let filled = 0;
    while (filled < want) {
      const { bytesRead } = await handle.read(buffer, filled, want - filled, position + filled);
      if (bytesRead === 0) {
        throw new FileError('CHANGED', `file ended at ${position + filled} of ${size} bytes`);
      }
      filled += bytesRead;
    }
    // update() consumes the bytes at once, so the buffer can be refilled afterwards.
    for (let offset = 0; offset < filled; offset += chunkSize, index++) {
      const chunk = buffer.subarray(offset, Math.min(offset + chunkSize, filled));
      whole.update(chunk);
      chunkHashes.set(sha256(chunk), index * HASH_BYTES);
    }
    position += filled;
  }
  return { sha256: new Uint8Array(whole.digest()), chunkHashes };
}

/**
 * Reads the file once, streaming (never whole in memory), hashing the whole file and each
 * chunk. `MISSING` if it is not there, `INVALID_ARGUMENT` if it is not a regular file,
 * `CHANGED` if it was written to while being read. `mtimeMs` is the modification time the
 * hashes belong to (hand it to `SharedFile.open` later).
 */
export async function hashFile(
  path: string,
  chunkSize: number = DEFAULT_CHUNK_SIZE,
): Promise<FileManifest & { mtimeMs: number }> {
  checkPositiveInteger(chunkSize, 'chunk size', LARGEST_CHUNK_SIZE);
  if (typeof path !== 'string' || path === '') {
    throw new FileError('INVALID_ARGUMENT', 'path: not a non-empty string');
  }
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw toFileError(err, `open ${path}`);
  }
  try {
    const before = await handle.stat();
    if (!before.isFile()) throw new FileError('INVALID_ARGUMENT', `${path}: not a regular file`);
    const hashes = await hashOpenFile(handle, before.size, chunkSize);
    const after = await handle.stat();
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
      throw new FileError('CHANGED', `${path} was modified while being hashed`);
    }
    return { size: before.size, chunkSize, ...hashes, mtimeMs: before.mtimeMs };
  } catch (err) {
    throw toFileError(err, `hash ${path}`);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
