/**
 * Test bench for daemons: a real sync server on 127.0.0.1 (SQLite in a temp dir) and helpers
 * to call a daemon's local API the way the CLI does.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SyncServer, parseServerConfig, startPoolnetServer } from '@poolnet/sync-server';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface TestSyncServer {
  readonly url: string;
  readonly server: SyncServer;
  readonly dataDir: string;
  close(): Promise<void>;
  /** Deletes its data directory. */
  remove(): Promise<void>;
}

/** A sync server whose WebAuthn origin is its own 127.0.0.1 address (what daemons claim). */
export async function startTestSyncServer(
  dataDir?: string,
  fixedPort?: number,
): Promise<TestSyncServer> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'poolnet-sync-')));
  const port = fixedPort ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const open = { burst: 1000, perMinute: 1000 };
  const server = await startPoolnetServer(
    parseServerConfig({
      port,
      host: '127.0.0.1',
      dataDir: dir,
      stun: { port: 0, host: '127.0.0.1' },
      rp: { id: 'localhost', name: 'Poolnet test', origins: [url] },
      rateLimits: { register: open, 'sign-in': open, 'add-device': open, join: open },
      logLevel: 'warn',
    }),
  );
  return {
    url,
    server,
    dataDir: dir,
    close: () => server.close(),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

// Local API replies are checked field by field with `expect`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** Calls a daemon's local API with the token from its data dir. */
export class LocalClient {
  constructor(
    readonly port: number,
    private readonly token: string,
  ) {}

  static async of(dataDir: string, port: number): Promise<LocalClient> {
    return new LocalClient(port, (await readFile(join(dataDir, 'api-token'), 'utf8')).trim());
  }

  async call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Json }> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
    });
    return { status: res.status, json: await res.json() };
  }

  async ok(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> {
    const { status, json } = await this.call(method, path, body);
    if (status !== 200) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(json)}`);
    return json;
  }
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${String(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
