/**
 * The daemon's offer book: `PoolOffers` (@poolnet/device) with the daemon's disk name checks,
 * against hostile names and paths whatever the wire let through. The rest of the book (folders
 * over several messages, another node's claims, early retractions, images) is tested once for
 * both devices in packages/device/test/offers.test.ts.
 */
import { PoolOffers } from '@poolnet/device';
import {
  type FileInfo,
  FileInfoSchema,
  type PoolMessage,
  PoolMessageSchema,
  create,
} from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { diskNameChecks } from '../src/files/folder-paths.js';

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
    const offers = new PoolOffers(diskNameChecks);
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
      const offers = new PoolOffers(diskNameChecks);
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
});
