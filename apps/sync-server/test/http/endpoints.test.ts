import { request } from 'node:http';
import { ManualClock } from '@poolnet/engine/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  StunAttributeType,
  StunMessageType,
  decodeXorMappedAddress,
  findAttribute,
} from '../../src/ice/index.js';
import { openStunClient, type StunClient } from '../ice/stun-client.js';
import { type TestServer, getJson, startTestServer } from './fixture.js';

const running: TestServer[] = [];
const stunClients: StunClient[] = [];
afterEach(async () => {
  await Promise.all(stunClients.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((t) => t.close()));
});

async function start(options?: Parameters<typeof startTestServer>[0]) {
  const t = await startTestServer(options);
  running.push(t);
  return t;
}

/** POST `body` with Transfer-Encoding: chunked (no Content-Length), in 1 KiB pieces. */
function postChunked(url: string, bytes: number): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST' }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    const piece = Buffer.alloc(1024, 0x20);
    for (let sent = 0; sent < bytes; sent += piece.length) req.write(piece);
    req.end();
  });
}

describe('HTTP endpoints', () => {
  it('[HTTP1] GET /healthz answers 200 {ok:true}', async () => {
    const { server } = await start();
    const res = await getJson(server.url, '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('[HTTP2] GET /metrics answers in the Prometheus text format', async () => {
    const { server } = await start();
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text.endsWith('\n')).toBe(true);
    for (const [name, type] of [
      ['poolnet_signal_connected_sessions', 'gauge'],
      ['poolnet_signal_live_pools', 'gauge'],
      ['poolnet_signal_joins_total', 'counter'],
      ['poolnet_signal_relayed_signals_total', 'counter'],
      ['poolnet_signal_refused_signals_total', 'counter'],
      ['poolnet_signal_bad_frames_total', 'counter'],
      ['poolnet_stun_requests_total', 'counter'],
    ]) {
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
      expect(text).toMatch(new RegExp(`^# HELP ${name} .+$`, 'm'));
      expect(text).toMatch(new RegExp(`^${name} 0$`, 'm'));
    }
    // Every non-comment line is `name value`.
    for (const line of text.trimEnd().split('\n')) {
      if (!line.startsWith('#')) expect(line).toMatch(/^[a-z_:]+ \d+$/);
    }
  });

  it('[HTTP3] an unknown route is a JSON 404', async () => {
    const { server } = await start();
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/healthz'],
      ['DELETE', '/v1/ice'],
    ] as const) {
      const res = await getJson(server.url, path, { method });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    }
  });

  it('[HTTP4] a body over the limit is a JSON 413, declared or streamed', async () => {
    const { server } = await start({ config: { bodyLimitBytes: 4096 } });
    const ok = await getJson(server.url, '/v1/test/echo', {
      method: 'POST',
      body: JSON.stringify({ a: 'x'.repeat(100) }),
    });
    expect(ok).toMatchObject({ status: 200, body: { echo: { a: 'x'.repeat(100) } } });

    const declared = await getJson(server.url, '/v1/test/echo', {
      method: 'POST',
      body: JSON.stringify({ a: 'x'.repeat(5000) }),
    });
    expect(declared.status).toBe(413);
    expect(declared.body).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) },
    });

    const streamed = await postChunked(`${server.url}/v1/test/echo`, 64 * 1024);
    expect(streamed.status).toBe(413);
    expect(streamed.body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    // The server is fine afterwards.
    expect((await getJson(server.url, '/healthz')).status).toBe(200);
  });

  it('[HTTP5] bad JSON is a 400 and a failing route a bare 500: no internals on the wire', async () => {
    const t = await start();
    const bad = await getJson(t.server.url, '/v1/test/echo', { method: 'POST', body: '{"a":' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'BAD_REQUEST' } });

    const res = await fetch(`${t.server.url}/v1/test/broken`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
    expect(text).not.toMatch(/SQLITE|secret|\/srv|at /);
    expect(t.internalErrors).toHaveLength(1);
    expect(String(t.internalErrors[0])).toContain('SQLITE_CORRUPT');
  });

  it('[HTTP6] a POST route over its rate limit gets 429 with Retry-After; other classes and addresses are unaffected', async () => {
    const clock = new ManualClock();
    const t = await start({
      config: { rateLimits: { register: { burst: 2, perMinute: 1 } } },
      deps: { clock },
    });
    const post = () =>
      fetch(`${t.server.url}/v1/test/echo`, { method: 'POST', body: '{}' }).then(async (res) => ({
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: (await res.json()) as unknown,
      }));
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('60');
    expect(refused.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    // GET routes and other classes are not limited by it.
    expect((await getJson(t.server.url, '/healthz')).status).toBe(200);
    await clock.advance(60_000);
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(429);
    const metrics = await (await fetch(`${t.server.url}/metrics`)).text();
    expect(metrics).toMatch(/^poolnet_http_rate_limited_total 2$/m);
  });

  it('[HTTP7] GET /v1/ice needs a bearer token and lists the STUN port, and TURN when configured', async () => {
    const t = await start({
      config: { turn: { secret: 's3cret', host: 'turn.example.org', port: 3478, ttl: 600 } },
    });
    const token = t.device('d1', 'u1');
    const missing = await getJson(t.server.url, '/v1/ice');
    expect(missing).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    const wrong = await getJson(t.server.url, '/v1/ice', {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);

    const res = await getJson(t.server.url, '/v1/ice', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      iceServers: [
        { urls: [`stun:127.0.0.1:${t.server.stunPort}`] },
        {
          urls: [
            'turn:turn.example.org:3478?transport=udp',
            'turn:turn.example.org:3478?transport=tcp',
          ],
          username: expect.stringMatching(/^\d+:u1$/),
          credential: expect.any(String),
        },
      ],
      expiresAtSeconds: expect.any(Number),
    });
  });

  it('[ICE11a] with an alternate STUN port, /v1/ice lists both and both answer (the NAT check)', async () => {
    const t = await start({
      config: { stun: { host: '127.0.0.1', port: 0, alternatePort: 0 } },
    });
    const res = await getJson(t.server.url, '/v1/ice', {
      headers: { authorization: `Bearer ${t.device('d1', 'u1')}` },
    });
    const body = res.body as { iceServers: Array<{ urls: string[] }> };
    const urls = body.iceServers[0]?.urls ?? [];
    expect(urls).toHaveLength(2);
    expect(urls[0]).toBe(`stun:127.0.0.1:${t.server.stunPort}`);
    const alternate = Number(/^stun:127\.0\.0\.1:(\d+)$/.exec(urls[1] ?? '')?.[1]);
    expect(alternate).not.toBe(t.server.stunPort);
    const client = await openStunClient('udp4', '127.0.0.1');
    stunClients.push(client);
    const { response } = await client.bind({
      address: '127.0.0.1',
      family: 'IPv4',
      port: alternate,
    });
    expect(response.type).toBe(StunMessageType.BindingSuccessResponse);
  });

  it('[HTTP12] a STUN Binding Request to the server STUN port is answered', async () => {
    const t = await start();
    const client = await openStunClient('udp4', '127.0.0.1');
    stunClients.push(client);
    const { response } = await client.bind({
      address: '127.0.0.1',
      family: 'IPv4',
      port: t.server.stunPort,
    });
    expect(response.type).toBe(StunMessageType.BindingSuccessResponse);
    const xor = findAttribute(response, StunAttributeType.XorMappedAddress);
    expect(decodeXorMappedAddress(xor?.value ?? new Uint8Array(), response.transactionId)).toEqual({
      family: 'IPv4',
      address: '127.0.0.1',
      port: client.local.port,
    });
    const metrics = await (await fetch(`${t.server.url}/metrics`)).text();
    expect(metrics).toMatch(/^poolnet_stun_requests_total 1$/m);
  });
});
