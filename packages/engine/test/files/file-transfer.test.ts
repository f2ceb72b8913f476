import { create } from '@bufbuild/protobuf';
import {
  FileInfoSchema,
  FileOfferSchema,
  FileRequestSchema,
  type FileInfo,
  type NodeId,
} from '@poolnet/protocol';
import type { PoolNode } from '../../src/node/pool-node.js';
import { describe, expect, it } from 'vitest';
import type { DownloadSink, FileHolder, RelayCache } from '../../src/ports/files.js';
import {
  FileTransfer,
  type FileTransferOptions,
  HASH_BYTES,
  dataChunkCount,
  equalBytes,
} from '../../src/files/index.js';
import { type TestPool, type TestPoolOptions, createTestPool } from '../../src/testing/index.js';
import { SeededRandom } from '../../src/testing/seeded-random.js';
import { nobleCrypto } from '../../src/identity/noble-crypto.js';

const CHUNK = 4 * 1024;

/** What one test node holds: whole files, downloads in progress, and its relay cache. */
class MemoryHolder implements FileHolder, RelayCache {
  readonly files = new Map<string, { chunks: Map<number, Uint8Array>; list: Uint8Array }>();
  readonly cache = new Map<string, Uint8Array>();
  corrupt = false;

  holds(fileId: string, index: number): boolean {
    return (
      this.files.get(fileId)?.chunks.has(index) === true || this.cache.has(`${fileId}/${index}`)
    );
  }
  async read(fileId: string, index: number): Promise<Uint8Array | undefined> {
    const data = this.files.get(fileId)?.chunks.get(index) ?? this.cache.get(`${fileId}/${index}`);
    if (!data || !this.corrupt) return data;
    const bad = data.slice();
    bad[0] = (bad[0] ?? 0) ^ 0xff;
    return bad;
  }
  hashList(fileId: string): Uint8Array | undefined {
    return this.files.get(fileId)?.list;
  }
  put(fileId: string, index: number, data: Uint8Array): void {
    this.cache.set(`${fileId}/${index}`, data.slice());
  }
  /** A sink that keeps chunks here, so a downloading node also serves what it has. */
  sink(info: FileInfo, list: Uint8Array): DownloadSink {
    const chunks = new Map<number, Uint8Array>();
    this.files.set(info.fileId, { chunks, list });
    const count = dataChunkCount(info);
    return {
      has: (i) => chunks.has(i),
      missing: () => {
        const out: Array<{ start: number; end: number }> = [];
        for (let i = 0; i < count; i++) {
          if (chunks.has(i)) continue;
          const last = out[out.length - 1];
          if (last && last.end === i) last.end = i + 1;
          else out.push({ start: i, end: i + 1 });
        }
        return out;
      },
      write: async (i, data) => {
        chunks.set(i, data.slice());
        return true;
      },
    };
  }
  assembled(fileId: string, size: number): Uint8Array {
    const out = new Uint8Array(size);
    for (const [i, data] of this.files.get(fileId)?.chunks ?? []) out.set(data, i * CHUNK);
    return out;
  }
}

interface Harness {
  pool: TestPool;
  holders: Map<NodeId, MemoryHolder>;
  transfers: Map<NodeId, FileTransfer>;
}

async function harness(
  n: number,
  options: { pool?: TestPoolOptions; transfer?: Partial<FileTransferOptions> } = {},
): Promise<Harness> {
  const pool = await createTestPool(n, { seed: 7, ...options.pool });
  const holders = new Map<NodeId, MemoryHolder>();
  const transfers = new Map<NodeId, FileTransfer>();
  for (const [id, node] of pool.nodes) {
    const holder = new MemoryHolder();
    holders.set(id, holder);
    transfers.set(
      id,
      new FileTransfer(node, {
        crypto: pool.crypto,
        clock: pool.clock,
        holder,
        cache: holder,
        locate: (peer) =>
          pool.server.topology.has(peer) ? pool.server.topology.positionOf(peer).path : undefined,
        ...options.transfer,
      }),
    );
  }
  return { pool, holders, transfers };
}

