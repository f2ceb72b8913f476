/**
 * Time-limited TURN credentials in coturn's REST API form (`use-auth-secret`,
 * draft-uberti-behave-turn-rest). The sync server and coturn share one secret and nothing
 * else: coturn recomputes the password from the username and rejects it once the expiry in the
 * username has passed, so no per-user state or call between the two services is needed.
 */

import { createHmac } from 'node:crypto';
import { IceError } from './errors.js';

export interface TurnCredentials {
  /** `${expiryUnixSeconds}:${userId}`, what coturn parses for the expiry. */
  readonly username: string;
  /** base64(HMAC-SHA1(secret, username)), the TURN password. */
  readonly credential: string;
  /** How long the credentials are valid from `now`, in seconds. */
  readonly ttlSeconds: number;
  /** Unix seconds after which coturn refuses them. */
  readonly expiresAtSeconds: number;
}

export interface TurnCredentialRequest {
  /** The `static-auth-secret` coturn is configured with. */
  readonly secret: string;
  /** Who the credentials are for; shows up in coturn's logs. Must not contain `:`. */
  readonly userId: string;
  readonly ttlSeconds: number;
  /** Milliseconds since the Unix epoch (an injected clock, STYLE 16). */
  readonly nowMs: number;
}

/** Make credentials valid for `ttlSeconds` from `nowMs` ([ICE9], [ICE10]). */
export function createTurnCredentials(request: TurnCredentialRequest): TurnCredentials {
  if (request.secret.length === 0) throw new IceError('INVALID_CONFIG', 'empty TURN secret');
  if (!Number.isSafeInteger(request.ttlSeconds) || request.ttlSeconds <= 0) {
    throw new IceError(
      'INVALID_CONFIG',
      `TURN ttl ${request.ttlSeconds} is not a positive integer`,
    );
  }
  // coturn reads the expiry up to the ':' separator; a colon in the id would confuse it.
  if (request.userId.length === 0 || request.userId.includes(':')) {
    throw new IceError('INVALID_ARGUMENT', 'a TURN user id is non-empty and has no ":"');
  }
  if (!Number.isFinite(request.nowMs)) throw new IceError('INVALID_ARGUMENT', 'now is not finite');
  const expiresAtSeconds = Math.floor(request.nowMs / 1000) + request.ttlSeconds;
  const username = `${expiresAtSeconds}:${request.userId}`;
  const credential = createHmac('sha1', request.secret).update(username).digest('base64');
  return { username, credential, ttlSeconds: request.ttlSeconds, expiresAtSeconds };
}
