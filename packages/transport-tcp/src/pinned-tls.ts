import {
  connect,
  createSecureContext,
  createServer,
  type SecureContext,
  type Server,
  type TLSSocket,
} from 'node:tls';
import type { TcpCandidate } from './candidates.js';
import { certificateFingerprint, type TlsIdentity } from './tls-identity.js';

/**
 * TLS with pinned certificates instead of a certificate authority. Both ends present their
 * self-signed certificate (mutual TLS) and accept any during the handshake
 * (`rejectUnauthorized: false`): there is no CA to check against. Authentication happens right
 * after, by comparing the SHA-256 of the certificate the peer presented with the fingerprint
 * it sent through the signalling (`link-opening.ts`). TLS itself proves the peer holds that
 * certificate's key (CertificateVerify), so a man in the middle with another certificate
 * fails the comparison. TLS 1.3 only: both ends are this code.
 */
export class PinnedTls {
  private readonly context: SecureContext;

  constructor(private readonly identity: TlsIdentity) {
    this.context = createSecureContext({
      key: identity.keyPem,
      cert: identity.certificatePem,
      minVersion: 'TLSv1.3',
    });
  }

  /** A server that asks every client for its certificate and accepts any (checked later). */
  server(handshakeTimeoutMs: number): Server {
    return createServer({
      key: this.identity.keyPem,
      cert: this.identity.certificatePem,
      minVersion: 'TLSv1.3',
      requestCert: true,
      rejectUnauthorized: false,
      handshakeTimeout: handshakeTimeoutMs,
    });
  }

  /** Dial a candidate, presenting our certificate; any server certificate passes TLS. */
  dial(candidate: TcpCandidate): TLSSocket {
    const socket = connect({
      host: candidate.host,
      port: candidate.port,
      secureContext: this.context,
      minVersion: 'TLSv1.3',
      rejectUnauthorized: false,
    });
    // Frames are gathered into writes by the link (cork), so Nagle would only add delay.
    return socket.setNoDelay(true);
  }
}

/** SHA-256 (hex) of the certificate the peer presented, or undefined when it showed none. */
export function peerFingerprint(socket: TLSSocket): string | undefined {
  const certificate = socket.getPeerX509Certificate();
  return certificate ? certificateFingerprint(certificate.raw) : undefined;
}
