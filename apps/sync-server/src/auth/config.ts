import { randomBytes } from 'node:crypto';
import { MAX_TEXT_BYTES } from '@poolnet/protocol';
import type { PoolSettings } from '../store/store.js';
import { AuthError } from './errors.js';

/** Time enters the auth service only here (the engine's `Clock` fits it). */
export interface AuthClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** Secure random bytes. Tests may pass their own; production uses `crypto.randomBytes`. */
export type RandomBytes = (size: number) => Uint8Array;

/**
 * What the auth service is given, parsed once at the edge (STYLE 19). Optional fields get the
 * defaults of `resolveAuthConfig`.
 */
export interface AuthConfig {
  /** The WebAuthn relying-party id: the server's domain, e.g. `poolnet.example`. */
  readonly rpId: string;
  /** Shown by the authenticator when it asks the user, e.g. `Poolnet`. */
  readonly rpName: string;
  /** Origins allowed to run a ceremony, e.g. `https://poolnet.example`. At least one. */
  readonly origins: readonly string[];
  /** Key of the access-token MAC; at least 32 bytes (a string counts its UTF-8 bytes). */
  readonly secret: string | Uint8Array;
  readonly clock: AuthClock;
  /** How long an access token is accepted. Default 15 minutes. */
  readonly accessTtlMs?: number;
  /** How long a refresh token (a session) lives after it is issued. Default 30 days. */
  readonly refreshTtlMs?: number;
  /** How long an add-device code can be used. Default 5 minutes. */
  readonly codeTtlMs?: number;
  /** How long a WebAuthn challenge can be answered. Default 2 minutes. */
  readonly challengeTtlMs?: number;
  /** The server URL put into add-device QR payloads. Default `https://<rpId>`. */
  readonly serverUrl?: string;
  /** Name and limits of the home pool every account gets. */
  readonly homePool?: { readonly name: string; readonly settings: PoolSettings };
  readonly randomBytes?: RandomBytes;
}

export type ResolvedAuthConfig = Required<Omit<AuthConfig, 'secret'>> & {
  readonly secret: Uint8Array;
};

const MINUTE = 60_000;

export const DEFAULT_HOME_POOL = {
  name: 'Home',
  // The home pool holds only the user's own devices, so files are capped only by the schema.
  settings: { maxTextBytes: MAX_TEXT_BYTES, maxFileBytes: 2 ** 40 },
} as const;

const invalid = (message: string): AuthError => new AuthError('INVALID_CONFIG', message);

const positiveMs = (name: string, value: number): number => {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw invalid(`${name} must be a positive integer`);
  return value;
};

/** Fills in the defaults and checks every value; `INVALID_CONFIG` names the first bad one. */
export function resolveAuthConfig(config: AuthConfig): ResolvedAuthConfig {
  if (config.rpId === '' || /[/:\s]/.test(config.rpId)) throw invalid('rpId must be a host name');
  if (config.rpName.trim() === '') throw invalid('rpName must not be empty');
  if (config.origins.length === 0) throw invalid('at least one origin is needed');
  for (const origin of config.origins) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch (cause) {
      throw new AuthError('INVALID_CONFIG', `origin ${origin} is not a URL`, { cause });
    }
    // WebAuthn compares clientDataJSON.origin as a string: it must be exactly an origin.
    if (parsed.origin !== origin) throw invalid(`origin ${origin} is not in origin form`);
  }
  const secret =
    typeof config.secret === 'string' ? new TextEncoder().encode(config.secret) : config.secret;
  if (secret.length < 32) throw invalid('secret must be at least 32 bytes');
  return {
    rpId: config.rpId,
    rpName: config.rpName,
    origins: [...config.origins],
    secret: Uint8Array.from(secret),
    clock: config.clock,
    accessTtlMs: positiveMs('accessTtlMs', config.accessTtlMs ?? 15 * MINUTE),
    refreshTtlMs: positiveMs('refreshTtlMs', config.refreshTtlMs ?? 30 * 24 * 60 * MINUTE),
    codeTtlMs: positiveMs('codeTtlMs', config.codeTtlMs ?? 5 * MINUTE),
    challengeTtlMs: positiveMs('challengeTtlMs', config.challengeTtlMs ?? 2 * MINUTE),
    serverUrl: config.serverUrl ?? `https://${config.rpId}`,
    homePool: config.homePool ?? DEFAULT_HOME_POOL,
    randomBytes: config.randomBytes ?? ((size) => randomBytes(size)),
  };
}
