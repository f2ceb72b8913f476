import type { DeviceCertificate } from '@poolnet/protocol';
import type { Crypto } from '../ports/crypto.js';
import { verifyCertificate } from './certificate.js';

const latin1 = new TextDecoder('latin1');

/**
 * The device certificates one authority signed that were already checked, so each is verified
 * once. One instance can serve every node of a process that trusts the same authority (a
 * daemon in several pools of one server, or the simulator's thousands of nodes).
 */
export class TrustedCertificates {
  /** Authority signature (as a string key) -> the certificate it was checked for. */
  private readonly trusted = new Map<string, DeviceCertificate>();

  constructor(
    private readonly crypto: Crypto,
    readonly authorityPublicKey: Uint8Array,
    private readonly capacity = 4096,
  ) {}

  /**
   * True when the authority signed `cert` and it has not expired at `nowMs`. A certificate seen
   * before is trusted again only if every signed field is the same, so a cached one with a
   * swapped key or id is verified afresh (and fails).
   */
  check(cert: DeviceCertificate, nowMs: number): boolean {
    if (Number(cert.expiresAtMs) <= nowMs) return false;
    const key = latin1.decode(cert.authoritySignature);
    const known = this.trusted.get(key);
    if (known && sameCertificate(known, cert)) return true;
    if (!verifyCertificate(this.crypto, cert, this.authorityPublicKey, nowMs)) return false;
    if (this.trusted.size >= this.capacity) {
      const oldest = this.trusted.keys().next();
      if (!oldest.done) this.trusted.delete(oldest.value);
    }
    this.trusted.set(key, cert);
    return true;
  }
}

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
