/**
 * One instance of a sync-server cluster ([CL1]–[CL8]): the `PoolRouter` the signalling hub
 * asks before every join, the owner side of sessions forwarded to it, pool leases and their
 * renewal, presence, health and metrics.
 *
 * - A pool is served by the instance holding its lease in PostgreSQL (`LeaseStore`). The first
 *   join anywhere takes it; the owner renews it every `renewEveryMs`; a lost renewal, or no
 *   renewal for a whole TTL, makes the owner evacuate the pool (POOL_MOVED to every node).
 * - A join on another instance (the edge) is opened on the owner over NATS and from then on
 *   the edge only moves frames: client → owner on the owner's subject, owner → client on the
 *   edge's. The owner runs an ordinary `NodeSession` for it, so every signalling rule holds.
 * - Instances announce themselves every `presenceEveryMs`. A peer not heard from for
 *   `presenceTimeoutMs`, or NATS itself dropping, ends the sessions forwarded through it with
 *   POOL_MOVED (close 1012): the devices join again and land on whoever holds the lease then.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { type PoolId, asPoolId, asNodeId, asUserId } from '@poolnet/protocol';
import {
  type Connection,
  type PoolRouter,
  type RemoteLink,
  type RemotePeer,
  type Session,
  SignallingError,
  type SignallingHub,
} from '../signalling/index.js';
import type { JoinRouteRequest } from '../signalling/config.js';
import type { RateDecision } from '../http/rate-limiter.js';
import { type BusMessage, ClusterBus } from './bus.js';
import type { ClusterConfig } from './config.js';
import {
  decodeEnvelope,
  edgeOf,
  encodeEnvelope,
  jsonBody,
  parseClose,
  parseOpen,
} from './envelope.js';
import { type Lease, LeaseStore } from './lease-store.js';
import { type ClusterCounters, emptyClusterCounters } from './metrics.js';

/** Local safety margin: stop trusting a lease this long before the database would. */
const LEASE_MARGIN_MS = 300;
/** A held lease with no live pool for this long is given up. */
const IDLE_RELEASE_MS = 3_000;
const OPEN_TIMEOUT_MS = 1_500;
/** How long a pool list waits for another instance's online devices before counting none. */
const ONLINE_TIMEOUT_MS = 500;
/** At most this many pools per online query (a user's pool list is far shorter). */
const MAX_ONLINE_POOLS = 1_000;
/** How often idle rate buckets are dropped from the shared table. */
const BUCKET_SWEEP_MS = 60_000;
const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Held {
  readonly epoch: number;
  /** Local clock: past this, the lease may be someone else's. */
  validUntil: number;
  /** Last join routed here. */
  lastRouted: number;
}

interface EdgeLink {
  readonly peer: RemotePeer;
  readonly owner: string;
}

interface OwnedSession {
  readonly session: Session;
  readonly edge: string;
}

export interface ClusterHealth {
  readonly status: 'ok' | 'degraded';
  readonly instanceId: string;
  readonly nats: 'connected' | 'disconnected';
  readonly database: 'ok' | 'unreachable';
  readonly leasesHeld: number;
  readonly forwardedSessions: { readonly out: number; readonly in: number };
}

export interface ClusterInstance {
  readonly instanceId: string;
  readonly url: string;
  readonly self: boolean;
}

export class ClusterNode implements PoolRouter {
  private hub: SignallingHub | undefined;
  private readonly held = new Map<PoolId, Held>();
  private readonly edgeLinks = new Map<string, EdgeLink>();
  private readonly owned = new Map<string, OwnedSession>();
  private readonly seen = new Map<string, number>();
  /** Leases of other instances read lately, until they would expire: joins skip the database. */
  private readonly known = new Map<PoolId, Lease & { readonly until: number }>();
  private readonly counters: ClusterCounters = emptyClusterCounters();
  private nextSid = 0;
  private lastPresence = Date.now();
  /** Longest time a bucket seen here takes to refill: idle that long, it is dropped. */
  private idleBucketMs = 0;
  private lastSweep = Date.now();
  private databaseUp = true;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;

  private constructor(
    private readonly config: ClusterConfig,
    private readonly leases: LeaseStore,
    private readonly bus: ClusterBus,
    private readonly logger: Logger,
  ) {}

