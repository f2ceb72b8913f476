import { TcpTransport } from '@poolnet/transport-tcp';
import { WebRtcTransport } from '@poolnet/transport-webrtc';
import { SelectingTransport, type SelectingTransportOptions } from '../../src/index.js';

const made: SelectingTransport[] = [];

/** Which real transports an end offers, most preferred first. */
export type Offer = ReadonlyArray<'tcp' | 'webrtc'>;

/** A selecting transport over real TCP and WebRTC on 127.0.0.1 (closed by `closeAll`). */
export function selecting(
  offer: Offer = ['tcp', 'webrtc'],
  options: SelectingTransportOptions = {},
): SelectingTransport {
  const transports = offer.map((kind) =>
    kind === 'tcp'
      ? new TcpTransport({ host: '127.0.0.1' })
      : new WebRtcTransport({ bindAddress: '127.0.0.1' }),
  );
  const transport = new SelectingTransport(transports, options);
  made.push(transport);
  return transport;
}

export function closeAll(): void {
  for (const transport of made.splice(0)) transport.close();
}
