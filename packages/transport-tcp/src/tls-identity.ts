import { createHash, createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { selfSignedCertificate } from './self-signed-certificate.js';

/**
 * A device's TLS identity: a key and the self-signed certificate for it. Peers pin the
 * certificate's SHA-256 fingerprint, which travels through the authenticated signalling.
 */
export interface TlsIdentity {
  /** The private key, PKCS#8 PEM. Secret. */
  readonly keyPem: string;
  /** The certificate, PEM. */
  readonly certificatePem: string;
  /** The certificate, DER. */
  readonly certificate: Uint8Array;
  /** SHA-256 of the certificate's DER, 64 lowercase hex digits. */
  readonly fingerprint: string;
}

export interface TlsIdentityOptions {
  /** Key type. Default `'p256'` (ECDSA, what every TLS stack takes). */
  readonly algorithm?: 'p256' | 'ed25519';
  /** Subject common name. Default `'poolnet device'`. */
  readonly commonName?: string;
  /** Validity starts a day before this (clock skew) and lasts `validDays`. Default now. */
  readonly now?: Date;
  /** Default 3650. Nobody checks it (the fingerprint is pinned), but TLS stacks parse it. */
  readonly validDays?: number;
}

const DAY_MS = 86_400_000;

/** A fresh key and self-signed certificate (a few milliseconds). */
export function createTlsIdentity(options: TlsIdentityOptions = {}): TlsIdentity {
  const { privateKey, publicKey } =
    options.algorithm === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const now = (options.now ?? new Date()).getTime();
  const certificate = selfSignedCertificate({
    privateKey,
    publicKey,
    commonName: options.commonName ?? 'poolnet device',
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + (options.validDays ?? 3650) * DAY_MS),
  });
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: toPem(certificate),
    certificate,
    fingerprint: certificateFingerprint(certificate),
  };
}

/**
 * An identity kept from an earlier run (say in the device's data directory). Throws when the
 * certificate does not parse or does not belong to the key.
 */
export function tlsIdentityFromPem(keyPem: string, certificatePem: string): TlsIdentity {
  const x509 = new X509Certificate(certificatePem);
  if (!x509.checkPrivateKey(createPrivateKey(keyPem))) {
    throw new RangeError('the certificate is not for this key');
  }
  const certificate = new Uint8Array(x509.raw);
  const fingerprint = certificateFingerprint(certificate);
  return { keyPem, certificatePem: toPem(certificate), certificate, fingerprint };
}

/** SHA-256 of a certificate's DER encoding, lowercase hex. */
export function certificateFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

function toPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