  /** Connects to PostgreSQL and NATS; `attach` the hub before the server takes connections. */
  static async start(
    config: ClusterConfig,
    databaseUrl: string,
    logger: Logger,
  ): Promise<ClusterNode> {
    const leases = await LeaseStore.open(databaseUrl);
    // The bus reports to the node, which needs the bus: bound once both exist.
    const late: { node?: ClusterNode } = {};
    let bus: ClusterBus;
    try {
      // [CL12] The key every instance seals its bus messages with (seeded by the first).
      const busKey = Buffer.from(
        await leases.sharedSecret('bus-key', randomBytes(32).toString('base64url')),
        'base64url',
      );
      bus = await ClusterBus.open(
        config.natsUrl,
        `poolnet-${config.instanceId}`,
        { down: () => late.node?.natsDown(), up: () => late.node?.natsUp() },
        busKey,
      );
    } catch (err) {
      await leases.close();
      throw err;
    }
    const node = new ClusterNode(config, leases, bus, logger);
    late.node = node;
    node.listen();
    return node;
  }

  get instanceId(): string {
    return this.config.instanceId;
  }

  /** The cluster-wide value of a secret every instance must share (seeded by the first). */
  sharedSecret(name: string, candidate: string): Promise<string> {
    return this.leases.sharedSecret(name, candidate);
  }

  attach(hub: SignallingHub): void {
    this.hub = hub;
    this.timers.push(
      setInterval(() => void this.renew(), this.config.renewEveryMs),
      setInterval(() => this.presence(), this.config.presenceEveryMs),
    );
    this.presence();
    void this.renew();
  }

  // ---- PoolRouter

  async route(request: JoinRouteRequest): Promise<'local' | RemoteLink> {
    const { poolId } = request;
    if (request.forwarded) {
      // Opened by an edge that read our lease: serve only while we still hold it.
      if (this.holds(poolId)) return 'local';
      throw new SignallingError('POOL_MOVED', 'this instance no longer serves the pool');
    }
    // Fast paths: a lease held here, or one of a live peer read lately (no database trip).
    const held = this.held.get(poolId);
    if (held !== undefined && this.holds(poolId)) {
      held.lastRouted = Date.now();
      return 'local';
    }
    const known = this.known.get(poolId);
    if (known !== undefined && known.until > Date.now() && this.alive(known.owner)) {
      const link = await this.open(known, request);
      if (link !== undefined) return link;
      this.known.delete(poolId);
    }
    const deadline = Date.now() + this.config.joinWaitMs;
    for (;;) {
      let lease: Lease;
      try {
        lease = await this.leases.acquire(poolId, this.instanceId, this.config.leaseTtlMs);
        this.databaseUp = true;
      } catch (cause) {
        this.databaseUp = false;
        throw new SignallingError('INTERNAL', 'the lease table is unreachable', { cause });
      }
      if (lease.owner === this.instanceId) {
        this.known.delete(poolId);
        this.hold(poolId, lease);
        return 'local';
      }
      this.known.set(poolId, { ...lease, until: Date.now() + lease.expiresAt - lease.now });
      const link = await this.open(lease, request);
      if (link !== undefined) return link;
      if (Date.now() >= deadline || this.closed) {
        throw new SignallingError('POOL_MOVED', 'the pool’s owner cannot be reached');
      }
      // The owner is unreachable: its lease runs out within a TTL, then this loop takes it.
      const untilExpiry = lease.expiresAt - lease.now + 50;
      await sleep(Math.max(100, Math.min(500, untilExpiry)));
    }
  }

  released(poolId: PoolId): void {
    const held = this.held.get(poolId);
    // Given up by the renewal loop after IDLE_RELEASE_MS, not now: a join may be on its way.
    if (held) held.lastRouted = Date.now();
  }

  /**
   * [SIG15] across the cluster: ends the matching connections here and asks every other
   * instance to do the same (a device's socket and its pool's owner may be on two others).
   */
  disconnect(match: DisconnectMatch, why: string): number {
    this.bus.publish(
      `${this.config.subjectPrefix}.disconnect`,
      encoder.encode(JSON.stringify({ from: this.instanceId, match, why })),
    );
    return this.hub?.disconnect(match, why) ?? 0;
  }

