import { Topology } from '@poolnet/engine/topology';
import { nobleCrypto, verifyCertificate } from '@poolnet/engine';
import {
  ErrorCode,
  MAX_SIGNAL_FRAME_BYTES,
  PROTOCOL_VERSION,
  asNodeId,
  encodeClientFrame,
  positionToWire,
} from '@poolnet/protocol';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { SignalClient, type TestServer, getJson, startTestServer } from './fixture.js';

const running: TestServer[] = [];
const clients: SignalClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await Promise.all(running.splice(0).map((t) => t.close()));
});

async function start(options?: Parameters<typeof startTestServer>[0]) {
  const t = await startTestServer(options);
  running.push(t);
  return t;
}

async function open(t: TestServer) {
  const client = await SignalClient.open(t.server.wsUrl);
  clients.push(client);
  return client;
}

const metric = async (t: TestServer, name: string) => {
  const text = await (await fetch(`${t.server.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
};

const POOL = 'pool-a';

/** The payloads (as text) of every frame of `kind` a client received. */
function signalPayloads(client: SignalClient, kind: 'signal'): string[] {
  return client.frames.flatMap((f) =>
    f.body.case === kind ? [new TextDecoder().decode(f.body.value.payload)] : [],
  );
}
const sdp = (text: string) => new TextEncoder().encode(text);

describe('WebSocket gateway', () => {
  it('[HTTP8] real clients join, get the positions the topology gives and their orders, relay a signal; a non-member is refused', async () => {
    const t = await start();
    const reference = new Topology();
    const nodes: SignalClient[] = [];
    for (let i = 1; i <= 4; i++) {
      const device = `d${i}`;
      const token = t.device(device, `u${i}`, [POOL]);
      const client = await open(t);
      const joined = (await client.join(token, device, POOL)).body.value;
      reference.add(asNodeId(device));
      expect(joined.nodeId).toBe(device);
      expect(joined.position).toEqual(positionToWire(reference.positionOf(asNodeId(device))));
      expect(joined.memberCount).toBe(i);
      // The server is the certificate authority: the cert verifies against its key.
      const cert = joined.cert!;
      expect(cert.publicKey).toEqual(t.deviceKeys.get(device));
      expect(verifyCertificate(nobleCrypto, cert, joined.authorityPublicKey, Date.now())).toBe(
        true,
      );
      nodes.push(client);
    }
    const [d1, d2] = nodes as [SignalClient, SignalClient];
    // d1 and d2 are linked from the second join on: each got a connect order, one initiator.
    const o1 = (await d1.next('connect', (f) => f.body.value.nodeId === 'd2')).body.value;
    const o2 = (await d2.next('connect', (f) => f.body.value.nodeId === 'd1')).body.value;
    expect(o1.initiator).not.toBe(o2.initiator);
    const [initiator, responder] = o1.initiator ? [d1, d2] : [d2, d1];
    const [from, to] = o1.initiator ? ['d1', 'd2'] : ['d2', 'd1'];

    initiator.send({ case: 'signal', value: { toNodeId: to, payload: sdp('v=0 offer') } });
    const offer = await responder.next('signal');
    expect(offer.body.value).toMatchObject({ fromNodeId: from, payload: sdp('v=0 offer') });
    responder.send({ case: 'signal', value: { toNodeId: from, payload: sdp('v=0 answer') } });
    const answer = await initiator.next('signal');
    expect(answer.body.value).toMatchObject({ fromNodeId: to, payload: sdp('v=0 answer') });

    // A user who is not a member is refused FORBIDDEN and stays connected ([SIG5]).
    const outsider = await open(t);
    const token = t.device('d5', 'u5');
    outsider.send({ case: 'auth', value: { accessToken: token } });
    await outsider.next('authenticated');
    const seq = outsider.send({
      case: 'join',
      value: { poolId: POOL, device: { deviceId: 'd5', name: 'd5' } },
    });
    const refusal = await outsider.next('error');
    expect(refusal.body.value).toMatchObject({ code: ErrorCode.FORBIDDEN, seq });
    expect(outsider.ws.readyState).toBe(WebSocket.OPEN);

    expect(await metric(t, 'poolnet_signal_joins_total')).toBe(4);
    expect(await metric(t, 'poolnet_signal_relayed_signals_total')).toBe(2);
    expect(await metric(t, 'poolnet_signal_connected_sessions')).toBe(5);
    expect(await metric(t, 'poolnet_signal_live_pools')).toBe(1);

    // A closed socket leaves the pool: the others are told.
    await nodes[3]!.close();
    await d1.next('memberLeft', (f) => f.body.value.nodeId === 'd4');
    await expect.poll(() => metric(t, 'poolnet_signal_connected_sessions')).toBe(4);
  });

  it('[HTTP9] a client that does not authenticate first is closed', async () => {
    const t = await start({ deps: { hubLimits: { authTimeoutMs: 200 } } });
    const silent = await open(t);
    expect(await silent.closed).toMatchObject({ code: 4000 + ErrorCode.UNAUTHENTICATED });

    const rude = await open(t);
    rude.send({ case: 'join', value: { poolId: POOL, device: { deviceId: 'd1', name: 'x' } } });
    expect((await rude.next('error')).body.value.code).toBe(ErrorCode.UNAUTHENTICATED);
    expect(await rude.closed).toMatchObject({ code: 4000 + ErrorCode.UNAUTHENTICATED });

    const liar = await open(t);
    liar.send({ case: 'auth', value: { accessToken: 'not-a-token' } });
    expect(await liar.closed).toMatchObject({ code: 4000 + ErrorCode.UNAUTHENTICATED });
  });

  it('[HTTP10] a text frame closes the socket with 1003, an oversize frame with 1009', async () => {
    const t = await start();
    const texter = await open(t);
    texter.ws.send(JSON.stringify({ auth: 'tok-d1' }));
    expect(await texter.closed).toMatchObject({ code: 1003 });

    const big = await open(t);
    big.ws.send(new Uint8Array(MAX_SIGNAL_FRAME_BYTES + 1));
    expect(await big.closed).toMatchObject({ code: 1009 });

    expect(await metric(t, 'poolnet_ws_text_frames_total')).toBe(1);
    expect(await metric(t, 'poolnet_ws_oversize_frames_total')).toBe(1);
    await expect.poll(() => metric(t, 'poolnet_signal_connected_sessions')).toBe(0);
  });

  it('[HTTP11] fuzzed binary frames do not crash the server: it still serves /healthz and new clients', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.info(`[HTTP11] fuzz seed ${seed} (rerun with FUZZ_SEED=${seed})`);
    const t = await start();
    const token = t.device('d1', 'u1', [POOL]);
    const valid = encodeClientFrame({
      version: PROTOCOL_VERSION,
      seq: 2,
      body: { case: 'join', value: { poolId: POOL, device: { deviceId: 'd1', name: 'x' } } },
    });
    const frames = fc.sample(
      fc.oneof(
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        // Valid frames with bytes flipped: they get past the first checks.
        fc
          .tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 }))
          .map(([at, xor]) => valid.map((b, i) => (i === at ? b ^ xor : b))),
      ),
      { seed, numRuns: 300 },
    );
    const sockets = await Promise.all(Array.from({ length: 6 }, () => open(t)));
    sockets.forEach((socket, k) => {
      // Half of them are authenticated first, so the fuzz reaches the joined-state handlers.
      if (k % 2 === 0) socket.send({ case: 'auth', value: { accessToken: token } });
      for (let i = k; i < frames.length; i += sockets.length) {
        if (socket.ws.readyState === WebSocket.OPEN) socket.ws.send(frames[i]!);
      }
    });
    await expect.poll(() => metric(t, 'poolnet_signal_bad_frames_total')).toBeGreaterThan(0);

    expect(await getJson(t.server.url, '/healthz')).toMatchObject({ status: 200 });
    const fresh = await open(t);
    const other = t.device('d9', 'u9', ['pool-b']);
    const joined = await fresh.join(other, 'd9', 'pool-b');
    expect(joined.body.value.nodeId).toBe('d9');
    expect(t.internalErrors).toEqual([]);
  });

  it('[HTTP13] an upgrade on another path is a JSON 404; too many upgrades from one address a 429', async () => {
    const t = await start({ config: { rateLimits: { join: { burst: 2, perMinute: 1 } } } });
    const wrong = new WebSocket(t.server.wsUrl.replace('/v1/signal', '/v1/other'));
    const status = await new Promise<number | undefined>((resolve) => {
      wrong.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      wrong.on('error', () => resolve(undefined));
    });
    expect(status).toBe(404);

    await open(t);
    await open(t);
    const limited = new WebSocket(t.server.wsUrl);
    const refused = await new Promise<{ status?: number; retryAfter?: string; body: string }>(
      (resolve) => {
        limited.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () =>
            resolve({
              status: res.statusCode,
              retryAfter: res.headers['retry-after'],
              body,
            }),
          );
        });
      },
    );
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('60');
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  });

  it('[HTTP14] a client that stops reading is closed once its queue passes the bound', async () => {
    const t = await start({ config: { wsMaxBufferedBytes: 64 * 1024 } });
    const [slow, fast] = [await open(t), await open(t)];
    await slow.join(t.device('d1', 'u1', [POOL]), 'd1', POOL);
    await fast.join(t.device('d2', 'u2', [POOL]), 'd2', POOL);
    await slow.next('connect');
    // The slow client's socket stops reading: the kernel buffers fill, then the server's queue.
    const socket = (slow.ws as unknown as { _socket: { pause(): void } })._socket;
    socket.pause();
    const payload = new Uint8Array(30 * 1024).fill(7);
    for (let i = 0; i < 2000 && fast.ws.readyState === WebSocket.OPEN; i++) {
      fast.send({ case: 'signal', value: { toNodeId: 'd1', payload } });
      if (i % 50 === 49) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if ((await metric(t, 'poolnet_ws_slow_consumers_total')) > 0) break;
      }
    }
    expect(await metric(t, 'poolnet_ws_slow_consumers_total')).toBe(1);
    // The slow node was removed from the pool; the fast one is told and stays.
    await fast.next('memberLeft', (f) => f.body.value.nodeId === 'd1', 10_000);
    expect(fast.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('[HTTP15] close() tells every session 1001 and releases the ports', async () => {
    const t = await startTestServer();
    const client = await open(t);
    await client.join(t.device('d1', 'u1', [POOL]), 'd1', POOL);
    await t.close();
    expect(await client.closed).toMatchObject({ code: 1001 });
    await expect(fetch(`${t.server.url}/healthz`)).rejects.toThrow();
    await t.server.close(); // idempotent
  });
  it('[HTTP22] with 12 real clients: a signal to an unlinked node is refused and not delivered; a client that stops heartbeating is closed and its place re-filled as the topology says', async () => {
    const t = await start({ deps: { hubLimits: { heartbeatTimeoutMs: 800 } } });
    const reference = new Topology();
    const clientsById = new Map<string, SignalClient>();
    for (let i = 1; i <= 12; i++) {
      const device = `n${i}`;
      const client = await open(t);
      await client.join(t.device(device, `user${i}`, [POOL]), device, POOL);
      reference.add(asNodeId(device));
      clientsById.set(device, client);
    }
    // Everyone but the one that goes silent keeps heartbeating.
    const silentId = 'n1'; // a center node: its leaving promotes a node from below
    const beat = setInterval(() => {
      for (const [id, client] of clientsById) {
        if (id !== silentId && client.ws.readyState === WebSocket.OPEN) {
          client.send({ case: 'heartbeat', value: { sentMs: 1n } });
        }
      }
    }, 150);
    try {
      // SDP only between linked nodes ([SIG1]).
      const sender = clientsById.get('n2')!;
      const unlinked = [...clientsById.keys()].find(
        (id) => id !== 'n2' && !reference.linksOf(asNodeId('n2')).has(asNodeId(id)),
      )!;
      const seq = sender.send({
        case: 'signal',
        value: { toNodeId: unlinked, payload: sdp('v=0 sneaky') },
      });
      expect((await sender.next('error')).body.value).toMatchObject({
        code: ErrorCode.FORBIDDEN,
        seq,
      });

      const silent = clientsById.get(silentId)!;
      expect((await silent.closed).code).toBe(4000 + ErrorCode.EXPIRED);
      const change = reference.remove(asNodeId(silentId));
      expect(change.promoted.length).toBeGreaterThan(0);
      for (const [id, client] of clientsById) {
        if (id === silentId) continue;
        await client.next('memberLeft', (f) => f.body.value.nodeId === silentId, 3000);
        // Each node's last Position is what the topology says now.
        const positions = client.frames.flatMap((f) =>
          f.body.case === 'position'
            ? [f.body.value.position]
            : f.body.case === 'joined'
              ? [f.body.value.position]
              : [],
        );
        expect(positions.at(-1), id).toEqual(positionToWire(reference.positionOf(asNodeId(id))));
      }
      expect([...clientsById.values()].flatMap((c) => signalPayloads(c, 'signal'))).not.toContain(
        'v=0 sneaky',
      );
    } finally {
      clearInterval(beat);
    }
  });
});
