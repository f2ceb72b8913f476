/**
 * Hostile input through the whole API: an authenticated attacker (and an anonymous one)
 * sends malformed and well-formed-but-foreign bodies to every route. The server keeps
 * answering with typed JSON errors, never a 500, and the victim's account, devices, pools and
 * invites read back exactly as before.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolnetServer } from '../../src/api/compose.js';
import { SoftwareAuthenticator } from '../../src/auth/software-authenticator.js';
import { parseServerConfig } from '../../src/http/config.js';
import type { SyncServer } from '../../src/http/server.js';

const ORIGIN = 'http://localhost:5173';
/** Every POST route but sign-out, which would end the attacker's own session. */
const POST_ROUTES = [
  '/v1/auth/register/begin',
  '/v1/auth/register/finish',
  '/v1/auth/sign-in/begin',
  '/v1/auth/sign-in/finish',
  '/v1/auth/refresh',
  '/v1/account/rename',
  '/v1/devices/rename',
  '/v1/devices/revoke',
  '/v1/devices/code',
  '/v1/devices/link/begin',
  '/v1/devices/link/finish',
  '/v1/devices/signing-key',
  '/v1/pools/create',
  '/v1/pools/rename',
  '/v1/pools/delete',
  '/v1/pools/settings',
  '/v1/pools/leave',
  '/v1/pools/remove-member',
  '/v1/invites/create',
  '/v1/invites/list',
  '/v1/invites/revoke',
  '/v1/invites/join',
] as const;

// Replies are compared as whole JSON values.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let server: SyncServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'poolnet-abuse-'));
  const open = { burst: 100_000, perMinute: 100_000 };
  server = await startPoolnetServer(
    parseServerConfig({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      stun: { port: 0, host: '127.0.0.1' },
      rp: { id: 'localhost', name: 'Poolnet test', origins: [ORIGIN] },
      rateLimits: { register: open, 'sign-in': open, 'add-device': open, join: open },
    }),
    { deps: { onInternalError: () => undefined } },
  );
});

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function send(
  path: string,
  body: string | undefined,
  token?: string,
): Promise<{ status: number; json: Json }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body });
  return { status: res.status, json: await res.json() };
}

async function post(path: string, body: unknown, token?: string): Promise<Json> {
  const { status, json } = await send(path, JSON.stringify(body), token);
  expect(status, `${path} ${JSON.stringify(json)}`).toBe(200);
  return json;
}

async function register(name: string) {
  const authenticator = new SoftwareAuthenticator();
  const begin = await post('/v1/auth/register/begin', {
    displayName: name,
    deviceName: `${name} laptop`,
    deviceType: 'desktop',
  });
  return post('/v1/auth/register/finish', {
    challengeId: begin.challengeId,
    response: authenticator.register(begin.options, { origin: ORIGIN }),
  });
}

describe('abuse of the JSON API', () => {
  it('[API9] fuzzed and foreign bodies on every route get typed 4xx errors and leave another user untouched', async () => {
    const victim = await register('Victim');
    const attacker = await register('Mallory');
    const { pool } = await post('/v1/pools/create', { name: 'Secret' }, victim.accessToken);
    const { invite } = await post(
      '/v1/invites/create',
      { poolId: pool.id, maxUses: 3 },
      victim.accessToken,
    );
    const snapshot = async () => {
      const res = await fetch(`${server.url}/v1/pools`, {
        headers: { authorization: `Bearer ${victim.accessToken}` },
      });
      const devices = await fetch(`${server.url}/v1/devices`, {
        headers: { authorization: `Bearer ${victim.accessToken}` },
      });
      const invites = await post('/v1/invites/list', { poolId: pool.id }, victim.accessToken);
      return { pools: await res.json(), devices: await devices.json(), invites };
    };
    const before = await snapshot();

    // Bodies that name the victim's things, plus junk of every JSON shape and raw bytes.
    const ids = fc.constantFrom(
      victim.userId,
      victim.deviceId,
      pool.id,
      invite.id,
      'x',
      '',
      '../../etc',
      "'; DROP TABLE users; --",
      'a'.repeat(5000),
    );
    const foreign = fc.record(
      {
        poolId: ids,
        userId: ids,
        deviceId: ids,
        inviteId: ids,
        name: fc.oneof(ids, fc.string()),
        token: ids,
        code: ids,
        maxTextBytes: fc.oneof(fc.integer(), fc.double()),
        publicKey: fc.oneof(ids, fc.base64String()),
      },
      { requiredKeys: [] },
    );
    // Exactly the shapes the routes accept, aimed at the victim's ids: these pass validation
    // and reach the ownership and membership checks.
    const aimed = fc.oneof(
      fc.record({ poolId: ids }),
      fc.record({ poolId: ids, name: ids }),
      fc.record({ poolId: ids, userId: ids }),
      fc.record({ poolId: ids, inviteId: ids }),
      fc.record({ poolId: ids, maxTextBytes: fc.integer({ min: 1, max: 1000 }) }),
      fc.record({ deviceId: ids }),
      fc.record({ deviceId: ids, name: ids }),
      fc.record({ token: ids }),
      fc.record({ code: ids, deviceName: ids, deviceType: fc.constant('mobile') }),
    );
    const body = fc.oneof(
      aimed.map((b) => JSON.stringify(b)),
      aimed.map((b) => JSON.stringify(b)),
      foreign.map((b) => JSON.stringify(b)),
      fc.json(),
      fc.string(),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
    );
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...POST_ROUTES),
        body,
        fc.boolean(),
        async (path, text, signedIn) => {
          const { status, json } = await send(
            path,
            text,
            signedIn ? attacker.accessToken : undefined,
          );
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          expect(status, `${path} ${text.slice(0, 80)}`).not.toBe(500);
          if (status !== 200) {
            expect(json.error.code, JSON.stringify(json)).toMatch(/^[A-Z_]+$/);
            expect(json.error.message).toEqual(expect.any(String));
          }
        },
      ),
      { numRuns: 600, seed: 7 },
    );
    // The run really exercised refusals of several kinds.
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await snapshot()).toEqual(before);
  });
});
