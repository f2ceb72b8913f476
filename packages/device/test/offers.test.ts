/**
 * The offer book with the wire's name rules (what the page injects; the daemon's disk rules
 * are tested in apps/daemon/test/pool-offers.test.ts): what it keeps of the log, whatever the
 * wire let through.
 */
import { describe, expect, it } from 'vitest';
import { type NameChecks, PoolOffers, folderName, protocolNameChecks } from '../src/index.js';
import { fileOffer, imageOffer, info, retract } from './fixtures.js';

describe('PoolOffers (wire name rules)', () => {
  it('leaves out files whose relative path or name could leave a folder', () => {
    const offers = new PoolOffers(protocolNameChecks);
    const good = info({ folderId: 'F', relativePath: 'a/b' });
    const hostile = [
      info({ folderId: 'F', relativePath: '../x' }),
      info({ folderId: 'F', relativePath: '/etc' }),
      info({ folderId: 'F', relativePath: 'a/../../x' }),
      info({ folderId: 'F', relativePath: 'a\\..\\x' }),
      info({ folderId: 'F', name: '..' }),
      info({ folderId: 'F', name: 'a/b' }),
    ];
    const changes = offers.apply(fileOffer([good, ...hostile], 'F', 'Trip'));
    expect(changes.added.map((o) => o.info.fileId)).toEqual([good.fileId]);
    expect(changes.refused).toHaveLength(hostile.length);
    for (const h of hostile) expect(offers.get(h.fileId)).toBeUndefined();
  });

  it('refuses a folder whose name is not one segment, for good', () => {
    for (const name of ['..', '../escape', '/abs', 'a/b']) {
      const offers = new PoolOffers(protocolNameChecks);
      offers.apply(fileOffer([info({ folderId: 'F' })], 'F', name));
      expect(offers.folder('F'), name).toBeUndefined();
      offers.apply(fileOffer([info({ folderId: 'F' })], 'F', 'Fine'));
      expect(offers.folder('F'), name).toBeUndefined();
    }
  });

  it('uses the checks it is given (the daemon injects its own)', () => {
    const noX: NameChecks = {
      isSafeName: (name) => !name.startsWith('x'),
      isSafeRelativePath: (path) => path === '',
    };
    const offers = new PoolOffers(noX);
    const kept = info({ name: 'a.txt' });
    const changes = offers.apply(
      fileOffer([kept, info({ name: 'x.txt' }), info({ name: 'b', relativePath: 'd' })]),
    );
    expect(changes.added.map((o) => o.info.fileId)).toEqual([kept.fileId]);
    expect(changes.refused).toHaveLength(2);
  });

  it('assembles a folder from several messages; another node cannot add to it', () => {
    const offers = new PoolOffers(protocolNameChecks);
    offers.apply(fileOffer([info({ folderId: 'F' })], 'F', 'Trip'));
    offers.apply(fileOffer([info({ folderId: 'F', relativePath: 'x' })], 'F', 'Trip'));
    const intruder = info({ folderId: 'F', originNodeId: 'node-b' });
    expect(offers.apply(fileOffer([intruder], 'F', 'Trip', 'node-b')).added).toEqual([]);
    const folder = offers.folder('F');
    expect(folder?.name).toBe('Trip');
    expect(folder && offers.filesOf(folder)).toHaveLength(2);
    expect(offers.apply(fileOffer([info({ folderId: 'G' })], 'F', 'Trip')).added).toEqual([]);
  });

  it('names a nameless folder from its id', () => {
    const offers = new PoolOffers(protocolNameChecks);
    offers.apply(fileOffer([info({ folderId: 'a/b..c' })]));
    const folder = offers.folder('a/b..c');
    expect(folder && folderName(folder)).toBe('folder-a_b__c');
  });

  it('an image offer describes a file; only its origin retracts it, even before its offer', () => {
    const offers = new PoolOffers(protocolNameChecks);
    const image = info();
    // A seeder's plain re-offer came first: the origin's description still lands.
    offers.apply(fileOffer([image], '', '', 'node-b'));
    expect(offers.apply(imageOffer(image, 'node-c')).described).toEqual([]);
    expect(offers.apply(imageOffer(image)).described[0]?.media).toMatchObject({
      kind: 'image',
      width: 64,
    });
    expect(offers.apply(retract(image.fileId, 'node-b')).retracted).toEqual([]);
    expect(offers.apply(retract(image.fileId)).retracted).toHaveLength(1);
    expect(offers.live(image.fileId)).toBeUndefined();

    const late = info();
    offers.apply(retract(late.fileId));
    expect(offers.apply(fileOffer([late])).added).toEqual([]);
    expect(offers.get(late.fileId)?.retracted).toBe(true);
  });

  it('knows its own offers before the log brings them back', () => {
    const offers = new PoolOffers(protocolNameChecks);
    const mine = info({ folderId: 'F' });
    expect(offers.addOwn([mine], undefined, 'Mine')).toHaveLength(1);
    expect(offers.folder('F')?.name).toBe('Mine');
    expect(offers.apply(fileOffer([mine], 'F', 'Mine')).added).toEqual([]);
  });
});
