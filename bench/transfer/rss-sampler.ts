/**
 * Peak resident memory of a set of processes, read from /proc/<pid>/status every 100 ms, and
 * their CPU time from /proc/<pid>/stat (Linux only).
 */
import { readFile } from 'node:fs/promises';

const INTERVAL_MS = 100;

/** A status field in bytes (`VmRSS:  123456 kB`), or undefined once the process is gone. */
export async function statusBytes(
  pid: number,
  field: 'VmRSS' | 'VmHWM',
): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in seconds (/proc/<pid>/stat). */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    return ticks / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux this runs on (sysconf is not reachable from Node). */
const CLOCK_TICKS = 100;

export class RssSampler {
  private readonly peaks = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  constructor(private readonly pids: readonly number[]) {
    for (const pid of pids) this.peaks.set(pid, 0);
  }

  start(): void {
    void this.sample();
    // Never what keeps the bench alive: a run that failed must still exit.
    this.timer = setInterval(() => void this.sample(), INTERVAL_MS).unref();
  }

  /** Stops sampling (after one last sample) and returns the peak of each pid, in bytes. */
  async stop(): Promise<ReadonlyMap<number, number>> {
    clearInterval(this.timer);
    await this.sample();
    return this.peaks;
  }

  private sample(): Promise<void> {
    // One round at a time: a slow /proc read must not pile rounds up.
    this.sampling = this.sampling.then(async () => {
      await Promise.all(
        this.pids.map(async (pid) => {
          const rss = await statusBytes(pid, 'VmRSS');
          if (rss !== undefined && rss > (this.peaks.get(pid) ?? 0)) this.peaks.set(pid, rss);
        }),
      );
    });
    return this.sampling;
  }
}
