import { asNodeId } from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { LinkError } from '../../src/errors.js';
import { ManualClock, MemoryNetwork, SeededRandom, openPair } from '../../src/testing/index.js';
import { systemClock } from '../../src/ports/clock.js';

describe('memory network', () => {
  it('manual mode holds frames until flush, in order, for deterministic interleavings', async () => {
    const network = new MemoryNetwork({ clock: systemClock, manual: true });
    const { a, b, ta, tb } = await openPair({ make: (id) => network.transport(id) });
    const got: number[] = [];
    b.onMessage((f) => got.push(f[0]!));
    a.send('control', new Uint8Array([1]));
    a.send('control', new Uint8Array([2]));
    a.send('bulk', new Uint8Array([3]));
    expect(got).toEqual([]);
    expect(network.queued).toBe(3);
    expect(network.flush(2)).toBe(2);
    expect(got).toEqual([1, 2]);
    network.flush();
    expect(got).toEqual([1, 2, 3]);
    ta.close();
    tb.close();
  });

  it('drops frames at the configured loss rate and counts them', async () => {
    const clock = new ManualClock();
    const network = new MemoryNetwork({
      clock,
      random: new SeededRandom(3),
      latencyMs: 1,
      lossRate: 0.3,
    });
    const opening = openPairOn(network, clock);
    const { a, b } = await opening;
    let got = 0;
    b.onMessage(() => got++);
    for (let i = 0; i < 1000; i++) a.send('control', new Uint8Array(8));
    await clock.runUntilIdle();
    expect(got).toBeGreaterThan(600);
    expect(got).toBeLessThan(800);
    expect(network.stats.framesDropped).toBe(1000 - got);
  });

  it('refuses frames over its size limit with a typed error', async () => {
    const network = new MemoryNetwork({ clock: systemClock, maxMessageBytes: 100 });
    const { a, ta, tb } = await openPair({ make: (id) => network.transport(id) });
    expect(() => a.send('bulk', new Uint8Array(101))).toThrow(LinkError);
    expect(a.maxMessageBytes).toBe(100);
    ta.close();
    tb.close();
  });

  it('delivers after the configured latency on virtual time', async () => {
    const clock = new ManualClock(0);
    const network = new MemoryNetwork({ clock, latencyMs: 25 });
    const { a, b } = await openPairOn(network, clock);
    const at: number[] = [];
    b.onMessage(() => at.push(clock.now()));
    const sentAt = clock.now();
    a.send('control', new Uint8Array(10));
    await clock.runUntilIdle();
    expect(at).toEqual([sentAt + 25]);
  });
});

/** Open a pair on a network driven by a manual clock (signalling relayed synchronously). */
async function openPairOn(network: MemoryNetwork, clock: ManualClock) {
  const ta = network.transport(asNodeId(`x${Math.random()}`));
  const tb = network.transport(asNodeId(`y${Math.random()}`));
  const toA: Array<(p: Uint8Array) => void> = [];
  const toB: Array<(p: Uint8Array) => void> = [];
  // Relayed one instant later, as a server would: both ends are listening by then.
  const relay = (to: Array<(p: Uint8Array) => void>) => (p: Uint8Array) =>
    void clock.setTimeout(() => to.forEach((l) => l(p)), 0);
  const pa = {
    send: relay(toB),
    onSignal: (l: (p: Uint8Array) => void) => (toA.push(l), () => {}),
  };
  const pb = {
    send: relay(toA),
    onSignal: (l: (p: Uint8Array) => void) => (toB.push(l), () => {}),
  };
  const both = Promise.all([
    ta.open(tb.nodeId, 'initiator', pa),
    tb.open(ta.nodeId, 'responder', pb),
  ]);
  await clock.runUntilIdle();
  const [a, b] = await both;
  return { a, b };
}
