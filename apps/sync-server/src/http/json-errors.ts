/**
 * Every HTTP error leaves as the same JSON shape, `{ "error": { "code", "message" } }`, so a
 * client needs one error path. Anything that is not an `HttpError` becomes a bare INTERNAL:
 * no stack, SQL or driver text ever reaches the wire; the caller logs the cause instead.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpError } from './errors.js';

/** The body of every error response. */
export interface JsonErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** The `HttpError` to send for anything caught at the edge. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  return new HttpError('INTERNAL', 'internal error', { cause: err });
}

/** The JSON body for `err`; INTERNAL always carries the fixed text `internal error`. */
export function jsonErrorBody(err: HttpError): JsonErrorBody {
  const message = err.code === 'INTERNAL' ? 'internal error' : err.message.slice(0, 300);
  return { error: { code: err.code, message } };
}

/**
 * Write `err` as a JSON error response. If the headers are already out (a response that
 * failed half-way) the only honest thing left is to cut the connection.
 */
export function sendJsonError(res: ServerResponse, err: unknown): void {
  const error = toHttpError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  if (error.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  }
  const body = JSON.stringify(jsonErrorBody(error));
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(error.status, headers);
  res.end(body);
}

/**
 * Refuse a WebSocket upgrade with a JSON error. Before the upgrade there is no
 * `ServerResponse`, only the raw socket, so the HTTP response is written by hand and the
 * socket closed after it.
 */
export function refuseUpgrade(socket: Duplex, err: unknown): void {
  const error = toHttpError(err);
  const body = JSON.stringify(jsonErrorBody(error));
  const lines = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  if (error.retryAfterSeconds !== undefined) {
    lines.push(`Retry-After: ${Math.max(1, Math.ceil(error.retryAfterSeconds))}`);
  }
  socket.on('error', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
