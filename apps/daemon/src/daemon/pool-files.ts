/**
 * The files of one pool on this device: the offers seen (rebuilt from the message log), the
 * files this device shares (nothing is copied: the path, size and mtime are remembered and
 * checked before serving), downloads (resumable partial files) and the relay cache. It is the
 * engine's `FileHolder` and `RelayCache` for the pool, and runs downloads through the engine's
 * `FileTransfer`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  type DownloadSink,
  type FileHolder,
  type FileTransfer,
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
  decodePoolMessage,
  fromBinary,
  toBinary,
  decodeSignedPoolMessage,
} from '@poolnet/protocol';
import type { SqliteMessageStore } from '@poolnet/store-sqlite';
import { ChunkCache } from '../files/chunk-cache.js';
import { DownloadFile } from '../files/download-file.js';
import { chunkHashesRoot, hashFile } from '../files/manifest.js';
import { SharedFile } from '../files/shared-file.js';
import { DaemonError } from './errors.js';

/** A file as the local API lists it. */
export interface FileView {
  readonly id: string;
  readonly pool: string;
  readonly name: string;
  readonly size: number;
  readonly origin: string;
  readonly seedersOnline: number;
  readonly have: boolean;
  readonly mine: boolean;
  readonly downloading: boolean;
}

export type FileEvent =
  | {
      type: 'download';
      pool: string;
      file: string;
      name: string;
      received: number;
      chunks: number;
      bytes: number;
      size: number;
      state: 'hashes' | 'data' | 'done' | 'failed';
      path?: string;
      error?: string;
    }
  | { type: 'offer'; pool: string; file: string; name: string; retracted: boolean };

interface Held {
  readonly info: FileInfo;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly list: Uint8Array;
  open?: SharedFile;
  opening?: Promise<SharedFile>;
}

interface HeldRecord {
  info: string; // FileInfo, protobuf binary, base64
  path: string;
  size: number;
  mtimeMs: number;
  list: string; // hash list, base64
}

export interface PoolFilesOptions {
  readonly poolId: string;
  readonly selfId: string;
  /** DIR/files/<pool>: held-file records, partial downloads, relay cache. */
  readonly dir: string;
  readonly downloadsDir: string;
  readonly cacheBytes: number;
  readonly store: SqliteMessageStore;
  onEvent(event: FileEvent): void;
  log(line: string): void;
}

export class PoolFiles implements FileHolder, RelayCache {
  private readonly offers = new Map<string, { info: FileInfo; retracted: boolean }>();
  /** Files served whole: shared from their place, or downloaded and verified. */
  private readonly held = new Map<string, Held>();
  private readonly partial = new Map<string, DownloadFile>();
  private readonly lists = new Map<string, Uint8Array>();
  private readonly running = new Map<string, Promise<{ path: string; sha256: string }>>();
  private cache: ChunkCache | undefined;
  private node: PoolNode | undefined;
  private transfer: FileTransfer | undefined;

  constructor(private readonly options: PoolFilesOptions) {}

  /** Reads the held-file records and the offers in the message log; opens the relay cache. */
  async load(): Promise<void> {
    await mkdir(join(this.options.dir, 'held'), { recursive: true, mode: 0o700 });
    this.cache = await ChunkCache.open(join(this.options.dir, 'cache'), this.options.cacheBytes);
    for (const name of await readdir(join(this.options.dir, 'held'))) {
      if (!name.endsWith('.json')) continue;
      try {
        const record = JSON.parse(
          await readFile(join(this.options.dir, 'held', name), 'utf8'),
        ) as HeldRecord;
        const info = fromBinary(FileInfoSchema, Buffer.from(record.info, 'base64'));
        this.held.set(info.fileId, {
          info,
          path: record.path,
          size: record.size,
          mtimeMs: record.mtimeMs,
          list: Uint8Array.from(Buffer.from(record.list, 'base64')),
        });
      } catch (err) {
        this.options.log(`ignoring damaged record ${name}: ${String(err)}`);
      }
    }
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
    this.transfer = transfer;
    void this.resume();
  }

  /** Downloads interrupted by a restart continue with what is missing (FT3). */
  private async resume(): Promise<void> {
    for (const fileId of await this.partialIds()) {
      if (!this.offers.has(fileId) || this.running.has(fileId) || this.held.has(fileId)) continue;
      this.options.log(`resuming the download of ${fileId}`);
      this.download(fileId).catch((err: unknown) =>
        this.options.log(`download ${fileId} failed: ${String(err)}`),
      );
    }
  }

  async close(): Promise<void> {
    for (const held of this.held.values()) await held.open?.close();
    for (const file of this.partial.values()) await file.close();
    await this.cache?.close();
  }

