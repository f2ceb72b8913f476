/**
 * The files of one pool in the page: the offers (rebuilt from the message log), the files it
 * serves whole (`HeldFiles`), downloads into OPFS (`OpfsDownload`) and a small relay cache.
 * It is the engine's `FileHolder` and `RelayCache` for the pool, and what the backend asks
 * about files. Events and download records take the daemon's shapes.
 */
import {
  type DownloadEvent,
  FileBook,
  type FileState,
  type Offer,
  type PoolOffers,
  downloadEvent,
  downloadRecord,
  fileView,
  followDownload,
  offerOwnFile,
  offerOwnFolder,
  protocolNameChecks,
  replayLog,
  retractable,
  seedingEvent,
  uploadEvent,
} from '@poolnet/device';
import {
  type FileHolder,
  type FileTransfer,
  type MessageStore,
  type PoolNode,
  type RelayCache,
  dataChunkCount,
} from '@poolnet/engine';
import {
  type FileInfo,
  type PoolMessage,
  FileInfoSchema,
  FileOfferSchema,
  RetractOfferSchema,
  create,
} from '@poolnet/protocol';
import type { RecordStore } from '@poolnet/store-browser';
import {
  BackendError,
  type DaemonEvent,
  type DownloadRecord,
  type FileView,
  type FolderFile,
  type FolderView,
} from '../api/backend.js';
import { folderEntries } from './folder-entries.js';
import { type FileHashes, hashBlob, toHex } from './hash-file.js';
import { HeldFiles } from './held-files.js';
import { describeImage } from './image-preview.js';
import { OpfsDownload } from './opfs-download.js';
import { directory } from './opfs.js';
import { PartialDownloads } from './partial-downloads.js';
import { MemoryRelayCache } from './relay-cache.js';

export interface PoolFilesOptions {
  readonly poolId: string;
  readonly selfId: string;
  readonly records: RecordStore;
  readonly cacheBytes: number;
  /** Images others offer up to this many bytes are fetched on arrival; 0: never. */
  autoFetchImageBytes(): number;
  onEvent(event: DaemonEvent): void;
  onDownloadEnded(record: DownloadRecord): void;
  log(line: string): void;
}

interface Running {
  readonly work: Promise<{ path: string; sha256: string }>;
  sink: OpfsDownload | undefined;
  cancelled: boolean;
  /** Started by the page itself (an image within the auto-fetch limit). */
  readonly auto: boolean;
}

/** Upload events at most this often per file. */
const UPLOAD_EVENT_MS = 250;

export class BrowserPoolFiles implements FileHolder, RelayCache {
  /** The offers, file events, images fetched on their own and views (shared with the daemon). */
  private readonly book: FileBook;
  private readonly offers: PoolOffers;
  private held!: HeldFiles;
  private partials!: PartialDownloads;
  private readonly running = new Map<string, Running>();
  readonly cache: MemoryRelayCache;
  private node: PoolNode | undefined;
  private transfer: FileTransfer | undefined;
  private readonly served = new Map<string, { chunks: number; bytes: number }>();
  private uploadTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly dirtyUploads = new Set<string>();
  private closed = false;
  /** A download's partial file being let go of: the next one of that file waits for it. */
  private readonly settling = new Map<string, Promise<void>>();

  constructor(private readonly options: PoolFilesOptions) {
    this.cache = new MemoryRelayCache(options.cacheBytes);
    this.book = new FileBook({
      poolId: options.poolId,
      selfId: options.selfId,
      // The page saves files under their ids but downloads them under their names.
      checks: protocolNameChecks,
      side: {
        seedersOf: (fileId) => this.node?.offers.seedersOf(fileId) ?? [],
        have: (fileId) => this.held.has(fileId),
        downloading: (fileId) => this.running.has(fileId),
      },
      autoFetchImageBytes: () => options.autoFetchImageBytes(),
      // Next turn: a withdrawal in the same batch wins.
      defer: (run) => {
        const turn = setTimeout(run, 0);
        return () => clearTimeout(turn);
      },
      canFetch: () => this.transfer !== undefined,
      fetchImage: (fileId) => this.download(fileId, true),
      dropAutoFetch: (fileId) => {
        if (this.running.get(fileId)?.auto) void this.cancel(fileId).catch(() => undefined);
      },
      onEvent: (event) => options.onEvent(event),
      log: options.log,
    });
    this.offers = this.book.offers;
  }

