import { randomBytes } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFileError } from '../../src/files/errors.js';
import {
  DEFAULT_CHUNK_SIZE,
  checkManifest,
  chunkCount,
  chunkHashOk,
  chunkHashesRoot,
  hashFile,
} from '../../src/files/manifest.js';
import { manifestOf, randomChunks, sha256, tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(() => dir.remove());

const invalid = (err: unknown): boolean => isFileError(err, 'INVALID_ARGUMENT');

describe('chunkCount', () => {
  it('counts whole and partial chunks, 0 for an empty file', () => {
    expect(chunkCount(0, 1024)).toBe(0);
    expect(chunkCount(1, 1024)).toBe(1);
    expect(chunkCount(1024, 1024)).toBe(1);
    expect(chunkCount(1025, 1024)).toBe(2);
    expect(chunkCount(2 ** 40, DEFAULT_CHUNK_SIZE)).toBe(2 ** 40 / DEFAULT_CHUNK_SIZE);
  });

  it('refuses sizes and chunk sizes that are not integers in range', () => {
    for (const [size, chunkSize] of [
      [-1, 1024],
      [1.5, 1024],
      [Number.NaN, 1024],
      [2 ** 53, 1024],
      [10, 0],
      [10, -5],
      [10, 1.5],
      [10, 17 * 1024 * 1024],
    ] as const) {
      expect(() => chunkCount(size, chunkSize)).toThrowError(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });
});

describe('hashFile', () => {
  it('hashes the whole file and each chunk, the last one shorter', async () => {
    const chunks = randomChunks(10_500, 1000);
    const path = join(dir.path, 'a.bin');
    await writeFile(path, Buffer.concat(chunks));
    const manifest = await hashFile(path, 1000);
    const expected = manifestOf(chunks, 1000);
    expect(manifest.size).toBe(10_500);
    expect(manifest.chunkSize).toBe(1000);
    expect(Buffer.from(manifest.sha256)).toEqual(Buffer.from(expected.sha256));
    expect(Buffer.from(manifest.chunkHashes)).toEqual(Buffer.from(expected.chunkHashes));
    expect(manifest.mtimeMs).toBe((await stat(path)).mtimeMs);
  });

  it('hashes across read buffers with a chunk size that does not divide a megabyte', async () => {
    const chunks = randomChunks(3 * 1024 * 1024 + 7, 3000);
    const path = join(dir.path, 'b.bin');
    await writeFile(path, Buffer.concat(chunks));
    const manifest = await hashFile(path, 3000);
    expect(Buffer.from(manifest.chunkHashes)).toEqual(
      Buffer.from(manifestOf(chunks, 3000).chunkHashes),
    );
    expect(Buffer.from(manifest.sha256)).toEqual(sha256(Buffer.concat(chunks)));
  });

  it('uses 64 KiB chunks by default and handles an empty file', async () => {
    const path = join(dir.path, 'empty');
    await writeFile(path, '');
    const manifest = await hashFile(path);
    expect(manifest.chunkSize).toBe(DEFAULT_CHUNK_SIZE);
    expect(manifest.size).toBe(0);
    expect(manifest.chunkHashes.length).toBe(0);
    expect(Buffer.from(manifest.sha256)).toEqual(sha256(new Uint8Array(0)));
  });

  it('is MISSING for a missing file and INVALID_ARGUMENT for a folder', async () => {
    await expect(hashFile(join(dir.path, 'nope'))).rejects.toSatisfy((e) =>
      isFileError(e, 'MISSING'),
    );
    await mkdir(join(dir.path, 'folder'));
    await expect(hashFile(join(dir.path, 'folder'))).rejects.toSatisfy(invalid);
    await expect(hashFile('', 1024)).rejects.toSatisfy(invalid);
    await expect(hashFile(join(dir.path, 'x'), 0)).rejects.toSatisfy(invalid);
  });
});

describe('chunk hashes', () => {
  const chunks = randomChunks(2500, 1000);
  const manifest = manifestOf(chunks, 1000);

  it('the root is the SHA-256 of the concatenated chunk hashes', () => {
    expect(Buffer.from(chunkHashesRoot(manifest.chunkHashes))).toEqual(
      sha256(manifest.chunkHashes),
    );
    expect(() => chunkHashesRoot(new Uint8Array(31))).toThrow();
  });

  it('chunkHashOk checks the bytes and the length (the last chunk is shorter)', () => {
    expect(chunkHashOk(manifest, 0, chunks[0]!)).toBe(true);
    expect(chunkHashOk(manifest, 2, chunks[2]!)).toBe(true);
    expect(chunks[2]!.length).toBe(500);
    expect(chunkHashOk(manifest, 1, chunks[0]!)).toBe(false);
    const flipped = Buffer.from(chunks[1]!);
    flipped[7]! ^= 1;
    expect(chunkHashOk(manifest, 1, flipped)).toBe(false);
    expect(chunkHashOk(manifest, 2, Buffer.concat([chunks[2]!, randomBytes(500)]))).toBe(false);
    expect(chunkHashOk(manifest, 0, chunks[0]!.subarray(0, 999))).toBe(false);
  });

  it('an index outside the file is an INVALID_ARGUMENT', () => {
    for (const index of [-1, 3, 0.5, Number.NaN]) {
      expect(() => chunkHashOk(manifest, index, chunks[0]!)).toThrowError(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });

  it('checkManifest refuses a manifest whose parts do not fit', () => {
    expect(checkManifest(manifest)).toBe(3);
    const bad = [
      { ...manifest, sha256: new Uint8Array(31) },
      { ...manifest, chunkHashes: manifest.chunkHashes.subarray(32) },
      { ...manifest, size: 3001 },
      { ...manifest, chunkSize: 0 },
    ];
    for (const m of bad) expect(() => checkManifest(m)).toThrow();
  });
});
