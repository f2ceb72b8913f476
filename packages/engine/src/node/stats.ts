/** Counters of one node, for status output, tests and the simulator. */
export interface NodeStats {
  /** Pool messages accepted from others (live, repaired or synced). */
  received: number;
  /** Copies of an already-seen message that arrived anyway. */
  duplicates: number;
  /** Of those, copies that came through reconciliation (a repair that raced the tree). */
  repairDuplicates: number;
  /** Directed pool messages addressed to me. */
  directedReceived: number;
  /** Directed messages I sent again for want of an ack, and those never acked. */
  directedRetries: number;
  directedGaveUp: number;
  /** Frames that failed to decode or validate. */
  malformed: number;
  /** Messages dropped because the signature or certificate did not verify. */
  badSignature: number;
  /** Directed packages with no next hop in my view. */
  noRoute: number;
  /** Frames for a neighbour with no link. */
  noLink: number;
  /** Packages dropped by the hop limit. */
  hopLimit: number;
  framesSent: number;
  directSent: number;
  linkFailures: number;
  storeErrors: number;
  /** Directed messages a relay answered itself instead of forwarding (FT4). */
  relayConsumed: number;
  /** Directed messages a relay forwarded with some of their chunks promised by itself (FT4). */
  relayPromised: number;
  /** Chunks a relay dropped because the next link's bulk queue was full (backpressure). */
  bulkDropped: number;
}

export const emptyStats = (): NodeStats => ({
  received: 0,
  duplicates: 0,
  repairDuplicates: 0,
  directedReceived: 0,
  directedRetries: 0,
  directedGaveUp: 0,
  malformed: 0,
  badSignature: 0,
  noRoute: 0,
  noLink: 0,
  hopLimit: 0,
  framesSent: 0,
  directSent: 0,
  linkFailures: 0,
  storeErrors: 0,
  relayConsumed: 0,
  relayPromised: 0,
  bulkDropped: 0,
});
