import { afterEach, describe, expect, it } from 'vitest';
import { LinkError, type Channel, type PeerLink, type SignalPipe } from '@poolnet/engine';
import { signalPipePair } from '@poolnet/engine/testing';
import { asNodeId } from '@poolnet/protocol';
import { SelectError, type SelectedLink, type SelectingTransport } from '../src/index.js';
import { closedPort, rewritingTcpCandidates, TcpProxy, until } from './support/network.js';
import { closeAll, selecting, type Offer } from './support/real-transports.js';

const proxies: TcpProxy[] = [];
afterEach(() => {
  closeAll();
  for (const proxy of proxies.splice(0)) proxy.sever();
});

async function pair(
  offers: [Offer, Offer] = [
    ['tcp', 'webrtc'],
    ['tcp', 'webrtc'],
  ],
  pipes: [SignalPipe, SignalPipe] = signalPipePair(),
): Promise<{ a: SelectedLink; b: SelectedLink; ta: SelectingTransport; tb: SelectingTransport }> {
  const ta = selecting(offers[0]);
  const tb = selecting(offers[1]);
  const [a, b] = await Promise.all([
    ta.open(asNodeId('b'), 'initiator', pipes[0]),
    tb.open(asNodeId('a'), 'responder', pipes[1]),
  ]);
  return { a, b, ta, tb };
}

function collect(link: PeerLink): Array<{ frame: Uint8Array; channel: Channel }> {
  const got: Array<{ frame: Uint8Array; channel: Channel }> = [];
  link.onMessage((frame, channel) => got.push({ frame: frame.slice(), channel }));
  return got;
}

async function roundTrip(a: PeerLink, b: PeerLink): Promise<void> {
  const atB = collect(b);
  const atA = collect(a);
  a.send('control', new Uint8Array([1, 2, 3]));
  b.send('bulk', new Uint8Array([4, 5]));
  await until(() => atB.length === 1 && atA.length === 1, 5000, 'a frame each way');
  expect([...atB[0]!.frame]).toEqual([1, 2, 3]);
  expect([...atA[0]!.frame]).toEqual([4, 5]);
}

/** TCP blobs whose candidates all point at a closed port: TCP cannot connect either way. */
async function tcpBlocked(): Promise<[SignalPipe, SignalPipe]> {
  const port = await closedPort();
  const [pa, pb] = signalPipePair();
  const block = (): Array<{ h: string; p: number }> => [{ h: '127.0.0.1', p: port }];
  return [rewritingTcpCandidates(pa, block), rewritingTcpCandidates(pb, block)];
}

/** Each end's TCP candidates replaced by a proxy to it: cutting the proxies cuts TCP. */
function tcpThroughProxies(): [SignalPipe, SignalPipe] {
  const viaProxy = async (
    candidates: Array<{ h: string; p: number }>,
  ): Promise<Array<{ h: string; p: number }>> => {
    const proxy = new TcpProxy(candidates[0]!);
    proxies.push(proxy);
    return [await proxy.listen()];
  };
  const [pa, pb] = signalPipePair();
  return [rewritingTcpCandidates(pa, viaProxy), rewritingTcpCandidates(pb, viaProxy)];
}

