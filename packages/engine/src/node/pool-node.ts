import { create, toBinary } from '@bufbuild/protobuf';
import {
  AckSchema,
  ChunkPromiseSchema,
  ChunkRangeSchema,
  ChunkSchema,
  MAX_PROMISES,
  DestSchema,
  DirectMessageSchema,
  PackageSchema,
  PoolMessageSchema,
  PROTOCOL_VERSION,
  SignedPoolMessageSchema,
  decodePackage,
  decodePoolMessage,
  signedPoolMessageBytes,
  withHops,
  utf8ByteLength,
  type Dest,
  type DirectMessage,
  type MessageId,
  type NodeId,
  type Package,
  type PoolMessage,
  type SignedPoolMessage,
} from '@poolnet/protocol';
import type { Channel } from '../ports/transport.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import type { Position, Path } from '../topology/position.js';
import { EngineError } from '../errors.js';
import { RouteTable } from '../routing/route-table.js';
import { DuplicateWindow } from '../routing/duplicate-window.js';
import { RecentMessages } from '../sync/recent-messages.js';
import { Reconciler } from '../sync/reconciler.js';
import { LatestSync } from '../sync/latest-sync.js';
import { OfferTable } from '../sync/offer-table.js';
import { MessageVerifier, signPoolMessage } from '../identity/signed-message.js';
import { TrustedCertificates } from '../identity/trusted-certificates.js';
import { Listeners } from '../util/listeners.js';
import { LinkTable } from './link-table.js';
import { PendingAcks, type Owed } from './pending-acks.js';
import { resolveConfig, type PoolNodeConfig, type PoolNodeOptions } from './options.js';
import { emptyStats, type NodeStats } from './stats.js';

/** How a pool message reached this node. */
export type Via = 'local' | 'broadcast' | 'directed' | 'sync' | 'reconcile';

/** Where a package came from: its source node and that node's place when it sent it. */
export interface PackageSource {
  readonly nodeId: NodeId;
  readonly path: Path;
  readonly slot: number;
}

/** A verified pool message handed to the application. */
export interface DeliveredMessage {
  readonly message: PoolMessage;
  readonly via: Via;
  /** Links crossed from the author (0 for my own, and for history from sync). */
  readonly hops: number;
  /** For directed messages: the sender's place and the lane it chose (to answer along it). */
  readonly from?: PackageSource;
  readonly lane?: number;
  /** For directed messages: chunk ranges that relays on the way promised to serve (FT4). */
  readonly promised?: ReadonlyArray<readonly [number, number]>;
}

/**
 * A relay's look at a directed pool message passing through it on the way to other nodes
 * (FT4). `consume` answers it here: it is not forwarded. `promise` forwards it with the given
 * chunk ranges promised by this node, so nodes further on skip them.
 */
export type RelayHandler = (passing: {
  readonly message: PoolMessage;
  readonly from: PackageSource;
  readonly lane: number | undefined;
  readonly dests: readonly Destination[];
  readonly promised: ReadonlyArray<readonly [number, number]>;
}) => RelayVerdict | undefined;

export type RelayVerdict =
  { readonly consume: true } | { readonly promise: ReadonlyArray<readonly [number, number]> };

/** Content of a pool message as the application passes it in. */
export type Content = PoolMessage['content'];

/** A destination of a directed message: a node and its path as last known. */
export interface Destination {
  readonly nodeId: NodeId;
  readonly path: Path;
}

/** Pool messages whose effect lasts, and so go to the message store and latest sync. */
const STORED: ReadonlySet<Content['case']> = new Set([
  'text',
  'fileOffer',
  'mediaOffer',
  'retractOffer',
  'nodeInfo',
]);

/**
 * One device's node in one pool: it follows the server's position updates and link orders,
 * signs what it sends, verifies what it receives, and routes broadcasts and directed messages
 * over its links (docs/PROTOCOL.md RT*, SYNC*). Everything platform-specific is injected.
 */