  /**
   * [CL10] The devices online in each of `poolIds`, wherever the pool is served: its owner's
   * live topology, read here or asked of the owner over NATS. A pool whose owner does not
   * answer within ONLINE_TIMEOUT_MS (dying, NATS down) counts as nobody online, never an error.
   */
  async onlineDevices(poolIds: readonly PoolId[]): Promise<Map<PoolId, readonly string[]>> {
    const out = new Map<PoolId, readonly string[]>();
    const elsewhere: PoolId[] = [];
    for (const poolId of poolIds) {
      const local = this.holds(poolId) ? this.hub?.topologyOf(poolId) : undefined;
      if (local !== undefined) out.set(poolId, local.nodeIds());
      else elsewhere.push(poolId);
    }
    if (elsewhere.length === 0 || !this.bus.connected) return out;
    let owners: Map<string, string>;
    try {
      owners = await this.leases.owners(elsewhere);
    } catch {
      return out;
    }
    const byOwner = new Map<string, PoolId[]>();
    for (const [poolId, owner] of owners) {
      if (owner === this.instanceId) continue; // held here but idle: nobody online
      byOwner.set(owner, [...(byOwner.get(owner) ?? []), asPoolId(poolId)]);
    }
    await Promise.all(
      [...byOwner].map(async ([owner, pools]) => {
        const answer = await this.bus.request(
          this.onlineSubject(owner),
          encoder.encode(JSON.stringify({ pools })),
          ONLINE_TIMEOUT_MS,
        );
        for (const [poolId, devices] of parseOnlineAnswer(answer, pools)) {
          out.set(poolId, devices);
        }
      }),
    );
    return out;
  }

  /**
   * [CL11] The cluster-wide rate limit: one token of `rateClass` for `address` from the
   * bucket in PostgreSQL, shared by every instance (an address spreading its requests over
   * the instances gets no more than from one). Unreachable database: undefined, and the
   * caller keeps to its own instance's limit.
   */
  async takeRate(
    rateClass: string,
    address: string,
    limit: { readonly burst: number; readonly perMinute: number },
  ): Promise<RateDecision | undefined> {
    this.idleBucketMs = Math.max(this.idleBucketMs, (limit.burst / limit.perMinute) * 60_000);
    try {
      const taken = await this.leases.takeToken(
        `${rateClass} ${address}`,
        limit.burst,
        limit.perMinute / 60_000,
      );
      if (taken.allowed) return taken;
      return { allowed: false, retryAfterSeconds: Math.ceil(taken.waitMs / 1000) };
    } catch {
      this.databaseUp = false;
      return undefined;
    }
  }

  // ---- views

  health(): ClusterHealth {
    const degraded = !this.bus.connected || !this.databaseUp;
    return {
      status: degraded ? 'degraded' : 'ok',
      instanceId: this.instanceId,
      nats: this.bus.connected ? 'connected' : 'disconnected',
      database: this.databaseUp ? 'ok' : 'unreachable',
      leasesHeld: this.held.size,
      forwardedSessions: { out: this.edgeLinks.size, in: this.owned.size },
    };
  }

  /** The instances seen in the last few seconds (from PostgreSQL, so NATS need not be up). */
  async instances(): Promise<ClusterInstance[]> {
    const rows = await this.leases.instances(Math.max(5_000, this.config.leaseTtlMs * 2));
    const list = rows.map((r) => ({
      instanceId: r.instanceId,
      url: r.url,
      self: r.instanceId === this.instanceId,
    }));
    if (!list.some((i) => i.self)) {
      list.push({ instanceId: this.instanceId, url: this.config.publicUrl, self: true });
    }
    return list;
  }

  metrics(): Readonly<ClusterCounters> {
    return {
      ...this.counters,
      natsConnected: this.bus.connected ? 1 : 0,
      databaseUp: this.databaseUp ? 1 : 0,
      leasesHeld: this.held.size,
      forwardedOut: this.edgeLinks.size,
      forwardedIn: this.owned.size,
      unsealed: this.bus.unsealed,
    };
  }