  /** A pool message was stored: offers and retractions update the list. */
  noteMessage(message: PoolMessage, announce = true): void {
    const c = message.content;
    if (c.case === 'fileOffer' || c.case === 'mediaOffer') {
      const files = c.case === 'fileOffer' ? c.value.files : c.value.file ? [c.value.file] : [];
      for (const info of files) {
        if (this.offers.has(info.fileId)) continue;
        this.offers.set(info.fileId, { info, retracted: false });
        if (announce) {
          this.options.onEvent({
            type: 'offer',
            pool: this.options.poolId,
            file: info.fileId,
            name: info.name,
            retracted: false,
          });
        }
      }
    } else if (c.case === 'retractOffer') {
      const offer = this.offers.get(c.value.fileId);
      if (offer && offer.info.originNodeId === message.authorNodeId && !offer.retracted) {
        offer.retracted = true;
        if (announce) {
          this.options.onEvent({
            type: 'offer',
            pool: this.options.poolId,
            file: offer.info.fileId,
            name: offer.info.name,
            retracted: true,
          });
        }
      }
    }
  }

  // ---- the local API's operations

  list(online: ReadonlySet<string>): FileView[] {
    return [...this.offers.values()]
      .filter((o) => !o.retracted)
      .map(({ info }) => {
        const seeders = new Set(this.node?.offers.seedersOf(info.fileId) ?? []);
        seeders.add(info.originNodeId);
        return {
          id: info.fileId,
          pool: this.options.poolId,
          name: info.name,
          size: Number(info.size),
          origin: info.originNodeId,
          seedersOnline: [...seeders].filter((s) => online.has(s) || s === this.options.selfId)
            .length,
          have: this.held.has(info.fileId),
          mine: info.originNodeId === this.options.selfId,
          downloading: this.running.has(info.fileId),
        };
      });
  }

  /** Offers a file of this device to the pool; nothing is copied. */
  async share(path: string): Promise<FileView> {
    const node = this.requireNode();
    let manifest;
    try {
      manifest = await hashFile(path);
    } catch (cause) {
      throw new DaemonError('BAD_REQUEST', `cannot read ${path}: ${String(cause)}`, { cause });
    }
    const info = create(FileInfoSchema, {
      fileId: randomBytes(12).toString('base64url'),
      name: basename(path),
      size: BigInt(manifest.size),
      originNodeId: this.options.selfId,
      sha256: manifest.sha256,
      chunkSize: manifest.chunkSize,
      chunkHashesRoot: chunkHashesRoot(manifest.chunkHashes),
    });
    await this.keep(info, path, manifest.size, manifest.mtimeMs, manifest.chunkHashes);
    node.broadcast({ case: 'fileOffer', value: create(FileOfferSchema, { files: [info] }) });
    return this.view(info.fileId);
  }

  /** Withdraws my offer: the file is no longer served by this device. */
  async retract(fileId: string): Promise<void> {
    const offer = this.offers.get(fileId);
    if (!offer || offer.retracted) throw new DaemonError('NOT_FOUND', `no file ${fileId}`);
    if (offer.info.originNodeId !== this.options.selfId) {
      throw new DaemonError('BAD_REQUEST', 'only the device that offered a file can retract it');
    }
    this.requireNode().broadcast({
      case: 'retractOffer',
      value: create(RetractOfferSchema, { fileId }),
    });
    await this.forget(fileId);
  }

  /** Downloads an offered file into `targetDir`; resolves with the final path and hash. */
  download(
    fileId: string,
    targetDir = this.options.downloadsDir,
  ): Promise<{ path: string; sha256: string }> {
    const offer = this.offers.get(fileId);
    if (!offer || offer.retracted)
      throw new DaemonError('NOT_FOUND', `no file ${fileId} in this pool`);
    const held = this.held.get(fileId);
    if (held)
      return Promise.resolve({
        path: held.path,
        sha256: Buffer.from(offer.info.sha256).toString('hex'),
      });
    const running = this.running.get(fileId);
    if (running) return running;
    const transfer = this.transfer;
    if (!transfer) throw new DaemonError('NOT_JOINED', 'not connected to this pool yet');
    const { info } = offer;
    const work = (async () => {
      const download = transfer.download(info, (i, list) => this.openSink(i, list));
      const off = download.onProgress((p) =>
        this.options.onEvent({
          type: 'download',
          pool: this.options.poolId,
          file: fileId,
          name: info.name,
          received: p.received,
          chunks: p.chunks,
          bytes: p.bytes,
          size: p.size,
          state: p.state === 'done' ? 'data' : p.state,
        }),
      );
      try {
        await download.done;
      } finally {
        off();
      }
      const partial = this.partial.get(fileId);
      if (!partial) throw new DaemonError('INTERNAL', 'the download has no partial file');
      await mkdir(targetDir, { recursive: true });
      const path = await partial.finish(targetDir, info.name);
      this.partial.delete(fileId);
      const list = this.lists.get(fileId) as Uint8Array;
      const st = await stat(path);
      await this.keep(info, path, st.size, st.mtimeMs, list);
      // FT5: announce that this device now seeds it too.
      try {
        this.node?.broadcast({
          case: 'fileOffer',
          value: create(FileOfferSchema, { files: [info] }),
        });
      } catch {
        // not placed right now; it is served anyway
      }
      const sha256 = Buffer.from(info.sha256).toString('hex');
      this.options.onEvent({
        type: 'download',
        pool: this.options.poolId,
        file: fileId,
        name: info.name,
        received: dataChunkCount(info),
        chunks: dataChunkCount(info),
        bytes: Number(info.size),
        size: Number(info.size),
        state: 'done',
        path,
      });
      return { path, sha256 };
    })();
    this.running.set(fileId, work);
    work.then(
      () => this.running.delete(fileId),
      (err: unknown) => {
        this.running.delete(fileId);
        this.options.onEvent({
          type: 'download',
          pool: this.options.poolId,
          file: fileId,
          name: info.name,
          received: 0,
          chunks: dataChunkCount(info),
          bytes: 0,
          size: Number(info.size),
          state: 'failed',
          error: String(err),
        });
      },
    );
    return work;
  }

