import { isIP } from 'node:net';
import { systemClock, type Clock } from '@poolnet/engine';
import type { TcpCandidate } from './candidates.js';
import { TcpError } from './errors.js';
import type { TlsIdentity } from './tls-identity.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The largest frame the 4-byte length of the framing could describe is far above this. */
export const MAX_MESSAGE_BYTES_LIMIT = 64 * MiB;

/** Options of a TCP transport. */
export interface TcpTransportOptions {
  /** Address to listen on (an IP literal). Default `'0.0.0.0'`; tests use `'127.0.0.1'`. */
  host?: string;
  /** Port to listen on; 0 lets the system choose. Default 0. */
  port?: number;
  /** The device's key and certificate. Default a fresh one (`createTlsIdentity()`). */
  identity?: TlsIdentity;
  /**
   * More candidates to advertise after the local ones, given the bound port: server-reflexive
   * addresses learned from the sync server, a port mapping (UPnP, NAT-PMP), a port forward.
   * Failures and invalid entries are ignored.
   */
  extraCandidates?: (port: number) => readonly TcpCandidate[] | Promise<readonly TcpCandidate[]>;
  /** `open` rejects with `OPEN_FAILED` when the link is not up by then. Default 10 s. */
  connectTimeoutMs?: number;
  /** An accepted connection must complete TLS and say its session within this. Default 5 s. */
  handshakeTimeoutMs?: number;
  /** Accepted connections that have not said their session yet, at most. Default 64. */
  maxPendingConnections?: number;
  /** Largest frame a link offers to carry; the far end's offer may lower it. Default 256 KiB. */
  maxMessageBytes?: number;
  /** Buffered bytes of a channel at or below which `onDrain` fires. Default 1 MiB. */
  lowWaterMark?: number;
  /** Advice to senders, exposed as `link.highWaterMark`: pause above it. Default 4 MiB. */
  highWaterMark?: number;
  /**
   * Bytes the socket may hold unwritten at most; the rest waits in per-channel queues so that
   * control frames can overtake a bulk backlog (see `paced-writer.ts`). Default 256 KiB.
   */
  sliceBytes?: number;
  /** Interval of liveness beats on each link; 0 turns liveness off. Default 2 s. */
  heartbeatMs?: number;
  /** A link that hears nothing for this long closes with `LINK_CLOSED`. Default 10 s. */
  silenceTimeoutMs?: number;
  /** Timers of connect timeout, handshake timeout and liveness. Default the system clock. */
  clock?: Clock;
}

/** Options checked and filled with defaults. */
export interface TransportSettings {
  readonly host: string;
  readonly port: number;
  readonly extraCandidates: TcpTransportOptions['extraCandidates'];
  readonly connectTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly maxPendingConnections: number;
  readonly maxMessageBytes: number;
  readonly lowWaterMark: number;
  readonly highWaterMark: number;
  readonly sliceBytes: number;
  readonly heartbeatMs: number;
  readonly silenceTimeoutMs: number;
  readonly clock: Clock;
}

/** Check options once, at the edge; throws `TcpError('INVALID_OPTIONS')`. */
export function resolveOptions(options: TcpTransportOptions): TransportSettings {
  const settings: TransportSettings = {
    host: options.host ?? '0.0.0.0',
    port: options.port ?? 0,
    extraCandidates: options.extraCandidates,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 5_000,
    maxPendingConnections: options.maxPendingConnections ?? 64,
    maxMessageBytes: options.maxMessageBytes ?? 256 * KiB,
    lowWaterMark: options.lowWaterMark ?? 1 * MiB,
    highWaterMark: options.highWaterMark ?? 4 * MiB,
    sliceBytes: options.sliceBytes ?? 256 * KiB,
    heartbeatMs: options.heartbeatMs ?? 2_000,
    silenceTimeoutMs: options.silenceTimeoutMs ?? 10_000,
    clock: options.clock ?? systemClock,
  };
  if (isIP(settings.host) === 0) throw invalid('host is an IP address literal');
  if (!Number.isSafeInteger(settings.port) || settings.port < 0 || settings.port > 65535) {
    throw invalid('port is an integer from 0 to 65535');
  }
  positive('connectTimeoutMs', settings.connectTimeoutMs);
  positive('handshakeTimeoutMs', settings.handshakeTimeoutMs);
  positive('maxPendingConnections', settings.maxPendingConnections);
  positive('maxMessageBytes', settings.maxMessageBytes);
  if (settings.maxMessageBytes > MAX_MESSAGE_BYTES_LIMIT) {
    throw invalid(`maxMessageBytes is at most ${MAX_MESSAGE_BYTES_LIMIT}`);
  }
  positive('sliceBytes', settings.sliceBytes);
  positive('highWaterMark', settings.highWaterMark);
  const { lowWaterMark, highWaterMark } = settings;
  if (!Number.isSafeInteger(lowWaterMark) || lowWaterMark < 0 || lowWaterMark >= highWaterMark) {
    throw invalid('lowWaterMark is an integer from 0 to below highWaterMark');
  }
  if (settings.heartbeatMs !== 0) {
    positive('heartbeatMs', settings.heartbeatMs);
    if (!(settings.silenceTimeoutMs > settings.heartbeatMs)) {
      throw invalid('silenceTimeoutMs is longer than heartbeatMs');
    }
  }
  return settings;
}

function positive(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw invalid(`${name} is a positive integer`);
}

function invalid(message: string): TcpError {
  return new TcpError('INVALID_OPTIONS', message);
}
