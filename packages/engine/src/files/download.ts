/**
 * One download in one pool (FT3): fetch the hash list, check it against the offer's root, then
 * fetch the missing chunks with many in flight, striped over the three lanes and spread over
 * the nearest seeders. Every chunk is checked on arrival; a bad one counts against the node
 * that sent it and is fetched again elsewhere. A request that is not answered in time goes to
 * another seeder ("chunks missing"), the origin last. Pacing is by the window: a requester
 * never has more than `windowChunks` chunks asked and not yet received.
 */
import type { FileInfo, NodeId } from '@poolnet/protocol';
import type { Clock } from '../ports/clock.js';
import type { Crypto } from '../ports/crypto.js';
import type { DownloadSink, OpenSink } from '../ports/files.js';
import type { Path } from '../topology/position.js';
import { EngineError } from '../errors.js';
import {
  HASH_CHUNK_BASE,
  HashListAssembler,
  chunkMatches,
  dataChunkCount,
  isHashChunk,
} from './hash-list.js';

export interface DownloadConfig {
  /** Chunks asked and not yet received, at most. */
  windowChunks: number;
  /** Chunks per request, at most. */
  requestChunks: number;
  /**
   * A chunk not received this long after it was asked is asked again elsewhere: the first
   * timeout; once chunks arrive, it follows their measured delay (srtt + 4·rttvar, as TCP's
   * RTO), held within [minChunkTimeoutMs, maxChunkTimeoutMs].
   */
  chunkTimeoutMs: number;
  minChunkTimeoutMs: number;
  maxChunkTimeoutMs: number;
  /** Seeders a download spreads its requests over (nearest first). */
  maxSeeders: number;
  /** Bad chunks or timeouts after which a seeder is used only when no other is left. */
  strikesToAvoid: number;
  /**
   * A download with no seeder online for this long fails (`NO_SEEDER`) instead of waiting
   * forever; what it received stays in its sink, so asking again later resumes it.
   */
  noSeederTimeoutMs: number;
}

export const defaultDownloadConfig: DownloadConfig = {
  windowChunks: 128,
  requestChunks: 16,
  chunkTimeoutMs: 4000,
  minChunkTimeoutMs: 1000,
  maxChunkTimeoutMs: 30_000,
  maxSeeders: 3,
  strikesToAvoid: 3,
  noSeederTimeoutMs: 60_000,
};

export interface DownloadProgress {
  readonly fileId: string;
  readonly chunks: number;
  readonly received: number;
  readonly bytes: number;
  readonly size: number;
  readonly state: 'hashes' | 'data' | 'done' | 'failed';
}

/** What a download needs from its file-transfer host. */
export interface DownloadHost {
  readonly self: NodeId;
  readonly crypto: Crypto;
  readonly clock: Clock;
  /** My current path (for nearest-first). */
  myPath(): Path | undefined;
  /** Nodes that offered the file, origin included. */
  seeders(fileId: string): readonly string[];
  /** A node's current path, or undefined when it is not online. */
  locate(node: NodeId): Path | undefined;
  /**
   * Ask `seeder` for chunks (one FileRequest) on `lane`. `direct`: only the seeder may answer,
   * no relay on the way (a chunk asked again after a bad copy, which may come from a cache).
   */
  request(
    seeder: NodeId,
    path: Path,
    fileId: string,
    ranges: Array<[number, number]>,
    lane: number,
    direct: boolean,
  ): void;
  /** A bad chunk from `node` (FT2). */
  badChunk(node: NodeId): void;
  /** Whether this node already holds chunk `index` elsewhere (its relay cache). */
  holdsLocally(index: number): boolean;
  readLocally(index: number): Promise<Uint8Array | undefined>;
}

interface InFlight {
  readonly seeder: NodeId;
  readonly askedAt: number;
}

/** Hops between two places in the tree: up to the common ancestor panel and down again. */
export function treeDistance(a: Path, b: Path): number {
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return a.length - common + (b.length - common);
}

