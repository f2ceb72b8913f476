import {
  LinkError,
  LinkEvents,
  Listeners,
  type Cancel,
  type Channel,
  type LinkRole,
  type PeerLink,
  type SignalPipe,
} from '@poolnet/engine';
import type { NodeId } from '@poolnet/protocol';
import type { ControlMessage } from './control-codec.js';
import { SelectError } from './errors.js';
import { HeldFrames } from './held-frames.js';
import { LinkRace, type Chosen } from './link-race.js';
import type { SelectSettings } from './options.js';
import { SignalMux, type DroppedSignals } from './signal-mux.js';

/** `opening` until the first carrier is kept; `reopening` while a dropped one is replaced. */
export type SelectedLinkState = 'opening' | 'open' | 'reopening' | 'closed';

export interface SelectedLinkSetup {
  readonly peer: NodeId;
  readonly role: LinkRole;
  readonly signals: SignalPipe;
  readonly settings: SelectSettings;
  /** Called once when the link is closed or its opening failed. */
  readonly released: () => void;
}

interface Carrier extends Chosen {
  readonly offs: Array<() => void>;
}

/**
 * The link a selecting transport hands the engine: one `PeerLink` carried by one transport's
 * link at a time (the carrier), `kind` naming it. It lives from `open` to close:
 *
 * - Opening (epoch 0): both ends say hello (their transport ids) on the shared signal pipe and
 *   race every transport they have in common (`LinkRace`); the initiator keeps one and tells
 *   the responder (`choose`).
 * - Fallback: when the carrier drops with an error (not a close by either end), this end
 *   enters the next epoch, tells the far end (`reopen`, naming the transport that dropped) and
 *   races the transports that have not dropped yet, the same way. The far end follows as soon
 *   as it hears `reopen` (closing its carrier if it had not noticed), and must answer within
 *   `peerAnswerMs`. Frames sent meanwhile are held (bounded) and go out on the new carrier;
 *   frames the dead carrier had taken are lost. The engine sees a close only when no
 *   transport is left, or the far end is silent or says `bye`.
 * - A carrier closed by the far end without an error (TCP BYE, data channels closed) means
 *   the far end closed the link: this end closes too.
 */
export class SelectedLink implements PeerLink {
  readonly peer: NodeId;
  /** Resolves with this link once the first carrier is kept; rejects with a `LinkError`. */
  readonly opened: Promise<SelectedLink>;
  /** Carriers replaced after a drop so far. */
  fallbacks = 0;
  /** Frames refused while re-opening (held bytes full, or above the new carrier's limit). */
  droppedFrames = 0;
  private resolveOpened!: (link: SelectedLink) => void;
  private rejectOpened!: (error: LinkError) => void;
  private current: SelectedLinkState = 'opening';
  private epoch = 0;
  private carrier: Carrier | undefined;
  private lastKind: string;
  private lastMaxMessageBytes: number;
  private race: LinkRace | undefined;
  /** Transports whose carrier dropped: a re-open does not try them again. */
  private readonly droppedIds = new Set<number>();
  private peerIds: ReadonlySet<number> | undefined;
  private readonly nonce: string;
  /** The link's session: the initiator's nonce (the responder learns it from its hello). */
  private session: string | undefined;
  private cancelAnswer: Cancel | undefined;
  private readonly held: HeldFrames;
  private readonly events = new LinkEvents();
  private readonly mux: SignalMux;
  private readonly carrierListeners = new Listeners<[string]>();

  constructor(private readonly setup: SelectedLinkSetup) {
    const { peer, role, settings } = setup;
    this.peer = peer;
    this.opened = new Promise<SelectedLink>((resolve, reject) => {
      this.resolveOpened = resolve;
      this.rejectOpened = reject;
    });
    const first = settings.candidates[0]!;
    this.lastKind = first.transport.kind;
    this.lastMaxMessageBytes = 0;
    this.held = new HeldFrames(settings.maxHeldBytes);
    this.nonce = settings.random.id(16);
    if (role === 'initiator') this.session = this.nonce;
    const ids = new Set(settings.candidates.map((c) => c.id));
    this.mux = new SignalMux(setup.signals, ids, (message, epoch) => this.control(message, epoch));
    this.mux.sendControl({ t: 'hello', n: this.nonce, ids: [...ids] }, 0);
    this.startRace(settings.candidates);
    // Last: the pipe may replay early blobs at once, which needs the race above.
    this.mux.listen();
  }

  get state(): SelectedLinkState {
    return this.current;
  }

  /** The kind of the transport carrying the link now (the last one while re-opening). */
  get kind(): string {
    return this.carrier?.kind ?? this.lastKind;
  }

  get isOpen(): boolean {
    return this.current === 'open' || this.current === 'reopening';
  }