  /** Opens the pool's OPFS folders, the held files and the offers in the message log. */
  async load(log: MessageStore): Promise<void> {
    const poolDir = ['poolnet', encodeURIComponent(this.options.poolId)];
    this.partials = await PartialDownloads.open(
      this.options.records,
      this.options.poolId,
      [...poolDir, 'partial'],
      await directory(...poolDir, 'partial'),
    );
    this.held = new HeldFiles(
      this.options.records,
      this.options.poolId,
      await directory(...poolDir, 'held'),
      (info, seeding) => this.options.onEvent(seedingEvent(this.options.poolId, info, seeding)),
      this.options.log,
    );
    await this.held.load();
    await replayLog(log, (message) => this.noteMessage(message, false));
  }

  attach(node: PoolNode, transfer: FileTransfer): void {
    this.node = node;
    this.transfer = transfer;
    void this.resume();
    this.book.fetchImagesSoon();
  }

  /** Downloads under way when the page was closed or reloaded go on by themselves. */
  private async resume(): Promise<void> {
    let resumable: Awaited<ReturnType<PartialDownloads['resumable']>>;
    try {
      resumable = await this.partials.resumable();
    } catch (err) {
      this.options.log(`cannot read the downloads under way: ${String(err)}`);
      return;
    }
    for (const { fileId, record } of resumable) {
      if (!this.offers.live(fileId) || this.running.has(fileId) || this.held.has(fileId)) continue;
      this.options.log(`resuming the download of ${fileId}`);
      this.download(fileId, record.auto).catch((err: unknown) =>
        this.options.log(`download ${fileId} failed: ${String(err)}`),
      );
    }
  }

  detach(transfer: FileTransfer): void {
    if (this.transfer !== transfer) return;
    this.transfer = undefined;
    this.node = undefined;
  }

  close(): void {
    this.closed = true;
    this.book.close();
    clearTimeout(this.uploadTimer);
    for (const fileId of this.running.keys()) this.transfer?.downloadOf(fileId)?.cancel('stopped');
  }

  noteMessage(message: PoolMessage, announce = true): void {
    this.book.noteMessage(message, announce);
  }

  // ---- what the backend asks

  list(online: ReadonlySet<string>): { files: FileView[]; folders: FolderView[] } {
    return this.book.list(online);
  }

  folder(folderId: string, online: ReadonlySet<string>): { folder: FolderView; files: FileView[] } {
    const found = this.book.folder(folderId, online);
    if (!found) throw new BackendError('NOT_FOUND', `no folder ${folderId} in this pool`, 404);
    return found;
  }

  /** Offers files picked in the page: hashed here (streaming), served from the page. */
  async share(files: readonly File[]): Promise<FileView[]> {
    const node = this.requireNode();
    const infos: FileInfo[] = [];
    for (const file of files) {
      if (!(file instanceof Blob)) throw new BackendError('BAD_REQUEST', 'not a file', 400);
      const hashes = await hashBlob(file);
      const info = this.pickedInfo(file, hashes, safeName(file.name), '', '');
      const image = await describeImage(file).catch(() => undefined);
      if (image) info.mime = image.mime;
      await this.held.keepPicked(info, hashes.chunkHashes, file);
      offerOwnFile(this.offers, node, info, image);
      infos.push(info);
    }
    const state = this.state(new Set());
    return infos.map((info) => fileView(this.offers.live(info.fileId) as Offer, state));
  }

  /**
   * Offers the files of one folder picked or dropped in the page as the daemon offers a folder
   * on disk: one new folder id, each file with its directory inside the folder, in as many
   * messages as the limits need. Each is held as a single share is (served from the picked
   * `File`, copied into OPFS). A file whose name or path the wire refuses, or that cannot be
   * read, is left out and reported.
   */
  async shareFolder(
    files: readonly FolderFile[],
  ): Promise<{ folder: FolderView; skipped: Array<{ path: string; reason: string }> }> {
    const node = this.requireNode();
    const { name, entries, skipped } = folderEntries(files);
    const folderId = newId();
    const held: Array<{ info: FileInfo; list: Uint8Array; file: File }> = [];
    for (const entry of entries) {
      try {
        const hashes = await hashBlob(entry.file);
        const info = this.pickedInfo(entry.file, hashes, entry.name, folderId, entry.relativePath);
        held.push({ info, list: hashes.chunkHashes, file: entry.file });
      } catch (err) {
        skipped.push({ path: entry.path, reason: `unreadable: ${String(err)}` });
      }
    }
    if (held.length === 0) {
      throw new BackendError('BAD_REQUEST', `no file of ${name} can be offered`, 400);
    }
    for (const { info, list, file } of held) await this.held.keepPicked(info, list, file);
    const infos = held.map((h) => h.info);
    offerOwnFolder(this.offers, node, infos, folderId, name);
    return { folder: this.folder(folderId, new Set()).folder, skipped };
  }

