import {
  LinkError,
  type LinkRole,
  type PeerLink,
  type OpenOptions,
  type SignalPipe,
  type Transport,
} from '@poolnet/engine';
import type { NodeId } from '@poolnet/protocol';
import { resolveOptions, type SelectSettings, type SelectingTransportOptions } from './options.js';
import { SelectedLink, type SelectedLinkState } from './selected-link.js';

/** One link of a selecting transport, for status pages. */
export interface SelectedLinkInfo {
  readonly peer: NodeId;
  /** The transport carrying it now. */
  readonly kind: string;
  readonly state: SelectedLinkState;
  readonly fallbacks: number;
}

/**
 * A `Transport` of kind `'auto'` over an ordered list of transports (most preferred first,
 * e.g. `[tcp, webrtc]` on a native node): each link races all of them over the one signal
 * pipe, keeps the preferred one that comes up (see `LinkRace`), and falls back to another
 * when its carrier drops (see `SelectedLink`). Links report the kind of the transport carrying
 * them. The selecting transport owns the transports it is given: `close` closes them.
 *
 * Both ends of a link must use a selecting transport (every blob is tagged, see
 * `SignalMux`); an end may offer fewer transports (a browser offers `[webrtc]`): the hello
 * each end sends at open lists its transports, and only those both have are tried.
 */
export class SelectingTransport implements Transport {
  readonly kind = 'auto';
  /** The kinds a link of this transport may report, in preference order. */
  readonly kinds: readonly string[];
  /** The options, checked, with defaults filled in. */
  readonly settings: SelectSettings;
  private readonly links = new Set<SelectedLink>();
  private readonly carrierListeners = new Set<(peer: NodeId, kind: string) => void>();
  private closed = false;

  /** Throws `SelectError('INVALID_OPTIONS')` for options that cannot work. */
  constructor(transports: readonly Transport[], options: SelectingTransportOptions = {}) {
    this.settings = resolveOptions(transports, options);
    this.kinds = this.settings.candidates.map((c) => c.transport.kind);
  }

  async open(
    peer: NodeId,
    role: LinkRole,
    signals: SignalPipe,
    options?: OpenOptions,
  ): Promise<SelectedLink> {
    if (this.closed) throw new LinkError('OPEN_FAILED', 'transport closed');
    const userSignal = options?.signal;
    if (userSignal?.aborted) throw new LinkError('ABORTED', 'open aborted');
    const link: SelectedLink = new SelectedLink({
      peer,
      role,
      signals,
      settings: this.settings,
      released: () => this.links.delete(link),
    });
    this.links.add(link);
    link.onCarrier((kind) => {
      for (const listener of [...this.carrierListeners]) {
        try {
          listener(peer, kind);
        } catch {
          // Isolated, like the engine's Listeners.
        }
      }
    });
    const onAbort = (): void => link.abandon(new LinkError('ABORTED', 'open aborted'));
    userSignal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await link.opened;
    } finally {
      userSignal?.removeEventListener('abort', onAbort);
    }
  }

  /** The kind carrying the open link to `peer`, if there is one. */
  kindOf(peer: NodeId): string | undefined {
    let kind: string | undefined;
    for (const link of this.links) if (link.peer === peer && link.isOpen) kind = link.kind;
    return kind;
  }

  /**
   * The carrying transport's own link to `peer` (the open one, if any): diagnostics such as
   * whether a WebRTC link goes through a TURN relay. Undefined while re-opening.
   */
  carrierOf(peer: NodeId): PeerLink | undefined {
    let carrier: PeerLink | undefined;
    for (const link of this.links)
      if (link.peer === peer && link.isOpen) carrier = link.carrierLink;
    return carrier;
  }

  /** Fired when another transport takes over the link to `peer` after a drop. */
  onCarrierChange(listener: (peer: NodeId, kind: string) => void): () => void {
    this.carrierListeners.add(listener);
    return () => this.carrierListeners.delete(listener);
  }

  /** The open links and what carries each. */
  linkInfo(): SelectedLinkInfo[] {
    return [...this.links]
      .filter((link) => link.isOpen)
      .map(({ peer, kind, state, fallbacks }) => ({ peer, kind, state, fallbacks }));
  }

  /** Fail every open in progress, close every link, then close the transports given. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const link of [...this.links]) {
      link.abandon(new LinkError('OPEN_FAILED', 'transport closed'));
    }
    for (const { transport } of this.settings.candidates) transport.close();
  }
}
