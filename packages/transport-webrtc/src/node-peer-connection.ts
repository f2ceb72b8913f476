import { PeerConnection, setSctpSettings, type IceServer, type RtcConfig } from 'node-datachannel';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import { WebRtcOptionsError } from './errors.js';
import type { IceUrl, PeerConnectionFactory, RtcPeerConnection } from './rtc.js';

/** Network options only node-datachannel has (a page's WebRTC stack decides these itself). */
export interface NodeNetworkOptions {
  /**
   * Local address to gather candidates on. libjuice skips loopback interfaces, so two peers
   * on one machine without another interface need `'127.0.0.1'` (tests always set it).
   */
  bindAddress?: string;
  /** First UDP port ICE may use (with `portRangeEnd`); default any. */
  portRangeBegin?: number;
  /** Last UDP port ICE may use. */
  portRangeEnd?: number;
  /**
   * SCTP receive buffer of every association in this process (node-datachannel's setting is
   * process-wide; the first transport built applies it). Default 4 MiB. With libdatachannel's
   * default, a control frame sent behind an 8 MiB bulk backlog often arrived only after all of
   * it (measured); from 2 MiB up it arrives after about 1.5–3 MiB of bulk.
   */
  sctpReceiveBufferBytes?: number;
}

const DEFAULT_SCTP_RECEIVE_BUFFER = 4 * 1024 * 1024;
let sctpConfigured = false;

/**
 * Peer connections from node-datachannel: a native `PeerConnection` configured here (ICE
 * servers in node-datachannel's object form, so TURN user names may contain `:` as coturn's
 * REST credentials do), wrapped in node-datachannel's W3C polyfill.
 */
export function nodePeerConnections(
  options: NodeNetworkOptions & { maxMessageBytes: number },
): PeerConnectionFactory {
  checkNodeOptions(options);
  if (!sctpConfigured) {
    sctpConfigured = true;
    setSctpSettings({
      recvBufferSize: options.sctpReceiveBufferBytes ?? DEFAULT_SCTP_RECEIVE_BUFFER,
    });
  }
  return (iceUrls) => {
    const config: RtcConfig = {
      iceServers: iceUrls.map(toNodeDataChannel),
      maxMessageSize: options.maxMessageBytes,
    };
    if (options.bindAddress !== undefined) config.bindAddress = options.bindAddress;
    if (options.portRangeBegin !== undefined) config.portRangeBegin = options.portRangeBegin;
    if (options.portRangeEnd !== undefined) config.portRangeEnd = options.portRangeEnd;
    const native = new PeerConnection('poolnet', config);
    return new RTCPeerConnection({ peerConnection: native }) as unknown as RtcPeerConnection;
  };
}

function toNodeDataChannel(url: IceUrl): string | IceServer {
  if (url.scheme === 'stun') {
    return `stun:${url.host.includes(':') ? `[${url.host}]` : url.host}:${url.port}`;
  }
  return {
    hostname: url.host,
    port: url.port,
    username: url.username!,
    password: url.credential!,
    relayType: url.scheme === 'turns' ? 'TurnTls' : url.transport === 'tcp' ? 'TurnTcp' : 'TurnUdp',
  };
}

function checkNodeOptions(options: NodeNetworkOptions): void {
  const invalid = (message: string): WebRtcOptionsError =>
    new WebRtcOptionsError('INVALID_OPTIONS', message);
  const { portRangeBegin: begin, portRangeEnd: end, sctpReceiveBufferBytes: buffer } = options;
  const isPort = (p: number | undefined): boolean =>
    p === undefined || (Number.isInteger(p) && p >= 1 && p <= 0xffff);
  if (!isPort(begin) || !isPort(end) || (begin ?? 1) > (end ?? 0xffff)) {
    throw invalid('portRangeBegin..portRangeEnd is a range of ports 1–65535');
  }
  if (buffer !== undefined && (!Number.isSafeInteger(buffer) || buffer <= 0)) {
    throw invalid('sctpReceiveBufferBytes is a positive integer');
  }
  if (options.bindAddress !== undefined && typeof options.bindAddress !== 'string') {
    throw invalid('bindAddress is an IP address');
  }
}
