/**
 * The address a request counts against for rate limits. Behind a reverse proxy every request
 * comes from the proxy, so with `trustProxy` the last `X-Forwarded-For` entry (the one the
 * proxy itself appended) is used; earlier entries are client-controlled and never trusted.
 */
import type { IncomingMessage } from 'node:http';

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const value = Array.isArray(header) ? header.at(-1) : header;
    const last = value?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
