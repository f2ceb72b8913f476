import { appendFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFileError } from '../../src/files/errors.js';
import { SharedFile } from '../../src/files/shared-file.js';
import { randomChunks, tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
let path: string;
const chunks = randomChunks(10_000, 4096);
const opened: SharedFile[] = [];

beforeEach(async () => {
  dir = await tempDir();
  path = join(dir.path, 'offer.bin');
  await writeFile(path, Buffer.concat(chunks));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((f) => f.close()));
  await dir.remove();
});

async function openShared(options?: Parameters<typeof SharedFile.open>[3]): Promise<SharedFile> {
  const { size, mtimeMs } = await stat(path);
  const file = await SharedFile.open(path, { size, mtimeMs }, 4096, options);
  opened.push(file);
  return file;
}

const code = (c: string) => (e: unknown) => isFileError(e, c as 'CHANGED');

describe('SharedFile', () => {
  it('reads each chunk in place, the last one shorter', async () => {
    const file = await openShared();
    expect(file.chunkCount).toBe(3);
    expect(file.size).toBe(10_000);
    for (let i = 0; i < 3; i++) expect(Buffer.from(await file.read(i))).toEqual(chunks[i]);
    expect((await file.read(2)).length).toBe(10_000 - 2 * 4096);
    expect(await file.stillValid()).toBe(true);
  });

  it('opening is CHANGED when size or mtime differ, MISSING when the file is gone', async () => {
    const { size, mtimeMs } = await stat(path);
    await expect(SharedFile.open(path, { size: size + 1, mtimeMs }, 4096)).rejects.toSatisfy(
      code('CHANGED'),
    );
    await expect(SharedFile.open(path, { size, mtimeMs: mtimeMs - 5000 }, 4096)).rejects.toSatisfy(
      code('CHANGED'),
    );
    // An mtime stored with whole milliseconds still matches.
    const file = await SharedFile.open(path, { size, mtimeMs: Math.floor(mtimeMs) }, 4096);
    opened.push(file);
    await expect(
      SharedFile.open(join(dir.path, 'gone'), { size, mtimeMs }, 4096),
    ).rejects.toSatisfy(code('MISSING'));
  });

  it('validates its arguments', async () => {
    const { size, mtimeMs } = await stat(path);
    const bad = code('INVALID_ARGUMENT');
    await expect(SharedFile.open(path, { size, mtimeMs }, 0)).rejects.toSatisfy(bad);
    await expect(SharedFile.open(path, { size: -1, mtimeMs }, 4096)).rejects.toSatisfy(bad);
    await expect(SharedFile.open(path, { size, mtimeMs: Number.NaN }, 4096)).rejects.toSatisfy(bad);
    await expect(SharedFile.open(dir.path, { size, mtimeMs }, 4096)).rejects.toSatisfy(bad);
    const file = await openShared();
    for (const index of [-1, 3, 1.5]) await expect(file.read(index)).rejects.toSatisfy(bad);
    await file.close();
    await expect(file.read(0)).rejects.toSatisfy(bad);
    expect(await file.stillValid()).toBe(false);
  });

  it('notices an edit at the next check, not before (checks at most every interval)', async () => {
    let now = 0;
    const file = await openShared({ now: () => now });
    await appendFile(path, 'more');
    // Within the interval the path is not looked at.
    now = 999;
    expect(Buffer.from(await file.read(0))).toEqual(chunks[0]);
    now = 1000;
    await expect(file.read(0)).rejects.toSatisfy(code('CHANGED'));
    // Once changed, always changed.
    await expect(file.read(1)).rejects.toSatisfy(code('CHANGED'));
    expect(await file.stillValid()).toBe(false);
  });

  it('stillValid sees a new mtime with the same size', async () => {
    const file = await openShared({ now: () => 0 });
    await utimes(path, new Date(), new Date(Date.now() + 60_000));
    expect(await file.stillValid()).toBe(false);
    await expect(file.read(0)).rejects.toSatisfy(code('CHANGED'));
  });

  it('is CHANGED when another file is renamed over the path, even with the same size and times', async () => {
    const before = await stat(path);
    const file = await openShared({ checkIntervalMs: 0 });
    const other = join(dir.path, 'other.bin');
    await writeFile(other, Buffer.alloc(10_000));
    await utimes(other, before.atime, before.mtime);
    await rename(other, path);
    await expect(file.read(0)).rejects.toSatisfy(code('CHANGED'));
  });

  it('is MISSING once the file is removed', async () => {
    const file = await openShared({ checkIntervalMs: 0 });
    await rm(path);
    await expect(file.read(0)).rejects.toSatisfy(code('MISSING'));
    expect(await file.stillValid()).toBe(false);
  });

  it('is CHANGED when the file is truncated between two checks', async () => {
    const file = await openShared({ now: () => 0 });
    await writeFile(path, Buffer.alloc(100));
    await expect(file.read(2)).rejects.toSatisfy(code('CHANGED'));
  });
});
