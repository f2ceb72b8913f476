import { systemClock, type Clock } from '@poolnet/engine';
import { WebRtcOptionsError } from './errors.js';
import { parseIceServers, type IceServerSpec } from './ice-servers.js';
import type { IceUrl, PeerConnectionFactory } from './rtc.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Options of a WebRTC transport, shared by the Node.js and browser builds. */
export interface WebRtcTransportOptions {
  /** STUN/TURN servers, e.g. the list from the sync server's `/v1/ice`. Default none. */
  iceServers?: readonly IceServerSpec[];
  /** `open` rejects with `OPEN_FAILED` when the link is not up by then. Default 15 s. */
  connectTimeoutMs?: number;
  /** Largest frame a link offers to carry; the far end's SCTP limit may lower it. 256 KiB. */
  maxMessageBytes?: number;
  /** Buffered bytes of a channel at or below which `onDrain` fires. Default 1 MiB. */
  lowWaterMark?: number;
  /** Advice to senders, exposed as `link.highWaterMark`: pause above it. Default 4 MiB. */
  highWaterMark?: number;
  /**
   * Bytes a channel hands the WebRTC stack at most; the rest waits in the link so that control
   * frames can overtake a bulk backlog (see `paced-sender.ts`). Default 256 KiB.
   */
  sliceBytes?: number;
  /** Interval of liveness beats on each link; 0 turns liveness off. Default 2 s. */
  heartbeatMs?: number;
  /** A link that hears nothing for this long closes with `LINK_CLOSED`. Default 10 s. */
  silenceTimeoutMs?: number;
  /** Timers of connect timeout and liveness. Default the system clock. */
  clock?: Clock;
  /** Replace the platform's peer connections (another WebRTC library, a test double). */
  createPeerConnection?: PeerConnectionFactory;
}

/** Options checked and filled with defaults. */
export interface TransportSettings {
  readonly iceUrls: readonly IceUrl[];
  readonly connectTimeoutMs: number;
  readonly maxMessageBytes: number;
  readonly lowWaterMark: number;
  readonly highWaterMark: number;
  readonly sliceBytes: number;
  readonly heartbeatMs: number;
  readonly silenceTimeoutMs: number;
  readonly clock: Clock;
}

/** Check options once, at the edge; throws `WebRtcOptionsError('INVALID_OPTIONS')`. */
export function resolveOptions(options: WebRtcTransportOptions): TransportSettings {
  const settings: TransportSettings = {
    iceUrls: parseIceServers(options.iceServers ?? []),
    connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
    maxMessageBytes: options.maxMessageBytes ?? 256 * KiB,
    lowWaterMark: options.lowWaterMark ?? 1 * MiB,
    highWaterMark: options.highWaterMark ?? 4 * MiB,
    sliceBytes: options.sliceBytes ?? 256 * KiB,
    heartbeatMs: options.heartbeatMs ?? 2_000,
    silenceTimeoutMs: options.silenceTimeoutMs ?? 10_000,
    clock: options.clock ?? systemClock,
  };
  const { connectTimeoutMs, maxMessageBytes, lowWaterMark, highWaterMark, sliceBytes } = settings;
  positive('connectTimeoutMs', connectTimeoutMs);
  positive('maxMessageBytes', maxMessageBytes);
  positive('sliceBytes', sliceBytes);
  positive('highWaterMark', highWaterMark);
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

function invalid(message: string): WebRtcOptionsError {
  return new WebRtcOptionsError('INVALID_OPTIONS', message);
}
