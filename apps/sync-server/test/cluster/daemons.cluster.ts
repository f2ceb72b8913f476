/**
 * `npm run test:cluster`, the whole story with real processes ([CL9]): three sync-server
 * instances (cluster mode) on a fresh PostgreSQL database and a NATS child of this test, 20
 * `poolnet up` daemon processes spread over the instances in one pool, chat and a file
 * transfer running. The instance owning the pool is SIGKILLed: within 10 s another serves it,
 * every daemon is back in its topology, messages sent afterwards reach everyone, and
 * accounts, pools and invites are intact. Then NATS stops for a few seconds: instances report
 * degraded and recover by themselves, and the pool works again.
 *
 * Daemons keep their defaults (TCP + TLS direct links, WebRTC fallback) on loopback.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoftwareAuthenticator } from '../../src/auth/software-authenticator.js';
import { LocalClient } from '../../../daemon/test/fixture.js';
import { PoolnetProcesses } from '../../../daemon/test/processes.js';
import { randomFile, sha256Of } from '../../../daemon/test/transfer-helpers.js';
import type { Json } from './harness.js';
import { InstanceProcess, NatsChild, TestDatabase, call, eventually, freePort } from './harness.js';

const DAEMONS = Number(process.env.POOLNET_CLUSTER_DAEMONS ?? 20);
const FILE_MIB = 64;

let root: string;
let nats: NatsChild;
let db: TestDatabase;
const instances: InstanceProcess[] = [];
const processes = new PoolnetProcesses();

interface Daemon {
  readonly name: string;
  readonly dir: string;
  readonly home: InstanceProcess;
  readonly api: LocalClient;
}
const daemons: Daemon[] = [];

/** Runs `work` over `items`, `limit` at a time (2 cores: never all 20 at once). */
async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>) {
  const results: R[] = [];
  for (let at = 0; at < items.length; at += limit) {
    results.push(...(await Promise.all(items.slice(at, at + limit).map(work))));
  }
  return results;
}

const poolOf = async (d: Daemon, pool: string) =>
  ((await d.api.ok('GET', '/v1/status')).pools as Json[]).find((p) => p.id === pool);

const texts = async (d: Daemon, pool: string): Promise<string[]> =>
  ((await d.api.ok('GET', `/v1/messages?pool=${pool}&limit=200`)).messages as Json[]).map(
    (m) => m.text,
  );

/** Every daemon has `text` in its history. */
async function everyoneReads(pool: string, text: string, timeoutMs = 60_000): Promise<void> {
  await Promise.all(
    daemons.map((d) =>
      eventually(
        async () => (await texts(d, pool)).includes(text),
        `${d.name} reads "${text}"`,
        timeoutMs,
        500,
      ),
    ),
  );
}

/** The instance holding the pool's lease now (and not expired), by the database. */
async function ownerOf(pool: string): Promise<string | undefined> {
  const rows = await db.query(
    `SELECT owner FROM cluster_leases
     WHERE pool_id = $1 AND expires_at > (EXTRACT(EPOCH FROM now()) * 1000)::INT8`,
    [pool],
  );
  return rows[0]?.owner as string | undefined;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'poolnet-cluster-'));
  nats = await NatsChild.start();
  db = await TestDatabase.create();
  const ports = await Promise.all([0, 1, 2].map(() => freePort()));
  const origins = ports.map((p) => `http://127.0.0.1:${p}`);
  for (const [i, port] of ports.entries()) {
    instances.push(
      await InstanceProcess.start({
        id: `inst${i}`,
        port,
        dataDir: join(root, `inst${i}`),
        databaseUrl: db.url,
        natsUrl: nats.url,
        origins,
      }),
    );
  }
  // Daemon i's account lives at instance i % 3; it knows the others for failover.
  const specs = Array.from({ length: DAEMONS }, (_, i) => {
    const home = instances[i % instances.length] as InstanceProcess;
    const others = instances.filter((x) => x !== home).map((x) => x.url);
    return { i, home, servers: [home.url, ...others].join(',') };
  });
  const started = await inBatches(specs, 5, async ({ i, home, servers }) => {
    const dir = join(root, `d${i}`);
    const { match } = await processes.background(
      ['up', '--server', servers, '--data', dir],
      /poolnet daemon for .* on http:\/\/127\.0\.0\.1:(\d+)/,
    );
    const api = await LocalClient.of(dir, Number(match[1]));
    await api.ok('POST', '/v1/account/register', { name: `User${i}` });
    return { name: `User${i}`, dir, home, api };
  });
  daemons.push(...started);
}, 180_000);