/** `origin` offers a random file of `size` bytes; returns its info and content. */
function offer(h: Harness, origin: NodeId, size: number, fileId = 'file1') {
  const data = new Uint8Array(size);
  const random = new SeededRandom(size);
  for (let i = 0; i < size; i++) data[i] = random.int(256);
  const count = Math.ceil(size / CHUNK);
  const list = new Uint8Array(count * HASH_BYTES);
  const chunks = new Map<number, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const chunk = data.subarray(i * CHUNK, Math.min(size, (i + 1) * CHUNK));
    chunks.set(i, chunk);
    list.set(nobleCrypto.sha256(chunk), i * HASH_BYTES);
  }
  h.holders.get(origin)?.files.set(fileId, { chunks, list });
  const info = create(FileInfoSchema, {
    fileId,
    name: 'random.bin',
    size: BigInt(size),
    originNodeId: origin,
    sha256: nobleCrypto.sha256(data),
    chunkSize: CHUNK,
    chunkHashesRoot: nobleCrypto.sha256(list),
  });
  h.pool.nodes.get(origin)?.broadcast({
    case: 'fileOffer',
    value: create(FileOfferSchema, { files: [info] }),
  });
  return { info, data };
}

function startDownload(h: Harness, id: NodeId, info: FileInfo) {
  const holder = h.holders.get(id) as MemoryHolder;
  return (h.transfers.get(id) as FileTransfer).download(info, async (i, list) =>
    holder.sink(i, list),
  );
}

const ids = (h: Harness) => [...h.pool.nodes.keys()];

