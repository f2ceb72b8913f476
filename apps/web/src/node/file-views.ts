/**
 * Files and folders in the daemon's shapes (API.md `FileView`, `FolderView`), made from the
 * page's offers. Same rules as the daemon's `file-views.ts`.
 */
import type { FileView, FolderView } from '../api/backend.js';
import { type Folder, type Offer, folderName } from './offers.js';

export interface FileState {
  readonly pool: string;
  readonly selfId: string;
  seedersOnline(offer: Offer): number;
  have(fileId: string): boolean;
  downloading(fileId: string): boolean;
}

const base64 = (bytes: Uint8Array): string => {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
};

export function fileView(offer: Offer, state: FileState): FileView {
  const { info, media } = offer;
  return {
    id: info.fileId,
    pool: state.pool,
    name: info.name,
    size: Number(info.size),
    origin: info.originNodeId,
    seedersOnline: state.seedersOnline(offer),
    have: state.have(info.fileId),
    mine: info.originNodeId === state.selfId,
    downloading: state.downloading(info.fileId),
    kind: media?.kind ?? 'file',
    mime: info.mime,
    width: media ? media.width : null,
    height: media ? media.height : null,
    preview: media && media.preview.length > 0 ? base64(media.preview) : null,
    folder: info.folderId === '' ? null : info.folderId,
    relativePath: info.relativePath,
  };
}

export function folderView(folder: Folder, files: readonly Offer[], state: FileState): FolderView {
  let size = 0;
  let haveCount = 0;
  let downloadingCount = 0;
  let seedersOnline = Infinity;
  for (const offer of files) {
    size += Number(offer.info.size);
    if (state.have(offer.info.fileId)) haveCount++;
    if (state.downloading(offer.info.fileId)) downloadingCount++;
    seedersOnline = Math.min(seedersOnline, state.seedersOnline(offer));
  }
  return {
    id: folder.id,
    pool: state.pool,
    name: folderName(folder),
    origin: folder.origin,
    mine: folder.origin === state.selfId,
    fileCount: files.length,
    size,
    haveCount,
    downloadingCount,
    seedersOnline: files.length === 0 ? 0 : seedersOnline,
  };
}
