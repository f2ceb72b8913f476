/**
 * A relay's bounded on-disk cache of the chunks it forwarded (FT4), one per pool. Chunks are
 * appended to segment files (1 MiB by default); when the cache is full, the oldest whole
 * segment is deleted. So eviction is first-in first-out, cheap, and leaves no holes to manage.
 *
 * Every operation on a segment runs in that segment's queue: a read or write never meets the
 * segment's deletion or the closing of its handle. The index lives in memory only, and the
 * directory is emptied on open: cached chunks never survive a restart.
 */
import { type FileHandle, lstat, mkdir, open, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkChunkData,
  checkChunkIndex,
  checkFileId,
  checkPositiveInteger,
  isFileId,
  isIndexIn,
} from './checks.js';
import { FileError, errnoOf, toFileError } from './errors.js';
import { readFully, writeFully } from './positional-io.js';

/** Segment size by default (smaller for a cache under 8 MiB, so it holds several). */
export const SEGMENT_BYTES = 1024 * 1024;
/** The file that marks a directory as a chunk cache, so that only such a directory is emptied. */
export const CACHE_MARKER = '.poolnet-chunk-cache';
/** Segment handles kept open at most; others are reopened on use. */
const MAX_OPEN_SEGMENTS = 16;

export interface ChunkCacheOptions {
  /** Bytes per segment file (default: SEGMENT_BYTES, at most an eighth of maxBytes). */
  readonly segmentBytes?: number;
}

interface Segment {
  readonly id: number;
  readonly path: string;
  /** Bytes reserved so far (written or being written). */
  size: number;
  /** Keys of the chunks in this segment. */
  readonly keys: string[];
  handle: FileHandle | undefined;
  /** Whether its file was created (later opens must not truncate it). */
  created: boolean;
  /** Tail of this segment's operation queue. */
  queue: Promise<unknown>;
  evicted: boolean;
}

interface Location {
  readonly segment: Segment;
  readonly offset: number;
  readonly length: number;
}

const keyOf = (fileId: string, index: number): string => `${fileId}:${index}`;

