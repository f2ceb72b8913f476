import {
  LinkError,
  type LinkRole,
  type OpenOptions,
  type SignalPipe,
  type Transport,
} from '@poolnet/engine';
import type { NodeId } from '@poolnet/protocol';
import { DataChannelLink } from './data-channel-link.js';
import { negotiate } from './negotiation.js';
import { resolveOptions, type TransportSettings, type WebRtcTransportOptions } from './options.js';
import type { PeerConnectionFactory, RtcPeerConnection } from './rtc.js';

/**
 * A `Transport` over W3C data channels, written once against the W3C API: the platform hands
 * it a peer-connection factory (a page's `RTCPeerConnection`, or node-datachannel's W3C
 * polyfill in Node.js). Each link is one peer connection; see `negotiate` and
 * `DataChannelLink`. The Node.js and browser entries export it as `WebRtcTransport`.
 */
export class DataChannelTransport implements Transport {
  readonly kind = 'webrtc';
  /** The options, checked, with defaults filled in. */
  readonly settings: TransportSettings;
  private readonly links = new Set<DataChannelLink>();
  private readonly openings = new Set<AbortController>();
  private closed = false;

  constructor(
    options: WebRtcTransportOptions,
    private readonly createPeerConnection: PeerConnectionFactory,
  ) {
    this.settings = resolveOptions(options);
  }

  async open(
    peer: NodeId,
    role: LinkRole,
    signals: SignalPipe,
    options?: OpenOptions,
  ): Promise<DataChannelLink> {
    if (this.closed) throw new LinkError('OPEN_FAILED', 'transport closed');
    const userSignal = options?.signal;
    if (userSignal?.aborted) throw new LinkError('ABORTED', 'open aborted');
    let pc: RtcPeerConnection;
    try {
      pc = this.createPeerConnection(this.settings.iceUrls);
    } catch (cause) {
      throw new LinkError('OPEN_FAILED', 'could not create a peer connection', { cause });
    }
    const cancel = new AbortController();
    const onUserAbort = (): void => cancel.abort(new LinkError('ABORTED', 'open aborted'));
    userSignal?.addEventListener('abort', onUserAbort, { once: true });
    this.openings.add(cancel);
    try {
      const { channels, early } = await negotiate(pc, role, signals, {
        clock: this.settings.clock,
        timeoutMs: this.settings.connectTimeoutMs,
        cancel: cancel.signal,
      });
      const link = new DataChannelLink(peer, pc, channels, early, this.settings);
      this.links.add(link);
      link.onClose(() => this.links.delete(link));
      return link;
    } finally {
      this.openings.delete(cancel);
      userSignal?.removeEventListener('abort', onUserAbort);
    }
  }

  /** Fail every open in progress, close every link and its peer connection. */
  close(): void {
    this.closed = true;
    for (const opening of [...this.openings]) {
      opening.abort(new LinkError('OPEN_FAILED', 'transport closed'));
    }
    for (const link of [...this.links]) link.close();
  }
}
