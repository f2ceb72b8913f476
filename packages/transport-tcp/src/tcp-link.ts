import { Heartbeat, LinkError, LinkEvents, type Channel, type PeerLink } from '@poolnet/engine';
import type { NodeId } from '@poolnet/protocol';
import type { Connection } from './connection.js';
import { TcpError } from './errors.js';
import { Tag } from './frame-codec.js';
import type { TransportSettings } from './options.js';
import { PacedWriter } from './paced-writer.js';

/** How long a closing socket may take to flush before it is destroyed. */
const LINGER_MS = 2_000;

/**
 * One open TCP link: the engine's `control` and `bulk` channels as tagged frames on one TLS
 * stream (see `frame-codec.ts`, `paced-writer.ts`), with liveness beats. Closing sends BYE,
 * so the far end tells a deliberate close (reason `undefined`) from a lost connection (reason
 * `LinkError('LINK_CLOSED')`). Frames that arrive before anyone listens are held and handed
 * to the first `onMessage` listener, so none is lost between `open` resolving and the caller
 * subscribing.
 */
export class TcpLink implements PeerLink {
  readonly kind = 'tcp';
  /** Advice to senders: pause a channel while its `bufferedAmount` is above this. */
  readonly highWaterMark: number;
  /** `host:port` of this end of the socket (status, diagnostics). */
  readonly localAddress: string;
  /** `host:port` of the far end of the socket. */
  readonly remoteAddress: string;
  private open = true;
  private readonly events = new LinkEvents();
  private readonly writer: PacedWriter;
  private readonly heartbeat: Heartbeat;

  constructor(
    readonly peer: NodeId,
    private readonly connection: Connection,
    /** Largest frame: the smaller of ours and the far end's offer. */
    readonly maxMessageBytes: number,
    settings: TransportSettings,
  ) {
    this.highWaterMark = settings.highWaterMark;
    const { socket } = connection;
    this.localAddress = hostPort(socket.localAddress, socket.localPort);
    this.remoteAddress = hostPort(socket.remoteAddress, socket.remotePort);
    const pacing = { sliceBytes: settings.sliceBytes, lowWaterMark: settings.lowWaterMark };
    this.writer = new PacedWriter(connection.socket, pacing, (channel) => this.drained(channel));
    this.heartbeat = new Heartbeat(
      settings.clock,
      settings.heartbeatMs,
      settings.silenceTimeoutMs,
      () => connection.write(Tag.BEAT),
      () => this.end(new LinkError('LINK_CLOSED', `${peer} silent for too long`), false),
    );
    connection.onFrame = (tag, payload) => this.receive(tag, payload);
    connection.onEnd = (cause) =>
      this.end(new LinkError('LINK_CLOSED', `connection to ${peer} lost`, { cause }), false);
    this.heartbeat.start();
    // The socket may have closed between the opening and now, firing its end at nobody.
    if (connection.isClosed) queueMicrotask(() => connection.onEnd(undefined));
  }

  get isOpen(): boolean {
    return this.open;
  }

  send(channel: Channel, frame: Uint8Array): void {
    if (!this.open) throw new LinkError('LINK_CLOSED', `link to ${this.peer} is closed`);
    if (frame.byteLength > this.maxMessageBytes) {
      throw new LinkError(
        'MESSAGE_TOO_LARGE',
        `frame of ${frame.byteLength} bytes exceeds ${this.maxMessageBytes}`,
      );
    }
    this.writer.send(channel, frame);
  }

  bufferedAmount(channel: Channel): number {
    return this.open ? this.writer.bufferedAmount(channel) : 0;
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
    this.end(undefined, true);
  }

  private receive(tag: Tag, payload: Uint8Array): void {
    this.heartbeat.heardFrom();
    if (tag === Tag.CONTROL || tag === Tag.BULK) {
      const channel = tag === Tag.CONTROL ? 'control' : 'bulk';
      this.events.message(payload, channel);
    } else if (tag === Tag.BYE) {
      this.end(undefined, false);
    } else if (tag !== Tag.BEAT) {
      const cause = new TcpError('BAD_FRAME', `unexpected frame tag ${tag} on an open link`);
      this.end(new LinkError('LINK_CLOSED', `${this.peer} broke the framing`, { cause }), false);
    }
  }

  private drained(channel: Channel): void {
    this.events.drain(channel);
  }

  /**
   * Close once, whoever asks: the caller (`byUs`: say BYE, flush what the socket holds, end
   * the stream), the far end's BYE (end gracefully too), a lost connection or silence (destroy).
   */
  private end(reason: Error | undefined, byUs: boolean): void {
    if (!this.open) return;
    this.open = false;
    this.heartbeat.stop();
    this.writer.stop();
    const { connection } = this;
    connection.onFrame = () => {};
    connection.onEnd = () => {};
    if (reason) {
      connection.destroy();
    } else {
      if (byUs) connection.write(Tag.BYE);
      connection.socket.end();
      // Not the injected clock: this only frees a socket whose peer does not finish the close,
      // and must not keep the process alive.
      const linger = setTimeout(() => connection.destroy(), LINGER_MS).unref();
      connection.socket.once('close', () => clearTimeout(linger));
    }
    this.events.close(reason);
  }
}

function hostPort(host: string | undefined, port: number | undefined): string {
  return host?.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
