/**
 * File transfer of one node in one pool (docs/PROTOCOL.md FT1–FT5): it serves the file
 * requests addressed to this node from what it holds, answers requests passing through it
 * when it holds everything they ask (a relay's cache, FT4), fills that cache from the chunks
 * it forwards, and runs this node's downloads.
 */
import { create } from '@bufbuild/protobuf';
import { ChunkRangeSchema, FileRequestSchema, type FileInfo, type NodeId } from '@poolnet/protocol';
import type { Clock } from '../ports/clock.js';
import type { Crypto } from '../ports/crypto.js';
import type { FileHolder, OpenSink, RelayCache } from '../ports/files.js';
import type { Path } from '../topology/position.js';
import type {
  DeliveredMessage,
  Destination,
  PackageSource,
  PoolNode,
  RelayHandler,
  RelayVerdict,
} from '../node/pool-node.js';
import { Download, type DownloadConfig, defaultDownloadConfig } from './download.js';
import { HASH_CHUNK_BASE, hashChunk, isHashChunk } from './hash-list.js';

/** Chunks one request may ask for, at most (bounds what a requester makes a server read). */
export const MAX_REQUEST_CHUNKS = 256;
/**
 * Chunks queued for one requester, at most (four of its windows). Past it, its oldest queued
 * chunks are dropped: a requester never has more than a window asked, so chunks queued that
 * long ago are ones it has timed out and asked again elsewhere — serving them would only send
 * duplicates and make the queue, and so every later answer, slower still.
 */
export const MAX_QUEUED_PER_REQUESTER = 512;

export interface FileTransferStats {
  /** Chunks this node sent in answer to requests for its own or held files. */
  chunksServed: number;
  /** Of those, chunks sent as a relay answering a request meant for another node. */
  chunksServedAsRelay: number;
  /** Requests a relay answered itself. */
  requestsAnsweredAsRelay: number;
  /** Requests a relay answered in part, promising those chunks to the nodes further on. */
  requestsPromisedAsRelay: number;
  /** Chunks skipped by a server because a relay on the way promised them. */
  chunksSkippedAsPromised: number;
  /** Queued chunks dropped, oldest first, for a requester with too many queued here. */
  chunksDroppedStale: number;
  /** Asked chunks already queued here for the same requester (asked again): queued once. */
  chunksAlreadyQueued: number;
  /** Times the serve loop waited for a link to drain (per-link backpressure). */
  backpressureWaits: number;
  /** Chunks this node forwarded for other nodes (it is a relay on their path). */
  chunksForwarded: number;
  /** Chunks put in the relay cache. */
  chunksCached: number;
  /** File requests this node sent for its downloads. */
  requestsSent: number;
  /** Chunks received for my downloads, and those that failed their hash. */
  chunksReceived: number;
  badChunks: number;
  /** Requests for chunks this node does not hold. */
  unheldRequested: number;
}

export interface FileTransferOptions {
  readonly crypto: Crypto;
  readonly clock: Clock;
  readonly holder: FileHolder;
  readonly cache?: RelayCache;
  /** A node's current path (the server's member list). */
  locate(node: NodeId): Path | undefined;
  readonly download?: Partial<DownloadConfig>;
  /** How often downloads look for late chunks. */
  readonly tickMs?: number;
  /**
   * The serve loop sends to a neighbour only while that link's bulk queue holds less than
   * this (per-link backpressure; other links keep going).
   */
  readonly linkHighWaterBytes?: number;
  /** A node sent a chunk that failed its hash. */
  onBadChunk?(node: NodeId): void;
}

