import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalPipe } from '@poolnet/engine';
import {
  openPair,
  signalPipePair,
  transportContract,
  type TransportHarness,
} from '@poolnet/engine/testing';
import type { SelectingTransport } from '../src/index.js';
import { closedPort, rewritingTcpCandidates } from './support/network.js';
import { closeAll, selecting } from './support/real-transports.js';

/**
 * LINK1 of the contract accepts any of the transport's `kinds`; here it is also checked that
 * both ends name the transport actually carrying the link.
 */
function link1(harness: TransportHarness, carrier: string): void {
  it('[LINK1] both ends name the transport carrying the link', async () => {
    const { a, b, ta, tb } = await openPair(harness);
    expect(a.isOpen && b.isOpen).toBe(true);
    expect(a.peer).not.toBe(b.peer);
    expect([a.kind, b.kind]).toEqual([carrier, carrier]);
    expect((ta as SelectingTransport).kinds).toContain(a.kind);
    ta.close();
    tb.close();
  });
}

// The selecting transport over real TCP and WebRTC (127.0.0.1) passes the engine's contract,
// carried by TCP (both ends reach each other) and by WebRTC (TCP blocked).
describe('selecting transport contract, [tcp, webrtc] carried by TCP', () => {
  afterAll(closeAll);
  const harness: TransportHarness = { make: () => selecting(['tcp', 'webrtc']) };
  link1(harness, 'tcp');
  for (const c of transportContract) {
    it(`[${c.id}] ${c.name}`, () => c.run(harness));
  }
});

describe('selecting transport contract, [tcp, webrtc] carried by WebRTC (TCP blocked)', () => {
  let port = 0;
  beforeAll(async () => {
    port = await closedPort();
  });
  afterAll(closeAll);
  const block = (): Array<{ h: string; p: number }> => [{ h: '127.0.0.1', p: port }];
  const harness: TransportHarness = {
    make: () => selecting(['tcp', 'webrtc']),
    pipes: (): [SignalPipe, SignalPipe] => {
      const [pa, pb] = signalPipePair();
      return [rewritingTcpCandidates(pa, block), rewritingTcpCandidates(pb, block)];
    },
  };
  link1(harness, 'webrtc');
  for (const c of transportContract) {
    it(`[${c.id}] ${c.name}`, () => c.run(harness));
  }
});
