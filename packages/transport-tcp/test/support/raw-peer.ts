import { once } from 'node:events';
import { Connection } from '../../src/connection.js';
import { Tag } from '../../src/frame-codec.js';
import { PinnedTls } from '../../src/pinned-tls.js';
import type { TlsIdentity } from '../../src/tls-identity.js';

/**
 * The far end of a link played by hand over real TLS: it dials with a chosen identity (the
 * rightful peer's, or a man in the middle's) and writes and records raw frames.
 */
export class RawPeer {
  readonly frames: Array<[Tag, Uint8Array]> = [];
  readonly closed: Promise<void>;

  private constructor(readonly connection: Connection) {
    connection.onFrame = (tag, payload) => this.frames.push([tag, payload.slice()]);
    this.closed = new Promise((resolve) => (connection.onEnd = () => resolve()));
  }

  /** Dial `port` on 127.0.0.1 and finish the TLS handshake. */
  static async dial(identity: TlsIdentity, port: number): Promise<RawPeer> {
    const socket = new PinnedTls(identity).dial({ host: '127.0.0.1', port });
    const peer = new RawPeer(new Connection(socket, true, 'raw peer', 64 * 1024 * 1024));
    await once(socket, 'secureConnect');
    return peer;
  }

  send(tag: Tag, payload?: Uint8Array): void {
    this.connection.write(tag, payload);
  }

  /** Raw bytes, framing or not. */
  sendRaw(bytes: Uint8Array): void {
    this.connection.socket.write(bytes);
  }

  get isClosed(): boolean {
    return this.connection.isClosed;
  }

  close(): void {
    this.connection.destroy();
  }
}

export { Tag };
