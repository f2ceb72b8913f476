/**
 * The browser node's pieces that need no browser: hashing a picked file (Node 20 has `Blob`
 * and WebCrypto), image signatures, invite links, the relay cache's bound and a picked folder's
 * paths. What needs
 * IndexedDB, OPFS or WebRTC is tested in Chromium (../e2e/browser-node.test.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inviteToken } from '../../src/node/browser-backend.js';
import { folderEntries } from '../../src/node/folder-entries.js';
import { hashBlob, toHex } from '../../src/node/hash-file.js';
import { imageMime } from '../../src/node/image-preview.js';
import { MemoryRelayCache } from '../../src/node/relay-cache.js';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

describe('hashBlob', () => {
  it('hashes the whole file and each chunk in one streaming pass', async () => {
    const chunkSize = 1024;
    const data = randomBytes(chunkSize * 20 + 77); // more than one slice, a short last chunk
    const hashes = await hashBlob(new Blob([data]), chunkSize);
    expect(hashes.size).toBe(data.length);
    expect(toHex(hashes.sha256)).toBe(sha256(data).toString('hex'));
    expect(hashes.chunkHashes.length).toBe(21 * 32);
    for (let i = 0; i < 21; i++) {
      const chunk = data.subarray(i * chunkSize, (i + 1) * chunkSize);
      expect(Buffer.from(hashes.chunkHashes.subarray(i * 32, (i + 1) * 32))).toEqual(sha256(chunk));
    }
    expect(Buffer.from(hashes.root)).toEqual(sha256(hashes.chunkHashes));
  });

  it('an empty file has no chunks', async () => {
    const hashes = await hashBlob(new Blob([]), 1024);
    expect(hashes.chunkHashes.length).toBe(0);
    expect(toHex(hashes.sha256)).toBe(sha256(new Uint8Array(0)).toString('hex'));
  });
});

describe('imageMime', () => {
  it('knows PNG, JPEG, GIF and WebP by their first bytes, not by name', () => {
    const bytes = (...b: number[]) => Uint8Array.from(b);
    expect(imageMime(bytes(0x89, 0x50, 0x4e, 0x47, 13, 10))).toBe('image/png');
    expect(imageMime(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
    expect(imageMime(new TextEncoder().encode('GIF89a'))).toBe('image/gif');
    expect(imageMime(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(imageMime(new TextEncoder().encode('RIFF\0\0\0\0WAVEfmt '))).toBeUndefined();
    expect(imageMime(new TextEncoder().encode('%PDF-1.7'))).toBeUndefined();
    expect(imageMime(new Uint8Array(0))).toBeUndefined();
  });
});

describe('inviteToken', () => {
  it('takes the token from a link or a bare token', () => {
    expect(inviteToken('http://localhost:8080/join#abc_DEF-1')).toBe('abc_DEF-1');
    expect(inviteToken(' https://pool.example/join/xyz ')).toBe('xyz');
    expect(inviteToken('tok123')).toBe('tok123');
  });
});

describe('MemoryRelayCache', () => {
  it('keeps at most its size, dropping the least recently used first', () => {
    const cache = new MemoryRelayCache(300);
    const chunk = (n: number) => new Uint8Array(100).fill(n);
    cache.put('f', 0, chunk(0));
    cache.put('f', 1, chunk(1));
    cache.put('f', 2, chunk(2));
    expect(cache.get('f', 0)?.[0]).toBe(0); // 0 is now the most recently used
    cache.put('f', 3, chunk(3));
    expect(cache.bytes).toBe(300);
    expect(cache.has('f', 1)).toBe(false);
    expect([0, 2, 3].every((i) => cache.has('f', i))).toBe(true);
    cache.put('g', 0, new Uint8Array(301)); // larger than the whole cache: not kept
    expect(cache.has('g', 0)).toBe(false);
    cache.resize(100);
    expect(cache.bytes).toBeLessThanOrEqual(100);
    const off = new MemoryRelayCache(0);
    off.put('f', 0, chunk(0));
    expect(off.has('f', 0)).toBe(false);
  });
});

describe('folderEntries', () => {
  const f = (path: string) => ({ file: new File(['x'], path.split('/').at(-1) ?? ''), path });

  it("splits paths into the folder's name, each file's name and directory, sorted as the daemon", () => {
    const { name, entries, skipped } = folderEntries([
      f('Trip/z.txt'),
      f('Trip/day 1/b.txt'),
      f('Trip/a.txt'),
      f('Trip/day 1/deep/c.txt'),
      f('Trip/bad\\name.txt'),
    ]);
    expect(name).toBe('Trip');
    expect(entries.map((e) => [e.relativePath, e.name])).toEqual([
      ['', 'a.txt'],
      ['', 'z.txt'],
      ['day 1', 'b.txt'],
      ['day 1/deep', 'c.txt'],
    ]);
    // A name the wire refuses is left out and said, not mangled.
    expect(skipped).toEqual([
      { path: 'Trip/bad\\name.txt', reason: 'a name or path a folder offer cannot carry' },
    ]);
  });

  it('refuses files of two folders, a file outside any folder, and nothing at all', () => {
    expect(() => folderEntries([f('Trip/a.txt'), f('Other/b.txt')])).toThrow(
      'pick one folder at a time',
    );
    expect(() => folderEntries([f('a.txt')])).toThrow('a.txt is not inside a folder');
    expect(() => folderEntries([])).toThrow('the folder holds no file to offer');
  });
});
