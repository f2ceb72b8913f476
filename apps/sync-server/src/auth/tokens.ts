import { createHmac, timingSafeEqual } from 'node:crypto';
import { asNodeId, asUserId, type NodeId, type UserId } from '@poolnet/protocol';
import { hashSecret } from '../store/secret-hash.js';
import type { ServerStore } from '../store/store.js';
import type { AuthClock, RandomBytes } from './config.js';
import { AuthError, authErrorFromStore } from './errors.js';

/**
 * Who an access token speaks for. `sessionId` is the store's key of the refresh-token
 * session (the hash of the refresh token, never the token itself): sign-out revokes it.
 */
export interface AccessIdentity {
  readonly userId: UserId;
  readonly deviceId: NodeId;
  readonly sessionId: string;
}

/** What a device gets when it signs in, registers or refreshes. */
export interface IssuedTokens extends AccessIdentity {
  readonly accessToken: string;
  readonly accessExpiresAt: number;
  readonly refreshToken: string;
  readonly refreshExpiresAt: number;
}

export interface TokenSettings {
  readonly secret: Uint8Array;
  readonly clock: AuthClock;
  readonly randomBytes: RandomBytes;
  readonly accessTtlMs: number;
  readonly refreshTtlMs: number;
}

interface AccessPayload {
  readonly userId: string;
  readonly deviceId: string;
  readonly sessionId: string;
  readonly exp: number;
}

/** Longer than any token this class makes; longer input is refused before any work. */
const MAX_ACCESS_TOKEN_LENGTH = 1024;
const REFRESH_TOKEN_BYTES = 32;
const REFRESH_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAC_BYTES = 32;

const unauthenticated = (message: string, cause?: unknown): AuthError =>
  new AuthError('UNAUTHENTICATED', message, { cause });

/**
 * Access and refresh tokens ([AUTH3]–[AUTH6]).
 *
 * An access token is `base64url(JSON payload) "." base64url(HMAC-SHA256)`, payload
 * `{userId, deviceId, sessionId, exp}`: self-contained, so checking it needs no secret
 * lookup, but `authenticate` still reads the session, so sign-out and device revocation
 * stop it before `exp`. The MAC key is derived from the server secret for this one use.
 *
 * A refresh token is 32 random bytes (base64url); the store keeps only its hash, as the key
 * of a session bound to one device. Using it revokes that session and opens a new one.
 */
export class SessionTokens {
  private readonly macKey: Buffer;
  /** Refresh tokens being rotated right now: a concurrent second use of one is refused. */
  private readonly rotating = new Set<string>();

  constructor(
    private readonly store: ServerStore,
    private readonly settings: TokenSettings,
  ) {
    this.macKey = createHmac('sha256', settings.secret).update('poolnet access token v1').digest();
  }

  /** Opens a session for the device and returns its tokens. `REVOKED` for a revoked device. */
  async issue(userId: UserId, deviceId: NodeId): Promise<IssuedTokens> {
    const now = this.settings.clock.now();
    const refreshToken = Buffer.from(this.settings.randomBytes(REFRESH_TOKEN_BYTES)).toString(
      'base64url',
    );
    const sessionId = hashSecret(refreshToken);
    const refreshExpiresAt = now + this.settings.refreshTtlMs;
    try {
      await this.store.createSession({
        tokenHash: sessionId,
        userId,
        deviceId,
        expiresAt: refreshExpiresAt,
        now,
      });
    } catch (err) {
      throw authErrorFromStore(err, 'open session', {
        REVOKED: 'REVOKED',
        NOT_FOUND: 'NOT_FOUND',
        CONFLICT: 'CONFLICT',
      });
    }
    // An access token never outlives its session.
    const accessExpiresAt = Math.min(now + this.settings.accessTtlMs, refreshExpiresAt);
    const accessToken = this.sign({ userId, deviceId, sessionId, exp: accessExpiresAt });
    return {
      userId,
      deviceId,
      sessionId,
      accessToken,
      accessExpiresAt,
      refreshToken,
      refreshExpiresAt,
    };
  }

