import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadFile } from '../../src/files/download-file.js';
import { type FileManifest, chunkHashOk, hashFile } from '../../src/files/manifest.js';
import { shuffled, sha256, tempDir, writeRandomFile } from './helpers.js';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const CHUNK = 16 * 1024;
const COUNT = 256;
const BATCH_CHUNKS = 16;
const SEED = 20_240_611;

let dir: { path: string; remove: () => Promise<void> };
let source: string;
let manifest: FileManifest;
let manifestPath: string;

beforeEach(async () => {
  dir = await tempDir();
  source = join(dir.path, 'source.bin');
  await writeRandomFile(source, COUNT * CHUNK - 1000);
  manifest = await hashFile(source, CHUNK);
  manifestPath = join(dir.path, 'manifest.json');
  await writeFile(
    manifestPath,
    JSON.stringify({
      size: manifest.size,
      chunkSize: manifest.chunkSize,
      sha256: Buffer.from(manifest.sha256).toString('hex'),
      chunkHashes: Buffer.from(manifest.chunkHashes).toString('hex'),
    }),
  );
});
afterEach(() => dir.remove());

/**
 * Runs the child until it is killed: by itself after `stopAfter` chunks, or (stopAfter -1)
 * by this process once it has reported `killAfter` chunks. Returns the indexes it reported.
 */
function runChild(stopAfter: number, killAfter = Infinity): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CHILD,
        join(dir.path, 'downloads'),
        manifestPath,
        source,
        String(SEED),
        String(stopAfter),
        String(BATCH_CHUNKS * CHUNK),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (data: Buffer) => {
      out += data.toString();
      if (out.split('\n').length - 1 >= killAfter) child.kill('SIGKILL');
    });
    child.stderr.on('data', (data: Buffer) => (err += data.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`child ended without a kill: ${err}`));
      resolve(
        out
          .split('\n')
          .filter((line) => line !== '')
          .map(Number),
      );
    });
  });
}

const order = shuffled(
  Array.from({ length: COUNT }, (_, i) => i),
  SEED,
);

async function heldAfterReopen(): Promise<{ download: DownloadFile; held: number[] }> {
  const download = await DownloadFile.open(join(dir.path, 'downloads'), 'crash', manifest);
  const held = order.filter((i) => download.has(i));
  // has() never claims a chunk whose bytes are not there.
  for (const index of held) {
    expect(chunkHashOk(manifest, index, (await download.read(index))!), `chunk ${index}`).toBe(
      true,
    );
  }
  return { download, held };
}

async function completeAndCheck(download: DownloadFile): Promise<void> {
  const data = await readFile(source);
  for (const { start, end } of download.missing()) {
    for (let i = start; i < end; i++) {
      expect(await download.write(i, data.subarray(i * CHUNK, (i + 1) * CHUNK))).toBe(true);
    }
  }
  const path = await download.finish(dir.path, 'done.bin');
  expect(sha256(await readFile(path))).toEqual(sha256(data));
}

describe('DownloadFile after a crash (seed ' + SEED + ')', () => {
  it('a process killed mid-download resumes with the synced batches; the rest is missing', async () => {
    const stop = COUNT / 2 + 5; // half the chunks and part of a batch
    const written = await runChild(stop);
    expect(written).toEqual(order.slice(0, stop));

    const { download, held } = await heldAfterReopen();
    // Exactly the full batches are held; the last, unsynced batch is to be fetched again.
    const synced = Math.floor(stop / BATCH_CHUNKS) * BATCH_CHUNKS;
    expect(held).toEqual(order.slice(0, synced));
    const missing = new Set<number>();
    for (const { start, end } of download.missing())
      for (let i = start; i < end; i++) missing.add(i);
    expect([...missing].sort((a, b) => a - b)).toEqual(order.slice(synced).sort((a, b) => a - b));
    expect(stop - synced).toBeLessThan(BATCH_CHUNKS);
    await completeAndCheck(download);
  });

  it('a process killed at any moment never leaves a chunk claimed that is not there', async () => {
    const reported = await runChild(-1, 100);
    const { download, held } = await heldAfterReopen();
    expect(held.length).toBeLessThan(COUNT); // killed mid-download, not after it
    // A prefix of the write order, in whole batches, at most one batch behind what was seen.
    expect(held.length % BATCH_CHUNKS).toBe(0);
    expect(held).toEqual(order.slice(0, held.length));
    expect(held.length).toBeGreaterThan(reported.length - BATCH_CHUNKS);
    await completeAndCheck(download);
  });
});
