import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/** An address a peer may dial: an IP literal (never a name: nothing to resolve) and a port. */
export interface TcpCandidate {
  readonly host: string;
  readonly port: number;
}

/** Candidates a transport advertises at most, and a signal may carry. */
export const MAX_CANDIDATES = 16;

type Interfaces = Record<string, NetworkInterfaceInfo[] | undefined>;

/**
 * Where this transport can be reached: the bound address itself, or, when bound to a wildcard
 * (`0.0.0.0`, `::`), every address of the machine's interfaces. Loopback and internal
 * addresses are left out then (a peer on another machine would dial itself; a peer on this
 * machine reaches the external addresses too), unless there is nothing else. IPv6 link-local
 * addresses are left out: they need an interface scope that means nothing on the peer.
 */
export function localCandidates(
  host: string,
  port: number,
  interfaces: Interfaces = networkInterfaces(),
): TcpCandidate[] {
  if (host !== '0.0.0.0' && host !== '::') return [{ host, port }];
  const all = Object.values(interfaces).flatMap((list) => list ?? []);
  const usable = all.filter(
    (a) => (host === '::' || a.family === 'IPv4') && !/^fe80:/i.test(a.address),
  );
  const external = usable.filter((a) => !a.internal);
  const chosen = external.length > 0 ? external : usable;
  return dedupe(chosen.map((a) => ({ host: a.address, port })));
}

/** Local candidates, then the extra ones that are valid, without repeats, at most the limit. */
export function mergeCandidates(
  local: readonly TcpCandidate[],
  extra: readonly TcpCandidate[],
): TcpCandidate[] {
  return dedupe([...local, ...extra.filter(isDialable)]).slice(0, MAX_CANDIDATES);
}

/**
 * True for a unicast IP literal and a port from 1 to 65535. Unspecified, multicast and
 * broadcast addresses, names and IPv6 scope ids are refused: a peer could only use them to
 * make us dial something odd.
 */
export function isDialable(candidate: TcpCandidate): boolean {
  const { host, port } = candidate;
  if (typeof host !== 'string' || typeof port !== 'number') return false;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return false;
  const family = isIP(host);
  if (family === 4) {
    const first = Number(host.split('.')[0]);
    return host !== '0.0.0.0' && host !== '255.255.255.255' && !(first >= 224 && first <= 239);
  }
  if (family === 6) {
    const lower = host.toLowerCase();
    return !lower.includes('%') && !/^ff/.test(lower) && !/^[0:]*$/.test(lower);
  }
  return false;
}

function dedupe(candidates: readonly TcpCandidate[]): TcpCandidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => {
    const key = `${c.host.toLowerCase()}|${c.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
