/**
 * The files this page serves whole: its shares and its finished downloads. A share is served
 * from the `File` the person picked right away and copied into OPFS in the background, so it
 * is still served after a reload; a download is already in OPFS. Each is remembered in
 * IndexedDB (`held/<pool>/<file>`: the offer's FileInfo and the hash list).
 */
import { dataChunkCount } from '@poolnet/engine';
import { type FileInfo, FileInfoSchema, fromBinary, toBinary } from '@poolnet/protocol';
import type { RecordStore } from '@poolnet/store-browser';
import { entryName, fileIn, readRange, removeEntry, writeWhole } from './opfs.js';

export interface HeldFile {
  readonly info: FileInfo;
  readonly list: Uint8Array;
  /** The bytes: the picked `File` until its OPFS copy is made, then the OPFS file. */
  blob: Blob;
}

interface HeldRecord {
  readonly info: Uint8Array;
  readonly list: Uint8Array;
}

export class HeldFiles {
  private readonly files = new Map<string, HeldFile>();

  constructor(
    private readonly records: RecordStore,
    private readonly poolId: string,
    private readonly dir: FileSystemDirectoryHandle,
    private readonly onSeeding: (info: FileInfo, seeding: boolean) => void,
    private readonly log: (line: string) => void,
  ) {}

  /** Reads the records; one whose OPFS file is gone is forgotten. */
  async load(): Promise<void> {
    for (const { key, value } of await this.records.list<HeldRecord>(this.prefix)) {
      let info: FileInfo;
      try {
        info = fromBinary(FileInfoSchema, value.info);
      } catch {
        await this.records.delete(key);
        continue;
      }
      const blob = await fileIn(this.dir, entryName(info.fileId));
      if (!blob || blob.size !== Number(info.size)) {
        await this.records.delete(key);
        continue;
      }
      this.files.set(info.fileId, { info, list: value.list, blob });
    }
  }

  get(fileId: string): HeldFile | undefined {
    return this.files.get(fileId);
  }

  has(fileId: string): boolean {
    return this.files.has(fileId);
  }

  /** A file picked in the page: served from `file` now, from OPFS once copied. */
  async keepPicked(info: FileInfo, list: Uint8Array, file: File): Promise<void> {
    const held: HeldFile = { info, list, blob: file };
    this.files.set(info.fileId, held);
    this.onSeeding(info, true);
    void (async () => {
      try {
        await writeWhole(this.dir, entryName(info.fileId), file);
        const copy = await fileIn(this.dir, entryName(info.fileId));
        if (!copy || this.files.get(info.fileId) !== held) return;
        held.blob = copy;
        await this.records.put(this.key(info.fileId), this.record(info, list));
      } catch (err) {
        this.log(`cannot copy ${info.name} into the private file system: ${String(err)}`);
      }
    })();
  }

  /** A finished download, already in OPFS. */
  async keepDownloaded(info: FileInfo, list: Uint8Array, file: File): Promise<void> {
    this.files.set(info.fileId, { info, list, blob: file });
    await this.records.put(this.key(info.fileId), this.record(info, list));
    this.onSeeding(info, true);
  }

  async forget(fileId: string): Promise<void> {
    const held = this.files.get(fileId);
    if (!held) return;
    this.files.delete(fileId);
    await this.records.delete(this.key(fileId));
    await removeEntry(this.dir, entryName(fileId)).catch(() => undefined);
    this.onSeeding(held.info, false);
  }

  holds(fileId: string, index: number): boolean {
    const held = this.files.get(fileId);
    return held !== undefined && index >= 0 && index < dataChunkCount(held.info);
  }

  async read(fileId: string, index: number): Promise<Uint8Array | undefined> {
    const held = this.files.get(fileId);
    if (!held || !this.holds(fileId, index)) return undefined;
    const start = index * held.info.chunkSize;
    return readRange(held.blob, start, Math.min(held.blob.size, start + held.info.chunkSize));
  }

  private get prefix(): string {
    return `held/${this.poolId}/`;
  }

  private key(fileId: string): string {
    return `${this.prefix}${fileId}`;
  }

  private record(info: FileInfo, list: Uint8Array): HeldRecord {
    return { info: toBinary(FileInfoSchema, info), list };
  }
}
