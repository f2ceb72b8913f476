import { asFileId, asNodeId, asPoolId } from '@poolnet/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FileOffers, type NewFileOffer } from '../src/index.js';
import { TempDatabases } from './fixture.js';

const dbs = new TempDatabases();
afterEach(() => dbs.closeAll());
afterAll(() => dbs.cleanup());

const A = asPoolId('pool-a');
const B = asPoolId('pool-b');

const offer = (n: number, poolId = A, extra: Partial<NewFileOffer> = {}): NewFileOffer => ({
  poolId,
  fileId: asFileId(`file-${n}`),
  originNode: asNodeId('node-1'),
  name: `photo ${n}.jpg`,
  size: 1_000_000 + n,
  sha256: new Uint8Array(32).fill(n),
  chunkSize: 65_536,
  offeredAt: 5_000 - n, // the origin's clock, which may run backwards
  ...extra,
});

describe('FileOffers', () => {
  it('keeps offers per pool in arrival order, as first seen', () => {
    const offers = new FileOffers(dbs.db());
    expect(offers.record(offer(1))).toBe(true);
    expect(offers.record(offer(2))).toBe(true);
    expect(offers.record(offer(1, B))).toBe(true);
    // The same file offered again (another seeder, a replay) changes nothing.
    expect(offers.record(offer(1, A, { name: 'renamed.jpg', size: 1 }))).toBe(false);
    expect(offers.list(A).map((o) => o.fileId)).toEqual(['file-1', 'file-2']);
    expect(offers.get(A, asFileId('file-1'))).toEqual({
      ...offer(1),
      retracted: false,
      localPath: null,
    });
    expect(offers.list(B)).toHaveLength(1);
    expect(offers.get(A, asFileId('nope'))).toBeUndefined();
  });

  it('a retraction is final and hides the offer unless asked for', () => {
    const offers = new FileOffers(dbs.db());
    offers.record(offer(1));
    offers.record(offer(2));
    expect(offers.retract(A, asFileId('file-1'))).toBe(true);
    expect(offers.retract(A, asFileId('file-1'))).toBe(false);
    expect(offers.retract(A, asFileId('unknown'))).toBe(false);
    expect(offers.record(offer(1))).toBe(false);
    expect(offers.list(A).map((o) => o.fileId)).toEqual(['file-2']);
    expect(offers.list(A, { includeRetracted: true }).map((o) => o.retracted)).toEqual([
      true,
      false,
    ]);
  });

  it("lists this device's own live offers, with their paths", () => {
    const offers = new FileOffers(dbs.db());
    offers.record(offer(1, A, { localPath: '/home/anna/photo 1.jpg' }));
    offers.record(offer(2, A));
    offers.record(offer(3, B, { localPath: '/home/anna/photo 3.jpg' }));
    offers.record(offer(4, B, { localPath: '/home/anna/photo 4.jpg' }));
    offers.retract(B, asFileId('file-4'));
    expect(offers.mine().map((o) => o.localPath)).toEqual([
      '/home/anna/photo 1.jpg',
      '/home/anna/photo 3.jpg',
    ]);
    expect(offers.mine(B).map((o) => o.fileId)).toEqual(['file-3']);
  });

  it('refuses what the wire would refuse, and relative local paths', () => {
    const offers = new FileOffers(dbs.db());
    const bad: Partial<NewFileOffer>[] = [
      { fileId: asFileId('') },
      { originNode: asNodeId('a b') },
      { name: '../etc/passwd' },
      { name: '' },
      { size: -1 },
      { size: 2 ** 53 },
      { sha256: new Uint8Array(31) },
      { chunkSize: 100 },
      { chunkSize: 1024 * 1024 },
      { offeredAt: Number.NaN },
      { localPath: 'relative/path' },
    ];
    for (const extra of bad) {
      expect(() => offers.record(offer(1, A, extra)), JSON.stringify(extra)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
    expect(offers.list(A)).toEqual([]);
  });
});
