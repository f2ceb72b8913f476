/**
 * The offers of one pool as this device knows them, rebuilt from the message log: single
 * files, images (a media offer: size and preview) and folders (files sharing a folder id,
 * possibly over several messages). Offers a device could not store safely are left out here,
 * whatever the wire let through: a name or relative path that is not safe (by the device's
 * `NameChecks`: on disk for a daemon, the wire's rules for a page), a folder name that is not
 * one path segment, a file claiming a folder another node started.
 */
import { type FileInfo, MediaKind, type PoolMessage } from '@poolnet/protocol';
import type { NameChecks } from './name-checks.js';

export type OfferKind = 'file' | 'image' | 'video' | 'audio' | 'media';

export interface Media {
  readonly kind: Exclude<OfferKind, 'file'>;
  readonly width: number;
  readonly height: number;
  readonly preview: Uint8Array;
}

export interface Offer {
  readonly info: FileInfo;
  retracted: boolean;
  media: Media | undefined;
}

export interface Folder {
  readonly id: string;
  /** One safe path segment; undefined until an offer names it. */
  name: string | undefined;
  /** The node that offered it first: only its files belong to it. */
  readonly origin: string;
  /** In the order they were offered. */
  readonly fileIds: string[];
}

export interface OfferChanges {
  /** Files offered for the first time. */
  readonly added: Offer[];
  /** Known files that an image offer described only now. */
  readonly described: Offer[];
  /** Files their origin withdrew. */
  readonly retracted: Offer[];
  /** Why entries were left out (for the log). */
  readonly refused: string[];
}

/** Retractions remembered for offers not seen yet (sync may deliver them first). */
const MAX_EARLY_RETRACTIONS = 10_000;

export function mediaKind(kind: MediaKind): Media['kind'] {
  switch (kind) {
    case MediaKind.IMAGE:
      return 'image';
    case MediaKind.VIDEO:
      return 'video';
    case MediaKind.AUDIO:
      return 'audio';
    default:
      return 'media';
  }
}

export class PoolOffers {
  private readonly offers = new Map<string, Offer>();
  private readonly folderMap = new Map<string, Folder>();
  /** Folder ids whose offer carried an unsafe name: none of their files is accepted. */
  private readonly refusedFolders = new Set<string>();
  /** fileId → nodes that retracted it before its offer arrived. */
  private readonly early = new Map<string, Set<string>>();

  /** `checks`: what a name and a relative path must be for this device to keep an offer. */
  constructor(private readonly checks: NameChecks) {}

  /** Applies a pool message's effect; other messages change nothing. */
  apply(message: PoolMessage): OfferChanges {
    const changes: OfferChanges = { added: [], described: [], retracted: [], refused: [] };
    const c = message.content;
    if (c.case === 'fileOffer') {
      const { folderId, folderName } = c.value;
      for (const info of c.value.files) {
        if (info.folderId !== '' && folderId !== '' && info.folderId !== folderId) {
          changes.refused.push(
            `${info.fileId}: in folder ${info.folderId}, offered as ${folderId}`,
          );
          continue;
        }
        const name = info.folderId !== '' && info.folderId === folderId ? folderName : '';
        this.add(info, undefined, name, changes);
      }
    } else if (c.case === 'mediaOffer' && c.value.file) {
      const media: Media = {
        kind: mediaKind(c.value.kind),
        width: c.value.width,
        height: c.value.height,
        preview: c.value.preview,
      };
      const known = this.offers.get(c.value.file.fileId);
      if (known) {
        // A seeder's plain re-offer may have come first; the origin's description wins.
        if (!known.media && message.authorNodeId === known.info.originNodeId) {
          known.media = media;
          changes.described.push(known);
        }
      } else {
        this.add(c.value.file, media, '', changes);
      }
    } else if (c.case === 'retractOffer') {
      const offer = this.offers.get(c.value.fileId);
      if (!offer) {
        this.remember(c.value.fileId, message.authorNodeId);
      } else if (offer.info.originNodeId === message.authorNodeId && !offer.retracted) {
        offer.retracted = true;
        changes.retracted.push(offer);
      }
    }
    return changes;
  }

