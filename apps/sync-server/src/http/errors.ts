/**
 * Typed errors of the HTTP edge. Callers and the JSON error writer branch on `code`, never on
 * `message`; `cause` is always passed on (STYLE 15). Each `HttpErrorCode` is part of the public
 * API: clients switch on it, so codes are only ever added, never renamed.
 */

/** The stable codes of an HTTP error body `{ "error": { "code", "message" } }`. */
export type HttpErrorCode =
  /** The request is malformed: bad JSON, a missing field, a bad header. */
  | 'BAD_REQUEST'
  /** No route for this method and path. */
  | 'NOT_FOUND'
  /** The body is larger than the configured limit. */
  | 'PAYLOAD_TOO_LARGE'
  /** Too many requests of this kind from this address; see `Retry-After`. */
  | 'RATE_LIMITED'
  /** No bearer token, or one `authenticate` refused. */
  | 'UNAUTHENTICATED'
  /** Authenticated, but not allowed to do this. */
  | 'FORBIDDEN'
  /** Anything unexpected. The cause is logged, never sent. */
  | 'INTERNAL';

/** The HTTP status each code is sent with. */
export const HTTP_STATUS: Readonly<Record<HttpErrorCode, number>> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  INTERNAL: 500,
};

/**
 * A refusal a route (or the edge itself) means to send. Its `message` reaches the client, so
 * it must be short and free of internals; put those in `cause`.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    options?: {
      cause?: unknown;
      /** Seconds until a retry can succeed; sent as `Retry-After` (RATE_LIMITED). */
      retryAfterSeconds?: number;
    },
  ) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  readonly retryAfterSeconds: number | undefined;

  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

export const isHttpError = (err: unknown, code?: HttpErrorCode): err is HttpError =>
  err instanceof HttpError && (code === undefined || err.code === code);

/** One field of the server configuration that did not parse, with a dotted path. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * The server configuration is unusable. It lists every bad field at once (not just the first),
 * so an operator fixes the config file in one go instead of one restart per mistake.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG';
  constructor(
    readonly issues: readonly ConfigIssue[],
    options?: { cause?: unknown },
  ) {
    super(
      `invalid server configuration: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
      options,
    );
  }
}

/** Why the WebSocket gateway refused to hand a frame to a socket. */
export type GatewayErrorCode =
  /** The socket is closing or closed; the frame was dropped. */
  | 'SOCKET_CLOSED'
  /** The client reads too slowly: more than the bound is queued, so the socket was closed. */
  | 'SLOW_CONSUMER';

/**
 * Thrown by the gateway's `Connection.send`. The hub treats a throwing send as a dead
 * connection ([SIG12]) and removes the node, which is exactly what both cases need.
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
