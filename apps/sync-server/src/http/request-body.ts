/**
 * Reads a request body as JSON under a size limit. The limit is checked against
 * `Content-Length` before reading and against the bytes actually received while reading, so
 * neither a lying header nor a chunked stream can make the server buffer more than the limit.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

/** The body parsed as JSON; `undefined` for an empty body. */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) {
    throw tooLarge(limitBytes);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limitBytes) throw tooLarge(limitBytes);
    chunks.push(chunk);
  }
  if (received === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (cause) {
    throw new HttpError('BAD_REQUEST', 'the body is not valid JSON', { cause });
  }
}

const tooLarge = (limitBytes: number) =>
  new HttpError('PAYLOAD_TOO_LARGE', `the body is larger than ${limitBytes} bytes`);
