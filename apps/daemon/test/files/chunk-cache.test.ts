import { randomBytes } from 'node:crypto';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CACHE_MARKER, ChunkCache } from '../../src/files/chunk-cache.js';
import { type FileErrorCode, isFileError } from '../../src/files/errors.js';
import { shuffled, tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
let cacheDir: string;
const opened: ChunkCache[] = [];

beforeEach(async () => {
  dir = await tempDir();
  cacheDir = join(dir.path, 'cache');
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
  await dir.remove();
});

async function openCache(maxBytes: number, segmentBytes?: number): Promise<ChunkCache> {
  const cache = await ChunkCache.open(cacheDir, maxBytes, segmentBytes ? { segmentBytes } : {});
  opened.push(cache);
  return cache;
}

const code = (c: FileErrorCode) => (e: unknown) => isFileError(e, c);

/** Bytes of the segment files on disk. */
async function diskBytes(): Promise<number> {
  let total = 0;
  for (const name of await readdir(cacheDir)) {
    if (name !== CACHE_MARKER) total += (await stat(join(cacheDir, name))).size;
  }
  return total;
}

describe('ChunkCache', () => {
  it('stores and returns chunks, counting hits and misses', async () => {
    const cache = await openCache(1024 * 1024);
    const a = randomBytes(1000);
    await cache.put('f', 0, a);
    expect(cache.has('f', 0)).toBe(true);
    expect(cache.has('f', 1)).toBe(false);
    expect(cache.has('g', 0)).toBe(false);
    expect(Buffer.from((await cache.get('f', 0))!)).toEqual(a);
    expect(await cache.get('f', 1)).toBeUndefined();
    expect(await cache.get('g', 0)).toBeUndefined();
    expect(cache.hits).toBe(1);
    expect(cache.misses).toBe(2);
    expect(cache.bytes).toBe(1000);
    await cache.put('f', 0, randomBytes(1000)); // already cached: left as it is
    expect(Buffer.from((await cache.get('f', 0))!)).toEqual(a);
    expect(cache.bytes).toBe(1000);
  });

  it('evicts the oldest whole segments first and stays within maxBytes', async () => {
    // 4 segments of 4 chunks of 100 bytes.
    const cache = await openCache(1600, 400);
    const data = new Map<number, Buffer>();
    for (let i = 0; i < 30; i++) {
      data.set(i, randomBytes(100));
      await cache.put('f', i, data.get(i)!);
      expect(cache.bytes).toBeLessThanOrEqual(1600);
      expect(await diskBytes()).toBeLessThanOrEqual(1600);
    }
    // 30 chunks: segments 0..7; after chunk 29 the segments [12..15] [16..19] [20..23] [24..27]
    // were full and [28, 29] started one more, so [12..15] went.
    const held = [...data.keys()].filter((i) => cache.has('f', i));
    expect(held).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    for (const i of held) expect(Buffer.from((await cache.get('f', i))!)).toEqual(data.get(i));
    expect(cache.bytes).toBe(1400);
  });

  it('does not cache a chunk larger than the whole cache', async () => {
    const cache = await openCache(1000);
    await cache.put('f', 0, randomBytes(1001));
    expect(cache.has('f', 0)).toBe(false);
    expect(cache.bytes).toBe(0);
  });

  it('empties its folder on open (a restart keeps nothing)', async () => {
    const first = await openCache(10_000);
    await first.put('f', 0, randomBytes(100));
    await writeFile(join(cacheDir, 'segment-99.bin'), 'left over by a crash');
    const second = await ChunkCache.open(cacheDir, 10_000);
    opened.push(second);
    expect(second.has('f', 0)).toBe(false);
    expect(await readdir(cacheDir)).toEqual([CACHE_MARKER]);
  });

  it('refuses to empty a folder that is not a chunk cache', async () => {
    await mkdir(cacheDir);
    await writeFile(join(cacheDir, 'thesis.docx'), 'precious');
    await expect(ChunkCache.open(cacheDir, 10_000)).rejects.toSatisfy(code('INVALID_ARGUMENT'));
    expect(await readdir(cacheDir)).toEqual(['thesis.docx']);
    const file = join(dir.path, 'file');
    await writeFile(file, 'x');
    await expect(ChunkCache.open(file, 10_000)).rejects.toSatisfy(code('INVALID_ARGUMENT'));
  });

  it('validates its arguments', async () => {
    const bad = code('INVALID_ARGUMENT');
    await expect(ChunkCache.open(cacheDir, 0)).rejects.toSatisfy(bad);
    await expect(ChunkCache.open(cacheDir, 100, { segmentBytes: 101 })).rejects.toSatisfy(bad);
    const cache = await openCache(10_000);
    for (const id of ['', '../x', 'a/b', '..', 'x'.repeat(65)]) {
      await expect(cache.put(id, 0, randomBytes(10))).rejects.toSatisfy(bad);
      await expect(cache.get(id, 0)).rejects.toSatisfy(bad);
      expect(cache.has(id, 0)).toBe(false); // a predicate asked with wire input: no throw
    }
    for (const index of [-1, 0.5, Number.NaN]) {
      await expect(cache.put('f', index, randomBytes(10))).rejects.toSatisfy(bad);
      await expect(cache.get('f', index)).rejects.toSatisfy(bad);
      expect(cache.has('f', index)).toBe(false);
    }
    await expect(cache.put('f', 0, new Uint8Array(0))).rejects.toSatisfy(bad);
    await expect(cache.put('f', 0, 'x' as unknown as Uint8Array)).rejects.toSatisfy(bad);
  });

  it('deletes its segments on close and refuses use afterwards', async () => {
    const cache = await openCache(10_000, 1000);
    for (let i = 0; i < 30; i++) await cache.put('f', i, randomBytes(100));
    await cache.close();
    expect(await readdir(cacheDir)).toEqual([CACHE_MARKER]);
    await expect(cache.get('f', 0)).rejects.toSatisfy(code('INVALID_ARGUMENT'));
    await expect(cache.put('f', 0, randomBytes(1))).rejects.toSatisfy(code('INVALID_ARGUMENT'));
  });

  it('concurrent puts and gets never return wrong bytes (seeded)', async () => {
    const seed = 424_242;
    // Small segments and more chunks than fit: evictions run among the reads and writes,
    // and more segments than kept-open handles.
    const cache = await openCache(64 * 1024, 2048);
    const data = Array.from({ length: 600 }, (_, i) => randomBytes(200 + (i % 7) * 50));
    const ops = shuffled(
      data.flatMap((_, i) => [
        { kind: 'put' as const, i },
        { kind: 'get' as const, i },
        { kind: 'get' as const, i: (i * 7) % data.length },
      ]),
      seed,
    );
    let found = 0;
    await Promise.all(
      ops.map(async (op) => {
        const id = `file-${op.i % 5}`;
        if (op.kind === 'put') return cache.put(id, op.i, data[op.i]!);
        const got = await cache.get(id, op.i);
        if (got) {
          found++;
          expect(Buffer.from(got), `chunk ${op.i} seed ${seed}`).toEqual(data[op.i]);
        }
      }),
    );
    expect(cache.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(await diskBytes()).toBeLessThanOrEqual(64 * 1024);
    expect(cache.hits).toBe(found);
    expect(cache.hits + cache.misses).toBe(1200);
    // Whatever is still indexed reads back exactly.
    for (let i = 0; i < data.length; i++) {
      const id = `file-${i % 5}`;
      if (cache.has(id, i)) expect(Buffer.from((await cache.get(id, i))!)).toEqual(data[i]);
    }
    // The newest chunks are cached: roughly the last maxBytes worth.
    expect(cache.size).toBeGreaterThan(100);
  });
});
