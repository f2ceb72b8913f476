/**
 * Typed errors of the server store. Callers branch on `code`, never on `message`; the HTTP
 * layer translates codes to wire errors. `cause` (a driver error) is always passed on.
 */
export type StoreErrorCode =
  /** The record does not exist, or is not visible to the user who asked. */
  | 'NOT_FOUND'
  /** A unique key is taken, or the change would break an invariant (e.g. remove the owner). */
  | 'CONFLICT'
  /** The token, code or invite is past its expiry. */
  | 'EXPIRED'
  /** The single-use code was used, or the invite has no uses left. */
  | 'EXHAUSTED'
  /** The session, device or invite was revoked. */
  | 'REVOKED'
  /** The database failed; see `cause`. */
  | 'INTERNAL';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isStoreError = (err: unknown, code?: StoreErrorCode): err is StoreError =>
  err instanceof StoreError && (code === undefined || err.code === code);