export class PoolNode {
  readonly id: NodeId;
  readonly stats: NodeStats = emptyStats();
  readonly offers = new OfferTable();
  private readonly config: PoolNodeConfig;
  private readonly log: Logger;
  private readonly links: LinkTable;
  private readonly seen: DuplicateWindow;
  private readonly recent: RecentMessages;
  private readonly verifier: MessageVerifier;
  private readonly messageListeners = new Listeners<[DeliveredMessage]>();
  private readonly chunkListeners = new Listeners<[Package]>();
  private readonly positionListeners = new Listeners<[Position]>();
  private readonly linkListeners = new Listeners<[NodeId, boolean]>();
  private readonly relayChunkListeners = new Listeners<[Package]>();
  private readonly drainListeners = new Listeners<[NodeId]>();
  private relayHandler: RelayHandler | undefined;
  private table: RouteTable | undefined;
  private unsubscribe: (() => void) | undefined;
  /** When I got my first position in this pool (my clock). */
  private joinedAt: number | undefined;
  private readonly latest: LatestSync;
  private readonly reconciler: Reconciler;
  private closed = false;
  private readonly acks: PendingAcks;
  /** Directed messages waiting for acks, kept whole to send again. */
  private readonly outbox = new Map<
    string,
    { signed: SignedPoolMessage; lane: number | undefined }
  >();

  constructor(private readonly options: PoolNodeOptions) {
    this.id = options.identity.nodeId;
    this.config = resolveConfig(options.config);
    this.log = options.logger ?? silentLogger;
    this.seen = new DuplicateWindow(this.config.duplicateWindow);
    this.recent = new RecentMessages(this.config.recentMessages, this.config.recentMaxAgeMs);
    const certificates =
      options.trustedCertificates ??
      new TrustedCertificates(options.crypto, options.authorityPublicKey);
    this.verifier = new MessageVerifier(options.crypto, certificates, options.clock);
    this.reconciler = new Reconciler(
      {
        clock: options.clock,
        recent: this.recent,
        has: (id) => this.seen.has(id),
        joinedAt: () => this.joinedAt,
        openPeers: () => this.links.openPeers(),
        isOpen: (peer) => this.links.isOpen(peer),
        send: (peer, kind) => this.sendDirect(peer, kind),
        accept: (signed) => this.acceptRepaired(signed, 'reconcile'),
      },
      this.config,
    );
    this.latest = new LatestSync(
      {
        store: options.store,
        offers: this.offers,
        send: (peer, kind) => this.sendDirect(peer, kind),
        accept: (signed) => void this.acceptRepaired(signed, 'sync'),
        storeError: () => void this.stats.storeErrors++,
      },
      this.config,
    );
    this.acks = new PendingAcks({
      clock: options.clock,
      timeoutMs: this.config.ackTimeoutMs,
      maxAttempts: this.config.ackAttempts,
      resend: (id, owed) => this.resend(id, owed),
      giveUp: (id, owed) => {
        this.outbox.delete(id);
        this.stats.directedGaveUp++;
        this.log.info('directed message never acknowledged', { id, to: owed.map((o) => o.nodeId) });
      },
    });
    this.links = new LinkTable(options.transport, options.signalling, {
      frame: (peer, frame, channel) => this.onFrame(peer, frame, channel),
      drain: (peer, channel) => {
        if (channel === 'bulk') this.drainListeners.emit(peer);
      },
      up: (peer) => this.onLinkUp(peer),
      down: (peer) => {
        this.latest.linkDown(peer);
        this.linkListeners.emit(peer, false);
      },
      failed: (peer, error) => {
        this.stats.linkFailures++;
        this.log.warn('link failed to open', { peer, error: String(error) });
        this.options.signalling.report(peer, 'unreachable');
      },
    });
  }

  /** Start following the sync server. */
  start(): void {
    this.unsubscribe = this.options.signalling.subscribe({
      position: (position) => this.applyPosition(position),
      connect: (peer, initiator) => this.links.connect(peer, initiator),
      disconnect: (peer) => this.links.disconnect(peer),
      signal: (from, payload) => this.links.signal(from, payload),
      verify: (peer) => this.options.signalling.verifyReply(peer, this.links.isOpen(peer)),
    });
  }

  /** Leave: close every link and stop listening. */
  stop(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.reconciler.stop();
    this.acks.clear();
    this.outbox.clear();
    this.links.closeAll();
  }

  get position(): Position | undefined {
    return this.table?.position;
  }

  /** Peers with an open link. */
  neighbours(): NodeId[] {
    return this.links.openPeers();
  }

  onMessage(listener: (delivered: DeliveredMessage) => void): () => void {
    return this.messageListeners.add(listener);
  }

  /** Chunk packages addressed to this node (consumed by file transfer). */
  onChunk(listener: (pkg: Package) => void): () => void {
    return this.chunkListeners.add(listener);
  }

