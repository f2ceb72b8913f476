/**
 * The files of one pool in the page: the offers (rebuilt from the message log), the files it
 * serves whole (`HeldFiles`), downloads into OPFS (`OpfsDownload`) and a small relay cache.
 * It is the engine's `FileHolder` and `RelayCache` for the pool, and what the backend asks
 * about files. Events and download records take the daemon's shapes.
 */
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
  MediaKind,
  MediaOfferSchema,
  RetractOfferSchema,
  create,
} from '@poolnet/protocol';
import type { RecordStore } from '@poolnet/store-browser';
import {
  BackendError,
  type DaemonEvent,
  type DownloadRecord,
  type FileView,
  type FolderView,
} from '../api/backend.js';
import { type FileState, fileView, folderView } from './file-views.js';
import { hashBlob, toHex } from './hash-file.js';
import { HeldFiles } from './held-files.js';
import { describeImage } from './image-preview.js';
import { type Offer, PoolOffers } from './offers.js';
import { OpfsDownload } from './opfs-download.js';
import { directory } from './opfs.js';
import { decodeStored } from './pool-runtime.js';
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
  private readonly offers = new PoolOffers();
  private held!: HeldFiles;
  private partialDir!: FileSystemDirectoryHandle;
  private readonly running = new Map<string, Running>();
  readonly cache: MemoryRelayCache;
  private node: PoolNode | undefined;
  private transfer: FileTransfer | undefined;
  private readonly served = new Map<string, { chunks: number; bytes: number }>();
  private uploadTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly dirtyUploads = new Set<string>();
  /** Images waiting to be fetched on their own (next turn: a withdrawal in the same batch wins). */
  private readonly autoQueue = new Set<string>();
  private autoTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly options: PoolFilesOptions) {
    this.cache = new MemoryRelayCache(options.cacheBytes);
  }

  /** Opens the pool's OPFS folders, the held files and the offers in the message log. */
  async load(log: MessageStore): Promise<void> {
    const poolDir = ['poolnet', encodeURIComponent(this.options.poolId)];
    this.partialDir = await directory(...poolDir, 'partial');
    this.held = new HeldFiles(
      this.options.records,
      this.options.poolId,
      await directory(...poolDir, 'held'),
      (info, seeding) =>
        this.options.onEvent({
          type: 'seeding',
          pool: this.options.poolId,
          file: info.fileId,
          name: info.name,
          folder: info.folderId === '' ? null : info.folderId,
          seeding,
        }),
      this.options.log,
    );
    await this.held.load();
    let page = await log.page({ limit: 500 });
    const all = [...page.messages];
    while (page.hasOlder && all[0]) {
      page = await log.page({ before: all[0].id, limit: 500 });
      all.unshift(...page.messages);
    }
    for (const stored of all) {
      const message = decodeStored(stored);
      if (message) this.noteMessage(message, false);
    }
  }

  attach(node: PoolNode, transfer: FileTransfer): void {
    this.node = node;
    this.transfer = transfer;
    this.fetchImagesSoon();
  }

  detach(transfer: FileTransfer): void {
    if (this.transfer !== transfer) return;
    this.transfer = undefined;
    this.node = undefined;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.uploadTimer);
    clearTimeout(this.autoTimer);
    for (const fileId of this.running.keys()) this.transfer?.downloadOf(fileId)?.cancel('stopped');
  }

  noteMessage(message: PoolMessage, announce = true): void {
    const changes = this.offers.apply(message);
    for (const why of changes.refused) this.options.log(`ignoring part of an offer: ${why}`);
    if (!announce) return;
    for (const offer of changes.added) {
      this.offerEvent(offer);
      this.considerFetching(offer);
    }
    for (const offer of changes.described) this.considerFetching(offer);
    for (const offer of changes.retracted) {
      this.offerEvent(offer);
      // An image fetched on its own is not wanted once withdrawn; a person's download goes on.
      const running = this.running.get(offer.info.fileId);
      if (running?.auto) void this.cancel(offer.info.fileId).catch(() => undefined);
    }
  }

  // ---- what the backend asks

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

  folder(folderId: string, online: ReadonlySet<string>): { folder: FolderView; files: FileView[] } {
    const folder = this.offers.folder(folderId);
    const entries = folder ? this.offers.filesOf(folder) : [];
    if (!folder || entries.length === 0) {
      throw new BackendError('NOT_FOUND', `no folder ${folderId} in this pool`, 404);
    }
    const state = this.state(online);
    return {
      folder: folderView(folder, entries, state),
      files: entries.map((o) => fileView(o, state)),
    };
  }

  /** Offers files picked in the page: hashed here (streaming), served from the page. */
  async share(files: readonly File[]): Promise<FileView[]> {
    const node = this.requireNode();
    const infos: FileInfo[] = [];
    for (const file of files) {
      if (!(file instanceof Blob)) throw new BackendError('BAD_REQUEST', 'not a file', 400);
      const hashes = await hashBlob(file);
      const info = create(FileInfoSchema, {
        fileId: newId(),
        name: safeName(file.name),
        size: BigInt(hashes.size),
        originNodeId: this.options.selfId,
        sha256: hashes.sha256,
        chunkSize: hashes.chunkSize,
        chunkHashesRoot: hashes.root,
        mime: file.type.slice(0, 255),
        folderId: '',
        relativePath: '',
      });
      const image = await describeImage(file).catch(() => undefined);
      if (image) info.mime = image.mime;
      await this.held.keepPicked(info, hashes.chunkHashes, file);
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
      infos.push(info);
    }
    const state = this.state(new Set());
    return infos.map((info) => fileView(this.offers.live(info.fileId) as Offer, state));
  }

  async retract(id: string): Promise<void> {
    const folder = this.offers.folder(id);
    const single = folder ? undefined : this.offers.live(id);
    const offers = folder ? this.offers.filesOf(folder) : single ? [single] : [];
    const first = offers[0];
    if (!first) throw new BackendError('NOT_FOUND', `no file ${id}`, 404);
    if ((folder?.origin ?? first.info.originNodeId) !== this.options.selfId) {
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
    const event = (fields: Partial<Extract<DaemonEvent, { type: 'download' }>>) =>
      this.options.onEvent({
        type: 'download',
        pool: this.options.poolId,
        file: fileId,
        name: info.name,
        received: 0,
        chunks: dataChunkCount(info),
        bytes: 0,
        size: Number(info.size),
        state: 'data',
        ...fields,
      });
    const ended = (state: DownloadRecord['state'], sha256: string | null, error: string | null) =>
      this.options.onDownloadEnded({
        file: fileId,
        pool: this.options.poolId,
        name: info.name,
        size: Number(info.size),
        folder: info.folderId === '' ? null : info.folderId,
        path: state === 'done' ? pathOf(info) : null,
        sha256,
        startedAt,
        finishedAt: Date.now(),
        state,
        error,
        auto,
      });
    const entry: Running = { work: undefined as never, sink: undefined, cancelled: false, auto };
    const work = (async () => {
      const download = transfer.download(info, async (i, list) => {
        entry.sink ??= await OpfsDownload.open(this.partialDir, i, list);
        return entry.sink;
      });
      const off = download.onProgress((p) =>
        event({
          received: p.received,
          chunks: p.chunks,
          bytes: p.bytes,
          state: p.state === 'done' ? 'data' : p.state,
        }),
      );
      try {
        await download.done;
      } finally {
        off();
      }
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
        if (entry.cancelled) {
          ended('cancelled', null, error);
          event({ state: 'cancelled', error });
          void entry.sink?.discard();
          throw new BackendError('CANCELLED', `the download of ${info.name} was cancelled`, 409);
        }
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
        this.options.onEvent({
          type: 'upload',
          pool: this.options.poolId,
          file: id,
          name: info?.name ?? '',
          chunks: t.chunks,
          bytes: t.bytes,
          size: info ? Number(info.size) : 0,
        });
      }
      this.dirtyUploads.clear();
    }, UPLOAD_EVENT_MS);
  }

  /** An image within the limit, offered by another node: fetched once nothing withdrew it. */
  private considerFetching(offer: Offer): void {
    const limit = this.options.autoFetchImageBytes();
    if (limit <= 0 || offer.media?.kind !== 'image' || offer.retracted) return;
    if (offer.info.originNodeId === this.options.selfId || Number(offer.info.size) > limit) return;
    this.autoQueue.add(offer.info.fileId);
    this.fetchImagesSoon();
  }

  private fetchImagesSoon(): void {
    if (this.autoTimer !== undefined || this.autoQueue.size === 0 || this.closed) return;
    this.autoTimer = setTimeout(() => {
      this.autoTimer = undefined;
      if (!this.transfer || this.closed) return; // attach() asks again
      for (const fileId of [...this.autoQueue]) {
        this.autoQueue.delete(fileId);
        if (!this.offers.live(fileId) || this.held.has(fileId) || this.running.has(fileId))
          continue;
        this.download(fileId, true).catch((err: unknown) =>
          this.options.log(`fetching image ${fileId} failed: ${String(err)}`),
        );
      }
    }, 0);
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
      downloading: (fileId) => this.running.has(fileId),
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
