/**
 * Two daemons in this process, a real sync server, real WebRTC links on 127.0.0.1 and SQLite
 * on disk, driven through the local API: register, pool, invite, join, chat both ways, and
 * history that survives a daemon restart.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
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

let sync: TestSyncServer;
const dirs: string[] = [];
const daemons: RunningDaemon[] = [];

beforeAll(async () => {
  sync = await startTestSyncServer();
});

afterAll(async () => {
  for (const d of daemons) await d.close();
  await sync?.close();
  await sync?.remove();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function start(
  dataDir?: string,
): Promise<{ dir: string; daemon: RunningDaemon; api: LocalClient }> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'poolnet-daemon-')));
  if (!dirs.includes(dir)) dirs.push(dir);
  const daemon = await runDaemon({
    serverUrl: sync.url,
    dataDir: dir,
    webrtc: { bindAddress: '127.0.0.1' },
  });
  daemons.push(daemon);
  return { dir, daemon, api: await LocalClient.of(dir, daemon.port) };
}

const texts = (page: Json): string[] => page.messages.map((m: Json) => m.text);

describe('the daemon over its local API', () => {
  it('[D1] two devices register, share a pool, chat both ways over WebRTC, and keep history across a restart', async () => {
    const a = await start();
    const b = await start();

    const ada = await a.api.ok('POST', '/v1/account/register', {
      name: 'Ada',
      device: 'ada-laptop',
    });
    expect(ada).toMatchObject({ displayName: 'Ada', deviceName: 'ada-laptop' });
    for (const file of [
      'api-token',
      'account.json',
      'passkeys.json',
      'device.key',
      'daemon.json',
    ]) {
      expect((await stat(join(a.dir, file))).mode & 0o777, file).toBe(0o600);
    }
    const { pool } = await a.api.ok('POST', '/v1/pools/create', { name: 'Family' });
    expect(pool).toMatchObject({ name: 'Family', role: 'owner', isHome: false });
    const invite = await a.api.ok('POST', '/v1/pools/invite', { pool: 'family', uses: 2 });
    expect(invite.link).toMatch(new RegExp(`^${sync.url}/join#`));

    await b.api.ok('POST', '/v1/account/register', { name: 'Bob', device: 'bob-pc' });
    const joined = await b.api.ok('POST', '/v1/pools/join', { link: invite.link });
    expect(joined.pool).toMatchObject({ id: pool.id, name: 'Family', role: 'member' });

    // Both are placed and linked to each other.
    for (const side of [a, b]) {
      await eventually(async () => {
        const status = await side.api.ok('GET', '/v1/status');
        const p = status.pools.find((x: Json) => x.id === pool.id);
        return p?.joined && p.links.length > 0;
      }, 'a link in the pool');
    }

    await a.api.ok('POST', '/v1/messages/send', { pool: pool.id, text: 'hello Bob' });
    await eventually(
      async () =>
        texts(await b.api.ok('GET', `/v1/messages?pool=${pool.id}`)).includes('hello Bob'),
      'B receives A',
    );
    await b.api.ok('POST', '/v1/messages/send', { pool: 'Family', text: 'hi Ada' });
    const seen = await eventually(async () => {
      const page = await a.api.ok('GET', `/v1/messages?pool=${pool.id}`);
      return texts(page).includes('hi Ada') ? page : undefined;
    }, 'A receives B');
    const fromBob = seen.messages.find((m: Json) => m.text === 'hi Ada');
    expect(fromBob).toMatchObject({ authorName: 'Bob', mine: false, kind: 'text' });

    // B restarts on the same data dir: history is on disk, and chat goes on.
    const bDir = b.dir;
    await b.daemon.close();
    daemons.splice(daemons.indexOf(b.daemon), 1);
    const b2 = await start(bDir);
    const history = await b2.api.ok('GET', `/v1/messages?pool=${pool.id}`);
    expect(texts(history)).toEqual(['hello Bob', 'hi Ada']);
    await a.api.ok('POST', '/v1/messages/send', { pool: pool.id, text: 'welcome back' });
    await eventually(
      async () =>
        texts(await b2.api.ok('GET', `/v1/messages?pool=${pool.id}`)).includes('welcome back'),
      'B receives after restart',
    );
  }, 180_000);

  it('[D2] the local API refuses a missing token, bad input and unknown pools with typed errors', async () => {
    const a = await start();
    const noToken = await fetch(`http://127.0.0.1:${a.daemon.port}/v1/status`);
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const early = await a.api.call('GET', '/v1/pools');
    expect(early).toMatchObject({ status: 409, json: { error: { code: 'NOT_SIGNED_IN' } } });
    await a.api.ok('POST', '/v1/account/register', { name: 'Cy' });
    const again = await a.api.call('POST', '/v1/account/register', { name: 'Cy' });
    expect(again.json.error.code).toBe('ALREADY_REGISTERED');
    const bad = await a.api.call('POST', '/v1/pools/create', { name: 42 });
    expect(bad).toMatchObject({ status: 400, json: { error: { code: 'BAD_REQUEST' } } });
    const unknown = await a.api.call('POST', '/v1/messages/send', { pool: 'nope', text: 'x' });
    expect(unknown).toMatchObject({ status: 404, json: { error: { code: 'UNKNOWN_POOL' } } });
    const badJoin = await a.api.call('POST', '/v1/pools/join', { link: `${sync.url}/join#bogus` });
    expect(badJoin.status).toBe(404);
    expect(badJoin.json.error.message).toEqual(expect.any(String));
    // A second daemon on the same directory is refused.
    await expect(runDaemon({ serverUrl: sync.url, dataDir: a.dir })).rejects.toThrow(
      /already runs/,
    );
  }, 180_000);

  it('[D3] while the sync server is down a daemon tries at most once every 3 s, and when it is back the pool reconnects and chat flows', async () => {
    // Only this test's daemons may talk to the server: the count below is per session.
    for (const d of daemons.splice(0)) await d.close();
    const a = await start();
    const b = await start();
    await a.api.ok('POST', '/v1/account/register', { name: 'Eve' });
    const { pool } = await a.api.ok('POST', '/v1/pools/create', { name: 'Outage' });
    const invite = await a.api.ok('POST', '/v1/pools/invite', { pool: pool.id });
    await b.api.ok('POST', '/v1/account/register', { name: 'Fay' });
    await b.api.ok('POST', '/v1/pools/join', { link: invite.link });
    const placed = (side: typeof a) =>
      eventually(async () => {
        const status = await side.api.ok('GET', '/v1/status');
        return status.pools.find((x: Json) => x.id === pool.id)?.joined === true;
      }, 'placed in the pool');
    await placed(a);
    await placed(b);

    // The server goes away; a bare listener on its port counts what the daemons try.
    const port = Number(new URL(sync.url).port);
    await sync.close();
    const attempts: number[] = [];
    const listener = createServer((socket) => {
      socket.once('data', (data) => {
        if (data.toString().startsWith('GET /v1/signal')) attempts.push(Date.now());
        socket.destroy();
      });
    });
    await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', () => resolve()));
    const offlineFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 7000));
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    // Two daemons with one pool each plus their home pools: four sessions retrying.
    const perSession = attempts.length / 4;
    expect(attempts.length).toBeGreaterThan(0);
    expect(perSession).toBeLessThanOrEqual(Math.ceil((Date.now() - offlineFrom) / 3000));

    // Back on the same data: the daemons rejoin by themselves and chat works again.
    sync = await startTestSyncServer(sync.dataDir, port);
    await placed(a);
    await placed(b);
    await a.api.ok('POST', '/v1/messages/send', { pool: pool.id, text: 'after the outage' });
    await eventually(
      async () =>
        texts(await b.api.ok('GET', `/v1/messages?pool=${pool.id}`)).includes('after the outage'),
      'B receives after the server came back',
      30_000,
    );
  }, 180_000);

  it('[D4] a second device links with a code from the first; the two meet in the home pool and chat there', async () => {
    const laptop = await start();
    const phone = await start();
    const me = await laptop.api.ok('POST', '/v1/account/register', {
      name: 'Gil',
      device: 'laptop',
    });
    const code = await laptop.api.ok('POST', '/v1/devices/code');
    expect(code.qrPayload).toMatch(/^poolnet:add-device\?code=/);
    const linked = await phone.api.ok('POST', '/v1/devices/link', {
      code: code.code,
      name: 'phone',
    });
    expect(linked.userId).toBe(me.userId);
    expect(linked.deviceId).not.toBe(me.deviceId);
    const again = await (
      await start()
    ).api.call('POST', '/v1/devices/link', {
      code: code.code,
      name: 'thief',
    });
    expect(again.status).toBe(410);

    const { devices } = await phone.api.ok('GET', '/v1/devices');
    expect(devices.map((d: Json) => `${d.name}${d.current ? '*' : ''}`).sort()).toEqual([
      'laptop',
      'phone*',
    ]);
    const home = (await laptop.api.ok('GET', '/v1/pools')).pools.find((p: Json) => p.isHome);
    expect(home).toBeDefined();
    await eventually(async () => {
      const status = await laptop.api.ok('GET', '/v1/status');
      return status.pools.find((x: Json) => x.id === home.id)?.joined === true;
    }, 'laptop placed in its home pool');
    await laptop.api.ok('POST', '/v1/messages/send', { pool: home.id, text: 'note to self' });
    await eventually(
      async () =>
        texts(await phone.api.ok('GET', `/v1/messages?pool=${home.id}`)).includes('note to self'),
      'the phone gets the note',
    );
  }, 180_000);
});
