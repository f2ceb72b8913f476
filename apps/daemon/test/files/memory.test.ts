/**
 * Memory stays flat: hashing and downloading a file costs a few megabytes however large it is
 * (64 MiB here; the same holds for 1 GiB, which would only make the suite slower).
 */
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadFile } from '../../src/files/download-file.js';
import { type FileManifest, hashFile } from '../../src/files/manifest.js';
import { SharedFile } from '../../src/files/shared-file.js';
import { MiB, rssGrowth, sha256, tempDir, writeRandomFile } from './helpers.js';

const SIZE = 64 * MiB;
const LIMIT = 40 * MiB;

let dir: { path: string; remove: () => Promise<void> };
let source: string;

beforeAll(async () => {
  dir = await tempDir();
  source = join(dir.path, 'big.bin');
  await writeRandomFile(source, SIZE);
});
afterAll(() => dir.remove());

describe('memory', () => {
  let manifest: FileManifest & { mtimeMs: number };

  it('hashing a 64 MiB file grows RSS by less than 40 MB', async () => {
    const growth = await rssGrowth(async () => {
      manifest = await hashFile(source);
    });
    console.log(`hashFile 64 MiB: RSS +${(growth / MiB).toFixed(1)} MiB`);
    expect(manifest.size).toBe(SIZE);
    expect(growth).toBeLessThan(LIMIT);
  });

  it('downloading a 64 MiB file (every chunk written, then finish) grows RSS by less than 40 MB', async () => {
    let path = '';
    const growth = await rssGrowth(async () => {
      // The chunks arrive in one reused buffer: what is measured is the download's own memory.
      const chunk = Buffer.allocUnsafe(manifest.chunkSize);
      const input = await open(source, 'r');
      const download = await DownloadFile.open(dir.path, 'big', manifest);
      for (let i = 0; i < download.chunkCount; i++) {
        const { bytesRead } = await input.read(chunk, 0, chunk.length, i * chunk.length);
        if (!(await download.write(i, chunk.subarray(0, bytesRead)))) throw new Error(`chunk ${i}`);
      }
      await input.close();
      path = await download.finish(dir.path, 'copy.bin');
    });
    console.log(`DownloadFile write+finish 64 MiB: RSS +${(growth / MiB).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(LIMIT);
    // Checked after the measurement: reading it back whole is the test's doing, not the code's.
    expect(sha256(await readFile(path))).toEqual(sha256(await readFile(source)));
  });

  it('serving a 64 MiB file chunk by chunk holds no memory (measured, printed)', async () => {
    const growth = await rssGrowth(async () => {
      const offer = await SharedFile.open(source, manifest, manifest.chunkSize);
      for (let i = 0; i < offer.chunkCount; i++) await offer.read(i);
      await offer.close();
    });
    // Each chunk read is a fresh buffer handed to the caller, so the growth is garbage V8 has
    // not collected yet (it collects external memory in steps of tens of megabytes), not
    // memory held: printed, not asserted.
    console.log(`SharedFile.read of 64 MiB: RSS +${(growth / MiB).toFixed(1)} MiB`);
  });
});
