/**
 * The signalling hub: the sync server's live side. It authenticates connections, places one
 * node per device per pool in that pool's `Topology`, tells nodes their positions and links,
 * relays link set-up blobs between linked nodes only, answers heartbeats, checks reports and
 * drops what goes silent. It is transport-agnostic (a WebSocket server feeds it `Connection`s)
 * and has no I/O of its own: identity, membership and certificates are injected, time is a
 * `Clock`. Rules: ./RULES.md (SIG1–SIG2 from docs/PROTOCOL.md, SIG4 onwards new).
 *
 * Single-threaded by design: each topology change and all the frames it causes happen in one
 * synchronous step, so no relayed signal can overtake an order (sync-server.md §7.1).
 */
import {
  type DeviceInfo,
  type NodeId,
  type PoolId,
  type UserId,
  DeviceCertificateSchema,
  ED25519_PUBLIC_KEY_BYTES,
  checkDeviceCertificate,
  checkId,
  create,
} from '@poolnet/protocol';
import {
  type Certification,
  type Clock,
  type HubConfig,
  type HubLimits,
  type Identity,
  type PoolRouter,
  resolveLimits,
} from './config.js';
import type { Connection, Session } from './connection.js';
import { SignallingError, isSignallingError } from './errors.js';
import { LivePool, type TopologyView } from './live-pool.js';
import { type SignallingMetrics, emptyMetrics } from './metrics.js';
import { NodeSession, type Placement, type SessionHost } from './node-session.js';

export class SignallingHub {
  private readonly limits: HubLimits;
  private readonly clock: Clock;
  private readonly counters: SignallingMetrics = emptyMetrics();
  private readonly pools = new Map<PoolId, LivePool>();
  private readonly sessions = new Set<NodeSession>();
  private readonly host: SessionHost;

  constructor(private readonly config: HubConfig) {
    this.limits = resolveLimits(config.limits);
    this.clock = config.clock;
    this.host = {
      clock: this.clock,
      limits: this.limits,
      metrics: this.counters,
      authenticate: (token) => this.authenticate(token),
      admit: (identity, poolId) => this.admit(identity, poolId),
      place: (session, poolId, joiner, certification, ackSeq) =>
        this.place(session, poolId, joiner, certification, ackSeq),
      detach: (session, placement) => this.detach(session, placement),
      ...(config.router === undefined
        ? {}
        : { route: (request) => (config.router as PoolRouter).route(request) }),
    };
  }

  /**
   * A new connection. Feed it frames with `receive` and tell it when the socket goes.
   * `forwardedFor`: cluster mode, a session another instance opened for a device it
   * authenticated ([SIG17]); it starts authenticated and is served here or refused.
   */
  connect(conn: Connection, forwardedFor?: Identity): Session {
    const session = new NodeSession(conn, this.host, forwardedFor);
    this.sessions.add(session);
    this.counters.connectedSessions = this.sessions.size;
    return session;
  }

  /** A snapshot of the counters. */
  metrics(): Readonly<SignallingMetrics> {
    return { ...this.counters };
  }

  /** Pools with a node placed here now (cluster mode renews their leases). */
  livePoolIds(): PoolId[] {
    return [...this.pools.keys()];
  }

  /**
   * Cluster mode: this instance no longer owns `poolId` (its lease was lost). Every node of
   * it is told POOL_MOVED and closed (1012), so its devices join again wherever the pool is
   * served now; the pool empties and is dropped here. Returns how many were closed.
   */
  evacuate(poolId: PoolId, why: string): number {
    const ended = [...this.sessions].filter((session) => session.poolId === poolId);
    for (const session of ended) session.expel(new SignallingError('POOL_MOVED', why));
    return ended.length;
  }

  /** The live topology of a pool, or undefined when nobody of it is online. */
  topologyOf(poolId: PoolId): TopologyView | undefined {
    return this.pools.get(poolId)?.view;
  }

