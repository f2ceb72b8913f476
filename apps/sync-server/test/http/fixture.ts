/**
 * Test bench for the HTTP edge: the real server on 127.0.0.1 with ephemeral ports, a SQLite
 * store in a fresh temp dir, fake identity (token → user/device) and membership, and a real
 * `ws` client that speaks ClientFrame/ServerFrame.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ClientFrameSchema,
  type MessageInitShape,
  type ServerFrame,
  PROTOCOL_VERSION,
  asNodeId,
  asUserId,
  decodeServerFrame,
  encodeClientFrame,
} from '@poolnet/protocol';
import { nobleCrypto } from '@poolnet/engine';
import { WebSocket } from 'ws';
import {
  type Route,
  type ServerConfigInput,
  type SyncServer,
  type SyncServerDeps,
  parseServerConfig,
  startSyncServer,
} from '../../src/http/index.js';
import type { Identity } from '../../src/signalling/index.js';

/** A POST route for tests of the edge itself: echoes its JSON body, rate class `register`. */
export const echoRoute: Route = {
  method: 'POST',
  path: '/v1/test/echo',
  rateClass: 'register',
  handle: async (request) => ({ status: 200, body: { echo: request.body } }),
};

/** A route that fails like a broken database would. */
export const brokenRoute: Route = {
  method: 'GET',
  path: '/v1/test/broken',
  handle: async () => {
    throw new Error('SQLITE_CORRUPT: secret internals at /srv/data');
  },
};

export interface TestServer {
  readonly server: SyncServer;
  readonly dataDir: string;
  /** Access token → identity; tokens are `tok-<device>`. */
  readonly tokens: Map<string, Identity>;
  /** `${user}/${pool}` pairs that are members. */
  readonly members: Set<string>;
  /** Each device's key pair (the key the authority certifies). */
  readonly deviceKeys: Map<string, Uint8Array>;
  readonly internalErrors: unknown[];
  /** A device of `user` with a token, member of `pools`; returns its token. */
  device(device: string, user: string, pools?: readonly string[]): string;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    config?: Partial<ServerConfigInput>;
    deps?: Partial<SyncServerDeps>;
    dataDir?: string;
  } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'poolnet-http-')));
  const config = parseServerConfig({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    stun: { port: 0, host: '127.0.0.1' },
    rp: { id: 'localhost', name: 'Poolnet test', origins: ['http://localhost:5173'] },
    ...options.config,
  });
  const tokens = new Map<string, Identity>();
  const members = new Set<string>();
  const deviceKeys = new Map<string, Uint8Array>();
  const internalErrors: unknown[] = [];
  const server = await startSyncServer(config, {
    authenticate: async (token) => tokens.get(token),
    isMember: async (userId, poolId) => members.has(`${userId}/${poolId}`),
    devicePublicKey: async ({ nodeId }) => {
      const key = deviceKeys.get(nodeId);
      if (key === undefined) throw new Error(`no key for ${nodeId}`);
      return key;
    },
    routes: () => [echoRoute, brokenRoute],
    onInternalError: (error) => internalErrors.push(error),
    ...options.deps,
  });
  return {
    server,
    dataDir,
    tokens,
    members,
    deviceKeys,
    internalErrors,
    device(device, user, pools = []) {
      const token = `tok-${device}`;
      tokens.set(token, { userId: asUserId(user), deviceId: asNodeId(device) });
      deviceKeys.set(device, nobleCrypto.generateKeyPair().publicKey);
      for (const pool of pools) members.add(`${user}/${pool}`);
      return token;
    },
    async close() {
      await server.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

type ClientBody = MessageInitShape<typeof ClientFrameSchema>['body'];
type FrameCase = NonNullable<ServerFrame['body']['case']>;
type FrameOf<C extends FrameCase> = ServerFrame & { body: { case: C } };

/** A real WebSocket client of /v1/signal that decodes every frame it receives. */
export class SignalClient {
  readonly frames: ServerFrame[] = [];
  /** Frames before this index have been taken by `next`. */
  private cursor = 0;
  private seq = 0;
  private wake: (() => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.frames.push(decodeServerFrame(new Uint8Array(data)));
      this.wake?.();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake?.();
      });
    });
    ws.on('error', () => undefined);
  }

  static open(url: string): Promise<SignalClient> {
    const ws = new WebSocket(url);
    const client = new SignalClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Send one ClientFrame; returns its seq. */
  send(body: ClientBody): number {
    const seq = ++this.seq;
    this.ws.send(encodeClientFrame({ version: PROTOCOL_VERSION, seq, body }));
    return seq;
  }

  /** The next frame of `kind` (skipping others), waiting up to `timeoutMs`. */
  async next<C extends FrameCase>(
    kind: C,
    match: (frame: FrameOf<C>) => boolean = () => true,
    timeoutMs = 3000,
  ): Promise<FrameOf<C>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = this.cursor; i < this.frames.length; i++) {
        const frame = this.frames[i] as ServerFrame;
        if (frame.body.case === kind && match(frame as FrameOf<C>)) {
          this.cursor = i + 1;
          return frame as FrameOf<C>;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`no ${kind} frame; got ${this.frames.map((f) => f.body.case).join(',')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Authenticate and join `pool` as `device`; resolves with the `joined` frame. */
  async join(token: string, device: string, pool: string) {
    this.send({ case: 'auth', value: { accessToken: token } });
    await this.next('authenticated');
    this.send({
      case: 'join',
      value: { poolId: pool, device: { deviceId: device, name: device } },
    });
    return this.next('joined');
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}

/** GET `path` and parse the JSON body. */
export async function getJson(base: string, path: string, init?: RequestInit) {
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}
