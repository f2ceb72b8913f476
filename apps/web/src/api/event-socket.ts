/**
 * The daemon's event stream (`/v1/events`): one WebSocket shared by every subscriber of the
 * page, the token sent in the first frame (never in the URL), reconnected with a growing
 * delay (0.5 s doubling to 10 s) whenever it drops. The `ready` frame says the token was taken.
 */
import type { DaemonEvent } from './backend.js';

export interface EventSocketOptions {
  readonly url: string;
  readonly token: string;
  readonly onEvent: (event: DaemonEvent) => void;
  readonly onConnection: (up: boolean) => void;
  readonly WebSocketImpl?: typeof WebSocket;
}

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;

export function openEventSocket(options: EventSocketOptions): () => void {
  const Impl = options.WebSocketImpl ?? WebSocket;
  let socket: WebSocket | undefined;
  let delay = FIRST_DELAY_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let up = false;

  const setUp = (value: boolean) => {
    if (value === up) return;
    up = value;
    options.onConnection(value);
  };

  const connect = () => {
    if (closed) return;
    const ws = new Impl(options.url);
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ token: options.token }));
    ws.onmessage = (message: MessageEvent) => {
      let event: { type?: unknown };
      try {
        event = JSON.parse(String(message.data)) as { type?: unknown };
      } catch {
        return;
      }
      if (event.type === 'ready') {
        delay = FIRST_DELAY_MS;
        setUp(true);
        return;
      }
      options.onEvent(event as DaemonEvent);
    };
    ws.onclose = () => {
      socket = undefined;
      setUp(false);
      if (closed) return;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    };
    ws.onerror = () => ws.close();
  };
  connect();

  return () => {
    closed = true;
    clearTimeout(timer);
    socket?.close();
  };
}
