import { describe, expect, it } from 'vitest';
import { certificateSigningBytes, poolMessageSigningBytes } from '../src/index.js';
import { bytes, cert } from './fixtures.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('signing bytes', () => {
  it('[WIRE10] the certificate layout is length-prefixed fields after a domain tag', () => {
    const c = { nodeId: 'n1', userId: 'u', publicKey: bytes(32, 1), expiresAtMs: 1234n };
    const out = certificateSigningBytes(c);
    const view = new DataView(out.buffer);
    const fields: Uint8Array[] = [];
    for (let at = 0; at < out.length;) {
      const len = view.getUint32(at);
      fields.push(out.slice(at + 4, at + 4 + len));
      at += 4 + len;
    }
    expect(fields.map((f, i) => (i === 3 ? f.length : text(f)))).toEqual([
      'poolnet/device-certificate/v1',
      'n1',
      'u',
      32,
      '1234',
    ]);
  });

  it('[WIRE10] the signed bytes do not depend on bigint vs number expiry, and change with any field', () => {
    const base = cert();
    const same = certificateSigningBytes({ ...base, expiresAtMs: Number(base.expiresAtMs) });
    expect(certificateSigningBytes(base)).toEqual(same);
    for (const patch of [
      { nodeId: 'x' },
      { userId: 'x' },
      { publicKey: bytes(32, 9) },
      { expiresAtMs: 1n },
    ]) {
      expect(certificateSigningBytes({ ...base, ...patch })).not.toEqual(same);
    }
    // Moving a byte between fields must not collide: lengths are part of the input.
    expect(certificateSigningBytes({ ...base, nodeId: 'ab', userId: 'c' })).not.toEqual(
      certificateSigningBytes({ ...base, nodeId: 'a', userId: 'bc' }),
    );
  });

  it('[WIRE9] a pool message is signed as the domain tag followed by the body', () => {
    const body = new Uint8Array([1, 2, 3]);
    const out = poolMessageSigningBytes(body);
    expect(text(out.slice(0, -3))).toBe('poolnet/pool-message/v1');
    expect(Array.from(out.slice(-3))).toEqual([1, 2, 3]);
  });
});
