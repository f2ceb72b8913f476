import { asNodeId, type NodeId } from '@poolnet/protocol';
import type { Channel, PeerLink, SignalPipe, Transport } from '../ports/transport.js';
import { LinkError } from '../errors.js';
import { signalPipePair } from './signal-pipes.js';

/**
 * The contract every transport passes (memory now; WebRTC and TCP later). Framework-free so it
 * can live in product code: each case throws on failure, and a test file registers the cases
 * with its runner. Cases use real time, so any transport can run them.
 */
export interface TransportHarness {
  /** A fresh transport for `nodeId`, able to reach the others made by this harness. */
  make(nodeId: NodeId): Transport | Promise<Transport>;
  /** Signalling between two nodes (default: an in-memory relay). */
  pipes?(a: NodeId, b: NodeId): [SignalPipe, SignalPipe];
  /** Release everything the harness made. */
  dispose?(): void | Promise<void>;
}

export interface ContractCase {
  readonly id: string;
  readonly name: string;
  run(harness: TransportHarness): Promise<void>;
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`contract violated: ${message}`);
}

async function waitFor(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`contract violated: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

let pairCounter = 0;

/** Open a link between two fresh transports; both ends resolve. */
export async function openPair(
  harness: TransportHarness,
): Promise<{ a: PeerLink; b: PeerLink; ta: Transport; tb: Transport }> {
  const n = ++pairCounter;
  const aId = asNodeId(`node-a-${n}`);
  const bId = asNodeId(`node-b-${n}`);
  const ta = await harness.make(aId);
  const tb = await harness.make(bId);
  const [pa, pb] = harness.pipes ? harness.pipes(aId, bId) : signalPipePair();
  const [a, b] = await Promise.all([ta.open(bId, 'initiator', pa), tb.open(aId, 'responder', pb)]);
  return { a, b, ta, tb };
}

function collect(link: PeerLink): Array<{ frame: Uint8Array; channel: Channel }> {
  const got: Array<{ frame: Uint8Array; channel: Channel }> = [];
  link.onMessage((frame, channel) => got.push({ frame: frame.slice(), channel }));
  return got;
}

function frameOf(n: number, size: number): Uint8Array {
  const f = new Uint8Array(size);
  for (let i = 0; i < size; i++) f[i] = (n * 31 + i) & 0xff;
  if (size >= 4) new DataView(f.buffer).setUint32(0, n);
  return f;
}

export const transportContract: readonly ContractCase[] = [
  {
    id: 'LINK1',
    name: 'both ends of a link open and name each other',
    async run(h) {
      const { a, b, ta, tb } = await openPair(h);
      check(a.isOpen && b.isOpen, 'both ends open');
      check(a.peer !== b.peer, 'ends name different peers');
      const kinds = (t: Transport) => t.kinds ?? [t.kind];
      check(
        kinds(ta).includes(a.kind) && kinds(tb).includes(b.kind),
        "link kind is the transport's kind (or one of its kinds)",
      );
      ta.close();
      tb.close();
    },
  },
  {
    id: 'LINK2',
    name: 'frames arrive byte-exact and in order on each channel, both ways',
    async run(h) {
      const { a, b, ta, tb } = await openPair(h);
      const atB = collect(b);
      const atA = collect(a);
      for (let i = 0; i < 200; i++)
        a.send(i % 2 ? 'bulk' : 'control', frameOf(i, 1 + (i % 97) * 13));
      for (let i = 0; i < 50; i++) b.send('control', frameOf(i, 64));
      await waitFor(() => atB.length === 200 && atA.length === 50, 'all frames');
      for (const channel of ['control', 'bulk'] as const) {
        const expected = [...Array(200).keys()].filter(
          (i) => (i % 2 ? 'bulk' : 'control') === channel,
        );
        const got = atB.filter((f) => f.channel === channel);
        check(got.length === expected.length, `${channel} count`);
        got.forEach((f, k) => {
          const want = frameOf(expected[k]!, 1 + (expected[k]! % 97) * 13);
          check(
            f.frame.length === want.length && f.frame.every((x, j) => x === want[j]),
            `${channel} frame ${k} intact and in order`,
          );
        });
      }
      ta.close();
      tb.close();
    },
  },
  {
    id: 'LINK3',
    name: 'a frame of maxMessageBytes passes; a larger one is refused with MESSAGE_TOO_LARGE',
    async run(h) {
      const { a, b, ta, tb } = await openPair(h);
      const got = collect(b);
      a.send('bulk', frameOf(7, a.maxMessageBytes));
      await waitFor(() => got.length === 1, 'the largest frame');
      check(got[0]!.frame.length === a.maxMessageBytes, 'full size delivered');
      let error: unknown;
      try {
        a.send('bulk', new Uint8Array(a.maxMessageBytes + 1));
      } catch (e) {
        error = e;
      }
      check(error instanceof LinkError && error.code === 'MESSAGE_TOO_LARGE', 'typed size error');
      check(a.isOpen, 'link stays open after a refused frame');
      ta.close();
      tb.close();
    },
  },
  {
    id: 'LINK4',
    name: 'closing one end closes the other; sending on a closed link throws LINK_CLOSED',
    async run(h) {
      const { a, b, ta, tb } = await openPair(h);
      let closedB = 0;
      b.onClose(() => closedB++);
      a.close();
      a.close();
      await waitFor(() => closedB === 1 && !b.isOpen, 'far end closed');
      let error: unknown;
      try {
        a.send('control', new Uint8Array(1));
      } catch (e) {
        error = e;
      }
      check(error instanceof LinkError && error.code === 'LINK_CLOSED', 'typed closed error');
      check(closedB === 1, 'close fires once');
      ta.close();
      tb.close();
    },
  },
  {
    id: 'LINK5',
    name: 'buffered amount grows with queued bulk and drain fires when it falls back',
    async run(h) {
      const { a, b, ta, tb } = await openPair(h);
      const got = collect(b);
      let drained = 0;
      a.onDrain((c) => c === 'bulk' && drained++);
      const chunk = frameOf(1, 64 * 1024);
      let peak = 0;
      for (let i = 0; i < 64; i++) {
        a.send('bulk', chunk);
        peak = Math.max(peak, a.bufferedAmount('bulk'));
      }
      check(peak > 0, 'bufferedAmount reflects queued bytes');
      await waitFor(() => got.length === 64, '4 MiB delivered');
      await waitFor(() => drained > 0 && a.bufferedAmount('bulk') === 0, 'drain after the backlog');
      ta.close();
      tb.close();
    },
  },
  {
    id: 'LINK6',
    name: 'a control frame is not held behind a bulk backlog',
    async run(h) {
      const { a, b, ta, tb } = await openPair(h);
      const order: Channel[] = [];
      b.onMessage((_f, channel) => order.push(channel));
      const chunk = frameOf(2, 64 * 1024);
      for (let i = 0; i < 128; i++) a.send('bulk', chunk);
      a.send('control', frameOf(3, 16));
      await waitFor(() => order.length === 129, 'all frames');
      check(order.indexOf('control') < 128, 'control overtook part of the bulk backlog');
      ta.close();
      tb.close();
    },
  },
  {
    id: 'LINK7',
    name: 'an aborted open rejects with ABORTED',
    async run(h) {
      const aId = asNodeId(`abort-a-${++pairCounter}`);
      const bId = asNodeId(`abort-b-${pairCounter}`);
      const ta = await h.make(aId);
      const [pa] = h.pipes ? h.pipes(aId, bId) : signalPipePair();
      const controller = new AbortController();
      const opening = ta.open(bId, 'initiator', pa, { signal: controller.signal });
      controller.abort();
      let error: unknown;
      try {
        await opening;
      } catch (e) {
        error = e;
      }
      check(error instanceof LinkError && error.code === 'ABORTED', 'typed abort error');
      ta.close();
    },
  },
];
