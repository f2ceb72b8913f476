/**
 * A file this device offers, served in place: nothing is copied. Chunks are read through one
 * kept-open handle; whether the file was edited since it was offered is checked against the
 * path (size, mtime, inode) at most once per check interval, so serving stays cheap.
 */
import { type FileHandle, open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { checkChunkIndex, checkPositiveInteger } from './checks.js';
import { FileError, errnoOf, toFileError } from './errors.js';
import { LARGEST_CHUNK_SIZE, chunkCount } from './manifest.js';
import { readFully } from './positional-io.js';

/** How often `read` looks at the path again, by default. */
export const CHECK_INTERVAL_MS = 1000;

export interface SharedFileOptions {
  /** Milliseconds between checks of the path while serving (default CHECK_INTERVAL_MS). */
  readonly checkIntervalMs?: number;
  /** Monotonic milliseconds (default `performance.now`). */
  readonly now?: () => number;
}

/**
 * Whether two modification times are the same, allowing for one stored with whole
 * milliseconds: an edit within the same millisecond that keeps the size is not seen.
 */
const sameMtime = (a: number, b: number): boolean => Math.abs(a - b) < 1;

export class SharedFile {
  /** Chunks of the file. */
  readonly chunkCount: number;
  private lastCheck: number;
  private checking: Promise<void> | undefined;
  /** Set once the file is found changed or gone: every later read throws it. */
  private broken: FileError | undefined;
  private closed = false;
  private readonly reads = new Set<Promise<unknown>>();

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly opened: Stats,
    readonly chunkSize: number,
    private readonly checkIntervalMs: number,
    private readonly now: () => number,
  ) {
    this.chunkCount = chunkCount(opened.size, chunkSize);
    this.lastCheck = now();
  }

  /** Bytes. */
  get size(): number {
    return this.opened.size;
  }

  /**
   * Opens the file offered with `expected` size and mtime. `MISSING` if it is gone, `CHANGED`
   * if its size or mtime differ (it was edited since it was hashed).
   */
  static async open(
    path: string,
    expected: { size: number; mtimeMs: number },
    chunkSize: number,
    options: SharedFileOptions = {},
  ): Promise<SharedFile> {
    if (typeof path !== 'string' || path === '') {
      throw new FileError('INVALID_ARGUMENT', 'path: not a non-empty string');
    }
    checkPositiveInteger(chunkSize, 'chunk size', LARGEST_CHUNK_SIZE);
    chunkCount(expected.size, chunkSize);
    if (typeof expected.mtimeMs !== 'number' || !Number.isFinite(expected.mtimeMs)) {
      throw new FileError('INVALID_ARGUMENT', 'expected.mtimeMs: not a finite number');
    }
    const checkIntervalMs = options.checkIntervalMs ?? CHECK_INTERVAL_MS;
    if (!Number.isFinite(checkIntervalMs) || checkIntervalMs < 0) {
      throw new FileError('INVALID_ARGUMENT', 'checkIntervalMs: not a non-negative number');
    }
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw toFileError(err, `open ${path}`);
    }
    try {
      const opened = await handle.stat();
      if (!opened.isFile()) throw new FileError('INVALID_ARGUMENT', `${path}: not a regular file`);
      if (opened.size !== expected.size || !sameMtime(opened.mtimeMs, expected.mtimeMs)) {
        throw new FileError('CHANGED', `${path} changed since it was offered`);
      }
      const now = options.now ?? (() => performance.now());
      return new SharedFile(path, handle, opened, chunkSize, checkIntervalMs, now);
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw toFileError(err, `open ${path}`);
    }
  }

  /**
   * Chunk `index`, read from the kept-open handle. `CHANGED` (or `MISSING`) once the file is
   * found edited, replaced or removed since it was opened; an edit is noticed within the check
   * interval, and receivers verify every chunk's hash anyway.
   */
  async read(index: number): Promise<Uint8Array> {
    this.assertOpen();
    checkChunkIndex(index, this.chunkCount);
    if (this.now() - this.lastCheck >= this.checkIntervalMs) {
      await this.check();
      this.assertOpen();
    }
    if (this.broken) throw this.broken;
    const start = index * this.chunkSize;
    const length = Math.min(this.chunkSize, this.size - start);
    const pending = this.readChunk(start, length);
    this.reads.add(pending);
    try {
      return await pending;
    } finally {
      this.reads.delete(pending);
    }
  }

  /** Whether the file at the path is still the one opened (checked now). */
  async stillValid(): Promise<boolean> {
    if (this.closed) return false;
    await this.check();
    return this.broken === undefined;
  }

  /** Closes the handle once reads under way are done. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.reads]);
    await this.handle.close().catch(() => undefined);
  }

  private async readChunk(start: number, length: number): Promise<Uint8Array> {
    const chunk = Buffer.allocUnsafe(length);
    let read: number;
    try {
      read = await readFully(this.handle, chunk, start);
    } catch (err) {
      throw toFileError(err, `read ${this.path}`);
    }
    if (read < length) {
      this.broken = new FileError('CHANGED', `${this.path} became shorter`);
      throw this.broken;
    }
    return chunk;
  }

  /** One stat of the path at a time; concurrent callers share it. */
  private check(): Promise<void> {
    this.checking ??= this.statPath().finally(() => {
      this.checking = undefined;
      this.lastCheck = this.now();
    });
    return this.checking;
  }

  private async statPath(): Promise<void> {
    if (this.broken) return;
    let now: Stats;
    try {
      now = await stat(this.path);
    } catch (err) {
      this.broken =
        errnoOf(err) === 'ENOENT'
          ? new FileError('MISSING', `${this.path} was removed`, { cause: err })
          : toFileError(err, `stat ${this.path}`);
      return;
    }
    const o = this.opened;
    if (
      now.size !== o.size ||
      now.mtimeMs !== o.mtimeMs ||
      now.ino !== o.ino ||
      now.dev !== o.dev
    ) {
      this.broken = new FileError('CHANGED', `${this.path} changed since it was opened`);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new FileError('INVALID_ARGUMENT', `${this.path}: closed`);
  }
}
