import type { TLSSocket } from 'node:tls';
import { FrameReader, frameHeader, type Tag } from './frame-codec.js';

const EMPTY = new Uint8Array(0);

/**
 * One TLS socket to a would-be peer, with its frame reader: a dialled candidate or an accepted
 * connection while a link opens, then the link's stream. Whoever owns it sets `onFrame` and
 * `onEnd`; `onEnd` fires once, when the socket has closed for any reason.
 */
export class Connection {
  onFrame: (tag: Tag, payload: Uint8Array) => void = () => {};
  onEnd: (error: Error | undefined) => void = () => {};
  /** SHA-256 of the peer's certificate, once TLS is up. */
  peerFingerprint: string | undefined;
  /** The peer's certificate matched the pinned fingerprint and the session is known. */
  authenticated = false;
  private error: Error | undefined;
  private closed = false;
  private readonly reader: FrameReader;

  constructor(
    readonly socket: TLSSocket,
    /** We dialled it (else we accepted it). */
    readonly dialled: boolean,
    /** For error messages: `dialled 192.0.2.7:41234` or `accepted from …`. */
    readonly label: string,
    maxPayload: number,
  ) {
    this.reader = new FrameReader(
      maxPayload,
      (tag, payload) => this.onFrame(tag, payload),
      (error) => this.destroy(error),
    );
    socket.on('data', (chunk: Buffer) => this.reader.push(chunk));
    socket.on('error', (error) => (this.error ??= error));
    socket.once('close', () => {
      this.closed = true;
      this.reader.stop();
      this.onEnd(this.error);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Write one frame, header and payload without joining them (the socket gathers them). */
  write(tag: Tag, payload: Uint8Array = EMPTY): void {
    const { socket } = this;
    if (socket.destroyed || !socket.writable) return;
    socket.cork();
    socket.write(frameHeader(tag, payload.byteLength));
    if (payload.byteLength > 0) socket.write(payload);
    socket.uncork();
  }

  /** Close now; `error` becomes the reason `onEnd` reports (the first one wins). */
  destroy(error?: Error): void {
    this.error ??= error;
    this.reader.stop();
    this.socket.destroy();
  }
}
