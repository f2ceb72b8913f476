/**
 * The built web UI (apps/web/dist, or POOLNET_WEB_DIR) served at `/` of the local API port, as
 * Syncthing does. Static files only and no token (the page gets the token from the URL
 * fragment the daemon prints); the API behind it still needs the token. A strict CSP keeps the
 * page to its own scripts, and the Host check refuses DNS-rebinding pages that would reach
 * 127.0.0.1 under a foreign name.
 */
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  JSON_TYPE,
  TEXT_TYPE,
  pageHeaders,
  sendStaticFile,
  sendText,
} from '@poolnet/sync-server/static-files';

/** apps/web/dist, next to this app in the monorepo. */
export function defaultWebDir(): string {
  return (
    process.env.POOLNET_WEB_DIR ?? fileURLToPath(new URL('../../../web/dist', import.meta.url))
  );
}

/** True for the names this server answers to: 127.0.0.1:PORT and localhost:PORT. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Serves GET/HEAD of a static file, or index.html for an app route (SPA fallback). */
export async function serveWebUi(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  port: number,
): Promise<void> {
  const headers = pageHeaders(contentSecurityPolicy(port));
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, allow: 'GET, HEAD' });
    res.end();
    return;
  }
  const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  if (pathname === '/app-config.json') {
    const text = JSON.stringify({ mode: 'desktop' });
    sendText(
      req,
      res,
      200,
      { ...headers, 'content-type': JSON_TYPE, 'cache-control': 'no-store' },
      text,
    );
    return;
  }
  const base = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    decoded = '/';
  }
  const candidate = normalize(join(base, decoded));
  const inside = candidate === base || candidate.startsWith(base + sep);
  let file = inside ? candidate : join(base, 'index.html');
  let info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    // An app route (/pools/…, /join): the page's router takes it from index.html. A missing
    // asset stays a 404 so a broken build is visible.
    if (extname(decoded) !== '' && decoded !== '/') return notFound(res, headers);
    file = join(base, 'index.html');
    info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      const text = 'The web UI is not built: run `npm run build:web`.\n';
      res.writeHead(503, { ...headers, 'content-type': TEXT_TYPE });
      res.end(text);
      return;
    }
  }
  await sendStaticFile(req, res, file, info.size, headers);
}

function notFound(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(404, { ...headers, 'content-type': TEXT_TYPE });
  res.end('not found\n');
}