  /** Chunk packages this node forwards for others (a relay's cache fills from these). */
  onRelayChunk(listener: (pkg: Package) => void): () => void {
    return this.relayChunkListeners.add(listener);
  }

  /** Look at directed pool messages passing through; see `RelayHandler`. */
  setRelayHandler(handler: RelayHandler | undefined): void {
    this.relayHandler = handler;
  }

  /**
   * The neighbour a directed package to `destination` on `lane` leaves through now, if any
   * (file transfer paces its sending per next hop).
   */
  nextHop(destination: Destination, lane: number): NodeId | undefined {
    const hop = this.table?.nextHop(destination.nodeId, destination.path, lane);
    return hop === this.id ? undefined : hop;
  }

  /** Bytes queued on the bulk channel of the link to `peer` (0 without a link). */
  bulkBuffered(peer: NodeId): number {
    return this.links.link(peer)?.bufferedAmount('bulk') ?? 0;
  }

  /** The bulk channel of the link to a neighbour fell back under its low-water mark. */
  onBulkDrain(listener: (peer: NodeId) => void): () => void {
    return this.drainListeners.add(listener);
  }

  onPosition(listener: (position: Position) => void): () => void {
    return this.positionListeners.add(listener);
  }

  onLink(listener: (peer: NodeId, up: boolean) => void): () => void {
    return this.linkListeners.add(listener);
  }

  /** Send a chat text to the whole pool. */
  sendText(text: string): MessageId {
    return this.broadcast({ case: 'text', value: { $typeName: 'poolnet.v1.TextMessage', text } });
  }

  /** Sign and broadcast a pool message to every node of the pool (RT1). */
  broadcast(content: Content): MessageId {
    if (this.textTooLong(content)) {
      throw new EngineError('TEXT_TOO_LONG', `text exceeds ${this.config.maxTextBytes} bytes`);
    }
    const table = this.requireTable();
    const { message, signed } = this.compose(content);
    this.acceptNew(message, toBinary(SignedPoolMessageSchema, signed), 'local', 0);
    const pkg = this.makePackage(table, [], { case: 'pool', value: signed });
    this.forwardBroadcast(pkg, toBinary(PackageSchema, pkg), table, null);
    return message.id as MessageId;
  }

  /**
   * Sign and send a pool message to some nodes only, along the tree path (RT4). File requests
   * are not acknowledged nor sent again (FT3): the downloader has its own timeouts.
   */
  sendTo(destinations: readonly Destination[], content: Content, lane?: number): MessageId {
    const table = this.requireTable();
    const { message, signed } = this.compose(content);
    this.seen.add(message.id);
    const pkg = this.makePackage(
      table,
      toDests(destinations),
      { case: 'pool', value: signed },
      lane,
    );
    this.forwardDirected(pkg, table, null, 'control');
    if (!acknowledged(content)) return message.id as MessageId;
    this.outbox.set(message.id, { signed, lane });
    this.acks.track(
      message.id,
      destinations.map((d) => ({ nodeId: d.nodeId, path: d.path })),
    );
    return message.id as MessageId;
  }

  /** RT7: send a directed message again to the destinations that did not ack it. */
  private resend(messageId: string, owed: Owed[]): void {
    const sent = this.outbox.get(messageId);
    const table = this.table;
    if (!sent || !table || this.closed) return;
    this.stats.directedRetries++;
    for (const dest of owed) dest.path = this.options.locate?.(dest.nodeId) ?? dest.path;
    const pkg = this.makePackage(
      table,
      toDests(owed),
      { case: 'pool', value: sent.signed },
      sent.lane,
    );
    this.forwardDirected(pkg, table, null, 'control');
  }

  private sendAck(
    to: { nodeId: string; path: readonly number[] },
    messageId: string,
    lane?: number,
  ): void {
    const table = this.table;
    if (!table) return;
    const value = create(AckSchema, { messageIds: [messageId] });
    const pkg = this.makePackage(
      table,
      toDests([{ nodeId: to.nodeId as NodeId, path: to.path }]),
      { case: 'ack', value },
      lane,
    );
    this.forwardDirected(pkg, table, null, 'control');
  }

  /**
   * Send one file chunk to some nodes on a lane (RT6): relays prefer the lane's nodes, so the
   * three lanes of a download spread over different links.
   */
  sendChunk(
    destinations: readonly Destination[],
    chunk: { fileId: string; index: number; data: Uint8Array },
    lane: number,
  ): void {
    const table = this.requireTable();
    const value = create(ChunkSchema, {
      fileId: chunk.fileId,
      index: BigInt(chunk.index),
      data: chunk.data,
    });
    const pkg = this.makePackage(table, toDests(destinations), { case: 'chunk', value }, lane);
    this.forwardDirected(pkg, table, null, 'bulk');
  }

