/**
 * The files this device serves whole in one pool: its own shares (served from where they are,
 * nothing copied) and finished downloads. Each is remembered by path, size and mtime in
 * `held/<fileId>.json` with its FileInfo and hash list, and read through one kept-open handle
 * that notices when the file was moved, deleted or edited.
 */
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FileInfo, FileInfoSchema, fromBinary, toBinary } from '@poolnet/protocol';
import { SharedFile } from '../files/shared-file.js';

export interface HeldFile {
  readonly info: FileInfo;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** The hash list (32 bytes per chunk), served as hash chunks (FT1). */
  readonly list: Uint8Array;
}

interface Held extends HeldFile {
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

export interface HeldFilesOptions {
  /** Where the records go (DIR/files/<pool>/held). */
  readonly dir: string;
  /** A file is served whole from now on, or no longer. */
  onSeeding(info: FileInfo, seeding: boolean): void;
  log(line: string): void;
}

export class HeldFiles {
  private readonly files = new Map<string, Held>();

  constructor(private readonly options: HeldFilesOptions) {}

  /** Reads the records; a damaged one is skipped (logged). */
  async load(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.options.dir)) {
      if (!name.endsWith('.json')) continue;
      try {
        const record = JSON.parse(
          await readFile(join(this.options.dir, name), 'utf8'),
        ) as HeldRecord;
        const info = fromBinary(FileInfoSchema, Buffer.from(record.info, 'base64'));
        this.files.set(info.fileId, {
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
  }

  get(fileId: string): HeldFile | undefined {
    return this.files.get(fileId);
  }

  has(fileId: string): boolean {
    return this.files.has(fileId);
  }

  /** Serves `info` from `path` (as it is now: `size`, `mtimeMs`) from now on. */
  async keep(
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
    await writeFile(join(this.options.dir, `${info.fileId}.json`), JSON.stringify(record), {
      mode: 0o600,
    });
    const before = this.files.get(info.fileId);
    this.files.set(info.fileId, { info, path, size, mtimeMs, list });
    await before?.open?.close().catch(() => undefined);
    if (!before) this.options.onSeeding(info, true);
  }

  /** Stops serving `fileId`; its record goes. */
  async forget(fileId: string): Promise<void> {
    const held = this.files.get(fileId);
    this.files.delete(fileId);
    await held?.open?.close().catch(() => undefined);
    await rm(join(this.options.dir, `${fileId}.json`), { force: true });
    if (held) this.options.onSeeding(held.info, false);
  }

  /** The held file if it is still where it was with its size and mtime; else undefined. */
  async unchanged(fileId: string): Promise<HeldFile | undefined> {
    const held = this.files.get(fileId);
    if (!held) return undefined;
    try {
      const st = await stat(held.path);
      // mtimes kept in JSON may lose a fraction of a millisecond (as SharedFile allows).
      if (st.isFile() && st.size === held.size && Math.abs(st.mtimeMs - held.mtimeMs) < 1) {
        return held;
      }
    } catch {
      // gone
    }
    return undefined;
  }

  /** Chunk `index`; throws (`MISSING`, `CHANGED`) when the file moved or was edited. */
  async read(fileId: string, index: number): Promise<Uint8Array> {
    const held = this.files.get(fileId);
    if (!held) throw new Error(`${fileId} is not held`);
    // One open per file, even when many reads start at once.
    held.opening ??= SharedFile.open(
      held.path,
      { size: held.size, mtimeMs: held.mtimeMs },
      held.info.chunkSize,
    );
    held.open = await held.opening;
    return held.open.read(index);
  }

  async close(): Promise<void> {
    for (const held of this.files.values()) await held.open?.close().catch(() => undefined);
  }
}