afterAll(async () => {
  processes.killAll();
  for (const instance of instances) await instance.kill();
  await nats?.stop();
  await db?.drop();
  await rm(root, { recursive: true, force: true });
});

describe(`sync-server cluster: 3 instances, ${DAEMONS} daemons`, () => {
  it('[CL9] the owner is SIGKILLed mid-chat and mid-transfer: another serves the pool within 10 s, everyone rejoins, messages and the file go through, state intact; NATS down and back: degraded, then recovered', async () => {
    const [first, ...rest] = daemons as [Daemon, ...Daemon[]];
    const { pool } = await first.api.ok('POST', '/v1/pools/create', { name: 'Cluster' });
    const invite = await first.api.ok('POST', '/v1/pools/invite', {
      pool: pool.id,
      uses: DAEMONS + 1,
    });
    await inBatches(rest, 5, (d) => d.api.ok('POST', '/v1/pools/join', { link: invite.link }));
    await Promise.all(
      daemons.map((d) =>
        eventually(
          async () => {
            const p = await poolOf(d, pool.id);
            return p?.joined && p.links.length > 0;
          },
          `${d.name} linked`,
          120_000,
          500,
        ),
      ),
    );

    // An observer account (API only) to read the pool as the server sees it.
    const observerHome = instances[1] as InstanceProcess;
    const begin = await call(observerHome.url, '/v1/auth/register/begin', {
      displayName: 'Observer',
      deviceName: 'observer',
      deviceType: 'cli',
    });
    const observer = await call(observerHome.url, '/v1/auth/register/finish', {
      challengeId: begin.challengeId,
      response: new SoftwareAuthenticator().register(begin.options, { origin: observerHome.url }),
    });
    const inviteToken = String(invite.link).split('#')[1];
    await call(observerHome.url, '/v1/invites/join', { token: inviteToken }, observer.accessToken);
    /** Devices online in the pool, as its owner's topology has them. */
    const onlineAtOwner = async (): Promise<number> => {
      const id = await ownerOf(pool.id);
      const at = instances.find((x) => x.id === id && x.alive);
      if (!at) return -1;
      const { pools } = await call(at.url, '/v1/pools', undefined, observer.accessToken);
      return (pools as Json[]).find((p) => p.pool.id === pool.id)?.online ?? -1;
    };
    expect(await onlineAtOwner()).toBe(DAEMONS);

    await first.api.ok('POST', '/v1/messages/send', { pool: pool.id, text: 'before the crash' });
    await everyoneReads(pool.id, 'before the crash');

    // A file transfer running across the crash: three daemons download from a fourth.
    const seeder = rest[0] as Daemon;
    const path = join(root, 'file.bin');
    const original = await randomFile(path, FILE_MIB * 1024 * 1024);
    const { file } = await seeder.api.ok('POST', '/v1/files/share', { pool: pool.id, path });
    const receivers = rest.slice(1, 4);
    for (const r of receivers) {
      await eventually(
        async () => {
          const files = (await r.api.ok('GET', `/v1/files?pool=${pool.id}`)).files as Json[];
          return files.some((f) => f.id === file.id);
        },
        `${r.name} sees the offer`,
        60_000,
        500,
      );
    }
    let finished = 0;
    const downloads = receivers.map((r) =>
      r.api
        .ok('POST', '/v1/files/download', {
          pool: pool.id,
          file: file.id,
          to: join(r.dir, 'got.bin'),
        })
        .finally(() => finished++),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    // SIGKILL the owner.
    const ownerId = await ownerOf(pool.id);
    const owner = instances.find((x) => x.id === ownerId) as InstanceProcess;
    expect(owner).toBeDefined();
    const killedAt = Date.now();
    await owner.kill('SIGKILL');
    const runningAtKill = receivers.length - finished;
    await first.api.ok('POST', '/v1/messages/send', { pool: pool.id, text: 'during the crash' });

    const newOwner = await eventually(
      async () => {
        const id = await ownerOf(pool.id);
        return id !== undefined && id !== ownerId ? id : undefined;
      },
      'another instance serving the pool',
      10_000,
      100,
    );
    const takeover = Date.now() - killedAt;
    expect(takeover).toBeLessThan(10_000);
    expect(instances.find((x) => x.id === newOwner)?.alive).toBe(true);

    // Everyone back in the topology of the new owner, and placed by their daemons.
    await eventually(
      async () => (await onlineAtOwner()) === DAEMONS,
      'all daemons rejoined',
      90_000,
      500,
    );
    const rejoined = Date.now() - killedAt;
    await Promise.all(
      daemons.map((d) =>
        eventually(async () => (await poolOf(d, pool.id))?.joined, `${d.name} joined`, 30_000, 500),
      ),
    );

    for (const result of await Promise.all(downloads)) {
      expect(result.sha256).toBe(original);
      expect(await sha256Of(result.path)).toBe(original);
    }

    const after = `after the crash ${randomBytes(4).toString('hex')}`;
    await (daemons[5] as Daemon).api.ok('POST', '/v1/messages/send', {
      pool: pool.id,
      text: after,
    });
    await everyoneReads(pool.id, after, 90_000);
    // Sent while the pool had no owner: the links between daemons carried it anyway.
    await everyoneReads(pool.id, 'during the crash', 30_000);
    // The daemons whose socket was on the dead instance moved to another one.
    const movedOver = daemons.filter((d) => d.home === owner);
    expect(movedOver.length).toBeGreaterThan(0);

    // Accounts, pools and invites intact, read through a surviving instance.
    const survivor = instances.find((x) => x.alive) as InstanceProcess;
    const { pools } = await call(survivor.url, '/v1/pools', undefined, observer.accessToken);
    const entry = (pools as Json[]).find((p) => p.pool.id === pool.id);
    expect(entry.pool.name).toBe('Cluster');
    expect(entry.members.map((m: Json) => m.displayName).sort()).toEqual(
      [...daemons.map((d) => d.name), 'Observer'].sort(),
    );
    const invites = await first.api.ok('GET', `/v1/invites?pool=${pool.id}`);
    const kept = (invites.invites as Json[]).find((x) => x.id === invite.inviteId);
    expect(kept).toMatchObject({ maxUses: DAEMONS + 1, uses: DAEMONS, revoked: false });
    for (const d of daemons.slice(0, 3)) {
      expect((await d.api.ok('GET', '/v1/devices')).devices.length).toBeGreaterThan(0);
    }

    // NATS goes away for a few seconds.
    const alive = instances.filter((x) => x.alive);
    await nats.stop();
    for (const i of alive) {
      const health = await eventually(
        async () => {
          const h = await i.get('/v1/health');
          return h.status === 503 ? h.body : undefined;
        },
        `${i.id} degraded`,
        10_000,
        200,
      );
      expect(health).toMatchObject({ status: 'degraded', nats: 'disconnected' });
      expect(await i.metrics()).toContain(`poolnet_cluster_nats_connected{instance="${i.id}"} 0`);
      expect(i.log).toContain('cluster degraded: NATS disconnected');
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await nats.start();
    for (const i of alive) {
      await eventually(
        async () => (await i.get('/v1/health')).status === 200,
        `${i.id} recovered`,
        20_000,
        200,
      );
      expect(i.log).toContain('cluster recovered: NATS connected again');
    }
    await eventually(
      async () => (await onlineAtOwner()) === DAEMONS,
      'all daemons back after NATS',
      90_000,
      500,
    );
    const last = `after NATS ${randomBytes(4).toString('hex')}`;
    await (daemons[7] as Daemon).api.ok('POST', '/v1/messages/send', { pool: pool.id, text: last });
    await everyoneReads(pool.id, last, 90_000);

    console.log(
      JSON.stringify({
        daemons: DAEMONS,
        killed: ownerId,
        newOwner,
        takeoverMs: takeover,
        allRejoinedMs: rejoined,
        downloadsRunningAtKill: runningAtKill,
      }),
    );
  }, 420_000);
});