  // ---- receiving -------------------------------------------------------------------------

  private onFrame(peer: NodeId, frame: Uint8Array, channel: Channel): void {
    if (this.closed) return;
    let pkg: Package;
    try {
      pkg = decodePackage(frame);
    } catch {
      this.stats.malformed++;
      return;
    }
    switch (pkg.body.case) {
      case 'pool':
        return this.onPoolPackage(pkg, pkg.body.value, frame, peer);
      case 'direct':
        return this.onDirect(peer, pkg.body.value);
      case 'chunk':
        return this.onChunkPackage(pkg, peer, channel);
      case 'ack':
        return this.onAckPackage(pkg, pkg.body.value.messageIds, peer);
      default:
        this.stats.malformed++;
    }
  }

  private onPoolPackage(
    pkg: Package,
    signed: SignedPoolMessage,
    frame: Uint8Array,
    from: NodeId,
  ): void {
    const table = this.table;
    if (!table) return;
    const message = this.open(signed);
    if (!message) return;
    const directed = pkg.dests.length > 0;
    // Broadcasts are deduplicated by every node (RT5). A directed message only by its
    // destinations: a relay must pass on a retry of what it relayed before (RT7).
    const forMe = directed && pkg.dests.some((d) => d.nodeId === this.id);
    if ((!directed || forMe) && this.seen.has(message.id)) {
      this.stats.duplicates++;
      // A retry of a directed message I already have: my ack may have been lost.
      if (forMe && pkg.src && acknowledged(message.content)) {
        this.sendAck(pkg.src, message.id, pkg.lane);
      }
      if (!directed) return;
    } else {
      if (pkg.src?.nodeId !== message.authorNodeId) {
        this.stats.malformed++;
        return;
      }
      if (!this.verified(signed, message)) return;
      // RT3: the pool's text limit holds for everyone, not only for senders that obey it.
      if (this.textTooLong(message.content)) {
        this.stats.malformed++;
        return;
      }
    }
    if (!this.crossedHop(pkg)) return;
    const hops = pkg.hops;
    if (!directed) {
      // WIRE28: keep the signed bytes as received and forward the frame with one more hop.
      // A view into the frame: one buffer serves every neighbour the frame was sent to.
      const bytes = signedPoolMessageBytes(frame) ?? toBinary(SignedPoolMessageSchema, signed);
      this.acceptNew(message, bytes, 'broadcast', hops);
      this.forwardBroadcast(pkg, withHops(frame, hops), table, from);
      return;
    }
    const source = sourceOf(pkg);
    if (forMe && this.seen.add(message.id)) {
      this.stats.directedReceived++;
      if (acknowledged(message.content)) this.sendAck(pkg.src!, message.id, pkg.lane);
      const promised = promisedRanges(pkg);
      this.messageListeners.emit({
        message,
        via: 'directed',
        hops,
        from: source,
        lane: pkg.lane,
        ...(promised.length > 0 ? { promised } : {}),
      });
    }
    const others = pkg.dests.filter((d) => d.nodeId !== this.id);
    const verdict =
      !forMe && source && others.length > 0
        ? this.relayHandler?.({
            message,
            from: source,
            lane: pkg.lane,
            dests: others.map((d) => ({ nodeId: d.nodeId as NodeId, path: d.path })),
            promised: promisedRanges(pkg),
          })
        : undefined;
    if (verdict && 'consume' in verdict) {
      this.stats.relayConsumed++;
      return;
    }
    if (verdict && verdict.promise.length > 0 && pkg.promised.length < MAX_PROMISES) {
      this.stats.relayPromised++;
      pkg.promised.push(
        create(ChunkPromiseSchema, {
          nodeId: this.id,
          ranges: verdict.promise.map(([start, end]) =>
            create(ChunkRangeSchema, { start: BigInt(start), end: BigInt(end) }),
          ),
        }),
      );
    }
    this.forwardDirected(pkg, table, from, 'control');
  }

