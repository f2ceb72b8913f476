import { create, toBinary } from '@bufbuild/protobuf';
import {
  PoolMessageSchema,
  SignedPoolMessageSchema,
  poolMessageSigningBytes,
  type PoolMessage,
  type SignedPoolMessage,
} from '@poolnet/protocol';
import type { Clock } from '../ports/clock.js';
import type { Crypto } from '../ports/crypto.js';
import type { DeviceIdentity } from './device-identity.js';
import { verifyCertificate } from './certificate.js';

/** Encode and sign a pool message with the device key; the certificate travels with it. */
export function signPoolMessage(
  crypto: Crypto,
  identity: DeviceIdentity,
  message: PoolMessage,
): SignedPoolMessage {
  const body = toBinary(PoolMessageSchema, message);
  return create(SignedPoolMessageSchema, {
    body,
    signature: crypto.sign(poolMessageSigningBytes(body), identity.secretKey),
    cert: identity.certificate,
  });
}

export type Verdict = 'ok' | 'bad-certificate' | 'bad-signature' | 'author-mismatch';

/**
 * Checks that a pool message was signed by the device it names as author, with a key the
 * authority certified. Certificates seen before are not verified again (bounded cache).
 */
export class MessageVerifier {
  private readonly trustedCerts = new Set<string>();

  constructor(
    private readonly crypto: Crypto,
    private readonly authorityPublicKey: Uint8Array,
    private readonly clock: Clock,
    private readonly cacheSize = 4096,
  ) {}

  verify(signed: SignedPoolMessage, message: PoolMessage): Verdict {
    const cert = signed.cert;
    if (!cert) return 'bad-certificate';
    if (cert.nodeId !== message.authorNodeId || cert.userId !== message.userId) {
      return 'author-mismatch';
    }
    // The cache key covers every signed field, so a cached certificate with a swapped key or
    // id is verified afresh (and fails).
    const key = `${binaryKey(cert.authoritySignature)}${binaryKey(cert.publicKey)}|${cert.nodeId}|${cert.userId}|${cert.expiresAtMs}`;
    if (!this.trustedCerts.has(key)) {
      if (!verifyCertificate(this.crypto, cert, this.authorityPublicKey, this.clock.now())) {
        return 'bad-certificate';
      }
      if (this.trustedCerts.size >= this.cacheSize) {
        const oldest = this.trustedCerts.values().next();
        if (!oldest.done) this.trustedCerts.delete(oldest.value);
      }
      this.trustedCerts.add(key);
    } else if (Number(cert.expiresAtMs) <= this.clock.now()) {
      return 'bad-certificate';
    }
    return this.crypto.verify(
      signed.signature,
      poolMessageSigningBytes(signed.body),
      cert.publicKey,
    )
      ? 'ok'
      : 'bad-signature';
  }
}

function binaryKey(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