  /** Graceful stop: leases given up at once (no TTL wait for the others), links ended. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.endAllLinks('this instance is stopping');
    await this.leases.releaseAll(this.instanceId).catch(() => undefined);
    await this.leases.forget(this.instanceId).catch(() => undefined);
    await this.bus.close();
    await this.leases.close();
  }

  // ---- leases

  private holds(poolId: PoolId): boolean {
    const held = this.held.get(poolId);
    return held !== undefined && held.validUntil > Date.now();
  }

  private hold(poolId: PoolId, lease: Lease): void {
    const validUntil = Date.now() + lease.expiresAt - lease.now - LEASE_MARGIN_MS;
    const held = this.held.get(poolId);
    if (held?.epoch === lease.epoch) {
      held.lastRouted = Date.now();
      return;
    }
    if (held === undefined) this.counters.leasesAcquired++;
    this.held.set(poolId, { epoch: lease.epoch, validUntil, lastRouted: Date.now() });
    this.logger.debug({ poolId, epoch: lease.epoch }, 'pool lease taken');
  }

  private async renew(): Promise<void> {
    if (this.closed || this.hub === undefined) return;
    const started = Date.now();
    const live = new Set(this.hub.livePoolIds());
    // Idle leases go first, so they are not renewed for nothing.
    for (const [poolId, held] of [...this.held]) {
      if (live.has(poolId) || started - held.lastRouted < IDLE_RELEASE_MS) continue;
      this.held.delete(poolId);
      void this.leases.release(poolId, this.instanceId, held.epoch).catch(() => undefined);
    }
    const ids = [...this.held.keys()];
    try {
      const kept = await this.leases.renew(this.instanceId, ids, this.config.leaseTtlMs);
      await this.leases.heartbeat(this.instanceId, this.config.publicUrl);
      if (this.idleBucketMs > 0 && started - this.lastSweep > BUCKET_SWEEP_MS) {
        this.lastSweep = started;
        await this.leases.dropIdleBuckets(this.idleBucketMs);
      }
      if (!this.databaseUp) this.logger.info('cluster: database reachable again');
      this.databaseUp = true;
      for (const poolId of ids) {
        const held = this.held.get(poolId);
        if (held === undefined) continue;
        if (kept.get(poolId) === held.epoch) {
          held.validUntil = started + this.config.leaseTtlMs - LEASE_MARGIN_MS;
        } else this.lose(poolId, 'the pool lease was lost');
      }
    } catch (err) {
      if (this.databaseUp) {
        this.logger.warn({ err }, 'cluster degraded: cannot renew pool leases');
      }
      this.databaseUp = false;
      for (const [poolId, held] of [...this.held]) {
        if (held.validUntil <= Date.now()) this.lose(poolId, 'the pool lease ran out');
      }
    }
    // A pool served here without a lease (lost meanwhile) must not go on.
    for (const poolId of this.hub.livePoolIds()) {
      if (!this.held.has(poolId)) this.hub.evacuate(poolId, 'the pool lease was lost');
    }
  }

  private lose(poolId: PoolId, why: string): void {
    this.held.delete(poolId);
    this.counters.leasesLost++;
    this.logger.warn({ poolId }, `cluster: ${why}; evacuating the pool`);
    this.hub?.evacuate(poolId, why);
  }

  // ---- NATS

  private subject(instanceId: string): string {
    return `${this.config.subjectPrefix}.instance.${instanceId}`;
  }

  private onlineSubject(instanceId: string): string {
    return `${this.config.subjectPrefix}.online.${instanceId}`;
  }

  private listen(): void {
    this.bus.subscribe(this.subject(this.instanceId), (msg) => this.onMessage(msg));
    this.bus.subscribe(this.onlineSubject(this.instanceId), (msg) => this.answerOnline(msg));
    this.bus.subscribe(`${this.config.subjectPrefix}.disconnect`, (msg) => {
      try {
        const { from, match, why } = JSON.parse(decoder.decode(msg.data)) as {
          from: unknown;
          match: Record<string, unknown>;
          why: unknown;
        };
        if (from === this.instanceId || typeof why !== 'string') return;
        const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
        const poolId = text(match.poolId);
        const userId = text(match.userId);
        const deviceId = text(match.deviceId);
        if (poolId === undefined && userId === undefined && deviceId === undefined) return;
        this.hub?.disconnect(
          {
            ...(poolId === undefined ? {} : { poolId: asPoolId(poolId) }),
            ...(userId === undefined ? {} : { userId: asUserId(userId) }),
            ...(deviceId === undefined ? {} : { deviceId: asNodeId(deviceId) }),
          },
          why.slice(0, 200),
        );
      } catch {
        this.counters.badEnvelopes++;
      }
    });
    this.bus.subscribe(`${this.config.subjectPrefix}.presence`, (msg) => {
      const id = decoder.decode(msg.data);
      if (/^[A-Za-z0-9_-]{1,64}$/.test(id)) this.seen.set(id, Date.now());
    });
  }

  /** Owner side of [CL10]: the live devices of the asked pools this instance serves. */
  private answerOnline(msg: BusMessage): void {
    let pools: unknown;
    try {
      pools = (JSON.parse(decoder.decode(msg.data)) as { pools?: unknown }).pools;
    } catch {
      pools = undefined;
    }
    if (!Array.isArray(pools) || pools.length > MAX_ONLINE_POOLS) {
      this.counters.badEnvelopes++;
      return void msg.respond(encoder.encode('{"pools":{}}'));
    }
    const answer: Record<string, string[]> = {};
    for (const id of pools) {
      if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) continue;
      const poolId = asPoolId(id);
      const view = this.holds(poolId) ? this.hub?.topologyOf(poolId) : undefined;
      if (view !== undefined) answer[id] = view.nodeIds().map(String);
    }
    msg.respond(encoder.encode(JSON.stringify({ pools: answer })));
  }

  private alive(instanceId: string): boolean {
    return (this.seen.get(instanceId) ?? 0) >= Date.now() - this.config.presenceTimeoutMs;
  }

  private presence(): void {
    if (this.closed) return;
    this.bus.publish(`${this.config.subjectPrefix}.presence`, encoder.encode(this.instanceId));
    // If this instance was the one stalled (a long GC, a saturated CPU), the others' messages
    // are still queued unread: judge nobody this round.
    const stalled = Date.now() - this.lastPresence > this.config.presenceTimeoutMs / 2;
    this.lastPresence = Date.now();
    if (stalled) return;
    const gone = (id: string) => !this.alive(id);
    for (const [poolId, lease] of [...this.known]) {
      if (lease.until <= Date.now()) this.known.delete(poolId);
    }
    for (const [sid, link] of [...this.edgeLinks]) {
      if (gone(link.owner)) this.endEdgeLink(sid, link, 'the pool’s owner is gone');
    }
    for (const [sid, owned] of [...this.owned]) {
      if (gone(owned.edge)) this.endOwned(sid, owned);
    }
  }

  private natsDown(): void {
    this.counters.natsDisconnects++;
    this.logger.warn(
      { instanceId: this.instanceId },
      'cluster degraded: NATS disconnected; forwarded sessions end, local pools go on',
    );
    this.endAllLinks('the cluster bus is down');
  }

  private natsUp(): void {
    this.logger.info({ instanceId: this.instanceId }, 'cluster recovered: NATS connected again');
    this.presence();
  }

  private endAllLinks(why: string): void {
    for (const [sid, link] of [...this.edgeLinks]) this.endEdgeLink(sid, link, why);
    for (const [sid, owned] of [...this.owned]) this.endOwned(sid, owned);
  }

  private endEdgeLink(sid: string, link: EdgeLink, why: string): void {
    this.edgeLinks.delete(sid);
    this.logger.debug({ sid, why }, 'forwarded session ended');
    link.peer.closeWith(1012, 'POOL_MOVED');
  }

  private endOwned(sid: string, owned: OwnedSession): void {
    this.owned.delete(sid);
    owned.session.closed();
  }

  /** Edge side: opens the session on the lease's owner; undefined if it does not answer yes. */
  private async open(lease: Lease, request: JoinRouteRequest): Promise<RemoteLink | undefined> {
    if (!this.bus.connected) return undefined;
    const sid = `${this.instanceId}~${++this.nextSid}`;
    const owner = lease.owner;
    // Registered first: the owner's first frames may arrive before its answer is read.
    this.edgeLinks.set(sid, { peer: request.peer, owner });
    const answer = await this.bus.request(
      this.subject(owner),
      encodeEnvelope(
        'open',
        sid,
        jsonBody({
          poolId: request.poolId,
          epoch: lease.epoch,
          userId: request.identity.userId,
          deviceId: request.identity.deviceId,
          join: Buffer.from(request.joinFrame).toString('base64'),
        }),
      ),
      OPEN_TIMEOUT_MS,
    );
    if (answer === undefined || decoder.decode(answer) !== 'ok') {
      this.edgeLinks.delete(sid);
      return undefined;
    }
    this.seen.set(owner, Date.now());
    this.counters.forwardedOpened++;
    const subject = this.subject(owner);
    return {
      forward: (bytes) => {
        if (!this.edgeLinks.has(sid)) return;
        this.counters.framesToOwner++;
        this.bus.publish(subject, encodeEnvelope('toOwner', sid, bytes));
      },
      close: () => {
        if (this.edgeLinks.delete(sid)) {
          this.bus.publish(subject, encodeEnvelope('closeOwner', sid, EMPTY));
        }
      },
    };
  }

  private onMessage(msg: BusMessage): void {
    let envelope;
    try {
      envelope = decodeEnvelope(msg.data);
    } catch {
      this.counters.badEnvelopes++;
      return;
    }
    const { kind, sid, body } = envelope;
    switch (kind) {
      case 'open':
        return this.onOpen(msg, sid, body);
      case 'toOwner': {
        const owned = this.owned.get(sid);
        if (owned === undefined) {
          // Unknown here (ended, or we restarted): tell the edge to let the device rejoin.
          const close = jsonBody({ code: 1012, reason: 'POOL_MOVED' });
          this.bus.publish(this.subject(edgeOf(sid)), encodeEnvelope('closeEdge', sid, close));
          return;
        }
        this.counters.framesFromEdges++;
        this.seen.set(owned.edge, Date.now());
        void owned.session.receive(body);
        return;
      }
      case 'closeOwner': {
        const owned = this.owned.get(sid);
        if (owned) this.endOwned(sid, owned);
        return;
      }
      case 'toEdge': {
        const link = this.edgeLinks.get(sid);
        if (link === undefined) return;
        this.seen.set(link.owner, Date.now());
        link.peer.send(body);
        return;
      }
      case 'closeEdge': {
        const link = this.edgeLinks.get(sid);
        if (link === undefined) return;
        this.edgeLinks.delete(sid);
        try {
          const { code, reason } = parseClose(body);
          link.peer.closeWith(code, reason);
        } catch {
          link.peer.closeWith(1012, 'POOL_MOVED');
        }
        return;
      }
    }
  }

  /** Owner side: a session for a device whose socket is on the edge `edgeOf(sid)`. */
  private onOpen(msg: BusMessage, sid: string, body: Uint8Array): void {
    const answer = (text: string) => msg.respond(encoder.encode(text));
    let open;
    try {
      open = parseOpen(body);
    } catch {
      this.counters.badEnvelopes++;
      return void answer('bad');
    }
    const poolId = asPoolId(open.poolId);
    const held = this.held.get(poolId);
    const hub = this.hub;
    if (hub === undefined || held?.epoch !== open.epoch || !this.holds(poolId)) {
      return void answer('moved');
    }
    const edge = edgeOf(sid);
    this.seen.set(edge, Date.now());
    held.lastRouted = Date.now();
    const subject = this.subject(edge);
    const conn: Connection = {
      remoteAddress: `cluster:${edge}`,
      send: (frame) => {
        if (!this.owned.has(sid)) throw new SignallingError('INTERNAL', 'forwarded session over');
        this.counters.framesToEdges++;
        this.bus.publish(subject, encodeEnvelope('toEdge', sid, frame));
      },
      close: (code, reason) => {
        if (this.owned.delete(sid)) {
          this.bus.publish(subject, encodeEnvelope('closeEdge', sid, jsonBody({ code, reason })));
        }
      },
    };
    const session = hub.connect(conn, {
      userId: asUserId(open.userId),
      deviceId: asNodeId(open.deviceId),
    });
    this.owned.set(sid, { session, edge });
    this.counters.forwardedAccepted++;
    answer('ok');
    void session.receive(Uint8Array.from(Buffer.from(open.join, 'base64')));
  }
}

export type DisconnectMatch = Parameters<SignallingHub['disconnect']>[0];

/** An owner's answer to an online query: only the pools asked, only lists of ids. */
export function parseOnlineAnswer(
  answer: Uint8Array | undefined,
  asked: readonly PoolId[],
): Map<PoolId, readonly string[]> {
  const out = new Map<PoolId, readonly string[]>();
  if (answer === undefined) return out;
  let pools: unknown;
  try {
    pools = (JSON.parse(decoder.decode(answer)) as { pools?: unknown }).pools;
  } catch {
    return out;
  }
  if (typeof pools !== 'object' || pools === null) return out;
  for (const poolId of asked) {
    const devices = (pools as Record<string, unknown>)[poolId];
    if (Array.isArray(devices) && devices.every((d) => typeof d === 'string')) {
      out.set(poolId, devices as string[]);
    }
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