describe('file transfer on the memory network', () => {
  it('[FT1][FT2][FT3] every downloader gets the exact file, hash list first, chunks verified', async () => {
    const h = await harness(12);
    const [origin, ...others] = ids(h) as [NodeId, ...NodeId[]];
    const { info, data } = offer(h, origin, 300 * 1024 + 123);
    await h.pool.clock.advance(200);
    const downloads = others.slice(0, 6).map((id) => startDownload(h, id, info));
    await h.pool.clock.advance(30_000);
    for (const [i, d] of downloads.entries()) {
      expect(d.progress().state, `downloader ${i}`).toBe('done');
      // Whole requests of 16 chunks, not one request per arriving chunk.
      const sent = (h.transfers.get(others[i] as NodeId) as FileTransfer).stats.requestsSent;
      expect(sent).toBeLessThanOrEqual(Math.ceil(dataChunkCount(info) / 16) + 4);
      const got = (h.holders.get(others[i] as NodeId) as MemoryHolder).assembled(
        'file1',
        data.length,
      );
      expect(equalBytes(got, data)).toBe(true);
    }
  });

  it('[FT4] relays cache what they forward and answer later requests themselves', async () => {
    const h = await harness(20);
    const [origin, ...others] = ids(h) as [NodeId, ...NodeId[]];
    const { info, data } = offer(h, origin, 200 * 1024);
    await h.pool.clock.advance(200);
    // A first wave fills the caches along the paths; a second wave finds them.
    const first = others.slice(10).map((id) => startDownload(h, id, info));
    await h.pool.clock.advance(20_000);
    expect(first.every((d) => d.progress().state === 'done')).toBe(true);
    const second = others.slice(0, 10).map((id) => startDownload(h, id, info));
    await h.pool.clock.advance(20_000);
    expect(second.every((d) => d.progress().state === 'done')).toBe(true);
    const relayed = [...h.transfers.values()].reduce((n, t) => n + t.stats.chunksServedAsRelay, 0);
    const cached = [...h.transfers.values()].reduce((n, t) => n + t.stats.chunksCached, 0);
    expect(cached).toBeGreaterThan(0);
    expect(relayed).toBeGreaterThan(0);
    for (const id of others) {
      const got = (h.holders.get(id) as MemoryHolder).assembled('file1', data.length);
      expect(equalBytes(got, data), id).toBe(true);
    }
  });

  it('[FT2] a seeder that sends corrupt chunks is caught; the download completes from others', async () => {
    const h = await harness(10);
    const [origin, liar, ...others] = ids(h) as [NodeId, NodeId, ...NodeId[]];
    const { info, data } = offer(h, origin, 128 * 1024);
    await h.pool.clock.advance(200);
    // The liar downloads honestly, offers the file too, then serves it corrupted.
    const honest = startDownload(h, liar, info);
    await h.pool.clock.advance(10_000);
    expect(honest.progress().state).toBe('done');
    (h.holders.get(liar) as MemoryHolder).corrupt = true;
    h.pool.nodes
      .get(liar)
      ?.broadcast({ case: 'fileOffer', value: create(FileOfferSchema, { files: [info] }) });
    await h.pool.clock.advance(200);
    const downloads = others.map((id) => startDownload(h, id, info));
    await h.pool.clock.advance(30_000);
    const bad = [...h.transfers.values()].reduce((n, t) => n + t.stats.badChunks, 0);
    expect(bad).toBeGreaterThan(0);
    for (const [i, d] of downloads.entries()) {
      expect(d.progress().state).toBe('done');
      const got = (h.holders.get(others[i] as NodeId) as MemoryHolder).assembled(
        'file1',
        data.length,
      );
      expect(equalBytes(got, data)).toBe(true);
    }
  });

  it('[FT3] a seeder that leaves mid-download is replaced; nothing received is lost', async () => {
    const h = await harness(10);
    const [origin, second, ...others] = ids(h) as [NodeId, NodeId, ...NodeId[]];
    const { info, data } = offer(h, origin, 256 * 1024);
    await h.pool.clock.advance(200);
    const first = startDownload(h, second, info);
    await h.pool.clock.advance(20_000);
    expect(first.progress().state).toBe('done');
    h.pool.nodes
      .get(second)
      ?.broadcast({ case: 'fileOffer', value: create(FileOfferSchema, { files: [info] }) });
    await h.pool.clock.advance(200);
    const downloads = others.map((id) => startDownload(h, id, info));
    await h.pool.clock.advance(30);
    h.transfers.get(origin)?.stop();
    h.pool.remove(origin);
    await h.pool.clock.advance(40_000);
    for (const [i, d] of downloads.entries()) {
      expect(d.progress().state, others[i]).toBe('done');
      const got = (h.holders.get(others[i] as NodeId) as MemoryHolder).assembled(
        'file1',
        data.length,
      );
      expect(equalBytes(got, data)).toBe(true);
    }
  });

  it('[FT4] a relay holding some of the asked chunks serves and promises them; the seeder skips them', async () => {
    const h = await harness(16);
    const [origin] = ids(h) as [NodeId];
    const { info, data } = offer(h, origin, 256 * 1024);
    await h.pool.clock.advance(200);
    // A downloader that is not the seeder's neighbour, so every request crosses a relay.
    const neighbours = new Set(h.pool.nodes.get(origin)?.neighbours());
    const far = ids(h).find((id) => id !== origin && !neighbours.has(id)) as NodeId;
    expect(far).toBeDefined();
    // Every other node's cache holds the even chunks (as after an earlier partial transfer).
    const chunks = dataChunkCount(info);
    for (const [id, holder] of h.holders) {
      if (id === origin || id === far) continue;
      for (let i = 0; i < chunks; i += 2) {
        holder.put('file1', i, data.subarray(i * CHUNK, (i + 1) * CHUNK));
      }
    }
    const download = startDownload(h, far, info);
    await h.pool.clock.advance(20_000);
    expect(download.progress().state).toBe('done');
    const got = (h.holders.get(far) as MemoryHolder).assembled('file1', data.length);
    expect(equalBytes(got, data)).toBe(true);
    const sum = (pick: (t: FileTransfer) => number) =>
      [...h.transfers.values()].reduce((n, t) => n + pick(t), 0);
    expect(sum((t) => t.stats.requestsPromisedAsRelay)).toBeGreaterThan(0);
    const seeder = h.transfers.get(origin) as FileTransfer;
    expect(seeder.stats.chunksSkippedAsPromised).toBeGreaterThan(0);
    // The seeder sent (about) the odd half only: the even half came from the relays.
    expect(seeder.stats.chunksServed).toBeLessThanOrEqual(chunks / 2 + 8);
    expect(sum((t) => t.stats.chunksServedAsRelay)).toBeGreaterThanOrEqual(chunks / 2);
  });

  it('[FT6] a slow link holds up only its own requester; the seeder queues chunk numbers, not data', async () => {
    const highWater = 128 * 1024; // above the memory link's 64 KiB low-water mark
    const h = await harness(8, { transfer: { linkHighWaterBytes: highWater } });
    const [origin] = ids(h) as [NodeId];
    const seederNode = h.pool.nodes.get(origin)!;
    const [slow, fast] = seederNode.neighbours() as [NodeId, NodeId];
    expect(fast).toBeDefined();
    const { info, data } = offer(h, origin, 2 * 1024 * 1024);
    await h.pool.clock.advance(200);
    // The seeder's link to `slow` moves 20 KB/s, against 100 MB/s everywhere else.
    h.pool.network.setRate(origin, slow, 20);
    const slowDownload = startDownload(h, slow, info);
    await h.pool.clock.advance(2000); // its hash list (16 KiB) arrives
    expect(slowDownload.progress().state).toBe('data');
    const fastDownload = startDownload(h, fast, info);
    let peak = 0;
    for (let t = 0; t < 400 && fastDownload.progress().state !== 'done'; t++) {
      await h.pool.clock.advance(50);
      peak = Math.max(peak, seederNode.bulkBuffered(slow));
    }
    expect(fastDownload.progress().state).toBe('done');
    const got = (h.holders.get(fast) as MemoryHolder).assembled('file1', data.length);
    expect(equalBytes(got, data)).toBe(true);
    // The slow requester is far behind, and what waits for it at the seeder stays bounded.
    expect(slowDownload.progress().received).toBeLessThan(dataChunkCount(info) / 2);
    expect(peak).toBeLessThanOrEqual(highWater + CHUNK + 1024);
    // Chunks arriving one by one still go out in whole requests of 16, not one per chunk.
    const fastRequests = (h.transfers.get(fast) as FileTransfer).stats.requestsSent;
    expect(fastRequests).toBeLessThanOrEqual(Math.ceil(dataChunkCount(info) / 16) + 8);
    expect((h.transfers.get(origin) as FileTransfer).stats.backpressureWaits).toBeGreaterThan(0);
  });

  it('[FT3] the chunk timeout follows the measured delay: a slow network is not flooded with repeats', async () => {
    // One-way latency 2.5 s: every first answer comes after the initial 4 s timeout.
    const h = await harness(6, { pool: { latencyMs: 2500 } });
    const [origin, downloader] = ids(h) as [NodeId, NodeId];
    const { info, data } = offer(h, origin, 512 * 1024);
    await h.pool.clock.advance(20_000);
    const download = startDownload(h, downloader, info);
    for (let t = 0; t < 600 && download.progress().state !== 'done'; t++) {
      await h.pool.clock.advance(500);
    }
    expect(download.progress().state).toBe('done');
    const got = (h.holders.get(downloader) as MemoryHolder).assembled('file1', data.length);
    expect(equalBytes(got, data)).toBe(true);
    const chunks = dataChunkCount(info);
    const received = (h.transfers.get(downloader) as FileTransfer).stats.chunksReceived;
    // Hash chunks and the first window's repeats aside, each chunk came about once.
    expect(received - chunks).toBeLessThan(chunks / 2);
    expect(download.chunkTimeout()).toBeGreaterThan(5000);
  });

  it('[FT2][FT4] a relay whose cache serves corrupt chunks is passed by: the chunk is asked again of the seeder only', async () => {
    const h = await harness(16);
    const [origin] = ids(h) as [NodeId];
    const { info, data } = offer(h, origin, 128 * 1024);
    await h.pool.clock.advance(200);
    const neighbours = new Set(h.pool.nodes.get(origin)?.neighbours());
    const far = ids(h).find((id) => id !== origin && !neighbours.has(id)) as NodeId;
    // Every relay holds the whole file in its cache, and serves it corrupted.
    const chunks = dataChunkCount(info);
    for (const [id, holder] of h.holders) {
      if (id === origin || id === far) continue;
      for (let i = 0; i < chunks; i++)
        holder.put('file1', i, data.subarray(i * CHUNK, (i + 1) * CHUNK));
      holder.corrupt = true;
    }
    const download = startDownload(h, far, info);
    await h.pool.clock.advance(30_000);
    expect(download.progress().state).toBe('done');
    const got = (h.holders.get(far) as MemoryHolder).assembled('file1', data.length);
    expect(equalBytes(got, data)).toBe(true);
    expect((h.transfers.get(far) as FileTransfer).stats.badChunks).toBeGreaterThan(0);
  });

  it('[FT6] the seeder queues a chunk asked twice once, and drops the oldest past its bound', async () => {
    const h = await harness(6, { transfer: { linkHighWaterBytes: 128 * 1024 } });
    const [origin] = ids(h) as [NodeId];
    const [slow] = h.pool.nodes.get(origin)?.neighbours() as [NodeId];
    const { info } = offer(h, origin, 4 * 1024 * 1024); // 1024 chunks
    await h.pool.clock.advance(200);
    h.pool.network.setRate(origin, slow, 20);
    const requester = h.pool.nodes.get(slow) as PoolNode;
    const seederPath = h.pool.nodes.get(origin)?.position?.path ?? [];
    const ask = (start: number, end: number) =>
      requester.sendTo(
        [{ nodeId: origin, path: seederPath }],
        {
          case: 'fileRequest',
          value: create(FileRequestSchema, {
            fileId: info.fileId,
            requested: [{ start: BigInt(start), end: BigInt(end) }],
          }),
        },
        0,
      );
    const seeder = h.transfers.get(origin) as FileTransfer;
    ask(0, 128);
    ask(0, 128); // asked again (a requester that timed out): queued once
    await h.pool.clock.advance(10);
    expect(seeder.stats.chunksAlreadyQueued).toBeGreaterThan(64);
    // 6 × 128 more: past MAX_QUEUED_PER_REQUESTER, the oldest queued go.
    for (let k = 1; k <= 6; k++) ask(k * 128, (k + 1) * 128);
    await h.pool.clock.advance(10);
    expect(seeder.stats.chunksDroppedStale).toBeGreaterThan(0);
    expect(seeder.stats.chunksServed).toBeLessThan(128);
  });

  it('[FT4] a relay that forwarded a whole file takes its own copy from its cache, not the network', async () => {
    const h = await harness(8);
    const [origin, relay] = ids(h) as [NodeId, NodeId];
    const { info, data } = offer(h, origin, 256 * 1024);
    await h.pool.clock.advance(200);
    const chunks = dataChunkCount(info);
    const holder = h.holders.get(relay) as MemoryHolder;
    for (let i = 0; i < chunks; i++)
      holder.put('file1', i, data.subarray(i * CHUNK, (i + 1) * CHUNK));
    const seeder = h.transfers.get(origin) as FileTransfer;
    const servedBefore = seeder.stats.chunksServed;
    const download = startDownload(h, relay, info);
    await h.pool.clock.advance(5_000);
    expect(download.progress().state).toBe('done');
    expect(equalBytes(holder.assembled('file1', data.length), data)).toBe(true);
    expect(download.localChunks).toBe(chunks);
    // Only the hash list crossed the network.
    expect(seeder.stats.chunksServed - servedBefore).toBeLessThanOrEqual(2);
  });

  it('[FT3] a download with no seeder online fails after noSeederTimeoutMs, keeping what it has', async () => {
    const h = await harness(6);
    const [origin, downloader] = ids(h) as [NodeId, NodeId];
    const { info } = offer(h, origin, 2 * 1024 * 1024);
    await h.pool.clock.advance(200);
    h.pool.network.setRate(origin, downloader, 20); // slow, so the seeder leaves half-way
    const download = startDownload(h, downloader, info);
    await h.pool.clock.advance(5_000);
    h.transfers.get(origin)?.stop();
    h.pool.remove(origin);
    let error: unknown;
    download.done.catch((e: unknown) => (error = e));
    await h.pool.clock.advance(30_000);
    expect(download.progress().state).not.toBe('failed'); // still waiting for a seeder
    await h.pool.clock.advance(40_000);
    expect(download.progress().state).toBe('failed');
    expect((error as { code?: string }).code).toBe('NO_SEEDER');
    const kept = (h.holders.get(downloader) as MemoryHolder).files.get('file1')?.chunks.size ?? 0;
    expect(kept).toBeGreaterThan(0);
  });
});
