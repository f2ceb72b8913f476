/**
 * Durability through the real process and its HTTP API: the server (`src/main.ts`) is
 * SIGKILLed while clients register accounts, create pools and invites and set signing keys
 * as fast as it answers; after a restart on the same data, every write the server
 * acknowledged is there, read back through the API (SQLite and PostgreSQL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nobleCrypto } from '@poolnet/engine';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoftwareAuthenticator } from '../../src/auth/software-authenticator.js';
import { SignalClient } from '../http/fixture.js';
import { freePort } from '../cluster/harness.js';
import { PG_TEST_URL, PgTestSchemas } from '../store/pg-test-database.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const ORIGIN = 'http://localhost:5173';
const ACKS_BEFORE_KILL = 40;

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts `src/main.ts`; resolves once it prints its address. */
function startServer(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /poolnet sync server: (\S+)/.exec(out);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`server exited (${String(code)}): ${err}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

// Replies are checked field by field with `expect`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function call(url: string, path: string, body?: unknown, token?: string): Promise<Json> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${url}${path}`, {
    method: path === '/v1/pools' ? 'GET' : 'POST',
    headers,
    body: path === '/v1/pools' ? undefined : JSON.stringify(body ?? {}),
  });
  const json: Json = await res.json();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** What the server acknowledged for one account. */
interface Acked {
  readonly authenticator: SoftwareAuthenticator;
  userId?: string;
  deviceId?: string;
  poolId?: string;
  inviteId?: string;
  signingKey?: Uint8Array;
}

/**
 * Writes accounts, pools, invites and signing keys until the server dies; every step is
 * recorded only after its 200 arrived.
 */
async function writeUntilKilled(running: Running): Promise<Acked[]> {
  const acked: Acked[] = [];
  let acks = 0;
  const ack = () => {
    if (++acks === ACKS_BEFORE_KILL) running.child.kill('SIGKILL');
  };
  try {
    for (let n = 1; ; n++) {
      const account: Acked = { authenticator: new SoftwareAuthenticator() };
      acked.push(account);
      const begin = await call(running.url, '/v1/auth/register/begin', {
        displayName: `User ${n}`,
        deviceName: `Laptop ${n}`,
        deviceType: 'desktop',
      });
      const tokens = await call(running.url, '/v1/auth/register/finish', {
        challengeId: begin.challengeId,
        response: account.authenticator.register(begin.options, { origin: ORIGIN }),
      });
      account.userId = tokens.userId;
      account.deviceId = tokens.deviceId;
      ack();
      const { pool } = await call(
        running.url,
        '/v1/pools/create',
        { name: `P${n}` },
        tokens.accessToken,
      );
      account.poolId = pool.id;
      ack();
      const { invite } = await call(
        running.url,
        '/v1/invites/create',
        { poolId: pool.id, maxUses: 5 },
        tokens.accessToken,
      );
      account.inviteId = invite.id;
      ack();
      const { publicKey } = nobleCrypto.generateKeyPair();
      await call(
        running.url,
        '/v1/devices/signing-key',
        { publicKey: Buffer.from(publicKey).toString('base64url') },
        tokens.accessToken,
      );
      account.signingKey = publicKey;
      ack();
    }
  } catch (err) {
    // The kill cuts a request short: that write was never acknowledged.
    if (acks < ACKS_BEFORE_KILL) throw err;
  }
  return acked;
}

/** Signs each account in again and finds every acknowledged write through the API. */
async function expectAllAcknowledged(running: Running, acked: readonly Acked[]): Promise<void> {
  const found = acked.filter((a) => a.userId !== undefined);
  expect(found.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL / 4);
  for (const account of found) {
    const begin = await call(running.url, '/v1/auth/sign-in/begin');
    const session = await call(running.url, '/v1/auth/sign-in/finish', {
      challengeId: begin.challengeId,
      response: account.authenticator.authenticate(begin.options, { origin: ORIGIN }),
    });
    expect(session).toMatchObject({ userId: account.userId, deviceId: account.deviceId });
    if (account.poolId === undefined) continue;
    const { pools } = await call(running.url, '/v1/pools', undefined, session.accessToken);
    expect(pools.map((p: Json) => p.pool.id)).toContain(account.poolId);
    if (account.inviteId === undefined) continue;
    const { invites } = await call(
      running.url,
      '/v1/invites/list',
      { poolId: account.poolId },
      session.accessToken,
    );
    expect(invites.map((i: Json) => i.id)).toContain(account.inviteId);
    if (account.signingKey === undefined) continue;
    // The key survived: joining over WebSocket is certified for exactly that key.
    const client = await SignalClient.open(`${running.url.replace(/^http/, 'ws')}/v1/signal`);
    try {
      const joined = await client.join(session.accessToken, session.deviceId, account.poolId);
      expect(joined.body.value.cert?.publicKey).toEqual(account.signingKey);
    } finally {
      client.ws.terminate();
    }
  }
}

describe('durability through the server process: acknowledged API writes survive SIGKILL', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  let schemas: PgTestSchemas;

  beforeAll(async () => {
    schemas = new PgTestSchemas();
    await schemas.connect();
  });

  afterAll(async () => {
    for (const child of children) await killed(child);
    await schemas.dropAll();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function run(databaseUrl?: string): Promise<number> {
    const dataDir = await mkdtemp(join(tmpdir(), 'poolnet-kill-'));
    dirs.push(dataDir);
    const configPath = join(dataDir, 'config.json');
    // Rate limits out of the way: this test is about durability, not abuse.
    const open = { burst: 10_000, perMinute: 10_000 };
    await writeFile(
      configPath,
      JSON.stringify({
        stun: { port: 0 },
        rateLimits: { register: open, 'sign-in': open, 'add-device': open, join: open },
      }),
    );
    const env = {
      POOLNET_PORT: String(await freePort()),
      POOLNET_HOST: '127.0.0.1',
      POOLNET_DATA: dataDir,
      POOLNET_ORIGINS: ORIGIN,
      POOLNET_CONFIG: configPath,
      ...(databaseUrl === undefined ? {} : { POOLNET_DATABASE_URL: databaseUrl }),
    };
    const first = await startServer(env);
    children.push(first.child);
    const acked = await writeUntilKilled(first);
    await killed(first.child);
    expect(first.child.signalCode).toBe('SIGKILL');

    const second = await startServer(env);
    children.push(second.child);
    await expectAllAcknowledged(second, acked);
    await killed(second.child);
    return acked.filter((a) => a.userId !== undefined).length;
  }

  it('[API7] SQLite', async () => {
    await run();
  });

  it('[API7] PostgreSQL', async () => {
    const schema = await schemas.create();
    const accounts = await run(
      `${PG_TEST_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    );
    // The server really wrote to PostgreSQL, in this test's own schema.
    const db = new pg.Client({ connectionString: PG_TEST_URL });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${schema}.users`);
      expect(rows[0].n).toBeGreaterThanOrEqual(accounts);
    } finally {
      await db.end();
    }
  });
});
