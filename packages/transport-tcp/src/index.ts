/**
 * `@poolnet/transport-tcp`: the engine's `Transport` over TCP + TLS with pinned self-signed
 * certificates, kind `'tcp'`, for native nodes (Node.js). See README.md.
 */
export { TcpTransport } from './tcp-transport.js';
export type { TcpLink } from './tcp-link.js';
export { TcpError, type TcpErrorCode } from './errors.js';
export type { TcpTransportOptions, TransportSettings } from './options.js';
export type { TcpCandidate } from './candidates.js';
export {
  createTlsIdentity,
  tlsIdentityFromPem,
  certificateFingerprint,
  type TlsIdentity,
  type TlsIdentityOptions,
} from './tls-identity.js';
export { SIGNAL_VERSION } from './signal-codec.js';
