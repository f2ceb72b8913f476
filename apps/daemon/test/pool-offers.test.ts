/**
 * The daemon's own view of a pool's offers: what it accepts from the log, whatever the wire
 * let through (hostile names and paths, folders claimed by another node, early retractions).
 */
import {
  type FileInfo,
  FileInfoSchema,
  MediaKind,
  type PoolMessage,
  PoolMessageSchema,
  create,
} from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { PoolOffers, folderName } from '../src/daemon/pool-offers.js';

let n = 0;
function info(fields: Partial<Omit<FileInfo, '$typeName' | '$unknown'>> = {}): FileInfo {
  n++;
  return create(FileInfoSchema, {
    fileId: `file-${n}`,
    name: `f${n}.bin`,
    size: 10n,
    originNodeId: 'node-a',
    sha256: new Uint8Array(32),
    chunkSize: 65_536,
    chunkHashesRoot: new Uint8Array(32),
    ...fields,
  });
}

// Built with `create`, not the validating encoder: what a buggy or hostile peer could send.
function message(author: string, content: PoolMessage['content']): PoolMessage {
  return create(PoolMessageSchema, {
    id: `m-${n++}`,
    authorNodeId: author,
    userId: 'u',
    createdMs: 1n,
    content,
  });
}

const folderOffer = (files: FileInfo[], folderId: string, folderName: string, author = 'node-a') =>
  message(author, {
    case: 'fileOffer',
    value: { $typeName: 'poolnet.v1.FileOffer', files, folderId, folderName },
  });

describe('PoolOffers', () => {
  it('[DAEMON-PATH] leaves out files whose relative path or name could leave a folder', () => {
    const offers = new PoolOffers();
    const good = info({ folderId: 'F', relativePath: 'a/b' });
    const hostile = [
      info({ folderId: 'F', relativePath: '../x' }),
      info({ folderId: 'F', relativePath: '/etc' }),
      info({ folderId: 'F', relativePath: 'a/../../x' }),
      info({ folderId: 'F', relativePath: 'a\\..\\x' }),
      info({ folderId: 'F', name: '..' }),
      info({ folderId: 'F', name: 'a/b' }),
    ];
    const changes = offers.apply(folderOffer([good, ...hostile], 'F', 'Trip'));
    expect(changes.added.map((o) => o.info.fileId)).toEqual([good.fileId]);
    expect(changes.refused).toHaveLength(hostile.length);
    const folder = offers.folder('F');
    expect(folder && offers.filesOf(folder).map((o) => o.info.fileId)).toEqual([good.fileId]);
    for (const h of hostile) expect(offers.get(h.fileId)).toBeUndefined();
  });

  it('[DAEMON-PATH] refuses a folder whose name is not one plain path segment', () => {
    for (const name of ['..', '../escape', '/abs', 'a/b']) {
      const offers = new PoolOffers();
      const file = info({ folderId: `F-${name}` });
      const changes = offers.apply(folderOffer([file], `F-${name}`, name));
      expect(changes.added, name).toEqual([]);
      expect(offers.folder(`F-${name}`)).toBeUndefined();
      // A later message cannot bring it back under a safe name.
      const again = info({ folderId: `F-${name}` });
      offers.apply(folderOffer([again], `F-${name}`, 'Fine'));
      expect(offers.folder(`F-${name}`)).toBeUndefined();
    }
  });

  it('assembles a folder from several messages; another node cannot add to it', () => {
    const offers = new PoolOffers();
    const first = [info({ folderId: 'F' }), info({ folderId: 'F', relativePath: 'x' })];
    const second = [info({ folderId: 'F', relativePath: 'x/y' })];
    offers.apply(folderOffer(first, 'F', 'Trip'));
    offers.apply(folderOffer(second, 'F', 'Trip'));
    const intruder = info({ folderId: 'F', originNodeId: 'node-b' });
    const changes = offers.apply(folderOffer([intruder], 'F', 'Trip', 'node-b'));
    expect(changes.added).toEqual([]);
    const folder = offers.folder('F');
    expect(folder?.name).toBe('Trip');
    expect(folder && offers.filesOf(folder)).toHaveLength(3);
    // A file saying it is in another folder than its offer's is left out.
    const odd = info({ folderId: 'G' });
    expect(offers.apply(folderOffer([odd], 'F', 'Trip')).added).toEqual([]);
  });

  it('a folder without a name gets one made from its id', () => {
    const offers = new PoolOffers();
    offers.apply(folderOffer([info({ folderId: 'a/b..c' })], '', ''));
    const folder = offers.folder('a/b..c');
    expect(folder && folderName(folder)).toBe('folder-a_b__c');
  });

  it('an image offer describes the file; only its origin can retract it, even before the offer', () => {
    const offers = new PoolOffers();
    const image = info();
    const media = message('node-a', {
      case: 'mediaOffer',
      value: {
        $typeName: 'poolnet.v1.MediaOffer',
        file: image,
        kind: MediaKind.IMAGE,
        width: 64,
        height: 48,
        preview: new Uint8Array([1, 2, 3]),
      },
    });
    expect(offers.apply(media).added[0]?.media).toMatchObject({ kind: 'image', width: 64 });
    const retract = (author: string, fileId: string) =>
      message(author, {
        case: 'retractOffer',
        value: { $typeName: 'poolnet.v1.RetractOffer', fileId },
      });
    expect(offers.apply(retract('node-b', image.fileId)).retracted).toEqual([]);
    expect(offers.apply(retract('node-a', image.fileId)).retracted).toHaveLength(1);
    expect(offers.live(image.fileId)).toBeUndefined();

    const late = info();
    offers.apply(retract('node-a', late.fileId));
    const changes = offers.apply(folderOffer([late], '', ''));
    expect(changes.added).toEqual([]);
    expect(offers.get(late.fileId)?.retracted).toBe(true);
  });
});
