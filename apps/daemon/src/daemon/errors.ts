/**
 * Typed errors of the daemon. The local API turns each into a JSON error with an HTTP status;
 * callers branch on `code`, never on `message`.
 */
export type DaemonErrorCode =
  /** A request body or query that does not fit the API. */
  | 'BAD_REQUEST'
  /** No or a wrong local API token. */
  | 'UNAUTHENTICATED'
  /** The operation needs an account on this device first (register, link or login). */
  | 'NOT_SIGNED_IN'
  /** This device already has an account. */
  | 'ALREADY_REGISTERED'
  /** No pool by that id or name (or the name is ambiguous). */
  | 'UNKNOWN_POOL'
  /** The pool exists but this device is not placed in it yet. */
  | 'NOT_JOINED'
  /** The sync server cannot be reached. */
  | 'SERVER_UNREACHABLE'
  /** The sync server refused; `serverCode` carries its code. */
  | 'SERVER_REFUSED'
  /** A file in the data directory is unreadable or damaged. */
  | 'DATA_DIR'
  /** Another daemon already runs on this data directory. */
  | 'ALREADY_RUNNING'
  | 'NOT_FOUND'
  /** A folder id where a file id is wanted: a folder downloads with a mode (all, missing). */
  | 'IS_FOLDER'
  /** The download was cancelled (by the user, or its image offer was withdrawn). */
  | 'CANCELLED'
  /** A download could not complete (a bad file from the pool, a write that failed). */
  | 'DOWNLOAD_FAILED'
  /** An upload larger than the local API accepts. */
  | 'TOO_LARGE'
  /** Something this device or its server cannot do (no file manager, no such server route). */
  | 'UNSUPPORTED'
  | 'INTERNAL';

const STATUS: Readonly<Record<DaemonErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  NOT_SIGNED_IN: 409,
  ALREADY_REGISTERED: 409,
  UNKNOWN_POOL: 404,
  NOT_JOINED: 409,
  SERVER_UNREACHABLE: 502,
  SERVER_REFUSED: 502,
  DATA_DIR: 500,
  ALREADY_RUNNING: 409,
  NOT_FOUND: 404,
  IS_FOLDER: 400,
  CANCELLED: 409,
  DOWNLOAD_FAILED: 502,
  TOO_LARGE: 413,
  UNSUPPORTED: 501,
  INTERNAL: 500,
};

export class DaemonError extends Error {
  override readonly name = 'DaemonError';
  constructor(
    readonly code: DaemonErrorCode,
    message: string,
    options?: { cause?: unknown; serverCode?: string; serverStatus?: number },
  ) {
    super(message, options);
    this.serverCode = options?.serverCode;
    this.serverStatus = options?.serverStatus;
  }
  readonly serverCode: string | undefined;
  readonly serverStatus: number | undefined;

  get status(): number {
    return STATUS[this.code];
  }
}

export const isDaemonError = (err: unknown, code?: DaemonErrorCode): err is DaemonError =>
  err instanceof DaemonError && (code === undefined || err.code === code);
