/**
 * The slice of the W3C WebRTC API this package uses, typed structurally: the repository
 * compiles without the DOM library, and the same shape is met by a page's `RTCPeerConnection`
 * and by `node-datachannel/polyfill` in Node.js.
 */

import type { RtcStatsReportLike } from './selected-route.js';

export type RtcSdpType = 'offer' | 'answer' | 'pranswer' | 'rollback';

export interface RtcSessionDescriptionInit {
  type: RtcSdpType;
  sdp?: string;
}

export interface RtcIceCandidateInit {
  candidate: string;
  sdpMid: string;
}

/** A W3C `RTCIceServer`. */
export interface RtcIceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** A W3C `RTCDataChannel`, as far as a link needs it. */
export interface RtcDataChannel {
  readonly label: string;
  readonly readyState: 'connecting' | 'open' | 'closing' | 'closed';
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType: string;
  send(data: Uint8Array): void;
  close(): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onbufferedamountlow: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}

/** A W3C `RTCPeerConnection`, as far as a link needs it. */
export interface RtcPeerConnection {
  readonly connectionState: string;
  /** `maxMessageSize` is what both ends accept (null before the SCTP transport is up). */
  readonly sctp?: { readonly maxMessageSize: number | null } | null;
  createDataChannel(label: string, init: { ordered: boolean }): RtcDataChannel;
  createOffer(): Promise<RtcSessionDescriptionInit>;
  createAnswer(): Promise<RtcSessionDescriptionInit>;
  setLocalDescription(description: RtcSessionDescriptionInit): Promise<void>;
  setRemoteDescription(description: RtcSessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate: RtcIceCandidateInit): Promise<void>;
  close(): void;
  /** W3C stats; the link reads its selected candidate pair from them (relayed or not). */
  getStats?(): Promise<RtcStatsReportLike>;
  onicecandidate:
    ((event: { candidate: { candidate: string; sdpMid: string | null } | null }) => void) | null;
  onconnectionstatechange: ((event: unknown) => void) | null;
  ondatachannel: ((event: { channel: RtcDataChannel }) => void) | null;
}

/**
 * Makes one peer connection for one link: the platform enters here (the page's
 * `RTCPeerConnection`, or node-datachannel in Node.js).
 */
export type PeerConnectionFactory = (iceServers: readonly IceUrl[]) => RtcPeerConnection;

/** One parsed ICE server url (see `ice-servers.ts`). */
export interface IceUrl {
  readonly scheme: 'stun' | 'turn' | 'turns';
  /** Host name or IP literal (an IPv6 literal without brackets). */
  readonly host: string;
  readonly port: number;
  /** `?transport=` of a TURN url, when given. */
  readonly transport?: 'udp' | 'tcp';
  readonly username?: string;
  readonly credential?: string;
}

/** The bytes of a data channel message (`binaryType` 'arraybuffer'); undefined for text. */
export function messageBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** Detach our handlers and close; a channel that is already closed is fine. */
export function closeQuietly(dc: RtcDataChannel): void {
  dc.onopen = dc.onclose = dc.onmessage = dc.onbufferedamountlow = null;
  try {
    dc.close();
  } catch {
    // Already closed.
  }
}
