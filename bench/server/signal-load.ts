/**
 * The timed join phase: one WebSocket per node to /v1/signal, `concurrency` joins in flight.
 * Each connection sends `auth`, then on `authenticated` sends `join`, then stays open: it
 * sends a heartbeat about every HEARTBEAT_EVERY_MS (the server drops a node silent for 40 s)
 * and reads every frame the server sends it. Frames are sorted by `frame-scan.ts` without a
 * full decode; the first few `joined` and `position` frames are decoded properly as well, to
 * check the scanner against the real codec.
 *
 * What is timed (see bench/README.md):
 * - the phase runs from the first WebSocket opened to the last Position delivered (a
 *   `joined`, or a `position` update caused by a join); a heartbeat round trip on every
 *   connection afterwards proves nothing is still in flight;
 * - every Position a join causes is one update sample: the joiner's own (in `joined`) and
 *   each `position` frame the join's change sends to nodes already placed (the change's
 *   epoch ties them to the join), timed from the moment that join's `join` frame was sent.
 */
import { performance } from 'node:perf_hooks';
import {
  type ClientFrameSchema,
  type MessageInitShape,
  PROTOCOL_VERSION,
  decodeServerFrame,
  encodeClientFrame,
} from '@poolnet/protocol';
import { type RawData, WebSocket } from 'ws';
import { BODY, positionEpoch, scanFrame } from './frame-scan.js';
import { Api, inParallel, refreshIfStale, type BenchNode } from './setup.js';

const HEARTBEAT_EVERY_MS = 15_000;
const HEARTBEAT_TICK_MS = 250;
const JOIN_TIMEOUT_MS = 120_000;
const BARRIER_TIMEOUT_MS = 300_000;
/** Frames of each timed kind checked against the real decoder. */
const CROSS_CHECKS = 25;
/** A token expiring sooner than this is refreshed before its node connects. */
const REFRESH_MARGIN_MS = 60_000;

type ClientBody = MessageInitShape<typeof ClientFrameSchema>['body'];

