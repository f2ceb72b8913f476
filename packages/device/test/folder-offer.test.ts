import {
  FileInfoSchema,
  FileOfferSchema,
  MAX_OFFER_FILES,
  MAX_PACKAGE_BYTES,
  PoolMessageSchema,
  create,
  encodePoolMessage,
  toBinary,
} from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { OFFER_MESSAGE_BYTES, folderOffers } from '../src/folder-offer.js';

const files = (count: number, nameBytes = 20) =>
  Array.from({ length: count }, (_, i) =>
    create(FileInfoSchema, {
      fileId: `file-${i}`,
      name: `${String(i).padStart(nameBytes, 'n')}.bin`,
      size: 10n,
      originNodeId: 'node-a',
      sha256: new Uint8Array(32).fill(1),
      chunkSize: 65_536,
      chunkHashesRoot: new Uint8Array(32).fill(2),
      folderId: 'F',
      relativePath: 'some/dir',
    }),
  );

describe('folderOffers', () => {
  it('keeps a small folder in one message', () => {
    const offers = folderOffers(files(3), 'F', 'Trip');
    expect(offers).toHaveLength(1);
    expect(offers[0]).toMatchObject({ folderId: 'F', folderName: 'Trip' });
    expect(offers[0]?.files).toHaveLength(3);
  });

  it('splits past MAX_OFFER_FILES files, every part a valid pool message of the same folder', () => {
    const all = files(MAX_OFFER_FILES + 1, 1);
    const offers = folderOffers(all, 'F', 'Trip', Number.MAX_SAFE_INTEGER);
    expect(offers.map((o) => o.files.length)).toEqual([MAX_OFFER_FILES, 1]);
  });

  it('splits by encoded size, in order, every part under the limit and valid on the wire', () => {
    const all = files(2000, 200);
    const offers = folderOffers(all, 'F', 'Trip');
    expect(offers.length).toBeGreaterThan(2);
    expect(offers.flatMap((o) => o.files.map((f) => f.fileId))).toEqual(all.map((f) => f.fileId));
    for (const offer of offers) {
      expect(toBinary(FileOfferSchema, offer).length).toBeLessThanOrEqual(OFFER_MESSAGE_BYTES);
      // The validating encoder accepts it (WIRE14), far below the package limit.
      expect(encodePoolMessage(offerMessage(offer)).length).toBeLessThan(MAX_PACKAGE_BYTES / 2);
      expect(offer).toMatchObject({ folderId: 'F', folderName: 'Trip' });
    }
  });
});

function offerMessage(offer: ReturnType<typeof folderOffers>[number]) {
  return create(PoolMessageSchema, {
    id: 'm',
    authorNodeId: 'node-a',
    userId: 'u',
    createdMs: 1n,
    content: { case: 'fileOffer', value: offer },
  });
}
