/**
 * The composed server over real HTTP and WebSocket: accounts with a software passkey, pools,
 * invites, adding a device, typed errors, and a certificate for the registered signing key.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nobleCrypto, verifyCertificate } from '@poolnet/engine';
import { ErrorCode } from '@poolnet/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolnetServer } from '../../src/api/compose.js';
import { SoftwareAuthenticator } from '../../src/auth/software-authenticator.js';
import { parseServerConfig } from '../../src/http/config.js';
import type { SyncServer } from '../../src/http/server.js';
import { SignalClient } from '../http/fixture.js';

const ORIGIN = 'http://localhost:5173';

interface Tokens {
  readonly userId: string;
  readonly deviceId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

let server: SyncServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'poolnet-api-'));
  const config = parseServerConfig({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    stun: { port: 0, host: '127.0.0.1' },
    rp: { id: 'localhost', name: 'Poolnet test', origins: [ORIGIN] },
    // Many accounts from one address: limits are tested in test/http.
    rateLimits: { register: { burst: 100, perMinute: 100 } },
  });
  server = await startPoolnetServer(config, { deps: { onInternalError: () => undefined } });
});

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function call(
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string; body?: unknown } = {},
  // Responses are checked field by field with `expect`; typing every shape adds nothing.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

async function ok(method: 'GET' | 'POST', path: string, options?: Parameters<typeof call>[2]) {
  const res = await call(method, path, options);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function register(authenticator: SoftwareAuthenticator, displayName: string) {
  const begin = await ok('POST', '/v1/auth/register/begin', {
    body: { displayName, deviceName: `${displayName}'s laptop`, deviceType: 'desktop' },
  });
  const response = authenticator.register(begin.options, { origin: ORIGIN });
  return (await ok('POST', '/v1/auth/register/finish', {
    body: { challengeId: begin.challengeId, response },
  })) as Tokens;
}

describe('Poolnet API flows', () => {
  let a: Tokens;
  let b: Tokens;
  let poolId: string;

  it('[API1] registers a user, creates a pool and an invite; a second user joins by it and both see both members', async () => {
    a = await register(new SoftwareAuthenticator(), 'Ada');
    expect(a.accessToken).toEqual(expect.any(String));
    expect((await stat(join(dataDir, 'auth.secret'))).mode & 0o777).toBe(0o600);

    const created = await ok('POST', '/v1/pools/create', {
      token: a.accessToken,
      body: { name: 'Family' },
    });
    poolId = created.pool.id;
    expect(created.pool).toMatchObject({ name: 'Family', ownerId: a.userId, isHome: false });

    const invite = await ok('POST', '/v1/invites/create', {
      token: a.accessToken,
      body: { poolId },
    });
    expect(invite.token).toEqual(expect.any(String));
    expect(invite.invite.tokenHash).toBeUndefined();

    b = await register(new SoftwareAuthenticator(), 'Bob');
    const joined = await ok('POST', '/v1/invites/join', {
      token: b.accessToken,
      body: { token: invite.token },
    });
    expect(joined).toMatchObject({ joined: true, pool: { id: poolId } });

    for (const user of [a, b]) {
      const { pools } = await ok('GET', '/v1/pools', { token: user.accessToken });
      const shared = pools.find((p: { pool: { id: string } }) => p.pool.id === poolId);
      const members = shared.members.map((m: { member: { userId: string } }) => m.member.userId);
      expect(members.sort()).toEqual([a.userId, b.userId].sort());
      expect(pools.some((p: { pool: { isHome: boolean } }) => p.pool.isHome)).toBe(true);
    }

    // The invite was single-use: a third use is a typed 410.
    const c = await register(new SoftwareAuthenticator(), 'Cy');
    const again = await call('POST', '/v1/invites/join', {
      token: c.accessToken,
      body: { token: invite.token },
    });
    expect(again).toMatchObject({
      status: 410,
      body: { error: { code: 'GONE', reason: 'EXHAUSTED' } },
    });
  });

  it('[API2] a code from device one links a second authenticator as a new device of the same user', async () => {
    const code = await ok('POST', '/v1/devices/code', { token: a.accessToken });
    expect(code.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(code.qrPayload).toContain(`code=${code.code}`);

    const phone = new SoftwareAuthenticator();
    const begin = await ok('POST', '/v1/devices/link/begin', {
      body: { code: code.code, deviceName: 'phone', deviceType: 'mobile' },
    });
    const linked = (await ok('POST', '/v1/devices/link/finish', {
      body: {
        challengeId: begin.challengeId,
        response: phone.register(begin.options, { origin: ORIGIN }),
      },
    })) as Tokens;
    expect(linked.userId).toBe(a.userId);
    expect(linked.deviceId).not.toBe(a.deviceId);

    const { devices } = await ok('GET', '/v1/devices', { token: linked.accessToken });
    expect(devices.map((d: { name: string }) => d.name).sort()).toEqual(["Ada's laptop", 'phone']);

    // The phone signs in with its own passkey, as itself.
    const signIn = await ok('POST', '/v1/auth/sign-in/begin');
    const session = (await ok('POST', '/v1/auth/sign-in/finish', {
      body: {
        challengeId: signIn.challengeId,
        response: phone.authenticate(signIn.options, { origin: ORIGIN }),
      },
    })) as Tokens;
    expect(session.deviceId).toBe(linked.deviceId);
  });

  it('[API3] a wrong code, a bad body and a missing or bad token are typed JSON errors', async () => {
    const wrong = await call('POST', '/v1/devices/link/begin', {
      body: { code: 'ZZZZ-ZZZZ', deviceName: 'tablet', deviceType: 'mobile' },
    });
    expect(wrong).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND', reason: 'INVALID_CODE', message: expect.any(String) } },
    });

    const bad = await call('POST', '/v1/pools/create', { token: a.accessToken, body: { name: 7 } });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });

    for (const token of [undefined, 'not-a-token']) {
      const res = await call('GET', '/v1/pools', { token });
      expect(res).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    }

    // B is a member but not the owner: removing A is refused.
    const forbidden = await call('POST', '/v1/pools/remove-member', {
      token: b.accessToken,
      body: { poolId, userId: a.userId },
    });
    expect(forbidden).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
  });

  it('[API4] a refreshed session works and sign-out ends it', async () => {
    const fresh = (await ok('POST', '/v1/auth/refresh', {
      body: { refreshToken: b.refreshToken },
    })) as Tokens;
    const reused = await call('POST', '/v1/auth/refresh', {
      body: { refreshToken: b.refreshToken },
    });
    expect(reused).toMatchObject({ status: 401, body: { error: { reason: 'REVOKED' } } });
    b = fresh;
    await ok('GET', '/v1/pools', { token: b.accessToken });
  });

  it('[API5] B registers a signing key, joins the pool over WebSocket and is certified for that key', async () => {
    const { publicKey } = nobleCrypto.generateKeyPair();
    await ok('POST', '/v1/devices/signing-key', {
      token: b.accessToken,
      body: { publicKey: Buffer.from(publicKey).toString('base64url') },
    });
    const client = await SignalClient.open(server.wsUrl);
    try {
      const joined = (await client.join(b.accessToken, b.deviceId, poolId)).body.value;
      expect(joined.nodeId).toBe(b.deviceId);
      const cert = joined.cert!;
      expect(cert.publicKey).toEqual(publicKey);
      expect(verifyCertificate(nobleCrypto, cert, joined.authorityPublicKey, Date.now())).toBe(
        true,
      );
    } finally {
      client.ws.terminate();
    }
  });
  it('[API6] the pool list shows who is online; removing a member, revoking a device and deleting a pool end their connections at once', async () => {
    const owner = await register(new SoftwareAuthenticator(), 'Olga');
    const guest = await register(new SoftwareAuthenticator(), 'Gus');
    const { pool } = await ok('POST', '/v1/pools/create', {
      token: owner.accessToken,
      body: { name: 'Club' },
    });
    const invite = await ok('POST', '/v1/invites/create', {
      token: owner.accessToken,
      body: { poolId: pool.id, maxUses: 5 },
    });
    await ok('POST', '/v1/invites/join', {
      token: guest.accessToken,
      body: { token: invite.token },
    });
    for (const user of [owner, guest]) {
      const { publicKey } = nobleCrypto.generateKeyPair();
      await ok('POST', '/v1/devices/signing-key', {
        token: user.accessToken,
        body: { publicKey: Buffer.from(publicKey).toString('base64url') },
      });
    }
    const online = async (userId: string): Promise<boolean> => {
      const { pools } = await ok('GET', '/v1/pools', { token: owner.accessToken });
      const view = pools.find((p: { pool: { id: string } }) => p.pool.id === pool.id);
      const member = view.members.find(
        (m: { member: { userId: string } }) => m.member.userId === userId,
      );
      return member.devices.some((d: { online: boolean }) => d.online);
    };

    const ownerLink = await SignalClient.open(server.wsUrl);
    const guestLink = await SignalClient.open(server.wsUrl);
    try {
      await ownerLink.join(owner.accessToken, owner.deviceId, pool.id);
      await guestLink.join(guest.accessToken, guest.deviceId, pool.id);
      expect(await online(guest.userId)).toBe(true);

      // Removal: the guest's socket gets ACCESS_ENDED and closes; the owner hears it left.
      await ok('POST', '/v1/pools/remove-member', {
        token: owner.accessToken,
        body: { poolId: pool.id, userId: guest.userId },
      });
      const refusal = await guestLink.next('error');
      expect(refusal.body.value.code).toBe(ErrorCode.FORBIDDEN);
      expect((await guestLink.closed).reason).toBe('ACCESS_ENDED');
      await ownerLink.next('memberLeft', (f) => f.body.value.nodeId === guest.deviceId);
      // The guest is neither a member nor online any more; the owner still is.
      const { pools } = await ok('GET', '/v1/pools', { token: owner.accessToken });
      const view = pools.find((p: { pool: { id: string } }) => p.pool.id === pool.id);
      expect(view.members).toHaveLength(1);
      expect(view.online).toBe(1);
      expect(await online(owner.userId)).toBe(true);
    } finally {
      guestLink.ws.terminate();
    }

    // Revoking a device ends its connections too.
    const laptop = await SignalClient.open(server.wsUrl);
    const second = await ok('POST', '/v1/devices/code', { token: owner.accessToken });
    const authenticator = new SoftwareAuthenticator();
    const begin = await ok('POST', '/v1/devices/link/begin', {
      body: { code: second.code, deviceName: 'Olga phone', deviceType: 'mobile' },
    });
    const phone = (await ok('POST', '/v1/devices/link/finish', {
      body: {
        challengeId: begin.challengeId,
        response: authenticator.register(begin.options, { origin: ORIGIN }),
      },
    })) as Tokens;
    const { publicKey } = nobleCrypto.generateKeyPair();
    await ok('POST', '/v1/devices/signing-key', {
      token: phone.accessToken,
      body: { publicKey: Buffer.from(publicKey).toString('base64url') },
    });
    try {
      await laptop.join(phone.accessToken, phone.deviceId, pool.id);
      await ok('POST', '/v1/devices/revoke', {
        token: owner.accessToken,
        body: { deviceId: phone.deviceId },
      });
      expect((await laptop.closed).reason).toBe('ACCESS_ENDED');
    } finally {
      laptop.ws.terminate();
    }

    // Deleting the pool ends everyone's connection to it.
    try {
      await ok('POST', '/v1/pools/delete', { token: owner.accessToken, body: { poolId: pool.id } });
      expect((await ownerLink.closed).reason).toBe('ACCESS_ENDED');
    } finally {
      ownerLink.ws.terminate();
    }
  });
  it('[API8] a device with no signing key is refused at join with a typed error and may retry', async () => {
    const user = await register(new SoftwareAuthenticator(), 'Nokey');
    const { pools } = await ok('GET', '/v1/pools', { token: user.accessToken });
    const homeId = pools[0].pool.id as string;
    const client = await SignalClient.open(server.wsUrl);
    try {
      client.send({ case: 'auth', value: { accessToken: user.accessToken } });
      await client.next('authenticated');
      const join = () =>
        client.send({
          case: 'join',
          value: { poolId: homeId, device: { deviceId: user.deviceId, name: 'x' } },
        });
      const seq = join();
      const refusal = await client.next('error');
      expect(refusal.body.value).toMatchObject({ code: ErrorCode.FORBIDDEN, seq });
      const { publicKey } = nobleCrypto.generateKeyPair();
      await ok('POST', '/v1/devices/signing-key', {
        token: user.accessToken,
        body: { publicKey: Buffer.from(publicKey).toString('base64url') },
      });
      join();
      expect((await client.next('joined')).body.value.cert?.publicKey).toEqual(publicKey);
    } finally {
      client.ws.terminate();
    }
  });
});
