import { describe, expect, it } from 'vitest';
import { MAX_SIGNAL_PAYLOAD_BYTES } from '@poolnet/protocol';
import { decodeSignal, encodeSignal, newSessionId, type Signal } from '../src/signal-codec.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('signal codec', () => {
  it('round-trips offers, answers and candidates', () => {
    const signals: Signal[] = [
      { t: 'offer', s: 'abc123', sdp: 'v=0\r\n' },
      { t: 'answer', s: 'abc123', sdp: 'v=0\r\n' },
      { t: 'ice', s: 'abc123', c: 'candidate:1 1 UDP 1 127.0.0.1 5000 typ host', m: '0' },
    ];
    for (const signal of signals) expect(decodeSignal(encodeSignal(signal)!)).toEqual(signal);
  });

  it('defaults a missing mid to "0"', () => {
    expect(decodeSignal(text('{"t":"ice","s":"a1","c":"candidate:x"}'))).toEqual({
      t: 'ice',
      s: 'a1',
      c: 'candidate:x',
      m: '0',
    });
  });

  it('ignores anything that is not exactly one of its blobs', () => {
    const bad = [
      new Uint8Array(0),
      new Uint8Array([0xff, 0xfe, 0x00]), // not UTF-8
      text('not json'),
      text('null'),
      text('[1,2]'),
      text('"offer"'),
      text('{"t":"offer","sdp":"v=0"}'), // no session
      text('{"t":"offer","s":"BAD SESSION","sdp":"v=0"}'),
      text('{"t":"offer","s":"a1","sdp":""}'),
      text('{"t":"offer","s":"a1","sdp":42}'),
      text('{"t":"hello","s":"a1"}'),
      text('{"t":"ice","s":"a1"}'),
      text('{"t":"ice","s":"a1","c":"candidate:1\\r\\na=evil"}'),
      text(`{"t":"ice","s":"a1","c":"${'x'.repeat(2000)}"}`),
      text('{"t":"ice","s":"a1","c":"candidate:x","m":7}'),
      text(`{"t":"offer","s":"a1","sdp":"${'x'.repeat(MAX_SIGNAL_PAYLOAD_BYTES)}"}`),
    ];
    for (const payload of bad) expect(decodeSignal(payload)).toBeUndefined();
  });

  it('refuses to encode a blob over the server limit', () => {
    const sdp = 'x'.repeat(MAX_SIGNAL_PAYLOAD_BYTES);
    expect(encodeSignal({ t: 'offer', s: 'a1', sdp })).toBeUndefined();
  });

  it('makes session ids the decoder accepts', () => {
    for (let i = 0; i < 100; i++) {
      const s = newSessionId();
      expect(decodeSignal(encodeSignal({ t: 'offer', s, sdp: 'v=0' })!)).toBeDefined();
    }
  });
});
