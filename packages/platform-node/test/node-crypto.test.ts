import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '@poolnet/engine';
import { nodeCrypto, sharedVerifyCache } from '../src/index.js';

describe('nodeCrypto', () => {
  const node = nodeCrypto();
  const msg = new TextEncoder().encode('pool message');

  it('interoperates with the portable noble implementation both ways', () => {
    const a = node.generateKeyPair();
    const b = nobleCrypto.generateKeyPair();
    expect(nobleCrypto.verify(node.sign(msg, a.secretKey), msg, a.publicKey)).toBe(true);
    expect(node.verify(nobleCrypto.sign(msg, b.secretKey), msg, b.publicKey)).toBe(true);
    expect(node.sha256(msg)).toEqual(nobleCrypto.sha256(msg));
  });

  it('rejects a tampered message, a wrong key and garbage without throwing', () => {
    const a = node.generateKeyPair();
    const sig = node.sign(msg, a.secretKey);
    const tampered = msg.slice();
    tampered[0]! ^= 1;
    expect(node.verify(sig, tampered, a.publicKey)).toBe(false);
    expect(node.verify(sig, msg, node.generateKeyPair().publicKey)).toBe(false);
    expect(node.verify(new Uint8Array(3), msg, new Uint8Array(5))).toBe(false);
  });

  it('the shared cache answers like the inner verifier', () => {
    const cached = sharedVerifyCache(node);
    const a = node.generateKeyPair();
    const sig = node.sign(msg, a.secretKey);
    expect(cached.verify(sig, msg, a.publicKey)).toBe(true);
    expect(cached.verify(sig, msg, a.publicKey)).toBe(true);
    expect(cached.verify(sig, msg.slice(1), a.publicKey)).toBe(false);
    expect(cached.hits).toBe(1);
    expect(cached.misses).toBe(2);
  });
});
