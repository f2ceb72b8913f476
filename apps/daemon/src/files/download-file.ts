/**
 * A file being downloaded, resumable across restarts and crashes, in
 * `<dir>/.poolnet-partial/<fileId>.part` and `.have` (see partial-files.ts).
 *
 * Crash safety rests on one order: chunk bytes are written to `.part` without a sync; once a
 * batch is full (or a moment after its first chunk) `.part` is synced, and only then are the
 * batch's bits written to `.have` and that synced. So `.have` on disk never claims a chunk
 * whose bytes are not durable: after a crash (or power loss) a reopened download holds
 * exactly the chunks of the synced batches, and the last batch is fetched again.
 *
 * Memory stays flat: chunks go straight to disk, the state is one bit per chunk.
 */
import type { FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ChunkBitmap, ChunkRange } from './chunk-bitmap.js';
import {
  checkChunkData,
  checkChunkIndex,
  checkFileId,
  checkFileName,
  checkPositiveInteger,
  isIndexIn,
} from './checks.js';
import { FileError, toFileError } from './errors.js';
import { moveToFreeName } from './free-name.js';
import {
  type FileManifest,
  HASH_BYTES,
  checkManifest,
  chunkHashOk,
  chunkLength,
  hashOpenFile,
} from './manifest.js';
import {
  HAVE_HEADER_BYTES,
  PARTIAL_DIR,
  openPartial,
  partialPaths,
  removePartial,
} from './partial-files.js';
import { readFully, writeFully } from './positional-io.js';

/** Chunk bytes written between two syncs, by default. */
export const SYNC_BATCH_BYTES = 8 * 1024 * 1024;
/** Longest a written chunk waits for its sync, by default. */
export const SYNC_INTERVAL_MS = 1000;

export interface DownloadFileOptions {
  /** Chunk bytes written between two syncs (default SYNC_BATCH_BYTES). */
  readonly syncBatchBytes?: number;
  /** Milliseconds after which a partly filled batch is synced anyway (default SYNC_INTERVAL_MS). */
  readonly syncIntervalMs?: number;
}

/** Partial files open in this process: two writers of one partial would corrupt its bitmap. */
const openPartials = new Set<string>();

export class DownloadFile {
  /** Chunks of the file. */
  readonly chunkCount: number;
  /** Bits already durable in `.have` (a subset of `bitmap`). */
  private readonly durable: Uint8Array;
  private unsynced: number[] = [];
  private unsyncedBytes = 0;
  private syncing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** A failed sync: the download cannot go on in this process (reopen it). */
  private failure: FileError | undefined;
  private readonly writing = new Map<number, Promise<boolean>>();
  private readonly ops = new Set<Promise<unknown>>();
  private state: 'open' | 'finishing' | 'closed' = 'open';
  private finishing: Promise<string> | undefined;

  private constructor(
    readonly fileId: string,
    readonly manifest: FileManifest,
    private readonly folder: string,
    private readonly part: FileHandle,
    private readonly have: FileHandle,
    private readonly bitmap: ChunkBitmap,
    private readonly syncBatchBytes: number,
    private readonly syncIntervalMs: number,
  ) {
    this.chunkCount = bitmap.count;
    this.durable = bitmap.bytes.slice();
  }

  /**
   * Opens or resumes `<dir>/.poolnet-partial/<fileId>.part` (+ `<fileId>.have`). A partial of
   * another manifest, or a damaged one, is started afresh. `INVALID_ARGUMENT` for a bad id or
   * manifest, or when this partial is already open in this process.
   */
  static async open(
    dir: string,
    fileId: string,
    manifest: FileManifest,
    options: DownloadFileOptions = {},
  ): Promise<DownloadFile> {
    if (typeof dir !== 'string' || dir === '') {
      throw new FileError('INVALID_ARGUMENT', 'dir: not a non-empty string');
    }
    checkFileId(fileId);
    const count = checkManifest(manifest);
    const syncBatchBytes = options.syncBatchBytes ?? SYNC_BATCH_BYTES;
    const syncIntervalMs = options.syncIntervalMs ?? SYNC_INTERVAL_MS;
    checkPositiveInteger(syncBatchBytes, 'syncBatchBytes');
    checkPositiveInteger(syncIntervalMs, 'syncIntervalMs', 2 ** 31 - 1);

    const folder = join(dir, PARTIAL_DIR);
    const lock = resolve(folder, fileId);
    if (openPartials.has(lock)) {
      throw new FileError('INVALID_ARGUMENT', `download ${fileId} is already open in ${dir}`);
    }
    openPartials.add(lock);
    try {
      const opened = await openPartial(folder, fileId, manifest, count);
      return new DownloadFile(
        fileId,
        manifest,
        folder,
        opened.part,
        opened.have,
        opened.bitmap,
        syncBatchBytes,
        syncIntervalMs,
      );
    } catch (err) {
      openPartials.delete(lock);
      throw toFileError(err, `open download ${fileId}`);
    }
  }