  /** Fileids with a partial download on disk (to resume after a restart). */
  async partialIds(): Promise<string[]> {
    const dir = join(this.options.dir, 'partial', '.poolnet-partial');
    try {
      return (await readdir(dir)).filter((n) => n.endsWith('.part')).map((n) => n.slice(0, -5));
    } catch {
      return [];
    }
  }

  get stats() {
    return {
      cachedBytes: this.cache?.bytes ?? 0,
      cacheHits: this.cache?.hits ?? 0,
      ...(this.transfer?.stats ?? {}),
    };
  }

  // ---- FileHolder and RelayCache for the engine

  holds(fileId: string, index: number): boolean {
    const held = this.held.get(fileId);
    if (held) return index >= 0 && index < dataChunkCount(held.info);
    if (this.partial.get(fileId)?.has(index)) return true;
    return this.cache?.has(fileId, index) === true;
  }

  async read(fileId: string, index: number): Promise<Uint8Array | undefined> {
    const held = this.held.get(fileId);
    if (held) {
      try {
        // One open per file, even when many reads start at once.
        held.opening ??= SharedFile.open(
          held.path,
          { size: held.size, mtimeMs: held.mtimeMs },
          held.info.chunkSize,
        );
        held.open = await held.opening;
        return await held.open.read(index);
      } catch (err) {
        // Moved, deleted or changed since it was offered: stop serving it (and retract mine).
        this.options.log(`${held.path} can no longer be served: ${String(err)}`);
        if (held.info.originNodeId === this.options.selfId) {
          try {
            this.node?.broadcast({
              case: 'retractOffer',
              value: create(RetractOfferSchema, { fileId }),
            });
          } catch {
            // not placed
          }
        }
        await this.forget(fileId);
        return undefined;
      }
    }
    try {
      const partial = this.partial.get(fileId);
      if (partial?.has(index)) return await partial.read(index);
      return await this.cache?.get(fileId, index);
    } catch {
      return undefined; // closed or evicted meanwhile: the requester asks elsewhere
    }
  }

  hashList(fileId: string): Uint8Array | undefined {
    return this.held.get(fileId)?.list ?? this.lists.get(fileId);
  }

  put(fileId: string, index: number, data: Uint8Array): void {
    void this.cache?.put(fileId, index, data).catch(() => undefined);
  }

  // ---- helpers

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

  private async keep(
    info: FileInfo,
    path: string,
    size: number,
    mtimeMs: number,
    list: Uint8Array,
  ): Promise<void> {
    const record: HeldRecord = {
      info: Buffer.from(toBinary(FileInfoSchema, info)).toString('base64'),
      path,
      size,
      mtimeMs,
      list: Buffer.from(list).toString('base64'),
    };
    await writeFile(join(this.options.dir, 'held', `${info.fileId}.json`), JSON.stringify(record), {
      mode: 0o600,
    });
    this.held.set(info.fileId, { info, path, size, mtimeMs, list });
    if (!this.offers.has(info.fileId)) this.offers.set(info.fileId, { info, retracted: false });
  }

  private async forget(fileId: string): Promise<void> {
    const held = this.held.get(fileId);
    this.held.delete(fileId);
    await held?.open?.close().catch(() => undefined);
    await rm(join(this.options.dir, 'held', `${fileId}.json`), { force: true });
  }

  private view(fileId: string): FileView {
    const view = this.list(new Set()).find((f) => f.id === fileId);
    if (!view) throw new DaemonError('NOT_FOUND', `no file ${fileId}`);
    return view;
  }

  private requireNode(): PoolNode {
    if (!this.node?.position) throw new DaemonError('NOT_JOINED', 'not connected to this pool yet');
    return this.node;
  }
}
