/**
 * Every download this device finished, failed or cancelled, kept in `downloads.json` of the
 * data directory (written whole, atomically, after each change) so it survives restarts.
 *
 * Why not the `downloads` table of store-sqlite: it keeps one row per file (a second download
 * of the same file replaces the first), has no name or size, and no cancelled state; the
 * history wants one entry per attempt with what the user saw.
 */
import type { DownloadRecord } from '@poolnet/device';
import { z } from 'zod';
import { type DataDir, FILES } from './state-files.js';

/** The outcome and the record are the device's (shared with the browser node). */
export type { DownloadOutcome, DownloadRecord } from '@poolnet/device';

/** Entries kept; the oldest go first. */
export const MAX_HISTORY = 2000;
/** Longest error text kept. */
const MAX_ERROR_CHARS = 1000;

const recordSchema = z.object({
  file: z.string(),
  pool: z.string(),
  name: z.string(),
  size: z.number().int().nonnegative(),
  folder: z.string().nullable(),
  path: z.string().nullable(),
  sha256: z.string().nullable(),
  startedAt: z.number(),
  finishedAt: z.number(),
  state: z.enum(['done', 'failed', 'cancelled']),
  error: z.string().nullable(),
  auto: z.boolean(),
});
const fileSchema = z.object({ downloads: z.array(z.unknown()) });

export class DownloadHistory {
  /** Oldest first (the order they finished in). */
  private readonly records: DownloadRecord[];
  /** The write under way, if any; it goes on while `dirty`. */
  private writer: Promise<void> | undefined;
  private dirty = false;

  private constructor(
    private readonly dir: DataDir,
    records: DownloadRecord[],
    private readonly log: (line: string) => void,
  ) {
    this.records = records;
  }

  /** Reads the history; a damaged file is set aside (logged) and the history starts empty. */
  static async open(dir: DataDir, log: (line: string) => void): Promise<DownloadHistory> {
    let records: DownloadRecord[] = [];
    try {
      const stored = await dir.readJson(FILES.downloads, (v) => fileSchema.parse(v));
      for (const entry of stored?.downloads ?? []) {
        const parsed = recordSchema.safeParse(entry);
        if (parsed.success) records.push(parsed.data);
      }
    } catch (err) {
      log(`the download history is damaged and starts anew: ${String(err)}`);
      records = [];
    }
    return new DownloadHistory(dir, records, log);
  }

  /** Adds an entry and writes the file; resolves once it is on disk. */
  record(entry: DownloadRecord): Promise<void> {
    const error = entry.error === null ? null : entry.error.slice(0, MAX_ERROR_CHARS);
    this.records.push({ ...entry, error });
    if (this.records.length > MAX_HISTORY)
      this.records.splice(0, this.records.length - MAX_HISTORY);
    this.dirty = true;
    this.writer ??= this.write();
    return this.writer;
  }

  /**
   * Writes the whole list while something changed since the last write: entries recorded
   * during a write go out together in the next one (a folder of a thousand files finishing
   * makes a few writes, not a thousand).
   */
  private async write(): Promise<void> {
    for (;;) {
      if (!this.dirty) {
        this.writer = undefined;
        return;
      }
      this.dirty = false;
      try {
        await this.dir.writeJson(FILES.downloads, { downloads: this.records });
      } catch (err) {
        this.log(`cannot write the download history: ${String(err)}`);
      }
    }
  }

  /** Newest first; only `pool`'s when given; at most `limit`. */
  list(query: { pool?: string; limit?: number } = {}): DownloadRecord[] {
    const out: DownloadRecord[] = [];
    const limit = query.limit ?? MAX_HISTORY;
    for (let i = this.records.length - 1; i >= 0 && out.length < limit; i--) {
      const record = this.records[i] as DownloadRecord;
      if (query.pool === undefined || record.pool === query.pool) out.push(record);
    }
    return out;
  }

  /** Resolves once every entry recorded so far is on disk (or its write failed). */
  async flush(): Promise<void> {
    await this.writer;
  }
}
