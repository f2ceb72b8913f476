/**
 * Folder offers between daemons in this process (real WebRTC on 127.0.0.1), driven through
 * the CLI: a folder is one offer listed as one entry, downloaded whole with its tree or only
 * what is missing; a large folder travels in several messages; hostile names write nothing
 * outside the target; the UI's folder form gets readable refusals.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PoolNode } from '@poolnet/engine';
import { FileInfoSchema, FileOfferSchema, create } from '@poolnet/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unreadable } from '../src/daemon/share-offers.js';
import { FileError } from '../src/files/errors.js';
import { type Device, Devices, fileSha256, offerOn, sha256Hex } from './devices.js';
import { type Json, eventually } from './fixture.js';

let bench: Devices;
let ann: Device;
let ben: Device;
let pool: string;
/** The CLI is given the pool's name: an id may start with '-'. */
const POOL = 'Folders';

beforeAll(async () => {
  bench = await Devices.start();
  ann = await bench.device('Ann');
  ben = await bench.device('Ben');
  pool = await bench.pool(ann, [ben], POOL);
}, 120_000);

afterAll(async () => {
  await bench?.close();
});

/** The engine node of `device` in `pool`: to send what the daemon itself never would. */
function nodeOf(device: Device, poolId: string): PoolNode {
  const daemon = device.daemon.daemon as unknown as {
    runtimes: Map<string, { node: PoolNode | undefined }>;
  };
  const node = daemon.runtimes.get(poolId)?.node;
  if (!node) throw new Error(`${device.name} has no node in ${poolId}`);
  return node;
}

const messagesOf = async (device: Device): Promise<Json[]> =>
  (await device.api.ok('GET', `/v1/messages?pool=${pool}&limit=500`)).messages;

