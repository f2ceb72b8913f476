/**
 * What the hub counts, for a /metrics endpoint or a log line. Gauges say how things are now;
 * counters only grow. Plain numbers, so any exporter can read them.
 */
export interface SignallingMetrics {
  /** Gauge: connections open now (authenticated or not). */
  connectedSessions: number;
  /** Gauge: pools with at least one placed node. */
  livePools: number;
  /** Nodes placed. */
  joins: number;
  /** Old sessions closed because their device joined the same pool again ([SIG6]). */
  evictions: number;
  /** Signals relayed between linked nodes ([SIG1]). */
  relayedSignals: number;
  /** Signals refused because the topology does not link the two nodes ([SIG1]). */
  refusedSignals: number;
  /** Frames that did not decode ([SIG11]). */
  badFrames: number;
  /** Sessions closed for silence ([SIG8]). */
  silentClosed: number;
  /** Verify questions sent after a report ([SIG9]). */
  verifies: number;
  /** Nodes removed because they did not answer a verify ([SIG9]). */
  deadRemoved: number;
  /** Reports found false: the reported node said the link was up ([SIG10]). */
  falseReports: number;
  /** `misbehaving` reports, recorded only: the server never sees payloads to judge them. */
  misbehaviourReports: number;
}

export const emptyMetrics = (): SignallingMetrics => ({
  connectedSessions: 0,
  livePools: 0,
  joins: 0,
  evictions: 0,
  relayedSignals: 0,
  refusedSignals: 0,
  badFrames: 0,
  silentClosed: 0,
  verifies: 0,
  deadRemoved: 0,
  falseReports: 0,
  misbehaviourReports: 0,
});
