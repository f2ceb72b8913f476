import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkError, type Channel, type PeerLink, type SignalPipe } from '@poolnet/engine';
import { openPair, signalPipePair } from '@poolnet/engine/testing';
import { asNodeId } from '@poolnet/protocol';
import {
  createTlsIdentity,
  TcpError,
  TcpTransport,
  type TcpLink,
  type TcpTransportOptions,
} from '../src/index.js';
import { HOSTILE_SIGNALS } from './support/hostile-signals.js';
import { closedPort, handPipe, json, rewritingPipe, silentPipe } from './support/pipes.js';

const made: TcpTransport[] = [];
afterEach(() => {
  for (const t of made.splice(0)) t.close();
});

/** A transport on 127.0.0.1, closed after the test. */
function loopback(options: TcpTransportOptions = {}): TcpTransport {
  const t = new TcpTransport({ host: '127.0.0.1', ...options });
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

/** The `TcpError` somewhere down the cause chain, if any. */
function tcpCause(error: unknown, code?: string): TcpError | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof TcpError && (code === undefined || e.code === code)) return e;
  }
  return undefined;
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

async function pair(
  options: TcpTransportOptions = {},
  pipes?: [SignalPipe, SignalPipe],
): Promise<{ a: TcpLink; b: TcpLink }> {
  const ta = loopback(options);
  const tb = loopback(options);
  const [pa, pb] = pipes ?? signalPipePair();
  const [a, b] = await Promise.all([
    ta.open(asNodeId('b'), 'initiator', pa),
    tb.open(asNodeId('a'), 'responder', pb),
  ]);
  return { a, b };
}

