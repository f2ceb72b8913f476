/** Shared by the file storage tests: temp folders, generated files, manifests of chunks. */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileManifest } from '../../src/files/manifest.js';

export const MiB = 1024 * 1024;

/** A fresh temp folder and its removal. */
export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'poolnet-files-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Writes `size` random bytes to `path`, streaming a megabyte at a time through one reused
 * buffer: generating leaves no freed memory behind to blur the measurements of memory tests.
 */
export async function writeRandomFile(path: string, size: number): Promise<void> {
  const buffer = Buffer.allocUnsafe(MiB);
  const handle = await open(path, 'w');
  try {
    for (let at = 0; at < size; at += buffer.length) {
      const n = Math.min(buffer.length, size - at);
      randomFillSync(buffer, 0, n);
      await handle.write(buffer, 0, n);
    }
  } finally {
    await handle.close();
  }
}

export const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

/** The manifest of the file made of `chunks` in order (all but the last `chunkSize` long). */
export function manifestOf(chunks: readonly Uint8Array[], chunkSize: number): FileManifest {
  const whole = createHash('sha256');
  const chunkHashes = new Uint8Array(chunks.length * 32);
  let size = 0;
  chunks.forEach((chunk, i) => {
    whole.update(chunk);
    chunkHashes.set(sha256(chunk), i * 32);
    size += chunk.length;
  });
  return { size, chunkSize, sha256: new Uint8Array(whole.digest()), chunkHashes };
}

/** `size` random bytes cut into chunks. */
export function randomChunks(size: number, chunkSize: number): Uint8Array[] {
  const data = randomBytes(size);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < size; at += chunkSize) chunks.push(data.subarray(at, at + chunkSize));
  return chunks;
}

/** Fisher–Yates with a seeded generator (mulberry32), so a failure can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Runs `op` while sampling the resident set size; returns the largest growth seen, in bytes. */
export async function rssGrowth(op: () => Promise<unknown>): Promise<number> {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 2);
  try {
    await op();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  return peak - base;
}
