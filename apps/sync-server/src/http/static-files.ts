/**
 * Serving the built web UI's files, shared by the sync server (the browser node's page at `/`)
 * and the daemon (the desktop app on its local port): content types, the headers every page
 * gets, and sending one file with its cache policy. Each server resolves paths and writes its
 * own CSP. Small on purpose: the daemon imports it (`@poolnet/sync-server/static-files`)
 * without loading the rest of the server.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

export const STATIC_TYPES: Readonly<Record<string, string>> = {
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
  '.webmanifest': 'application/manifest+json',
};

export const JSON_TYPE = STATIC_TYPES['.json'] as string;
export const TEXT_TYPE = STATIC_TYPES['.txt'] as string;

/** The headers of every answer about the page, with its content security policy. */
export function pageHeaders(csp: string): Record<string, string> {
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

/** A short answer (JSON or text), with no body for HEAD. */
export function sendText(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  text: string,
): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(text) });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** Sends one file found by the caller (its size from `stat`), with no body for HEAD. */
export async function sendStaticFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  size: number,
  headers: Record<string, string>,
): Promise<void> {
  // Hashed assets never change; index.html is read again on each visit.
  const cache = file.includes(`${sep}assets${sep}`)
    ? 'public, max-age=31536000, immutable'
    : 'no-cache';
  res.writeHead(200, {
    ...headers,
    'content-type': STATIC_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': cache,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    await pipeline(createReadStream(file), res);
  } catch {
    // The client went away or the file vanished mid-way: headers are out, just cut it.
    res.destroy();
  }
}
