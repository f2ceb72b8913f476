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
  type FileInfo,
  type PoolMessage,
  FileOfferSchema,
  MediaKind,
  MediaOfferSchema,
  RetractOfferSchema,
  create,
  decodePoolMessage,
  decodeSignedPoolMessage,
} from '@poolnet/protocol';
import type { SqliteMessageStore } from '@poolnet/store-sqlite';
import { ChunkCache } from '../files/chunk-cache.js';
import type { DownloadRecord } from './download-history.js';
import { DaemonError } from './errors.js';
import {
  type FileEvent,
  type FileState,
  type FileView,
  type FolderView,
  fileView,
  folderView,
} from './file-views.js';
import { type FolderFileResult, type FolderMode, downloadFolder } from './folder-download.js';
import { folderOffers } from './folder-offer.js';
import { HeldFiles } from './held-files.js';
import { type FetchOptions, type Fetched, PoolDownloads } from './pool-downloads.js';
import { type Offer, PoolOffers, folderName } from './pool-offers.js';
import { shareFile, shareFolder } from './share-offers.js';
import { UploadMeter } from './upload-meter.js';

export type { FileEvent, FileView, FolderView } from './file-views.js';
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
  private readonly offers = new PoolOffers();
  private readonly held: HeldFiles;
  private readonly downloads: PoolDownloads;
  /** Images waiting to be fetched on their own (once attached, after a retraction could land). */
  private readonly autoQueue = new Set<string>();
  private autoTimer: NodeJS.Immediate | undefined;
  private readonly uploads: UploadMeter;
  private cache: ChunkCache | undefined;
  private node: PoolNode | undefined;
  private closed = false;

  constructor(private readonly options: PoolFilesOptions) {
    this.held = new HeldFiles({
      dir: join(options.dir, 'held'),
      onSeeding: (info, seeding) =>
        options.onEvent({
          type: 'seeding',
          pool: options.poolId,
          file: info.fileId,
          name: info.name,
          folder: info.folderId === '' ? null : info.folderId,
          seeding,
        }),
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
        options.onEvent({
          type: 'upload',
          pool: options.poolId,
          file: fileId,
          name: info?.name ?? '',
          chunks: totals.chunks,
          bytes: totals.bytes,
          size: info ? Number(info.size) : 0,
        });
      },
    });
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
    let page = await this.options.store.page({ limit: 500 });
    const all = [...page.messages];
    while (page.hasOlder && all[0]) {
      page = await this.options.store.page({ before: all[0].id, limit: 500 });
      all.unshift(...page.messages);
    }
    for (const stored of all) {
      try {
        this.noteMessage(decodePoolMessage(decodeSignedPoolMessage(stored.signed).body), false);
      } catch {
        // damaged rows are skipped
      }
    }
  }

  /** The engine node and its file transfer (a new pair on every new engine node). */
  attach(node: PoolNode, transfer: FileTransfer): void {
    this.node = node;
    this.downloads.attach(transfer);
    void this.resume();
    this.fetchImagesSoon();
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
    this.closed = true;
    if (this.autoTimer) clearImmediate(this.autoTimer);
    this.autoQueue.clear();
    this.uploads.close();
    await this.held.close();
    await this.downloads.close();
    await this.cache?.close();
  }

  /** A pool message was stored: offers and retractions update the list. */
  noteMessage(message: PoolMessage, announce = true): void {
    const changes = this.offers.apply(message);
    for (const why of changes.refused) {
      this.options.log(`ignoring part of an offer by ${message.authorNodeId}: ${why}`);
    }
    if (!announce) return;
    for (const offer of changes.added) {
      this.offerEvent(offer);
      this.considerFetching(offer);
    }
    for (const offer of changes.described) this.considerFetching(offer);
    for (const offer of changes.retracted) {
      this.offerEvent(offer);
      // An image fetched on its own is not wanted once withdrawn; a user's download goes on.
      if (this.downloads.isAuto(offer.info.fileId)) void this.downloads.cancel(offer.info.fileId);
    }
  }

  // ---- the local API's operations

  list(online: ReadonlySet<string>): { files: FileView[]; folders: FolderView[] } {
    const state = this.state(online);
    const files: FileView[] = [];
    for (const offer of this.offers.all()) {
      if (!offer.retracted && offer.info.folderId === '') files.push(fileView(offer, state));
    }
    const folders: FolderView[] = [];
    for (const folder of this.offers.folders()) {
      const entries = this.offers.filesOf(folder);
      if (entries.length > 0) folders.push(folderView(folder, entries, state));
    }
    return { files, folders };
  }

  /** One folder and its files. */
  folder(folderId: string, online: ReadonlySet<string>): { folder: FolderView; files: FileView[] } {
    const { folder, entries } = this.requireFolder(folderId);
    const state = this.state(online);
    return {
      folder: folderView(folder, entries, state),
      files: entries.map((offer) => fileView(offer, state)),
    };
  }

  /** Offers a file or a folder of this device to the pool; nothing is copied. */
  async share(
    path: string,
  ): Promise<
    { file: FileView } | { folder: FolderView; skipped: Array<{ path: string; reason: string }> }
  > {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new DaemonError('BAD_REQUEST', `cannot read ${path}: ${why}`, { cause });
    }
    const node = this.requireNode();
    if (isDirectory) {
      const shared = await shareFolder(path, this.options.selfId);
      for (const { info, path: at, manifest } of shared.files) {
        await this.held.keep(info, at, manifest.size, manifest.mtimeMs, manifest.chunkHashes);
      }
      const infos = shared.files.map((f) => f.info);
      this.offers.addOwn(infos, undefined, shared.name);
      for (const value of folderOffers(infos, shared.folderId, shared.name)) {
        node.broadcast({ case: 'fileOffer', value });
      }
      const folder = this.folder(shared.folderId, new Set()).folder;
      return { folder, skipped: shared.skipped };
    }
    const { info, manifest, image } = await shareFile(path, this.options.selfId);
    await this.held.keep(info, path, manifest.size, manifest.mtimeMs, manifest.chunkHashes);
    if (image) {
      this.offers.addOwn([info], { kind: 'image', ...image });
      const { width, height, preview } = image;
      node.broadcast({
        case: 'mediaOffer',
        value: create(MediaOfferSchema, {
          file: info,
          kind: MediaKind.IMAGE,
          width,
          height,
          preview,
        }),
      });
    } else {
      this.offers.addOwn([info]);
      node.broadcast({ case: 'fileOffer', value: create(FileOfferSchema, { files: [info] }) });
    }
    const offer = this.offers.live(info.fileId) as Offer;
    return { file: fileView(offer, this.state(new Set())) };
  }

  /** Withdraws my offer of a file, or of every file of my folder: no longer served here. */
  async retract(id: string): Promise<void> {
    const folder = this.offers.folder(id);
    const single = folder ? undefined : this.offers.live(id);
    const offers = folder ? this.offers.filesOf(folder) : single ? [single] : [];
    const first = offers[0];
    if (!first) throw new DaemonError('NOT_FOUND', `no file ${id}`);
    if ((folder?.origin ?? first.info.originNodeId) !== this.options.selfId) {
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

  /** An image within the limit, offered by another node: fetched once nothing withdrew it. */
  private considerFetching(offer: Offer): void {
    const limit = this.options.autoFetchImageBytes;
    if (limit <= 0 || offer.media?.kind !== 'image' || offer.retracted) return;
    if (offer.info.originNodeId === this.options.selfId || Number(offer.info.size) > limit) return;
    this.autoQueue.add(offer.info.fileId);
    this.fetchImagesSoon();
  }

  /** On the next turn: a retraction delivered in the same batch as its offer wins. */
  private fetchImagesSoon(): void {
    if (this.autoTimer || this.autoQueue.size === 0 || this.closed) return;
    this.autoTimer = setImmediate(() => {
      this.autoTimer = undefined;
      if (!this.downloads.attached || this.closed) return; // attach() asks again
      for (const fileId of [...this.autoQueue]) {
        this.autoQueue.delete(fileId);
        const busy = this.held.has(fileId) || this.downloads.isRunning(fileId);
        if (!this.offers.live(fileId) || busy) continue;
        this.download(fileId, undefined, { auto: true }).catch((err: unknown) =>
          this.options.log(`fetching image ${fileId} failed: ${String(err)}`),
        );
      }
    });
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
    const folder = this.offers.folder(folderId);
    const entries = folder ? this.offers.filesOf(folder) : [];
    if (!folder || entries.length === 0) {
      throw new DaemonError('NOT_FOUND', `no folder ${folderId} in this pool`);
    }
    return { folder, entries };
  }

  private state(online: ReadonlySet<string>): FileState {
    return {
      pool: this.options.poolId,
      selfId: this.options.selfId,
      seedersOnline: ({ info }) => {
        const seeders = new Set(this.node?.offers.seedersOf(info.fileId) ?? []);
        seeders.add(info.originNodeId);
        return [...seeders].filter((s) => online.has(s) || s === this.options.selfId).length;
      },
      have: (fileId) => this.held.has(fileId),
      downloading: (fileId) => this.downloads.isRunning(fileId),
    };
  }

  private offerEvent(offer: Offer): void {
    this.options.onEvent({
      type: 'offer',
      pool: this.options.poolId,
      file: offer.info.fileId,
      name: offer.info.name,
      retracted: offer.retracted,
      kind: offer.media?.kind ?? 'file',
      folder: offer.info.folderId === '' ? null : offer.info.folderId,
    });
  }

  private requireNode(): PoolNode {
    if (!this.node?.position) throw new DaemonError('NOT_JOINED', 'not connected to this pool yet');
    return this.node;
  }
}