export class FileTransfer {
  readonly stats: FileTransferStats = {
    chunksServed: 0,
    chunksServedAsRelay: 0,
    requestsAnsweredAsRelay: 0,
    requestsPromisedAsRelay: 0,
    chunksSkippedAsPromised: 0,
    chunksDroppedStale: 0,
    chunksAlreadyQueued: 0,
    backpressureWaits: 0,
    chunksForwarded: 0,
    chunksCached: 0,
    requestsSent: 0,
    chunksReceived: 0,
    badChunks: 0,
    unheldRequested: 0,
  };
  private readonly downloads = new Map<string, Download>();
  private readonly offs: Array<() => void> = [];
  private cancelTick: (() => void) | undefined;
  private stopped = false;
  /** Chunks to send, per next hop; each hop's jobs take turns, and so do the hops. */
  private readonly queues = new Map<NodeId | '', ServeJob[]>();
  /** Each requester's jobs, oldest first, and how many chunks they still hold. */
  private readonly byRequester = new Map<NodeId, { jobs: ServeJob[]; chunks: number }>();
  private serving = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly node: PoolNode,
    private readonly options: FileTransferOptions,
  ) {
    this.offs.push(node.onMessage((delivered) => this.onMessage(delivered)));
    this.offs.push(
      node.onChunk((pkg) => {
        if (pkg.body.case !== 'chunk' || !pkg.src) return;
        const chunk = pkg.body.value;
        this.stats.chunksReceived++;
        void this.downloads
          .get(chunk.fileId)
          ?.onChunk(pkg.src.nodeId as NodeId, Number(chunk.index), chunk.data);
      }),
    );
    this.offs.push(
      node.onRelayChunk((pkg) => {
        if (pkg.body.case !== 'chunk') return;
        const { fileId, index, data } = pkg.body.value;
        if (isHashChunk(Number(index))) return;
        this.stats.chunksForwarded++;
        // A chunk I forward for another node may be one my own download still needs.
        // It then goes to the download's file only: one write, and served from there.
        const mine = this.downloads.get(fileId);
        if (mine) return void mine.onLocalChunk(Number(index), data);
        // Held already (my file, a finished download, the cache): nothing to add.
        if (!options.cache || options.holder.holds(fileId, Number(index))) return;
        options.cache.put(fileId, Number(index), data);
        this.stats.chunksCached++;
      }),
    );
    this.offs.push(node.onBulkDrain(() => this.wake?.()));
    node.setRelayHandler((passing) => this.onPassing(passing));
  }

  /** Download `info` into the sink `openSink` makes once the hash list is verified. */
  download(info: FileInfo, openSink: OpenSink): Download {
    const existing = this.downloads.get(info.fileId);
    if (existing) return existing;
    const download = new Download(
      info,
      {
        self: this.node.id,
        crypto: this.options.crypto,
        clock: this.options.clock,
        myPath: () => this.node.position?.path,
        seeders: (fileId) => this.node.offers.seedersOf(fileId),
        locate: (node) => this.options.locate(node),
        request: (seeder, path, fileId, ranges, lane, direct) =>
          this.request(seeder, path, fileId, ranges, lane, direct),
        badChunk: (node) => {
          this.stats.badChunks++;
          this.options.onBadChunk?.(node);
        },
        holdsLocally: (index) => this.options.holder.holds(info.fileId, index),
        readLocally: (index) => this.options.holder.read(info.fileId, index),
      },
      openSink,
      { ...defaultDownloadConfig, ...this.options.download },
    );
    this.downloads.set(info.fileId, download);
    const forget = () => {
      if (this.downloads.get(info.fileId) === download) this.downloads.delete(info.fileId);
    };
    download.done.then(forget, forget);
    download.pump();
    this.tick();
    return download;
  }

  downloadOf(fileId: string): Download | undefined {
    return this.downloads.get(fileId);
  }

  stop(): void {
    this.stopped = true;
    this.cancelTick?.();
    for (const off of this.offs) off();
    this.node.setRelayHandler(undefined);
    this.queues.clear();
    this.byRequester.clear();
    this.wake?.();
    for (const download of this.downloads.values()) download.cancel('stopped');
    this.downloads.clear();
  }

  // ---- serving

  private onMessage({ message, via, from, lane, promised }: DeliveredMessage): void {
    if (via !== 'directed' || !from || message.content.case !== 'fileRequest') return;
    const request = message.content.value;
    if (from.nodeId !== message.authorNodeId) return;
    const skip = promised ?? [];
    const indices = expand(rangesOf(request.requested), MAX_REQUEST_CHUNKS);
    const wanted = indices.filter((i) => !within(skip, i));
    this.stats.chunksSkippedAsPromised += indices.length - wanted.length;
    this.enqueue(request.fileId, wanted, from, lane ?? from.slot, false);
  }

  /**
   * A request for another node passes through (FT4): if I hold every chunk it asks that no
   * relay before me promised, I answer it and it goes no further; if I hold some, I serve
   * those and promise them, so the nodes further on skip them.
   */
  private onPassing(passing: Parameters<RelayHandler>[0]): RelayVerdict | undefined {
    const content = passing.message.content;
    if (content.case !== 'fileRequest') return undefined;
    if (passing.from.nodeId !== passing.message.authorNodeId) return undefined;
    if (content.value.fromOrigin) return undefined; // for the addressed node only
    const { fileId } = content.value;
    const wanted = expand(rangesOf(content.value.requested), MAX_REQUEST_CHUNKS).filter(
      (i) => !within(passing.promised, i),
    );
    if (wanted.length === 0) return undefined;
    const holder = this.options.holder;
    const hasList = holder.hashList(fileId) !== undefined;
    const held = wanted.filter((i) => (isHashChunk(i) ? hasList : holder.holds(fileId, i)));
    if (held.length === 0) return undefined;
    const lane = passing.lane ?? passing.from.slot;
    if (held.length === wanted.length) {
      this.stats.requestsAnsweredAsRelay++;
      this.enqueue(fileId, held, passing.from, lane, true);
      return { consume: true };
    }
    // At most MAX_REQUEST_CHUNKS held, so at most that many ranges: within WIRE16's bound.
    this.stats.requestsPromisedAsRelay++;
    this.enqueue(fileId, held, passing.from, lane, true);
    return { promise: toRanges(held) };
  }

  /** Queue chunks for `to` behind the next hop they leave through. */
  private enqueue(
    fileId: string,
    indices: readonly number[],
    to: PackageSource,
    lane: number,
    asRelay: boolean,
  ): void {
    if (indices.length === 0 || this.stopped) return;
    let mine = this.byRequester.get(to.nodeId);
    if (!mine) {
      mine = { jobs: [], chunks: 0 };
      this.byRequester.set(to.nodeId, mine);
    }
    const queuedNow = new Set<number>();
    for (const job of mine.jobs) {
      if (job.fileId !== fileId) continue;
      for (let k = job.next; k < job.indices.length; k++) queuedNow.add(job.indices[k] as number);
    }
    const taken = indices.filter((i) => !queuedNow.has(i));
    this.stats.chunksAlreadyQueued += indices.length - taken.length;
    if (taken.length === 0) return;
    const dest: Destination = { nodeId: to.nodeId, path: to.path };
    const hop = this.node.nextHop(dest, lane % 3) ?? '';
    const job: ServeJob = { fileId, indices: taken, next: 0, dest, lane: lane % 3, asRelay };
    const queue = this.queues.get(hop);
    if (queue) queue.push(job);
    else this.queues.set(hop, [job]);
    mine.jobs.push(job);
    mine.chunks += taken.length;
    // Drop the oldest queued chunks of this requester beyond the bound (see the constant).
    while (mine.chunks > MAX_QUEUED_PER_REQUESTER) {
      const oldest = mine.jobs[0] as ServeJob;
      const excess = mine.chunks - MAX_QUEUED_PER_REQUESTER;
      const drop = Math.min(excess, oldest.indices.length - oldest.next);
      oldest.next += drop;
      mine.chunks -= drop;
      this.stats.chunksDroppedStale += drop;
      if (oldest.next >= oldest.indices.length) mine.jobs.shift();
    }
    void this.serveLoop();
  }

  /**
   * One read loop serves every requester (memory: one chunk at a time). It takes a chunk from
   * each next hop in turn, skipping hops whose bulk queue is above the high-water mark, and
   * waits for a drain only when every hop with work is full: a slow link never holds up the
   * others, and what waits for it is a list of chunk numbers, not data.
   */
  private async serveLoop(): Promise<void> {
    if (this.serving) return;
    this.serving = true;
    const highWater = this.options.linkHighWaterBytes ?? 2 * 1024 * 1024;
    try {
      while (!this.stopped && this.queues.size > 0) {
        let sent = false;
        for (const hop of [...this.queues.keys()]) {
          const jobs = this.queues.get(hop);
          if (this.stopped) return;
          if (!jobs || (hop !== '' && this.node.bulkBuffered(hop) >= highWater)) continue;
          const job = jobs.shift() as ServeJob;
          if (job.next >= job.indices.length) {
            // Emptied by a drop of stale chunks.
            if (jobs.length === 0) this.queues.delete(hop);
            sent = true;
            continue;
          }
          const index = job.indices[job.next++] as number;
          if (job.next < job.indices.length) jobs.push(job);
          if (jobs.length === 0) this.queues.delete(hop);
          this.unqueue(job);
          await this.serveOne(job, index);
          sent = true;
        }
        if (!sent && this.queues.size > 0) {
          this.stats.backpressureWaits++;
          await new Promise<void>((resolve) => {
            const cancel = this.options.clock.setTimeout(() => this.wake?.(), 100);
            this.wake = () => {
              this.wake = undefined;
              cancel();
              resolve();
            };
          });
        }
      }
    } finally {
      this.serving = false;
    }
  }

  /** One chunk of `job` is being sent: its requester has one fewer queued. */
  private unqueue(job: ServeJob): void {
    const mine = this.byRequester.get(job.dest.nodeId);
    if (!mine) return;
    mine.chunks--;
    if (job.next >= job.indices.length) {
      const at = mine.jobs.indexOf(job);
      if (at >= 0) mine.jobs.splice(at, 1);
    }
    if (mine.jobs.length === 0) this.byRequester.delete(job.dest.nodeId);
  }

  private async serveOne(job: ServeJob, index: number): Promise<void> {
    const holder = this.options.holder;
    const { fileId } = job;
    let data: Uint8Array | undefined;
    if (isHashChunk(index)) {
      const list = holder.hashList(fileId);
      const info = this.node.offers.get(fileId);
      data = list && info ? hashChunk(list, index - HASH_CHUNK_BASE, info.chunkSize) : undefined;
    } else {
      try {
        data = holder.holds(fileId, index) ? await holder.read(fileId, index) : undefined;
      } catch {
        data = undefined; // gone meanwhile (a download just finished, a file moved)
      }
    }
    if (data === undefined) {
      this.stats.unheldRequested++;
      return;
    }
    try {
      this.node.sendChunk([job.dest], { fileId, index, data }, job.lane);
    } catch {
      return; // left the pool meanwhile
    }
    this.stats.chunksServed++;
    if (job.asRelay) this.stats.chunksServedAsRelay++;
  }

  private request(
    seeder: NodeId,
    path: Path,
    fileId: string,
    ranges: Array<[number, number]>,
    lane: number,
    direct: boolean,
  ): void {
    const value = create(FileRequestSchema, {
      fileId,
      fromOrigin: direct,
      requested: ranges.map(([start, end]) =>
        create(ChunkRangeSchema, { start: BigInt(start), end: BigInt(end) }),
      ),
    });
    try {
      this.node.sendTo([{ nodeId: seeder, path }], { case: 'fileRequest', value }, lane);
      this.stats.requestsSent++;
    } catch {
      // Not placed right now; the tick asks again.
    }
  }

  /** While downloads run, they look for late chunks every `tickMs`. */
  private tick(): void {
    if (this.stopped || this.cancelTick) return;
    this.cancelTick = this.options.clock.setTimeout(() => {
      this.cancelTick = undefined;
      for (const download of this.downloads.values()) download.pump();
      if (this.downloads.size > 0) this.tick();
    }, this.options.tickMs ?? 250);
  }
}

/** Chunks queued for one requester: `next` is the first not yet sent. */
interface ServeJob {
  readonly fileId: string;
  readonly indices: readonly number[];
  next: number;
  readonly dest: Destination;
  readonly lane: number;
  readonly asRelay: boolean;
}

/** Whether `index` is inside one of `ranges`. */
function within(ranges: ReadonlyArray<readonly [number, number]>, index: number): boolean {
  for (const [start, end] of ranges) if (index >= start && index < end) return true;
  return false;
}

/** Ascending indices as half-open ranges. */
function toRanges(indices: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const i of indices) {
    const last = out[out.length - 1];
    if (last && last[1] === i) last[1] = i + 1;
    else out.push([i, i + 1]);
  }
  return out;
}

function rangesOf(ranges: ReadonlyArray<{ start: bigint; end: bigint }>): Array<[number, number]> {
  return ranges.map((r) => [Number(r.start), Number(r.end)]);
}

/** The indices of `ranges`, at most `max` of them. */
function expand(ranges: ReadonlyArray<readonly [number, number]>, max: number): number[] {
  const out: number[] = [];
  for (const [start, end] of ranges) {
    for (let i = start; i < end && out.length < max; i++) out.push(i);
  }
  return out;
}
