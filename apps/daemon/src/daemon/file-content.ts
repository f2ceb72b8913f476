/**
 * The bytes of a file this device holds, for the UI (full image view, save, copy image), with
 * single-range support so a video or a big file can be read in parts.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { DaemonError } from './errors.js';

export interface HeldContent {
  readonly path: string;
  readonly size: number;
  readonly name: string;
  readonly mime: string;
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` within `size`; undefined for the whole file. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) {
    throw new DaemonError('BAD_REQUEST', 'only one byte range (bytes=a-b) is supported');
  }
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return { start: -1, end: -1 };
  return { start, end };
}

export async function sendContent(
  req: IncomingMessage,
  res: ServerResponse,
  content: HeldContent,
): Promise<void> {
  const range = parseRange(req.headers.range, content.size);
  const headers: Record<string, string | number> = {
    'content-type': content.mime || 'application/octet-stream',
    'accept-ranges': 'bytes',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(content.name)}`,
  };
  if (range && range.start < 0) {
    res.writeHead(416, { 'content-range': `bytes */${content.size}` });
    res.end();
    return;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? content.size - 1;
  headers['content-length'] = Math.max(0, end - start + 1);
  if (range) headers['content-range'] = `bytes ${start}-${end}/${content.size}`;
  res.writeHead(range ? 206 : 200, headers);
  if (content.size === 0) {
    res.end();
    return;
  }
  await pipeline(createReadStream(content.path, { start, end }), res);
}
