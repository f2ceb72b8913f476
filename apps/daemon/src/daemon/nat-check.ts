/**
 * The device's NAT check (ADR 0010): from one UDP socket, ask the sync server's two STUN ports
 * for this device's mapped address and compare the answers with each other and with the
 * device's own addresses. One socket matters: a cone NAT keeps one mapping per local socket
 * whoever it talks to, a symmetric NAT makes a new one per destination, and only a symmetric
 * NAT's devices need TURN to reach devices behind other NATs. People see the verdict in
 * `poolnet status`, so a device that can only be reached through a relay says so. The verdict
 * itself (`classifyNat`) lives in @poolnet/device: the browser node reaches it from its ICE
 * candidates instead of a socket.
 */
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { type StunTarget, classifyNat, failedNatCheck } from '@poolnet/device';
import type { NatStatus } from '../api-types.js';
import { askStun } from './stun-client.js';

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
    return { ...failedNatCheck(err), checkedAt: now() };
  } finally {
    socket.close();
  }
}

function ownAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) =>
    (list ?? []).map((i) => i.address.replace(/%.*$/, '')),
  );
}
