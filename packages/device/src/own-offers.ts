/**
 * Offering a file of this device: known to its own offer book at once (before the broadcast
 * comes back from the log), then broadcast as an image (with its preview) or a plain file.
 */
import type { PoolNode } from '@poolnet/engine';
import {
  type FileInfo,
  FileOfferSchema,
  MediaKind,
  MediaOfferSchema,
  create,
} from '@poolnet/protocol';
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
