/**
 * Cluster mode at the signalling level ([CL1]–[CL8]): three instance processes on one
 * PostgreSQL database and a NATS child of this test, real WebSocket clients spread over them.
 * Fast enough to pin the rules the daemon test (daemons.cluster.ts) relies on.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEnvelope, jsonBody } from '../../src/cluster/envelope.js';
import { SoftwareAuthenticator } from '../../src/auth/software-authenticator.js';
import { SignalClient } from '../http/fixture.js';
import type { Json } from './harness.js';
import { InstanceProcess, NatsChild, TestDatabase, call, eventually, freePort } from './harness.js';

let root: string;
let nats: NatsChild;
let db: TestDatabase;
const instances: InstanceProcess[] = [];

/** A user with one device and a signing key, registered through `base`. */
async function user(base: string, name: string) {
  const begin = await call(base, '/v1/auth/register/begin', {
    displayName: name,
    deviceName: `${name}-pc`,
    deviceType: 'desktop',
  });
  const response = new SoftwareAuthenticator().register(begin.options, { origin: base });
  const tokens = await call(base, '/v1/auth/register/finish', {
    challengeId: begin.challengeId,
    response,
  });
  await call(
    base,
    '/v1/devices/signing-key',
    { publicKey: randomBytes(32).toString('base64url') },
    tokens.accessToken,
  );
  return tokens as { userId: string; deviceId: string; accessToken: string };
}

const wsUrl = (instance: InstanceProcess) => `${instance.url.replace('http', 'ws')}/v1/signal`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'poolnet-cluster-sig-'));
  nats = await NatsChild.start();
  db = await TestDatabase.create();
  const ports = await Promise.all([0, 1, 2].map(() => freePort()));
  const origins = ports.map((p) => `http://127.0.0.1:${p}`);
  // All at once on the fresh database: they migrate one after the other (advisory lock).
  instances.push(
    ...(await Promise.all(
      ports.map((port, i) =>
        InstanceProcess.start({
          id: `inst${i}`,
          port,
          dataDir: join(root, `inst${i}`),
          databaseUrl: db.url,
          natsUrl: nats.url,
          origins,
        }),
      ),
    )),
  );
}, 60_000);

afterAll(async () => {
  for (const instance of instances) await instance.kill();
  await nats?.stop();
  await db?.drop();
  await rm(root, { recursive: true, force: true });
});

