/**
 * What the cluster tests and the cluster benchmark start for real: their own `nats-server`
 * child (so they can stop and restart it), a fresh PostgreSQL database dropped afterwards,
 * and sync-server instances as separate processes (`src/main.ts`) that can be SIGKILLed.
 * Loopback only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const PG_ADMIN_URL =
  process.env.POOLNET_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Debian's package puts it in /usr/sbin (not on a user's PATH); elsewhere, the PATH's. */
export const NATS_SERVER =
  process.env.POOLNET_NATS_SERVER ??
  (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server');
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
/** The repository root: `--import tsx` resolves from there. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed API JSON, checked by expect
export type Json = any;

/** A port free on 127.0.0.1 now; the sync server's other process tests use it too. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A `nats-server` on a loopback port of its own; stop and start it again on the same port. */
export class NatsChild {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  static async start(): Promise<NatsChild> {
    const nats = new NatsChild(await freePort());
    await nats.start();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(this.port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('Server is ready')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`nats-server exited ${String(code)}: ${err}`)));
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** A fresh database on the local PostgreSQL, dropped (with its connections) by `drop`. */
export class TestDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(): Promise<TestDatabase> {
    const name = `poolnet_cluster_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    return new TestDatabase(name, url.toString());
  }

  async drop(): Promise<void> {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }

  /** One query on this database. */
  async query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }
}

export interface InstanceOptions {
  readonly id: string;
  readonly port: number;
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly natsUrl: string;
  /** Every URL devices may use as their WebAuthn origin (all instances'). */
  readonly origins: readonly string[];
  /** Written to a config file (rate limits open for many accounts from one address). */
  readonly config?: Record<string, unknown>;
  readonly logLevel?: string;
  /** Copy the instance's output to this process's stderr. */
  readonly echo?: boolean;
}

/** One sync-server instance process in cluster mode. */
export class InstanceProcess {
  private constructor(
    readonly options: InstanceOptions,
    readonly child: ChildProcess,
    private readonly output: string[],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get id(): string {
    return this.options.id;
  }

  /** Everything the process printed so far. */
  get log(): string {
    return this.output.join('');
  }

  static async start(options: InstanceOptions): Promise<InstanceProcess> {
    const configPath = join(options.dataDir, '..', `${options.id}.json`);
    const open = { burst: 1000, perMinute: 1000 };
    await writeFile(
      configPath,
      JSON.stringify({
        rateLimits: { register: open, 'sign-in': open, join: open, 'add-device': open },
        stun: { port: 0 },
        ...options.config,
      }),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: ROOT,
      env: {
        ...process.env,
        POOLNET_PORT: String(options.port),
        POOLNET_HOST: '127.0.0.1',
        POOLNET_DATA: options.dataDir,
        POOLNET_DATABASE_URL: options.databaseUrl,
        POOLNET_NATS_URL: options.natsUrl,
        POOLNET_INSTANCE_ID: options.id,
        POOLNET_PUBLIC_URL: `http://127.0.0.1:${options.port}`,
        POOLNET_ORIGINS: options.origins.join(','),
        POOLNET_CONFIG: configPath,
        POOLNET_LOG_LEVEL: options.logLevel ?? 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const instance = new InstanceProcess(options, child, output);
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output.push(d.toString());
        if (options.echo) process.stderr.write(`[${options.id}] ${d.toString()}`);
        if (output.join('').includes('poolnet sync server:')) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) =>
        reject(new Error(`instance ${options.id} exited ${String(code)}: ${output.join('')}`)),
      );
    });
    return instance;
  }

  /** GET a JSON path of this instance; resolves with status and body. */
  // Answers are checked field by field with `expect`; typing every shape adds nothing.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async get(path: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: await res.json() };
  }

  async metrics(): Promise<string> {
    const res = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return res.text();
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}

/**
 * One JSON call to an instance's HTTP API: POST with `body`, GET without; `token` as the
 * bearer. Fails with the path, status and body unless the status is 2xx.
 */
export async function call(
  base: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<Json> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Json;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Polls `check` until it returns a truthy value (returned) or `timeoutMs` passes (throws). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  what: string,
  timeoutMs = 30_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