  async retract(id: string): Promise<void> {
    const offers = retractable(this.offers, id, this.options.selfId);
    if (offers === 'not-found') throw new BackendError('NOT_FOUND', `no file ${id}`, 404);
    if (offers === 'not-mine') {
      throw new BackendError(
        'BAD_REQUEST',
        'only the device that offered a file can retract it',
        400,
      );
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

  /** Downloads an offered file into OPFS; resolves once its whole SHA-256 is checked. */
  download(fileId: string, auto = false): Promise<{ path: string; sha256: string }> {
    const offer = this.offers.live(fileId);
    if (!offer) {
      const folder = this.offers.folder(fileId);
      if (folder && this.offers.filesOf(folder).length > 0) {
        return Promise.reject(new BackendError('IS_FOLDER', `${fileId} is a folder`, 400));
      }
      return Promise.reject(new BackendError('NOT_FOUND', `no file ${fileId} in this pool`, 404));
    }
    const info = offer.info;
    if (this.held.has(fileId)) {
      return Promise.resolve({ path: pathOf(info), sha256: toHex(info.sha256) });
    }
    const running = this.running.get(fileId);
    if (running) return running.work;
    const transfer = this.transfer;
    if (!transfer) {
      return Promise.reject(new BackendError('NOT_JOINED', 'not connected to this pool yet', 409));
    }
    const startedAt = Date.now();
    const event = (fields: Partial<DownloadEvent>) =>
      this.options.onEvent(downloadEvent(this.options.poolId, info, fields));
    const ended = (state: DownloadRecord['state'], sha256: string | null, error: string | null) =>
      this.options.onDownloadEnded(
        downloadRecord(this.options.poolId, info, {
          state,
          path: state === 'done' ? pathOf(info) : null,
          sha256,
          error,
          startedAt,
          auto,
        }),
      );
    const entry: Running = { work: undefined as never, sink: undefined, cancelled: false, auto };
    const work = (async () => {
      await this.settling.get(fileId);
      const record = await this.partials.begin(info, auto, startedAt);
      if (entry.cancelled) throw new BackendError('CANCELLED', 'cancelled before it started', 409);
      const download = transfer.download(info, async (i, list) => {
        entry.sink ??= await OpfsDownload.open(this.partials.place(fileId), record, i, list);
        return entry.sink;
      });
      await followDownload(download, event);
      const sink = entry.sink;
      if (!sink) throw new BackendError('INTERNAL', 'the download has no sink');
      const file = await sink.finish(await this.heldDir());
      await this.held.keepDownloaded(info, sink.hashList, file);
      return { path: pathOf(info), sha256: toHex(info.sha256) };
    })().then(
      (result) => {
        this.running.delete(fileId);
        // Recorded first: a page reading the history on the event finds it there.
        ended('done', result.sha256, null);
        event({
          received: dataChunkCount(info),
          bytes: Number(info.size),
          state: 'done',
          path: result.path,
        });
        // FT5: this page seeds it now too.
        try {
          this.node?.broadcast({
            case: 'fileOffer',
            value: create(FileOfferSchema, { files: [info] }),
          });
        } catch {
          // not placed right now; it is served anyway
        }
        return result;
      },
      (err: unknown) => {
        this.running.delete(fileId);
        const error = err instanceof Error ? err.message : String(err);
        const sink = entry.sink;
        if (entry.cancelled) {
          ended('cancelled', null, error);
          event({ state: 'cancelled', error });
          this.settle(fileId, sink ? sink.discard() : this.partials.drop(fileId));
          throw new BackendError('CANCELLED', `the download of ${info.name} was cancelled`, 409);
        }
        if (this.closed || this.transfer !== transfer) {
          // Stopped with the pool or its node: it goes on by itself at the next start.
          event({ state: 'failed', error: 'interrupted' });
          if (sink) this.settle(fileId, sink.suspend(true));
          throw new BackendError('DOWNLOAD_FAILED', `the download of ${info.name} stopped`, 502);
        }
        // What is on disk stays (asking again goes on from it), but not by itself.
        this.settle(fileId, sink ? sink.suspend(false) : this.partials.stopResuming(fileId));
        ended('failed', null, error);
        event({ state: 'failed', error });
        if (err instanceof BackendError) throw err;
        throw new BackendError(
          'DOWNLOAD_FAILED',
          `the download of ${info.name} failed: ${error}`,
          502,
        );
      },
    );
    (entry as { work: Promise<{ path: string; sha256: string }> }).work = work;
    this.running.set(fileId, entry);
    return work;
  }

  async cancel(fileId: string): Promise<void> {
    const running = this.running.get(fileId);
    if (!running) throw new BackendError('NOT_FOUND', `no download of ${fileId} under way`, 404);
    running.cancelled = true;
    this.transfer?.downloadOf(fileId)?.cancel('cancelled');
    await running.work.catch(() => undefined);
  }

  /** The bytes of a file this page holds whole. */
  blob(fileId: string): Blob {
    const held = this.held.get(fileId);
    if (!held) throw new BackendError('NOT_FOUND', `this device does not hold ${fileId}`, 404);
    return held.blob;
  }

  get stats() {
    return {
      cachedBytes: this.cache.bytes,
      cacheHits: this.cache.hits,
      ...(this.transfer?.stats ?? {}),
    };
  }

  // ---- FileHolder and RelayCache

  holds(fileId: string, index: number): boolean {
    if (this.held.holds(fileId, index)) return true;
    if (this.running.get(fileId)?.sink?.has(index)) return true;
    return this.cache.has(fileId, index);
  }

  async read(fileId: string, index: number): Promise<Uint8Array | undefined> {
    let data: Uint8Array | undefined;
    try {
      data =
        (await this.held.read(fileId, index)) ??
        (await this.running.get(fileId)?.sink?.read(index)) ??
        this.cache.get(fileId, index);
    } catch {
      return undefined; // gone meanwhile: the requester asks elsewhere
    }
    if (data) this.countServed(fileId, data.length);
    return data;
  }

  hashList(fileId: string): Uint8Array | undefined {
    return this.held.get(fileId)?.list ?? this.running.get(fileId)?.sink?.hashList;
  }

  put(fileId: string, index: number, data: Uint8Array): void {
    this.cache.put(fileId, index, data);
  }

  // ---- helpers

  private settle(fileId: string, work: Promise<void>): void {
    const done = work.catch((err: unknown) =>
      this.options.log(`cannot put the partial file of ${fileId} away: ${String(err)}`),
    );
    this.settling.set(fileId, done);
    void done.then(() => {
      if (this.settling.get(fileId) === done) this.settling.delete(fileId);
    });
  }

  private heldDir(): Promise<FileSystemDirectoryHandle> {
    return directory('poolnet', encodeURIComponent(this.options.poolId), 'held');
  }

  private countServed(fileId: string, bytes: number): void {
    const totals = this.served.get(fileId) ?? { chunks: 0, bytes: 0 };
    totals.chunks++;
    totals.bytes += bytes;
    this.served.set(fileId, totals);
    this.dirtyUploads.add(fileId);
    this.uploadTimer ??= setTimeout(() => {
      this.uploadTimer = undefined;
      for (const id of this.dirtyUploads) {
        const t = this.served.get(id);
        const info = this.held.get(id)?.info ?? this.offers.get(id)?.info;
        if (!t) continue;
        this.options.onEvent(uploadEvent(this.options.poolId, id, info, t));
      }
      this.dirtyUploads.clear();
    }, UPLOAD_EVENT_MS);
  }

  private state(online: ReadonlySet<string>): FileState {
    return this.book.state(online);
  }

  private offerEvent(offer: Offer): void {
    this.book.offerEvent(offer);
  }

  /** The offer of a file picked in the page (in a folder when `folderId` is set). */
  private pickedInfo(
    file: File,
    hashes: FileHashes,
    name: string,
    folderId: string,
    relativePath: string,
  ): FileInfo {
    return create(FileInfoSchema, {
      fileId: newId(),
      name,
      size: BigInt(hashes.size),
      originNodeId: this.options.selfId,
      sha256: hashes.sha256,
      chunkSize: hashes.chunkSize,
      chunkHashesRoot: hashes.root,
      mime: file.type.slice(0, 255),
      folderId,
      relativePath,
    });
  }

  private requireNode(): PoolNode {
    if (!this.node?.position)
      throw new BackendError('NOT_JOINED', 'not connected to this pool yet', 409);
    return this.node;
  }
}

/** Where a held file is, as the page shows it: it has no path, only its name in OPFS. */
const pathOf = (info: FileInfo): string => `opfs:${info.name}`;

/** A new file id (never starting with '-', like the daemon's). */
function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  const id = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
  return id.startsWith('-') ? `_${id.slice(1)}` : id;
}

/** A picked file's name as an offer may carry it (one safe segment). */
function safeName(name: string): string {
  const cleaned = name.replace(/[/\\\u0000-\u001f]/g, '_').trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned;
}