  /** Chunks held. */
  get received(): number {
    return this.bitmap.size;
  }

  /** Bytes held. */
  get bytesDone(): number {
    const last = this.chunkCount - 1;
    if (last < 0) return 0;
    const short = this.bitmap.has(last)
      ? this.manifest.chunkSize - chunkLength(this.manifest, last)
      : 0;
    return this.bitmap.size * this.manifest.chunkSize - short;
  }

  /**
   * Whether chunk `index` is held: written and readable. Chunks of the batch not yet synced
   * count too; what a reopened download holds is only ever what was durable. Never throws:
   * relays ask it per request with indexes from the wire, and an index outside the file
   * (or not an integer) is simply not held.
   */
  has(index: number): boolean {
    return isIndexIn(index, this.chunkCount) && this.bitmap.has(index);
  }

  /** Chunk ranges not held, `end` exclusive, ascending. */
  missing(): ChunkRange[] {
    return this.bitmap.missing();
  }

  /**
   * Stores chunk `index`. Verifies the chunk hash (and length) first: false, nothing written,
   * when it does not match. Idempotent for chunks already held or being written. The caller
   * must not change `data` before the promise settles.
   */
  async write(index: number, data: Uint8Array): Promise<boolean> {
    this.assertUsable();
    checkChunkIndex(index, this.chunkCount);
    checkChunkData(data);
    if (!chunkHashOk(this.manifest, index, data)) return false;
    if (this.bitmap.has(index)) return true;
    const running = this.writing.get(index);
    if (running) return running;
    const pending = this.track(this.writeChunk(index, data));
    this.writing.set(index, pending);
    try {
      return await pending;
    } finally {
      this.writing.delete(index);
    }
  }

  /** A held chunk's bytes (this node serves what it has), or undefined if not held. */
  async read(index: number): Promise<Uint8Array | undefined> {
    this.assertUsable();
    checkChunkIndex(index, this.chunkCount);
    if (!this.bitmap.has(index)) return undefined;
    const chunk = Buffer.allocUnsafe(chunkLength(this.manifest, index));
    let read: number;
    try {
      read = await this.track(readFully(this.part, chunk, index * this.manifest.chunkSize));
    } catch (err) {
      throw toFileError(err, `read chunk ${index} of ${this.fileId}`);
    }
    if (read < chunk.length) {
      throw new FileError('IO', `chunk ${index} of ${this.fileId}: partial file is truncated`);
    }
    return chunk;
  }

  /** Makes every chunk written so far durable: syncs `.part`, then records them in `.have`. */
  flush(): Promise<void> {
    const run = this.syncing.then(() => this.syncBatch());
    this.syncing = run.catch(() => undefined);
    return run;
  }

  /**
   * All chunks held: streams the file to check every chunk hash and the whole-file SHA-256,
   * then moves it to `targetDir` under `name` — or "name (1).ext"… if taken — and removes the
   * partial files. Returns the final path.
   *
   * - `HASH_MISMATCH`: the chunks match their hashes but the whole does not match the
   *   manifest's SHA-256 (the offer is inconsistent); the partial is discarded.
   * - `BAD_CHUNK`: bytes on disk no longer match their chunk hash; those chunks are missing
   *   again (see `missing()`) and the download stays open.
   * - `INVALID_ARGUMENT`: chunks are missing, or the name is not a single safe path segment.
   */
  async finish(targetDir: string, name: string): Promise<string> {
    this.assertUsable();
    if (this.state !== 'open') {
      throw new FileError('INVALID_ARGUMENT', `download ${this.fileId} is already finishing`);
    }
    if (typeof targetDir !== 'string' || targetDir === '') {
      throw new FileError('INVALID_ARGUMENT', 'targetDir: not a non-empty string');
    }
    checkFileName(name);
    if (this.received < this.chunkCount) {
      throw new FileError(
        'INVALID_ARGUMENT',
        `download ${this.fileId}: ${this.chunkCount - this.received} chunks still missing`,
      );
    }
    this.state = 'finishing';
    this.finishing = this.finishNow(targetDir, name).finally(() => {
      this.finishing = undefined;
    });
    return this.finishing;
  }

  /** Syncs what was written and closes the files; the download can be reopened. Idempotent. */
  async close(): Promise<void> {
    await this.finishing?.catch(() => undefined);
    if (this.state === 'closed') return;
    this.state = 'closed';
    await this.settle();
    let failure: unknown;
    try {
      await this.flush();
    } catch (err) {
      failure = err;
    }
    await this.closeHandles();
    if (failure !== undefined) throw toFileError(failure, `close download ${this.fileId}`);
  }

  /** Closes and removes the partial files. Idempotent (after `close` too). */
  async discard(): Promise<void> {
    await this.finishing?.catch(() => undefined);
    if (this.state !== 'closed') {
      this.state = 'closed';
      await this.settle();
      this.clearTimer();
      await this.syncing; // a timed sync under way (it never rejects)
      await this.closeHandles();
    }
    await this.removeFiles();
  }

