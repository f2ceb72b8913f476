/**
 * The shape of an HTTP route. The edge owns parsing, limits and errors; a route is only a
 * function from a parsed request to a JSON response, so the auth and pool APIs (built
 * elsewhere) plug in as `Route`s without touching node:http.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RateClass } from './rate-limiter.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteRequest {
  readonly method: HttpMethod;
  /** The path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The address rate limits count against (see `clientAddress`). */
  readonly remoteAddress: string;
  /** The token of an `Authorization: Bearer` header, if any. */
  readonly bearerToken: string | undefined;
  /** The JSON body, already size-limited and parsed; `undefined` when empty. */
  readonly body: unknown;
}

export interface RouteResponse {
  readonly status: number;
  /** Sent as JSON. */
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Route {
  readonly method: HttpMethod;
  /** An exact path, e.g. `/v1/auth/register/begin`. */
  readonly path: string;
  /**
   * The rate-limit bucket this route takes a token from, per client address. Routes that
   * create accounts, sessions or devices must name one.
   */
  readonly rateClass?: RateClass;
  /** Throw an `HttpError` to refuse; anything else thrown becomes INTERNAL. */
  handle(request: RouteRequest): Promise<RouteResponse>;
}
