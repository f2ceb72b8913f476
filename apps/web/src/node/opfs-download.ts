/**
 * A download under way in OPFS: the engine's `DownloadSink`. Verified chunks are written in
 * place into one partial file (`partial/<file>.part`, through the worker's sync access
 * handle, `sync-file.ts`), so nothing accumulates in memory and the file takes its own size
 * on disk once, never twice; chunks are served to others from there too. Which chunks are on
 * disk is a bitmap kept in the download's record (`partial-downloads.ts`), saved a little
 * after the chunks it lists were flushed: after a reload the download goes on from there (a
 * chunk written but not yet listed is fetched again). The whole-file SHA-256 is computed
 * incrementally as the contiguous prefix grows (a chunk that arrives early is read back when
 * the gap before it fills). `finish` checks it against the offer and moves the file among
 * the held ones: no copy.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { type DownloadSink, chunkLength, dataChunkCount } from '@poolnet/engine';
import type { FileInfo } from '@poolnet/protocol';
import { BackendError } from '../api/backend.js';
import { entryName, fileIn, removeEntry, writeWhole } from './opfs.js';
import type { PartialRecord } from './partial-downloads.js';
import { SyncFile } from './sync-file.js';

/** The bitmap is saved at most this often while chunks arrive. */
const SAVE_MS = 500;

/** Where a download's partial file is and how its record is kept. */
export interface PartialPlace {
  /** The partial directory, as a path from the OPFS root (for the worker) and as a handle. */
  readonly path: readonly string[];
  readonly dir: FileSystemDirectoryHandle;
  save(record: PartialRecord): Promise<void>;
  forget(): Promise<void>;
}

/** The partial file's name for a file id. */
export const partialName = (fileId: string): string => `${entryName(fileId)}.part`;

export class OpfsDownload implements DownloadSink {
  private readonly present: Uint8Array;
  private held = 0;
  private readonly hasher = sha256.create();
  private next = 0;
  private hashing: Promise<void> = Promise.resolve();
  private saving: Promise<void> = Promise.resolve();
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private discarded = false;

  private constructor(
    private readonly place: PartialPlace,
    private readonly file: SyncFile,
    private readonly record: PartialRecord,
    readonly info: FileInfo,
    readonly hashList: Uint8Array,
  ) {
    this.present = new Uint8Array(dataChunkCount(info));
  }

  /** Opens (or resumes, from `record.have`) the download of `info`. */
  static async open(
    place: PartialPlace,
    record: PartialRecord,
    info: FileInfo,
    hashList: Uint8Array,
  ): Promise<OpfsDownload> {
    const file = await SyncFile.open(place.path, partialName(info.fileId));
    const download = new OpfsDownload(place, file, record, info, hashList);
    // Chunks listed before a reload: they were checked before they were written, and
    // flushed before they were listed. A file shorter than what is listed lost its end.
    const have = record.have.length === download.present.length ? record.have : undefined;
    for (let i = 0; have && i < have.length; i++) {
      const end = i * info.chunkSize + chunkLength(info, i);
      if (have[i] === 1 && end <= file.openedSize) download.mark(i);
    }
    record.have = download.present.slice();
    // Its whole size at once (sparse where the disk allows): a file that cannot fit in the
    // origin's quota fails here, at the start, rather than on a chunk near the end.
    if (file.openedSize !== Number(info.size)) await file.truncate(Number(info.size));
    download.advance();
    return download;
  }

  get chunkCount(): number {
    return this.present.length;
  }

  get received(): number {
    return this.held;
  }

  get complete(): boolean {
    return this.held === this.present.length;
  }

  has(index: number): boolean {
    return this.present[index] === 1;
  }

  missing(): ReadonlyArray<{ start: number; end: number }> {
    const out: Array<{ start: number; end: number }> = [];
    let start = -1;
    for (let i = 0; i <= this.present.length; i++) {
      const absent = i < this.present.length && this.present[i] === 0;
      if (absent && start < 0) start = i;
      if (!absent && start >= 0) {
        out.push({ start, end: i });
        start = -1;
      }
    }
    return out;
  }