  // ---- internals

  private async writeChunk(index: number, data: Uint8Array): Promise<boolean> {
    try {
      await writeFully(this.part, data, index * this.manifest.chunkSize);
    } catch (err) {
      throw toFileError(err, `write chunk ${index} of ${this.fileId}`);
    }
    this.bitmap.set(index);
    this.unsynced.push(index);
    this.unsyncedBytes += data.length;
    if (this.unsyncedBytes >= this.syncBatchBytes) {
      await this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        // A failure is kept in `this.failure` and thrown by the next call.
        this.flush().catch(() => undefined);
      }, this.syncIntervalMs);
      this.timer.unref();
    }
    return true;
  }

  private async syncBatch(): Promise<void> {
    this.clearTimer();
    if (this.failure) throw this.failure;
    const batch = this.unsynced;
    if (batch.length === 0) return;
    this.unsynced = [];
    this.unsyncedBytes = 0;
    try {
      // Bytes first: every chunk of `batch` finished its write before it joined the batch.
      await this.part.datasync();
      let low = Number.POSITIVE_INFINITY;
      let high = -1;
      for (const index of batch) {
        const at = index >> 3;
        this.durable[at] = (this.durable[at] ?? 0) | (1 << (index & 7));
        low = Math.min(low, at);
        high = Math.max(high, at);
      }
      await writeFully(this.have, this.durable.subarray(low, high + 1), HAVE_HEADER_BYTES + low);
      await this.have.datasync();
    } catch (err) {
      this.failure = toFileError(err, `sync download ${this.fileId}`);
      throw this.failure;
    }
  }

  private async finishNow(targetDir: string, name: string): Promise<string> {
    const { size, chunkSize } = this.manifest;
    try {
      await this.flush();
      const hashes = await hashOpenFile(this.part, size, chunkSize).catch((err: unknown) => {
        throw new FileError('IO', `cannot read back the partial of ${this.fileId}`, {
          cause: err,
        });
      });
      const bad: number[] = [];
      for (let i = 0; i < this.chunkCount; i++) {
        const at = i * HASH_BYTES;
        const got = hashes.chunkHashes.subarray(at, at + HASH_BYTES);
        if (!Buffer.from(got).equals(this.manifest.chunkHashes.subarray(at, at + HASH_BYTES))) {
          bad.push(i);
        }
      }
      if (bad.length > 0) {
        await this.forget(bad);
        throw new FileError('BAD_CHUNK', `${bad.length} chunks of ${this.fileId} are damaged`);
      }
      if (!Buffer.from(hashes.sha256).equals(this.manifest.sha256)) {
        this.state = 'closed';
        await this.settle();
        await this.closeHandles();
        await this.removeFiles();
        throw new FileError('HASH_MISMATCH', `${this.fileId}: the file does not match its hash`);
      }
      this.state = 'closed';
      await this.settle();
      await this.closeHandles();
    } catch (err) {
      if (this.state === 'finishing') this.state = 'open';
      throw toFileError(err, `finish download ${this.fileId}`);
    }
    // From here the download is closed; on failure the partial stays and can be reopened.
    const paths = partialPaths(this.folder, this.fileId);
    const target = await moveToFreeName(paths.part, targetDir, name);
    // The file is in place; a `.have` left behind only makes a later open start afresh.
    await this.removeFiles().catch(() => undefined);
    return target;
  }

  /** Marks `indexes` missing again, in memory and durably. */
  private async forget(indexes: readonly number[]): Promise<void> {
    await this.flush();
    for (const index of indexes) {
      this.bitmap.clear(index);
      const at = index >> 3;
      this.durable[at] = (this.durable[at] ?? 0) & ~(1 << (index & 7));
    }
    try {
      await writeFully(this.have, this.durable, HAVE_HEADER_BYTES);
      await this.have.datasync();
    } catch (err) {
      this.failure = toFileError(err, `sync download ${this.fileId}`);
      throw this.failure;
    }
  }

  private async removeFiles(): Promise<void> {
    try {
      await removePartial(this.folder, this.fileId);
    } catch (err) {
      throw toFileError(err, `remove partial ${this.fileId}`);
    }
  }

  private async closeHandles(): Promise<void> {
    this.clearTimer();
    await Promise.allSettled([this.part.close(), this.have.close()]);
    openPartials.delete(resolve(this.folder, this.fileId));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private track<T>(op: Promise<T>): Promise<T> {
    this.ops.add(op);
    op.then(
      () => this.ops.delete(op),
      () => this.ops.delete(op),
    );
    return op;
  }

  /** Waits for reads and writes under way. */
  private async settle(): Promise<void> {
    while (this.ops.size > 0) await Promise.allSettled([...this.ops]);
  }

  private assertUsable(): void {
    if (this.state === 'closed') {
      throw new FileError('INVALID_ARGUMENT', `download ${this.fileId} is closed`);
    }
    if (this.failure) throw this.failure;
  }
}
