/**
 * Browser entry of `@poolnet/transport-webrtc` (package.json condition "browser"): the same
 * transport on the page's own `RTCPeerConnection`. Imports nothing from Node.js.
 */
import { DataChannelTransport } from './data-channel-transport.js';
import { WebRtcOptionsError } from './errors.js';
import { toRtcIceServers } from './ice-servers.js';
import type { WebRtcTransportOptions } from './options.js';
import type { RtcIceServer, RtcPeerConnection } from './rtc.js';

type RtcPeerConnectionClass = new (config: { iceServers: RtcIceServer[] }) => RtcPeerConnection;

/** WebRTC links in a browser, kind `'webrtc'`. */
export class WebRtcTransport extends DataChannelTransport {
  constructor(options: WebRtcTransportOptions = {}) {
    const Rtc = (globalThis as { RTCPeerConnection?: RtcPeerConnectionClass }).RTCPeerConnection;
    const create = options.createPeerConnection;
    if (!create && !Rtc) {
      throw new WebRtcOptionsError('INVALID_OPTIONS', 'this environment has no RTCPeerConnection');
    }
    super(options, create ?? ((urls) => new Rtc!({ iceServers: toRtcIceServers(urls) })));
  }
}

export { DataChannelTransport } from './data-channel-transport.js';
export type { DataChannelLink } from './data-channel-link.js';
export { WebRtcOptionsError, type WebRtcOptionsErrorCode } from './errors.js';
export type { IceServerInit, IceServerSpec } from './ice-servers.js';
export type { WebRtcTransportOptions, TransportSettings } from './options.js';
export type { PeerConnectionFactory, IceUrl } from './rtc.js';
export { selectedRoute, type SelectedRoute, type RtcStatsReportLike } from './selected-route.js';