export class ChunkCache {
  private bytesHeld = 0;
  private hitCount = 0;
  private missCount = 0;
  private nextId = 0;
  /** Oldest first; the last one takes appends. */
  private readonly segments: Segment[] = [];
  private readonly index = new Map<string, Location>();
  /** Chunks being written: a second put of one waits for the first. */
  private readonly pending = new Map<string, Promise<void>>();
  /** Segments with an open handle, least recently used first. */
  private readonly openSegments = new Set<Segment>();
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
    readonly segmentBytes: number,
  ) {}

  /**
   * Empties `dir` (delete then recreate) and opens an empty cache there holding at most
   * `maxBytes` of chunks. `INVALID_ARGUMENT` if `dir` exists but is not a directory, or holds
   * files yet is not a chunk cache (no marker file): a wrong path never wipes a user's folder.
   */
  static async open(
    dir: string,
    maxBytes: number,
    options: ChunkCacheOptions = {},
  ): Promise<ChunkCache> {
    if (typeof dir !== 'string' || dir === '') {
      throw new FileError('INVALID_ARGUMENT', 'dir: not a non-empty string');
    }
    checkPositiveInteger(maxBytes, 'maxBytes');
    const segmentBytes =
      options.segmentBytes ?? Math.min(SEGMENT_BYTES, Math.max(1, Math.floor(maxBytes / 8)));
    checkPositiveInteger(segmentBytes, 'segmentBytes', maxBytes);
    try {
      await clear(dir);
    } catch (err) {
      throw toFileError(err, `clear chunk cache ${dir}`);
    }
    return new ChunkCache(dir, maxBytes, segmentBytes);
  }

  /** Bytes of chunks in the cache (written or being written); never above maxBytes. */
  get bytes(): number {
    return this.bytesHeld;
  }

  /** `get` calls that found their chunk. */
  get hits(): number {
    return this.hitCount;
  }

  /** `get` calls that did not. */
  get misses(): number {
    return this.missCount;
  }

  /** Chunks in the cache. */
  get size(): number {
    return this.index.size;
  }

  /**
   * Whether the chunk is cached. Cheap, synchronous and never throws: relays ask it per
   * request with ids and indexes from the wire; one that could not be cached is not.
   */
  has(fileId: string, index: number): boolean {
    return (
      isFileId(fileId) &&
      isIndexIn(index, Number.MAX_SAFE_INTEGER) &&
      this.index.has(keyOf(fileId, index))
    );
  }

  /**
   * Caches a chunk, evicting the oldest whole segments to stay within maxBytes. A chunk
   * already cached is left as it is; one larger than the whole cache is not cached. A disk
   * failure is not an error for a cache (the chunk is just not cached), so the promise only
   * rejects for a bad argument or a closed cache. The caller must not change `data` before
   * the promise settles.
   */
  async put(fileId: string, index: number, data: Uint8Array): Promise<void> {
    this.assertOpen();
    checkFileId(fileId);
    checkChunkIndex(index);
    checkChunkData(data);
    if (data.length === 0) throw new FileError('INVALID_ARGUMENT', 'chunk data: empty');
    const key = keyOf(fileId, index);
    if (this.index.has(key)) return;
    const running = this.pending.get(key);
    if (running) return running;
    if (data.length > this.maxBytes) return;

    const evictions: Promise<unknown>[] = [];
    while (this.bytesHeld + data.length > this.maxBytes && this.segments.length > 0) {
      evictions.push(this.evictOldest());
    }
    let segment = this.segments[this.segments.length - 1];
    if (!segment || (segment.size > 0 && segment.size + data.length > this.segmentBytes)) {
      segment = this.addSegment();
    }
    const location: Location = { segment, offset: segment.size, length: data.length };
    segment.size += data.length;
    segment.keys.push(key);
    this.bytesHeld += data.length;

    const written = this.withHandle(segment, async (handle) => {
      await writeFully(handle, data, location.offset);
    }).then(
      () => {
        if (!segment.evicted) this.index.set(key, location);
      },
      () => undefined,
    );
    const done = Promise.all([written, ...evictions]).then(() => {
      this.pending.delete(key);
    });
    this.pending.set(key, done);
    return done;
  }

  /**
   * The cached chunk, or undefined (counted as a miss). A chunk evicted while being read is
   * still returned: the deletion waits in the segment's queue.
   */
  async get(fileId: string, index: number): Promise<Uint8Array | undefined> {
    this.assertOpen();
    checkFileId(fileId);
    checkChunkIndex(index);
    const location = this.index.get(keyOf(fileId, index));
    if (!location) {
      this.missCount++;
      return undefined;
    }
    const chunk = Buffer.allocUnsafe(location.length);
    let read: number;
    try {
      read = await this.withHandle(location.segment, (handle) =>
        readFully(handle, chunk, location.offset),
      );
    } catch {
      read = -1;
    }
    if (read !== location.length) {
      // Unreadable after all: forget it rather than serve a bad chunk.
      const key = keyOf(fileId, index);
      if (this.index.get(key) === location) this.index.delete(key);
      this.missCount++;
      return undefined;
    }
    this.hitCount++;
    return chunk;
  }

  /** Waits for operations under way, then deletes every segment. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const evictions: Promise<unknown>[] = [];
    while (this.segments.length > 0) evictions.push(this.evictOldest());
    await Promise.all(evictions);
  }

  // ---- internals

  private addSegment(): Segment {
    const id = this.nextId++;
    const segment: Segment = {
      id,
      path: join(this.dir, `segment-${id}.bin`),
      size: 0,
      keys: [],
      handle: undefined,
      created: false,
      queue: Promise.resolve(),
      evicted: false,
    };
    this.segments.push(segment);
    return segment;
  }

  /** Drops the oldest segment from the index now and deletes its file in its queue. */
  private evictOldest(): Promise<unknown> {
    const segment = this.segments.shift();
    if (!segment) return Promise.resolve();
    segment.evicted = true;
    this.bytesHeld -= segment.size;
    for (const key of segment.keys) {
      if (this.index.get(key)?.segment === segment) this.index.delete(key);
    }
    return this.inQueue(segment, async () => {
      await this.closeHandle(segment);
      await rm(segment.path, { force: true });
    }).catch(() => undefined);
  }

  /** Runs `op` after every earlier operation on `segment`. */
  private inQueue<T>(segment: Segment, op: () => Promise<T>): Promise<T> {
    const run = segment.queue.then(op);
    segment.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs `op` in the segment's queue with its handle (the file is created on first use). */
  private withHandle<T>(segment: Segment, op: (handle: FileHandle) => Promise<T>): Promise<T> {
    return this.inQueue(segment, async () => op(await this.handleOf(segment)));
  }

  private async handleOf(segment: Segment): Promise<FileHandle> {
    if (segment.handle) {
      this.openSegments.delete(segment);
      this.openSegments.add(segment);
      return segment.handle;
    }
    // Not append mode: on Linux it ignores the position of a write.
    const handle = await open(segment.path, segment.created ? 'r+' : 'w+');
    segment.created = true;
    segment.handle = handle;
    this.openSegments.add(segment);
    if (this.openSegments.size > MAX_OPEN_SEGMENTS) {
      const [oldest] = this.openSegments;
      if (oldest && oldest !== segment) {
        this.openSegments.delete(oldest);
        // In its queue, so no read or write of it is under way when the handle closes.
        void this.inQueue(oldest, () => this.closeHandle(oldest)).catch(() => undefined);
      }
    }
    return handle;
  }

  private async closeHandle(segment: Segment): Promise<void> {
    const handle = segment.handle;
    segment.handle = undefined;
    this.openSegments.delete(segment);
    await handle?.close().catch(() => undefined);
  }

  private assertOpen(): void {
    if (this.closed) throw new FileError('INVALID_ARGUMENT', `chunk cache ${this.dir} is closed`);
  }
}

/** Deletes `dir` if it is an (empty or marked) chunk cache, then recreates it with its marker. */
async function clear(dir: string): Promise<void> {
  let exists = true;
  try {
    const stats = await lstat(dir);
    if (!stats.isDirectory()) {
      throw new FileError('INVALID_ARGUMENT', `${dir} is not a directory`);
    }
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
    exists = false;
  }
  if (exists) {
    const entries = await readdir(dir);
    if (entries.length > 0 && !entries.includes(CACHE_MARKER)) {
      throw new FileError(
        'INVALID_ARGUMENT',
        `${dir} is not a chunk cache (no ${CACHE_MARKER}); refusing to empty it`,
      );
    }
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, CACHE_MARKER), 'Poolnet relay chunk cache; emptied on every start.\n');
}
