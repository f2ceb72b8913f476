import type { SignalPipe } from '@poolnet/engine';
import { decodeControl, encodeControl, type ControlMessage } from './control-codec.js';
import { CONTROL_ID } from './transport-ids.js';

/** Blobs held for transports that have not subscribed yet, at most (all epochs together). */
const MAX_HELD_BLOBS = 64;
/** The first byte of a JSON blob: what an unwrapped transport (no selector) sends. */
const OPEN_BRACE = 0x7b;

/** Blobs the mux refused, by reason: never an exception, only these counters. */
export interface DroppedSignals {
  /** No header, or a bare JSON blob: the far end does not use a selector. */
  untagged: number;
  /** A transport id we do not have (the far end offers more than we do). */
  unknownTransport: number;
  /** A blob of an epoch we left: an attempt that is over. */
  stale: number;
  /** A control blob that does not decode. */
  badControl: number;
  /** Nobody listened yet and the hold was full. */
  overflow: number;
}

interface Route {
  readonly listeners: Set<(payload: Uint8Array) => void>;
  readonly held: Uint8Array[];
}

/**
 * One signal pipe shared by every transport of a selecting link. Each blob carries a two-byte
 * header: the transport id (`TRANSPORT_IDS`; 0 for the selector's control messages) and the
 * epoch (0 for the first open, +1 for each re-open after a drop), then the payload unchanged.
 * So each transport sees a pipe of its own per epoch, and the blobs of an attempt that is over
 * can never reach the next one. Blobs that arrive before their transport subscribes are held
 * (bounded) and replayed on subscription, as the engine does for the whole pipe.
 */
export class SignalMux {
  readonly dropped: DroppedSignals = {
    untagged: 0,
    unknownTransport: 0,
    stale: 0,
    badControl: 0,
    overflow: 0,
  };
  private floor = 0;
  private heldCount = 0;
  private readonly routes = new Map<string, Route>();
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly pipe: SignalPipe,
    private readonly ids: ReadonlySet<number>,
    private readonly onControl: (message: ControlMessage, epoch: number) => void,
  ) {}

  /**
   * Start receiving. Separate from the constructor because the pipe may replay blobs that
   * arrived early at once, and the owner must be ready for them.
   */
  listen(): void {
    if (this.unsubscribe || this.closed) return;
    this.unsubscribe = this.pipe.onSignal((payload) => this.receive(payload));
    if (this.closed) this.unsubscribe();
  }

  /** The pipe transport `id` uses in `epoch`. */
  pipeFor(id: number, epoch: number): SignalPipe {
    return {
      // An attempt that is over (or a closed link) has nothing more to say.
      send: (payload) => {
        if (!this.closed && epoch >= this.floor) this.pipe.send(withHeader(id, epoch, payload));
      },
      onSignal: (listener) => {
        const route = this.route(id, epoch);
        route.listeners.add(listener);
        const held = route.held.splice(0);
        this.heldCount -= held.length;
        for (const payload of held) deliver(listener, payload);
        return () => route.listeners.delete(listener);
      },
    };
  }

  /**
   * Best effort: a pipe that throws (signalling down) must not break the link's state machine;
   * the far end's timers cover a lost control message.
   */
  sendControl(message: ControlMessage, epoch: number): void {
    if (this.closed) return;
    try {
      this.pipe.send(withHeader(CONTROL_ID, epoch, encodeControl(message)));
    } catch {
      // See above.
    }
  }

  /** Enter `epoch`: the blobs of earlier epochs are stale from now on. */
  advance(epoch: number): void {
    this.floor = epoch;
    for (const [key, route] of this.routes) {
      if (Number(key.split('/')[1]) >= epoch) continue;
      this.heldCount -= route.held.length;
      this.routes.delete(key);
    }
  }

  /** Stop listening to the pipe. */
  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.routes.clear();
    this.heldCount = 0;
  }

  /** Sum of the drop counters. */
  get droppedTotal(): number {
    const d = this.dropped;
    return d.untagged + d.unknownTransport + d.stale + d.badControl + d.overflow;
  }

  private receive(blob: Uint8Array): void {
    if (this.closed) return;
    if (blob.byteLength < 2 || blob[0] === OPEN_BRACE) {
      this.dropped.untagged++;
      return;
    }
    const id = blob[0]!;
    const epoch = blob[1]!;
    const payload = blob.subarray(2);
    if (id === CONTROL_ID) {
      const message = decodeControl(payload);
      if (!message) this.dropped.badControl++;
      else this.onControl(message, epoch);
      return;
    }
    if (!this.ids.has(id)) {
      this.dropped.unknownTransport++;
      return;
    }
    if (epoch < this.floor) {
      this.dropped.stale++;
      return;
    }
    const route = this.route(id, epoch);
    if (route.listeners.size > 0) {
      for (const listener of [...route.listeners]) deliver(listener, payload);
    } else if (this.heldCount < MAX_HELD_BLOBS) {
      route.held.push(payload);
      this.heldCount++;
    } else {
      this.dropped.overflow++;
    }
  }

  private route(id: number, epoch: number): Route {
    const key = `${id}/${epoch}`;
    let route = this.routes.get(key);
    if (!route) {
      route = { listeners: new Set(), held: [] };
      this.routes.set(key, route);
    }
    return route;
  }
}

function withHeader(id: number, epoch: number, payload: Uint8Array): Uint8Array {
  const blob = new Uint8Array(payload.byteLength + 2);
  blob[0] = id;
  blob[1] = epoch;
  blob.set(payload, 2);
  return blob;
}

/** A transport's listener that throws must not break the mux or the other transports. */
function deliver(listener: (payload: Uint8Array) => void, payload: Uint8Array): void {
  try {
    listener(payload);
  } catch {
    // Isolated, like the engine's Listeners.
  }
}