export interface JoinPhaseResult {
  readonly nodes: number;
  /** First WebSocket opened → last Position delivered, in ms. */
  readonly phaseMs: number;
  readonly joinsPerSec: number;
  /** `join` sent → own `joined`, per node. */
  readonly joinedMs: Percentiles;
  /** `join` sent → each `position` update that join caused at another node. */
  readonly neighbourUpdateMs: Percentiles;
  /** Both together: every Position a join causes. */
  readonly updateMs: Percentiles;
  /** WebSocket opened → own `joined`, per node (includes handshake and auth). */
  readonly connectToJoinedMs: Percentiles;
  /** Position updates whose epoch matched no join (should be 0). */
  readonly unmatchedUpdates: number;
  /** Frames received per body kind, and bytes, over the phase and barrier. */
  readonly framesByKind: Readonly<Record<string, number>>;
  readonly bytesReceived: number;
  /** Heartbeat round trip of the barrier, p50/p99. */
  readonly barrierRttMs: Percentiles;
  /** Nodes whose access token had to be refreshed (over HTTP) before they connected. */
  readonly refreshedTokens: number;
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function percentiles(samples: readonly number[]): Percentiles {
  if (samples.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const round = (x: number | undefined) => Math.round((x ?? 0) * 100) / 100;
  return {
    count: sorted.length,
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    max: round(sorted[sorted.length - 1]),
  };
}

const KIND_NAMES = new Map<number, string>(Object.entries(BODY).map(([name, n]) => [n, name]));

/** Shared state of every connection of one run. */
class Load {
  readonly poolIndex = new Map<string, number>();
  /** Per pool: the `join` send time of the join placed at each epoch. */
  readonly joinSentAtEpoch: number[][] = [];
  /** Per pool: [epoch, arrival] of each `position` update, flattened. */
  readonly updates: number[][] = [];
  readonly joinedMs: number[] = [];
  readonly connectToJoinedMs: number[] = [];
  readonly frames = new Map<number, number>();
  bytes = 0;
  lastPositionAt = 0;
  checked = { joined: 0, position: 0 };
  /** Set when a connection fails; every wait gives up with it. */
  failure: Error | undefined;
  private readonly onFailure: ((err: Error) => void)[] = [];
  closing = false;

  fail(err: Error): void {
    if (this.failure !== undefined || this.closing) return;
    this.failure = err;
    for (const listener of this.onFailure.splice(0)) listener(err);
  }

  /** Rejects as soon as any connection fails. */
  failed(): Promise<never> {
    return new Promise((_, reject) => {
      if (this.failure !== undefined) reject(this.failure);
      else this.onFailure.push(reject);
    });
  }

  poolOf(node: BenchNode): number {
    let index = this.poolIndex.get(node.poolId);
    if (index === undefined) {
      index = this.poolIndex.size;
      this.poolIndex.set(node.poolId, index);
      this.joinSentAtEpoch.push([]);
      this.updates.push([]);
    }
    return index;
  }
}

class NodeConnection {
  private readonly ws: WebSocket;
  private seq = 0;
  private readonly pool: number;
  private openedAt = 0;
  private authSentAt = 0;
  private joinSentAt = 0;
  private joinedResolve: (() => void) | undefined;
  readonly joined: Promise<void>;
  private pings = new Map<number, () => void>();

  constructor(
    readonly node: BenchNode,
    wsUrl: string,
    private readonly load: Load,
  ) {
    this.pool = load.poolOf(node);
    this.joined = new Promise((resolve) => (this.joinedResolve = resolve));
    this.openedAt = performance.now();
    this.ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    this.ws.on('open', () => {
      this.authSentAt = performance.now();
      this.send({ case: 'auth', value: { accessToken: node.accessToken } });
    });
    this.ws.on('message', (data: RawData) => {
      try {
        this.receive(data as Buffer);
      } catch (err) {
        load.fail(new Error(`node ${node.index}: ${err instanceof Error ? err.message : err}`));
      }
    });
    this.ws.on('unexpected-response', (_req, res) =>
      load.fail(new Error(`node ${node.index}: upgrade refused, HTTP ${res.statusCode}`)),
    );
    this.ws.on('error', (err) => load.fail(new Error(`node ${node.index}: ${err.message}`)));
    this.ws.on('close', (code, reason) =>
      load.fail(new Error(`node ${node.index}: closed by the server, ${code} ${String(reason)}`)),
    );
  }

  send(body: ClientBody): number {
    const seq = ++this.seq;
    this.ws.send(encodeClientFrame({ version: PROTOCOL_VERSION, seq, body }));
    return seq;
  }

  /** Only after `authenticated`: before it, any frame but `auth` is refused. */
  heartbeat(): number {
    return this.send({ case: 'heartbeat', value: { sentMs: BigInt(Date.now()) } });
  }

  get authenticated(): boolean {
    return this.joinSentAt > 0;
  }

  /** A heartbeat and its ack: every frame the server sent before it has arrived. */
  ping(): Promise<number> {
    const sentAt = performance.now();
    const seq = this.heartbeat();
    return new Promise((resolve) => this.pings.set(seq, () => resolve(performance.now() - sentAt)));
  }

  terminate(): void {
    this.ws.terminate();
  }

  private receive(bytes: Buffer): void {
    const now = performance.now();
    const load = this.load;
    load.bytes += bytes.length;
    const scan = scanFrame(bytes);
    load.frames.set(scan.field, (load.frames.get(scan.field) ?? 0) + 1);
    switch (scan.field) {
      case BODY.authenticated:
        this.joinSentAt = performance.now();
        this.send({
          case: 'join',
          value: {
            poolId: this.node.poolId,
            device: { deviceId: this.node.deviceId, name: `node-${this.node.index}` },
          },
        });
        return;
      case BODY.joined: {
        const epoch = positionEpoch(bytes, scan);
        if (load.checked.joined++ < CROSS_CHECKS) this.crossCheck(bytes, epoch);
        load.joinSentAtEpoch[this.pool]![epoch] = this.joinSentAt;
        load.joinedMs.push(now - this.joinSentAt);
        load.connectToJoinedMs.push(now - this.openedAt);
        if (now > load.lastPositionAt) load.lastPositionAt = now;
        this.joinedResolve?.();
        return;
      }
      case BODY.position: {
        const epoch = positionEpoch(bytes, scan);
        if (load.checked.position++ < CROSS_CHECKS) this.crossCheck(bytes, epoch);
        load.updates[this.pool]!.push(epoch, now);
        if (now > load.lastPositionAt) load.lastPositionAt = now;
        return;
      }
      case BODY.heartbeatAck: {
        const done = this.pings.get(scan.ackSeq);
        if (done !== undefined) {
          this.pings.delete(scan.ackSeq);
          done();
        }
        return;
      }
      case BODY.error: {
        const frame = decodeServerFrame(bytes);
        const error = frame.body.case === 'error' ? frame.body.value : undefined;
        load.fail(
          new Error(
            `node ${this.node.index}: server error ${error?.code}: ${error?.message} ` +
              `(${this.timeline(now)})`,
          ),
        );
        return;
      }
      default:
        // memberJoined, connect, disconnect: counted only.
        return;
    }
  }

  /** When this connection did what, relative to now: for error messages. */
  private timeline(now: number): string {
    const ago = (t: number) => (t === 0 ? 'never' : `${Math.round(now - t)} ms ago`);
    return `opened ${ago(this.openedAt)}, auth sent ${ago(this.authSentAt)}, join sent ${ago(this.joinSentAt)}`;
  }

  /** The scanner's reading of a frame must match the real decoder's. */
  private crossCheck(bytes: Uint8Array, epoch: number): void {
    const frame = decodeServerFrame(bytes);
    const body = frame.body;
    const position =
      body.case === 'joined'
        ? body.value.position
        : body.case === 'position'
          ? body.value.position
          : undefined;
    if (position === undefined || position.epoch !== BigInt(epoch)) {
      throw new Error(`frame scanner disagrees with the decoder on a ${body.case} frame`);
    }
    if (body.case === 'joined' && body.value.nodeId !== this.node.deviceId) {
      throw new Error(`node ${this.node.index} was placed as ${body.value.nodeId}`);
    }
  }
}

/** Sends each connection a heartbeat about every HEARTBEAT_EVERY_MS, spread over ticks. */
function startHeartbeats(connections: readonly NodeConnection[]): () => void {
  let next = 0;
  const perTick = () =>
    Math.ceil((connections.length * HEARTBEAT_TICK_MS) / HEARTBEAT_EVERY_MS) || 1;
  const timer = setInterval(() => {
    for (let i = perTick(); i > 0 && connections.length > 0; i--) {
      next = (next + 1) % connections.length;
      const connection = connections[next];
      if (connection?.authenticated === true) connection.heartbeat();
    }
  }, HEARTBEAT_TICK_MS);
  return () => clearInterval(timer);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export interface SignalLoadOptions {
  /** The HTTP API, for refreshing tokens that expire before their node's turn. */
  readonly url: string;
  readonly wsUrl: string;
  readonly nodes: readonly BenchNode[];
  readonly concurrency: number;
  readonly progress?: (joined: number) => void;
}

/**
 * The load generator's connections. `join()` runs the timed phase; afterwards the nodes stay
 * connected (heartbeats) until `quiet()` (closes are expected from then on: stop the server
 * first, so that it does not announce 10,000 departures) and `terminate()`.
 */
export class SignalLoad {
  private readonly load = new Load();
  private readonly connections: NodeConnection[] = [];
  private readonly stopHeartbeats = startHeartbeats(this.connections);

  constructor(private readonly options: SignalLoadOptions) {}

  /** Opens one connection per node, `concurrency` joins at a time, and measures the phase. */
  async join(): Promise<JoinPhaseResult> {
    const { load, connections, options } = this;
    const failed = this.failed();
    const api = new Api(options.url);
    const startedAt = performance.now();
    let joined = 0;
    let refreshed = 0;
    await Promise.race([
      failed,
      inParallel(options.nodes.length, options.concurrency, async (index) => {
        const node = options.nodes[index];
        if (node === undefined) throw new Error(`no node ${index}`);
        if (await refreshIfStale(api, node, REFRESH_MARGIN_MS)) refreshed++;
        const connection = new NodeConnection(node, options.wsUrl, load);
        connections.push(connection);
        await withTimeout(connection.joined, JOIN_TIMEOUT_MS, `join of node ${index}`);
        options.progress?.(++joined);
      }),
    ]);
    // Barrier: a heartbeat round trip on every connection. Frames on one socket arrive in
    // order, so once all are back every Position the joins caused has been delivered.
    const rtts = await Promise.race([
      failed,
      withTimeout(
        Promise.all(connections.map((c) => c.ping())),
        BARRIER_TIMEOUT_MS,
        'heartbeat barrier',
      ),
    ]);

    const phaseMs = load.lastPositionAt - startedAt;
    const neighbour: number[] = [];
    let unmatched = 0;
    load.updates.forEach((flat, pool) => {
      const sentAt = load.joinSentAtEpoch[pool] ?? [];
      for (let i = 0; i < flat.length; i += 2) {
        const joinSent = sentAt[flat[i] as number];
        if (joinSent === undefined) unmatched++;
        else neighbour.push((flat[i + 1] as number) - joinSent);
      }
    });
    const framesByKind = Object.fromEntries(
      [...load.frames].map(([field, count]) => [KIND_NAMES.get(field) ?? `field${field}`, count]),
    );
    return {
      nodes: options.nodes.length,
      phaseMs: Math.round(phaseMs),
      joinsPerSec: Math.round((options.nodes.length / phaseMs) * 1000),
      joinedMs: percentiles(load.joinedMs),
      neighbourUpdateMs: percentiles(neighbour),
      updateMs: percentiles(load.joinedMs.concat(neighbour)),
      connectToJoinedMs: percentiles(load.connectToJoinedMs),
      unmatchedUpdates: unmatched,
      framesByKind,
      bytesReceived: load.bytes,
      barrierRttMs: percentiles(rtts),
      refreshedTokens: refreshed,
    };
  }

  /** Keeps every node connected (heartbeats) for `ms`; fails if the server drops one. */
  async hold(ms: number): Promise<void> {
    await Promise.race([this.failed(), new Promise((resolve) => setTimeout(resolve, ms))]);
  }

  /** No more heartbeats; a close is no longer a failure. */
  quiet(): void {
    this.load.closing = true;
    this.stopHeartbeats();
  }

  /** Drops every connection at once (no close handshake). */
  terminate(): void {
    this.quiet();
    for (const connection of this.connections) connection.terminate();
  }

  private failed(): Promise<never> {
    const failed = this.load.failed();
    failed.catch(() => undefined);
    return failed;
  }
}
