import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from './fixture.js';

const running: TestServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.close()));
});

let certDir: string;
let ca: Buffer;
beforeAll(async () => {
  // A self-signed certificate for 127.0.0.1, made by the system's openssl.
  certDir = await mkdtemp(join(tmpdir(), 'poolnet-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  ca = await readFile(join(certDir, 'cert.pem'));
});
afterAll(async () => {
  await rm(certDir, { recursive: true, force: true });
});

function getHttps(
  url: string,
  trust: Buffer | undefined,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, trust ? { ca: trust } : {}, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS and reverse proxies', () => {
  it('[HTTP20] with a certificate and key the API is HTTPS and signalling WSS; a client that does not trust the certificate is refused', async () => {
    const t = await startTestServer({
      config: { tls: { certPath: join(certDir, 'cert.pem'), keyPath: join(certDir, 'key.pem') } },
    });
    running.push(t);
    expect(t.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(t.server.wsUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/v1\/signal$/);

    const health = await getHttps(`${t.server.url}/healthz`, ca);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ ok: true });
    await expect(getHttps(`${t.server.url}/healthz`, undefined)).rejects.toThrow(/self.signed/i);

    const ws = new WebSocket(t.server.wsUrl, { ca });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.terminate();
  });

  it('[HTTP21] behind a proxy (trustProxy) rate limits key on the last X-Forwarded-For entry; without it the header is ignored', async () => {
    const limits = { rateLimits: { register: { burst: 1, perMinute: 1 } } };
    const post = (url: string, forwardedFor: string) =>
      fetch(`${url}/v1/test/echo`, {
        method: 'POST',
        headers: { 'x-forwarded-for': forwardedFor },
        body: '{}',
      }).then((res) => res.status);

    const proxied = await startTestServer({ config: { ...limits, trustProxy: true } });
    running.push(proxied);
    expect(await post(proxied.server.url, '10.0.0.1')).toBe(200);
    expect(await post(proxied.server.url, '10.0.0.2')).toBe(200); // another client
    expect(await post(proxied.server.url, '10.0.0.1')).toBe(429);
    // A client cannot choose its bucket by prepending entries: the proxy's (last) one counts.
    expect(await post(proxied.server.url, '10.9.9.9, 10.0.0.2')).toBe(429);

    const direct = await startTestServer({ config: limits });
    running.push(direct);
    expect(await post(direct.server.url, '10.0.0.1')).toBe(200);
    expect(await post(direct.server.url, '10.0.0.2')).toBe(429); // same socket address
  });
});
