/**
 * One pool's signalling from the daemon: `@poolnet/device`'s `PoolSignalling` (join, reconnect
 * with backoff, epoch shifting, cluster failover) over a `ws` socket, as a desktop device.
 */
import {
  type OpenSocket,
  type PoolSignallingOptions as DeviceSignallingOptions,
  PoolSignalling as DevicePoolSignalling,
} from '@poolnet/device';
import { DeviceType } from '@poolnet/protocol';
import { WebSocket } from 'ws';

export type { PoolMemberInfo, SessionStart } from '@poolnet/device';

export type PoolSignallingOptions = Omit<DeviceSignallingOptions, 'deviceType' | 'openSocket'>;

/** A `ws` socket; `ws` gives up on an opening after 10 s by itself (a close without open). */
export const openWsSocket: OpenSocket = (url, events) => {
  const ws = new WebSocket(url, { handshakeTimeout: 10_000 });
  ws.binaryType = 'nodebuffer';
  ws.on('open', () => events.open());
  ws.on('message', (data: Buffer) => events.message(new Uint8Array(data)));
  ws.on('error', (err) => events.error(err.message));
  ws.on('close', (code, reason) => events.close(code, reason.toString()));
  return ws;
};

export class PoolSignalling extends DevicePoolSignalling {
  constructor(options: PoolSignallingOptions) {
    super({ ...options, deviceType: DeviceType.DESKTOP, openSocket: openWsSocket });
  }
}
