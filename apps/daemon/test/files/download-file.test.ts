import { open, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadFile } from '../../src/files/download-file.js';
import { PARTIAL_DIR } from '../../src/files/partial-files.js';
import { type FileErrorCode, isFileError } from '../../src/files/errors.js';
import type { FileManifest } from '../../src/files/manifest.js';
import { manifestOf, randomChunks, sha256, shuffled, tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
const opened: DownloadFile[] = [];
const CHUNK = 1024;
const chunks = randomChunks(20 * CHUNK + 300, CHUNK); // 21 chunks, the last 300 bytes
const manifest = manifestOf(chunks, CHUNK);
const whole = Buffer.concat(chunks);

beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close().catch(() => undefined)));
  await dir.remove();
});

async function openDownload(
  m: FileManifest = manifest,
  id = 'file-1',
  options?: Parameters<typeof DownloadFile.open>[3],
): Promise<DownloadFile> {
  const download = await DownloadFile.open(dir.path, id, m, options);
  opened.push(download);
  return download;
}

const code = (c: FileErrorCode) => (e: unknown) => isFileError(e, c);
const partial = (name: string): string => join(dir.path, PARTIAL_DIR, name);

describe('DownloadFile', () => {
  it('starts with every chunk missing', async () => {
    const download = await openDownload();
    expect(download.chunkCount).toBe(21);
    expect(download.missing()).toEqual([{ start: 0, end: 21 }]);
    expect(download.received).toBe(0);
    expect(download.bytesDone).toBe(0);
    expect(await download.read(0)).toBeUndefined();
    expect((await stat(partial('file-1.part'))).size).toBe(whole.length);
  });

  it('writes verified chunks, refuses others, and serves what it holds', async () => {
    const download = await openDownload();
    expect(await download.write(3, chunks[4]!)).toBe(false);
    expect(await download.write(20, chunks[20]!.subarray(1))).toBe(false);
    expect(download.has(3)).toBe(false);
    expect(download.received).toBe(0);

    expect(await download.write(3, chunks[3]!)).toBe(true);
    expect(await download.write(3, chunks[3]!)).toBe(true); // idempotent
    expect(await download.write(20, chunks[20]!)).toBe(true);
    expect(download.has(3)).toBe(true);
    expect(download.received).toBe(2);
    expect(download.bytesDone).toBe(CHUNK + 300);
    expect(Buffer.from((await download.read(3))!)).toEqual(chunks[3]);
    expect(Buffer.from((await download.read(20))!)).toEqual(chunks[20]);
    expect(download.missing()).toEqual([
      { start: 0, end: 3 },
      { start: 4, end: 20 },
    ]);
  });

  it('validates indexes, data and ids', async () => {
    const download = await openDownload();
    const bad = code('INVALID_ARGUMENT');
    for (const index of [-1, 21, 2.5, Number.NaN]) {
      await expect(download.write(index, chunks[0]!)).rejects.toSatisfy(bad);
      await expect(download.read(index)).rejects.toSatisfy(bad);
      expect(download.has(index)).toBe(false); // a predicate asked with wire input: no throw
    }
    await expect(download.write(0, 'text' as unknown as Uint8Array)).rejects.toSatisfy(bad);
    for (const id of ['', '../x', 'a/b', '..', '.', 'a.b', 'x'.repeat(65), 'é', 'a\0']) {
      await expect(DownloadFile.open(dir.path, id, manifest)).rejects.toSatisfy(bad);
    }
    await expect(
      DownloadFile.open(dir.path, 'f', { ...manifest, chunkHashes: new Uint8Array(32) }),
    ).rejects.toSatisfy(bad);
    expect((await readdir(join(dir.path, PARTIAL_DIR))).sort()).toEqual([
      'file-1.have',
      'file-1.part',
    ]);
  });

  it('cannot be opened twice at once in one process', async () => {
    await openDownload();
    await expect(DownloadFile.open(dir.path, 'file-1', manifest)).rejects.toSatisfy(
      code('INVALID_ARGUMENT'),
    );
  });

  it('resumes after close with exactly the chunks held', async () => {
    const first = await openDownload();
    for (const i of [0, 1, 2, 7, 20]) await first.write(i, chunks[i]!);
    await first.close();
    await expect(first.write(3, chunks[3]!)).rejects.toSatisfy(code('INVALID_ARGUMENT'));
    const again = await openDownload();
    expect(again.received).toBe(5);
    expect(again.missing()).toEqual([
      { start: 3, end: 7 },
      { start: 8, end: 20 },
    ]);
    expect(Buffer.from((await again.read(7))!)).toEqual(chunks[7]);
  });

  it('starts afresh when the partial belongs to another manifest or is damaged', async () => {
    const first = await openDownload();
    await first.write(0, chunks[0]!);
    await first.close();
    const other = manifestOf(randomChunks(21 * CHUNK, CHUNK), CHUNK);
    const second = await openDownload(other);
    expect(second.received).toBe(0);
    await second.close();

    const third = await openDownload();
    await third.write(0, chunks[0]!);
    await third.close();
    await writeFile(partial('file-1.have'), Buffer.from('garbage'));
    const fourth = await openDownload();
    expect(fourth.received).toBe(0);
    await fourth.close();
  });

  it('records a chunk in the .have file only after a sync, and syncs in batches', async () => {
    const download = await openDownload(manifest, 'file-1', {
      syncBatchBytes: 4 * CHUNK,
      syncIntervalMs: 60_000,
    });
    const bitsOnDisk = async (): Promise<number> => {
      const bytes = (await readFile(partial('file-1.have'))).subarray(40);
      return bytes.reduce((n, b) => n + b.toString(2).replaceAll('0', '').length, 0);
    };
    for (let i = 0; i < 3; i++) await download.write(i, chunks[i]!);
    expect(download.received).toBe(3);
    expect(await bitsOnDisk()).toBe(0);
    await download.write(3, chunks[3]!); // the batch is full: synced before write returns
    expect(await bitsOnDisk()).toBe(4);
    await download.write(4, chunks[4]!);
    expect(await bitsOnDisk()).toBe(4);
    await download.flush();
    expect(await bitsOnDisk()).toBe(5);
  });

  it('syncs a partly filled batch after the interval', async () => {
    const download = await openDownload(manifest, 'file-1', { syncIntervalMs: 20 });
    await download.write(5, chunks[5]!);
    await new Promise((r) => setTimeout(r, 100));
    const bytes = (await readFile(partial('file-1.have'))).subarray(40);
    expect(bytes[0]).toBe(0b100000);
  });

  it('finishes: checks the hash, moves to a free name and removes the partial', async () => {
    const target = join(dir.path, 'Downloads');
    for (const id of ['one', 'two']) {
      const download = await openDownload(manifest, id);
      await expect(download.finish(target, 'report.pdf')).rejects.toSatisfy(
        code('INVALID_ARGUMENT'),
      );
      await Promise.all(shuffled(chunks, 7).map((c) => download.write(chunks.indexOf(c), c)));
      expect(download.missing()).toEqual([]);
      expect(download.bytesDone).toBe(whole.length);
      await expect(download.finish(target, '../x')).rejects.toSatisfy(code('INVALID_ARGUMENT'));
      const path = await download.finish(target, 'report.pdf');
      expect(path).toBe(join(target, id === 'one' ? 'report.pdf' : 'report (1).pdf'));
      expect(sha256(await readFile(path))).toEqual(sha256(whole));
      await expect(download.read(0)).rejects.toSatisfy(code('INVALID_ARGUMENT'));
    }
    expect(await readdir(join(dir.path, PARTIAL_DIR))).toEqual([]);
  });

  it('finishes an empty file', async () => {
    const empty = manifestOf([], CHUNK);
    const download = await openDownload(empty, 'empty');
    expect(download.missing()).toEqual([]);
    const path = await download.finish(dir.path, 'empty.txt');
    expect((await stat(path)).size).toBe(0);
  });

  it('is HASH_MISMATCH, and discards the partial, when the whole does not match', async () => {
    const lying = { ...manifest, sha256: sha256(Buffer.from('something else')) };
    const download = await openDownload(lying, 'liar');
    for (let i = 0; i < chunks.length; i++) await download.write(i, chunks[i]!);
    await expect(download.finish(dir.path, 'x.bin')).rejects.toSatisfy(code('HASH_MISMATCH'));
    expect(await readdir(join(dir.path, PARTIAL_DIR))).toEqual([]);
    expect(await readdir(dir.path)).toEqual([PARTIAL_DIR]);
  });

  it('is BAD_CHUNK when bytes on disk were damaged, and marks just those chunks missing', async () => {
    const download = await openDownload();
    for (let i = 0; i < chunks.length; i++) await download.write(i, chunks[i]!);
    const handle = await open(partial('file-1.part'), 'r+');
    await handle.write(Buffer.from('rot'), 0, 3, 5 * CHUNK + 10);
    await handle.close();
    await expect(download.finish(dir.path, 'x.bin')).rejects.toSatisfy(code('BAD_CHUNK'));
    expect(download.missing()).toEqual([{ start: 5, end: 6 }]);
    expect(await download.write(5, chunks[5]!)).toBe(true);
    const path = await download.finish(dir.path, 'x.bin');
    expect(sha256(await readFile(path))).toEqual(sha256(whole));
  });

  it('discard removes the partial files', async () => {
    const download = await openDownload();
    await download.write(0, chunks[0]!);
    await download.discard();
    await download.discard();
    expect(await readdir(join(dir.path, PARTIAL_DIR))).toEqual([]);
    const again = await openDownload();
    expect(again.received).toBe(0);
  });

  it('concurrent writes of the same chunk store it once', async () => {
    const download = await openDownload();
    const results = await Promise.all([1, 2, 3].map(() => download.write(9, chunks[9]!)));
    expect(results).toEqual([true, true, true]);
    expect(download.received).toBe(1);
  });
});
