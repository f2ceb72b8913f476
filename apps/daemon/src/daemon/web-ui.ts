/**
 * The built web UI (apps/web/dist, or POOLNET_WEB_DIR) served at `/` of the local API port, as
 * Syncthing does. Static files only and no token (the page gets the token from the URL
 * fragment the daemon prints); the API behind it still needs the token. A strict CSP keeps the
 * page to its own scripts, and the Host check refuses DNS-rebinding pages that would reach
 * 127.0.0.1 under a foreign name.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

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
  const headers = {
    'content-security-policy': contentSecurityPolicy(port),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, allow: 'GET, HEAD' });
    res.end();
    return;
  }
  const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  if (pathname === '/app-config.json') {
    const text = JSON.stringify({ mode: 'desktop' });
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES['.json'] as string,
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(text),
    });
    res.end(req.method === 'HEAD' ? undefined : text);
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
      res.writeHead(503, { ...headers, 'content-type': TYPES['.txt'] as string });
      res.end(text);
      return;
    }
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  // Hashed assets never change; index.html must be read again on each start.
  const cache = file.includes(`${sep}assets${sep}`)
    ? 'public, max-age=31536000, immutable'
    : 'no-cache';
  res.writeHead(200, {
    ...headers,
    'content-type': type,
    'content-length': info.size,
    'cache-control': cache,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(createReadStream(file), res);
}

function notFound(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(404, { ...headers, 'content-type': TYPES['.txt'] as string });
  res.end('not found\n');
}
