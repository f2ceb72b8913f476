/**
 * What the signalling hub is given: the platform (clock), the decisions it must not make
 * itself (who a token belongs to, who is a member, which certificate a node gets) and its
 * limits. Parsed once at the edge and passed in as one typed object (STYLE 19), so the hub
 * has no I/O of its own and every test runs on virtual time.
 */
import type { DeviceCertificate, NodeId, PoolId, UserId } from '@poolnet/protocol';
import { SignallingError } from './errors.js';

/** Cancels a scheduled callback. Idempotent. */
export type Cancel = () => void;

/** Time enters the hub only here (the engine's `Clock` and `ManualClock` fit it). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Run `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): Cancel;
}

/** Who an access token belongs to. The node id in every pool is the device id. */
export interface Identity {
  readonly userId: UserId;
  readonly deviceId: NodeId;
}

/** What a placed node needs to sign pool messages: its certificate and the key that checks it. */
export interface Certification {
  /** For `nodeId` and `userId` of the request; checked for shape (WIRE10) before use. */
  readonly cert: DeviceCertificate;
  /** Raw Ed25519 key (32 bytes) that verifies every certificate of the pool. */
  readonly authorityPublicKey: Uint8Array;
}

export interface HubLimits {
  /** A connection must authenticate within this long after it opens. */
  readonly authTimeoutMs: number;
  /** An authenticated connection that sends nothing for this long is closed (Go: 40 s). */
  readonly heartbeatTimeoutMs: number;
  /** This many undecodable frames within `badFrameWindowMs` close the connection. */
  readonly maxBadFrames: number;
  readonly badFrameWindowMs: number;
  /** A reported node must answer `verify` within this long, or it is removed as dead. */
  readonly verifyTimeoutMs: number;
  /** False reports a device may make within `falseReportWindowMs`; one more disconnects it. */
  readonly falseReportsTolerated: number;
  readonly falseReportWindowMs: number;
  /** A device rejoining within this long after its node left asks for its old seat ([SIG16]). */
  readonly reconnectGraceMs: number;
  /** Joins within this window are announced to the others together; 0 = each at once ([SIG7]). */
  readonly memberAnnounceDelayMs: number;
}

export const DEFAULT_LIMITS: HubLimits = {
  authTimeoutMs: 5_000,
  heartbeatTimeoutMs: 40_000,
  maxBadFrames: 5,
  badFrameWindowMs: 60_000,
  verifyTimeoutMs: 10_000,
  falseReportsTolerated: 3,
  falseReportWindowMs: 10 * 60_000,
  reconnectGraceMs: 30_000,
  memberAnnounceDelayMs: 50,
};

/**
 * Cluster mode ([SIG17]): how a join reaches the instance that owns the pool. Absent, every
 * pool is served here. The hub asks before admitting a join; the router either answers
 * `'local'` (this instance holds the pool's lease now) or opens a link to the owner, after
 * which the session only moves bytes: the join frame and every later frame go to the owner,
 * and what the owner sends or closes comes back through `RemotePeer`.
 */
export interface PoolRouter {
  /** Throws a POOL_MOVED SignallingError when no owner can be reached in time. */
  route(request: JoinRouteRequest): Promise<'local' | RemoteLink>;
  /** The last node of a pool served here left: its lease may go. */
  released(poolId: PoolId): void;
}

export interface JoinRouteRequest {
  readonly poolId: PoolId;
  readonly identity: Identity;
  /** The encoded `join` frame, replayed on the owner. */
  readonly joinFrame: Uint8Array;
  /** Set when the session itself was opened by another instance: serve here or refuse. */
  readonly forwarded: boolean;
  /** Where the owner's frames and close go. */
  readonly peer: RemotePeer;
}

/** The edge's side of a forwarded session: what the owner tells the client. */
export interface RemotePeer {
  send(frame: Uint8Array): void;
  /** The owner closed the session with this WebSocket close code and reason. */
  closeWith(code: number, reason: string): void;
}

/** The owner's side of a forwarded session, as the edge sees it. */
export interface RemoteLink {
  /** One client frame, unchanged. */
  forward(bytes: Uint8Array): void;
  /** The client went away. Idempotent. */
  close(): void;
}

export interface HubConfig {
  /** The identity behind an access token, or undefined when it is unknown, expired or revoked. */
  authenticate(accessToken: string): Promise<Identity | undefined>;
  /** Whether the user is a member of the pool (the store decides; the hub only asks). */
  isMember(userId: UserId, poolId: PoolId): Promise<boolean>;
  /** The certificate for a node about to be placed; the device's key is the caller's business. */
  certify(request: {
    readonly poolId: PoolId;
    readonly userId: UserId;
    readonly nodeId: NodeId;
  }): Promise<Certification>;
  readonly clock: Clock;
  /** Any limit left out takes its DEFAULT_LIMITS value. */
  readonly limits?: Partial<HubLimits>;
  /** Cluster mode only. */
  readonly router?: PoolRouter;
}

/** DEFAULT_LIMITS overlaid with `partial`; every limit must be a positive safe integer. */
export function resolveLimits(partial: Partial<HubLimits> = {}): HubLimits {
  const limits: HubLimits = { ...DEFAULT_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    const min = name === 'memberAnnounceDelayMs' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < min) {
      throw new SignallingError('INVALID_CONFIG', `limit ${name} must be a positive integer`);
    }
  }
  return limits;
}
