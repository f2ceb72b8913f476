import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { Crypto } from '@poolnet/engine';

const latin1 = new TextDecoder('latin1');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Ed25519 through node:crypto (OpenSSL): ~30× faster than pure JS. Keys are raw 32-byte
 * seeds and public keys, as in the engine; KeyObjects are cached per key.
 */
export function nodeCrypto(): Crypto {
  const privateKeys = new Map<string, KeyObject>();
  const publicKeys = new Map<string, KeyObject>();
  const privateKey = (seed: Uint8Array): KeyObject => {
    const k = Buffer.from(seed).toString('base64');
    let key = privateKeys.get(k);
    if (!key) {
      key = createPrivateKey({
        key: Buffer.concat([PKCS8_PREFIX, seed]),
        format: 'der',
        type: 'pkcs8',
      });
      privateKeys.set(k, key);
    }
    return key;
  };
  const publicKey = (raw: Uint8Array): KeyObject => {
    const k = Buffer.from(raw).toString('base64');
    let key = publicKeys.get(k);
    if (!key) {
      key = createPublicKey({
        key: Buffer.concat([SPKI_PREFIX, raw]),
        format: 'der',
        type: 'spki',
      });
      publicKeys.set(k, key);
    }
    return key;
  };
  return {
    generateKeyPair() {
      const { privateKey: sk, publicKey: pk } = generateKeyPairSync('ed25519');
      const seed = sk.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
      const pub = pk.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
      return { secretKey: new Uint8Array(seed), publicKey: new Uint8Array(pub) };
    },
    sign: (message, secretKey) => new Uint8Array(sign(null, message, privateKey(secretKey))),
    verify(signature, message, key) {
      try {
        return key.length === 32 && verify(null, message, publicKey(key), signature);
      } catch {
        return false;
      }
    },
    sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
  };
}

/**
 * The simulator runs thousands of nodes in one process, and all of them verify the same
 * (key, message, signature) triples. The answer for identical bytes is identical, so one
 * shared cache computes it once; every node still calls verify on every message.
 */
export function sharedVerifyCache(inner: Crypto): Crypto & { hits: number; misses: number } {
  // signature -> the (key, message) pairs it was checked against, with the answer. Bytes are
  // compared in full, so no collision can make a forgery pass.
  const cache = new Map<string, Array<{ key: Uint8Array; message: Uint8Array; ok: boolean }>>();
  const self = {
    ...inner,
    hits: 0,
    misses: 0,
    verify(signature: Uint8Array, message: Uint8Array, key: Uint8Array): boolean {
      const k = latin1.decode(signature);
      const known = cache.get(k);
      const hit = known?.find((e) => equal(e.key, key) && equal(e.message, message));
      if (hit) {
        self.hits++;
        return hit.ok;
      }
      self.misses++;
      const ok = inner.verify(signature, message, key);
      const entry = { key: key.slice(), message: message.slice(), ok };
      if (known) known.push(entry);
      else cache.set(k, [entry]);
      return ok;
    },
  };
  return self;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
