/**
 * What an image offer carries, made in the page: the format (read from the content's first
 * bytes, never the name), the displayed size (EXIF orientation applied by `createImageBitmap`)
 * and a WebP preview of at most 2 KB drawn on an `OffscreenCanvas`, with the same ladder of
 * sizes and qualities as the daemon (apps/daemon/src/files/image-preview.ts). A browser that
 * cannot decode it or encode WebP offers a plain file, or an image without a preview.
 */
import { MAX_PREVIEW_BYTES } from '@poolnet/protocol';

export const PREVIEW_BYTES = Math.min(MAX_PREVIEW_BYTES, 2048);

const SIDES = [96, 64, 48, 32, 24, 16];
const QUALITIES = [0.6, 0.4, 0.2];

export interface ImageDescription {
  readonly mime: string;
  readonly width: number;
  readonly height: number;
  /** A WebP of at most `PREVIEW_BYTES`; empty when none fits or WebP cannot be made. */
  readonly preview: Uint8Array;
}

/** PNG, JPEG, GIF or WebP by their signatures; undefined for anything else. */
export function imageMime(head: Uint8Array): string | undefined {
  const at = (i: number) => head[i] ?? -1;
  if (at(0) === 0x89 && at(1) === 0x50 && at(2) === 0x4e && at(3) === 0x47) return 'image/png';
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  if (at(0) === 0x47 && at(1) === 0x49 && at(2) === 0x46 && at(3) === 0x38) return 'image/gif';
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

export async function describeImage(file: Blob): Promise<ImageDescription | undefined> {
  const mime = imageMime(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
  if (mime === undefined || typeof createImageBitmap !== 'function') return undefined;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return undefined; // the signature says image, the pixels do not: a plain file
  }
  try {
    const { width, height } = bitmap;
    if (!(width > 0) || !(height > 0)) return undefined;
    return { mime, width, height, preview: await smallPreview(bitmap) };
  } finally {
    bitmap.close();
  }
}

async function smallPreview(bitmap: ImageBitmap): Promise<Uint8Array> {
  if (typeof OffscreenCanvas !== 'function') return new Uint8Array(0);
  for (const side of SIDES) {
    const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
    const w = Math.max(1, Math.round(bitmap.width * scale));
    const h = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(w, h);
    const context = canvas.getContext('2d');
    if (!context) return new Uint8Array(0);
    context.drawImage(bitmap, 0, 0, w, h);
    for (const quality of QUALITIES) {
      const blob = await canvas.convertToBlob({ type: 'image/webp', quality });
      // A browser without a WebP encoder answers PNG: not what the offer promises.
      if (blob.type !== 'image/webp') return new Uint8Array(0);
      if (blob.size <= PREVIEW_BYTES) return new Uint8Array(await blob.arrayBuffer());
    }
  }
  return new Uint8Array(0);
}
