/**
 * Download history and transfer events between daemons in this process (real WebRTC on
 * 127.0.0.1): done, failed and cancelled downloads are listed after a restart; the seeder
 * reports what it serves (throttled) and what it seeds.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, Devices, fileSha256, linked, offerOn, sha256Hex } from './devices.js';
import { type Json, eventually } from './fixture.js';
import { writeRandomFile } from './files/helpers.js';

let bench: Devices;
let ann: Device;
let ben: Device;
let pool: string;
/** The CLI is given the pool's name: an id may start with '-'. */
const POOL = 'History';

beforeAll(async () => {
  bench = await Devices.start();
  ann = await bench.device('Ann');
  ben = await bench.device('Ben');
  pool = await bench.pool(ann, [ben], POOL);
}, 120_000);

afterAll(async () => {
  await bench?.close();
});

/** A random file Ann offers and Ben sees; its bytes (none kept for a large one). */
async function offered(name: string, size: number): Promise<{ id: string; data: Buffer }> {
  const large = size > 16 * 1024 * 1024;
  const data = large ? Buffer.alloc(0) : randomBytes(size);
  const path = join(bench.root, name);
  if (large) await writeRandomFile(path, size);
  else await writeFile(path, data);
  const { file } = await ann.json('share', POOL, path);
  await offerOn(ben, pool, file.id);
  return { id: file.id, data };
}

describe('download history and transfer events', () => {
  it('[HIST1] done, failed and cancelled downloads are listed newest first, after a restart too', async () => {
    const good = await offered('good.bin', 2 * 1024 * 1024 + 5);
    const done = await ben.json('download', POOL, good.id);
    expect(done.sha256).toBe(sha256Hex(good.data));

    // Saving under a regular file cannot work: the download fails after the transfer.
    const blocked = await offered('blocked.bin', 100 * 1024);
    const notADir = join(bench.root, 'not-a-dir');
    await writeFile(notADir, 'a file');
    const failed = await ben.cli('download', POOL, blocked.id, '--to', join(notADir, 'sub'));
    expect(failed.code).toBe(1);

    // A large download cancelled as soon as it moves.
    const big = await offered('big.bin', 256 * 1024 * 1024);
    const events = await bench.events(ben);
    const running = ben.cli('download', POOL, big.id);
    await eventually(
      async () => events.some((e) => e.type === 'download' && e.file === big.id && e.received > 0),
      'the big download under way',
    );
    expect((await ben.json('cancel', POOL, big.id)).ok).toBe(true);
    const cancelled = await running;
    expect(cancelled.code).toBe(1);
    expect(cancelled.stderr).toMatch(/cancelled/);
    expect(
      events.some((e) => e.type === 'download' && e.file === big.id && e.state === 'cancelled'),
    ).toBe(true);

    await bench.stop(ben);
    await bench.restart(ben);
    const { downloads } = await ben.json('downloads', POOL);
    expect(downloads.map((d: Json) => [d.name, d.state])).toEqual([
      ['big.bin', 'cancelled'],
      ['blocked.bin', 'failed'],
      ['good.bin', 'done'],
    ]);
    const [c, f, d] = downloads as Json[];
    expect(d).toMatchObject({
      file: good.id,
      pool,
      size: good.data.length,
      sha256: sha256Hex(good.data),
      state: 'done',
      error: null,
      auto: false,
    });
    expect(await fileSha256(d.path)).toBe(sha256Hex(good.data));
    expect(d.finishedAt).toBeGreaterThanOrEqual(d.startedAt);
    expect(f).toMatchObject({ file: blocked.id, path: null, sha256: null, state: 'failed' });
    expect(f.error).toMatch(/not-a-dir/);
    expect(c).toMatchObject({ file: big.id, path: null, state: 'cancelled' });
    expect(f.finishedAt).toBeGreaterThanOrEqual(d.finishedAt);

    const text = await ben.cli('downloads');
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/WHEN\s+STATE\s+NAME\s+SIZE\s+POOL\s+PATH \/ ERROR/);
    expect(lines[1]).toMatch(/cancelled\s+big\.bin/);
    expect(lines[2]).toMatch(/failed\s+blocked\.bin.*not-a-dir/);
    expect(lines[3]).toMatch(/done\s+good\.bin\s+2\.0 MiB\s+\S+\s+\//);
    expect((await ben.json('downloads', POOL, '--limit', '1')).downloads).toHaveLength(1);
    await linked(ben, pool);
  }, 180_000);

  it('[EV1] the seeder reports seeding and throttled upload progress of what it serves', async () => {
    const annEvents = await bench.events(ann);
    const data = randomBytes(8 * 1024 * 1024);
    const path = join(bench.root, 'served.bin');
    await writeFile(path, data);
    const { file } = await ann.json('share', POOL, path);
    expect(annEvents).toContainEqual(
      expect.objectContaining({ type: 'seeding', file: file.id, seeding: true, folder: null }),
    );
    await offerOn(ben, pool, file.id);
    const started = Date.now();
    const got = await ben.json('download', POOL, file.id);
    expect(got.sha256).toBe(sha256Hex(data));
    // Every byte was served once (one seeder, no loss on loopback): the last report says so.
    const uploads = await eventually(async () => {
      const all = annEvents.filter((e) => e.type === 'upload' && e.file === file.id);
      return all.at(-1)?.bytes >= data.length ? all : undefined;
    }, 'the last upload report');
    const last = uploads.at(-1);
    expect(last).toMatchObject({ name: 'served.bin', size: data.length, bytes: data.length });
    expect(last.chunks).toBeGreaterThan(1);
    // At most 4 a second (plus the first).
    const seconds = (Date.now() - started) / 1000;
    expect(uploads.length).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 1);
    const counts = uploads.map((e) => e.chunks);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);

    // Ben seeds it now; withdrawing it on Ann stops her seeding.
    await ann.json('retract', POOL, file.id);
    expect(annEvents).toContainEqual(
      expect.objectContaining({ type: 'seeding', file: file.id, seeding: false }),
    );
  }, 120_000);
});
