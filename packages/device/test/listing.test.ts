/** What a device lists and withdraws, and the offers it rebuilds from its message log. */
import { MemoryMessageStore } from '@poolnet/engine';
import type { MessageId, NodeId, PoolMessage } from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import {
  PoolOffers,
  fileState,
  listFiles,
  liveFolder,
  protocolNameChecks,
  replayLog,
  retractable,
} from '../src/index.js';
import { fileOffer, info, retract, stored, text } from './fixtures.js';

function book() {
  const offers = new PoolOffers(protocolNameChecks);
  const single = info();
  const gone = info();
  const mine = info({ originNodeId: 'me' });
  const inFolder = [info({ folderId: 'F' }), info({ folderId: 'F' })];
  const emptied = info({ folderId: 'E' });
  offers.apply(fileOffer([single, gone]));
  offers.apply(fileOffer([mine], '', '', 'me'));
  offers.apply(fileOffer(inFolder, 'F', 'Trip'));
  offers.apply(fileOffer([emptied], 'E', 'Empty'));
  offers.apply(retract(gone.fileId));
  offers.apply(retract(emptied.fileId));
  return { offers, single, gone, mine, inFolder };
}

describe('listing', () => {
  it('online seeders: the origin and announced seeders that are online, this device always', () => {
    const { offers, single } = book();
    const state = fileState('P', 'me', new Set(['node-a', 'node-c']), {
      seedersOf: () => ['node-b', 'node-c', 'me'],
      have: (id) => id === single.fileId,
      downloading: () => false,
    });
    const live = offers.get(single.fileId)!;
    expect(state.seedersOnline(live)).toBe(3); // node-a (origin), node-c, me; node-b offline
    expect(state.have(single.fileId)).toBe(true);
    const offline = fileState('P', 'me', new Set(), {
      seedersOf: () => [],
      have: () => false,
      downloading: () => false,
    });
    expect(offline.seedersOnline(live)).toBe(0);
  });

  it('lists live single files and folders with a live file', () => {
    const { offers, single, mine } = book();
    const state = fileState('P', 'me', new Set(), {
      seedersOf: () => [],
      have: () => false,
      downloading: () => false,
    });
    const { files, folders } = listFiles(offers, state);
    expect(files.map((f) => f.id)).toEqual([single.fileId, mine.fileId]);
    expect(folders.map((f) => [f.id, f.fileCount])).toEqual([['F', 2]]);
    expect(liveFolder(offers, 'F')?.entries).toHaveLength(2);
    expect(liveFolder(offers, 'E')).toBeUndefined();
    expect(liveFolder(offers, 'nope')).toBeUndefined();
  });

  it('only the origin withdraws, a file or a whole folder', () => {
    const { offers, single, gone, mine } = book();
    expect(retractable(offers, 'nope', 'me')).toBe('not-found');
    expect(retractable(offers, gone.fileId, 'node-a')).toBe('not-found');
    expect(retractable(offers, single.fileId, 'me')).toBe('not-mine');
    expect(retractable(offers, 'F', 'me')).toBe('not-mine');
    const folder = retractable(offers, 'F', 'node-a');
    expect(Array.isArray(folder) && folder.length).toBe(2);
    const own = retractable(offers, mine.fileId, 'me');
    expect(Array.isArray(own) && own.map((o) => o.info.fileId)).toEqual([mine.fileId]);
  });
});

describe('replayLog', () => {
  it('gives every readable message oldest first, across pages, skipping damaged ones', async () => {
    const log = new MemoryMessageStore();
    const sent: PoolMessage[] = [];
    for (let i = 0; i < 1203; i++) {
      const m = text(`hello ${i}`);
      sent.push(m);
      await log.append(stored(m));
      if (i === 600) {
        await log.append({
          id: 'damaged' as MessageId,
          author: 'node-a' as NodeId,
          createdAt: 1,
          signed: new Uint8Array([1, 2, 3]),
        });
      }
    }
    const seen: string[] = [];
    await replayLog(log, (m) => seen.push(m.id));
    expect(seen).toEqual(sent.map((m) => m.id));
  });
});
