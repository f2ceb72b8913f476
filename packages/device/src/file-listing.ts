/**
 * What a device answers about a pool's files, from its offers and its own side of each file
 * (held, downloading): the list, one folder, and what a withdrawal covers. Errors are left to
 * the caller (the daemon and the page report them in their own typed errors).
 */
import type { MessageStore } from '@poolnet/engine';
import type { PoolMessage } from '@poolnet/protocol';
import {
  type FileState,
  type FileView,
  type FolderView,
  fileView,
  folderView,
} from './file-views.js';
import { decodeStored } from './messages.js';
import type { Folder, Offer, PoolOffers } from './offers.js';

/** This device's side of the files of a pool. */
export interface FileSide {
  /** Nodes that announced they seed `fileId` (the engine node's offer table). */
  seedersOf(fileId: string): readonly string[];
  have(fileId: string): boolean;
  downloading(fileId: string): boolean;
}

/**
 * The state views are made with: a file's online seeders are its origin and the nodes seeding
 * it that are `online`, this device counting as online.
 */
export function fileState(
  pool: string,
  selfId: string,
  online: ReadonlySet<string>,
  side: FileSide,
): FileState {
  return {
    pool,
    selfId,
    seedersOnline: ({ info }) => {
      const seeders = new Set(side.seedersOf(info.fileId));
      seeders.add(info.originNodeId);
      return [...seeders].filter((s) => online.has(s) || s === selfId).length;
    },
    have: (fileId) => side.have(fileId),
    downloading: (fileId) => side.downloading(fileId),
  };
}

/** The live single files and the folders with a live file. */
export function listFiles(
  offers: PoolOffers,
  state: FileState,
): { files: FileView[]; folders: FolderView[] } {
  const files: FileView[] = [];
  for (const offer of offers.all()) {
    if (!offer.retracted && offer.info.folderId === '') files.push(fileView(offer, state));
  }
  const folders: FolderView[] = [];
  for (const folder of offers.folders()) {
    const entries = offers.filesOf(folder);
    if (entries.length > 0) folders.push(folderView(folder, entries, state));
  }
  return { files, folders };
}

/** A folder with its live files; undefined when unknown or all withdrawn. */
export function liveFolder(
  offers: PoolOffers,
  folderId: string,
): { folder: Folder; entries: Offer[] } | undefined {
  const folder = offers.folder(folderId);
  const entries = folder ? offers.filesOf(folder) : [];
  return folder && entries.length > 0 ? { folder, entries } : undefined;
}

/**
 * What withdrawing `id` (a file or a folder) covers: its live offers, `not-found` when there
 * are none, `not-mine` when another node offered it (only the origin may withdraw).
 */
export function retractable(
  offers: PoolOffers,
  id: string,
  selfId: string,
): Offer[] | 'not-found' | 'not-mine' {
  const folder = offers.folder(id);
  const single = folder ? undefined : offers.live(id);
  const found = folder ? offers.filesOf(folder) : single ? [single] : [];
  const first = found[0];
  if (!first) return 'not-found';
  if ((folder?.origin ?? first.info.originNodeId) !== selfId) return 'not-mine';
  return found;
}

/** Every readable message of the log, oldest first (a damaged one is skipped). */
export async function replayLog(
  log: MessageStore,
  note: (message: PoolMessage) => void,
): Promise<void> {
  let page = await log.page({ limit: 500 });
  const all = [...page.messages];
  while (page.hasOlder && all[0]) {
    page = await log.page({ before: all[0].id, limit: 500 });
    all.unshift(...page.messages);
  }
  for (const stored of all) {
    const message = decodeStored(stored);
    if (message) note(message);
  }
}
