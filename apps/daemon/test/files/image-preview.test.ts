import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PREVIEW_BYTES, describeImage } from '../../src/files/image-preview.js';
import { tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir.remove();
});

/** Random pixels: the worst case for a small preview. */
function noise(width: number, height: number): sharp.Sharp {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } });
}

describe('describeImage', () => {
  it('reads the size of a PNG, JPEG, WebP and GIF by content and makes a WebP preview of at most 2 KB', async () => {
    const cases: Array<[string, sharp.Sharp, string]> = [
      ['a.png', noise(640, 480).png(), 'image/png'],
      ['a.jpg', noise(640, 480).jpeg(), 'image/jpeg'],
      ['a.webp', noise(640, 480).webp(), 'image/webp'],
      ['a.gif', noise(640, 480).gif(), 'image/gif'],
      // The name says nothing: the content decides.
      ['photo.bin', noise(640, 480).png(), 'image/png'],
    ];
    for (const [name, image, mime] of cases) {
      const path = join(dir.path, name);
      await image.toFile(path);
      const described = await describeImage(path);
      expect(described, name).toMatchObject({ mime, width: 640, height: 480 });
      const preview = described?.preview as Uint8Array;
      expect(preview.length).toBeGreaterThan(0);
      expect(preview.length).toBeLessThanOrEqual(Math.min(PREVIEW_BYTES, 2048));
      const meta = await sharp(preview).metadata();
      expect(meta.format).toBe('webp');
      expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(96);
    }
  });

  it('reports the displayed size of a JPEG turned by its EXIF orientation', async () => {
    const path = join(dir.path, 'turned.jpg');
    await noise(300, 100).jpeg().withMetadata({ orientation: 6 }).toFile(path);
    expect(await describeImage(path)).toMatchObject({ width: 100, height: 300 });
  });

  it('is undefined for what is not an image, a damaged image, or another format', async () => {
    const fake = join(dir.path, 'fake.png');
    await writeFile(fake, randomBytes(5000));
    expect(await describeImage(fake)).toBeUndefined();

    const png = await noise(200, 200).png().toBuffer();
    const cut = join(dir.path, 'cut.png');
    await writeFile(cut, png.subarray(0, 100)); // the header parses, the pixels do not
    expect(await describeImage(cut)).toBeUndefined();

    const tiff = join(dir.path, 'a.tiff');
    await noise(50, 50).tiff().toFile(tiff);
    expect(await describeImage(tiff)).toBeUndefined();

    expect(await describeImage(join(dir.path, 'absent.png'))).toBeUndefined();
  });

  it('steps the preview down until it fits a small limit', async () => {
    const path = join(dir.path, 'big.png');
    await noise(1000, 1000).png().toFile(path);
    const small = await describeImage(path, 300);
    expect(small?.preview.length).toBeGreaterThan(0);
    expect(small?.preview.length).toBeLessThanOrEqual(300);
  });
});