describe('sync-server cluster, signalling', () => {
  it('[CL5][DB24][DB25] ceremonies and add-device codes cross instances: begun on one, finished on another', async () => {
    const alive = instances.filter((i) => i.alive) as [InstanceProcess, InstanceProcess];
    const [x, y] = alive;
    const begin = await call(x.url, '/v1/auth/register/begin', {
      displayName: 'Dan',
      deviceName: 'dan-pc',
      deviceType: 'desktop',
    });
    const dan = await call(y.url, '/v1/auth/register/finish', {
      challengeId: begin.challengeId,
      response: new SoftwareAuthenticator().register(begin.options, { origin: x.url }),
    });
    // The same challenge cannot be finished twice, on any instance.
    await expect(
      call(x.url, '/v1/auth/register/finish', {
        challengeId: begin.challengeId,
        response: new SoftwareAuthenticator().register(begin.options, { origin: x.url }),
      }),
    ).rejects.toThrow(/400|401|409/);
    const { code } = await call(y.url, '/v1/devices/code', {}, dan.accessToken);
    const link = await call(x.url, '/v1/devices/link/begin', {
      code,
      deviceName: 'dan-phone',
      deviceType: 'mobile',
    });
    const phone = await call(y.url, '/v1/devices/link/finish', {
      challengeId: link.challengeId,
      response: new SoftwareAuthenticator().register(link.options, { origin: y.url }),
    });
    expect(phone.userId).toBe(dan.userId);
    expect(phone.deviceId).not.toBe(dan.deviceId);
    await expect(
      call(y.url, '/v1/devices/link/begin', { code, deviceName: 'again', deviceType: 'mobile' }),
    ).rejects.toThrow(/CODE_USED|410|409/);
  });

  it('[CL1][CL4][CL5][CL6][CL10][CL12] a pool is served by one owner; devices on every instance see each other, online, and relay; the owner dies and the pool moves', async () => {
    const [i0, i1, i2] = instances as [InstanceProcess, InstanceProcess, InstanceProcess];
    // Accounts made on three instances: shared secrets, challenges on the instance asked.
    const ada = await user(i0.url, 'Ada');
    const bob = await user(i1.url, 'Bob');
    const cat = await user(i2.url, 'Cat');
    const { pool } = await call(i0.url, '/v1/pools/create', { name: 'Family' }, ada.accessToken);
    const invite = await call(
      i1.url,
      '/v1/invites/create',
      { poolId: pool.id, maxUses: 5 },
      ada.accessToken,
    );
    await call(i2.url, '/v1/invites/join', { token: invite.token }, bob.accessToken);
    await call(i0.url, '/v1/invites/join', { token: invite.token }, cat.accessToken);

    const a = await SignalClient.open(wsUrl(i0));
    const aJoined = await a.join(ada.accessToken, ada.deviceId, pool.id);
    expect(aJoined.body.value.memberCount).toBe(1);
    const owner = await db.query('SELECT owner, epoch FROM cluster_leases WHERE pool_id = $1', [
      pool.id,
    ]);
    expect(owner[0]).toMatchObject({ owner: 'inst0' });

    // Bob on inst1 and Cat on inst2: forwarded to inst0, placed in the same topology.
    const b = await SignalClient.open(wsUrl(i1));
    const bJoined = await b.join(bob.accessToken, bob.deviceId, pool.id);
    expect(bJoined.body.value.memberCount).toBe(2);
    const c = await SignalClient.open(wsUrl(i2));
    const cJoined = await c.join(cat.accessToken, cat.deviceId, pool.id);
    expect(cJoined.body.value.memberCount).toBe(3);
    await a.next('memberJoined', (f) =>
      f.body.value.members.some((m) => m.nodeId === cat.deviceId),
    );

    // A signal from Bob (inst1) to a linked node crosses instances both ways.
    const bConnect = await b.next('connect');
    const peer = bConnect.body.value.nodeId;
    const payload = randomBytes(16);
    b.send({ case: 'signal', value: { toNodeId: peer, payload } });
    const target = peer === ada.deviceId ? a : c;
    const got = await target.next('signal', (f) => f.body.value.fromNodeId === bob.deviceId);
    expect(Buffer.from(got.body.value.payload)).toEqual(payload);

    // Heartbeats are answered through the owner.
    b.send({ case: 'heartbeat', value: { sentMs: 42n } });
    expect((await b.next('heartbeatAck')).body.value.sentMs).toBe(42n);

    // [CL10] Who is online, asked of an instance that does not serve the pool: the owner's
    // live topology, over NATS.
    for (const [instance, who] of [
      [i2, cat],
      [i1, bob],
    ] as const) {
      const { pools } = await call(instance.url, '/v1/pools', undefined, who.accessToken);
      const listed = pools.find((p: Json) => p.pool.id === pool.id);
      expect(listed.online).toBe(3);
      const devices = listed.members.flatMap((m: Json) => m.devices);
      expect(
        devices
          .filter((d: Json) => d.online)
          .map((d: Json) => d.id)
          .sort(),
      ).toEqual([ada.deviceId, bob.deviceId, cat.deviceId].sort());
    }

    // [CL12] Someone else on the NATS server: an unsealed order to end Bob's connections and
    // an unsealed request to open a session as Ada are dropped unread.
    const forger = await connect({ servers: nats.url });
    try {
      forger.publish(
        'poolnet.disconnect',
        new TextEncoder().encode(
          JSON.stringify({ from: 'forger', match: { deviceId: bob.deviceId }, why: 'forged' }),
        ),
      );
      const open = encodeEnvelope(
        'open',
        'forger~1',
        jsonBody({
          poolId: pool.id,
          epoch: Number(owner[0]!.epoch),
          userId: ada.userId,
          deviceId: ada.deviceId,
          join: '',
        }),
      );
      await expect(
        forger.request('poolnet.instance.inst0', open, { timeout: 500 }),
      ).rejects.toThrow();
      await forger.flush();
    } finally {
      await forger.close();
    }
    b.send({ case: 'heartbeat', value: { sentMs: 43n } });
    expect((await b.next('heartbeatAck')).body.value.sentMs).toBe(43n);
    await eventually(
      async () =>
        /poolnet_cluster_unsealed_total\{instance="inst0"\} [1-9]/.test(await i0.metrics()),
      'inst0 counts the unsealed messages',
      5_000,
    );

    const metrics = await i1.metrics();
    expect(metrics).toMatch(/poolnet_cluster_forwarded_out\{instance="inst1"\} 1/);
    expect(await i0.metrics()).toMatch(/poolnet_cluster_leases_held\{instance="inst0"\} 1/);
    const cluster = await i2.get('/v1/cluster');
    expect(cluster.body.instances.map((x: Json) => x.url).sort()).toEqual(
      instances.map((x) => x.url).sort(),
    );

    // The owner dies hard. Forwarded sessions end with 1012 (join again) within seconds.
    const killedAt = Date.now();
    await i0.kill('SIGKILL');
    const [bClosed, cClosed] = await Promise.all([b.closed, c.closed]);
    expect(bClosed.code).toBe(1012);
    expect(cClosed.code).toBe(1012);
    expect(Date.now() - killedAt).toBeLessThan(5_000);

    // Rejoining: one of the survivors takes the lease, the other forwards to it.
    const b2 = await SignalClient.open(wsUrl(i1));
    const c2 = await SignalClient.open(wsUrl(i2));
    b2.send({ case: 'auth', value: { accessToken: bob.accessToken } });
    c2.send({ case: 'auth', value: { accessToken: cat.accessToken } });
    const joinOf = (client: SignalClient, device: string) =>
      client.send({
        case: 'join',
        value: { poolId: pool.id, device: { deviceId: device, name: device } },
      });
    joinOf(b2, bob.deviceId);
    joinOf(c2, cat.deviceId);
    const bRejoined = await b2.next('joined', () => true, 10_000);
    await c2.next('joined', () => true, 10_000);
    // [CL5] The new owner certifies with the same authority: devices' certificates still check.
    expect(Buffer.from(bRejoined.body.value.authorityPublicKey)).toEqual(
      Buffer.from(aJoined.body.value.authorityPublicKey),
    );
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    const moved = await db.query('SELECT owner, epoch FROM cluster_leases WHERE pool_id = $1', [
      pool.id,
    ]);
    expect(['inst1', 'inst2']).toContain(moved[0]?.owner);
    expect(Number(moved[0]?.epoch)).toBeGreaterThan(Number(owner[0]?.epoch));
    const bConnect2 = await b2.next('connect', (f) => f.body.value.nodeId === cat.deviceId);
    expect(bConnect2.body.value.nodeId).toBe(cat.deviceId);

    // Accounts, pools and invites are intact: Ada signs in elsewhere and lists them.
    const pools = await call(i2.url, '/v1/pools', undefined, ada.accessToken);
    expect(pools.pools.map((p: Json) => p.pool.id)).toContain(pool.id);
    const entry = pools.pools.find((p: Json) => p.pool.id === pool.id);
    expect(entry.members.map((m: Json) => m.displayName).sort()).toEqual(['Ada', 'Bob', 'Cat']);
    const invites = await call(i1.url, '/v1/invites/list', { poolId: pool.id }, ada.accessToken);
    expect(invites.invites.map((x: Json) => x.id)).toContain(invite.invite.id);

    // Now a non-owner dies: the owner drops the nodes forwarded through it; its device
    // reconnects to the owner's instance and is placed again (the old node is gone or evicted).
    const ownerNow = instances.find((x) => x.id === moved[0]?.owner) as InstanceProcess;
    const [edgeNow, edgeClient, edgeUser] = ownerNow === i1 ? [i2, c2, cat] : [i1, b2, bob];
    const stayer = edgeClient === b2 ? c2 : b2;
    await edgeNow.kill('SIGKILL');
    expect((await edgeClient.closed).code).toBe(1006);
    await stayer.next('memberLeft', (f) => f.body.value.nodeId === edgeUser.deviceId, 5_000);
    const back = await SignalClient.open(wsUrl(ownerNow));
    const backJoined = await back.join(edgeUser.accessToken, edgeUser.deviceId, pool.id);
    expect(backJoined.body.value.memberCount).toBe(2);
    await back.close();
    await stayer.close();
  }, 60_000);

  it('[CL3] NATS down: instances report degraded (health, metrics, log) and recover on their own', async () => {
    const alive = instances.filter((i) => i.alive);
    expect(alive.length).toBeGreaterThan(0);
    for (const i of alive) expect((await i.get('/v1/health')).status).toBe(200);
    await nats.stop();
    for (const i of alive) {
      const health = await eventually(
        async () => {
          const h = await i.get('/v1/health');
          return h.status === 503 ? h : undefined;
        },
        `${i.id} degraded`,
        10_000,
      );
      expect(health.body).toMatchObject({ status: 'degraded', nats: 'disconnected' });
      expect(await i.metrics()).toMatch(/poolnet_cluster_nats_connected\{instance="[^"]+"\} 0/);
      expect(i.log).toContain('cluster degraded: NATS disconnected');
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await nats.start();
    for (const i of alive) {
      await eventually(
        async () => (await i.get('/v1/health')).status === 200,
        `${i.id} ok`,
        15_000,
      );
      expect(i.log).toContain('cluster recovered');
    }
  }, 60_000);

  it('[CL11] sign-up limits hold across the cluster: an address spreading requests over instances gets no more', async () => {
    // Two instances of their own on a fresh database, with a small sign-up bucket.
    const own = await TestDatabase.create();
    const ports = await Promise.all([0, 1].map(() => freePort()));
    const origins = ports.map((p) => `http://127.0.0.1:${p}`);
    const open = { burst: 1000, perMinute: 1000 };
    const limited = await Promise.all(
      ports.map((port, i) =>
        InstanceProcess.start({
          id: `lim${i}`,
          port,
          dataDir: join(root, `lim${i}`),
          databaseUrl: own.url,
          natsUrl: nats.url,
          origins,
          config: {
            rateLimits: {
              register: { burst: 3, perMinute: 1 },
              'sign-in': open,
              join: open,
              'add-device': open,
            },
          },
        }),
      ),
    );
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${limited[i % 2]!.url}/v1/auth/register/begin`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ displayName: `U${i}`, deviceName: 'pc', deviceType: 'desktop' }),
        });
        statuses.push(res.status);
        if (res.status === 429) retryAfter ??= res.headers.get('retry-after');
      }
      // Each instance alone would allow 3 (6 in all); the shared bucket allows 3.
      expect(statuses.filter((s) => s === 200)).toHaveLength(3);
      expect(statuses.filter((s) => s === 429)).toHaveLength(5);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      const refused = await Promise.all(
        limited.map(async (x) =>
          Number(
            /poolnet_http_rate_limited(?:_total)?\{[^}]*\} (\d+)/.exec(await x.metrics())?.[1] ?? 0,
          ),
        ),
      );
      expect(refused[0]! + refused[1]!).toBe(5);
    } finally {
      for (const x of limited) await x.kill();
      await own.drop();
    }
  });
});
