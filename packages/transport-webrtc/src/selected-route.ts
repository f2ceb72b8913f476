/**
 * Whether a TURN relay carries a peer connection, read from W3C `getStats()`: the selected
 * candidate pair (the transport's `selectedCandidatePairId`, else the nominated, succeeded
 * pair) and the types of its two candidates. Either end's `relay` candidate means the bytes go
 * through coturn. The same report shape comes from a page's `RTCPeerConnection` and from
 * node-datachannel's polyfill (which fills it from `getSelectedCandidatePair()`).
 */

/** A W3C `RTCStatsReport`, as far as this reads it (maplike). */
export interface RtcStatsReportLike {
  forEach(callback: (value: unknown) => void): void;
}

/** The route of a connected peer connection; undefined while no pair is selected. */
export interface SelectedRoute {
  readonly relayed: boolean;
  /** `host`, `srflx`, `prflx` or `relay` of this end's and the far end's candidate. */
  readonly localType: string;
  readonly remoteType: string;
}

type Stat = Record<string, unknown> & { id?: unknown; type?: unknown };

export function selectedRoute(report: RtcStatsReportLike): SelectedRoute | undefined {
  const byId = new Map<string, Stat>();
  const all: Stat[] = [];
  report.forEach((value) => {
    if (typeof value !== 'object' || value === null) return;
    const stat = value as Stat;
    all.push(stat);
    if (typeof stat.id === 'string') byId.set(stat.id, stat);
  });
  const viaTransport = all
    .filter((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string')
    .map((s) => byId.get(s.selectedCandidatePairId as string))
    .find((s) => s !== undefined);
  const pair =
    viaTransport ??
    all.find(
      (s) =>
        s.type === 'candidate-pair' &&
        (s.selected === true || (s.nominated === true && s.state === 'succeeded')),
    );
  if (pair === undefined) return undefined;
  const typeOf = (id: unknown): string | undefined => {
    const candidate = typeof id === 'string' ? byId.get(id) : undefined;
    return typeof candidate?.candidateType === 'string' ? candidate.candidateType : undefined;
  };
  const localType = typeOf(pair.localCandidateId);
  const remoteType = typeOf(pair.remoteCandidateId);
  if (localType === undefined || remoteType === undefined) return undefined;
  return { relayed: localType === 'relay' || remoteType === 'relay', localType, remoteType };
}
