/**
 * One pool's signalling from the page: `@poolnet/device`'s `PoolSignalling` (join, reconnect
 * with backoff, epoch shifting, the quick rejoin when the pool moved instance) over the page's
 * `WebSocket`, as a browser. Its API knows only the page's origin, so there is no other
 * instance URL to fail over to: a cluster serves browsers behind one address.
 */
import {
  type OpenSocket,
  type PoolSignallingOptions as DeviceSignallingOptions,
  PoolSignalling as DevicePoolSignalling,
} from '@poolnet/device';
import { DeviceType } from '@poolnet/protocol';

export type { PoolMemberInfo, SessionStart } from '@poolnet/device';

export type PoolSignallingOptions = Omit<DeviceSignallingOptions, 'deviceType' | 'openSocket'>;

/** The page's WebSocket has no handshake timeout of its own: give up after this long. */
const OPENING_MS = 10_000;

/** The page's `WebSocket`; a close while connecting reports 1006 (no close frame). */
export const openPageSocket: OpenSocket = (url, events) => {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const opening = setTimeout(() => {
    if (ws.readyState === WebSocket.CONNECTING) ws.close();
  }, OPENING_MS);
  ws.addEventListener('open', () => {
    clearTimeout(opening);
    events.open();
  });
  ws.addEventListener('message', (event: MessageEvent) => {
    if (event.data instanceof ArrayBuffer) events.message(new Uint8Array(event.data));
  });
  ws.addEventListener('error', () => events.error('error'));
  ws.addEventListener('close', (event: CloseEvent) => {
    clearTimeout(opening);
    events.close(event.code, event.reason);
  });
  return ws;
};

export class PoolSignalling extends DevicePoolSignalling {
  constructor(options: PoolSignallingOptions) {
    super({ ...options, deviceType: DeviceType.BROWSER, openSocket: openPageSocket });
  }
}