describe('tcp link', () => {
  it('both ends agree on one socket, whichever side dialled first', async () => {
    for (let i = 0; i < 10; i++) {
      const { a, b } = await pair();
      expect(a.kind).toBe('tcp');
      expect(a.localAddress).toBe(b.remoteAddress);
      expect(a.remoteAddress).toBe(b.localAddress);
      const atA = collect(a);
      const atB = collect(b);
      a.send('control', text('ping'));
      b.send('bulk', text('pong'));
      await until(() => atA.length === 1 && atB.length === 1);
    }
  });

  it('refuses every malformed or hostile signal with OPEN_FAILED (cause BAD_SIGNAL)', async () => {
    const t = loopback();
    for (const [name, blob] of HOSTILE_SIGNALS) {
      const pipe = handPipe();
      const opening = t.open(asNodeId('p'), 'responder', pipe);
      pipe.deliver(blob);
      const error = await rejection(opening);
      expect(error.code, name).toBe('OPEN_FAILED');
      expect(tcpCause(error, 'BAD_SIGNAL'), name).toBeDefined();
    }
    // The transport is none the worse.
    const { a, b } = await openPair({ make: () => loopback() });
    expect(a.isOpen && b.isOpen).toBe(true);
  });

  it('refuses signals out of turn: an answer to the responder, an offer to the initiator', async () => {
    const fp = createTlsIdentity().fingerprint;
    const responder = handPipe();
    const opening = loopback().open(asNodeId('p'), 'responder', responder);
    responder.deliver(json({ v: 1, t: 'answer', s: 'abcdefgh12', fp, m: 65536, c: [] }));
    expect(tcpCause(await rejection(opening), 'BAD_SIGNAL')).toBeDefined();

    const initiator = handPipe();
    const opening2 = loopback().open(asNodeId('p'), 'initiator', initiator);
    await until(() => initiator.sent.length > 0);
    const { s } = initiator.signals()[0]!;
    initiator.deliver(json({ v: 1, t: 'offer', s, fp, m: 65536, c: [] }));
    expect(tcpCause(await rejection(opening2), 'BAD_SIGNAL')).toBeDefined();
  });

  it('ignores valid blobs of another session (left over from an earlier attempt)', async () => {
    const [pa, pb] = signalPipePair();
    const fp = createTlsIdentity().fingerprint;
    const stale = (t: string): Uint8Array =>
      json({ v: 1, t, s: 'feedfacefeedface', fp, m: 65536, c: [{ h: '127.0.0.1', p: 9 }] });
    // The initiator hears a stale answer and fail before each real blob.
    const noisy: SignalPipe = {
      send: (payload) => {
        pb.send(stale('answer'));
        pb.send(stale('fail'));
        pb.send(payload);
      },
      onSignal: (listener) => pb.onSignal(listener),
    };
    const { a, b } = await pair({}, [pa, noisy]);
    expect(a.isOpen && b.isOpen).toBe(true);
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
      setTimeout(() => controller.abort(), 50);
      expect((await rejection(opening)).code).toBe('ABORTED');
    }
  });

  it('rejects with OPEN_FAILED after the connect timeout when the far end never answers', async () => {
    const t = loopback({ connectTimeoutMs: 200 });
    const error = await rejection(t.open(asNodeId('p'), 'initiator', silentPipe()));
    expect(error.code).toBe('OPEN_FAILED');
    expect(tcpCause(error, 'UNREACHABLE')).toBeDefined();
  });

  it('fails fast with OPEN_FAILED when the port is closed both ways, long before the timeout', async () => {
    const port = await closedPort();
    const toClosed = (): Array<{ h: string; p: number }> => [{ h: '127.0.0.1', p: port }];
    const [pa, pb] = signalPipePair();
    const ta = loopback({ connectTimeoutMs: 30_000 });
    const tb = loopback({ connectTimeoutMs: 30_000 });
    const started = Date.now();
    const [ea, eb] = await Promise.all([
      rejection(ta.open(asNodeId('b'), 'initiator', rewritingPipe(pa, toClosed))),
      rejection(tb.open(asNodeId('a'), 'responder', rewritingPipe(pb, toClosed))),
    ]);
    const elapsed = Date.now() - started;
    for (const e of [ea, eb]) {
      expect(e.code).toBe('OPEN_FAILED');
      expect(tcpCause(e, 'UNREACHABLE')).toBeDefined();
    }
    expect(elapsed).toBeLessThan(10_000);
  });

  it('fails fast against a hand-played peer whose only candidate is a closed port', async () => {
    const port = await closedPort();
    const pipe = handPipe();
    const opening = loopback({ connectTimeoutMs: 30_000 }).open(asNodeId('p'), 'initiator', pipe);
    await until(() => pipe.sent.length > 0);
    const { s } = pipe.signals()[0]!;
    const fp = createTlsIdentity().fingerprint;
    pipe.deliver(json({ v: 1, t: 'answer', s, fp, m: 65536, c: [{ h: '127.0.0.1', p: port }] }));
    pipe.deliver(json({ v: 1, t: 'fail', s }));
    const error = await rejection(opening);
    expect(error.code).toBe('OPEN_FAILED');
    expect(pipe.signals().map((x) => x.t)).toEqual(['offer', 'fail']);
    expect(tcpCause(error)?.message).toMatch(/either way/);
  });

  it('gives up on a candidate that takes the connection but never speaks TLS', async () => {
    const mute = createServer(() => {});
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = mute.address() as { port: number };
      const pipe = handPipe();
      const t = loopback({ connectTimeoutMs: 30_000, handshakeTimeoutMs: 300 });
      const opening = t.open(asNodeId('p'), 'initiator', pipe);
      await until(() => pipe.sent.length > 0);
      const { s } = pipe.signals()[0]!;
      const fp = createTlsIdentity().fingerprint;
      pipe.deliver(json({ v: 1, t: 'answer', s, fp, m: 65536, c: [{ h: '127.0.0.1', p: port }] }));
      pipe.deliver(json({ v: 1, t: 'fail', s }));
      const error = await rejection(opening);
      expect(error.code).toBe('OPEN_FAILED');
      expect(tcpCause(error.cause, 'UNREACHABLE')?.cause).toMatchObject({
        message: expect.stringMatching(/no TLS handshake in time/),
      });
    } finally {
      mute.close();
    }
  });

  for (const blocked of ['offer', 'answer'] as const) {
    it(`opens when only one side can dial the other (the ${blocked}'s candidates are dead)`, async () => {
      const port = await closedPort();
      const [pa, pb] = signalPipePair();
      const dead = (
        c: Array<{ h: string; p: number }>,
        t: string,
      ): Array<{ h: string; p: number }> => (t === blocked ? [{ h: '127.0.0.1', p: port }] : c);
      const { a, b } = await pair({}, [rewritingPipe(pa, dead), rewritingPipe(pb, dead)]);
      const got = collect(b);
      a.send('control', text('through'));
      await until(() => got.length === 1);
    });
  }

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
    const late = await rejection(ta.open(asNodeId('d'), 'initiator', silentPipe()));
    expect(late.code).toBe('OPEN_FAILED');
  });

  it('reports a deliberate close as no reason on both ends, and LINK_CLOSED after', async () => {
    const { a, b } = await pair();
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

  it('holds frames that arrive before anyone listens', async () => {
    const { a, b } = await pair();
    for (let i = 0; i < 20; i++) a.send(i % 2 ? 'bulk' : 'control', new Uint8Array([i]));
    await new Promise((r) => setTimeout(r, 200));
    const got = collect(b);
    await until(() => got.length === 20);
    const bulk = got.filter((f) => f.channel === 'bulk').map((f) => f.frame[0]);
    expect(bulk).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
  });

  it('sends views into a larger buffer byte-exact, and empty frames', async () => {
    const { a, b } = await pair();
    const got = collect(b);
    const big = new Uint8Array(1000).map((_, i) => i & 0xff);
    a.send('bulk', big.subarray(100, 300));
    a.send('control', big.subarray(999));
    a.send('control', new Uint8Array(0));
    await until(() => got.length === 3);
    expect([...got[0]!.frame]).toEqual([...big.subarray(100, 300)]);
    expect([...got[1]!.frame]).toEqual([999 & 0xff]);
    expect(got[2]!.frame.byteLength).toBe(0);
  });

  it('offers the smaller frame limit of the two ends', async () => {
    const ta = loopback({ maxMessageBytes: 100_000 });
    const tb = loopback();
    const [pa, pb] = signalPipePair();
    const [a, b] = await Promise.all([
      ta.open(asNodeId('b'), 'initiator', pa),
      tb.open(asNodeId('a'), 'responder', pb),
    ]);
    expect(a.maxMessageBytes).toBe(100_000);
    expect(b.maxMessageBytes).toBe(100_000);
    const got = collect(a);
    b.send('bulk', new Uint8Array(100_000));
    await until(() => got.length === 1);
    expect(() => b.send('bulk', new Uint8Array(100_001))).toThrow(
      expect.objectContaining({ code: 'MESSAGE_TOO_LARGE' }),
    );
  });

  it('delivers a control frame sent after 16 MiB of bulk before the bulk backlog drains', async () => {
    const { a, b } = await pair();
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
    expect(queued).toBeGreaterThan(12 * 1024 * 1024);
    const position = order.indexOf('control');
    expect(position).toBeLessThan(256);
    expect(bulkBufferedWhenControlArrived).toBeGreaterThan(0);
    console.log(`control frame arrived after ${position} of 256 bulk frames (64 KiB each)`);
  });

  it('fails with OPEN_FAILED (LISTEN_FAILED) when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as { port: number };
      const t = loopback({ port });
      const error = await rejection(t.open(asNodeId('p'), 'initiator', silentPipe()));
      expect(error.code).toBe('OPEN_FAILED');
      expect(tcpCause(error, 'LISTEN_FAILED')).toBeDefined();
      await expect(t.listen()).rejects.toMatchObject({ code: 'LISTEN_FAILED' });
    } finally {
      blocker.close();
    }
  });

  it('advertises extra candidates from the hook, and survives a hook that throws', async () => {
    const seen: number[] = [];
    const t = loopback({
      extraCandidates: (port) => {
        seen.push(port);
        return [{ host: '203.0.113.7', port: 4242 }];
      },
    });
    const port = await t.listen();
    expect(await t.candidates()).toEqual([
      { host: '127.0.0.1', port },
      { host: '203.0.113.7', port: 4242 },
    ]);
    expect(seen).toEqual([port]);
    const broken = (): TcpTransport =>
      loopback({ extraCandidates: () => Promise.reject(new Error('no reflexive address today')) });
    const { a, b } = await openPair({ make: broken });
    expect(a.isOpen && b.isOpen).toBe(true);
  });

  it('works with Ed25519 certificates too', async () => {
    const { a, b } = await pair({ identity: createTlsIdentity({ algorithm: 'ed25519' }) });
    const got = collect(b);
    a.send('control', text('ed'));
    await until(() => got.length === 1);
  });

  it('refuses options that cannot work with INVALID_OPTIONS', () => {
    const bad: TcpTransportOptions[] = [
      { host: 'localhost' },
      { port: 70_000 },
      { connectTimeoutMs: 0 },
      { maxMessageBytes: 1e12 },
      { lowWaterMark: 10, highWaterMark: 5 },
      { heartbeatMs: 1000, silenceTimeoutMs: 500 },
    ];
    for (const options of bad) {
      expect(() => new TcpTransport(options)).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      );
    }
  });
});