  private onChunkPackage(pkg: Package, from: NodeId, channel: Channel): void {
    const table = this.table;
    if (!table) return;
    if (!this.crossedHop(pkg)) return;
    if (pkg.dests.some((d) => d.nodeId === this.id)) this.chunkListeners.emit(pkg);
    else this.relayChunkListeners.emit(pkg);
    this.forwardDirected(pkg, table, from, channel);
  }

  private onAckPackage(pkg: Package, messageIds: readonly string[], from: NodeId): void {
    const table = this.table;
    if (!table) return;
    if (!this.crossedHop(pkg)) return;
    if (pkg.dests.some((d) => d.nodeId === this.id)) {
      for (const id of messageIds) {
        if (this.acks.ack(id, pkg.src!.nodeId as NodeId)) this.outbox.delete(id);
      }
    }
    this.forwardDirected(pkg, table, from, 'control');
  }

  /** Count the link a package just crossed; false (counted) past the hop limit. */
  private crossedHop(pkg: Package): boolean {
    pkg.hops += 1;
    if (pkg.hops <= this.config.maxHops) return true;
    this.stats.hopLimit++;
    return false;
  }

  private onDirect(peer: NodeId, direct: DirectMessage): void {
    const k = direct.kind;
    switch (k.case) {
      case 'latestRequest':
        return void this.latest.onRequest(peer, k.value.maxMessages, k.value.maxBytes);
      case 'latestReply':
        return this.latest.onReply(peer, k.value);
      case 'reconcileDigest':
        return this.reconciler.onDigest(peer, k.value);
      case 'reconcileWant':
        return this.reconciler.onWant(peer, k.value.ids);
      case 'reconcileMessages':
        return this.reconciler.onMessages(peer, k.value.messages);
      default:
        this.stats.malformed++;
    }
  }

  // ---- local acceptance ------------------------------------------------------------------

  /** Decode a signed message's body; undefined (counted) when malformed. */
  private open(signed: SignedPoolMessage): PoolMessage | undefined {
    try {
      return decodePoolMessage(signed.body);
    } catch {
      this.stats.malformed++;
      return undefined;
    }
  }

  private verified(signed: SignedPoolMessage, message: PoolMessage): boolean {
    const verdict = this.verifier.verify(signed, message);
    if (verdict === 'ok') return true;
    this.stats.badSignature++;
    this.log.warn('pool message dropped', {
      verdict,
      id: message.id,
      author: message.authorNodeId,
    });
    return false;
  }

  /** A message from history or repair: verify, then accept if new; never forwarded as-is. */
  private acceptRepaired(signed: SignedPoolMessage, via: Via): string | undefined {
    const message = this.open(signed);
    if (!message) return undefined;
    if (this.seen.has(message.id)) {
      if (via === 'reconcile') {
        this.stats.duplicates++;
        this.stats.repairDuplicates++;
      }
      return undefined;
    }
    if (!this.verified(signed, message)) return undefined;
    this.acceptNew(message, toBinary(SignedPoolMessageSchema, signed), via, 0);
    return message.id;
  }

  /** `bytes`: the encoded SignedPoolMessage, kept for reconciliation and the store. */
  private acceptNew(message: PoolMessage, bytes: Uint8Array, via: Via, hops: number): void {
    this.seen.add(message.id);
    const origin = this.reconciler.settled(message.id);
    if (via !== 'local') this.stats.received++;
    this.offers.apply(message);
    if (via !== 'sync') this.recent.add(message.id, bytes, origin ?? this.now());
    if (STORED.has(message.content.case)) {
      this.options.store
        .append({
          id: message.id as MessageId,
          author: message.authorNodeId as NodeId,
          createdAt: Number(message.createdMs),
          signed: bytes,
        })
        .catch(() => this.stats.storeErrors++);
    }
    this.messageListeners.emit({ message, via, hops });
  }

  // ---- forwarding ------------------------------------------------------------------------

  /** `frame`: the package as it goes out (the same bytes to every target). */
  private forwardBroadcast(
    pkg: Package,
    frame: Uint8Array,
    table: RouteTable,
    from: NodeId | null,
  ): void {
    const src = pkg.src;
    if (!src) return;
    for (const peer of table.broadcastTargets(src.path, src.slot, from)) {
      this.sendFrame(peer, 'control', frame);
    }
  }