  /** Files this device offers: known at once, before the broadcast comes back from the log. */
  addOwn(infos: readonly FileInfo[], media?: Media, folderName = ''): Offer[] {
    const changes: OfferChanges = { added: [], described: [], retracted: [], refused: [] };
    for (const info of infos) this.add(info, media, folderName, changes);
    return changes.added;
  }

  get(fileId: string): Offer | undefined {
    return this.offers.get(fileId);
  }

  /** Offered and not retracted. */
  live(fileId: string): Offer | undefined {
    const offer = this.offers.get(fileId);
    return offer && !offer.retracted ? offer : undefined;
  }

  folder(folderId: string): Folder | undefined {
    return this.folderMap.get(folderId);
  }

  /** Live offers of `folder`, in offer order. */
  filesOf(folder: Folder): Offer[] {
    const out: Offer[] = [];
    for (const id of folder.fileIds) {
      const offer = this.live(id);
      if (offer) out.push(offer);
    }
    return out;
  }

  /** Every offer, retracted ones too, in the order they came. */
  all(): IterableIterator<Offer> {
    return this.offers.values();
  }

  folders(): IterableIterator<Folder> {
    return this.folderMap.values();
  }

  private add(
    info: FileInfo,
    media: Media | undefined,
    folderName: string,
    changes: OfferChanges,
  ): void {
    if (this.offers.has(info.fileId)) return;
    if (!this.checks.isSafeName(info.name) || !this.checks.isSafeRelativePath(info.relativePath)) {
      changes.refused.push(`${info.fileId}: unsafe name or relative path`);
      return;
    }
    if (info.folderId !== '' && !this.joinFolder(info, folderName, changes)) return;
    const offer: Offer = { info, retracted: false, media };
    const early = this.early.get(info.fileId);
    if (early) {
      this.early.delete(info.fileId);
      if (early.has(info.originNodeId)) offer.retracted = true;
    }
    this.offers.set(info.fileId, offer);
    if (!offer.retracted) changes.added.push(offer);
  }

  /** Puts `info` in its folder (made if new); false when it must be left out. */
  private joinFolder(info: FileInfo, folderName: string, changes: OfferChanges): boolean {
    const id = info.folderId;
    if (this.refusedFolders.has(id)) return false;
    if (folderName !== '' && !this.checks.isSafeName(folderName)) {
      this.refusedFolders.add(id);
      const known = this.folderMap.get(id);
      if (known) for (const fileId of known.fileIds) this.offers.delete(fileId);
      this.folderMap.delete(id);
      changes.refused.push(`folder ${id}: unsafe folder name ${JSON.stringify(folderName)}`);
      return false;
    }
    let folder = this.folderMap.get(id);
    if (!folder) {
      folder = { id, name: undefined, origin: info.originNodeId, fileIds: [] };
      this.folderMap.set(id, folder);
    } else if (folder.origin !== info.originNodeId) {
      changes.refused.push(`${info.fileId}: claims folder ${id} of another node`);
      return false;
    }
    if (folder.name === undefined && folderName !== '') folder.name = folderName;
    folder.fileIds.push(info.fileId);
    return true;
  }

  private remember(fileId: string, author: string): void {
    let authors = this.early.get(fileId);
    if (!authors) {
      if (this.early.size >= MAX_EARLY_RETRACTIONS) {
        const oldest = this.early.keys().next().value;
        if (oldest !== undefined) this.early.delete(oldest);
      }
      authors = new Set();
      this.early.set(fileId, authors);
    }
    authors.add(author);
  }
}

/** The name a folder is shown and saved under: its own, else one made from its id. */
export function folderName(folder: Folder): string {
  return folder.name ?? `folder-${folder.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
