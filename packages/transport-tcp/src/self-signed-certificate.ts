import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { bitString, explicit, integer, oid, sequence, set, time, utf8String } from './der.js';

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ed25519: '1.3.101.112',
} as const;

export interface CertificateRequest {
  /** The subject's (and issuer's: self-signed) key pair: EC P-256 or Ed25519. */
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Subject and issuer common name. */
  readonly commonName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * A self-signed X.509 v3 certificate (RFC 5280), DER-encoded, signed with ECDSA-SHA256 (P-256)
 * or Ed25519 by the key it certifies. No extensions: nobody validates it against a CA, the
 * peer pins its SHA-256 fingerprint (see README, "Security model"), so the fields only have to
 * be well-formed for TLS stacks to accept it.
 *
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 *   TBSCertificate ::= SEQUENCE { [0] version(v3), serialNumber, signature, issuer, validity,
 *                                 subject, subjectPublicKeyInfo }
 */
export function selfSignedCertificate(request: CertificateRequest): Uint8Array {
  const { privateKey, publicKey } = request;
  const ed25519 = privateKey.asymmetricKeyType === 'ed25519';
  if (!ed25519 && !isP256(privateKey)) {
    throw new RangeError('the certificate key is EC P-256 or Ed25519');
  }
  const algorithm = sequence(oid(ed25519 ? OID.ed25519 : OID.ecdsaWithSha256));
  const name = sequence(set(sequence(oid(OID.commonName), utf8String(request.commonName))));
  // A positive serial of at most 20 bytes (RFC 5280 4.1.2.2), random so no two collide.
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    algorithm,
    name,
    sequence(time(request.notBefore), time(request.notAfter)),
    name,
    spki,
  );
  // node:crypto gives ECDSA signatures DER-encoded (Ecdsa-Sig-Value), as X.509 wants them.
  const signature = sign(ed25519 ? null : 'sha256', tbs, privateKey);
  return sequence(tbs, algorithm, bitString(signature));
}

function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}
