/** What one cluster instance counts, for GET /metrics ([CL7]). Plain numbers. */
export interface ClusterCounters {
  /** Gauge: 1 while connected to NATS. */
  natsConnected: number;
  /** Gauge: 1 while the lease table answers. */
  databaseUp: number;
  /** Gauge: pool leases this instance holds. */
  leasesHeld: number;
  /** Gauge: sessions whose socket is here and whose pool is served elsewhere. */
  forwardedOut: number;
  /** Gauge: sessions served here whose socket is on another instance. */
  forwardedIn: number;
  leasesAcquired: number;
  leasesLost: number;
  natsDisconnects: number;
  forwardedOpened: number;
  forwardedAccepted: number;
  framesToOwner: number;
  framesFromEdges: number;
  framesToEdges: number;
  badEnvelopes: number;
  /** Bus messages dropped because their seal was wrong or missing ([CL12]). */
  unsealed: number;
}

export const emptyClusterCounters = (): ClusterCounters => ({
  natsConnected: 0,
  databaseUp: 0,
  leasesHeld: 0,
  forwardedOut: 0,
  forwardedIn: 0,
  leasesAcquired: 0,
  leasesLost: 0,
  natsDisconnects: 0,
  forwardedOpened: 0,
  forwardedAccepted: 0,
  framesToOwner: 0,
  framesFromEdges: 0,
  framesToEdges: 0,
  badEnvelopes: 0,
  unsealed: 0,
});
