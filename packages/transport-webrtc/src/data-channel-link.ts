import { Heartbeat, LinkError, LinkEvents, type Channel, type PeerLink } from '@poolnet/engine';
import type { NodeId } from '@poolnet/protocol';
import { CHANNEL_LABELS, type Negotiated } from './negotiation.js';
import type { TransportSettings } from './options.js';
import { PacedSender } from './paced-sender.js';
import { closeQuietly, messageBytes, type RtcPeerConnection } from './rtc.js';
import { selectedRoute, type SelectedRoute } from './selected-route.js';

const BEAT = new Uint8Array([0]);
/** What a link may carry when the far end does not say (RFC 8841's default). */
const DEFAULT_SCTP_MAX_MESSAGE = 64 * 1024;

/**
 * One open WebRTC link: the engine's `control` and `bulk` channels over two data channels of
 * one peer connection, plus the `heartbeat` channel. Frames that arrive before anyone listens
 * are held and handed to the first `onMessage` listener, so none is lost between `open`
 * resolving and the caller subscribing.
 */
export class DataChannelLink implements PeerLink {
  readonly kind = 'webrtc';
  /** Largest frame: the smaller of the option and what the far end's SCTP accepts. */
  readonly maxMessageBytes: number;
  /** Advice to senders: pause a channel while its `bufferedAmount` is above this. */
  readonly highWaterMark: number;
  private open = true;
  private selected: SelectedRoute | undefined;
  /** Resolves once the selected candidate pair has been read (or could not be). */
  private routeRead: Promise<SelectedRoute | undefined> | undefined;
  private readonly events: LinkEvents;
  private readonly senders: Record<Channel, PacedSender>;
  private readonly heartbeat: Heartbeat;

  constructor(
    readonly peer: NodeId,
    private readonly pc: RtcPeerConnection,
    private readonly channels: Negotiated['channels'],
    early: Negotiated['early'],
    settings: TransportSettings,
  ) {
    const sctpMax = pc.sctp?.maxMessageSize;
    this.maxMessageBytes = Math.min(settings.maxMessageBytes, sctpMax || DEFAULT_SCTP_MAX_MESSAGE);
    this.highWaterMark = settings.highWaterMark;
    this.events = new LinkEvents(early);
    const pacing = { sliceBytes: settings.sliceBytes, lowWaterMark: settings.lowWaterMark };
    this.senders = {
      control: new PacedSender(channels.control, pacing, () => this.drained('control')),
      bulk: new PacedSender(channels.bulk, pacing, () => this.drained('bulk')),
    };
    this.heartbeat = new Heartbeat(
      settings.clock,
      settings.heartbeatMs,
      settings.silenceTimeoutMs,
      () => this.beat(),
      () => this.end(new LinkError('LINK_CLOSED', `${peer} silent for too long`)),
    );
    for (const label of CHANNEL_LABELS) {
      const dc = channels[label];
      dc.onmessage =
        label === 'heartbeat'
          ? () => this.heartbeat.heardFrom()
          : (event) => this.receive(event.data, label);
      dc.onclose = () => this.end(undefined);
    }
    // 'closed' without our close() is libdatachannel seeing the far end close (a browser
    // never reports that: its channels close instead); 'failed' is a failure.
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      if (state === 'closed') this.end(undefined);
      if (state === 'failed')
        this.end(new LinkError('LINK_CLOSED', `connection to ${peer} failed`));
    };
    this.heartbeat.start();
    // A channel that closed between negotiation and now fired its close event at nobody.
    if (CHANNEL_LABELS.some((label) => channels[label].readyState !== 'open')) {
      queueMicrotask(() => this.end(undefined));
    }
  }

  /**
   * The selected pair, read on first ask (the daemon asks as each link opens): a link nobody
   * asks about makes no native stats calls, and in a process that only opens and closes links
   * those calls were what kept it from ending by itself now and then.
   */
  get routeKnown(): Promise<SelectedRoute | undefined> {
    this.routeRead ??= this.readRoute();
    return this.routeRead;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** True when a TURN relay carries this link; undefined until the pair is read. */
  get relayed(): boolean | undefined {
    return this.selected?.relayed;
  }

  /** The selected candidate pair's types, once read. */
  get route(): SelectedRoute | undefined {
    return this.selected;
  }

  /**
   * Read the selected pair now (ICE may switch pairs after connecting, e.g. from a relay to
   * a direct pair it found later); a platform without `getStats` leaves it unknown.
   */
  async refreshRoute(): Promise<SelectedRoute | undefined> {
    // Only a connected peer connection has a selected pair; asking one that is closing for
    // its stats can leave native ICE state behind (a process that would not end by itself).
    if (!this.open || this.pc.getStats === undefined) return this.selected;
    if (this.pc.connectionState !== 'connected') return this.selected;
    try {
      this.selected = selectedRoute(await this.pc.getStats()) ?? this.selected;
    } catch {
      // A closing connection: the last known route stays.
    }
    return this.selected;
  }

  send(channel: Channel, frame: Uint8Array): void {
    if (!this.open) throw new LinkError('LINK_CLOSED', `link to ${this.peer} is closed`);
    if (frame.byteLength > this.maxMessageBytes) {
      throw new LinkError(
        'MESSAGE_TOO_LARGE',
        `frame of ${frame.byteLength} bytes exceeds ${this.maxMessageBytes}`,
      );
    }
    try {
      this.senders[channel].send(frame);
    } catch (cause) {
      this.end(new LinkError('LINK_CLOSED', `data channel ${channel} failed`, { cause }));
      throw new LinkError('LINK_CLOSED', `link to ${this.peer} is closed`, { cause });
    }
  }

  bufferedAmount(channel: Channel): number {
    return this.open ? this.senders[channel].bufferedAmount : 0;
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

  close(): void {
    this.end(undefined);
  }

  /** The pair is chosen once the channels are open; a few tries cover a late report. */
  private async readRoute(): Promise<SelectedRoute | undefined> {
    for (let attempt = 0; attempt < 5 && this.open; attempt++) {
      const route = await this.refreshRoute();
      if (route !== undefined || this.pc.getStats === undefined) return route;
      await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
    }
    return this.selected;
  }

  private receive(data: unknown, channel: Channel): void {
    this.heartbeat.heardFrom();
    const frame = messageBytes(data);
    if (!frame) return; // Text: not something a Poolnet peer sends.
    this.events.message(frame, channel);
  }

  private drained(channel: Channel): void {
    this.events.drain(channel);
  }

  private beat(): void {
    try {
      this.channels.heartbeat.send(BEAT);
    } catch {
      // Closing: the close event ends the link.
    }
  }

  /** Close once, whoever asks: the caller, the far end, a failed connection, silence. */
  private end(reason: Error | undefined): void {
    if (!this.open) return;
    this.open = false;
    this.heartbeat.stop();
    this.senders.control.stop();
    this.senders.bulk.stop();
    this.pc.onconnectionstatechange = null;
    for (const label of CHANNEL_LABELS) closeQuietly(this.channels[label]);
    this.pc.close();
    this.events.close(reason);
  }
}
