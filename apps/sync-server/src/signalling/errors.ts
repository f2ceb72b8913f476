/**
 * Typed errors of the signalling hub. Callers branch on `code`, never on `message`; `cause` is
 * always passed on. At the wire boundary each code becomes a ServerError with the ErrorCode of
 * `WIRE_CODE`, and, when the refusal ends the connection, a WebSocket close code of
 * 4000 + that ErrorCode number, so a client can tell why it was closed without parsing text.
 */
import {
  type MessageInitShape,
  type ProtocolErrorCode,
  type ServerErrorSchema,
  ProtocolError,
  serverErrorFrom,
  toWireErrorCode,
} from '@poolnet/protocol';

export type SignallingErrorCode =
  /** The first frame on a connection was not `auth` ([SIG4]). Closes. */
  | 'NOT_AUTHENTICATED'
  /** `authenticate` refused the access token ([SIG4]). Closes. */
  | 'BAD_TOKEN'
  /** No `auth` frame within `authTimeoutMs` ([SIG4]). Closes. */
  | 'AUTH_TIMEOUT'
  /** A second `auth` on an authenticated connection. */
  | 'ALREADY_AUTHENTICATED'
  /** The device registered no signing key, so it cannot be certified ([SIG5]). */
  | 'NO_SIGNING_KEY'
  /** The user is not a member of the pool it asked to join ([SIG5]). */
  | 'NOT_A_MEMBER'
  /** The join names a device other than the one the token is bound to ([SIG5]). */
  | 'WRONG_DEVICE'
  /** A second `join` on one connection: one connection carries one node ([SIG5]). */
  | 'ALREADY_JOINED'
  /** `signal`, `report`, `verifyReply`, `linkState` or `leave` before `join`. */
  | 'NOT_JOINED'
  /** A signal or report naming a node the topology does not link to the sender ([SIG1]). */
  | 'NOT_LINKED'
  /** The same device joined the same pool on a newer connection ([SIG6]). Closes. */
  | 'EVICTED'
  /** Nothing received for `heartbeatTimeoutMs` ([SIG8]). Closes. */
  | 'SILENT'
  /** `maxBadFrames` undecodable frames within `badFrameWindowMs` ([SIG11]). Closes. */
  | 'TOO_MANY_BAD_FRAMES'
  /** The node did not answer a `verify` within `verifyTimeoutMs` ([SIG9]). Closes. */
  | 'UNANSWERED_VERIFY'
  /** More than `falseReportsTolerated` false reports within the window ([SIG10]). Closes. */
  | 'FALSE_REPORTS'
  /**
   * The user left or was removed from the pool, the pool was deleted, or the device was
   * revoked: its connections end at once ([SIG15]). Closes.
   */
  | 'ACCESS_ENDED'
  /** The server is shutting down; the node should reconnect later. Closes (1001). */
  | 'SHUTTING_DOWN'
  /**
   * Cluster mode: the pool's owner changed, was lost or cannot be reached; join again (on
   * any instance). Closes with 1012 (service restart), which clients retry.
   */
  | 'POOL_MOVED'
  /** A limit in the hub's configuration is out of range. Thrown by the constructor. */
  | 'INVALID_CONFIG'
  /** An injected dependency failed or returned something unusable; see `cause`. */
  | 'INTERNAL';

/** The wire code each refusal is sent with. */
const WIRE_CODE: Readonly<Record<SignallingErrorCode, ProtocolErrorCode>> = {
  NOT_AUTHENTICATED: 'UNAUTHENTICATED',
  BAD_TOKEN: 'UNAUTHENTICATED',
  AUTH_TIMEOUT: 'UNAUTHENTICATED',
  ALREADY_AUTHENTICATED: 'CONFLICT',
  NOT_A_MEMBER: 'FORBIDDEN',
  NO_SIGNING_KEY: 'FORBIDDEN',
  WRONG_DEVICE: 'FORBIDDEN',
  ALREADY_JOINED: 'CONFLICT',
  NOT_JOINED: 'FORBIDDEN',
  NOT_LINKED: 'FORBIDDEN',
  EVICTED: 'CONFLICT',
  SILENT: 'EXPIRED',
  TOO_MANY_BAD_FRAMES: 'MALFORMED_FRAME',
  UNANSWERED_VERIFY: 'EXPIRED',
  FALSE_REPORTS: 'FORBIDDEN',
  ACCESS_ENDED: 'FORBIDDEN',
  SHUTTING_DOWN: 'INTERNAL',
  POOL_MOVED: 'INTERNAL',
  INVALID_CONFIG: 'INTERNAL',
  INTERNAL: 'INTERNAL',
};

/** Refusals after which the hub closes the connection instead of carrying on. */
const CLOSING: ReadonlySet<SignallingErrorCode> = new Set<SignallingErrorCode>([
  'NOT_AUTHENTICATED',
  'BAD_TOKEN',
  'AUTH_TIMEOUT',
  'EVICTED',
  'SILENT',
  'TOO_MANY_BAD_FRAMES',
  'UNANSWERED_VERIFY',
  'FALSE_REPORTS',
  'ACCESS_ENDED',
  'SHUTTING_DOWN',
  'POOL_MOVED',
]);

export class SignallingError extends Error {
  override readonly name = 'SignallingError';
  constructor(
    readonly code: SignallingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The ErrorCode name this refusal carries on the wire. */
  get wireCode(): ProtocolErrorCode {
    return WIRE_CODE[this.code];
  }

  /** Whether the hub ends the connection after sending this refusal. */
  get closes(): boolean {
    return CLOSING.has(this.code);
  }
}

export const isSignallingError = (
  err: unknown,
  code?: SignallingErrorCode,
): err is SignallingError =>
  err instanceof SignallingError && (code === undefined || err.code === code);

/** Normal closure: the node left on its own (`leave`). */
export const CLOSE_NORMAL = 1000;
/** The hub is shutting down. */
export const CLOSE_GOING_AWAY = 1001;

/** Cluster mode: the pool moved to another instance; the client should join again at once. */
export const CLOSE_SERVICE_RESTART = 1012;

/**
 * WebSocket close code for a closing refusal: 4000 + its wire ErrorCode number (1001 at
 * shutdown, 1012 when the pool moved).
 */
export const closeCodeOf = (err: SignallingError): number =>
  err.code === 'SHUTTING_DOWN'
    ? CLOSE_GOING_AWAY
    : err.code === 'POOL_MOVED'
      ? CLOSE_SERVICE_RESTART
      : 4000 + toWireErrorCode(err.wireCode);

/**
 * The ServerError for anything caught at the connection boundary. A SignallingError goes out
 * as its wire code with its own (short, internal-free) text; a ProtocolError as its code; any
 * other error as a bare INTERNAL, so causes (SQL, stacks) never reach the wire.
 */
export function serverErrorOf(
  err: unknown,
  seq: number,
): MessageInitShape<typeof ServerErrorSchema> {
  if (err instanceof SignallingError) {
    const text = `${err.code}: ${err.message}`;
    return {
      code: toWireErrorCode(err.wireCode),
      message: err.code === 'INTERNAL' ? 'INTERNAL' : text.slice(0, 300),
      seq,
    };
  }
  if (err instanceof ProtocolError) return serverErrorFrom(err, seq);
  return serverErrorFrom(undefined, seq);
}
