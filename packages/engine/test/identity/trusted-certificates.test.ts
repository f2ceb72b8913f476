import { asNodeId, asUserId, create, DeviceCertificateSchema } from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { TestAuthority } from '../../src/identity/device-identity.js';
import { TrustedCertificates } from '../../src/identity/trusted-certificates.js';
import { crypto } from '../helpers.js';

describe('TrustedCertificates', () => {
  const now = 1_700_000_000_000;
  const authority = new TestAuthority(crypto);
  const trusted = new TrustedCertificates(crypto, authority.publicKey);
  const cert = authority.identity(asNodeId('d1'), asUserId('u1'), now).certificate;

  it('[ID2] trusts a certificate its authority signed, until it expires', () => {
    expect(trusted.check(cert, now)).toBe(true);
    expect(trusted.check(cert, now)).toBe(true);
    expect(trusted.check(cert, Number(cert.expiresAtMs))).toBe(false);
  });

  it('[ID2] a cached certificate with a swapped key, node or user is checked again and refused', () => {
    expect(trusted.check(cert, now)).toBe(true);
    const otherKey = crypto.generateKeyPair().publicKey;
    expect(
      trusted.check(create(DeviceCertificateSchema, { ...cert, publicKey: otherKey }), now),
    ).toBe(false);
    expect(trusted.check(create(DeviceCertificateSchema, { ...cert, nodeId: 'd2' }), now)).toBe(
      false,
    );
    expect(trusted.check(create(DeviceCertificateSchema, { ...cert, userId: 'u2' }), now)).toBe(
      false,
    );
  });

  it('[ID2] refuses what another authority signed', () => {
    const rogue = new TestAuthority(crypto).identity(
      asNodeId('d1'),
      asUserId('u1'),
      now,
    ).certificate;
    expect(trusted.check(rogue, now)).toBe(false);
  });
});
