import { create } from '@bufbuild/protobuf';
import {
  DeviceCertificateSchema,
  certificateSigningBytes,
  type DeviceCertificate,
  type NodeId,
  type UserId,
} from '@poolnet/protocol';
import type { Crypto } from '../ports/crypto.js';

/**
 * A device certificate binds a node (device) id and its user to an Ed25519 public key, signed
 * by the pool's authority (the sync server). Receivers trust a message's key only through it.
 */
export interface CertificateFields {
  nodeId: NodeId;
  userId: UserId;
  publicKey: Uint8Array;
  expiresAtMs: number;
}

/** Issue a certificate (done by the sync server, or a test authority). */
export function issueCertificate(
  crypto: Crypto,
  authoritySecretKey: Uint8Array,
  fields: CertificateFields,
): DeviceCertificate {
  return create(DeviceCertificateSchema, {
    nodeId: fields.nodeId,
    userId: fields.userId,
    publicKey: fields.publicKey,
    expiresAtMs: BigInt(fields.expiresAtMs),
    authoritySignature: crypto.sign(certificateSigningBytes(fields), authoritySecretKey),
  });
}

/** True when the authority signed this certificate and it has not expired at `nowMs`. */
export function verifyCertificate(
  crypto: Crypto,
  cert: DeviceCertificate,
  authorityPublicKey: Uint8Array,
  nowMs: number,
): boolean {
  if (Number(cert.expiresAtMs) <= nowMs || cert.publicKey.length !== 32) return false;
  // The certificate carries exactly the signed fields; no need to copy them out.
  return crypto.verify(cert.authoritySignature, certificateSigningBytes(cert), authorityPublicKey);
}
