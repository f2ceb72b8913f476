/**
 * The browser node's NAT verdict from its own ICE candidates (ADR 0010). A page cannot send
 * STUN itself, but one `RTCPeerConnection` given the sync server's two STUN urls asks both from
 * the same local socket and reports what each saw as a server-reflexive (srflx) candidate that
 * names its url. This module turns what was gathered into the observation the daemon's UDP
 * check makes, and lets the shared `classifyNat` decide. Pure, so each of Chromium's habits is
 * unit-tested with candidates as Chromium writes them:
 * - it adds no srflx candidate for an answer equal to one it already has on that socket: a
 *   cone NAT shows one srflx (from the first server to answer), the second answer is silent;
 * - with the page's own addresses visible it adds none for an answer equal to the socket's own
 *   address (no NAT) either; with them hidden (mDNS `….local` host names, the default) it does,
 *   and its related address is `0.0.0.0`, so "no NAT" then looks like a cone NAT;
 * - a server that does not answer shows up as an `icecandidateerror` only after a long timeout.
 * So a server with neither a candidate nor an error answered only if gathering completed;
 * before that it is counted as silent, as the daemon counts a server past its timeout.
 */
import {
  type MappedAddress,
  type NatObservation,
  type NatVerdict,
  type StunTarget,
  classifyNat,
  normalizeIp,
  stunTargets,
} from '@poolnet/device';

/** One gathered candidate: the fields of `RTCIceCandidate` that matter here. */
export interface SeenCandidate {
  readonly type: string | null;
  readonly protocol: string | null;
  readonly address: string | null;
  readonly port: number | null;
  readonly relatedAddress: string | null;
  readonly relatedPort: number | null;
  /** The ICE server that produced it (`RTCIceCandidate.url`, else the event's `url`). */
  readonly url: string | null;
}

/** An `icecandidateerror`: the server that failed. */
export interface CandidateError {
  readonly url: string;
  readonly errorCode: number;
}

export interface Gathered {
  readonly candidates: readonly SeenCandidate[];
  readonly errors: readonly CandidateError[];
  /** Gathering reached `complete`: every server answered or failed, for every local socket. */
  readonly complete: boolean;
}

type Answer = MappedAddress | undefined | 'own-address';

/** The NAT verdict for what one peer connection gathered with `targets` (the first two count). */
export function natFromCandidates(targets: readonly StunTarget[], gathered: Gathered): NatVerdict {
  const asked = targets.slice(0, 2);
  const udp = gathered.candidates.filter(
    (c) => (c.protocol ?? 'udp').toLowerCase() === 'udp' && c.address && c.port,
  );
  const hosts = udp.filter((c) => c.type === 'host');
  const literalHosts = hosts.filter((c) => isIpLiteral(c.address ?? ''));
  const srflx = udp.filter((c) => c.type === 'srflx' && c.url);
  // Several interfaces make one socket each: keep the first srflx's socket when Chromium says
  // which it was (related address and port; hidden as 0.0.0.0:0 while host names are mDNS).
  const base = srflx.find(knownBase);
  const onBase = (c: SeenCandidate) =>
    base === undefined ||
    !knownBase(c) ||
    (c.relatedAddress === base.relatedAddress && c.relatedPort === base.relatedPort);
  const mine = srflx.filter(onBase);

  const answerOf = (target: StunTarget): Answer => {
    const own = mine.find((c) => forTarget(c.url, target));
    if (own) return mappedOf(own);
    if (gathered.errors.some((e) => forTarget(e.url, target))) return undefined;
    // Not heard of by the deadline: silent, as a server past the daemon's timeout.
    if (!gathered.complete) return undefined;
    // It answered, and Chromium dropped the answer as a duplicate: of the other server's
    // srflx on this socket, or (addresses visible) of the socket's own address.
    const other = mine[0];
    return other ? mappedOf(other) : 'own-address';
  };
  const answers = asked.map((server) => ({ server, answer: answerOf(server) }));

  if (asked.length > 0 && udp.length === 0) {
    return {
      type: 'unknown',
      publicAddress: null,
      directReachable: true,
      message:
        'NAT type unknown: this browser gathered no UDP candidates (WebRTC may be restricted)',
    };
  }
  let localPort = base?.relatedPort ?? 0;
  const localAddresses = [
    ...literalHosts.map((c) => stripBrackets(c.address ?? '')),
    ...(base?.relatedAddress ? [base.relatedAddress] : []),
  ];
  const observed: NatObservation['answers'][number][] = [];
  for (const { server, answer } of answers) {
    if (answer !== 'own-address') {
      observed.push({ server, mapped: answer });
      continue;
    }
    const family = isIpv6(server.host);
    const host = literalHosts.find((c) => isIpv6(stripBrackets(c.address ?? '')) === family);
    if (host === undefined) {
      return {
        type: 'unknown',
        publicAddress: null,
        directReachable: true,
        message:
          'NAT type unknown: the STUN servers answered, but this browser showed neither the ' +
          'address they saw nor its own',
      };
    }
    localPort = host.port ?? 0;
    observed.push({
      server,
      mapped: { address: stripBrackets(host.address ?? ''), port: localPort },
    });
  }
  const verdict = classifyNat({ localPort, localAddresses, answers: observed });
  if (verdict.type === 'cone' && literalHosts.length === 0 && base === undefined) {
    return {
      ...verdict,
      message:
        `${verdict.message} (or no NAT at all: this browser hides its own address, so the two ` +
        'look alike)',
    };
  }
  return verdict;
}

/** The srflx candidate's address, as STUN reported it. */
function mappedOf(c: SeenCandidate): MappedAddress {
  return { address: stripBrackets(c.address ?? ''), port: c.port ?? 0 };
}

function knownBase(c: SeenCandidate): c is SeenCandidate & { relatedAddress: string } {
  return (
    typeof c.relatedAddress === 'string' &&
    isIpLiteral(c.relatedAddress) &&
    !/^(0\.0\.0\.0|::|\[::\])$/.test(c.relatedAddress) &&
    (c.relatedPort ?? 0) > 0
  );
}

/** Whether an ICE server url (as Chromium echoes it) is `target`. */
function forTarget(url: string | null, target: StunTarget): boolean {
  if (!url) return false;
  const [parsed] = stunTargets([{ urls: url }]);
  return (
    parsed !== undefined &&
    parsed.port === target.port &&
    normalizeIp(parsed.host.toLowerCase()) === normalizeIp(target.host.toLowerCase())
  );
}

/** An IPv4 or IPv6 address, not an mDNS `….local` name standing for one. */
function isIpLiteral(address: string): boolean {
  const a = stripBrackets(address);
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(a) || (a.includes(':') && /^[0-9A-Fa-f:.]+$/.test(a));
}

function isIpv6(address: string): boolean {
  return address.includes(':');
}

/** Chromium writes an IPv6 candidate address as `[fd00::2]`. */
function stripBrackets(address: string): string {
  return address.replace(/^\[(.*)\]$/, '$1');
}
