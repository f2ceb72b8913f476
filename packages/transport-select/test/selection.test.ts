import { describe, expect, it } from 'vitest';
import { LinkError, type SignalPipe } from '@poolnet/engine';
import { signalPipePair } from '@poolnet/engine/testing';
import { asNodeId } from '@poolnet/protocol';
import {
  SelectError,
  SelectingTransport,
  type SelectedLink,
  type SelectingTransportOptions,
} from '../src/index.js';
import { FaultyKind, type Behaviour } from './support/faulty-transport.js';
import { until } from './support/network.js';

// The selector's state machine on fake transports (memory links that can be delayed, fail or
// be cut): preference window, fallback, the far end's answer, bounds, hostile signalling.

const transportIds = { fast: 10, slow: 11, spare: 12 };
const A = asNodeId('a');
const B = asNodeId('b');

interface Setup {
  kinds: FaultyKind[];
  a: SelectedLink;
  b: SelectedLink;
  ta: SelectingTransport;
  tb: SelectingTransport;
}

/** Two ends offering `kinds` (in that order), with per-end behaviours by kind. */
async function link(
  kindNames: string[],
  behaviours: { a?: Record<string, Behaviour>; b?: Record<string, Behaviour> } = {},
  options: SelectingTransportOptions = {},
  pipes: [SignalPipe, SignalPipe] = signalPipePair(),
): Promise<Setup> {
  const kinds = kindNames.map((name) => new FaultyKind(name));
  const settings = { transportIds, ...options };
  const ta = new SelectingTransport(
    kinds.map((k) => k.transport(A, behaviours.a?.[k.kind])),
    settings,
  );
  const tb = new SelectingTransport(
    kinds.map((k) => k.transport(B, behaviours.b?.[k.kind])),
    settings,
  );
  const [a, b] = await Promise.all([
    ta.open(B, 'initiator', pipes[0]),
    tb.open(A, 'responder', pipes[1]),
  ]);
  return { kinds, a, b, ta, tb };
}

async function delivered(from: SelectedLink, to: SelectedLink, bytes: number[]): Promise<void> {
  const got: number[][] = [];
  const off = to.onMessage((frame) => got.push([...frame]));
  from.send('control', new Uint8Array(bytes));
  await until(() => got.length > 0, 2000, 'a frame');
  off();
  expect(got[0]).toEqual(bytes);
}

