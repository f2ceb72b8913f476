/**
 * Counts the chunks and bytes this device serves, per file, and reports the totals at most
 * once per interval per file (the first at once, the last one always: a quiet file's final
 * count is never held back). The engine reads every chunk it serves through the pool's
 * `FileHolder.read`, so that is where serving is counted.
 */

export interface UploadTotals {
  readonly chunks: number;
  readonly bytes: number;
}

export interface UploadMeterOptions {
  /** Reports a file's totals since the daemon started. */
  report(fileId: string, totals: UploadTotals): void;
  /** Shortest time between two reports of one file (default 250 ms: at most 4 per second). */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

interface Entry {
  chunks: number;
  bytes: number;
  reportedAt: number;
  timer: NodeJS.Timeout | undefined;
}

export class UploadMeter {
  private readonly files = new Map<string, Entry>();
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: UploadMeterOptions) {
    this.intervalMs = options.intervalMs ?? 250;
    this.now = options.now ?? Date.now;
  }

  /** One chunk of `bytes` bytes of `fileId` was served. */
  served(fileId: string, bytes: number): void {
    let entry = this.files.get(fileId);
    if (!entry) {
      entry = { chunks: 0, bytes: 0, reportedAt: -Infinity, timer: undefined };
      this.files.set(fileId, entry);
    }
    entry.chunks++;
    entry.bytes += bytes;
    if (entry.timer) return; // a report is already due
    const wait = entry.reportedAt + this.intervalMs - this.now();
    if (wait <= 0) return this.reportNow(fileId, entry);
    const due = entry;
    entry.timer = setTimeout(() => this.reportNow(fileId, due), wait);
    entry.timer.unref();
  }

  totals(fileId: string): UploadTotals {
    const entry = this.files.get(fileId);
    return { chunks: entry?.chunks ?? 0, bytes: entry?.bytes ?? 0 };
  }

  /** Stops pending reports. */
  close(): void {
    for (const entry of this.files.values()) clearTimeout(entry.timer);
    this.files.clear();
  }

  private reportNow(fileId: string, entry: Entry): void {
    entry.timer = undefined;
    entry.reportedAt = this.now();
    this.options.report(fileId, { chunks: entry.chunks, bytes: entry.bytes });
  }
}
