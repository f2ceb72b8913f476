/**
 * What an offer says about a file picked in the page: size, whole-file SHA-256 and the hash of
 * every chunk, read in one streaming pass of slices (never the whole file in memory). Chunk
 * hashes use WebCrypto (native, async); the whole-file hash is incremental (noble).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { DEFAULT_CHUNK_SIZE } from '@poolnet/protocol';
import { readRange } from './opfs.js';

export interface FileHashes {
  readonly size: number;
  readonly chunkSize: number;
  readonly sha256: Uint8Array;
  /** SHA-256 of each chunk, concatenated. */
  readonly chunkHashes: Uint8Array;
  /** SHA-256 of `chunkHashes`: the offer's `chunk_hashes_root`. */
  readonly root: Uint8Array;
}

/** Chunks read per slice. */
const SLICE_CHUNKS = 8;

export async function hashBlob(blob: Blob, chunkSize = DEFAULT_CHUNK_SIZE): Promise<FileHashes> {
  const size = blob.size;
  const count = Math.ceil(size / chunkSize);
  const chunkHashes = new Uint8Array(count * 32);
  const whole = sha256.create();
  let index = 0;
  for (let start = 0; start < size; start += chunkSize * SLICE_CHUNKS) {
    const slice = await readRange(blob, start, Math.min(size, start + chunkSize * SLICE_CHUNKS));
    whole.update(slice);
    for (let at = 0; at < slice.length; at += chunkSize, index++) {
      const chunk = slice.subarray(at, Math.min(slice.length, at + chunkSize));
      const digest = await crypto.subtle.digest('SHA-256', chunk as Uint8Array<ArrayBuffer>);
      chunkHashes.set(new Uint8Array(digest), index * 32);
    }
  }
  const root = new Uint8Array(
    await crypto.subtle.digest('SHA-256', chunkHashes as Uint8Array<ArrayBuffer>),
  );
  return { size, chunkSize, sha256: whole.digest(), chunkHashes, root };
}

export const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
