import type { NodeId } from '@poolnet/protocol';
import type { Clock } from '../ports/clock.js';
import type { Random } from '../ports/random.js';
import type {
  Channel,
  LinkRole,
  OpenOptions,
  PeerLink,
  SignalPipe,
  Transport,
} from '../ports/transport.js';
import { LinkError } from '../errors.js';
import { Listeners } from '../util/listeners.js';

export interface MemoryNetworkOptions {
  clock: Clock;
  random?: Random;
  /** One-way delay per frame, ms: a number or a [min, max] range drawn per frame. */
  latencyMs?: number | readonly [number, number];
  /** Probability that a frame is silently dropped (failure injection; 0 by default). */
  lossRate?: number;
  /** Largest frame a link accepts (default 256 KiB, like a WebRTC data channel). */
  maxMessageBytes?: number;
  /**
   * Serialisation rate of each channel of each link, bytes per ms (default 100_000, ~100 MB/s):
   * a backlog on one channel delays that channel only.
   */
  bytesPerMs?: number;
  /** Buffered bytes at or below which `onDrain` fires (default 64 KiB). */
  lowWaterMark?: number;
  /**
   * Manual mode: frames wait in a queue until `flush()`, for deterministic interleavings in
   * tests. Signalling and link set-up still use the clock.
   */
  manual?: boolean;
}

interface Frame {
  link: MemoryLink;
  channel: Channel;
  data: Uint8Array;
}

