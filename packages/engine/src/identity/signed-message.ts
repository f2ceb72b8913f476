import { create, toBinary } from '@bufbuild/protobuf';
import {
  PoolMessageSchema,
  SignedPoolMessageSchema,
  poolMessageSigningBytes,
  type DeviceCertificate,
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
  /** Authority signature (as a string key) -> the certificate it was checked for. */
  private readonly trusted = new Map<string, DeviceCertificate>();

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
    if (!this.certificateOk(cert)) return 'bad-certificate';
    return this.crypto.verify(
      signed.signature,
      poolMessageSigningBytes(signed.body),
      cert.publicKey,
    )
      ? 'ok'
      : 'bad-signature';
  }

  /**
   * A certificate seen before is trusted again only if every signed field is the same, so a
   * cached one with a swapped key or id is verified afresh (and fails).
   */
  private certificateOk(cert: DeviceCertificate): boolean {
    if (Number(cert.expiresAtMs) <= this.clock.now()) return false;
    const key = latin1.decode(cert.authoritySignature);
    const known = this.trusted.get(key);
    if (known && sameCertificate(known, cert)) return true;
    if (!verifyCertificate(this.crypto, cert, this.authorityPublicKey, this.clock.now()))
      return false;
    if (this.trusted.size >= this.cacheSize) {
      const oldest = this.trusted.keys().next();
      if (!oldest.done) this.trusted.delete(oldest.value);
    }
    this.trusted.set(key, cert);
    return true;
  }
}

const latin1 = new TextDecoder('latin1');

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameCertificate(a: DeviceCertificate, b: DeviceCertificate): boolean {
  return (
    a.nodeId === b.nodeId &&
    a.userId === b.userId &&
    a.expiresAtMs === b.expiresAtMs &&
    sameBytes(a.publicKey, b.publicKey) &&
    sameBytes(a.authoritySignature, b.authoritySignature)
  );
}
