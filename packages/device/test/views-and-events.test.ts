/** File and folder views, and the file events and download records both devices emit. */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  type FileState,
  PoolOffers,
  base64,
  downloadEvent,
  downloadRecord,
  fileView,
  folderView,
  offerEvent,
  protocolNameChecks,
  seedingEvent,
  uploadEvent,
} from '../src/index.js';
import { fileOffer, imageOffer, info } from './fixtures.js';

const state = (have: string[] = [], downloading: string[] = [], seeders = 1): FileState => ({
  pool: 'P',
  selfId: 'me',
  seedersOnline: () => seeders,
  have: (id) => have.includes(id),
  downloading: (id) => downloading.includes(id),
});

describe('views', () => {
  it('base64 matches Node.js for every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(base64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    expect(base64(new Uint8Array())).toBe('');
  });

  it('a plain file and an image', () => {
    const offers = new PoolOffers(protocolNameChecks);
    const plain = info({ name: 'a.txt', size: 1234n, mime: 'text/plain' });
    const image = info({ name: 'b.webp', originNodeId: 'me' });
    offers.apply(fileOffer([plain]));
    offers.apply(imageOffer(image, 'me', new Uint8Array([0xff, 0, 1])));
    const a = fileView(offers.get(plain.fileId)!, state([plain.fileId], [], 3));
    expect(a).toEqual({
      id: plain.fileId,
      pool: 'P',
      name: 'a.txt',
      size: 1234,
      origin: 'node-a',
      seedersOnline: 3,
      have: true,
      mine: false,
      downloading: false,
      kind: 'file',
      mime: 'text/plain',
      width: null,
      height: null,
      preview: null,
      folder: null,
      relativePath: '',
    });
    const b = fileView(offers.get(image.fileId)!, state([], [image.fileId]));
    expect(b).toMatchObject({ kind: 'image', mine: true, downloading: true, width: 64 });
    expect(b.preview).toBe(Buffer.from([0xff, 0, 1]).toString('base64'));
  });

  it('a folder sums its files; the fewest seeders count', () => {
    const offers = new PoolOffers(protocolNameChecks);
    const files = [info({ folderId: 'F', size: 5n }), info({ folderId: 'F', size: 7n })];
    offers.apply(fileOffer(files, 'F', 'Trip'));
    const folder = offers.folder('F')!;
    let calls = 0;
    const view = folderView(folder, offers.filesOf(folder), {
      ...state([files[0]!.fileId], [files[1]!.fileId]),
      seedersOnline: () => (calls++ === 0 ? 4 : 2),
    });
    expect(view).toEqual({
      id: 'F',
      pool: 'P',
      name: 'Trip',
      origin: 'node-a',
      mine: false,
      fileCount: 2,
      size: 12,
      haveCount: 1,
      downloadingCount: 1,
      seedersOnline: 2,
    });
    expect(folderView(folder, [], state()).seedersOnline).toBe(0);
  });
});

describe('events', () => {
  const file = info({ name: 'x.bin', size: 70_000n, folderId: 'F' });

  it('offer, seeding and upload events', () => {
    const offers = new PoolOffers(protocolNameChecks);
    offers.apply(fileOffer([file], 'F', 'Trip'));
    const offer = offers.get(file.fileId)!;
    expect(offerEvent('P', offer)).toEqual({
      type: 'offer',
      pool: 'P',
      file: file.fileId,
      name: 'x.bin',
      retracted: false,
      kind: 'file',
      folder: 'F',
    });
    expect(seedingEvent('P', file, false)).toEqual({
      type: 'seeding',
      pool: 'P',
      file: file.fileId,
      name: 'x.bin',
      folder: 'F',
      seeding: false,
    });
    expect(uploadEvent('P', 'gone', undefined, { chunks: 2, bytes: 9 })).toEqual({
      type: 'upload',
      pool: 'P',
      file: 'gone',
      name: '',
      chunks: 2,
      bytes: 9,
      size: 0,
    });
    expect(uploadEvent('P', file.fileId, file, { chunks: 1, bytes: 3 })).toMatchObject({
      name: 'x.bin',
      size: 70_000,
    });
  });

  it('download events start empty in data; records carry how it ended', () => {
    // 70 000 bytes in 64 KiB chunks: two data chunks.
    expect(downloadEvent('P', file, {})).toEqual({
      type: 'download',
      pool: 'P',
      file: file.fileId,
      name: 'x.bin',
      received: 0,
      chunks: 2,
      bytes: 0,
      size: 70_000,
      state: 'data',
    });
    expect(downloadEvent('P', file, { state: 'failed', error: 'no' })).toMatchObject({
      state: 'failed',
      error: 'no',
    });
    const before = Date.now();
    const record = downloadRecord('P', file, {
      state: 'done',
      path: '/tmp/x.bin',
      sha256: 'ab',
      error: null,
      startedAt: 5,
      auto: true,
    });
    expect(record).toMatchObject({
      file: file.fileId,
      pool: 'P',
      name: 'x.bin',
      size: 70_000,
      folder: 'F',
      path: '/tmp/x.bin',
      sha256: 'ab',
      startedAt: 5,
      state: 'done',
      error: null,
      auto: true,
    });
    expect(record.finishedAt).toBeGreaterThanOrEqual(before);
  });
});
