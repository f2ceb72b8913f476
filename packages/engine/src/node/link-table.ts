import type { NodeId } from '@poolnet/protocol';
import type { Channel, PeerLink, SignalPipe, Transport } from '../ports/transport.js';
import type { SignallingClient } from '../ports/signalling.js';
import { Listeners } from '../util/listeners.js';

interface Slot {
  link?: PeerLink;
  readonly pending: Array<{ channel: Channel; frame: Uint8Array }>;
  readonly abort: AbortController;
}

export interface LinkTableEvents {
  frame(peer: NodeId, frame: Uint8Array, channel: Channel): void;
  drain(peer: NodeId, channel: Channel): void;
  up(peer: NodeId, link: PeerLink): void;
  down(peer: NodeId): void;
  failed(peer: NodeId, error: unknown): void;
}

const MAX_EARLY_SIGNALS = 32;

/**
 * The links of one node in one pool, opened and closed on the server's orders. Frames sent to
 * a link that is still opening wait in a bounded queue; signalling that arrives before the
 * order to link is kept until the link is opened (the server relays in order, but a peer's
 * first blob can overtake our own order on another path).
 */
export class LinkTable {
  private readonly slots = new Map<NodeId, Slot>();
  private readonly signalListeners = new Map<NodeId, Listeners<[Uint8Array]>>();
  private readonly earlySignals = new Map<NodeId, Uint8Array[]>();
  dropped = 0;

  constructor(
    private readonly transport: Transport,
    private readonly signalling: SignallingClient,
    private readonly events: LinkTableEvents,
    private readonly maxPending = 1024,
  ) {}

  /** Open a link to `peer` unless one exists or is opening. */
  connect(peer: NodeId, initiator: boolean): void {
    if (this.slots.has(peer)) return;
    const slot: Slot = { pending: [], abort: new AbortController() };
    this.slots.set(peer, slot);
    const pipe: SignalPipe = {
      send: (payload) => this.signalling.sendSignal(peer, payload),
      onSignal: (listener) => {
        let ls = this.signalListeners.get(peer);
        if (!ls) {
          ls = new Listeners();
          this.signalListeners.set(peer, ls);
        }
        const off = ls.add(listener);
        const early = this.earlySignals.get(peer);
        this.earlySignals.delete(peer);
        for (const payload of early ?? []) listener(payload);
        return off;
      },
    };
    this.transport
      .open(peer, initiator ? 'initiator' : 'responder', pipe, { signal: slot.abort.signal })
      .then(
        (link) => {
          if (this.slots.get(peer) !== slot) return link.close();
          slot.link = link;
          link.onMessage((frame, channel) => this.events.frame(peer, frame, channel));
          link.onDrain((channel) => this.events.drain(peer, channel));
          link.onClose(() => {
            if (this.slots.get(peer)?.link !== link) return;
            this.slots.delete(peer);
            this.events.down(peer);
          });
          for (const { channel, frame } of slot.pending.splice(0))
            this.sendOn(link, channel, frame);
          this.events.up(peer, link);
        },
        (error: unknown) => {
          if (this.slots.get(peer) !== slot) return;
          this.slots.delete(peer);
          this.events.failed(peer, error);
        },
      );
  }

  /** Close and forget the link to `peer`. */
  disconnect(peer: NodeId): void {
    const slot = this.slots.get(peer);
    this.slots.delete(peer);
    this.signalListeners.delete(peer);
    this.earlySignals.delete(peer);
    if (!slot) return;
    slot.abort.abort();
    if (slot.link) {
      slot.link.close();
      this.events.down(peer);
    }
  }

  /** A signalling blob from the server for the link with `from`. */
  signal(from: NodeId, payload: Uint8Array): void {
    const ls = this.signalListeners.get(from);
    if (ls && ls.size > 0) return ls.emit(payload);
    const early = this.earlySignals.get(from) ?? [];
    if (early.length < MAX_EARLY_SIGNALS && this.earlySignals.size < 64) {
      early.push(payload);
      this.earlySignals.set(from, early);
    }
  }

  /** Send now if open, queue if opening; false when there is no link to `peer`. */
  send(peer: NodeId, channel: Channel, frame: Uint8Array): boolean {
    const slot = this.slots.get(peer);
    if (!slot) return false;
    if (slot.link) return this.sendOn(slot.link, channel, frame);
    if (slot.pending.length >= this.maxPending) {
      this.dropped++;
      return false;
    }
    slot.pending.push({ channel, frame });
    return true;
  }

  isOpen(peer: NodeId): boolean {
    return this.slots.get(peer)?.link?.isOpen === true;
  }

  /** Peers with an open link. */
  openPeers(): NodeId[] {
    const out: NodeId[] = [];
    for (const [peer, slot] of this.slots) if (slot.link?.isOpen) out.push(peer);
    return out;
  }

  /** Peers with a link open or opening. */
  peers(): NodeId[] {
    return [...this.slots.keys()];
  }

  link(peer: NodeId): PeerLink | undefined {
    return this.slots.get(peer)?.link;
  }

  closeAll(): void {
    for (const peer of [...this.slots.keys()]) this.disconnect(peer);
  }

  private sendOn(link: PeerLink, channel: Channel, frame: Uint8Array): boolean {
    try {
      link.send(channel, frame);
      return true;
    } catch {
      this.dropped++;
      return false;
    }
  }
}
