/**
 * The files of one pool on this device: the offers seen (rebuilt from the message log), the
 * files it serves whole (its shares, served in place, and finished downloads), downloads and
 * the relay cache. It is the engine's `FileHolder` and `RelayCache` for the pool and what the
 * local API asks about files. Images are offered with a preview and fetched on arrival up to a
 * size; folders are offered under one folder id in as many messages as they need.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type FileHolder,
  type FileTransfer,
  type PoolNode,
  type RelayCache,
  dataChunkCount,
} from '@poolnet/engine';
import {
  type DownloadRecord,
  FileBook,
  type FileEvent,
  type FileState,
  type FileView,
  type FolderView,
  type Offer,
  type PoolOffers,
  fileView,
  folderName,
  folderOffers,
  liveFolder,
  offerOwnFile,
  offerOwnFolder,
  replayLog,
  retractable,
  seedingEvent,
  uploadEvent,
} from '@poolnet/device';
import {
  type FileInfo,
  type PoolMessage,
  FileOfferSchema,
  RetractOfferSchema,
  create,
} from '@poolnet/protocol';
import type { SqliteMessageStore } from '@poolnet/store-sqlite';
import { ChunkCache } from '../files/chunk-cache.js';
import { diskNameChecks } from '../files/folder-paths.js';
import { DaemonError } from './errors.js';
import { type FolderFileResult, type FolderMode, downloadFolder } from './folder-download.js';
import { HeldFiles } from './held-files.js';
import { type FetchOptions, type Fetched, PoolDownloads } from './pool-downloads.js';
import { shareFile, shareFolder, unreadable } from './share-offers.js';
import { UploadMeter } from './upload-meter.js';

export type { FileEvent, FileView, FolderView } from '@poolnet/device';
export type { FolderFileResult, FolderMode } from './folder-download.js';
export type { Fetched } from './pool-downloads.js';

export interface PoolFilesOptions {
  readonly poolId: string;
  readonly selfId: string;
  /** DIR/files/<pool>: held-file records, partial downloads, relay cache. */
  readonly dir: string;
  readonly downloadsDir: string;
  readonly cacheBytes: number;
  readonly store: SqliteMessageStore;
  /** Images others offer up to this many bytes are downloaded when offered; 0: never. */
  readonly autoFetchImageBytes: number;
  onEvent(event: FileEvent): void;
  /** A download ended done, failed or cancelled (one stopped by a shutdown resumes instead). */
  onDownloadEnded(record: DownloadRecord): void;
  log(line: string): void;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export class PoolFiles implements FileHolder, RelayCache {
  /** The offers, file events, images fetched on their own and views (shared with the page). */
  private readonly book: FileBook;
  private readonly offers: PoolOffers;
  private readonly held: HeldFiles;
  private readonly downloads: PoolDownloads;
  private readonly uploads: UploadMeter;
  private cache: ChunkCache | undefined;
  private node: PoolNode | undefined;

  constructor(private readonly options: PoolFilesOptions) {
    this.held = new HeldFiles({
      dir: join(options.dir, 'held'),
      onSeeding: (info, seeding) => options.onEvent(seedingEvent(options.poolId, info, seeding)),
      log: options.log,
    });
    this.downloads = new PoolDownloads({
      poolId: options.poolId,
      dir: options.dir,
      held: this.held,
      onEvent: options.onEvent,
      onDownloadEnded: options.onDownloadEnded,
      onFetched: (info, how) => {
        // FT5: announce that this device now seeds it too.
        if (how.announce !== false) this.announce([info], info.folderId);
      },
    });
    this.uploads = new UploadMeter({
      report: (fileId, totals) => {
        const info = this.held.get(fileId)?.info ?? this.offers.get(fileId)?.info;
        options.onEvent(uploadEvent(options.poolId, fileId, info, totals));
      },
    });
    this.book = new FileBook({
      poolId: options.poolId,
      selfId: options.selfId,
      checks: diskNameChecks,
      side: {
        seedersOf: (fileId) => this.node?.offers.seedersOf(fileId) ?? [],
        have: (fileId) => this.held.has(fileId),
        downloading: (fileId) => this.downloads.isRunning(fileId),
      },
      autoFetchImageBytes: () => options.autoFetchImageBytes,
      // Once attached, on the next turn: a retraction in the same batch as its offer wins.
      defer: (run) => {
        const turn = setImmediate(run);
        return () => clearImmediate(turn);
      },
      canFetch: () => this.downloads.attached,
      fetchImage: (fileId) => this.download(fileId, undefined, { auto: true }),
      dropAutoFetch: (fileId) => {
        if (this.downloads.isAuto(fileId)) void this.downloads.cancel(fileId);
      },
      onEvent: options.onEvent,
      log: options.log,
    });
    this.offers = this.book.offers;
  }

  /** Reads the held-file records and the offers in the message log; opens the relay cache. */
  async load(): Promise<void> {
    await this.held.load();
    // A cache size of 0: this device forwards chunks for others without keeping them.
    this.cache =
      this.options.cacheBytes > 0
        ? await ChunkCache.open(join(this.options.dir, 'cache'), this.options.cacheBytes)
        : undefined;
    // Offers: replay the log (oldest first).
    await replayLog(this.options.store, (message) => this.noteMessage(message, false));
  }

  /** The engine node and its file transfer (a new pair on every new engine node). */
  attach(node: PoolNode, transfer: FileTransfer): void {
    this.node = node;
    this.downloads.attach(transfer);
    void this.resume();
    this.book.fetchImagesSoon();
  }

  /** The node and transfer are stopping: downloads they cancel resume on the next attach. */
  detach(transfer: FileTransfer): void {
    this.downloads.detach(transfer);
    this.node = undefined;
  }

  /** Downloads interrupted by a stop or restart continue with what is missing (FT3). */
  private async resume(): Promise<void> {
    for (const { fileId, target } of await this.downloads.interrupted()) {
      if (!this.offers.live(fileId) || this.downloads.isRunning(fileId) || this.held.has(fileId)) {
        continue;
      }
      this.options.log(`resuming the download of ${fileId}`);
      this.download(fileId, target).catch((err: unknown) =>
        this.options.log(`download ${fileId} failed: ${String(err)}`),
      );
    }
  }

  async close(): Promise<void> {
    this.book.close();
    this.uploads.close();
    await this.held.close();
    await this.downloads.close();
    await this.cache?.close();
  }

  /** A pool message was stored: offers and retractions update the list. */
  noteMessage(message: PoolMessage, announce = true): void {
    this.book.noteMessage(message, announce);
  }

  // ---- the local API's operations

  list(online: ReadonlySet<string>): { files: FileView[]; folders: FolderView[] } {
    return this.book.list(online);
  }

  /** One folder and its files. */
  folder(folderId: string, online: ReadonlySet<string>): { folder: FolderView; files: FileView[] } {
    const found = this.book.folder(folderId, online);
    if (!found) throw new DaemonError('NOT_FOUND', `no folder ${folderId} in this pool`);
    return found;
  }

  /**
   * Offers a file or a folder of this device to the pool; nothing is copied. `folderOnly`: the
   * person asked for a folder (the UI's folder form), so a file there is refused, not offered.
   */
  async share(
    path: string,
    folderOnly = false,
  ): Promise<
    { file: FileView } | { folder: FolderView; skipped: Array<{ path: string; reason: string }> }
  > {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (cause) {
      throw unreadable(path, cause);
    }
    if (folderOnly && !isDirectory) {
      throw new DaemonError('BAD_REQUEST', `${path} is a file, not a folder`);
    }
    const node = this.requireNode();
    if (isDirectory) {
      const shared = await shareFolder(path, this.options.selfId);
      for (const { info, path: at, manifest } of shared.files) {
        await this.held.keep(info, at, manifest.size, manifest.mtimeMs, manifest.chunkHashes);
      }
      const infos = shared.files.map((f) => f.info);
      offerOwnFolder(this.offers, node, infos, shared.folderId, shared.name);
      const folder = this.folder(shared.folderId, new Set()).folder;
      return { folder, skipped: shared.skipped };
    }
    const { info, manifest, image } = await shareFile(path, this.options.selfId);
    await this.held.keep(info, path, manifest.size, manifest.mtimeMs, manifest.chunkHashes);
    const offer = offerOwnFile(this.offers, node, info, image);
    return { file: fileView(offer, this.state(new Set())) };
  }

  /** Withdraws my offer of a file, or of every file of my folder: no longer served here. */
  async retract(id: string): Promise<void> {
    const offers = retractable(this.offers, id, this.options.selfId);
    if (offers === 'not-found') throw new DaemonError('NOT_FOUND', `no file ${id}`);
    if (offers === 'not-mine') {
      throw new DaemonError('BAD_REQUEST', 'only the device that offered a file can retract it');
    }
    const node = this.requireNode();
    for (const offer of offers) {
      const { fileId } = offer.info;
      node.broadcast({ case: 'retractOffer', value: create(RetractOfferSchema, { fileId }) });
      offer.retracted = true;
      this.offerEvent(offer);
      await this.held.forget(fileId);
    }
  }

  /** Downloads an offered file into `targetDir`; resolves with the final path and hash. */
  async download(
    fileId: string,
    targetDir = this.options.downloadsDir,
    how: FetchOptions = {},
  ): Promise<Fetched> {
    const offer = this.offers.live(fileId);
    if (!offer) {
      const folder = this.offers.folder(fileId);
      if (folder && this.offers.filesOf(folder).length > 0) {
        throw new DaemonError(
          'IS_FOLDER',
          `${fileId} is a folder: download it with --all (every file) or --missing (the files this device does not have)`,
        );
      }
      throw new DaemonError('NOT_FOUND', `no file ${fileId} in this pool`);
    }
    const held = await this.heldPath(fileId);
    if (held !== undefined) return { path: held, sha256: hex(offer.info.sha256) };
    // My own file gone from its place is withdrawn: nobody else can have it to send.
    if (!this.offers.live(fileId)) throw new DaemonError('NOT_FOUND', `${fileId} was withdrawn`);
    return this.downloads.fetch(offer.info, targetDir, how);
  }

  /** Cancels a download under way; its partial file is removed. */
  async cancel(fileId: string): Promise<void> {
    if (!(await this.downloads.cancel(fileId))) {
      throw new DaemonError('NOT_FOUND', `no download of ${fileId} under way`);
    }
  }

  /**
   * Downloads the files of a folder into `<targetDir>/<folder name>/<relative path>/`: `all`
   * of them (a file held elsewhere on this device is copied), or the `missing` ones only.
   */
  async downloadFolder(
    folderId: string,
    mode: FolderMode,
    targetDir = this.options.downloadsDir,
  ): Promise<{ folder: FolderView; path: string; files: FolderFileResult[] }> {
    const { folder, entries } = this.requireFolder(folderId);
    const result = await downloadFolder(
      {
        heldPath: (fileId) => this.heldPath(fileId),
        live: (fileId) => this.offers.live(fileId) !== undefined,
        fetch: (info, dir) => this.downloads.fetch(info, dir, { announce: false }),
      },
      { name: folderName(folder), files: entries.map((e) => e.info) },
      mode,
      targetDir,
    );
    // FT5, once for the whole folder rather than a message per file.
    if (result.fetched.length > 0) this.announce(result.fetched, folderId);
    return {
      folder: this.folder(folderId, new Set()).folder,
      path: result.path,
      files: result.files,
    };
  }

  get stats() {
    return {
      cachedBytes: this.cache?.bytes ?? 0,
      cacheHits: this.cache?.hits ?? 0,
      ...(this.downloads.stats ?? {}),
    };
  }

  // ---- FileHolder and RelayCache for the engine

  holds(fileId: string, index: number): boolean {
    const held = this.held.get(fileId);
    if (held) return index >= 0 && index < dataChunkCount(held.info);
    if (this.downloads.holds(fileId, index)) return true;
    return this.cache?.has(fileId, index) === true;
  }

  /** A chunk to serve (the engine reads every chunk it sends through here: it is counted). */
  async read(fileId: string, index: number): Promise<Uint8Array | undefined> {
    const data = await this.readChunk(fileId, index);
    if (data) this.uploads.served(fileId, data.length);
    return data;
  }

  hashList(fileId: string): Uint8Array | undefined {
    return this.held.get(fileId)?.list ?? this.downloads.hashList(fileId);
  }

  put(fileId: string, index: number, data: Uint8Array): void {
    void this.cache?.put(fileId, index, data).catch(() => undefined);
  }

  // ---- helpers

  private async readChunk(fileId: string, index: number): Promise<Uint8Array | undefined> {
    if (this.held.has(fileId)) {
      try {
        return await this.held.read(fileId, index);
      } catch (err) {
        await this.lost(fileId, String(err));
        return undefined;
      }
    }
    try {
      return (await this.downloads.read(fileId, index)) ?? (await this.cache?.get(fileId, index));
    } catch {
      return undefined; // closed or evicted meanwhile: the requester asks elsewhere
    }
  }

  /** A file this device holds whole, for the local API to stream (the UI's full image view). */
  async content(
    fileId: string,
  ): Promise<{ path: string; size: number; name: string; mime: string }> {
    const path = await this.heldPath(fileId);
    const held = this.held.get(fileId);
    if (path === undefined || !held) {
      throw new DaemonError('NOT_FOUND', `this device does not hold ${fileId}`);
    }
    return { path, size: held.size, name: held.info.name, mime: held.info.mime };
  }

  /** Where a held file is, if it is still there unchanged; a changed one is lost. */
  private async heldPath(fileId: string): Promise<string | undefined> {
    if (!this.held.has(fileId)) return undefined;
    const held = await this.held.unchanged(fileId);
    if (held) return held.path;
    await this.lost(fileId, 'moved, deleted or changed');
    return undefined;
  }

  /** A held file moved, vanished or changed: stop serving it and say so (retract). */
  private async lost(fileId: string, why: string): Promise<void> {
    const held = this.held.get(fileId);
    if (!held) return;
    this.options.log(`${held.path} can no longer be served: ${why}`);
    // From its origin this withdraws the offer; from another seeder it withdraws only itself.
    try {
      this.node?.broadcast({
        case: 'retractOffer',
        value: create(RetractOfferSchema, { fileId }),
      });
    } catch {
      // not placed
    }
    const offer = this.offers.live(fileId);
    if (offer && held.info.originNodeId === this.options.selfId) {
      offer.retracted = true;
      this.offerEvent(offer);
    }
    await this.held.forget(fileId);
  }

  /** FT5: this device seeds `infos` now (one message per offer's worth of files). */
  private announce(infos: FileInfo[], folderId: string): void {
    const name = this.offers.folder(folderId)?.name ?? '';
    const offers =
      folderId === ''
        ? [create(FileOfferSchema, { files: infos })]
        : folderOffers(infos, folderId, name);
    for (const value of offers) {
      try {
        this.node?.broadcast({ case: 'fileOffer', value });
      } catch {
        // not placed right now; it is served anyway
      }
    }
  }

  private requireFolder(folderId: string) {
    const found = liveFolder(this.offers, folderId);
    if (!found) throw new DaemonError('NOT_FOUND', `no folder ${folderId} in this pool`);
    return found;
  }

  private state(online: ReadonlySet<string>): FileState {
    return this.book.state(online);
  }

  private offerEvent(offer: Offer): void {
    this.book.offerEvent(offer);
  }

  private requireNode(): PoolNode {
    if (!this.node?.position) throw new DaemonError('NOT_JOINED', 'not connected to this pool yet');
    return this.node;
  }
}
