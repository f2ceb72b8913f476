/**
 * Offering a file or a folder of this device: known to its own offer book at once (before the
 * broadcast comes back from the log), then broadcast as an image (with its preview), a plain
 * file, or a folder's files under one folder id (as many messages as the limits need).
 */
import type { PoolNode } from '@poolnet/engine';
import {
  type FileInfo,
  FileOfferSchema,
  MediaKind,
  MediaOfferSchema,
  create,
} from '@poolnet/protocol';
import { folderOffers } from './folder-offer.js';
import type { Offer, PoolOffers } from './offers.js';

/** An image's displayed size and small preview (WebP/JPEG), as a media offer carries them. */
export interface ImageFacts {
  readonly width: number;
  readonly height: number;
  readonly preview: Uint8Array;
}

/** Adds `info` to `offers` and broadcasts it; returns the offer. */
export function offerOwnFile(
  offers: PoolOffers,
  node: PoolNode,
  info: FileInfo,
  image: ImageFacts | undefined,
): Offer {
  if (image) {
    const { width, height, preview } = image;
    offers.addOwn([info], { kind: 'image', width, height, preview });
    node.broadcast({
      case: 'mediaOffer',
      value: create(MediaOfferSchema, {
        file: info,
        kind: MediaKind.IMAGE,
        width,
        height,
        preview,
      }),
    });
  } else {
    offers.addOwn([info]);
    node.broadcast({ case: 'fileOffer', value: create(FileOfferSchema, { files: [info] }) });
  }
  return offers.live(info.fileId) as Offer;
}

/**
 * Adds `infos`, the files of the new folder `folderId` named `name` (each carrying that folder
 * id and its relative path), to `offers` and broadcasts them; returns their offers.
 */
export function offerOwnFolder(
  offers: PoolOffers,
  node: PoolNode,
  infos: readonly FileInfo[],
  folderId: string,
  name: string,
): Offer[] {
  const added = offers.addOwn(infos, undefined, name);
  for (const value of folderOffers(infos, folderId, name)) {
    node.broadcast({ case: 'fileOffer', value });
  }
  return added;
}
