/**
 * Run by download-crash.test.ts in a child process: downloads chunks of a source file in a
 * shuffled order into a DownloadFile, printing each index once written, and is killed
 * mid-download (by itself after `stopAfter` chunks, or by the parent).
 *
 * argv: dir manifest.json source seed stopAfter syncBatchBytes
 */
import { writeSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { DownloadFile } from '../../src/files/download-file.js';
import { shuffled } from './helpers.js';

const [dir, manifestPath, source, seed, stopAfter, batch] = process.argv.slice(2) as string[];
const json = JSON.parse(await readFile(manifestPath!, 'utf8')) as Record<string, string | number>;
const manifest = {
  size: Number(json.size),
  chunkSize: Number(json.chunkSize),
  sha256: Buffer.from(String(json.sha256), 'hex'),
  chunkHashes: Buffer.from(String(json.chunkHashes), 'hex'),
};
const download = await DownloadFile.open(dir!, 'crash', manifest, {
  syncBatchBytes: Number(batch),
  syncIntervalMs: 600_000,
});
const count = manifest.chunkHashes.length / 32;
const order = shuffled(
  Array.from({ length: count }, (_, i) => i),
  Number(seed),
);
const file = await open(source!, 'r');
const stop = Number(stopAfter);
for (const [n, index] of order.entries()) {
  if (n === stop) process.kill(process.pid, 'SIGKILL');
  const chunk = Buffer.alloc(
    Math.min(manifest.chunkSize, manifest.size - index * manifest.chunkSize),
  );
  await file.read(chunk, 0, chunk.length, index * manifest.chunkSize);
  await download.write(index, chunk);
  // Synchronous, so the parent sees every index written before the kill.
  writeSync(1, `${index}\n`);
}
// Written everything without being killed: wait for the parent's signal.
setInterval(() => undefined, 1000);