  /**
   * The identity behind an access token. `UNAUTHENTICATED` if malformed, tampered or of an
   * unknown session, `EXPIRED` past its expiry, `REVOKED` if its session or device was revoked.
   */
  async authenticate(accessToken: string): Promise<AccessIdentity> {
    const payload = this.verify(accessToken);
    const now = this.settings.clock.now();
    if (now >= payload.exp) throw new AuthError('EXPIRED', 'the access token expired');
    let session;
    try {
      session = await this.store.findSession(payload.sessionId, now);
    } catch (err) {
      throw authErrorFromStore(err, 'check session', {
        NOT_FOUND: 'UNAUTHENTICATED',
        REVOKED: 'REVOKED',
        EXPIRED: 'EXPIRED',
      });
    }
    if (session.userId !== payload.userId || session.deviceId !== payload.deviceId) {
      throw unauthenticated('the access token does not match its session');
    }
    return { userId: session.userId, deviceId: session.deviceId, sessionId: session.tokenHash };
  }

  /**
   * Rotates a refresh token: its session is revoked and a new one opened for the same device
   * ([AUTH5]). `UNAUTHENTICATED` if unknown, `REVOKED` if used already, signed out or its
   * device revoked, `EXPIRED` if too old.
   */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    if (!REFRESH_TOKEN_SHAPE.test(refreshToken)) throw unauthenticated('not a refresh token');
    const tokenHash = hashSecret(refreshToken);
    if (this.rotating.has(tokenHash)) {
      throw new AuthError('REVOKED', 'the refresh token is being used already');
    }
    this.rotating.add(tokenHash);
    try {
      const now = this.settings.clock.now();
      let session;
      try {
        session = await this.store.findSession(tokenHash, now);
        await this.store.revokeSession(tokenHash, now);
      } catch (err) {
        throw authErrorFromStore(err, 'rotate session', {
          NOT_FOUND: 'UNAUTHENTICATED',
          REVOKED: 'REVOKED',
          EXPIRED: 'EXPIRED',
        });
      }
      return await this.issue(session.userId, session.deviceId);
    } finally {
      this.rotating.delete(tokenHash);
    }
  }

  /** Revokes a session (sign-out). Idempotent; `NOT_FOUND` if there is no such session. */
  async revoke(sessionId: string): Promise<void> {
    try {
      await this.store.revokeSession(sessionId, this.settings.clock.now());
    } catch (err) {
      throw authErrorFromStore(err, 'revoke session', { NOT_FOUND: 'NOT_FOUND' });
    }
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.macKey).update(payload, 'ascii').digest();
  }

  private sign(payload: AccessPayload): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The payload of a token whose MAC checks out (compared in constant time). */
  private verify(token: string): AccessPayload & { userId: UserId; deviceId: NodeId } {
    if (token.length > MAX_ACCESS_TOKEN_LENGTH) throw unauthenticated('access token too long');
    const [body, mac, extra] = token.split('.');
    if (body === undefined || mac === undefined || extra !== undefined) {
      throw unauthenticated('not an access token');
    }
    if (!BASE64URL.test(body) || !BASE64URL.test(mac)) throw unauthenticated('not base64url');
    const given = Buffer.from(mac, 'base64url');
    // Non-canonical base64url (other trailing bits) would decode to the same MAC: refuse it.
    if (given.length !== MAC_BYTES || given.toString('base64url') !== mac) {
      throw unauthenticated('bad access token signature');
    }
    if (!timingSafeEqual(given, this.mac(body))) {
      throw unauthenticated('bad access token signature');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch (cause) {
      throw unauthenticated('bad access token payload', cause);
    }
    const p = parsed as Partial<Record<keyof AccessPayload, unknown>> | null;
    if (
      typeof p !== 'object' ||
      p === null ||
      typeof p.userId !== 'string' ||
      typeof p.deviceId !== 'string' ||
      typeof p.sessionId !== 'string' ||
      typeof p.exp !== 'number'
    ) {
      throw unauthenticated('bad access token payload');
    }
    return {
      userId: asUserId(p.userId),
      deviceId: asNodeId(p.deviceId),
      sessionId: p.sessionId,
      exp: p.exp,
    };
  }
}
