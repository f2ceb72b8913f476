/**
 * The hub's contract with a transport. The hub never sees a socket: a WebSocket server (or a
 * test) wraps each accepted connection in a `Connection` and feeds it the `Session` the hub
 * returns. One connection carries one node: one device in one pool.
 *
 * The access token travels in the first frame, never in the URL, so it stays out of proxy and
 * access logs ([SIG4]).
 */

/** One client connection, as the transport exposes it to the hub. */
export interface Connection {
  /** Queue one binary message (an encoded ServerFrame). May throw if the socket is gone. */
  send(frame: Uint8Array): void;
  /** Close with a WebSocket close code and a short reason (a SignallingErrorCode or "leave"). */
  close(code: number, reason: string): void;
  /** For logs and per-address limits; the hub trusts nothing else about it. */
  readonly remoteAddress: string;
}

/** The hub's side of one connection, driven by the transport. */
export interface Session {
  /**
   * One binary message from the client. Frames are handled one at a time, in arrival order.
   * The promise settles when this frame has been handled and never rejects; a transport may
   * ignore it (tests await it).
   */
  receive(bytes: Uint8Array): Promise<void>;
  /** The socket is gone. The node, if any, leaves the pool. Idempotent. */
  closed(): void;
}
