/**
 * Files the web UI hands to the daemon (picked, pasted or dropped in the page): the raw request
 * body is streamed to `DIR/uploads/<random>/<name>` (never held in memory) and then shared from
 * there like any file. The name comes from the page, so it is reduced to one safe segment.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DaemonError } from './errors.js';

/** The largest upload: the default pool file limit (4 GiB). */
export const UPLOAD_LIMIT = 2 ** 32;
const NAME_BYTES = 200;

/** One path segment: no separators, no control characters, no leading dots, not empty. */
export function safeFileName(raw: string): string {
  let name = raw.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim();
  name = name.replace(/^\.+/, '');
  while (Buffer.byteLength(name) > NAME_BYTES) name = name.slice(0, -1);
  return name === '' ? 'file' : name;
}

/** Streams `req` to a new file under `root`; its path once complete. */
export async function receiveUpload(
  req: IncomingMessage,
  root: string,
  rawName: string,
  limit = UPLOAD_LIMIT,
): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new DaemonError('TOO_LARGE', `the file is larger than ${limit} bytes`);
  }
  const dir = join(root, randomBytes(8).toString('hex'));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, safeFileName(rawName));
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > limit)
        done(new DaemonError('TOO_LARGE', `the file is larger than ${limit} bytes`));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(req, counter, createWriteStream(path, { mode: 0o600 }));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    if (err instanceof DaemonError) throw err;
    throw new DaemonError('BAD_REQUEST', 'the upload did not complete', { cause: err });
  }
  return path;
}