  /** The carrier's limit (the last carrier's while re-opening). */
  get maxMessageBytes(): number {
    return this.carrier?.link.maxMessageBytes ?? this.lastMaxMessageBytes;
  }

  /** The carrying transport's own link (diagnostics and tests); undefined while re-opening. */
  get carrierLink(): PeerLink | undefined {
    return this.carrier?.link;
  }

  /** Signalling blobs refused so far, by reason. */
  get droppedSignals(): Readonly<DroppedSignals> {
    return this.mux.dropped;
  }

  send(channel: Channel, frame: Uint8Array): void {
    if (!this.isOpen) throw new LinkError('LINK_CLOSED', `link to ${this.peer} is closed`);
    const carrier = this.carrier;
    if (carrier) {
      try {
        return carrier.link.send(channel, frame);
      } catch (error) {
        // The carrier broke under this very send: its close has started a re-open.
        const broke = error instanceof LinkError && error.code === 'LINK_CLOSED';
        if (!broke || this.carrier === carrier || !this.isOpen) throw error;
      }
    }
    if (frame.byteLength > this.maxMessageBytes) {
      throw new LinkError(
        'MESSAGE_TOO_LARGE',
        `frame of ${frame.byteLength} bytes exceeds ${this.maxMessageBytes}`,
      );
    }
    if (!this.held.push(channel, frame)) this.droppedFrames++;
  }

  bufferedAmount(channel: Channel): number {
    if (!this.isOpen) return 0;
    return this.held.bytesOf(channel) + (this.carrier?.link.bufferedAmount(channel) ?? 0);
  }

  onMessage(listener: (frame: Uint8Array, channel: Channel) => void): () => void {
    return this.events.onMessage(listener);
  }

  onDrain(listener: (channel: Channel) => void): () => void {
    return this.events.onDrain(listener);
  }

  onClose(listener: (reason?: Error) => void): () => void {
    return this.events.onClose(listener);
  }

  /** Fired with the new kind whenever another transport takes over the link. */
  onCarrier(listener: (kind: string) => void): () => void {
    return this.carrierListeners.add(listener);
  }

  close(): void {
    this.end(undefined);
  }

  /** Fail the opening with `error` (abort, transport closed); closes an open link. */
  abandon(error: LinkError): void {
    this.end(this.current === 'opening' ? error : undefined);
  }

  private control(message: ControlMessage, epoch: number): void {
    if (this.current === 'closed') return;
    if (message.t === 'hello') return this.hello(message.n, message.ids);
    if (message.n !== this.session) {
      this.mux.dropped.stale++; // Another link's (an earlier one with this peer), or forged.
      return;
    }
    if (message.t === 'choose') {
      if (this.setup.role === 'responder' && epoch === this.epoch) this.race?.chosen(message.id);
      return;
    }
    if (message.t === 'reopen') return this.reopenHeard(epoch, message.failed);
    const cause = new SelectError('PEER_CLOSED', `${this.peer} gave the link up`);
    this.end(
      this.current === 'opening'
        ? new LinkError('OPEN_FAILED', cause.message, { cause })
        : new LinkError('LINK_CLOSED', cause.message, { cause }),
    );
  }

  /** The far end's hello (both ends send one at open). Later ones are stale or repeats. */
  private hello(nonce: string, ids: readonly number[]): void {
    if (this.current !== 'opening') return;
    if (this.setup.role === 'responder') this.session = nonce;
    this.peerIds = new Set(ids);
    this.race?.restrict(this.peerIds);
  }

  /** The far end entered `epoch`: it lost the carrier on transport `failed`, or answers us. */
  private reopenHeard(epoch: number, failed: number): void {
    if (epoch === this.epoch) {
      // Its answer to our re-open (or a repeat).
      this.cancelAnswer?.();
      this.cancelAnswer = undefined;
      return;
    }
    if (epoch !== this.epoch + 1) {
      this.mux.dropped.stale++;
      return;
    }
    const reason = new LinkError('LINK_CLOSED', `${this.peer} lost the ${this.kind} carrier`);
    this.reopen(failed, reason, true);
  }

  /**
   * Enter the next epoch: retire the carrier (or the race in progress), tell the far end, and
   * race the transports left.
   */
  private reopen(failed: number, reason: Error, answered: boolean): void {
    if (this.epoch >= 255) return this.end(new LinkError('LINK_CLOSED', 'too many re-opens'));
    this.epoch++;
    this.mux.advance(this.epoch);
    this.droppedIds.add(failed);
    this.fallbacks++;
    const race = this.race;
    this.race = undefined;
    race?.abandon(new LinkError('ABORTED', 'superseded by a re-open'));
    this.retireCarrier();
    if (this.current === 'open') this.current = 'reopening';
    this.mux.sendControl({ t: 'reopen', n: this.session!, failed }, this.epoch);
    this.cancelAnswer?.();
    this.cancelAnswer = undefined;
    if (!answered) {
      const { clock, peerAnswerMs } = this.setup.settings;
      this.cancelAnswer = clock.setTimeout(() => {
        const cause = new SelectError(
          'PEER_SILENT',
          `${this.peer} did not answer the re-open within ${peerAnswerMs} ms`,
          { cause: reason },
        );
        this.end(this.lost(new LinkError('OPEN_FAILED', cause.message, { cause })));
      }, peerAnswerMs);
    }
    const left = this.setup.settings.candidates.filter(
      (c) => !this.droppedIds.has(c.id) && (this.peerIds?.has(c.id) ?? true),
    );
    this.startRace(left);
  }

