/**
 * One pool's signalling, shared by the daemon and the browser node: a WebSocket to the sync
 * server that authenticates in its first frame, joins the pool as this device and then
 * carries positions, link orders and relayed blobs. It implements the engine's
 * `SignallingClient` port and survives the server going away: it reconnects with backoff
 * (never more than one attempt every 3 s) and rejoins.
 *
 * A new session is a new placement: before its first position, every peer the engine was
 * told to link with gets a disconnect (the server has already told those peers the same), and
 * server epochs are shifted so the engine always sees them increase, even when the server
 * restarted and counts from 1 again.
 *
 * Against a clustered server: a socket that cannot open, or drops without a close frame (the
 * instance died), moves to the next instance the API knows; a close with 1012 (the pool moved
 * to another owner) is retried at once, because the pool is already served elsewhere.
 *
 * The socket itself is the host's (`openSocket`): the daemon adapts the `ws` package, the page
 * its global `WebSocket`; both give the events of `SocketEvents`.
 */
import {
  type ClientFrameSchema,
  type DeviceCertificate,
  type MessageInitShape,
  type NodeId,
  type Position as WirePosition,
  type ServerFrame,
  type DeviceType,
  ErrorCode,
  PROTOCOL_VERSION,
  ReportReason,
  asNodeId,
  decodeServerFrame,
  encodeClientFrame,
  positionFromWire,
} from '@poolnet/protocol';
import type {
  Path,
  Position,
  ReportReason as EngineReportReason,
  SignallingClient,
  SignallingEvents,
} from '@poolnet/engine';
import type { ServerApi } from './server-api.js';

type ClientBody = MessageInitShape<typeof ClientFrameSchema>['body'];

/**
 * The host's WebSocket, as this client uses it: both the `ws` package's and the page's fit
 * as they are.
 */
export interface SignalSocket {
  /** `OPEN` (1) when frames can be sent, as both WebSocket APIs number it. */
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** Drops the socket at once, with no close handshake; where there is none, `close()`. */
  terminate?(): void;
}

/** What the host's socket reports; `close` comes once, last (1006: no close frame). */
export interface SocketEvents {
  open(): void;
  message(data: Uint8Array): void;
  error(message: string): void;
  close(code: number, reason: string): void;
}

/**
 * Opens a socket to `url` that reports to `events`. It gives up on an opening that takes
 * longer than 10 s (a close without open). May throw (a URL the host refuses): retried later.
 */
export type OpenSocket = (url: string, events: SocketEvents) => SignalSocket;

/** What the signalling needs of the server API (`ServerApi` has it all). */
export type SignallingApi = Pick<
  ServerApi,
  'accessToken' | 'signalUrl' | 'activeUrl' | 'forget' | 'failover' | 'discover'
>;

export interface PoolMemberInfo {
  readonly nodeId: NodeId;
  readonly userId: string;
  readonly name: string;
  readonly path: Path;
}

/** What a session brings: the certificate for this device and the authority that signs it. */
export interface SessionStart {
  readonly cert: DeviceCertificate;
  readonly authorityPublicKey: Uint8Array;
}

export interface PoolSignallingOptions {
  readonly api: SignallingApi;
  /** How this device appears to the pool (desktop, browser). */
  readonly deviceType: DeviceType;
  readonly openSocket: OpenSocket;
  readonly poolId: string;
  readonly device: { readonly deviceId: string; readonly name: string };
  /** Called for each new session, before any of its positions or orders reach the engine. */
  onSession(start: SessionStart): void;
  /** Placed (true) or not (false) in the pool's topology. */
  onPlaced(placed: boolean): void;
  /** The server ended this device's access to the pool for good (left, removed, deleted). */
  onGone(reason: string): void;
  /** Members came online (their user may be new to this device). */
  onMembers?(userIds: readonly string[]): void;
  /** The server has no signing key for this device: register it before the next attempt. */
  onNoSigningKey?(): void;
  /** Called before each connection attempt; may throw to skip it (tried again later). */
  beforeConnect?(): Promise<void>;
  log?(message: string): void;
  readonly heartbeatMs?: number;
  readonly minRetryMs?: number;
  readonly maxRetryMs?: number;
}

/** Close codes are 4000 + the wire ErrorCode (see the sync server's signalling rules). */
const CLOSED_UNAUTHENTICATED = 4000 + ErrorCode.UNAUTHENTICATED;
/** Cluster mode: the pool moved to another instance; join again now. */
const CLOSED_POOL_MOVED = 1012;
/** No close frame: the server went away (killed, network down). */
const CLOSED_ABNORMALLY = 1006;
/** WebSocket readyState of an open socket. */
const OPEN = 1;
/** Refusals after which retrying cannot help. */
const FINAL_REASONS = new Set(['ACCESS_ENDED', 'NOT_A_MEMBER']);

