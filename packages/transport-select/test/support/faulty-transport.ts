import {
  LinkError,
  systemClock,
  type Channel,
  type LinkRole,
  type OpenOptions,
  type PeerLink,
  type SignalPipe,
  type Transport,
} from '@poolnet/engine';
import { MemoryNetwork } from '@poolnet/engine/testing';
import type { NodeId } from '@poolnet/protocol';

/** How a fake transport behaves on `open`. */
export interface Behaviour {
  /** Resolve this long after the memory link is up. Default 0. */
  delayMs?: number;
  /** Reject with `OPEN_FAILED` (after `delayMs`) instead. */
  fail?: boolean;
}

/**
 * A family of fake transports of one kind on one memory network, for the selector's state
 * machine: their opens can be delayed or fail, and their links can be cut (`sever`: both ends
 * see a `LinkError`) or dropped at one end only (`dropLocally`).
 */
export class FaultyKind {
  private readonly network = new MemoryNetwork({ clock: systemClock });
  readonly links = new Set<FaultyLink>();

  constructor(readonly kind: string) {}

  transport(nodeId: NodeId, behaviour: Behaviour = {}): FaultyTransport {
    return new FaultyTransport(this, this.network.transport(nodeId), behaviour);
  }

  /** Both ends of every open link of this kind fail with `LINK_CLOSED`. */
  sever(): void {
    for (const link of [...this.links]) link.dropLocally();
  }
}

export class FaultyTransport implements Transport {
  readonly kind: string;
  constructor(
    private readonly family: FaultyKind,
    private readonly inner: Transport,
    private readonly behaviour: Behaviour,
  ) {
    this.kind = family.kind;
  }

  async open(
    peer: NodeId,
    role: LinkRole,
    signals: SignalPipe,
    options?: OpenOptions,
  ): Promise<PeerLink> {
    const { delayMs = 0, fail = false } = this.behaviour;
    if (fail) {
      await abortableDelay(delayMs, options?.signal);
      throw new LinkError('OPEN_FAILED', `${this.kind} is broken`);
    }
    const link = await this.inner.open(peer, role, signals, options);
    try {
      await abortableDelay(delayMs, options?.signal);
    } catch (error) {
      link.close();
      throw error;
    }
    const faulty = new FaultyLink(link, this.kind, this.family);
    this.family.links.add(faulty);
    return faulty;
  }

  close(): void {
    this.inner.close();
  }
}

/** A memory link renamed, whose failure can be forced. */
export class FaultyLink implements PeerLink {
  private dead = false;
  private readonly closeListeners = new Set<(reason?: Error) => void>();

  constructor(
    private readonly inner: PeerLink,
    readonly kind: string,
    private readonly family: FaultyKind,
  ) {
    inner.onClose((reason) => this.emitClose(reason));
  }

  get peer(): NodeId {
    return this.inner.peer;
  }
  get isOpen(): boolean {
    return !this.dead && this.inner.isOpen;
  }
  get maxMessageBytes(): number {
    return this.inner.maxMessageBytes;
  }
  send(channel: Channel, frame: Uint8Array): void {
    if (this.dead) throw new LinkError('LINK_CLOSED', 'dropped');
    this.inner.send(channel, frame);
  }
  bufferedAmount(channel: Channel): number {
    return this.inner.bufferedAmount(channel);
  }
  onMessage(listener: (frame: Uint8Array, channel: Channel) => void): () => void {
    return this.inner.onMessage((frame, channel) => !this.dead && listener(frame, channel));
  }
  onDrain(listener: (channel: Channel) => void): () => void {
    return this.inner.onDrain(listener);
  }
  onClose(listener: (reason?: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }
  /** After a drop the connection is gone already: the far end hears nothing (no goodbye). */
  close(): void {
    if (!this.dead) this.inner.close();
  }

  /** This end fails with `LINK_CLOSED`; the far end notices nothing by itself. */
  dropLocally(): void {
    if (this.dead) return;
    this.dead = true;
    this.emitClose(new LinkError('LINK_CLOSED', `${this.kind} dropped`));
  }

  private emitClose(reason: Error | undefined): void {
    if (!this.closeListeners.size && !this.family.links.has(this)) return;
    this.family.links.delete(this);
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    for (const listener of listeners) listener(reason);
  }
}

function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new LinkError('ABORTED', 'open aborted'));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new LinkError('ABORTED', 'open aborted'));
      },
      { once: true },
    );
  });
}
