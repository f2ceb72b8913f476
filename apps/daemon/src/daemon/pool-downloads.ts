/**
 * The downloads of one pool: each runs through the engine's `FileTransfer` into a resumable
 * partial file, is moved into its target folder once verified, and is then held (served on).
 * Every download that ends is reported once, done, failed or cancelled; one stopped with its
 * pool or the daemon is neither: its target is kept in `targets/<fileId>` and it goes on after
 * the next attach.
 */
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type DownloadEvent,
  type DownloadRecord,
  type FileEvent,
  downloadEvent,
  downloadRecord,
  followDownload,
} from '@poolnet/device';
import { type DownloadSink, type FileTransfer, dataChunkCount } from '@poolnet/engine';
import type { FileInfo } from '@poolnet/protocol';
import { DownloadFile } from '../files/download-file.js';
import { DaemonError, isDaemonError } from './errors.js';
import type { HeldFiles } from './held-files.js';

export interface Fetched {
  readonly path: string;
  /** Hex. */
  readonly sha256: string;
}

export interface FetchOptions {
  /** Started by the daemon itself (an image within the auto-fetch limit). */
  readonly auto?: boolean;
  /** Announce the finished file as seeded (FT5); a folder download announces once at its end. */
  readonly announce?: boolean;
}

export interface PoolDownloadsOptions {
  readonly poolId: string;
  /** DIR/files/<pool>: `partial/` and `targets/` go there. */
  readonly dir: string;
  readonly held: HeldFiles;
  onEvent(event: FileEvent): void;
  onDownloadEnded(record: DownloadRecord): void;
  /** Verified, in place and held. */
  onFetched(info: FileInfo, options: FetchOptions): void;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class PoolDownloads {
  private readonly partial = new Map<string, DownloadFile>();
  private readonly lists = new Map<string, Uint8Array>();
  private readonly running = new Map<string, { work: Promise<Fetched>; auto: boolean }>();
  /** Downloads cancelled (by the user, or a withdrawal), until their end is reported. */
  private readonly cancelling = new Set<string>();
  private transfer: FileTransfer | undefined;
  private closed = false;

  constructor(private readonly options: PoolDownloadsOptions) {}

  attach(transfer: FileTransfer): void {
    this.transfer = transfer;
  }

  /** The transfer stops: what it cancels is interrupted, not failed. */
  detach(transfer: FileTransfer): void {
    if (this.transfer === transfer) this.transfer = undefined;
  }

  get attached(): boolean {
    return this.transfer !== undefined;
  }

  get stats() {
    return this.transfer?.stats;
  }

  isRunning(fileId: string): boolean {
    return this.running.has(fileId);
  }

  isAuto(fileId: string): boolean {
    return this.running.get(fileId)?.auto === true;
  }

  /** Downloads stopped while under way, with the folder they were going to. */
  async interrupted(): Promise<Array<{ fileId: string; target: string }>> {
    let names: string[];
    try {
      names = await readdir(join(this.options.dir, 'partial', '.poolnet-partial'));
    } catch {
      return [];
    }
    const out: Array<{ fileId: string; target: string }> = [];
    for (const name of names) {
      if (!name.endsWith('.part')) continue;
      const fileId = name.slice(0, -5);
      // A failed one has no target kept: it waits for the user to ask again.
      const target = await readFile(this.targetFile(fileId), 'utf8').catch(() => '');
      if (target !== '') out.push({ fileId, target });
    }
    return out;
  }

  /** Runs (or joins) the transfer of `info` into `targetDir`, and reports how it ended. */
  fetch(info: FileInfo, targetDir: string, how: FetchOptions = {}): Promise<Fetched> {
    const fileId = info.fileId;
    const running = this.running.get(fileId);
    if (running) return running.work;
    const transfer = this.transfer;
    if (!transfer) throw new DaemonError('NOT_JOINED', 'not connected to this pool yet');
    const startedAt = Date.now();
    const targetFile = this.targetFile(fileId);
    const event = (fields: Partial<DownloadEvent>) =>
      this.options.onEvent(downloadEvent(this.options.poolId, info, fields));
    const ended = (state: DownloadRecord['state'], result?: Fetched, error?: string) =>
      this.options.onDownloadEnded(
        downloadRecord(this.options.poolId, info, {
          state,
          path: result?.path ?? null,
          sha256: result?.sha256 ?? null,
          error: error ?? null,
          startedAt,
          auto: how.auto === true,
        }),
      );

    const work = (async (): Promise<Fetched> => {
      await mkdir(dirname(targetFile), { recursive: true, mode: 0o700 });
      await writeFile(targetFile, targetDir, { mode: 0o600 });
      const download = transfer.download(info, (i, list) => this.openSink(i, list));
      await followDownload(download, event);
      return this.finish(info, targetDir);
    })();

    const outcome = work.then(
      (result) => {
        void rm(targetFile, { force: true });
        this.running.delete(fileId);
        this.cancelling.delete(fileId);
        event({
          received: dataChunkCount(info),
          bytes: Number(info.size),
          state: 'done',
          path: result.path,
        });
        ended('done', result);
        this.options.onFetched(info, how);
        return result;
      },
      (err: unknown) => {
        this.running.delete(fileId);
        const error = messageOf(err);
        if (this.cancelling.delete(fileId)) {
          void rm(targetFile, { force: true });
          event({ state: 'cancelled', error });
          ended('cancelled', undefined, error);
          void this.dropPartial(fileId);
          throw new DaemonError('CANCELLED', `the download of ${info.name} was cancelled`, {
            cause: err,
          });
        }
        if (this.closed || this.transfer !== transfer) {
          // Stopped with the pool or the daemon: it goes on after the next attach.
          event({ state: 'failed', error: 'interrupted' });
        } else {
          // The partial stays (asking again goes on from it), but not the target: a failed
          // download is not resumed on its own after a restart.
          void rm(targetFile, { force: true });
          event({ state: 'failed', error });
          ended('failed', undefined, error);
        }
        if (isDaemonError(err)) throw err;
        throw new DaemonError('DOWNLOAD_FAILED', `the download of ${info.name} failed: ${error}`, {
          cause: err,
        });
      },
    );
    this.running.set(fileId, { work: outcome, auto: how.auto === true });
    return outcome;
  }

  /** Cancels a running download and waits for its end; false when none runs. */
  async cancel(fileId: string): Promise<boolean> {
    const running = this.running.get(fileId);
    if (!running) return false;
    this.cancelling.add(fileId);
    this.transfer?.downloadOf(fileId)?.cancel('cancelled');
    await running.work.catch(() => undefined);
    return true;
  }

  // ---- what a relay or a second downloader may read of a download under way

  holds(fileId: string, index: number): boolean {
    return this.partial.get(fileId)?.has(index) === true;
  }

  async read(fileId: string, index: number): Promise<Uint8Array | undefined> {
    const partial = this.partial.get(fileId);
    return partial?.has(index) ? partial.read(index) : undefined;
  }

  hashList(fileId: string): Uint8Array | undefined {
    return this.lists.get(fileId);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const file of this.partial.values()) await file.close();
  }

