/**
 * The WebSocket edge of signalling: a `ws` server on `/v1/signal` that wraps each socket in
 * the hub's `Connection` and feeds its frames to the hub's `Session`. It only moves bytes;
 * every protocol decision is the hub's. What it adds is what a socket needs and the hub
 * cannot see: binary-only frames, a frame size cap (the protocol's MAX_SIGNAL_FRAME_BYTES,
 * enforced by `ws` before buffering a whole message), an admission check per upgrade (rate
 * limits), and a bound on what may queue for a slow reader, so one client that stops reading
 * cannot grow the server's memory.
 *
 * The access token travels in the first frame, never in the URL ([SIG4]): the URL is logged
 * by proxies, the first frame is not.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { MAX_SIGNAL_FRAME_BYTES } from '@poolnet/protocol';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { Connection, Session } from '../signalling/index.js';
import { GatewayError, HttpError } from './errors.js';
import { refuseUpgrade } from './json-errors.js';

export const SIGNAL_PATH = '/v1/signal';
/** Close code for a text frame: the protocol is binary protobuf only (RFC 6455 7.4.1). */
export const CLOSE_UNSUPPORTED_DATA = 1003;
/** Close code `ws` sends for a frame over `maxPayload` (RFC 6455 7.4.1). */
export const CLOSE_MESSAGE_TOO_BIG = 1009;

export interface GatewayOptions {
  /** The signalling hub, or anything that hands out sessions the same way. */
  readonly hub: { connect(conn: Connection): Session };
  /** Bytes queued for one socket beyond which it is closed as a slow consumer. */
  readonly maxBufferedBytes: number;
  /**
   * Runs before each upgrade: the address the connection counts as, or throws an
   * `HttpError` (e.g. RATE_LIMITED) to refuse it with a JSON error response.
   */
  admit(req: IncomingMessage): string;
  /** How long `close()` waits for sockets to finish their close handshake. Default 1000 ms. */
  readonly closeGraceMs?: number;
}

/** What the gateway counts, for /metrics. */
export interface GatewayCounters {
  /** WebSockets accepted. */
  readonly accepted: number;
  /** Upgrades refused: wrong path, not admitted, or during shutdown. */
  readonly refusedUpgrades: number;
  /** Sockets closed for sending a text frame. */
  readonly textFrames: number;
  /** Sockets closed for a frame over MAX_SIGNAL_FRAME_BYTES. */
  readonly oversizeFrames: number;
  /** Sockets closed because too much was queued for them. */
  readonly slowConsumers: number;
}

type MutableCounters = { -readonly [K in keyof GatewayCounters]: number };

export class WebSocketGateway {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private readonly counts: MutableCounters = {
    accepted: 0,
    refusedUpgrades: 0,
    textFrames: 0,
    oversizeFrames: 0,
    slowConsumers: 0,
  };
  private closing = false;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    this.upgrade(req, socket, head);

  constructor(
    private readonly server: Server,
    private readonly options: GatewayOptions,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_SIGNAL_FRAME_BYTES,
      // Compression would let a small frame inflate past the checks and costs CPU per frame.
      perMessageDeflate: false,
    });
    server.on('upgrade', this.onUpgrade);
  }

  counters(): GatewayCounters {
    return { ...this.counts };
  }

  /** Sockets open now. */
  get openSockets(): number {
    return this.sockets.size;
  }

  /**
   * Stop accepting, give open sockets `closeGraceMs` to finish closing (the hub has already
   * sent them 1001 at shutdown), then cut whatever is left.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.server.off('upgrade', this.onUpgrade);
    const deadline = Date.now() + (this.options.closeGraceMs ?? 1000);
    while (this.sockets.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let remoteAddress: string;
    try {
      if (this.closing) throw new HttpError('NOT_FOUND', 'the server is shutting down');
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== SIGNAL_PATH) throw new HttpError('NOT_FOUND', `no WebSocket at ${path}`);
      remoteAddress = this.options.admit(req);
    } catch (err) {
      this.counts.refusedUpgrades++;
      refuseUpgrade(socket, err);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.bridge(ws, remoteAddress));
  }

  /** Wire one socket to one hub session. */
  private bridge(ws: WebSocket, remoteAddress: string): void {
    this.counts.accepted++;
    this.sockets.add(ws);
    const { maxBufferedBytes } = this.options;
    const conn: Connection = {
      remoteAddress,
      send: (frame) => {
        if (ws.readyState !== WebSocket.OPEN) {
          throw new GatewayError('SOCKET_CLOSED', 'the socket is closed');
        }
        if (ws.bufferedAmount + frame.byteLength > maxBufferedBytes) {
          this.counts.slowConsumers++;
          // No close handshake: it would queue behind the very backlog that is the problem.
          ws.terminate();
          throw new GatewayError('SLOW_CONSUMER', `more than ${maxBufferedBytes} bytes queued`);
        }
        ws.send(frame, { binary: true });
      },
      close: (code, reason) => ws.close(code, reason),
    };
    const session = this.options.hub.connect(conn);

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (!isBinary) {
        this.counts.textFrames++;
        ws.close(CLOSE_UNSUPPORTED_DATA, 'binary frames only');
        return;
      }
      // The session queues frames and never rejects ([SIG11]).
      void session.receive(toBytes(data));
    });
    ws.on('error', (err: Error & { code?: string }) => {
      // `ws` has already closed the socket (1009 for an oversize frame); just count it.
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.counts.oversizeFrames++;
    });
    ws.on('close', () => {
      this.sockets.delete(ws);
      session.closed();
    });
  }
}

/** With the default `nodebuffer` binary type a message is a Buffer, or fragments of one. */
function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