describe('selecting link over real TCP and WebRTC', () => {
  it('keeps TCP when both ends offer it, on both ends', async () => {
    const { a, b } = await pair();
    expect([a.kind, b.kind]).toEqual(['tcp', 'tcp']);
    await roundTrip(a, b);
  });

  it('carries the link over WebRTC when TCP cannot connect', async () => {
    const started = Date.now();
    const { a, b } = await pair(undefined, await tcpBlocked());
    expect([a.kind, b.kind]).toEqual(['webrtc', 'webrtc']);
    // TCP failed fast (both ends said `fail`), so WebRTC was kept without a long wait.
    expect(Date.now() - started).toBeLessThan(5000);
    await roundTrip(a, b);
  });

  for (const webrtcOnly of ['responder', 'initiator'] as const) {
    it(`works with a ${webrtcOnly} that offers only WebRTC (a browser)`, async () => {
      const offers: [Offer, Offer] =
        webrtcOnly === 'responder'
          ? [['tcp', 'webrtc'], ['webrtc']]
          : [['webrtc'], ['tcp', 'webrtc']];
      const started = Date.now();
      const { a, b } = await pair(offers);
      expect(Date.now() - started).toBeLessThan(5000);
      expect([a.kind, b.kind]).toEqual(['webrtc', 'webrtc']);
      await roundTrip(a, b);
      // The native end's TCP offer reached an end without TCP: dropped and counted there.
      const onlyWebrtc = webrtcOnly === 'responder' ? b : a;
      const native = webrtcOnly === 'responder' ? a : b;
      if (webrtcOnly === 'responder') {
        expect(onlyWebrtc.droppedSignals.unknownTransport).toBeGreaterThan(0);
      }
      expect(native.droppedSignals.unknownTransport).toBe(0);
    });
  }

  it('switches to WebRTC when the TCP carrier is cut mid-transfer; the link never closes', async () => {
    const { a, b } = await pair(undefined, tcpThroughProxies());
    expect([a.kind, b.kind]).toEqual(['tcp', 'tcp']);
    let closes = 0;
    a.onClose(() => closes++);
    b.onClose(() => closes++);
    const carriers: string[] = [];
    a.onCarrier((kind) => carriers.push(kind));

    const received: number[] = [];
    b.onMessage((frame) =>
      received.push(new DataView(frame.buffer, frame.byteOffset).getUint32(0)),
    );
    const total = 3000;
    const frameBytes = 16 * 1024;
    /** For each frame sent: did it go out after the drop was noticed (held, or on WebRTC)? */
    const afterDrop: boolean[] = [];
    let seq = 0;
    const pump = (): void => {
      while (seq < total && a.bufferedAmount('bulk') < 2 * 1024 * 1024) {
        const frame = new Uint8Array(frameBytes);
        new DataView(frame.buffer).setUint32(0, seq);
        afterDrop[seq++] = a.state === 'reopening' || a.kind === 'webrtc';
        a.send('bulk', frame);
      }
      if (seq < total) setTimeout(pump, 1);
    };
    a.onDrain((channel) => channel === 'bulk' && pump());
    pump();

    await until(() => received.length >= 200, 10_000, 'frames over TCP');
    for (const proxy of proxies) proxy.sever();
    await until(() => seq === total, 20_000, 'every frame sent');
    await until(() => received.at(-1) === total - 1, 20_000, 'the last frame');

    expect(closes).toBe(0);
    expect(a.isOpen && b.isOpen).toBe(true);
    expect([a.kind, b.kind]).toEqual(['webrtc', 'webrtc']);
    expect(carriers).toEqual(['webrtc']);
    expect(a.fallbacks).toBe(1);
    // In order, none twice; frames the cut TCP had taken may be lost, none sent after it.
    for (let i = 1; i < received.length; i++) expect(received[i]).toBeGreaterThan(received[i - 1]!);
    const firstAfter = afterDrop.indexOf(true);
    expect(firstAfter).toBeGreaterThan(0);
    const arrived = new Set(received);
    for (let n = firstAfter; n < total; n++) if (afterDrop[n]) expect(arrived.has(n)).toBe(true);
    expect(a.droppedFrames).toBe(0);
    console.log(
      `TCP cut after ${firstAfter} frames sent; ${total - received.length} frames lost in the cut`,
    );
    await roundTrip(a, b);
  });

  it('fails the open with ALL_FAILED when no transport connects', async () => {
    const ta = selecting(['tcp']);
    const tb = selecting(['tcp']);
    const [pa, pb] = await tcpBlocked();
    const results = await Promise.allSettled([
      ta.open(asNodeId('b'), 'initiator', pa),
      tb.open(asNodeId('a'), 'responder', pb),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as LinkError;
      expect(error).toBeInstanceOf(LinkError);
      expect(error.code).toBe('OPEN_FAILED');
      expect(error.cause).toBeInstanceOf(SelectError);
      expect((error.cause as SelectError).code).toBe('ALL_FAILED');
      expect((error.cause as SelectError).failures.map((f) => f.kind)).toEqual(['tcp']);
    }
  });

  it('fails the open with NO_COMMON_TRANSPORT when the ends share no transport', async () => {
    const results = await Promise.allSettled([pair([['tcp'], ['webrtc']])]);
    const error = (results[0] as PromiseRejectedResult).reason as LinkError;
    expect(error.code).toBe('OPEN_FAILED');
    expect((error.cause as SelectError).code).toBe('NO_COMMON_TRANSPORT');
  });
});
