/**
 * The hash list of a file: SHA-256 of every chunk, concatenated. An offer carries only its
 * root (SHA-256 of the list, FileInfo.chunk_hashes_root); the list itself travels as "hash
 * chunks", chunk indices from HASH_CHUNK_BASE up, each holding up to chunk_size bytes of the
 * list (FT1). A receiver fetches them first and checks them against the root, then checks
 * every data chunk against its entry.
 */
import type { FileInfo } from '@poolnet/protocol';
import type { Crypto } from '../ports/crypto.js';

export const HASH_BYTES = 32;
/** Chunk indices at and above this address the hash list, not the file. */
export const HASH_CHUNK_BASE = 2 ** 48;

export const dataChunkCount = (info: Pick<FileInfo, 'size' | 'chunkSize'>): number =>
  Math.ceil(Number(info.size) / info.chunkSize);

export const hashChunkCount = (info: Pick<FileInfo, 'size' | 'chunkSize'>): number =>
  Math.ceil((dataChunkCount(info) * HASH_BYTES) / info.chunkSize);

export const isHashChunk = (index: number): boolean => index >= HASH_CHUNK_BASE;

/** Hash chunk `k` (k counted from 0) of a hash list. */
export function hashChunk(list: Uint8Array, k: number, chunkSize: number): Uint8Array | undefined {
  const start = k * chunkSize;
  if (!Number.isInteger(k) || k < 0 || start >= list.length) return undefined;
  return list.subarray(start, Math.min(list.length, start + chunkSize));
}

/** Expected byte length of data chunk `index`. */
export function chunkLength(info: Pick<FileInfo, 'size' | 'chunkSize'>, index: number): number {
  const size = Number(info.size);
  return Math.max(0, Math.min(info.chunkSize, size - index * info.chunkSize));
}

/** Collects hash chunks and checks the whole list against the offer's root. */
export class HashListAssembler {
  private readonly parts: (Uint8Array | undefined)[];
  private held = 0;

  constructor(
    private readonly info: FileInfo,
    private readonly crypto: Crypto,
  ) {
    this.parts = new Array<Uint8Array | undefined>(hashChunkCount(info)).fill(undefined);
  }

  get count(): number {
    return this.parts.length;
  }

  get complete(): boolean {
    return this.held === this.parts.length;
  }

  has(k: number): boolean {
    return this.parts[k] !== undefined;
  }

  /** Keeps hash chunk `k` if its length is right; false otherwise. */
  put(k: number, data: Uint8Array): boolean {
    if (!Number.isInteger(k) || k < 0 || k >= this.parts.length) return false;
    const total = dataChunkCount(this.info) * HASH_BYTES;
    const expected = Math.min(this.info.chunkSize, total - k * this.info.chunkSize);
    if (data.length !== expected) return false;
    if (this.parts[k] === undefined) this.held++;
    this.parts[k] = data.slice();
    return true;
  }

  /** The list if complete and matching the root; undefined (and emptied) otherwise. */
  verified(): Uint8Array | undefined {
    if (!this.complete) return undefined;
    const list = new Uint8Array(dataChunkCount(this.info) * HASH_BYTES);
    let at = 0;
    for (const part of this.parts) {
      list.set(part as Uint8Array, at);
      at += (part as Uint8Array).length;
    }
    if (equalBytes(this.crypto.sha256(list), this.info.chunkHashesRoot)) return list;
    this.parts.fill(undefined);
    this.held = 0;
    return undefined;
  }
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `data` is data chunk `index` of a file with hash list `list`. */
export function chunkMatches(
  crypto: Crypto,
  info: Pick<FileInfo, 'size' | 'chunkSize'>,
  list: Uint8Array,
  index: number,
  data: Uint8Array,
): boolean {
  if (data.length !== chunkLength(info, index) || data.length === 0) return false;
  const expected = list.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
  return expected.length === HASH_BYTES && equalBytes(crypto.sha256(data), expected);
}
