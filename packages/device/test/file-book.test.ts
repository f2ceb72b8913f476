/** The file book: events raised from the log, refusals logged, withdrawn auto-fetches dropped. */
import { describe, expect, it } from 'vitest';
import { type FileEvent, FileBook, protocolNameChecks } from '../src/index.js';
import { fileOffer, imageOffer, info, retract } from './fixtures.js';

function setup() {
  const events: FileEvent[] = [];
  const logged: string[] = [];
  const dropped: string[] = [];
  const fetched: string[] = [];
  const turns: Array<() => void> = [];
  const book = new FileBook({
    poolId: 'P',
    selfId: 'me',
    checks: protocolNameChecks,
    side: { seedersOf: () => [], have: () => false, downloading: () => false },
    autoFetchImageBytes: () => 1000,
    defer: (run) => {
      turns.push(run);
      return () => undefined;
    },
    canFetch: () => true,
    fetchImage: async (fileId) => fetched.push(fileId),
    dropAutoFetch: (fileId) => dropped.push(fileId),
    onEvent: (event) => events.push(event),
    log: (line) => logged.push(line),
  });
  return { book, events, logged, dropped, fetched, turns };
}

describe('FileBook', () => {
  it('raises offer events for what the log brings, not for a replay', () => {
    const t = setup();
    const quiet = info();
    t.book.noteMessage(fileOffer([quiet]), false);
    expect(t.events).toEqual([]);
    const loud = info({ name: 'loud.txt' });
    t.book.noteMessage(fileOffer([loud]));
    expect(t.events).toEqual([
      {
        type: 'offer',
        pool: 'P',
        file: loud.fileId,
        name: 'loud.txt',
        retracted: false,
        kind: 'file',
        folder: null,
      },
    ]);
    expect(t.book.list(new Set()).files.map((f) => f.id)).toEqual([quiet.fileId, loud.fileId]);
  });

  it('logs what it refuses, with the author', () => {
    const t = setup();
    t.book.noteMessage(fileOffer([info({ name: '..' })], '', '', 'node-z'));
    expect(t.logged).toHaveLength(1);
    expect(t.logged[0]).toMatch(/^ignoring part of an offer by node-z: .*unsafe name/);
    expect(t.events).toEqual([]);
  });

  it('fetches an image on its own; a withdrawal drops it and is announced', () => {
    const t = setup();
    const image = info({ size: 10n });
    t.book.noteMessage(imageOffer(image));
    t.turns.splice(0).forEach((run) => run());
    expect(t.fetched).toEqual([image.fileId]);
    t.book.noteMessage(retract(image.fileId));
    expect(t.dropped).toEqual([image.fileId]);
    expect(t.events.map((e) => e.type === 'offer' && e.retracted)).toEqual([false, true]);
  });

  it('a folder: its views, or undefined once all its files are withdrawn', () => {
    const t = setup();
    const file = info({ folderId: 'F' });
    t.book.noteMessage(fileOffer([file], 'F', 'Trip'));
    const found = t.book.folder('F', new Set());
    expect(found?.folder).toMatchObject({ id: 'F', name: 'Trip', fileCount: 1 });
    expect(found?.files.map((f) => f.id)).toEqual([file.fileId]);
    t.book.noteMessage(retract(file.fileId));
    expect(t.book.folder('F', new Set())).toBeUndefined();
  });
});
