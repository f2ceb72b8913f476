/**
 * Works around a Node 20 deadlock for the load generator's many passkey registrations.
 *
 * `SoftwareAuthenticator.register` generates a P-256 key (`generateKeyPairSync`) and then
 * exports its public key as JWK (`coseKeyOf`). If a garbage collection runs during that JWK
 * export and finalises the key generation job, the job's destructor waits for the key's mutex,
 * which the export holds: the process hangs for good, every thread asleep (seen in a
 * 10,000-node setup; `node --max-semi-space-size=1` with generateKeyPairSync('ec') +
 * createPublicKey(k).export({ format: 'jwk' }) in a loop hangs within seconds; the DER export
 * does not). Until the authenticator exports DER, this process answers JWK exports of EC
 * public keys from their DER form. Importing this module installs it.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** The SPKI (DER) of every P-256 public key starts so; the point follows: 0x04, x, y. */
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const COORDINATE_BYTES = 32;

type Export = (this: KeyObject, options?: { format?: string; type?: string }) => unknown;
const publicKeyPrototype = Object.getPrototypeOf(
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
) as { export: Export };
const original = publicKeyPrototype.export;

// Only the DER export is used on the key: its other getters (asymmetricKeyDetails…) also
// take the mutex and allocate, so they can deadlock the same way.
publicKeyPrototype.export = function (this: KeyObject, options) {
  if (options?.format !== 'jwk') return original.call(this, options);
  const spki = original.call(this, { format: 'der', type: 'spki' }) as Buffer;
  if (
    spki.length !== P256_SPKI_PREFIX.length + 1 + 2 * COORDINATE_BYTES ||
    !spki.subarray(0, P256_SPKI_PREFIX.length).equals(P256_SPKI_PREFIX)
  ) {
    return original.call(this, options);
  }
  const x = spki.subarray(
    P256_SPKI_PREFIX.length + 1,
    P256_SPKI_PREFIX.length + 1 + COORDINATE_BYTES,
  );
  const y = spki.subarray(P256_SPKI_PREFIX.length + 1 + COORDINATE_BYTES);
  return { kty: 'EC', crv: 'P-256', x: x.toString('base64url'), y: y.toString('base64url') };
};
