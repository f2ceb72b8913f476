/**
 * The downloads of one pool that are not finished: a record each in IndexedDB
 * (`partial/<pool>/<file>`) beside its partial file in OPFS (`partial/<file>.part`). The
 * record says which chunks are on disk and whether the download goes on by itself when the
 * node starts again (after a reload, a closed tab, a new session): it does unless it was
 * cancelled (record and file removed), finished (the file moved among the held ones) or
 * failed (kept, so asking again resumes it, as the daemon does).
 */
import { dataChunkCount } from '@poolnet/engine';
import type { FileInfo } from '@poolnet/protocol';
import type { RecordStore } from '@poolnet/store-browser';
import { type PartialPlace, partialName } from './opfs-download.js';
import { removeEntry } from './opfs.js';

export interface PartialRecord {
  readonly size: number;
  readonly chunkSize: number;
  /** One byte per chunk: 1 when it is on disk (flushed before it was listed). */
  have: Uint8Array;
  /** Goes on by itself when the node starts again. */
  resume: boolean;
  /** Started by the page itself (an image within the auto-fetch limit). */
  readonly auto: boolean;
  readonly startedAt: number;
}

export class PartialDownloads {
  private constructor(
    private readonly records: RecordStore,
    private readonly poolId: string,
    private readonly path: readonly string[],
    private readonly dir: FileSystemDirectoryHandle,
  ) {}

  /**
   * Opens the pool's partial directory and tidies it: what the previous design left (a
   * folder of chunk files per download), partial files without a record and records of
   * another shape are removed.
   */
  static async open(
    records: RecordStore,
    poolId: string,
    path: readonly string[],
    dir: FileSystemDirectoryHandle,
  ): Promise<PartialDownloads> {
    const partials = new PartialDownloads(records, poolId, path, dir);
    const kept = new Set<string>();
    for (const { key, value } of await records.list<PartialRecord>(partials.prefix)) {
      if (!isRecord(value)) await records.delete(key);
      else kept.add(partialName(key.slice(partials.prefix.length)));
    }
    const stale: string[] = [];
    for await (const [name, handle] of dir.entries()) {
      if (handle.kind === 'directory' || !kept.has(name)) stale.push(name);
    }
    for (const name of stale) await removeEntry(dir, name);
    return partials;
  }

  /** The downloads to go on with, by file id. */
  async resumable(): Promise<Array<{ fileId: string; record: PartialRecord }>> {
    const out: Array<{ fileId: string; record: PartialRecord }> = [];
    for (const { key, value } of await this.records.list<PartialRecord>(this.prefix)) {
      if (isRecord(value) && value.resume)
        out.push({ fileId: key.slice(this.prefix.length), record: value });
    }
    return out;
  }

  /**
   * The record of a download (re)started now, kept and marked to go on by itself; what it
   * listed is kept when the file is the same size and chunking.
   */
  async begin(info: FileInfo, auto: boolean, startedAt: number): Promise<PartialRecord> {
    const before = await this.records.get<PartialRecord>(this.key(info.fileId));
    const same =
      isRecord(before) &&
      before.size === Number(info.size) &&
      before.chunkSize === info.chunkSize &&
      before.have.length === dataChunkCount(info);
    const record: PartialRecord = {
      size: Number(info.size),
      chunkSize: info.chunkSize,
      have: same ? before.have : new Uint8Array(dataChunkCount(info)),
      resume: true,
      auto: same ? before.auto && auto : auto,
      startedAt: same ? before.startedAt : startedAt,
    };
    await this.records.put(this.key(info.fileId), record);
    return record;
  }

  /** A download that ended before its file was opened: it no longer goes on by itself. */
  async stopResuming(fileId: string): Promise<void> {
    const record = await this.records.get<PartialRecord>(this.key(fileId));
    if (isRecord(record) && record.resume) {
      await this.records.put(this.key(fileId), { ...record, resume: false });
    }
  }

  /** Where the download of `fileId` keeps its file and record. */
  place(fileId: string): PartialPlace {
    return {
      path: this.path,
      dir: this.dir,
      save: (record) => this.records.put(this.key(fileId), record),
      forget: () => this.records.delete(this.key(fileId)),
    };
  }

  /** Removes what is kept of a download (cancelled before its file was opened). */
  async drop(fileId: string): Promise<void> {
    await removeEntry(this.dir, partialName(fileId));
    await this.records.delete(this.key(fileId));
  }

  private get prefix(): string {
    return `partial/${this.poolId}/`;
  }

  private key(fileId: string): string {
    return `${this.prefix}${fileId}`;
  }
}

function isRecord(value: unknown): value is PartialRecord {
  const r = value as Partial<PartialRecord> | undefined;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.size === 'number' &&
    typeof r.chunkSize === 'number' &&
    r.have instanceof Uint8Array &&
    typeof r.resume === 'boolean' &&
    typeof r.auto === 'boolean' &&
    typeof r.startedAt === 'number'
  );
}
