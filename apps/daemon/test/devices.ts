/**
 * A bench of daemons in this process for the file tests: a sync server, devices that register,
 * a pool they all join and link in, and each device's local API, CLI (in-process `main` on its
 * data directory) and event stream.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { type RunningDaemon, type RunDaemonOptions, runDaemon } from '../src/daemon/run.js';
import { runCli } from './cli/run-cli.js';
import {
  type Json,
  LocalClient,
  type TestSyncServer,
  eventually,
  startTestSyncServer,
} from './fixture.js';

export interface Device {
  readonly name: string;
  readonly dir: string;
  daemon: RunningDaemon;
  api: LocalClient;
  /** `poolnet ARGS --data DIR`, in-process. */
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** `poolnet ARGS --data DIR --json`, parsed; throws unless it exits 0. */
  json(...args: string[]): Promise<Json>;
}

export const sha256Hex = (data: Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');

export const fileSha256 = async (path: string): Promise<string> => sha256Hex(await readFile(path));

export class Devices {
  private readonly devices: Device[] = [];
  private readonly sockets: WebSocket[] = [];

  private constructor(
    readonly sync: TestSyncServer,
    readonly root: string,
  ) {}

  static async start(): Promise<Devices> {
    return new Devices(await startTestSyncServer(), await mkdtemp(join(tmpdir(), 'poolnet-dev-')));
  }

  /** A registered device with its own daemon. */
  async device(name: string, options: Partial<RunDaemonOptions> = {}): Promise<Device> {
    const dir = join(this.root, name);
    const daemon = await this.run(dir, options);
    const api = await LocalClient.of(dir, daemon.port);
    await api.ok('POST', '/v1/account/register', { name });
    const device: Device = {
      name,
      dir,
      daemon,
      api,
      cli: (...args) => runCli([...args, '--data', dir]),
      json: async (...args) => {
        const { code, stdout, stderr } = await runCli([...args, '--data', dir, '--json']);
        if (code !== 0)
          throw new Error(`poolnet ${args.join(' ')}: exit ${code} ${stdout} ${stderr}`);
        return JSON.parse(stdout);
      },
    };
    this.devices.push(device);
    return device;
  }

  /** Stops a device's daemon (its data stays). */
  async stop(device: Device): Promise<void> {
    await device.daemon.close();
  }

  /** Starts a stopped device's daemon again on its data directory. */
  async restart(device: Device, options: Partial<RunDaemonOptions> = {}): Promise<void> {
    device.daemon = await this.run(device.dir, options);
    device.api = await LocalClient.of(device.dir, device.daemon.port);
  }

  /** A pool made by `owner` that `others` join; resolves once everyone is linked in it. */
  async pool(owner: Device, others: Device[], name: string): Promise<string> {
    const { pool } = await owner.api.ok('POST', '/v1/pools/create', { name });
    const invite = await owner.api.ok('POST', '/v1/pools/invite', {
      pool: pool.id,
      uses: others.length,
    });
    for (const o of others) await o.api.ok('POST', '/v1/pools/join', { link: invite.link });
    for (const d of [owner, ...others]) await linked(d, pool.id);
    return pool.id as string;
  }

  /** Every event `device` sends from now on. */
  async events(device: Device): Promise<Json[]> {
    const events: Json[] = [];
    const token = (await readFile(join(device.dir, 'api-token'), 'utf8')).trim();
    const ws = new WebSocket(`ws://127.0.0.1:${device.daemon.port}/v1/events`);
    this.sockets.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ token })));
      ws.on('message', (data: Buffer) => {
        const event = JSON.parse(data.toString()) as Json;
        if (event.type === 'ready') resolve();
        else events.push(event);
      });
    });
    return events;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    for (const d of this.devices) await d.daemon.close();
    await this.sync.close();
    await this.sync.remove();
    await rm(this.root, { recursive: true, force: true });
  }

  private run(dir: string, options: Partial<RunDaemonOptions>): Promise<RunningDaemon> {
    return runDaemon({
      serverUrl: this.sync.url,
      dataDir: dir,
      webrtc: { bindAddress: '127.0.0.1' },
      ...options,
    });
  }
}

/** Waits until `device` is placed in `pool` with at least one open link. */
export async function linked(device: Device, pool: string): Promise<void> {
  await eventually(
    async () => {
      const status = await device.api.ok('GET', '/v1/status');
      const p = status.pools.find((x: Json) => x.id === pool);
      return p?.joined && p.links.length > 0;
    },
    `${device.name} linked`,
    60_000,
  );
}

/** The offer of `id` as `device` lists it (a file, or a folder when `folder`). */
export function offerOn(device: Device, pool: string, id: string, folder = false): Promise<Json> {
  return eventually(async () => {
    const answer = await device.api.ok('GET', `/v1/files?pool=${pool}`);
    return (folder ? answer.folders : answer.files).find((f: Json) => f.id === id);
  }, `${device.name} sees ${id}`);
}
