/**
 * The daemon's local API (API.md): JSON over HTTP and an event WebSocket, on 127.0.0.1 only,
 * behind a bearer token kept in a 0600 file of the data directory. Every failure is a JSON
 * error with a stable code; nothing internal reaches the client. Outside /v1/ the same port
 * serves the web UI's static files (web-ui.ts), without the token.
 */
import { timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { Daemon, DaemonEvent } from './daemon.js';
import { DaemonError } from './errors.js';
import { sendContent } from './file-content.js';
import { revealPath } from './reveal.js';
import { defaultWebDir, hostAllowed, serveWebUi } from './web-ui.js';

const BODY_LIMIT = 256 * 1024;
const AUTH_TIMEOUT_MS = 5000;

type Handler = (body: Record<string, unknown>, query: URLSearchParams) => Promise<unknown>;

function routes(daemon: Daemon): Map<string, Handler> {
  return new Map<string, Handler>([
    ['GET /v1/status', async () => daemon.status()],
    ['POST /v1/account/register', (b) => daemon.register(b.name, b.device)],
    ['POST /v1/account/login', () => daemon.login()],
    ['POST /v1/account/logout', () => daemon.logout()],
    ['GET /v1/devices', () => daemon.devices()],
    ['POST /v1/devices/code', () => daemon.deviceCode()],
    ['POST /v1/devices/link', (b) => daemon.link(b.code, b.name)],
    ['POST /v1/devices/rename', (b) => daemon.renameDevice(b.deviceId, b.name)],
    ['POST /v1/devices/revoke', (b) => daemon.revokeDevice(b.deviceId)],
    ['GET /v1/pools', () => daemon.pools()],
    ['POST /v1/pools/create', (b) => daemon.createPool(b.name)],
    ['POST /v1/pools/invite', (b) => daemon.invite(b.pool, b.expiresSeconds, b.uses)],
    ['POST /v1/pools/join', (b) => daemon.join(b.link)],
    ['POST /v1/pools/leave', (b) => daemon.leave(b.pool)],
    ['POST /v1/pools/rename', (b) => daemon.renamePool(b.pool, b.name)],
    ['POST /v1/pools/settings', (b) => daemon.poolSettings(b.pool, b.maxTextBytes, b.maxFileBytes)],
    ['POST /v1/pools/remove-member', (b) => daemon.removeMember(b.pool, b.userId)],
    ['GET /v1/invites', (_b, q) => daemon.invites(q.get('pool') ?? undefined)],
    ['POST /v1/invites/revoke', (b) => daemon.revokeInvite(b.pool, b.inviteId)],
    ['GET /v1/settings', async () => daemon.settings()],
    ['POST /v1/settings', (b) => daemon.updateSettings(b)],
    ['POST /v1/files/reveal', (b) => revealPath(b.path)],
    ['GET /v1/pools/members', (_b, q) => daemon.members(q.get('pool') ?? undefined)],
    ['POST /v1/messages/send', (b) => daemon.send(b.pool, b.text)],
    ['POST /v1/files/share', (b) => daemon.share(b.pool, b.path, b.folder)],
    ['GET /v1/files', async (_b, q) => daemon.listFiles(q.get('pool') ?? undefined)],
    [
      'GET /v1/files/folder',
      async (_b, q) => daemon.folderFiles(q.get('pool') ?? undefined, q.get('folder') ?? undefined),
    ],
    ['POST /v1/files/download', (b) => daemon.download(b.pool, b.file, b.to)],
    [
      'POST /v1/files/download-folder',
      (b) => daemon.downloadFolder(b.pool, b.folder, b.mode, b.to),
    ],
    ['POST /v1/files/cancel', (b) => daemon.cancelDownload(b.pool, b.file)],
    ['POST /v1/files/retract', (b) => daemon.retract(b.pool, b.file)],
    ['GET /v1/files/stats', async (_b, q) => daemon.fileStats(q.get('pool') ?? undefined)],
    [
      'GET /v1/downloads',
      async (_b, q) => daemon.downloads(q.get('pool') ?? undefined, q.get('limit') ?? undefined),
    ],
    [
      'GET /v1/messages',
      (_b, q) =>
        daemon.messages(q.get('pool') ?? undefined, {
          ...(q.has('before') ? { before: q.get('before') as string } : {}),
          ...(q.has('after') ? { after: q.get('after') as string } : {}),
          ...(q.has('limit') ? { limit: q.get('limit') as string } : {}),
        }),
    ],
  ]);
}

export interface LocalApi {
  readonly port: number;
  close(): Promise<void>;
}

export interface LocalApiOptions {
  /** The built web UI (default apps/web/dist or POOLNET_WEB_DIR). */
  readonly webDir?: string;
}

export async function startLocalApi(
  daemon: Daemon,
  token: string,
  log: (line: string) => void,
  options: LocalApiOptions = {},
): Promise<LocalApi> {
  const webDir = options.webDir ?? defaultWebDir();
  let port = 0;
  const table = routes(daemon);
  const tokenBytes = Buffer.from(token);
  const tokenOk = (candidate: string | undefined): boolean => {
    if (candidate === undefined) return false;
    const given = Buffer.from(candidate);
    return given.length === tokenBytes.length && timingSafeEqual(given, tokenBytes);
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      log(`local API: ${String(err)}`);
      if (!res.headersSent) sendError(res, new DaemonError('INTERNAL', 'internal error'));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      // Another name for 127.0.0.1 is a page that rebound its DNS to reach this port.
      if (!hostAllowed(req.headers.host, port)) {
        throw new DaemonError('BAD_REQUEST', 'this port answers to 127.0.0.1 and localhost only');
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (!url.pathname.startsWith('/v1/')) {
        await serveWebUi(req, res, webDir, port);
        return;
      }
      const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!tokenOk(bearer))
        throw new DaemonError('UNAUTHENTICATED', 'a valid local API token is required');
      const route = `${req.method ?? ''} ${url.pathname}`;
      // Raw bodies and answers: a file streamed in, a file's bytes streamed out.
      if (route === 'POST /v1/files/upload') {
        const q = url.searchParams;
        const result = await daemon.upload(
          q.get('pool') ?? undefined,
          q.get('name') ?? undefined,
          req,
        );
        return sendJson(res, result);
      }
      if (route === 'GET /v1/files/content') {
        const q = url.searchParams;
        const content = await daemon.content(
          q.get('pool') ?? undefined,
          q.get('file') ?? undefined,
        );
        await sendContent(req, res, content);
        return;
      }
      const handler = table.get(route);
      if (!handler)
        throw new DaemonError('NOT_FOUND', `no route ${req.method ?? ''} ${url.pathname}`);
      const body = req.method === 'POST' ? await readBody(req) : {};
      sendJson(res, await handler(body, url.searchParams));
    } catch (err) {
      if (!(err instanceof DaemonError)) log(`local API internal error: ${String(err)}`);
      if (res.headersSent) res.destroy();
      else sendError(res, err);
    }
  }

  // Events: the token comes in the first frame, never in the URL.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (req, socket, head) => {
    if (
      new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/v1/events' ||
      !hostAllowed(req.headers.host, port)
    ) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => events(ws));
  });

  function events(ws: WebSocket): void {
    let off: (() => void) | undefined;
    const timer = setTimeout(() => ws.close(4001, 'UNAUTHENTICATED'), AUTH_TIMEOUT_MS);
    ws.once('message', (data: Buffer) => {
      clearTimeout(timer);
      let candidate: string | undefined;
      try {
        const parsed = JSON.parse(data.toString()) as { token?: unknown };
        candidate = typeof parsed.token === 'string' ? parsed.token : undefined;
      } catch {
        candidate = undefined;
      }
      if (!tokenOk(candidate)) {
        ws.close(4001, 'UNAUTHENTICATED');
        return;
      }
      ws.send(JSON.stringify({ type: 'ready' }));
      off = daemon.onEvent((event: DaemonEvent) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(event));
      });
    });
    ws.on('close', () => {
      clearTimeout(timer);
      off?.();
    });
    ws.on('error', () => undefined);
  }

  // A download request lasts as long as the download.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function sendJson(res: ServerResponse, result: unknown): void {
  const text = JSON.stringify(result);
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new DaemonError('BAD_REQUEST', 'the body is too large');
    chunks.push(chunk);
  }
  if (size === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new DaemonError('BAD_REQUEST', 'the body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DaemonError('BAD_REQUEST', 'the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function sendError(res: ServerResponse, err: unknown): void {
  const error =
    err instanceof DaemonError
      ? err
      : new DaemonError('INTERNAL', 'internal error', { cause: err });
  const body: { code: string; message: string; serverCode?: string } = {
    code: error.code === 'SERVER_REFUSED' && error.serverCode ? error.serverCode : error.code,
    message: error.message,
  };
  if (error.code === 'SERVER_REFUSED' && error.serverCode) body.serverCode = error.serverCode;
  const text = JSON.stringify({ error: body });
  // A refusal by the sync server keeps its status when it is the caller's fault (4xx).
  const passed = error.serverStatus;
  const status =
    error.code === 'SERVER_REFUSED' && passed !== undefined && passed >= 400 && passed < 500
      ? passed
      : error.status;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
