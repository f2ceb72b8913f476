import { afterEach, describe, expect, it } from 'vitest';
import { LinkError, type Channel, type PeerLink, type SignalPipe } from '@poolnet/engine';
import { openPair, signalPipePair } from '@poolnet/engine/testing';
import { asNodeId } from '@poolnet/protocol';
import {
  WebRtcTransport,
  type DataChannelLink,
  type NodeWebRtcTransportOptions,
} from '../src/index.js';

const made: WebRtcTransport[] = [];
afterEach(() => {
  for (const t of made.splice(0)) t.close();
});

/** A transport on 127.0.0.1 only, closed after the test. */
function loopback(options: NodeWebRtcTransportOptions = {}): WebRtcTransport {
  const t = new WebRtcTransport({ bindAddress: '127.0.0.1', ...options });
  made.push(t);
  return t;
}

async function rejection(promise: Promise<unknown>): Promise<LinkError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(LinkError);
    return e as LinkError;
  }
  throw new Error('expected a rejection');
}

function until(condition: () => boolean, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const poll = (): void => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error('timed out'));
      setTimeout(poll, 5);
    };
    poll();
  });
}

function collect(link: PeerLink): Array<{ frame: Uint8Array; channel: Channel }> {
  const got: Array<{ frame: Uint8Array; channel: Channel }> = [];
  link.onMessage((frame, channel) => got.push({ frame: frame.slice(), channel }));
  return got;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A pipe that answers nothing: the far end never shows up. */
const silentPipe = (): SignalPipe => ({ send: () => {}, onSignal: () => () => {} });

/** A pipe to drive one end by hand: `sent` holds its blobs, `deliver` plays the far end. */
function handPipe(): SignalPipe & { sent: Uint8Array[]; deliver(payload: Uint8Array): void } {
  const listeners = new Set<(payload: Uint8Array) => void>();
  const sent: Uint8Array[] = [];
  return {
    sent,
    send: (payload) => sent.push(payload),
    onSignal: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    deliver: (payload) => listeners.forEach((l) => l(payload)),
  };
}

describe('webrtc link', () => {
  it('ignores malformed and stray signal blobs and still opens', async () => {
    const [pa, pb] = signalPipePair();
    const garbage = [
      new Uint8Array([0xff, 0x00, 0x13]),
      text('{}'),
      text('{"t":"offer"}'),
      text('{"t":"ice","s":"zzzzzzzz","c":"candidate:1 1 UDP 1 127.0.0.1 9 typ host","m":"0"}'),
      text('{"t":"ice","s":"a","c":"garbage candidate","m":"0"}'),
      text('{"t":"answer","s":"abc","sdp":"v=0"}'), // wrong role for the responder
      new Uint8Array(40_000),
    ];
    // Each real blob is preceded by garbage and sent twice, as a confused relay might.
    const noisy = (pipe: SignalPipe): SignalPipe => ({
      send: (payload) => {
        for (const g of garbage) pipe.send(g);
        pipe.send(payload);
        pipe.send(payload);
      },
      onSignal: (listener) => pipe.onSignal(listener),
    });
    const { a, b } = await openPair({
      make: () => loopback(),
      pipes: () => [noisy(pa), noisy(pb)],
    });
    const got = collect(b);
    a.send('control', text('hello'));
    await until(() => got.length === 1);
    expect(new TextDecoder().decode(got[0]!.frame)).toBe('hello');
  });

  it('fails fast with OPEN_FAILED when the far end sends an SDP the stack refuses', async () => {
    const responderPipe = handPipe();
    const opening = loopback().open(asNodeId('x'), 'responder', responderPipe);
    responderPipe.deliver(text('{"t":"offer","s":"abc","sdp":"this is not sdp"}'));
    const error = await rejection(opening);
    expect(error.code).toBe('OPEN_FAILED');
    expect(error.cause).toBeDefined();

    const initiatorPipe = handPipe();
    const opening2 = loopback().open(asNodeId('y'), 'initiator', initiatorPipe);
    await until(() => initiatorPipe.sent.length > 0);
    const offer = JSON.parse(new TextDecoder().decode(initiatorPipe.sent[0])) as { s: string };
    initiatorPipe.deliver(text(JSON.stringify({ t: 'answer', s: offer.s, sdp: 'v=0\r\nnope' })));
    expect((await rejection(opening2)).code).toBe('OPEN_FAILED');
  });

  it('takes blobs replayed synchronously on subscribe (how the engine hands early signals)', async () => {
    const [pa, pb] = signalPipePair();
    const early: Uint8Array[] = [];
    const offB = pb.onSignal((payload) => early.push(payload));
    const replaying: SignalPipe = {
      send: (payload) => pb.send(payload),
      onSignal: (listener) => {
        offB();
        const off = pb.onSignal(listener);
        for (const payload of early.splice(0)) listener(payload);
        return off;
      },
    };
    const opening = loopback().open(asNodeId('b'), 'initiator', pa);
    await until(() => early.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    const [a, b] = await Promise.all([
      opening,
      loopback().open(asNodeId('a'), 'responder', replaying),
    ]);
    expect(a.isOpen && b.isOpen).toBe(true);
  });

  it('rejects with ABORTED when aborted before or while connecting', async () => {
    const before = new AbortController();
    before.abort();
    const t = loopback();
    const e1 = await rejection(t.open(asNodeId('p'), 'initiator', silentPipe(), before));
    expect(e1.code).toBe('ABORTED');

    for (const role of ['initiator', 'responder'] as const) {
      const controller = new AbortController();
      const opening = t.open(asNodeId('p'), role, silentPipe(), { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      expect((await rejection(opening)).code).toBe('ABORTED');
    }
  });

  it('rejects with OPEN_FAILED after the connect timeout', async () => {
    const t = loopback({ connectTimeoutMs: 200 });
    const error = await rejection(t.open(asNodeId('p'), 'initiator', silentPipe()));
    expect(error.code).toBe('OPEN_FAILED');
  });

  it('Transport.close fails opens in progress and closes links, each onClose once', async () => {
    const ta = loopback();
    const tb = loopback();
    const [pa, pb] = signalPipePair();
    const [a, b] = await Promise.all([
      ta.open(asNodeId('b'), 'initiator', pa),
      tb.open(asNodeId('a'), 'responder', pb),
    ]);
    const closes = { a: 0, b: 0 };
    a.onClose(() => closes.a++);
    b.onClose(() => closes.b++);
    const pending = ta.open(asNodeId('c'), 'initiator', silentPipe());
    ta.close();
    ta.close();
    expect((await rejection(pending)).code).toBe('OPEN_FAILED');
    expect(a.isOpen).toBe(false);
    await until(() => !b.isOpen);
    await new Promise((r) => setTimeout(r, 100));
    expect(closes).toEqual({ a: 1, b: 1 });
    expect((await rejection(ta.open(asNodeId('d'), 'initiator', silentPipe()))).code).toBe(
      'OPEN_FAILED',
    );
  });

  it('holds frames that arrive before anyone listens', async () => {
    const { a, b } = await openPair({ make: () => loopback() });
    for (let i = 0; i < 20; i++) a.send(i % 2 ? 'bulk' : 'control', new Uint8Array([i]));
    await new Promise((r) => setTimeout(r, 200));
    const got = collect(b);
    await until(() => got.length === 20);
    const bulk = got.filter((f) => f.channel === 'bulk').map((f) => f.frame[0]);
    expect(bulk).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
  });

  it('knows its selected candidate pair: a loopback link is direct, not relayed', async () => {
    const { a, b } = await openPair({ make: () => loopback() });
    for (const link of [a, b] as DataChannelLink[]) {
      const route = await link.routeKnown;
      expect(route?.relayed).toBe(false);
      expect(route?.localType).toBe('host');
      // The far end's candidate is peer-reflexive when its check arrived before its candidate.
      expect(['host', 'prflx']).toContain(route?.remoteType);
      expect(link.relayed).toBe(false);
      expect(link.route).toEqual(route);
    }
  });

  it('sends views into a larger buffer byte-exact', async () => {
    const { a, b } = await openPair({ make: () => loopback() });
    const got = collect(b);
    const big = new Uint8Array(1000).map((_, i) => i & 0xff);
    a.send('bulk', big.subarray(100, 300));
    a.send('control', big.subarray(999));
    await until(() => got.length === 2);
    const byChannel = Object.fromEntries(got.map((f) => [f.channel, [...f.frame]]));
    expect(byChannel.bulk).toEqual([...big.subarray(100, 300)]);
    expect(byChannel.control).toEqual([999 & 0xff]);
  });

  it('offers the SCTP limit both ends accept, or the smaller option', async () => {
    const plain = await openPair({ make: () => loopback() });
    expect(plain.a.maxMessageBytes).toBe(256 * 1024);
    expect(plain.b.maxMessageBytes).toBe(256 * 1024);
    const small = await openPair({ make: () => loopback({ maxMessageBytes: 100_000 }) });
    expect(small.a.maxMessageBytes).toBe(100_000);
    const got = collect(small.b);
    small.a.send('bulk', new Uint8Array(100_000));
    await until(() => got.length === 1);
    expect(() => small.a.send('bulk', new Uint8Array(100_001))).toThrow(
      expect.objectContaining({ code: 'MESSAGE_TOO_LARGE' }),
    );
  });

  it('delivers a control frame sent after 16 MiB of bulk before the bulk backlog drains', async () => {
    const { a, b } = await openPair({ make: () => loopback() });
    const order: Channel[] = [];
    let bulkBufferedWhenControlArrived = -1;
    b.onMessage((_frame, channel) => {
      if (channel === 'control') bulkBufferedWhenControlArrived = a.bufferedAmount('bulk');
      order.push(channel);
    });
    const chunk = new Uint8Array(64 * 1024);
    for (let i = 0; i < 256; i++) a.send('bulk', chunk);
    const queued = a.bufferedAmount('bulk');
    a.send('control', text('urgent'));
    await until(() => order.length === 257);
    // 16 MiB handed to send(); the SCTP stack takes some of it at once, the rest is backlog.
    expect(queued).toBeGreaterThan(12 * 1024 * 1024);
    const position = order.indexOf('control');
    expect(position).toBeLessThan(256);
    expect(bulkBufferedWhenControlArrived).toBeGreaterThan(0);
  });

  it('closes once on either end and throws LINK_CLOSED afterwards', async () => {
    const { a, b } = await openPair({ make: () => loopback() });
    const reasons: Array<Error | undefined> = [];
    a.onClose((reason) => reasons.push(reason));
    b.onClose((reason) => reasons.push(reason));
    b.close();
    await until(() => !a.isOpen);
    await new Promise((r) => setTimeout(r, 100));
    expect(reasons).toEqual([undefined, undefined]);
    expect(() => b.send('bulk', new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: 'LINK_CLOSED' }),
    );
    expect(a.bufferedAmount('bulk')).toBe(0);
  });
});
