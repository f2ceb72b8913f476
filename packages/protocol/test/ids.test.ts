import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { idFromBytes } from '../src/index.js';

describe('idFromBytes', () => {
  it('is base64url of the bytes, whatever their length', () => {
    for (let n = 1; n <= 40; n++) {
      for (let k = 0; k < 20; k++) {
        const bytes = randomBytes(n);
        const expected = bytes.toString('base64url');
        const id = idFromBytes(bytes);
        expect(id.length).toBe(expected.length);
        expect(id.slice(1)).toBe(expected.slice(1));
        if (!/^[-_]/.test(expected)) expect(id).toBe(expected);
      }
    }
  });

  it('never starts with - or _ (a command line would read it as an option)', () => {
    // 0xf8.. and 0xfc.. encode as '-' and '_' first.
    for (const first of [0xf8, 0xf9, 0xfc, 0xff]) {
      const id = idFromBytes(Uint8Array.of(first, 1, 2, 3));
      expect(id).toMatch(/^[A-Za-z]/);
    }
    for (let k = 0; k < 2000; k++) expect(idFromBytes(randomBytes(16))).toMatch(/^[A-Za-z0-9]/);
  });
});
