import { describe, expect, it } from 'vitest';
import { TcpError } from '../src/index.js';
import { decodeSignal, encodeSignal, newSessionId, type TcpSignal } from '../src/signal-codec.js';

import { FP, HOSTILE_SIGNALS, json, offer } from './support/hostile-signals.js';
describe('TCP signal codec', () => {
  it('round-trips offers, answers and fails', () => {
    const signals: TcpSignal[] = [
      { t: 'offer', s: newSessionId(), fp: FP, m: 262_144, c: [{ host: '::1', port: 1 }] },
      { t: 'answer', s: newSessionId(), fp: FP, m: 1024, c: [] },
      { t: 'fail', s: newSessionId() },
    ];
    for (const signal of signals) expect(decodeSignal(encodeSignal(signal))).toEqual(signal);
  });

  it('ignores unknown extra fields (room for minor additions)', () => {
    const decoded = decodeSignal(json({ x: 'later', c: [{ h: '10.1.2.3', p: 9, z: 1 }] }));
    expect(decoded).toEqual({
      t: 'offer',
      s: offer.s,
      fp: FP,
      m: offer.m,
      c: [{ host: '10.1.2.3', port: 9 }],
    });
  });

  it('makes unguessable session ids of 24 hex digits', () => {
    const ids = new Set(Array.from({ length: 100 }, newSessionId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{24}$/);
  });

  for (const [name, blob] of HOSTILE_SIGNALS) {
    it(`refuses a hostile blob with BAD_SIGNAL: ${name}`, () => {
      let error: unknown;
      try {
        decodeSignal(blob);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TcpError);
      expect((error as TcpError).code).toBe('BAD_SIGNAL');
    });
  }
});
