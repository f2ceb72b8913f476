/**
 * Throughput of the disk side with 64 KiB chunks, printed as JSON (not asserted: machines
 * differ). The target is > 300 MB/s for DownloadFile.write and read. Data repeats a pool of
 * random chunks so that generating it costs nothing; the page cache is warm for reads.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChunkCache } from '../../src/files/chunk-cache.js';
import { DownloadFile } from '../../src/files/download-file.js';
import { DEFAULT_CHUNK_SIZE, hashFile } from '../../src/files/manifest.js';
import { SharedFile } from '../../src/files/shared-file.js';
import { MiB, manifestOf, randomChunks, tempDir } from './helpers.js';

const COUNT = 1024; // 64 MiB
const pool = randomChunks(16 * DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_SIZE);
const chunks = Array.from({ length: COUNT }, (_, i) => pool[i % pool.length]!);
const manifest = manifestOf(chunks, DEFAULT_CHUNK_SIZE);
const BYTES = COUNT * DEFAULT_CHUNK_SIZE;

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

const results: Record<string, number> = {};

/** Records MB/s of `op` over BYTES; `rounds` > 1 keeps the best (for repeatable reads). */
async function measure(name: string, op: () => Promise<unknown>, rounds = 1): Promise<void> {
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    await op();
    const seconds = (performance.now() - start) / 1000;
    best = Math.max(best, Math.round(BYTES / 1e6 / seconds));
  }
  results[name] = best;
}

/** Runs `op` for every index with `width` calls in flight. */
async function inFlight(width: number, op: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < COUNT) await op(next++);
    }),
  );
}

it('prints MB/s of write, read, finish, hashing and the cache for 64 KiB chunks', async () => {
  // Warm up the JIT on a short run first.
  const warm = await DownloadFile.open(dir.path, 'warm-up', manifest);
  for (let i = 0; i < 128; i++) await warm.write(i, chunks[i]!);
  for (let i = 0; i < 128; i++) await warm.read(i);
  await warm.discard();

  const one = await DownloadFile.open(dir.path, 'sequential', manifest);
  await measure('DownloadFile.write, one at a time', () =>
    inFlight(1, (i) => one.write(i, chunks[i]!)),
  );
  await measure('DownloadFile.read, one at a time', () => inFlight(1, (i) => one.read(i)), 2);
  let path = '';
  await measure('DownloadFile.finish', async () => {
    path = await one.finish(dir.path, 'file.bin');
  });

  const many = await DownloadFile.open(dir.path, 'parallel', manifest);
  await measure('DownloadFile.write, 8 in flight', () =>
    inFlight(8, (i) => many.write(i, chunks[i]!)),
  );
  await measure('DownloadFile.read, 8 in flight', () => inFlight(8, (i) => many.read(i)), 2);
  expect(many.received).toBe(COUNT);
  await many.discard();

  await measure('hashFile', () => hashFile(path));
  const { size, mtimeMs } = await hashFile(path);
  const shared = await SharedFile.open(path, { size, mtimeMs }, DEFAULT_CHUNK_SIZE);
  await measure('SharedFile.read, one at a time', () => inFlight(1, (i) => shared.read(i)), 2);
  await shared.close();

  const cache = await ChunkCache.open(join(dir.path, 'cache'), 256 * MiB);
  await measure('ChunkCache.put, one at a time', () =>
    inFlight(1, (i) => cache.put('f', i, chunks[i]!)),
  );
  await measure('ChunkCache.get, one at a time', () => inFlight(1, (i) => cache.get('f', i)), 2);
  expect(cache.hits).toBe(2 * COUNT);
  await cache.close();

  console.log(
    JSON.stringify({ chunkBytes: DEFAULT_CHUNK_SIZE, totalMiB: 64, mbPerSecond: results }, null, 2),
  );
});