  private forwardDirected(
    pkg: Package,
    table: RouteTable,
    from: NodeId | null,
    channel: Channel,
  ): void {
    const lane = pkg.lane ?? pkg.src?.slot ?? 0;
    const groups = new Map<NodeId, Dest[]>();
    for (const dest of pkg.dests) {
      if (dest.nodeId === this.id) continue;
      const hop = table.nextHop(dest.nodeId as NodeId, dest.path, lane);
      if (hop === undefined || hop === this.id || (hop === from && hop !== dest.nodeId)) {
        this.stats.noRoute++;
        continue;
      }
      const group = groups.get(hop);
      if (group) group.push(dest);
      else groups.set(hop, [dest]);
    }
    for (const [hop, dests] of groups) {
      // A relay does not queue without bound behind a slow link (per-link backpressure): a
      // chunk for a congested neighbour is dropped, and its requester asks again later.
      if (
        channel === 'bulk' &&
        from !== null &&
        this.bulkBuffered(hop) > this.config.maxRelayBulkBufferBytes
      ) {
        this.stats.bulkDropped++;
        continue;
      }
      pkg.dests = dests;
      this.sendFrame(hop, channel, toBinary(PackageSchema, pkg));
    }
  }

  private sendFrame(peer: NodeId, channel: Channel, frame: Uint8Array): void {
    if (this.links.send(peer, channel, frame)) this.stats.framesSent++;
    else this.stats.noLink++;
  }

  // ---- neighbour sync (SYNC1–SYNC3) ------------------------------------------------------

  private onLinkUp(peer: NodeId): void {
    this.linkListeners.emit(peer, true);
    // Direct messages need my place (the package names my path): a link that opens before
    // my first position is greeted when the position arrives.
    if (!this.table) return;
    this.reconciler.linkUp(peer);
    this.latest.linkUp(peer);
  }

  private sendDirect(peer: NodeId, kind: DirectMessage['kind']): void {
    const table = this.table;
    if (!table) return;
    const direct = create(DirectMessageSchema, { kind });
    const pkg = this.makePackage(table, [], { case: 'direct', value: direct });
    this.sendFrame(peer, 'control', toBinary(PackageSchema, pkg));
    this.stats.directSent++;
  }

  // ---- position ---------------------------------------------------------------------------

  private applyPosition(position: Position): void {
    const current = this.table?.position;
    if (current && position.epoch < current.epoch) return;
    const first = this.table === undefined;
    this.table = new RouteTable(position);
    this.joinedAt ??= this.now();
    this.positionListeners.emit(position);
    this.reconciler.positionChanged();
    if (first) for (const peer of this.links.openPeers()) this.latest.linkUp(peer);
  }

  // ---- helpers ---------------------------------------------------------------------------

  private textTooLong(content: Content): boolean {
    return content.case === 'text' && utf8ByteLength(content.value.text) > this.config.maxTextBytes;
  }

  private requireTable(): RouteTable {
    if (!this.table || this.closed)
      throw new EngineError('NOT_JOINED', 'this node has no place in the pool yet');
    return this.table;
  }

  private compose(content: Content): { message: PoolMessage; signed: SignedPoolMessage } {
    const { identity, crypto, random } = this.options;
    const message = create(PoolMessageSchema, {
      id: random.id(21),
      authorNodeId: identity.nodeId,
      userId: identity.userId,
      createdMs: BigInt(this.now()),
      content,
    });
    return { message, signed: signPoolMessage(crypto, identity, message) };
  }

  private makePackage(
    table: RouteTable,
    dests: Dest[],
    body: Package['body'],
    lane?: number,
  ): Package {
    return create(PackageSchema, {
      version: PROTOCOL_VERSION,
      src: { nodeId: this.id, path: [...table.path], slot: table.slot },
      dests,
      lane,
      hops: 0,
      body,
    });
  }

  private now(): number {
    return this.options.clock.now();
  }
}

function toDests(destinations: readonly Destination[]): Dest[] {
  return destinations.map((d) => create(DestSchema, { nodeId: d.nodeId, path: [...d.path] }));
}

/** The package's source as a typed value, or undefined when it has none. */
function sourceOf(pkg: Package): PackageSource | undefined {
  const src = pkg.src;
  return src ? { nodeId: src.nodeId as NodeId, path: [...src.path], slot: src.slot } : undefined;
}

/** Every relay's promised ranges on a package, flattened. */
function promisedRanges(pkg: Package): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const promise of pkg.promised) {
    for (const r of promise.ranges) out.push([Number(r.start), Number(r.end)]);
  }
  return out;
}

/** Directed messages the receiver acknowledges and the sender repeats until it does (RT7). */
const acknowledged = (content: Content): boolean => content.case !== 'fileRequest';
