/**
 * Node.js entry of `@poolnet/transport-webrtc` (package.json condition "default"): the WebRTC
 * transport on node-datachannel. A page gets `browser.ts` instead, which never loads it.
 */
import { DataChannelTransport } from './data-channel-transport.js';
import { nodePeerConnections, type NodeNetworkOptions } from './node-peer-connection.js';
import { resolveOptions, type WebRtcTransportOptions } from './options.js';

export type NodeWebRtcTransportOptions = WebRtcTransportOptions & NodeNetworkOptions;

/** WebRTC links in Node.js (node-datachannel), kind `'webrtc'`. */
export class WebRtcTransport extends DataChannelTransport {
  constructor(options: NodeWebRtcTransportOptions = {}) {
    const { maxMessageBytes } = resolveOptions(options);
    super(
      options,
      options.createPeerConnection ?? nodePeerConnections({ ...options, maxMessageBytes }),
    );
  }
}

export { DataChannelTransport } from './data-channel-transport.js';
export type { DataChannelLink } from './data-channel-link.js';
export { WebRtcOptionsError, type WebRtcOptionsErrorCode } from './errors.js';
export type { IceServerInit, IceServerSpec } from './ice-servers.js';
export type { WebRtcTransportOptions, TransportSettings } from './options.js';
export type { NodeNetworkOptions } from './node-peer-connection.js';
export type { PeerConnectionFactory, IceUrl } from './rtc.js';
export { selectedRoute, type SelectedRoute, type RtcStatsReportLike } from './selected-route.js';