/** Counters of what crossed the network. */
export interface MemoryNetworkStats {
  framesSent: number;
  framesDelivered: number;
  framesDropped: number;
  bytesDelivered: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * An in-memory network of nodes: product code, used by unit tests and the simulator. Links
 * are opened through real signalling (an offer and an answer over the engine's SignalPipe) and
 * then carry frames with latency, optional loss and a size limit, per channel in order.
 */
export class MemoryNetwork {
  readonly stats: MemoryNetworkStats = {
    framesSent: 0,
    framesDelivered: 0,
    framesDropped: 0,
    bytesDelivered: 0,
  };
  readonly maxMessageBytes: number;
  readonly lowWaterMark: number;
  private readonly transports = new Map<NodeId, MemoryTransport>();
  private readonly offers = new Map<string, MemoryLink>();
  private readonly queue: Frame[] = [];
  private linkCounter = 0;
  private readonly rates = new Map<string, number>();

  constructor(readonly options: MemoryNetworkOptions) {
    this.maxMessageBytes = options.maxMessageBytes ?? 256 * 1024;
    this.lowWaterMark = options.lowWaterMark ?? 64 * 1024;
  }

  get clock(): Clock {
    return this.options.clock;
  }

  /** The transport of one node (one per node id). */
  transport(nodeId: NodeId): MemoryTransport {
    let t = this.transports.get(nodeId);
    if (!t) {
      t = new MemoryTransport(this, nodeId);
      this.transports.set(nodeId, t);
    }
    return t;
  }

  /** Forget a node's transport after closing its links (a device leaving). */
  remove(nodeId: NodeId): void {
    this.transports.get(nodeId)?.close();
    this.transports.delete(nodeId);
  }

  /** Manual mode: deliver queued frames (and those they cause) up to `maxFrames`. */
  flush(maxFrames = Number.POSITIVE_INFINITY): number {
    let delivered = 0;
    while (this.queue.length > 0 && delivered < maxFrames) {
      const frame = this.queue.shift()!;
      frame.link.deliver(frame.channel, frame.data);
      delivered++;
    }
    return delivered;
  }

  /** Frames waiting for `flush()` in manual mode. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Serialisation rate of the links from `from` to `to` (bytes per ms), in that direction
   * only: a slow or stalled link for backpressure tests. Applies to frames sent from now on.
   */
  setRate(from: NodeId, to: NodeId, bytesPerMs: number): void {
    this.rates.set(`${from}>${to}`, bytesPerMs);
  }

  /** @internal */
  rateOf(from: NodeId, to: NodeId): number {
    return this.rates.get(`${from}>${to}`) ?? this.options.bytesPerMs ?? 100_000;
  }

  /** @internal */
  latency(): number {
    const l = this.options.latencyMs ?? 0;
    if (typeof l === 'number') return l;
    const r = this.options.random;
    // Whole milliseconds: frames then share instants, which keeps virtual time cheap to run.
    return r ? Math.round(l[0] + r.next() * (l[1] - l[0])) : l[0];
  }

  /** @internal */
  lost(): boolean {
    const rate = this.options.lossRate ?? 0;
    return rate > 0 && (this.options.random?.next() ?? Math.random()) < rate;
  }

  /** @internal */
  enqueue(frame: Frame): void {
    this.queue.push(frame);
  }

  /** @internal */
  newOffer(local: MemoryLink): string {
    const id = `l${++this.linkCounter}`;
    this.offers.set(id, local);
    return id;
  }

  /** @internal */
  takeOffer(id: string): MemoryLink | undefined {
    const link = this.offers.get(id);
    this.offers.delete(id);
    return link;
  }
}

/** A node's transport on the memory network. */
export class MemoryTransport implements Transport {
  readonly kind = 'memory';
  private readonly links = new Set<MemoryLink>();
  private closed = false;

  constructor(
    private readonly network: MemoryNetwork,
    readonly nodeId: NodeId,
  ) {}

  open(
    peer: NodeId,
    role: LinkRole,
    signals: SignalPipe,
    options?: OpenOptions,
  ): Promise<PeerLink> {
    return new Promise<PeerLink>((resolve, reject) => {
      if (this.closed) return reject(new LinkError('OPEN_FAILED', 'transport closed'));
      let unsubscribe = (): void => {};
      let local: MemoryLink | undefined;
      const fail = (error: LinkError): void => {
        unsubscribe();
        local?.close();
        reject(error);
      };
      if (options?.signal?.aborted) return fail(new LinkError('ABORTED', 'open aborted'));
      options?.signal?.addEventListener(
        'abort',
        () => fail(new LinkError('ABORTED', 'open aborted')),
        {
          once: true,
        },
      );
      const done = (link: MemoryLink): void => {
        unsubscribe();
        if (options?.signal?.aborted || this.closed) return link.close();
        this.links.add(link);
        link.onClose(() => this.links.delete(link));
        resolve(link);
      };
      if (role === 'initiator') {
        local = new MemoryLink(this.network, this.nodeId, peer);
        const offerId = this.network.newOffer(local);
        const mine = local;
        unsubscribe = signals.onSignal((payload) => {
          const msg = parseSignal(payload);
          if (msg?.type === 'answer' && msg.id === offerId) done(mine);
        });
        signals.send(
          encoder.encode(JSON.stringify({ type: 'offer', id: offerId, from: this.nodeId })),
        );
      } else {
        unsubscribe = signals.onSignal((payload) => {
          const msg = parseSignal(payload);
          if (msg?.type !== 'offer') return;
          const remote = this.network.takeOffer(msg.id);
          if (!remote || remote.local !== peer || remote.remote !== this.nodeId) return;
          const link = new MemoryLink(this.network, this.nodeId, peer);
          link.pair(remote);
          remote.pair(link);
          signals.send(encoder.encode(JSON.stringify({ type: 'answer', id: msg.id })));
          done(link);
        });
      }
    });
  }

  close(): void {
    this.closed = true;
    for (const link of [...this.links]) link.close();
  }
}

function parseSignal(payload: Uint8Array): { type: string; id: string } | undefined {
  try {
    const value: unknown = JSON.parse(decoder.decode(payload));
    if (typeof value === 'object' && value !== null && 'type' in value && 'id' in value) {
      const { type, id } = value as { type: unknown; id: unknown };
      if (typeof type === 'string' && typeof id === 'string') return { type, id };
    }
  } catch {
    // Not ours: ignore, like any transport ignores garbage signalling.
  }
  return undefined;
}

/** One end of a memory link. */
export class MemoryLink implements PeerLink {
  readonly kind = 'memory';
  readonly maxMessageBytes: number;
  private other: MemoryLink | undefined;
  private open = true;
  private readonly buffered = { control: 0, bulk: 0 };
  private readonly lastArrival = { control: 0, bulk: 0 };
  private readonly wireFreeAt = { control: 0, bulk: 0 };
  private readonly inFlight: Record<Channel, Uint8Array[]> = { control: [], bulk: [] };
  private readonly messageListeners = new Listeners<[Uint8Array, Channel]>();
  private readonly drainListeners = new Listeners<[Channel]>();
  private readonly closeListeners = new Listeners<[Error | undefined]>();

  constructor(
    private readonly network: MemoryNetwork,
    readonly local: NodeId,
    readonly remote: NodeId,
  ) {
    this.maxMessageBytes = network.maxMessageBytes;
  }

  get peer(): NodeId {
    return this.remote;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** @internal */
  pair(other: MemoryLink): void {
    this.other = other;
  }

  send(channel: Channel, frame: Uint8Array): void {
    if (!this.open) throw new LinkError('LINK_CLOSED', `link to ${this.remote} is closed`);
    if (frame.byteLength > this.maxMessageBytes) {
      throw new LinkError(
        'MESSAGE_TOO_LARGE',
        `frame of ${frame.byteLength} bytes exceeds ${this.maxMessageBytes}`,
      );
    }
    const target = this.other;
    if (!target) throw new LinkError('LINK_CLOSED', 'link not paired');
    const network = this.network;
    network.stats.framesSent++;
    this.buffered[channel] += frame.byteLength;
    if (network.options.manual) {
      network.enqueue({ link: this, channel, data: frame });
      return;
    }
    const clock = network.clock;
    const rate = network.rateOf(this.local, this.remote);
    const departure = Math.max(clock.now(), this.wireFreeAt[channel]) + frame.byteLength / rate;
    this.wireFreeAt[channel] = departure;
    // Whole milliseconds, like the latency: frames share instants of virtual time.
    const arrival = Math.max(Math.round(departure + network.latency()), this.lastArrival[channel]);
    this.lastArrival[channel] = arrival;
    // Each timer delivers the oldest frame in flight, so order holds even if timers with
    // equal due times fire in another order (real timers promise nothing there).
    const inFlight = this.inFlight[channel];
    inFlight.push(frame);
    clock.setTimeout(() => this.deliver(channel, inFlight.shift()!), arrival - clock.now());
  }

  /** @internal Hand a frame sent by this end to the other end. */
  deliver(channel: Channel, frame: Uint8Array): void {
    const network = this.network;
    const before = this.buffered[channel];
    this.buffered[channel] = Math.max(0, before - frame.byteLength);
    // Frames sent before a close still arrive (a graceful close flushes, like TCP's FIN after
    // the data); only a receiving end that is gone drops them.
    const target = this.other;
    if (!target || !target.open || network.lost()) {
      network.stats.framesDropped++;
      return;
    }
    network.stats.framesDelivered++;
    network.stats.bytesDelivered += frame.byteLength;
    target.messageListeners.emit(frame, channel);
    if (before > network.lowWaterMark && this.buffered[channel] <= network.lowWaterMark) {
      this.drainListeners.emit(channel);
    }
  }

  bufferedAmount(channel: Channel): number {
    return this.buffered[channel];
  }

  onMessage(listener: (frame: Uint8Array, channel: Channel) => void): () => void {
    return this.messageListeners.add(listener);
  }

  onDrain(listener: (channel: Channel) => void): () => void {
    return this.drainListeners.add(listener);
  }

  onClose(listener: (reason?: Error) => void): () => void {
    return this.closeListeners.add(listener);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.closeListeners.emit(undefined);
    const other = this.other;
    if (other?.open) {
      // The far end learns of the close one latency later, after the frames already on their
      // way (the FIN follows the data).
      const clock = this.network.clock;
      const at = Math.max(
        clock.now() + this.network.latency(),
        this.lastArrival.control,
        this.lastArrival.bulk,
      );
      clock.setTimeout(() => other.close(), at - clock.now());
    }
  }
}
