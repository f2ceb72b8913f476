/**
 * Image offers between daemons in this process (real WebRTC on 127.0.0.1): an image is offered
 * with its size and a small preview, and fetched on their own by devices within their limit;
 * a fake image is a plain file; a withdrawn image is not fetched.
 */
import { randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, Devices, fileSha256, linked, offerOn, sha256Hex } from './devices.js';
import { type Json, eventually } from './fixture.js';

let bench: Devices;
let ann: Device;
let ben: Device;
let cat: Device;
let pool: string;
/** The CLI is given the pool's name: an id may start with '-'. */
const POOL = 'Pictures';

beforeAll(async () => {
  bench = await Devices.start();
  ann = await bench.device('Ann');
  ben = await bench.device('Ben'); // the default limit: 16 MiB
  cat = await bench.device('Cat', { autoFetchImageBytes: 1000 });
  pool = await bench.pool(ann, [ben, cat], POOL);
}, 120_000);

afterAll(async () => {
  await bench?.close();
});

/** A PNG of random pixels (it does not compress: its size is about w·h·3 bytes). */
async function png(
  name: string,
  width: number,
  height: number,
): Promise<{ path: string; data: Buffer }> {
  const data = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  const path = join(bench.root, name);
  await writeFile(path, data);
  return { path, data };
}

const downloadsOf = async (device: Device): Promise<Json[]> =>
  (await device.api.ok('GET', '/v1/downloads')).downloads;

/** The done download of `fileId` on `device`, once there is one. */
const fetched = (device: Device, fileId: string): Promise<Json> =>
  eventually(
    async () => (await downloadsOf(device)).find((d) => d.file === fileId && d.state === 'done'),
    `${device.name} fetched ${fileId}`,
    60_000,
  );

describe('image offers', () => {
  it('[IMG1] an image is offered with its size and a preview of at most 2 KB, and fetched on arrival with the right SHA-256', async () => {
    const { path, data } = await png('sunset.png', 320, 200);
    const { file } = await ann.json('share', POOL, path);
    expect(file).toMatchObject({
      kind: 'image',
      mime: 'image/png',
      width: 320,
      height: 200,
      mine: true,
    });

    const seen = await offerOn(ben, pool, file.id);
    expect(seen).toMatchObject({ kind: 'image', width: 320, height: 200, mine: false });
    const preview = Buffer.from(seen.preview as string, 'base64');
    expect(preview.length).toBeGreaterThan(0);
    expect(preview.length).toBeLessThanOrEqual(2048);
    expect((await sharp(preview).metadata()).format).toBe('webp');

    // Ben fetches it without being asked: 1000 bytes is below his 16 MiB limit.
    const record = await fetched(ben, file.id);
    expect(record).toMatchObject({ auto: true, pool, size: data.length, sha256: sha256Hex(data) });
    expect(record.path.startsWith(join(ben.dir, 'downloads'))).toBe(true);
    expect(await fileSha256(record.path)).toBe(sha256Hex(data));
    expect((await ben.json('files', POOL)).files.find((f: Json) => f.id === file.id).have).toBe(
      true,
    );
    const listing = await ben.cli('files', POOL);
    expect(listing.stdout).toMatch(/sunset\.png\s+\S+\s+image 320x200/);

    // Cat's limit is 1000 bytes: she only sees it. Ann never fetches her own offer.
    expect((await offerOn(cat, pool, file.id)).have).toBe(false);
    expect(await downloadsOf(cat)).toEqual([]);
    expect(await downloadsOf(ann)).toEqual([]);
  }, 120_000);

  it('[IMG2] a file named .png that is not an image is a plain file offer, and not fetched on arrival', async () => {
    const fake = join(bench.root, 'fake.png');
    await writeFile(fake, randomBytes(4000));
    const { file } = await ann.json('share', POOL, fake);
    expect(file).toMatchObject({ kind: 'file', width: null, height: null, preview: null });
    // A real image offered after it is fetched: by then the fake one would have been too.
    const marker = await png('marker.png', 20, 20);
    const { file: image } = await ann.json('share', POOL, marker.path);
    await fetched(ben, image.id);
    const seen = await offerOn(ben, pool, file.id);
    expect(seen).toMatchObject({ kind: 'file', preview: null, have: false, downloading: false });
    expect((await downloadsOf(ben)).some((d) => d.file === file.id)).toBe(false);
    // `poolnet share` says what it offered.
    const shared = await ann.cli('share', POOL, marker.path);
    expect(shared.stdout).toMatch(/^offered marker\.png \(.*image 20x20\) as /);
  }, 120_000);

  it('[IMG3] an image withdrawn before a device came back is not fetched, though another device seeds it', async () => {
    await bench.stop(ben);
    const { path, data } = await png('withdrawn.png', 30, 30);
    const { file } = await ann.json('share', POOL, path);
    // Cat fetches it by hand and so seeds it too (FT5) ...
    await offerOn(cat, pool, file.id);
    const got = await cat.json('download', POOL, file.id);
    expect(got.sha256).toBe(sha256Hex(data));
    // ... then Ann withdraws it.
    await ann.json('retract', POOL, file.id);

    await bench.restart(ben);
    await linked(ben, pool);
    await eventually(async () => {
      const { messages } = await ben.api.ok('GET', `/v1/messages?pool=${pool}&limit=500`);
      return messages.some((m: Json) => m.kind === 'retractOffer');
    }, 'Ben has the withdrawal');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await ben.json('files', POOL)).files.some((f: Json) => f.id === file.id)).toBe(false);
    expect((await downloadsOf(ben)).some((d) => d.file === file.id)).toBe(false);
    expect(await readdir(join(ben.dir, 'downloads'))).not.toContain('withdrawn.png');
  }, 120_000);
});
