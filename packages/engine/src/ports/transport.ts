import type { NodeId } from '@poolnet/protocol';

/**
 * A link carries two independent ordered channels so that bulk chunk traffic never delays
 * chat and control traffic (a large backlog on `bulk` must not hold back `control`).
 */
export type Channel = 'control' | 'bulk';

/** Which end makes the first move. The sync server names exactly one initiator per link. */
export type LinkRole = 'initiator' | 'responder';

/**
 * Opaque signalling between the two ends of a link while it is being opened (SDP, ICE
 * candidates, TCP candidates and certificate fingerprints…). The engine relays these blobs
 * through the sync server; a transport defines their content.
 */
export interface SignalPipe {
  /** Send one blob to the other end. */
  send(payload: Uint8Array): void;
  /** Receive blobs from the other end; returns an unsubscribe function. */
  onSignal(listener: (payload: Uint8Array) => void): () => void;
}

/** An open link to one neighbour. */
export interface PeerLink {
  /** The node at the other end. */
  readonly peer: NodeId;
  /** Transport name ('memory', 'webrtc', 'tcp'): shown in status and stats. */
  readonly kind: string;
  /** False once closed by either end; a closed link never opens again. */
  readonly isOpen: boolean;
  /**
   * Queue one frame on a channel. Never blocks: the caller watches `bufferedAmount` and
   * waits for `onDrain` when it passes its high-water mark (per link, per channel, so one
   * slow neighbour never slows the others). Throws `LinkError('LINK_CLOSED')` after close and
   * `LinkError('MESSAGE_TOO_LARGE')` above `maxMessageBytes`.
   */
  send(channel: Channel, frame: Uint8Array): void;
  /** Bytes queued on a channel and not yet handed to the network. */
  bufferedAmount(channel: Channel): number;
  /** Largest frame this link accepts. */
  readonly maxMessageBytes: number;
  /** Frames from the peer, in order per channel. */
  onMessage(listener: (frame: Uint8Array, channel: Channel) => void): () => void;
  /** Fired when a channel's buffered amount falls to its low-water mark or below. */
  onDrain(listener: (channel: Channel) => void): () => void;
  /** Fired once, when either end closes or the connection fails. */
  onClose(listener: (reason?: Error) => void): () => void;
  /** Close the link; pending frames may be dropped. Idempotent. */
  close(): void;
}

export interface OpenOptions {
  /** Abort the attempt; the promise rejects with `LinkError('ABORTED')`. */
  signal?: AbortSignal;
}

/**
 * Makes links to other nodes. Both ends call `open` for the same link (the server tells both
 * ends, naming one initiator), and exchange signalling through `signals` until the link is up.
 */
export interface Transport {
  readonly kind: string;
  /**
   * The kinds its links may report, when that is not just `kind`: a transport that picks
   * among others (kind 'auto') has links of the kind actually carrying them ('tcp', 'webrtc').
   */
  readonly kinds?: readonly string[];
  /** Resolve with an open link, or reject with a `LinkError`. */
  open(peer: NodeId, role: LinkRole, signals: SignalPipe, options?: OpenOptions): Promise<PeerLink>;
  /** Close every link of this transport and release its resources. */
  close(): void;
}