export class Download {
  private readonly hashes: HashListAssembler;
  private list: Uint8Array | undefined;
  private sink: DownloadSink | undefined;
  private readonly chunks: number;
  private readonly inFlight = new Map<number, InFlight>();
  private readonly writing = new Set<number>();
  /** Data chunks not held and not in flight, ascending. */
  private queue: number[] = [];
  private readonly strikes = new Map<NodeId, number>();
  /** Chunks asked more than once: their delay says nothing (Karn's rule). */
  private readonly retried = new Set<number>();
  /** Chunks being taken from this node's own cache (not queued, not asked). */
  private readonly localPending = new Set<number>();
  /** Chunks that once arrived bad: asked again from the seeder itself, past any relay. */
  private readonly bad = new Set<number>();
  private srtt: number | undefined;
  private rttvar = 0;
  /** Doubles on every time-out, back to 1 on a fresh sample (TCP's RTO back-off). */
  private backoff = 1;
  private received = 0;
  private bytes = 0;
  private lane = 0;
  private nextSeeder = 0;
  private opening = false;
  /** Since when no seeder has been online (my clock), while that lasts. */
  private alone: number | undefined;
  private ended = false;
  private resolveDone!: () => void;
  private rejectDone!: (err: Error) => void;
  /** Settles when every chunk is in the sink (or the download fails or is cancelled). */
  readonly done: Promise<void>;
  private readonly progressListeners = new Set<(p: DownloadProgress) => void>();

  constructor(
    readonly info: FileInfo,
    private readonly host: DownloadHost,
    private readonly openSink: OpenSink,
    private readonly config: DownloadConfig = defaultDownloadConfig,
  ) {
    this.hashes = new HashListAssembler(info, host.crypto);
    this.chunks = dataChunkCount(info);
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // A caller that only listens to progress must not see an unhandled rejection.
    this.done.catch(() => undefined);
  }

  get fileId(): string {
    return this.info.fileId;
  }

  progress(): DownloadProgress {
    const state = this.ended
      ? this.received === this.chunks
        ? 'done'
        : 'failed'
      : this.sink
        ? 'data'
        : 'hashes';
    return {
      fileId: this.info.fileId,
      chunks: this.chunks,
      received: this.received,
      bytes: this.bytes,
      size: Number(this.info.size),
      state,
    };
  }

