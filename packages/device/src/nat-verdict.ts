/**
 * The NAT verdict (ADR 0010), shared by the daemon's UDP check and the page's ICE-candidate
 * check: what two STUN ports of the sync server saw of one local socket, classified into the
 * type people see in their status. Pure and platform-free: how the answers are gathered (a
 * `node:dgram` socket, an `RTCPeerConnection`) stays with each device.
 */

export type NatType = 'none' | 'cone' | 'symmetric' | 'blocked' | 'unknown';

export interface StunTarget {
  readonly host: string;
  readonly port: number;
}

/** An address a STUN server reported (XOR-MAPPED-ADDRESS). */
export interface MappedAddress {
  readonly address: string;
  readonly port: number;
}

/** What the check saw: the socket's own port, and each server's answer (undefined: none). */
export interface NatObservation {
  readonly localPort: number;
  /** The device's own interface addresses. */
  readonly localAddresses: readonly string[];
  readonly answers: ReadonlyArray<{
    readonly server: StunTarget;
    readonly mapped: MappedAddress | undefined;
  }>;
}

export interface NatVerdict {
  readonly type: NatType;
  readonly publicAddress: string | null;
  readonly directReachable: boolean;
  readonly message: string;
}

/**
 * The verdict for an observation; pure, so every case is unit-tested.
 * - no server configured: unknown; no answer at all: blocked (UDP does not get out);
 * - an answer equal to the socket's own address and port: none (a public address);
 * - two answers with the same mapping: cone; different mappings: symmetric;
 * - one answer from behind a NAT: unknown (one port cannot tell the two apart).
 */
export function classifyNat(observation: NatObservation): NatVerdict {
  const { answers, localPort, localAddresses } = observation;
  if (answers.length === 0) {
    return {
      type: 'unknown',
      publicAddress: null,
      directReachable: true,
      message: 'NAT type unknown: the sync server offers no STUN responder',
    };
  }
  const mapped = answers.flatMap((a) => (a.mapped ? [a.mapped] : []));
  const first = mapped[0];
  if (first === undefined) {
    return {
      type: 'blocked',
      publicAddress: null,
      directReachable: false,
      message: 'UDP is blocked: no STUN answer, so links to this device need a TURN relay over TCP',
    };
  }
  const publicAddress = formatAddress(first);
  const local = new Set(localAddresses.map(normalizeIp));
  if (mapped.every((m) => local.has(normalizeIp(m.address)) && m.port === localPort)) {
    return {
      type: 'none',
      publicAddress,
      directReachable: true,
      message: 'no NAT: this device has a public address; other devices reach it directly',
    };
  }
  if (mapped.length < 2) {
    return {
      type: 'unknown',
      publicAddress,
      directReachable: true,
      message: `behind a NAT (public ${publicAddress}); its type is unknown: only one STUN port answered`,
    };
  }
  if (mapped.every((m) => sameAddress(m, first))) {
    return {
      type: 'cone',
      publicAddress,
      directReachable: true,
      message: `cone NAT (public ${publicAddress}): direct links work`,
    };
  }
  return {
    type: 'symmetric',
    publicAddress,
    directReachable: false,
    message:
      `symmetric NAT (a new public port per destination, e.g. ${mapped.map(formatAddress).join(', ')}): ` +
      'devices behind other NATs reach this one only through a TURN relay',
  };
}

/**
 * The STUN endpoints of an ICE server list as `/v1/ice` hands it out, in order. Anything that is
 * not a `stun:host:port` url (TURN, garbage) is skipped: the check only needs the responder.
 */
/** The verdict when the check itself could not run (a socket or peer connection failed). */
export function failedNatCheck(err: unknown): NatVerdict {
  return {
    type: 'unknown',
    publicAddress: null,
    directReachable: true,
    message: `NAT check failed: ${err instanceof Error ? err.message : String(err)}`,
  };
}

export function stunTargets(iceServers: readonly unknown[]): StunTarget[] {
  const out: StunTarget[] = [];
  for (const server of iceServers) {
    if (typeof server !== 'object' || server === null) continue;
    const urls = (server as { urls?: unknown }).urls;
    for (const url of typeof urls === 'string' ? [urls] : Array.isArray(urls) ? urls : []) {
      if (typeof url !== 'string') continue;
      const m = /^stun:(\[[0-9A-Fa-f:.]+\]|[^\s:@?/[\]]+):(\d{1,5})$/.exec(url);
      if (!m) continue;
      const port = Number(m[2]);
      if (port < 1 || port > 0xffff) continue;
      out.push({ host: (m[1] ?? '').replace(/^\[(.*)\]$/, '$1'), port });
    }
  }
  return out;
}

/** The `stun:` url of a target, as `stunTargets` reads it back (IPv6 in brackets). */
export function stunUrl(target: StunTarget): string {
  return `stun:${formatAddress({ address: target.host, port: target.port })}`;
}

/** `ip:port`, or `[ip]:port` for IPv6. */
export function formatAddress(m: MappedAddress): string {
  return m.address.includes(':') ? `[${m.address}]:${m.port}` : `${m.address}:${m.port}`;
}

/** One address and port, whatever the spelling of the IPv6 address. */
export function sameAddress(a: MappedAddress, b: MappedAddress): boolean {
  return a.port === b.port && normalizeIp(a.address) === normalizeIp(b.address);
}

/** IPv6 written out in full (lower case), so two spellings of one address compare equal. */
export function normalizeIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right]
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':');
}
