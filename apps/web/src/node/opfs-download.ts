/**
 * A download under way in OPFS: the engine's `DownloadSink`. Each verified chunk is written
 * as its own file (`partial/<file>/<index>`) the moment it arrives, so nothing accumulates in
 * memory and a reload resumes from what is on disk; chunks are served to others from there
 * too. The whole-file SHA-256 is computed incrementally as the contiguous prefix grows (a
 * chunk that arrives early is read back when the gap before it fills). `finish` checks it
 * against the offer and streams the chunks into one held file.
 *
 * Why not one sparse file: in a page's main thread OPFS writes go through `createWritable`,
 * which commits only on close (a swap file), so chunks written there could not be read back
 * or survive a reload until the end; sync access handles exist only in workers.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { type DownloadSink, chunkLength, dataChunkCount } from '@poolnet/engine';
import type { FileInfo } from '@poolnet/protocol';
import { BackendError } from '../api/backend.js';
import { entryName, fileIn, removeEntry, writeWhole } from './opfs.js';

export class OpfsDownload implements DownloadSink {
  private readonly present: Uint8Array;
  private held = 0;
  private readonly hasher = sha256.create();
  private next = 0;
  private hashing: Promise<void> = Promise.resolve();
  private discarded = false;

  private constructor(
    private readonly partialRoot: FileSystemDirectoryHandle,
    private readonly dir: FileSystemDirectoryHandle,
    readonly info: FileInfo,
    readonly hashList: Uint8Array,
  ) {
    this.present = new Uint8Array(dataChunkCount(info));
  }

  /** Opens (or resumes) the download of `info` under `partialRoot`. */
  static async open(
    partialRoot: FileSystemDirectoryHandle,
    info: FileInfo,
    hashList: Uint8Array,
  ): Promise<OpfsDownload> {
    const dir = await partialRoot.getDirectoryHandle(entryName(info.fileId), { create: true });
    const download = new OpfsDownload(partialRoot, dir, info, hashList);
    // Chunks kept from before a reload: they were checked before they were written.
    for await (const [name, handle] of dir.entries()) {
      const index = Number(name);
      if (!Number.isSafeInteger(index) || index < 0 || index >= download.present.length) continue;
      const file = await (handle as FileSystemFileHandle).getFile();
      if (file.size === chunkLength(info, index)) download.mark(index);
      else await removeEntry(dir, name);
    }
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
    await writeWhole(this.dir, String(index), data);
    if (this.has(index)) return true;
    this.mark(index);
    if (index === this.next) this.advance();
    return true;
  }

  async read(index: number): Promise<Uint8Array | undefined> {
    if (!this.has(index)) return undefined;
    const file = await fileIn(this.dir, String(index));
    return file ? new Uint8Array(await file.arrayBuffer()) : undefined;
  }

  /**
   * Checks the whole-file SHA-256 and streams the chunks into `target/<file>`; the partial
   * chunks are removed. `HASH_MISMATCH` (and nothing kept) when the hash is not the offer's.
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
    const name = entryName(this.info.fileId);
    const handle = await target.getFileHandle(name, { create: true });
    const writable = await handle.createWritable();
    try {
      for (let i = 0; i < this.present.length; i++) {
        const chunk = await this.read(i);
        if (!chunk) throw new BackendError('INTERNAL', `chunk ${i} vanished before the end`);
        await writable.write(chunk as Uint8Array<ArrayBuffer>);
      }
      await writable.close();
    } catch (err) {
      await writable.abort().catch(() => undefined);
      throw err;
    }
    await this.discard();
    return handle.getFile();
  }

  /** Removes the partial chunks. */
  async discard(): Promise<void> {
    this.discarded = true;
    await removeEntry(this.partialRoot, entryName(this.info.fileId));
  }

  private mark(index: number): void {
    if (this.present[index] === 1) return;
    this.present[index] = 1;
    this.held++;
  }

  /** Feeds the hash with the chunks from `next` on that are here, in order, one run at a time. */
  private advance(): void {
    this.hashing = this.hashing
      .then(async () => {
        while (!this.discarded && this.next < this.present.length && this.has(this.next)) {
          const chunk = await this.read(this.next);
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
