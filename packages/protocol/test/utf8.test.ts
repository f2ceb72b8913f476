import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, encodeUtf8 } from '../src/utf8.js';

describe('utf8 fast path', () => {
  it('agrees with TextEncoder/TextDecoder for any string, short ASCII or not', () => {
    const te = new TextEncoder();
    const td = new TextDecoder('utf-8', { ignoreBOM: true });
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 })),
        (s) => {
          expect(encodeUtf8(s)).toEqual(te.encode(s));
          const bytes = te.encode(s);
          expect(decodeUtf8(bytes)).toBe(td.decode(bytes));
        },
      ),
    );
  });

  it('strict decoding still refuses invalid UTF-8', () => {
    expect(() => decodeUtf8(new Uint8Array([0xc3, 0x28]), true)).toThrow();
    expect(decodeUtf8(new Uint8Array([0x61, 0x62]), true)).toBe('ab');
  });
});
