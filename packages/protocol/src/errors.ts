import { create } from '@bufbuild/protobuf';
import { ErrorCode } from './gen/poolnet/v1/errors_pb.js';
import { type ServerError, ServerErrorSchema } from './gen/poolnet/v1/signal_pb.js';
import { MAX_ERROR_MESSAGE_BYTES } from './limits.js';

/** The stable codes of ProtocolError; the same names as the wire enum ErrorCode. */
export type ProtocolErrorCode =
  | 'MALFORMED_FRAME'
  | 'FRAME_TOO_LARGE'
  | 'UNSUPPORTED_VERSION'
  | 'INVALID_FIELD'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'CONFLICT'
  | 'EXPIRED'
  | 'INTERNAL'
  | 'BAD_SIGNATURE';

export interface ProtocolErrorOptions {
  /** The offending field, as a path: `src.path`, `body.pool.cert.public_key`. */
  readonly field?: string;
  /** What is wrong with it, for logs. */
  readonly detail?: string;
  readonly cause?: unknown;
}

/**
 * The one error the protocol package throws. Decoding untrusted bytes throws nothing else
 * ([WIRE3]), so a caller can drop the frame (and maybe report the peer) on `code` alone.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  readonly field: string | undefined;

  constructor(code: ProtocolErrorCode, options: ProtocolErrorOptions = {}) {
    const where = options.field === undefined ? '' : ` at ${options.field}`;
    const what = options.detail === undefined ? '' : `: ${options.detail}`;
    super(`${code}${where}${what}`, { cause: options.cause });
    this.code = code;
    this.field = options.field;
  }
}

export const isProtocolError = (err: unknown, code?: ProtocolErrorCode): err is ProtocolError =>
  err instanceof ProtocolError && (code === undefined || err.code === code);

const toWire: Readonly<Record<ProtocolErrorCode, ErrorCode>> = {
  MALFORMED_FRAME: ErrorCode.MALFORMED_FRAME,
  FRAME_TOO_LARGE: ErrorCode.FRAME_TOO_LARGE,
  UNSUPPORTED_VERSION: ErrorCode.UNSUPPORTED_VERSION,
  INVALID_FIELD: ErrorCode.INVALID_FIELD,
  UNAUTHENTICATED: ErrorCode.UNAUTHENTICATED,
  FORBIDDEN: ErrorCode.FORBIDDEN,
  NOT_FOUND: ErrorCode.NOT_FOUND,
  RATE_LIMITED: ErrorCode.RATE_LIMITED,
  CONFLICT: ErrorCode.CONFLICT,
  EXPIRED: ErrorCode.EXPIRED,
  INTERNAL: ErrorCode.INTERNAL,
  BAD_SIGNATURE: ErrorCode.BAD_SIGNATURE,
};

const fromWire = new Map<number, ProtocolErrorCode>(
  (Object.entries(toWire) as [ProtocolErrorCode, ErrorCode][]).map(([code, wire]) => [wire, code]),
);

/** [WIRE24] ProtocolError code -> wire enum. */
export const toWireErrorCode = (code: ProtocolErrorCode): ErrorCode => toWire[code];

/** [WIRE24] Wire enum -> code. UNSPECIFIED and numbers from a newer peer become INTERNAL. */
export const fromWireErrorCode = (code: ErrorCode | number): ProtocolErrorCode =>
  fromWire.get(code) ?? 'INTERNAL';

/**
 * The ServerError to send for any error caught at the server boundary. Only a
 * ProtocolError's own text goes out; any other error becomes a bare INTERNAL, so internals
 * (paths, SQL, stack details) never reach the wire.
 */
export function serverErrorFrom(err: unknown, seq: number): ServerError {
  if (!(err instanceof ProtocolError)) {
    return create(ServerErrorSchema, { code: ErrorCode.INTERNAL, message: 'INTERNAL', seq });
  }
  const message = err.message.length > MAX_ERROR_MESSAGE_BYTES / 3 ? err.code : err.message;
  return create(ServerErrorSchema, { code: toWireErrorCode(err.code), message, seq });
}

/** The ProtocolError a node raises for a ServerError it received. */
export const protocolErrorFromServer = (err: ServerError): ProtocolError =>
  new ProtocolError(fromWireErrorCode(err.code), { detail: `server: ${err.message}` });
