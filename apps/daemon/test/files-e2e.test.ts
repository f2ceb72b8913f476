/**
 * File transfer between daemons in this process (real WebRTC on 127.0.0.1, files on disk):
 * share, list, download to the exact bytes, and serve what was downloaded.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDaemon, runDaemon } from '../src/daemon/run.js';
import {
  type Json,
  LocalClient,
  type TestSyncServer,
  eventually,
  startTestSyncServer,
} from './fixture.js';
import { DEFAULT_CHUNK_SIZE } from '../src/files/manifest.js';

let sync: TestSyncServer;
let root: string;
const daemons: RunningDaemon[] = [];

beforeAll(async () => {
  sync = await startTestSyncServer();
  root = await mkdtemp(join(tmpdir(), 'poolnet-files-'));
});

afterAll(async () => {
  for (const d of daemons) await d.close();
  await sync?.close();
  await sync?.remove();
  await rm(root, { recursive: true, force: true });
});

async function device(name: string) {
  const dir = join(root, name);
  const daemon = await runDaemon({
    serverUrl: sync.url,
    dataDir: dir,
    webrtc: { bindAddress: '127.0.0.1' },
  });
  daemons.push(daemon);
  const api = await LocalClient.of(dir, daemon.port);
  await api.ok('POST', '/v1/account/register', { name });
  return { dir, daemon, api };
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('files between daemons', () => {
  it('[F1] a shared file downloads to the exact bytes on every other device, and a downloader serves it on', async () => {
    const a = await device('Ann');
    const { pool } = await a.api.ok('POST', '/v1/pools/create', { name: 'Photos' });
    const invite = await a.api.ok('POST', '/v1/pools/invite', { pool: pool.id, uses: 5 });
    const others = [await device('Ben'), await device('Cat')];
    for (const o of others) await o.api.ok('POST', '/v1/pools/join', { link: invite.link });
    for (const side of [a, ...others]) {
      await eventually(async () => {
        const status = await side.api.ok('GET', '/v1/status');
        const p = status.pools.find((x: Json) => x.id === pool.id);
        return p?.joined && p.links.length > 0;
      }, 'linked');
    }

    const content = randomBytes(3 * 1024 * 1024 + 777);
    const path = join(root, 'holiday.bin');
    await writeFile(path, content);
    const { file } = await a.api.ok('POST', '/v1/files/share', { pool: pool.id, path });
    expect(file).toMatchObject({ name: 'holiday.bin', size: content.length, mine: true });

    for (const o of others) {
      const listed = await eventually(async () => {
        const { files } = await o.api.ok('GET', `/v1/files?pool=${pool.id}`);
        return files.find((f: Json) => f.id === file.id);
      }, 'the offer reaches every device');
      expect(listed).toMatchObject({ name: 'holiday.bin', have: false, mine: false });
    }
    const results = await Promise.all(
      others.map((o) => o.api.ok('POST', '/v1/files/download', { pool: pool.id, file: file.id })),
    );
    for (const result of results) {
      expect(result.sha256).toBe(sha256(content));
      expect(sha256(await readFile(result.path))).toBe(sha256(content));
    }
    const { files } = await others[0]!.api.ok('GET', `/v1/files?pool=${pool.id}`);
    expect(files.find((f: Json) => f.id === file.id).have).toBe(true);
  }, 180_000);

  it('[F2] a downloader stopped halfway continues after a restart with the missing chunks only', async () => {
    const a = await device('Dan');
    const { pool } = await a.api.ok('POST', '/v1/pools/create', { name: 'Big' });
    const invite = await a.api.ok('POST', '/v1/pools/invite', { pool: pool.id });
    const b = await device('Eli');
    await b.api.ok('POST', '/v1/pools/join', { link: invite.link });
    for (const side of [a, b]) {
      await eventually(async () => {
        const status = await side.api.ok('GET', '/v1/status');
        const p = status.pools.find((x: Json) => x.id === pool.id);
        return p?.joined && p.links.length > 0;
      }, 'linked');
    }
    const content = randomBytes(48 * 1024 * 1024);
    const path = join(root, 'big.bin');
    await writeFile(path, content);
    const { file } = await a.api.ok('POST', '/v1/files/share', { pool: pool.id, path });
    await eventually(async () => {
      const { files } = await b.api.ok('GET', `/v1/files?pool=${pool.id}`);
      return files.some((f: Json) => f.id === file.id);
    }, 'the offer');
    const chunks = Math.ceil(content.length / DEFAULT_CHUNK_SIZE);

    // Start, and stop the daemon once about half the chunks are in.
    void b.api
      .call('POST', '/v1/files/download', { pool: pool.id, file: file.id })
      .catch(() => undefined);
    await eventually(
      async () => {
        const stats = await b.api.ok('GET', `/v1/files/stats?pool=${pool.id}`);
        return stats.chunksReceived >= chunks / 2;
      },
      'half the file',
      60_000,
    );
    await b.daemon.close();
    daemons.splice(daemons.indexOf(b.daemon), 1);

    const restarted = await runDaemon({
      serverUrl: sync.url,
      dataDir: b.dir,
      webrtc: { bindAddress: '127.0.0.1' },
    });
    daemons.push(restarted);
    const api = await LocalClient.of(b.dir, restarted.port);
    const result = await eventually(
      async () => {
        const { status, json } = await api.call('POST', '/v1/files/download', {
          pool: pool.id,
          file: file.id,
        });
        return status === 200 ? json : undefined;
      },
      'the resumed download',
      90_000,
    );
    expect(sha256(await readFile(result.path))).toBe(sha256(content));
    const after = await api.ok('GET', `/v1/files/stats?pool=${pool.id}`);
    // Only what was missing came again (and the few chunks in flight at the stop).
    expect(after.chunksReceived).toBeLessThan(chunks * 0.6);
    expect(after.chunksReceived).toBeGreaterThan(0);
  }, 180_000);
});
