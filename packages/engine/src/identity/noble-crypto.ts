import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Crypto } from '../ports/crypto.js';

/**
 * The portable `Crypto`: audited pure-JS Ed25519 and SHA-256 (@noble), the same in Node and in
 * a page. Platforms with a faster native implementation pass their own.
 */
export const nobleCrypto: Crypto = {
  generateKeyPair() {
    const secretKey = ed25519.utils.randomSecretKey();
    return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
  },
  sign: (message, secretKey) => ed25519.sign(message, secretKey),
  verify(signature, message, publicKey) {
    try {
      return ed25519.verify(signature, message, publicKey);
    } catch {
      return false;
    }
  },
  sha256: (data) => sha256(data),
};
