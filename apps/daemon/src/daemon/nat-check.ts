/**
 * The device's NAT check (ADR 0010): from one UDP socket, ask the sync server's two STUN ports
 * for this device's mapped address and compare the answers with each other and with the
 * device's own addresses. One socket matters: a cone NAT keeps one mapping per local socket
 * whoever it talks to, a symmetric NAT makes a new one per destination, and only a symmetric
 * NAT's devices need TURN to reach devices behind other NATs. People see the verdict in
 * `poolnet status`, so a device that can only be reached through a relay says so.
 */
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { NatStatus } from '../api-types.js';
import { askStun, type MappedAddress } from './stun-client.js';

export type NatType = NatStatus['type'];

export interface StunTarget {
  readonly host: string;
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
  const same = mapped.every(
    (m) => normalizeIp(m.address) === normalizeIp(first.address) && m.port === first.port,
  );
  if (same) {
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

export interface NatCheckOptions {
  /** First retransmission after this long, doubling (default 250 ms). */
  readonly rtoMs?: number;
  /** Give up on a server after this long (default 3 s). */
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /** Stops waiting for answers (the daemon closing); the verdict is then from what came. */
  readonly signal?: AbortSignal;
}

/** Ask the first two STUN targets from one socket and classify what they say. */
export async function checkNat(
  targets: readonly StunTarget[],
  options: NatCheckOptions = {},
): Promise<NatStatus> {
  const now = options.now ?? Date.now;
  const asked = targets.slice(0, 2);
  // The family of the first target decides the socket's; an IPv6 literal needs udp6.
  const socket = createSocket(isIP(asked[0]?.host ?? '') === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // A send error (no route) arrives here after bind; it means no answer, not a crash.
    socket.on('error', () => undefined);
    const timing = {
      rtoMs: options.rtoMs ?? 250,
      timeoutMs: options.timeoutMs ?? 3000,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    const answers = await Promise.all(
      asked.map(async (server) => ({ server, mapped: await askStun(socket, server, timing) })),
    );
    const verdict = classifyNat({
      localPort: socket.address().port,
      localAddresses: ownAddresses(),
      answers,
    });
    return { ...verdict, checkedAt: now() };
  } catch (err) {
    return {
      type: 'unknown',
      publicAddress: null,
      directReachable: true,
      message: `NAT check failed: ${err instanceof Error ? err.message : String(err)}`,
      checkedAt: now(),
    };
  } finally {
    socket.close();
  }
}

function ownAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) =>
    (list ?? []).map((i) => i.address.replace(/%.*$/, '')),
  );
}

function formatAddress(m: MappedAddress): string {
  return m.address.includes(':') ? `[${m.address}]:${m.port}` : `${m.address}:${m.port}`;
}

/** IPv6 written out in full (lower case), so two spellings of one address compare equal. */
function normalizeIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right]
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':');
}
