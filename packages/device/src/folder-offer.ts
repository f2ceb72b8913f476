/**
 * A folder offer as pool messages: one `fileOffer` while it fits, else several sharing the
 * folder id. Each message lists at most MAX_OFFER_FILES files (WIRE14) and its encoded offer
 * stays under OFFER_MESSAGE_BYTES, far below the package limit: a pool message also travels
 * inside sync replies and reconciliation batches with others.
 */
import {
  type FileInfo,
  type FileOffer,
  FileInfoSchema,
  FileOfferSchema,
  MAX_OFFER_FILES,
  MAX_POOL_MESSAGE_BYTES,
  create,
  toBinary,
} from '@poolnet/protocol';

/** Largest encoded `FileOffer` sent (a quarter of a pool message: 64 KiB). */
export const OFFER_MESSAGE_BYTES = MAX_POOL_MESSAGE_BYTES / 4;

/** Bytes of a protobuf varint. */
function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    bytes++;
  }
  return bytes;
}

/**
 * The offers that together list `files` of the folder `folderId` named `folderName`, in order.
 * `maxBytes` and `maxFiles` bound each offer.
 */
/**
 * The order of a folder's files in its offer, the same from the daemon's walk and from a page's
 * pick: by directory inside the folder, then by name.
 */
export function byFolderPath(
  a: { readonly relativePath: string; readonly name: string },
  b: { readonly relativePath: string; readonly name: string },
): number {
  return a.relativePath === b.relativePath
    ? a.name.localeCompare(b.name)
    : a.relativePath.localeCompare(b.relativePath);
}

export function folderOffers(
  files: readonly FileInfo[],
  folderId: string,
  folderName: string,
  maxBytes = OFFER_MESSAGE_BYTES,
  maxFiles = MAX_OFFER_FILES,
): FileOffer[] {
  const base = toBinary(FileOfferSchema, create(FileOfferSchema, { folderId, folderName })).length;
  const offers: FileOffer[] = [];
  let batch: FileInfo[] = [];
  let bytes = base;
  const flush = () => {
    if (batch.length === 0) return;
    offers.push(create(FileOfferSchema, { files: batch, folderId, folderName }));
    batch = [];
    bytes = base;
  };
  for (const info of files) {
    const size = toBinary(FileInfoSchema, info).length;
    // Field 1, length-delimited: one tag byte, the length, the message.
    const entry = 1 + varintBytes(size) + size;
    if (batch.length >= maxFiles || (batch.length > 0 && bytes + entry > maxBytes)) flush();
    batch.push(info);
    bytes += entry;
  }
  flush();
  return offers;
}