  /**
   * [SIG15] Ends at once every connection that matches: the devices of `userId` (in `poolId`
   * only, when given: a member left or was removed), every connection to `poolId` (it was
   * deleted), or every connection of `deviceId` (it was revoked). Each gets ACCESS_ENDED and
   * is closed; its node is removed and announced like any leave. Returns how many ended.
   */
  disconnect(
    match: { readonly poolId?: PoolId; readonly userId?: UserId; readonly deviceId?: NodeId },
    why: string,
  ): number {
    if (match.poolId === undefined && match.userId === undefined && match.deviceId === undefined) {
      throw new SignallingError('INVALID_CONFIG', 'disconnect needs a pool, a user or a device');
    }
    const ended = [...this.sessions].filter((session) => {
      const identity = session.identity;
      if (identity === undefined) return false;
      if (match.userId !== undefined && identity.userId !== match.userId) return false;
      if (match.deviceId !== undefined && identity.deviceId !== match.deviceId) return false;
      return match.poolId === undefined || session.poolId === match.poolId;
    });
    for (const session of ended) session.expel(new SignallingError('ACCESS_ENDED', why));
    return ended.length;
  }

  /**
   * Server shutdown: every pool is forgotten without announcements (everyone goes), then
   * every connection gets SHUTTING_DOWN and is closed with 1001.
   */
  shutdown(): void {
    for (const pool of this.pools.values()) pool.dispose();
    this.pools.clear();
    this.counters.livePools = 0;
    const reason = new SignallingError('SHUTTING_DOWN', 'the server is shutting down');
    for (const session of [...this.sessions]) session.expel(reason);
  }

  private async authenticate(token: string): Promise<Identity | undefined> {
    let identity: Identity | undefined;
    try {
      identity = await this.config.authenticate(token);
    } catch (cause) {
      throw new SignallingError('INTERNAL', 'authentication failed', { cause });
    }
    if (identity === undefined) return undefined;
    try {
      checkId(identity.userId, 'user_id');
      checkId(identity.deviceId, 'device_id');
    } catch (cause) {
      throw new SignallingError('INTERNAL', 'authenticate returned bad ids', { cause });
    }
    return identity;
  }

  /** [SIG5] Member of the pool, and a certificate fit to send (checked before placing). */
  private async admit(identity: Identity, poolId: PoolId): Promise<Certification> {
    let member: boolean;
    try {
      member = await this.config.isMember(identity.userId, poolId);
    } catch (cause) {
      throw new SignallingError('INTERNAL', 'membership check failed', { cause });
    }
    if (!member) throw new SignallingError('NOT_A_MEMBER', `not a member of ${poolId}`);
    let certification: Certification;
    try {
      certification = await this.config.certify({
        poolId,
        userId: identity.userId,
        nodeId: identity.deviceId,
      });
      const cert = create(DeviceCertificateSchema, certification.cert);
      checkDeviceCertificate(cert, 'cert');
      if (cert.nodeId !== identity.deviceId || cert.userId !== identity.userId) {
        throw new Error('certificate for another node');
      }
      if (certification.authorityPublicKey.length !== ED25519_PUBLIC_KEY_BYTES) {
        throw new Error('authority key is not 32 bytes');
      }
    } catch (cause) {
      if (isSignallingError(cause, 'NO_SIGNING_KEY')) throw cause;
      throw new SignallingError('INTERNAL', 'certification failed', { cause });
    }
    return certification;
  }

  private place(
    session: NodeSession,
    poolId: PoolId,
    joiner: { identity: Identity; device: DeviceInfo },
    certification: Certification,
    ackSeq: number,
  ): LivePool {
    let pool = this.pools.get(poolId);
    if (!pool) {
      const created = new LivePool(poolId, this.clock, this.limits, this.counters, () => {
        if (this.pools.get(poolId) === created) {
          this.pools.delete(poolId);
          this.config.router?.released(poolId);
        }
        this.counters.livePools = this.pools.size;
      });
      pool = created;
      this.pools.set(poolId, pool);
      this.counters.livePools = this.pools.size;
    }
    pool.join(
      {
        nodeId: joiner.identity.deviceId,
        userId: joiner.identity.userId,
        device: joiner.device,
        peer: session,
      },
      certification,
      ackSeq,
    );
    return pool;
  }

  private detach(session: NodeSession, placement: Placement | undefined): void {
    this.sessions.delete(session);
    this.counters.connectedSessions = this.sessions.size;
    placement?.pool.remove(placement.nodeId, session);
  }
}
