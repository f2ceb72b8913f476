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
import type { DeliveredMessage, PackageSource, PoolNode } from '../node/pool-node.js';
import { Download, type DownloadConfig, defaultDownloadConfig } from './download.js';
import { HASH_CHUNK_BASE, hashChunk, isHashChunk } from './hash-list.js';

/** Chunks one request may ask for, at most (bounds what a requester makes a server read). */
export const MAX_REQUEST_CHUNKS = 256;

export interface FileTransferStats {
  /** Chunks this node sent in answer to requests for its own or held files. */
  chunksServed: number;
  /** Of those, chunks sent as a relay answering a request meant for another node. */
  chunksServedAsRelay: number;
  /** Requests a relay answered itself. */
  requestsAnsweredAsRelay: number;
  /** Chunks put in the relay cache. */
  chunksCached: number;
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
  /** A node sent a chunk that failed its hash. */
  onBadChunk?(node: NodeId): void;
}

export class FileTransfer {
  readonly stats: FileTransferStats = {
    chunksServed: 0,
    chunksServedAsRelay: 0,
    requestsAnsweredAsRelay: 0,
    chunksCached: 0,
    chunksReceived: 0,
    badChunks: 0,
    unheldRequested: 0,
  };
  private readonly downloads = new Map<string, Download>();
  private readonly offs: Array<() => void> = [];
  private cancelTick: (() => void) | undefined;
  private stopped = false;

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
        if (pkg.body.case !== 'chunk' || !options.cache) return;
        const { fileId, index, data } = pkg.body.value;
        if (isHashChunk(Number(index))) return;
        options.cache.put(fileId, Number(index), data);
        this.stats.chunksCached++;
      }),
    );
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
        request: (seeder, path, fileId, ranges, lane) =>
          this.request(seeder, path, fileId, ranges, lane),
        badChunk: (node) => {
          this.stats.badChunks++;
          this.options.onBadChunk?.(node);
        },
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
    for (const download of this.downloads.values()) download.cancel('stopped');
    this.downloads.clear();
  }

  // ---- serving

  private onMessage({ message, via, from, lane }: DeliveredMessage): void {
    if (via !== 'directed' || !from || message.content.case !== 'fileRequest') return;
    const request = message.content.value;
    if (from.nodeId !== message.authorNodeId) return;
    void this.serve(request.fileId, rangesOf(request.requested), from, lane ?? from.slot, false);
  }

  /** A request for another node passes through: answer it here if everything is held. */
  private onPassing(passing: {
    message: DeliveredMessage['message'];
    from: PackageSource;
    lane: number | undefined;
  }): boolean {
    const content = passing.message.content;
    if (content.case !== 'fileRequest') return false;
    if (passing.from.nodeId !== passing.message.authorNodeId) return false;
    const { fileId } = content.value;
    const ranges = rangesOf(content.value.requested);
    const indices = expand(ranges, MAX_REQUEST_CHUNKS);
    if (indices.length === 0) return false;
    for (const i of indices) {
      if (isHashChunk(i)) {
        if (!this.options.holder.hashList(fileId)) return false;
      } else if (!this.options.holder.holds(fileId, i)) return false;
    }
    this.stats.requestsAnsweredAsRelay++;
    void this.serve(fileId, ranges, passing.from, passing.lane ?? passing.from.slot, true);
    return true;
  }

  /** Reads and sends the requested chunks, one after another (memory: one chunk at a time). */
  private async serve(
    fileId: string,
    ranges: Array<[number, number]>,
    to: PackageSource,
    lane: number,
    asRelay: boolean,
  ): Promise<void> {
    const holder = this.options.holder;
    const dest = [{ nodeId: to.nodeId, path: to.path }];
    for (const index of expand(ranges, MAX_REQUEST_CHUNKS)) {
      if (this.stopped) return;
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
        continue;
      }
      try {
        this.node.sendChunk(dest, { fileId, index, data }, lane % 3);
      } catch {
        return; // left the pool meanwhile
      }
      this.stats.chunksServed++;
      if (asRelay) this.stats.chunksServedAsRelay++;
    }
  }

  private request(
    seeder: NodeId,
    path: Path,
    fileId: string,
    ranges: Array<[number, number]>,
    lane: number,
  ): void {
    const value = create(FileRequestSchema, {
      fileId,
      requested: ranges.map(([start, end]) =>
        create(ChunkRangeSchema, { start: BigInt(start), end: BigInt(end) }),
      ),
    });
    try {
      this.node.sendTo([{ nodeId: seeder, path }], { case: 'fileRequest', value }, lane);
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

function rangesOf(ranges: ReadonlyArray<{ start: bigint; end: bigint }>): Array<[number, number]> {
  return ranges.map((r) => [Number(r.start), Number(r.end)]);
}

/** The indices of `ranges`, at most `max` of them. */
function expand(ranges: ReadonlyArray<[number, number]>, max: number): number[] {
  const out: number[] = [];
  for (const [start, end] of ranges) {
    for (let i = start; i < end && out.length < max; i++) out.push(i);
  }
  return out;
}