  onProgress(listener: (p: DownloadProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** Starts or continues asking; called again by the host's timer. */
  pump(): void {
    if (this.ended) return;
    this.expire();
    const seeders = this.usableSeeders();
    if (this.noSeeder(seeders.length === 0)) return;
    if (!this.sink) return this.askHashes(seeders);
    // Ask in whole requests: a request is signed, verified on the way and answered with one
    // serve job, so refilling the window one chunk per arrival would cost a request per chunk.
    while (
      this.queue.length > 0 &&
      this.config.windowChunks - this.inFlight.size >=
        Math.min(this.config.requestChunks, this.queue.length)
    ) {
      const run = this.takeRun(
        Math.min(this.config.requestChunks, this.config.windowChunks - this.inFlight.size),
      );
      const seeder = seeders[this.nextSeeder++ % seeders.length] as { id: NodeId; path: Path };
      this.ask(seeder, run);
    }
  }

  /**
   * A chunk of this file that this node has anyway: one it forwards for another node, or one
   * in its relay cache. Taken like an answer (checked against its hash), with no network
   * request, and no strike when it is bad.
   */
  async onLocalChunk(index: number, data: Uint8Array): Promise<void> {
    if (this.ended || !this.sink || isHashChunk(index)) return;
    if (index < 0 || index >= this.chunks || this.sink.has(index)) return;
    this.localChunks++;
    return this.onChunk(undefined, index, data);
  }

  /** Chunks taken from this node's own cache or forwarded traffic. */
  localChunks = 0;

  /** A chunk addressed to me for this file, from `from` (undefined: from this node itself). */
  async onChunk(from: NodeId | undefined, index: number, data: Uint8Array): Promise<void> {
    if (this.ended) return;
    if (isHashChunk(index)) {
      if (from === undefined) return;
      return this.onHashChunk(from, index - HASH_CHUNK_BASE, data);
    }
    const sink = this.sink;
    const list = this.list;
    if (!sink || !list || index < 0 || index >= this.chunks) return;
    if (sink.has(index) || this.writing.has(index)) {
      this.inFlight.delete(index);
      return;
    }
    if (!chunkMatches(this.host.crypto, this.info, list, index, data)) {
      if (from === undefined) return;
      this.strike(from);
      this.host.badChunk(from);
      this.bad.add(index);
      if (this.inFlight.delete(index)) this.requeue([index]);
      return this.pump();
    }
    this.sample(index);
    // A second copy arriving while the first is written must not count twice.
    this.writing.add(index);
    let written: boolean;
    try {
      written = await sink.write(index, data);
    } finally {
      this.writing.delete(index);
    }
    if (!written || this.ended) return;
    if (!this.inFlight.delete(index) && !this.localPending.delete(index)) {
      this.queue = this.queue.filter((i) => i !== index);
    }
    this.received++;
    this.bytes += data.length;
    this.emitProgress();
    if (this.received === this.chunks) return this.finish();
    this.pump();
  }

  /** Whether no seeder is online (`alone`); fails the download once that lasted too long. */
  private noSeeder(alone: boolean): boolean {
    if (!alone) {
      this.alone = undefined;
      return false;
    }
    const now = this.host.clock.now();
    this.alone ??= now;
    if (now - this.alone >= this.config.noSeederTimeoutMs) {
      this.ended = true;
      this.rejectDone(
        new EngineError(
          'NO_SEEDER',
          `no device that has ${this.info.name} has been online for ${Math.round(
            this.config.noSeederTimeoutMs / 1000,
          )} s; what was received is kept, ask again to resume`,
        ),
      );
      this.emitProgress();
    }
    return true;
  }

  cancel(reason = 'cancelled'): void {
    if (this.ended) return;
    this.ended = true;
    this.rejectDone(new Error(reason));
  }

  // ---- hash list

  private askHashes(seeders: ReadonlyArray<{ id: NodeId; path: Path }>): void {
    const missing: number[] = [];
    for (let k = 0; k < this.hashes.count; k++) {
      if (!this.hashes.has(k) && !this.inFlight.has(HASH_CHUNK_BASE + k))
        missing.push(HASH_CHUNK_BASE + k);
    }
    if (missing.length === 0) return;
    // The hash list is small: ask one seeder for all of it, the nearest first.
    const seeder = seeders[this.nextSeeder++ % seeders.length] as { id: NodeId; path: Path };
    this.ask(seeder, missing);
  }

  private async onHashChunk(from: NodeId, k: number, data: Uint8Array): Promise<void> {
    if (this.sink || this.opening) return;
    this.inFlight.delete(HASH_CHUNK_BASE + k);
    if (!this.hashes.put(k, data)) {
      this.strike(from);
      this.host.badChunk(from);
      return this.pump();
    }
    if (!this.hashes.complete) return;
    const list = this.hashes.verified();
    if (!list) {
      // Some sender lied; the list is fetched again, from the next seeder.
      this.strike(from);
      this.host.badChunk(from);
      return this.pump();
    }
    this.opening = true;
    try {
      const sink = await this.openSink(this.info, list);
      this.list = list;
      this.sink = sink;
      this.queue = [];
      for (const range of sink.missing())
        for (let i = range.start; i < range.end; i++) this.queue.push(i);
      this.received = this.chunks - this.queue.length;
      this.bytes = Math.min(Number(this.info.size), this.received * this.info.chunkSize);
    } catch (err) {
      this.ended = true;
      this.rejectDone(err instanceof Error ? err : new Error(String(err)));
      return;
    } finally {
      this.opening = false;
    }
    this.emitProgress();
    if (this.queue.length === 0) return this.finish();
    void this.takeLocal();
    this.pump();
  }

  /** Chunks already in this node's relay cache are taken from there, not asked for. */
  private async takeLocal(): Promise<void> {
    const local = this.queue.filter((i) => this.host.holdsLocally(i));
    if (local.length === 0) return;
    const taken = new Set(local);
    this.queue = this.queue.filter((i) => !taken.has(i));
    for (const index of local) this.localPending.add(index);
    for (const index of local) {
      if (this.ended) return;
      let data: Uint8Array | undefined;
      try {
        data = await this.host.readLocally(index);
      } catch {
        data = undefined;
      }
      if (data) await this.onLocalChunk(index, data);
      // Gone from the cache meanwhile, or bad: asked of the seeders after all.
      if (this.localPending.delete(index) && !this.sink?.has(index)) this.requeue([index]);
    }
    this.pump();
  }

  // ---- helpers

  /** The current chunk timeout (see DownloadConfig.chunkTimeoutMs). */
  chunkTimeout(): number {
    const rto =
      this.srtt === undefined
        ? this.config.chunkTimeoutMs
        : Math.max(this.config.minChunkTimeoutMs, this.srtt + 4 * this.rttvar);
    return Math.min(this.config.maxChunkTimeoutMs, rto * this.backoff);
  }

  /** A chunk asked once arrived: its delay updates the timeout. */
  private sample(index: number): void {
    const flight = this.inFlight.get(index);
    if (!flight || this.retried.has(index)) return;
    const delay = this.host.clock.now() - flight.askedAt;
    this.backoff = 1;
    if (this.srtt === undefined) {
      this.srtt = delay;
      this.rttvar = delay / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - delay);
      this.srtt = 0.875 * this.srtt + 0.125 * delay;
    }
  }

  private ask(seeder: { id: NodeId; path: Path }, indices: readonly number[]): void {
    const askedAt = this.host.clock.now();
    for (const i of indices) this.inFlight.set(i, { seeder: seeder.id, askedAt });
    const ranges: Array<[number, number]> = [];
    for (const i of indices) {
      const last = ranges[ranges.length - 1];
      if (last && last[1] === i) last[1] = i + 1;
      else ranges.push([i, i + 1]);
    }
    const direct = indices.some((i) => this.bad.has(i));
    this.host.request(seeder.id, seeder.path, this.info.fileId, ranges, this.lane, direct);
    this.lane = (this.lane + 1) % 3;
  }

  /** Chunks asked too long ago go back to the queue; their seeder gets a strike. */
  private expire(): void {
    const now = this.host.clock.now();
    const timeout = this.chunkTimeout();
    const late: number[] = [];
    const struck = new Set<NodeId>();
    for (const [index, flight] of this.inFlight) {
      if (now - flight.askedAt < timeout) continue;
      this.inFlight.delete(index);
      this.retried.add(index);
      if (!isHashChunk(index)) late.push(index);
      struck.add(flight.seeder);
    }
    for (const seeder of struck) this.strike(seeder);
    if (struck.size > 0) this.backoff = Math.min(this.backoff * 2, 64);
    this.requeue(late);
  }

  private requeue(indices: readonly number[]): void {
    if (indices.length === 0) return;
    this.queue = [...new Set([...indices, ...this.queue])].sort((a, b) => a - b);
  }

  /** Up to `max` queued chunks, contiguous where possible. */
  private takeRun(max: number): number[] {
    const run: number[] = [];
    while (run.length < max && this.queue.length > 0) {
      const next = this.queue[0] as number;
      const last = run[run.length - 1];
      if (last !== undefined && next !== last + 1) break;
      run.push(next);
      this.queue.shift();
    }
    return run;
  }

  /** Online seeders, nearest first; those with many strikes only when nothing else is left. */
  private usableSeeders(): Array<{ id: NodeId; path: Path }> {
    const mine = this.host.myPath() ?? [];
    const online: Array<{ id: NodeId; path: Path; strikes: number; distance: number }> = [];
    const candidates = new Set([...this.host.seeders(this.info.fileId), this.info.originNodeId]);
    for (const id of candidates) {
      const node = id as NodeId;
      if (node === this.host.self) continue;
      const path = this.host.locate(node);
      if (!path) continue;
      online.push({
        id: node,
        path,
        strikes: this.strikes.get(node) ?? 0,
        distance: treeDistance(mine, path),
      });
    }
    const good = online.filter((s) => s.strikes < this.config.strikesToAvoid);
    const pool = good.length > 0 ? good : online.sort((a, b) => a.strikes - b.strikes).slice(0, 1);
    return pool
      .sort((a, b) => a.distance - b.distance)
      .slice(0, this.config.maxSeeders)
      .map(({ id, path }) => ({ id, path }));
  }

  private strike(node: NodeId): void {
    this.strikes.set(node, (this.strikes.get(node) ?? 0) + 1);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.emitProgress();
    this.resolveDone();
  }

  private emitProgress(): void {
    const p = this.progress();
    for (const listener of this.progressListeners) listener(p);
  }
}
