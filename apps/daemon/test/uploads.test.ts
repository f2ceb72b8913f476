/**
 * Uploads from the web UI: names reduced to one safe segment, bodies streamed to disk, and a
 * body over the limit refused with nothing left behind.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { receiveUpload, safeFileName } from '../src/daemon/uploads.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'poolnet-uploads-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const body = (chunks: string[], headers: Record<string, string> = {}) =>
  Object.assign(Readable.from(chunks.map((c) => Buffer.from(c))), {
    headers,
  }) as unknown as IncomingMessage;

describe('uploads', () => {
  it('makes names one safe path segment', () => {
    expect(safeFileName('photo.jpg')).toBe('photo.jpg');
    expect(safeFileName('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(safeFileName('..')).toBe('file');
    expect(safeFileName('.hidden')).toBe('hidden');
    expect(safeFileName('a\\b\u0000c\nd')).toBe('a_b_c_d');
    expect(safeFileName('   ')).toBe('file');
    expect(Buffer.byteLength(safeFileName('é'.repeat(300)))).toBeLessThanOrEqual(200);
  });

  it('streams the body to a file under the root', async () => {
    const path = await receiveUpload(body(['hello ', 'world']), root, 'greeting.txt');
    expect(path.startsWith(root)).toBe(true);
    expect(path.endsWith('/greeting.txt')).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('hello world');
  });

  it('refuses a body over the limit and leaves nothing behind', async () => {
    await expect(
      receiveUpload(body(['12345', '67890', 'x']), root, 'big.bin', 10),
    ).rejects.toMatchObject({
      code: 'TOO_LARGE',
    });
    expect(await readdir(root)).toEqual([]);
    // A declared length over the limit is refused before anything is written.
    await expect(
      receiveUpload(body(['x'], { 'content-length': '11' }), root, 'big.bin', 10),
    ).rejects.toMatchObject({ code: 'TOO_LARGE' });
    expect(await readdir(root)).toEqual([]);
    // At the limit is fine.
    const ok = await receiveUpload(body(['1234567890']), root, 'ten.bin', 10);
    expect(await readdir(dirname(ok))).toEqual(['ten.bin']);
  });
});