  async write(index: number, data: Uint8Array): Promise<boolean> {
    if (this.discarded || !Number.isSafeInteger(index) || index < 0) return false;
    if (index >= this.present.length || data.length !== chunkLength(this.info, index)) return false;
    if (this.has(index)) return true;
    await this.file.write(index * this.info.chunkSize, data);
    if (this.has(index)) return true;
    this.mark(index);
    if (index === this.next) this.advance(index, data);
    this.saveSoon();
    return true;
  }

  async read(index: number): Promise<Uint8Array | undefined> {
    if (!this.has(index)) return undefined;
    const length = chunkLength(this.info, index);
    const data = await this.file.read(index * this.info.chunkSize, length);
    return data.length === length ? data : undefined;
  }

  /**
   * Checks the whole-file SHA-256 and moves the partial file to `target/<file>`, its record
   * forgotten. `HASH_MISMATCH` (and nothing kept) when the hash is not the offer's.
   */
  async finish(target: FileSystemDirectoryHandle): Promise<File> {
    if (!this.complete) throw new BackendError('INTERNAL', 'the download is not complete');
    this.advance();
    await this.hashing;
    const digest = this.hasher.digest();
    if (!sameBytes(digest, this.info.sha256)) {
      await this.discard();
      throw new BackendError(
        'HASH_MISMATCH',
        `${this.info.name}: the whole file does not match its SHA-256`,
      );
    }
    clearTimeout(this.saveTimer);
    await this.saving;
    await this.file.truncate(Number(this.info.size));
    await this.file.close();
    const name = entryName(this.info.fileId);
    const from = await this.place.dir.getFileHandle(partialName(this.info.fileId));
    await removeEntry(target, name);
    const move = (from as { move?: (dir: FileSystemDirectoryHandle, name: string) => unknown })
      .move;
    if (typeof move === 'function') {
      await move.call(from, target, name);
    } else {
      // A browser without `move`: one copy, for the time it takes.
      await writeWhole(target, name, await from.getFile());
      await removeEntry(this.place.dir, partialName(this.info.fileId));
    }
    await this.place.forget();
    const file = await fileIn(target, name);
    if (!file) throw new BackendError('INTERNAL', `${this.info.name} vanished once in place`);
    return file;
  }

  /**
   * Stops here, the chunks on disk listed; `resume`: the download goes on by itself when the
   * node starts again.
   */
  async suspend(resume: boolean): Promise<void> {
    if (this.discarded) return;
    this.record.resume = resume;
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.save();
    await this.saving;
    await this.file.close().catch(() => undefined);
  }

  /** Removes the partial file and its record. */
  async discard(): Promise<void> {
    this.discarded = true;
    clearTimeout(this.saveTimer);
    await this.saving;
    await this.file.close().catch(() => undefined);
    await removeEntry(this.place.dir, partialName(this.info.fileId));
    await this.place.forget();
  }

  private mark(index: number): void {
    if (this.present[index] === 1) return;
    this.present[index] = 1;
    this.held++;
  }

  private saveSoon(): void {
    this.saveTimer ??= setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, SAVE_MS);
  }

  /** Lists the chunks present now, once they are flushed (one save after another). */
  private save(): void {
    const have = this.present.slice();
    this.saving = this.saving
      .then(async () => {
        if (this.discarded) return;
        await this.file.flush();
        this.record.have = have;
        await this.place.save(this.record);
      })
      .catch(() => undefined); // not listed: fetched again after a reload
  }

  /**
   * Feeds the hash with the chunks from `next` on that are here, in order, one run at a
   * time; `first` is the chunk just written, when it is the next one (not read back).
   */
  private advance(index?: number, first?: Uint8Array): void {
    this.hashing = this.hashing
      .then(async () => {
        while (!this.discarded && this.next < this.present.length && this.has(this.next)) {
          const chunk = this.next === index && first ? first : await this.read(this.next);
          if (!chunk) return;
          this.hasher.update(chunk);
          this.next++;
        }
      })
      .catch(() => undefined); // a failed read leaves the hash short: finish then refuses
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
