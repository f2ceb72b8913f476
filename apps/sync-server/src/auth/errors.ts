import { isStoreError, type StoreErrorCode } from '../store/errors.js';

/**
 * Typed errors of the authentication service. Callers (the HTTP layer, the signalling hub)
 * branch on `code`, never on `message`, and translate codes to wire errors at the boundary.
 * `cause` (a store or WebAuthn library error) is always passed on.
 */
export type AuthErrorCode =
  /** No usable credential: a malformed, tampered or unknown token ([AUTH3], [AUTH5]). */
  | 'UNAUTHENTICATED'
  /** The token, code or challenge is past its expiry ([AUTH1], [AUTH3], [AUTH13]). */
  | 'EXPIRED'
  /** The session or the device was revoked ([AUTH4], [AUTH6]). */
  | 'REVOKED'
  /** The add-device code is not one this server issued ([AUTH13]). */
  | 'INVALID_CODE'
  /** The add-device code was used already ([AUTH13]). */
  | 'CODE_USED'
  /** The challenge id is unknown, used already or belongs to another ceremony ([AUTH1]). */
  | 'CHALLENGE_MISMATCH'
  /** The WebAuthn response did not verify: origin, RP id, signature, unknown passkey ([AUTH9]). */
  | 'VERIFICATION_FAILED'
  /** The authenticator's signature counter did not move forward: a cloned key ([AUTH10]). */
  | 'COUNTER_ROLLBACK'
  /** A name or type out of range (display name, device name, device type). */
  | 'INVALID_ARGUMENT'
  /** The device is not one of the user's. */
  | 'NOT_FOUND'
  /** The passkey (or a generated id) is registered already. */
  | 'CONFLICT'
  /** A setting out of range (secret too short, no origin, bad TTL). */
  | 'INVALID_CONFIG'
  /** The store failed; see `cause`. */
  | 'INTERNAL';

export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isAuthError = (err: unknown, code?: AuthErrorCode): err is AuthError =>
  err instanceof AuthError && (code === undefined || err.code === code);

/**
 * Translates a store failure into an `AuthError`: the codes in `map` become the given auth
 * codes, anything else (driver failures, unexpected codes) is `INTERNAL`. An `AuthError`
 * passes through unchanged.
 */
export function authErrorFromStore(
  err: unknown,
  what: string,
  map: Partial<Record<StoreErrorCode, AuthErrorCode>>,
): AuthError {
  if (err instanceof AuthError) return err;
  const code = isStoreError(err) ? map[err.code] : undefined;
  return new AuthError(code ?? 'INTERNAL', `${what}: ${code ?? 'store failure'}`, { cause: err });
}
