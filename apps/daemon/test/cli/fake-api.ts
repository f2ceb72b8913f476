/**
 * A stand-in for the daemon's local API (apps/daemon/API.md) on 127.0.0.1: it answers the
 * routes a test sets, records every request, and serves `/v1/events` with the first-frame
 * token check. It writes `daemon.json` and `api-token` into a temp data directory the way
 * the daemon does, so the CLI finds it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly authorization: string | undefined;
}

export interface Reply {
  readonly status?: number;
  readonly body: unknown;
}

type Handler = Reply | ((request: RecordedRequest) => Reply);

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

export class FakeApi {
  readonly token = 'fake-api-token-0123456789';
  readonly requests: RecordedRequest[] = [];
  /** Event sockets that sent the right token. */
  readonly sockets: WebSocket[] = [];
  /** First frames received on `/v1/events`. */
  readonly firstFrames: unknown[] = [];
  private readonly routes = new Map<string, Handler>();
  private readonly socketWaiters: Array<() => void> = [];
  private readonly requestWaiters: Array<() => void> = [];

  private constructor(
    readonly dataDir: string,
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeApi> {
    const dataDir = await mkdtemp(join(tmpdir(), 'poolnet-cli-'));
    const wss = new WebSocketServer({ noServer: true });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const api = new FakeApi(dataDir, server, wss, port);
    server.on('request', (req, res) => {
      void api.handle(req).then(({ status = 200, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    server.on('upgrade', (req, socket, head) => {
      if (req.url !== '/v1/events') return socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => api.accept(ws));
    });
    await writeFile(
      join(dataDir, 'daemon.json'),
      JSON.stringify({ port, pid: process.pid, startedAt: Date.now() }),
    );
    await writeFile(join(dataDir, 'api-token'), `${api.token}\n`);
    return api;
  }

  /** Answers `METHOD /path` (no query) with `handler`; unset routes get 404 NOT_FOUND. */
  on(route: string, handler: Handler): this {
    this.routes.set(route, handler);
    return this;
  }

  /** The requests to `METHOD /path`. */
  calls(route: string): RecordedRequest[] {
    return this.requests.filter((r) => `${r.method} ${r.path}` === route);
  }

  /** Sends `event` to every authenticated event socket. */
  emit(event: unknown): void {
    for (const socket of this.sockets) socket.send(JSON.stringify(event));
  }

  async waitForSocket(): Promise<void> {
    if (this.sockets.length > 0) return;
    await new Promise<void>((resolve) => this.socketWaiters.push(resolve));
  }

  async waitForRequests(route: string, count: number): Promise<RecordedRequest[]> {
    while (this.calls(route).length < count) {
      await new Promise<void>((resolve) => this.requestWaiters.push(resolve));
    }
    return this.calls(route);
  }

  async close(): Promise<void> {
    for (const socket of this.wss.clients) socket.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private async handle(req: IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: await readBody(req),
      authorization: req.headers.authorization,
    };
    this.requests.push(request);
    for (const wake of this.requestWaiters.splice(0)) wake();
    if (request.authorization !== `Bearer ${this.token}`) {
      return { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'bad token' } } };
    }
    const handler = this.routes.get(`${request.method} ${request.path}`);
    if (handler === undefined) {
      return { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no such route' } } };
    }
    return typeof handler === 'function' ? handler(request) : handler;
  }

  private accept(ws: WebSocket): void {
    ws.once('message', (data) => {
      const frame: unknown = JSON.parse(String(data));
      this.firstFrames.push(frame);
      if ((frame as { token?: unknown }).token !== this.token) return ws.close(4401);
      this.sockets.push(ws);
      for (const wake of this.socketWaiters.splice(0)) wake();
    });
  }
}
