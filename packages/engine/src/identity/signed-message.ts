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
import type { TrustedCertificates } from './trusted-certificates.js';

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
  constructor(
    private readonly crypto: Crypto,
    private readonly certificates: TrustedCertificates,
    private readonly clock: Clock,
  ) {}

  verify(signed: SignedPoolMessage, message: PoolMessage): Verdict {
    const cert = signed.cert;
    if (!cert) return 'bad-certificate';
    if (cert.nodeId !== message.authorNodeId || cert.userId !== message.userId) {
      return 'author-mismatch';
    }
    if (!this.certificates.check(cert, this.clock.now())) return 'bad-certificate';
    const body = poolMessageSigningBytes(signed.body);
    return this.crypto.verify(signed.signature, body, cert.publicKey) ? 'ok' : 'bad-signature';
  }
}
