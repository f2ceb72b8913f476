import { asFileId } from '@poolnet/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SqliteChunkStore } from '../src/index.js';
import { TempDatabases } from './fixture.js';

const dbs = new TempDatabases();
afterEach(() => dbs.closeAll());
afterAll(() => dbs.cleanup());

const F = asFileId('file-1');
const G = asFileId('file-2');
const chunk = (n: number, size = 64 * 1024) => new Uint8Array(size).fill(n);

describe('SqliteChunkStore', () => {
  it('puts, gets and drops chunks by file and index', async () => {
    const path = dbs.path();
    const chunks = new SqliteChunkStore(dbs.db(path));
    await chunks.put(F, 0, chunk(1));
    await chunks.put(F, 1, chunk(2, 100));
    await chunks.put(G, 0, chunk(3));
    expect(await chunks.get(F, 1)).toEqual(chunk(2, 100));
    expect(await chunks.has(F, 2)).toBe(false);
    // A chunk fetched again replaces the one held.
    await chunks.put(F, 0, chunk(9));
    dbs.closeAll();

    const again = new SqliteChunkStore(dbs.db(path));
    expect(await again.get(F, 0)).toEqual(chunk(9));
    await again.delete(F);
    expect(await again.has(F, 0)).toBe(false);
    expect(await again.get(F, 1)).toBeUndefined();
    expect(await again.has(G, 0)).toBe(true);
  });

  it('refuses bad indexes, ids and oversized chunks', async () => {
    const chunks = new SqliteChunkStore(dbs.db());
    const code = expect.objectContaining({ code: 'INVALID_ARGUMENT' });
    await expect(chunks.put(F, -1, chunk(1))).rejects.toEqual(code);
    await expect(chunks.put(F, 0.5, chunk(1))).rejects.toEqual(code);
    await expect(chunks.put(asFileId(''), 0, chunk(1))).rejects.toEqual(code);
    await expect(chunks.put(F, 0, chunk(1, 128 * 1024 + 1))).rejects.toEqual(code);
  });
});
