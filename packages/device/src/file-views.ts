/**
 * Files and folders as a device shows them (API.md `FileView`, `FolderView`), made from its
 * offers: the daemon's local API and the page's backend return the same shapes.
 */
import { type Folder, type Offer, type OfferKind, folderName } from './offers.js';

/** A file as the local API lists it. */
export interface FileView {
  readonly id: string;
  readonly pool: string;
  readonly name: string;
  readonly size: number;
  readonly origin: string;
  readonly seedersOnline: number;
  readonly have: boolean;
  readonly mine: boolean;
  readonly downloading: boolean;
  readonly kind: OfferKind;
  /** As offered; may be "". */
  readonly mime: string;
  /** Images (media offers): the displayed size and a small WebP/JPEG preview, base64. */
  readonly width: number | null;
  readonly height: number | null;
  readonly preview: string | null;
  /** The folder it belongs to, and its directory inside it ("" at the top). */
  readonly folder: string | null;
  readonly relativePath: string;
}

/** A folder: its files summed up (its files are listed by `GET /v1/files/folder`). */
export interface FolderView {
  readonly id: string;
  readonly pool: string;
  readonly name: string;
  readonly origin: string;
  readonly mine: boolean;
  readonly fileCount: number;
  readonly size: number;
  /** Files this device holds whole. */
  readonly haveCount: number;
  readonly downloadingCount: number;
  /** The fewest online seeders of any of its files. */
  readonly seedersOnline: number;
}

/** What a view needs to know about this device's side of a file. */
export interface FileState {
  readonly pool: string;
  readonly selfId: string;
  seedersOnline(offer: Offer): number;
  have(fileId: string): boolean;
  downloading(fileId: string): boolean;
}

/** Base64 without `Buffer` (a page has none); previews are a few KB at most. */
export function base64(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

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
    preview: media ? base64(media.preview) : null,
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
