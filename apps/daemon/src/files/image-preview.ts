/**
 * What an image offer carries besides the file: the format, the displayed size and a tiny
 * preview shown before anything is downloaded. The format is read from the content (sharp's
 * header parse), never from the name, so a `.png` that is not one is offered as a plain file.
 */
import { MAX_PREVIEW_BYTES } from '@poolnet/protocol';
import sharp from 'sharp';

// A shared file may change under the same path; a cached decode would describe the old one.
sharp.cache(false);

/** Largest preview kept: the wire's cap, and 2 KB so an offer stays a small pool message. */
export const PREVIEW_BYTES = Math.min(MAX_PREVIEW_BYTES, 2048);

/** The formats offered as images, by sharp's format name. */
const IMAGE_MIME: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

/** Preview sizes (longest side, px) and WebP qualities, tried largest first until one fits. */
const SIDES = [96, 64, 48, 32, 24, 16];
const QUALITIES = [60, 40, 20];

export interface ImageDescription {
  readonly mime: string;
  /** As displayed: EXIF orientation applied; one frame of an animation. */
  readonly width: number;
  readonly height: number;
  /** A WebP of at most `PREVIEW_BYTES`. */
  readonly preview: Uint8Array;
}

/**
 * Describes the PNG, JPEG, WebP or GIF at `path`; undefined when it is none of them or sharp
 * cannot decode it (the caller then offers a plain file).
 */
export async function describeImage(
  path: string,
  maxBytes = PREVIEW_BYTES,
): Promise<ImageDescription | undefined> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(path).metadata();
  } catch {
    return undefined; // not an image sharp knows
  }
  const mime = meta.format === undefined ? undefined : IMAGE_MIME[meta.format];
  const width = meta.autoOrient.width;
  const height = meta.autoOrient.height;
  if (mime === undefined || !(width > 0) || !(height > 0)) return undefined;
  try {
    const preview = await smallPreview(path, maxBytes);
    return { mime, width, height, preview };
  } catch {
    return undefined; // the header parses but the pixels do not: a damaged image
  }
}

/** The largest preview of the ladder that fits `maxBytes` (empty if even the smallest does not). */
async function smallPreview(path: string, maxBytes: number): Promise<Uint8Array> {
  // Decode the (possibly large) image once; every rung then works on the small copy.
  const largest = SIDES[0] ?? 96;
  const small = await sharp(path, { pages: 1 })
    .autoOrient()
    .resize(largest, largest, { fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
  for (const side of SIDES) {
    for (const quality of QUALITIES) {
      // Metadata (EXIF, GPS) is not copied into the output by default.
      const data = await sharp(small)
        .resize(side, side, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality, effort: 4 })
        .toBuffer();
      if (data.length <= maxBytes) return new Uint8Array(data);
    }
  }
  return new Uint8Array(0);
}