describe('folder offers', () => {
  it('[DIR1] a folder is one entry; --all fetches its tree with every hash right; --missing only what is gone', async () => {
    const trip = join(bench.root, 'Trip');
    const files: Record<string, Buffer> = {
      'notes.txt': randomBytes(1000),
      'a.bin': randomBytes(300 * 1024),
      'day 1/b.bin': randomBytes(1100 * 1024),
      'day 1/raw/c.bin': randomBytes(70 * 1024),
    };
    for (const [rel, data] of Object.entries(files)) {
      await mkdir(dirname(join(trip, rel)), { recursive: true });
      await writeFile(join(trip, rel), data);
    }
    await mkdir(join(trip, 'empty'));
    await writeFile(join(bench.root, 'outside.txt'), 'not shared');
    await symlink(join(bench.root, 'outside.txt'), join(trip, 'link.txt'));
    const total = Object.values(files).reduce((sum, d) => sum + d.length, 0);

    const shared = await ann.json('share', POOL, trip);
    expect(shared.folder).toMatchObject({ name: 'Trip', fileCount: 4, size: total, mine: true });
    expect(shared.skipped.map((s: Json) => s.path)).toEqual([join(trip, 'link.txt')]);
    const folderId = shared.folder.id as string;

    // Listed as one folder, its files not among the single files.
    const seen = await offerOn(ben, pool, folderId, true);
    expect(seen).toMatchObject({ name: 'Trip', fileCount: 4, size: total, haveCount: 0 });
    const listed = await ben.json('files', POOL);
    expect(listed.files.filter((f: Json) => f.folder !== null)).toEqual([]);
    const text = await ben.cli('files', POOL);
    expect(text.stdout).toMatch(/Trip\/\s+\S+\s+folder, 4 files\s+1\.\d MiB\s+\d+\s+0\/4/);
    const inside = await ben.json('files', POOL, folderId);
    expect(inside.files.map((f: Json) => `${f.relativePath}|${f.name}`).sort()).toEqual(
      ['|a.bin', '|notes.txt', 'day 1/raw|c.bin', 'day 1|b.bin'].sort(),
    );

    // A folder needs a mode.
    const plain = await ben.cli('download', POOL, folderId);
    expect(plain.code).toBe(64);
    expect(plain.stderr).toMatch(/is a folder.*--all.*--missing/);
    expect((await ben.cli('download', POOL, folderId, '--all', '--missing')).code).toBe(64);

    const target = join(bench.root, 'got');
    const all = await ben.json('download', POOL, folderId, '--all', '--to', target);
    expect(all.path).toBe(join(target, 'Trip'));
    expect(all.files.map((f: Json) => f.outcome)).toEqual([
      'fetched',
      'fetched',
      'fetched',
      'fetched',
    ]);
    for (const [rel, data] of Object.entries(files)) {
      expect(await fileSha256(join(target, 'Trip', rel)), rel).toBe(sha256Hex(data));
    }
    expect(await readdir(join(target, 'Trip'))).toEqual(expect.arrayContaining(['day 1']));
    expect((await ben.json('files', POOL)).folders[0]).toMatchObject({ haveCount: 4 });

    // One file deleted: --missing fetches it alone, the others stay as they are.
    const gone = join(target, 'Trip', 'day 1', 'b.bin');
    const keptBefore = await stat(join(target, 'Trip', 'a.bin'));
    await rm(gone);
    const missing = await ben.json('download', POOL, folderId, '--missing', '--to', target);
    const outcomes = Object.fromEntries(missing.files.map((f: Json) => [f.name, f.outcome]));
    expect(outcomes).toEqual({
      'notes.txt': 'kept',
      'a.bin': 'kept',
      'b.bin': 'fetched',
      'c.bin': 'kept',
    });
    expect(await fileSha256(gone)).toBe(sha256Hex(files['day 1/b.bin'] as Buffer));
    expect((await stat(join(target, 'Trip', 'a.bin'))).mtimeMs).toBe(keptBefore.mtimeMs);
    const text2 = await ben.cli('download', POOL, folderId, '--missing', '--to', target);
    expect(text2.stdout).toMatch(/0 fetched, 4 already here/);

    // Each fetched file is in the history, with its folder.
    const { downloads } = await ben.api.ok('GET', '/v1/downloads');
    expect(downloads.filter((d: Json) => d.folder === folderId && d.state === 'done')).toHaveLength(
      5,
    );
  }, 180_000);

  it("[DIR4] the UI's folder form (folder: true): a file, a missing, unreadable or empty folder are refused readably", async () => {
    const share = (path: string) =>
      ann.api.call('POST', '/v1/files/share', { pool, path, folder: true });
    const file = join(bench.root, 'single.txt');
    await writeFile(file, 'one file');
    const cases: Array<[string, RegExp]> = [
      [file, /single\.txt is a file, not a folder$/],
      [join(bench.root, 'no-such-folder'), /no-such-folder: no such file or folder$/],
    ];
    const empty = join(bench.root, 'Empty');
    await mkdir(join(empty, 'inner'), { recursive: true });
    cases.push([empty, /Empty is an empty folder: nothing to offer$/]);
    // Root reads anything: the real permission case needs an ordinary user; the words for it
    // are checked either way, on the error the folder walk throws.
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const walkError = new FileError('IO', 'read /x failed (EACCES)', { cause: denied });
    expect(unreadable('/x', walkError).message).toBe('cannot read /x: permission denied');
    if (process.getuid?.() !== 0) {
      const locked = join(bench.root, 'Locked');
      await mkdir(locked);
      await chmod(locked, 0o000);
      cases.push([locked, /Locked: permission denied$/]);
    }
    for (const [path, message] of cases) {
      const { status, json } = await share(path);
      expect(status, path).toBe(400);
      expect(json.error.code).toBe('BAD_REQUEST');
      expect(json.error.message).toMatch(message);
    }
    // Nothing was offered on the way.
    const listed = await ann.api.ok('GET', `/v1/files?pool=${pool}`);
    expect(listed.files.map((f: Json) => f.name)).not.toContain('single.txt');
    expect(listed.folders.map((f: Json) => f.name)).not.toContain('Empty');
    const bad = await ann.api.call('POST', '/v1/files/share', { pool, path: empty, folder: 'yes' });
    expect(bad.json.error.message).toBe('folder must be true or false');
  });

  it('[DIR2] a folder larger than one message allows goes out in several, and is listed as one', async () => {
    const many = join(bench.root, 'Many');
    for (let i = 0; i < 1001; i++) {
      await mkdir(join(many, `d${i % 10}`), { recursive: true });
      await writeFile(join(many, `d${i % 10}`, `file-${i}.txt`), `content ${i}`);
    }
    const offersBefore = (await messagesOf(ben)).filter((m) => m.kind === 'fileOffer').length;
    const { folder } = await ann.json('share', POOL, many);
    expect(folder.fileCount).toBe(1001);
    const seen = await eventually(async () => {
      const f = (await ben.api.ok('GET', `/v1/files?pool=${pool}`)).folders.find(
        (x: Json) => x.id === folder.id,
      );
      return f?.fileCount === 1001 ? f : undefined;
    }, 'every part of the folder');
    expect(seen).toMatchObject({ name: 'Many', haveCount: 0 });
    const offersAfter = (await messagesOf(ben)).filter((m) => m.kind === 'fileOffer').length;
    expect(offersAfter - offersBefore).toBeGreaterThanOrEqual(2);
    expect(
      (await ben.json('files', POOL)).folders.filter((f: Json) => f.name === 'Many'),
    ).toHaveLength(1);
  }, 180_000);

  it('[DIR3] hostile folder names and relative paths in offers write nothing outside the target', async () => {
    const node = nodeOf(ann, pool);
    const file = (fields: { fileId: string; relativePath: string; folderId: string }) =>
      create(FileInfoSchema, {
        ...fields,
        name: 'x',
        size: 10n,
        originNodeId: ann.daemon.daemon.status().deviceId ?? '',
        sha256: new Uint8Array(32),
        chunkSize: 65_536,
        chunkHashesRoot: new Uint8Array(32),
      });
    // A folder name that is not one safe segment does not pass the wire (WIRE14); the daemon
    // would refuse it too (pool-offers.test.ts).
    const byName = node.broadcast({
      case: 'fileOffer',
      value: create(FileOfferSchema, {
        folderId: 'evil-name',
        folderName: '../escape',
        files: [file({ fileId: 'evil-1', relativePath: '', folderId: 'evil-name' })],
      }),
    });
    // A relative path with '..' does not pass the wire (WIRE13); the daemon would refuse it too.
    const byPath = node.broadcast({
      case: 'fileOffer',
      value: create(FileOfferSchema, {
        folderId: 'evil-path',
        folderName: 'Fine',
        files: [file({ fileId: 'evil-2', relativePath: '../x', folderId: 'evil-path' })],
      }),
    });
    const marker = await ann.api.ok('POST', '/v1/messages/send', { pool, text: 'after' });
    await eventually(
      async () => (await messagesOf(ben)).some((m) => m.id === marker.message.id),
      'the marker',
    );
    const log = await messagesOf(ben);
    expect(log.some((m) => m.id === byName)).toBe(false);
    expect(log.some((m) => m.id === byPath)).toBe(false);

    const listed = await ben.json('files', POOL);
    expect(listed.folders.map((f: Json) => f.id)).not.toContain('evil-name');
    expect(listed.folders.map((f: Json) => f.id)).not.toContain('evil-path');
    const target = join(bench.root, 'hostile', 'target');
    for (const id of ['evil-name', 'evil-path']) {
      const tried = await ben.cli('download', POOL, id, '--all', '--to', target);
      expect(tried.code).toBe(1);
      expect(tried.stderr).toMatch(/no folder/);
    }
    const tried = await ben.cli('download', POOL, 'evil-1', '--to', target);
    expect(tried.code).toBe(1);
    await expect(stat(join(bench.root, 'hostile'))).rejects.toThrow();
    await expect(stat(join(bench.root, 'escape'))).rejects.toThrow();
  }, 120_000);
});
