import type { Random } from '../ports/random.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The production `Random`: the platform's cryptographic generator (`crypto.getRandomValues`,
 * present in Node 20 and every browser), so message ids cannot be guessed or made to collide.
 */
export const cryptoRandom: Random = {
  next() {
    const [x] = globalThis.crypto.getRandomValues(new Uint32Array(1));
    return x! / 4294967296;
  },
  int(n) {
    return Math.floor(cryptoRandom.next() * n);
  },
  id(length = 21) {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(length));
    let out = '';
    for (const b of bytes) out += ALPHABET[b & 63];
    return out;
  },
};
