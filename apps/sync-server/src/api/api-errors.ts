/**
 * Turns auth and store refusals into JSON error responses. The edge's `HttpError` codes cover
 * 400/401/403/404/429/500; the API also needs CONFLICT (409) and GONE (410), which the edge
 * has no code for, so those leave as a plain `RouteResponse` of the same shape. Every error
 * body is `{ "error": { "code", "message", "reason"? } }`: `code` is the HTTP-level code,
 * `reason` the domain code (`INVALID_CODE`, `EXHAUSTED`, …) a client may branch on.
 */
import { AuthError, type AuthErrorCode } from '../auth/errors.js';
import { HttpError, type HttpErrorCode } from '../http/errors.js';
import type { RouteResponse } from '../http/route.js';
import { StoreError, type StoreErrorCode } from '../store/errors.js';

/** The HTTP-level codes of the API: the edge's, plus the two it has no code for. */
export type ApiErrorCode = Exclude<HttpErrorCode, 'INTERNAL'> | 'CONFLICT' | 'GONE';

const STATUS: Readonly<Record<ApiErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
};

/** A refusal of an API route; `message` reaches the client, internals go in `cause`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly reason?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Auth codes outside a token check. `undefined` means INTERNAL. */
const AUTH_CODES: Readonly<Record<AuthErrorCode, ApiErrorCode | undefined>> = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  VERIFICATION_FAILED: 'UNAUTHENTICATED',
  EXPIRED: 'GONE',
  CODE_USED: 'GONE',
  REVOKED: 'FORBIDDEN',
  COUNTER_ROLLBACK: 'FORBIDDEN',
  INVALID_CODE: 'NOT_FOUND',
  NOT_FOUND: 'NOT_FOUND',
  CHALLENGE_MISMATCH: 'BAD_REQUEST',
  INVALID_ARGUMENT: 'BAD_REQUEST',
  CONFLICT: 'CONFLICT',
  INVALID_CONFIG: undefined,
  INTERNAL: undefined,
};

const STORE_CODES: Readonly<Record<StoreErrorCode, ApiErrorCode | undefined>> = {
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  EXPIRED: 'GONE',
  EXHAUSTED: 'GONE',
  REVOKED: 'GONE',
  INTERNAL: undefined,
};

/**
 * The `ApiError` for a caught error, or the error itself when it is internal (the edge then
 * answers a bare 500 and logs the cause).
 */
export function toApiError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  if (err instanceof HttpError) {
    return err.code === 'INTERNAL'
      ? err
      : new ApiError(err.code, err.message, undefined, { cause: err });
  }
  if (err instanceof AuthError) {
    const code = AUTH_CODES[err.code];
    return code === undefined ? err : new ApiError(code, err.message, err.code, { cause: err });
  }
  if (err instanceof StoreError) {
    const code = STORE_CODES[err.code];
    return code === undefined
      ? err
      : new ApiError(code, storeMessage(err.code), err.code, { cause: err });
  }
  return err;
}

/** Store messages may carry internals; the client gets a fixed text per code. */
function storeMessage(code: StoreErrorCode): string {
  switch (code) {
    case 'NOT_FOUND':
      return 'not found';
    case 'CONFLICT':
      return 'this conflicts with the current state';
    case 'EXPIRED':
      return 'expired';
    case 'EXHAUSTED':
      return 'no uses left';
    case 'REVOKED':
      return 'revoked';
    case 'INTERNAL':
      return 'internal error';
  }
}

/** The JSON response for a refusal; an internal error is rethrown for the edge's 500. */
export function errorResponse(err: unknown): RouteResponse {
  const error = toApiError(err);
  if (!(error instanceof ApiError)) throw error;
  return {
    status: STATUS[error.code],
    headers: { 'cache-control': 'no-store' },
    body: {
      error: {
        code: error.code,
        message: error.message.slice(0, 300),
        ...(error.reason === undefined ? {} : { reason: error.reason }),
      },
    },
  };
}