  // ---- internals

  /** Moves the verified partial into `targetDir` and holds it. */
  private async finish(info: FileInfo, targetDir: string): Promise<Fetched> {
    const fileId = info.fileId;
    const partial = this.partial.get(fileId);
    if (!partial) throw new DaemonError('INTERNAL', 'the download has no partial file');
    try {
      await mkdir(targetDir, { recursive: true });
    } catch (cause) {
      throw new DaemonError('BAD_REQUEST', `cannot save into ${targetDir}: ${messageOf(cause)}`, {
        cause,
      });
    }
    const path = await partial.finish(targetDir, info.name);
    this.partial.delete(fileId);
    const list = this.lists.get(fileId) as Uint8Array;
    const st = await stat(path);
    await this.options.held.keep(info, path, st.size, st.mtimeMs, list);
    this.lists.delete(fileId);
    return { path, sha256: hex(info.sha256) };
  }

  private async openSink(info: FileInfo, list: Uint8Array): Promise<DownloadSink> {
    this.lists.set(info.fileId, list);
    let file = this.partial.get(info.fileId);
    if (!file) {
      file = await DownloadFile.open(join(this.options.dir, 'partial'), info.fileId, {
        size: Number(info.size),
        chunkSize: info.chunkSize,
        sha256: info.sha256,
        chunkHashes: list,
      });
      this.partial.set(info.fileId, file);
    }
    const sink = file;
    return {
      has: (i) => sink.has(i),
      missing: () => sink.missing(),
      write: (i, data) => sink.write(i, data),
    };
  }

  private async dropPartial(fileId: string): Promise<void> {
    const partial = this.partial.get(fileId);
    this.partial.delete(fileId);
    this.lists.delete(fileId);
    await partial?.discard().catch(() => undefined);
  }

  /** Where the target folder of a download under way is kept, for a resume after a restart. */
  private targetFile(fileId: string): string {
    return join(this.options.dir, 'targets', fileId);
  }
}