export class PoolSignalling implements SignallingClient {
  private readonly listeners = new Set<SignallingEvents>();
  private ws: SignalSocket | undefined;
  private seq = 0;
  private stopped = true;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private placed = false;
  /** Peers the engine was told to link with in the current session. */
  private readonly ordered = new Set<NodeId>();
  private epochOffset = 0;
  private lastEpoch = 0;
  private readonly memberMap = new Map<NodeId, PoolMemberInfo>();
  private joinSeq = 0;

  constructor(private readonly options: PoolSignallingOptions) {}

  get isPlaced(): boolean {
    return this.placed;
  }

  /** Online members of the pool, as the server announced them. */
  members(): PoolMemberInfo[] {
    return [...this.memberMap.values()];
  }

  locate(node: NodeId): Path | undefined {
    return this.memberMap.get(node)?.path;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  /** Leave the topology politely and stop reconnecting. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.ws = undefined;
    if (ws?.readyState === OPEN) {
      try {
        this.sendOn(ws, { case: 'leave', value: {} });
      } catch {
        // closing anyway
      }
      ws.close(1000, 'leave');
    } else if (ws?.terminate) ws.terminate();
    else ws?.close();
    this.sessionOver();
  }

  // ---- SignallingClient

  subscribe(events: SignallingEvents): () => void {
    this.listeners.add(events);
    return () => this.listeners.delete(events);
  }

  sendSignal(to: NodeId, payload: Uint8Array): void {
    this.send({ case: 'signal', value: { toNodeId: to, payload } });
  }

  report(peer: NodeId, reason: EngineReportReason): void {
    this.send({
      case: 'report',
      value: {
        nodeId: peer,
        reason: reason === 'misbehaving' ? ReportReason.MISBEHAVING : ReportReason.UNREACHABLE,
      },
    });
  }

  verifyReply(peer: NodeId, reachable: boolean): void {
    this.send({ case: 'verifyReply', value: { nodeId: peer, reachable } });
  }

  // ---- connection

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let token: string;
    try {
      await this.options.beforeConnect?.();
      token = await this.options.api.accessToken();
    } catch (err) {
      this.log(`cannot get ready to connect: ${String(err)}`);
      return this.retry();
    }
    if (this.stopped) return;
    let opened = false;
    let ws: SignalSocket;
    try {
      ws = this.options.openSocket(this.options.api.signalUrl, {
        open: () => {
          opened = true;
          this.opened(ws, token);
        },
        message: (data) => {
          if (this.ws !== ws) return;
          let frame: ServerFrame;
          try {
            frame = decodeServerFrame(data);
          } catch (err) {
            this.log(`undecodable frame from the server: ${String(err)}`);
            return;
          }
          this.onFrame(ws, frame);
        },
        error: (message) => this.log(`signalling socket: ${message}`),
        close: (code, reason) => this.closed(ws, opened, code, reason),
      });
    } catch (err) {
      // The host refused the URL (malformed, or not allowed to it): as if it did not open.
      this.log(`cannot open the signalling socket: ${String(err)}`);
      return this.unreachable();
    }
    this.ws = ws;
    this.seq = 0;
  }

  /** Authenticates and joins, then keeps the session alive with heartbeats. */
  private opened(ws: SignalSocket, token: string): void {
    this.sendOn(ws, { case: 'auth', value: { accessToken: token } });
    this.joinSeq = this.sendOn(ws, {
      case: 'join',
      value: {
        poolId: this.options.poolId,
        device: {
          deviceId: this.options.device.deviceId,
          name: this.options.device.name,
          type: this.options.deviceType,
        },
      },
    });
    this.heartbeat = setInterval(
      () => this.sendOn(ws, { case: 'heartbeat', value: { sentMs: BigInt(Date.now()) } }),
      this.options.heartbeatMs ?? 15_000,
    );
  }

  private closed(ws: SignalSocket, opened: boolean, code: number, reason: string): void {
    clearInterval(this.heartbeat);
    if (this.ws !== ws) return;
    this.ws = undefined;
    this.sessionOver();
    if (FINAL_REASONS.has(reason)) {
      this.stopped = true;
      this.options.onGone(reason);
      return;
    }
    if (code === CLOSED_UNAUTHENTICATED) this.options.api.forget();
    if (!opened || code === CLOSED_ABNORMALLY) return this.unreachable();
    this.retry(code === CLOSED_POOL_MOVED);
  }

  /** That instance is gone: the next one, at once if there is one; else the backoff. */
  private unreachable(): void {
    if (this.options.api.failover()) {
      this.log(`server unreachable; trying ${this.options.api.activeUrl}`);
      return this.retry(true);
    }
    this.retry();
  }

  private onFrame(ws: SignalSocket, frame: ServerFrame): void {
    const body = frame.body;
    switch (body.case) {
      case 'joined': {
        const value = body.value;
        if (!value.cert || !value.position) return;
        this.failures = 0;
        void this.options.api.discover();
        // A new placement: links of the last session are gone on the other side too.
        for (const peer of this.ordered) this.emit((e) => e.disconnect(peer));
        this.ordered.clear();
        this.memberMap.clear();
        for (const m of value.members) this.addMember(m);
        const wireEpoch = Number(value.position.epoch);
        this.epochOffset = Math.max(0, this.lastEpoch + 1 - wireEpoch);
        this.options.onSession({ cert: value.cert, authorityPublicKey: value.authorityPublicKey });
        this.placed = true;
        this.options.onPlaced(true);
        this.position(value.position);
        return;
      }
      case 'position':
        if (body.value.position) this.position(body.value.position);
        return;
      case 'connect': {
        const peer = asNodeId(body.value.nodeId);
        this.ordered.add(peer);
        this.emit((e) => e.connect(peer, body.value.initiator));
        return;
      }
      case 'disconnect': {
        const peer = asNodeId(body.value.nodeId);
        this.ordered.delete(peer);
        this.emit((e) => e.disconnect(peer));
        return;
      }
      case 'signal': {
        const from = asNodeId(body.value.fromNodeId);
        const payload = body.value.payload;
        this.emit((e) => e.signal(from, payload));
        return;
      }
      case 'verify': {
        const peer = asNodeId(body.value.nodeId);
        this.emit((e) => e.verify(peer));
        return;
      }
      case 'memberJoined':
        for (const m of body.value.members) this.addMember(m);
        this.options.onMembers?.(body.value.members.map((m) => m.userId));
        return;
      case 'memberLeft': {
        this.memberMap.delete(asNodeId(body.value.nodeId));
        for (const p of body.value.promoted) {
          const member = this.memberMap.get(asNodeId(p.nodeId));
          if (member) this.memberMap.set(member.nodeId, { ...member, path: [...p.path] });
        }
        return;
      }
      case 'error': {
        const { code, message, seq } = body.value;
        this.log(`server refused (${ErrorCode[code] ?? code}): ${message}`);
        if (seq === this.joinSeq && !this.placed) {
          // The hub's messages start with its code: `NOT_A_MEMBER: …`, `NO_SIGNING_KEY: …`.
          const reason = message.split(':')[0] ?? '';
          if (reason === 'NO_SIGNING_KEY') this.options.onNoSigningKey?.();
          ws.close(1000, reason === 'NOT_A_MEMBER' ? 'NOT_A_MEMBER' : 'retry');
        }
        return;
      }
      default:
        return;
    }
  }

  private position(wire: WirePosition): void {
    let plain;
    try {
      plain = positionFromWire(wire);
    } catch (err) {
      this.log(`bad position from the server: ${String(err)}`);
      return;
    }
    const epoch = plain.epoch + this.epochOffset;
    this.lastEpoch = Math.max(this.lastEpoch, epoch);
    const position: Position = {
      ...plain,
      nodeId: asNodeId(this.options.device.deviceId),
      epoch,
    };
    const own = this.memberMap.get(position.nodeId);
    if (own) this.memberMap.set(own.nodeId, { ...own, path: [...position.path] });
    this.emit((e) => e.position(position));
  }

  private addMember(m: {
    nodeId: string;
    userId: string;
    device?: { name: string };
    path: number[];
  }) {
    const nodeId = asNodeId(m.nodeId);
    this.memberMap.set(nodeId, {
      nodeId,
      userId: m.userId,
      name: m.device?.name ?? m.nodeId,
      path: [...m.path],
    });
  }

  private sessionOver(): void {
    clearInterval(this.heartbeat);
    if (this.placed) {
      this.placed = false;
      this.options.onPlaced(false);
    }
  }

  /** `soon`: the server asked us to come back (or we moved instance): well under a second. */
  private retry(soon = false): void {
    if (this.stopped) return;
    this.failures++;
    if (soon && this.failures <= 3) {
      this.retryTimer = setTimeout(() => void this.connect(), 100 + Math.random() * 700);
      return;
    }
    const min = this.options.minRetryMs ?? 3000;
    const max = this.options.maxRetryMs ?? 30_000;
    const delay = Math.min(max, min * 2 ** Math.min(this.failures - 1, 4));
    // Jitter so a restarted server is not hit by every device at once.
    const jittered = delay * (0.8 + Math.random() * 0.4);
    this.retryTimer = setTimeout(() => void this.connect(), Math.max(min, jittered));
  }

  private send(body: ClientBody): void {
    const ws = this.ws;
    if (ws?.readyState !== OPEN) return;
    this.sendOn(ws, body);
  }

  private sendOn(ws: SignalSocket, body: ClientBody): number {
    const seq = ++this.seq;
    if (ws.readyState === OPEN) {
      ws.send(encodeClientFrame({ version: PROTOCOL_VERSION, seq, body }));
    }
    return seq;
  }

  private emit(call: (events: SignallingEvents) => void): void {
    for (const events of this.listeners) call(events);
  }

  private log(message: string): void {
    this.options.log?.(`[${this.options.poolId}] ${message}`);
  }
}
