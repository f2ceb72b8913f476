import type { NodeId } from '@poolnet/protocol';
import type { Position } from '../topology/position.js';

/** Why a node reports a neighbour to the server. */
export type ReportReason = 'unreachable' | 'misbehaving';

/** What the sync server tells one node in one pool, in order. */
export interface SignallingEvents {
  /** My new place in the pool (full view; ignore one with a lower epoch). */
  position(position: Position): void;
  /** Open a link to `peer`; exactly one of the two ends is the initiator. */
  connect(peer: NodeId, initiator: boolean): void;
  /** Close the link to `peer`, if any. */
  disconnect(peer: NodeId): void;
  /** A signalling blob from `from`, for the link being opened with it. */
  signal(from: NodeId, payload: Uint8Array): void;
  /** The server asks whether I can still reach `peer` (someone reported it). */
  verify(peer: NodeId): void;
}

/**
 * The engine's view of the sync server for one pool. The server only places nodes and relays
 * signalling; it never carries a pool message or a chunk.
 */
export interface SignallingClient {
  /** Subscribe to server events; returns an unsubscribe function. */
  subscribe(events: SignallingEvents): () => void;
  /** Relay a signalling blob to `to` (only to a node the server told me to link with). */
  sendSignal(to: NodeId, payload: Uint8Array): void;
  /** Tell the server I cannot reach a neighbour. */
  report(peer: NodeId, reason: ReportReason): void;
  /** Answer a `verify` question. */
  verifyReply(peer: NodeId, reachable: boolean): void;
}
