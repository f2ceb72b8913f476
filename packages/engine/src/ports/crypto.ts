/**
 * Signatures enter the engine through this port so each platform can use its fastest
 * implementation (node:crypto in the daemon, WebCrypto in a page). `identity/noble-crypto.ts`
 * is the portable default.
 */
export interface Crypto {
  /** A new Ed25519 key pair (32-byte secret seed, 32-byte public key). */
  generateKeyPair(): { secretKey: Uint8Array; publicKey: Uint8Array };
  /** Ed25519 signature (64 bytes) of `message`. */
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** True when `signature` is a valid Ed25519 signature of `message` by `publicKey`. Never throws. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** SHA-256 digest. */
  sha256(data: Uint8Array): Uint8Array;
}