describe('choosing a transport', () => {
  it('keeps the preferred transport when it comes up within the window after the first', async () => {
    const { a, b, kinds, ta, tb } = await link(['fast', 'slow'], {
      a: { fast: { delayMs: 120 } },
      b: { fast: { delayMs: 120 } },
    });
    expect([a.kind, b.kind]).toEqual(['fast', 'fast']);
    // The loser was closed on both ends.
    await until(() => kinds[1]!.links.size === 0, 2000, 'slow links closed');
    await delivered(a, b, [1]);
    ta.close();
    tb.close();
  });

  it('keeps the first link up when the preferred one is later than the window', async () => {
    const { a, b, kinds, ta, tb } = await link(
      ['fast', 'slow'],
      { a: { fast: { delayMs: 400 } }, b: { fast: { delayMs: 400 } } },
      { preferWindowMs: 100 },
    );
    expect([a.kind, b.kind]).toEqual(['slow', 'slow']);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(kinds[0]!.links.size).toBe(0); // The late preferred links were closed when they came.
    await delivered(b, a, [2]);
    ta.close();
    tb.close();
  });

  it('keeps a less preferred link at once when the preferred one fails', async () => {
    const started = Date.now();
    const { a, b, ta, tb } = await link(
      ['fast', 'slow'],
      { a: { fast: { fail: true, delayMs: 20 } } },
      { preferWindowMs: 5000 },
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect([a.kind, b.kind]).toEqual(['slow', 'slow']);
    ta.close();
    tb.close();
  });

  it('rejects with ABORTED when the open is aborted, and says bye to the far end', async () => {
    const kind = new FaultyKind('fast');
    const ta = new SelectingTransport([kind.transport(A, { delayMs: 5000 })], { transportIds });
    const tb = new SelectingTransport([kind.transport(B, { delayMs: 5000 })], { transportIds });
    const [pa, pb] = signalPipePair();
    const controller = new AbortController();
    const opening = ta.open(B, 'initiator', pa, { signal: controller.signal });
    const other = tb.open(A, 'responder', pb);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(opening).rejects.toMatchObject({ code: 'ABORTED' });
    const error = await other.then(
      () => undefined,
      (e: unknown) => e as LinkError,
    );
    expect(error?.code).toBe('OPEN_FAILED');
    expect((error?.cause as SelectError).code).toBe('PEER_CLOSED');
    ta.close();
    tb.close();
  });
});

describe('falling back', () => {
  it('moves to the next transport when both ends see the carrier fail', async () => {
    const { a, b, kinds, ta, tb } = await link(['fast', 'slow']);
    const changes: string[] = [];
    b.onCarrier((kind) => changes.push(kind));
    const peerChanges: string[] = [];
    ta.onCarrierChange((peer, kind) => peerChanges.push(`${peer}:${kind}`));
    expect(ta.kindOf(B)).toBe('fast');
    let closes = 0;
    a.onClose(() => closes++);
    b.onClose(() => closes++);
    kinds[0]!.sever();
    expect(a.state).toBe('reopening');
    expect(a.isOpen).toBe(true);
    a.send('control', new Uint8Array([7])); // Held, then sent on the new carrier.
    const got: number[][] = [];
    b.onMessage((frame) => got.push([...frame]));
    await until(() => a.kind === 'slow' && b.kind === 'slow', 3000, 'both on slow');
    await until(() => got.length === 1, 2000, 'the held frame');
    expect(got[0]).toEqual([7]);
    expect(changes).toEqual(['slow']);
    expect(peerChanges).toEqual(['b:slow']);
    expect(ta.kindOf(B)).toBe('slow');
    expect(ta.linkInfo()).toEqual([{ peer: B, kind: 'slow', state: 'open', fallbacks: 1 }]);
    expect(closes).toBe(0);
    expect(a.fallbacks).toBe(1);
    ta.close();
    tb.close();
  });

  it('the far end follows when only this end saw the carrier drop', async () => {
    const { a, b, kinds, ta, tb } = await link(['fast', 'slow']);
    const [carrierA] = [...kinds[0]!.links].filter((l) => l === a.carrierLink);
    carrierA!.dropLocally();
    await until(() => a.kind === 'slow' && b.kind === 'slow', 3000, 'both on slow');
    expect(a.isOpen && b.isOpen).toBe(true);
    expect(b.fallbacks).toBe(1);
    await delivered(b, a, [3]);
    ta.close();
    tb.close();
  });

  it('closes with LINK_CLOSED when no transport is left', async () => {
    const { a, b, kinds } = await link(['fast']);
    const reasons: Array<Error | undefined> = [];
    a.onClose((r) => reasons.push(r));
    b.onClose((r) => reasons.push(r));
    kinds[0]!.sever();
    await until(() => reasons.length === 2, 2000, 'both closed');
    for (const reason of reasons) {
      expect(reason).toBeInstanceOf(LinkError);
      expect((reason as LinkError).code).toBe('LINK_CLOSED');
    }
    expect(() => a.send('control', new Uint8Array(1))).toThrow(LinkError);
  });

  it('closes when the far end does not answer the re-open', async () => {
    const [pa, pb] = signalPipePair();
    let cut = false;
    const lossy: SignalPipe = { send: (p) => !cut && pa.send(p), onSignal: pa.onSignal };
    const { a, kinds } = await link(['fast', 'slow'], {}, { peerAnswerMs: 200 }, [lossy, pb]);
    const reasons: Array<Error | undefined> = [];
    a.onClose((r) => reasons.push(r));
    cut = true; // Our re-open never reaches the far end, which never drops its carrier.
    const started = Date.now();
    [...kinds[0]!.links].find((l) => l === a.carrierLink)!.dropLocally();
    await until(() => reasons.length === 1, 3000, 'closed');
    expect(Date.now() - started).toBeLessThan(1500);
    const reason = reasons[0] as LinkError;
    expect(reason.code).toBe('LINK_CLOSED');
    expect(((reason.cause as LinkError).cause as SelectError).code).toBe('PEER_SILENT');
  });

  it('closes when the far end says bye while re-opening', async () => {
    const { a, b, kinds } = await link(['fast', 'slow'], { a: { slow: { delayMs: 5000 } } });
    const reasons: Array<Error | undefined> = [];
    a.onClose((r) => reasons.push(r));
    kinds[0]!.sever();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(b.state).toBe('reopening');
    b.close();
    await until(() => reasons.length === 1, 2000, 'closed');
    expect(((reasons[0] as LinkError).cause as SelectError).code).toBe('PEER_CLOSED');
  });

  it('holds at most maxHeldBytes while re-opening and counts the rest', async () => {
    const { a, b, kinds, ta, tb } = await link(
      ['fast', 'slow'],
      { a: { slow: { delayMs: 100 } } },
      { maxHeldBytes: 1000 },
    );
    kinds[0]!.sever();
    for (let i = 0; i < 5; i++) a.send('bulk', new Uint8Array(300));
    expect(a.bufferedAmount('bulk')).toBe(900);
    expect(a.droppedFrames).toBe(2);
    const got: number[] = [];
    b.onMessage((frame) => got.push(frame.byteLength));
    await until(() => got.length === 3, 3000, 'the held frames');
    expect(a.bufferedAmount('bulk')).toBe(0);
    ta.close();
    tb.close();
  });

  it('a deliberate close at one end closes the other, without a fallback', async () => {
    const { a, b } = await link(['fast', 'slow']);
    const reasons: Array<Error | undefined> = [];
    b.onClose((r) => reasons.push(r));
    a.close();
    await until(() => reasons.length === 1, 2000, 'closed');
    expect(reasons[0]).toBeUndefined();
    expect(b.fallbacks).toBe(0);
  });
});

describe('hostile signalling', () => {
  it('drops and counts blobs it cannot place; the link still opens', async () => {
    const [pa, pb] = signalPipePair();
    const junk = (): void => {
      const enc = new TextEncoder();
      const blobs = [
        new Uint8Array(0),
        new Uint8Array([1]),
        enc.encode('{"t":"offer","s":"x"}'),
        new Uint8Array([200, 0, 1, 2]),
        new Uint8Array([0, 0, 0xff, 0xfe]),
        new Uint8Array([0, 0, ...enc.encode('{"t":"choose","n":"zzzzzzzzzzzzzzzz","id":10}')]),
        new Uint8Array([0, 0, ...enc.encode('{"t":"hello","n":"short","ids":[10]}')]),
        new Uint8Array([0, 9, ...enc.encode('{"t":"reopen","n":"zzzzzzzzzzzzzzzz","failed":1}')]),
      ];
      for (const blob of blobs) pb.send(blob);
    };
    const noisy: SignalPipe = {
      send: (payload) => pa.send(payload),
      onSignal: (listener) => pa.onSignal(listener),
    };
    junk();
    const { a, b, ta, tb } = await link(['fast', 'slow'], {}, {}, [noisy, pb]);
    const d = a.droppedSignals;
    expect(d.untagged).toBe(3);
    expect(d.unknownTransport).toBe(1);
    expect(d.badControl).toBe(2);
    expect(d.stale).toBe(2);
    await delivered(a, b, [9]);
    ta.close();
    tb.close();
  });

  it('refuses options that cannot work', () => {
    const kind = new FaultyKind('fast');
    expect(() => new SelectingTransport([])).toThrow(SelectError);
    expect(() => new SelectingTransport([kind.transport(A)])).toThrow(/no wire id/);
    expect(
      () => new SelectingTransport([kind.transport(A)], { transportIds: { fast: 123 } }),
    ).toThrow(/not 123/);
    expect(
      () => new SelectingTransport([kind.transport(A), kind.transport(B)], { transportIds }),
    ).toThrow(/twice/);
  });
});