  private startRace(candidates: SelectSettings['candidates']): void {
    const { peer, role, settings } = this.setup;
    const epoch = this.epoch;
    const race = new LinkRace({
      peer,
      role,
      candidates,
      pipeFor: (id) => this.mux.pipeFor(id, epoch),
      announce: (id) => this.mux.sendControl({ t: 'choose', n: this.session!, id }, epoch),
      preferWindowMs: settings.preferWindowMs,
      timeoutMs: settings.openTimeoutMs,
      clock: settings.clock,
    });
    this.race = race;
    race.result.then(
      (chosen) => {
        if (this.race !== race) return chosen.link.close();
        this.race = undefined;
        this.adopt(chosen);
      },
      (error: LinkError) => {
        if (this.race !== race) return;
        this.race = undefined;
        this.end(this.current === 'opening' ? error : this.lost(error));
      },
    );
  }

  /** Make `chosen` the carrier: forward its events, send what was held. */
  private adopt(chosen: Chosen): void {
    const { link } = chosen;
    const carrier: Carrier = { ...chosen, offs: [] };
    this.carrier = carrier;
    this.lastKind = chosen.kind;
    this.lastMaxMessageBytes = link.maxMessageBytes;
    this.cancelAnswer?.();
    this.cancelAnswer = undefined;
    carrier.offs.push(
      link.onMessage((frame, channel) => this.events.message(frame, channel)),
      link.onDrain((channel) => this.isOpen && this.events.drain(channel)),
      link.onClose((reason) => this.carrierClosed(carrier, reason)),
    );
    const reopened = this.current === 'reopening';
    this.current = 'open';
    if (!reopened) return this.resolveOpened(this);
    for (const channel of ['control', 'bulk'] as const) {
      for (const frame of this.held.drain(channel)) {
        if (this.carrier !== carrier) return; // It broke while we sent: held frames are lost.
        if (frame.byteLength > link.maxMessageBytes) {
          this.droppedFrames++;
          continue;
        }
        try {
          link.send(channel, frame);
        } catch {
          this.droppedFrames++;
        }
      }
    }
    this.carrierListeners.emit(chosen.kind);
    // Whoever waited for the dead carrier to drain would wait forever.
    for (const channel of ['control', 'bulk'] as const) this.events.drain(channel);
  }

  private carrierClosed(carrier: Carrier, reason: Error | undefined): void {
    if (this.carrier !== carrier) return;
    this.retireCarrier();
    if (reason === undefined) return this.end(undefined);
    this.reopen(carrier.id, reason, false);
  }

  /** Detach from the carrier and close it (a no-op when it is closed already). */
  private retireCarrier(): void {
    const carrier = this.carrier;
    if (!carrier) return;
    this.carrier = undefined;
    for (const off of carrier.offs) off();
    carrier.link.close();
  }

  /** The error the engine sees when no transport could take over. */
  private lost(cause: LinkError): LinkError {
    return new LinkError('LINK_CLOSED', `lost ${this.peer}: no transport could take over`, {
      cause,
    });
  }

  /**
   * Close once, whoever asks: the engine (`reason` undefined), the far end (its carrier closed
   * without error, or `bye`), or the failure of every transport. While opening, `reason` is
   * the opening's error (the `opened` promise rejects with it).
   */
  private end(reason: Error | undefined): void {
    const was = this.current;
    if (was === 'closed') return;
    this.current = 'closed';
    this.cancelAnswer?.();
    const race = this.race;
    this.race = undefined;
    race?.abandon(new LinkError('ABORTED', 'link closed'));
    const hadCarrier = this.carrier !== undefined;
    this.retireCarrier();
    // Without a carrier, the far end may be waiting for us: tell it through the pipe.
    if (!hadCarrier && this.session !== undefined) {
      this.mux.sendControl({ t: 'bye', n: this.session }, this.epoch);
    }
    this.mux.close();
    this.held.clear();
    this.setup.released();
    if (was === 'opening') {
      this.rejectOpened(
        reason instanceof LinkError
          ? reason
          : new LinkError('OPEN_FAILED', 'link closed', { cause: reason }),
      );
    }
    // While opening, the link was not handed out yet: its events have no listeners.
    this.events.close(reason);
    this.carrierListeners.clear();
  }
}
