import { spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTlsIdentity, certificateFingerprint, tlsIdentityFromPem } from '../src/index.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('TLS identity', () => {
  for (const algorithm of ['p256', 'ed25519'] as const) {
    it(`makes a self-signed ${algorithm} certificate that Node.js parses and verifies`, () => {
      const now = new Date(Date.UTC(2030, 5, 15, 12, 0, 0));
      const identity = createTlsIdentity({ algorithm, commonName: 'device 7', now, validDays: 30 });
      const x509 = new X509Certificate(identity.certificatePem);
      expect(x509.subject).toBe('CN=device 7');
      expect(x509.issuer).toBe('CN=device 7');
      expect(new Date(x509.validFrom).getTime()).toBe(now.getTime() - 86_400_000);
      expect(new Date(x509.validTo).getTime()).toBe(now.getTime() + 30 * 86_400_000);
      expect(x509.verify(x509.publicKey)).toBe(true);
      expect(x509.checkPrivateKey(createPrivateKey(identity.keyPem))).toBe(true);
      expect(Buffer.from(x509.raw).equals(Buffer.from(identity.certificate))).toBe(true);
      expect(identity.fingerprint).toBe(x509.fingerprint256.replaceAll(':', '').toLowerCase());
      expect(identity.fingerprint).toBe(certificateFingerprint(identity.certificate));
      expect(x509.publicKey.asymmetricKeyType).toBe(algorithm === 'p256' ? 'ec' : 'ed25519');
    });
  }

  it('gives every identity its own key, serial and fingerprint', () => {
    const a = createTlsIdentity();
    const b = createTlsIdentity();
    expect(a.fingerprint).not.toBe(b.fingerprint);
    expect(new X509Certificate(a.certificatePem).serialNumber).not.toBe(
      new X509Certificate(b.certificatePem).serialNumber,
    );
  });

  it('reloads a kept identity from PEM and refuses a certificate of another key', () => {
    const a = createTlsIdentity();
    const b = createTlsIdentity();
    const again = tlsIdentityFromPem(a.keyPem, a.certificatePem);
    expect(again.fingerprint).toBe(a.fingerprint);
    expect(() => tlsIdentityFromPem(a.keyPem, b.certificatePem)).toThrow(RangeError);
    expect(() => tlsIdentityFromPem(a.keyPem, 'not a certificate')).toThrow();
  });

  it.skipIf(!hasOpenssl)('is accepted by openssl (x509 -text, verify as its own root)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'poolnet-tcp-cert-'));
    try {
      for (const algorithm of ['p256', 'ed25519'] as const) {
        const path = join(dir, `${algorithm}.pem`);
        writeFileSync(path, createTlsIdentity({ algorithm }).certificatePem);
        const text = spawnSync('openssl', ['x509', '-in', path, '-noout', '-text'], {
          encoding: 'utf8',
        });
        expect(text.status).toBe(0);
        expect(text.stdout).toContain('Version: 3 (0x2)');
        expect(text.stdout).toContain(algorithm === 'p256' ? 'ecdsa-with-SHA256' : 'ED25519');
        const verify = spawnSync('openssl', ['verify', '-CAfile', path, path], {
          encoding: 'utf8',
        });
        expect(verify.stdout).toContain(': OK');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
