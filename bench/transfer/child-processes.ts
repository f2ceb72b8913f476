/**
 * The processes a run starts (sync server, daemons, WebTorrent peers, TCP receiver): each is
 * tracked from spawn to exit so that `stopAll` ends every one of them, on success, on error
 * and on a signal. Their stdout is read line by line; the end of their stderr is kept for the
 * error message when one dies early.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const STDERR_TAIL = 8192;
const GRACE_MS = 3000;

export class RunningChild {
  readonly pid: number;
  readonly exited: Promise<number | null>;
  private readonly waiters = new Set<(line: string) => void>();
  private readonly lines: string[] = [];
  private stderrTail = '';
  private readonly counts = new Map<string, number>();
  private exit: string | undefined;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
    onStderr?: (name: string, text: string) => void,
  ) {
    // A failed spawn, kill or stdin write: the exit (or its absence) tells what matters.
    process.on('error', (err) => onStderr?.(name, `process error: ${err.message}\n`));
    if (process.pid === undefined) throw new Error(`${name} did not start`);
    this.pid = process.pid;
    this.exited = new Promise((resolve) => {
      process.once('exit', (code, signal) => {
        this.exit = signal === null ? `code ${String(code)}` : `signal ${signal}`;
        resolve(code);
      });
    });
    if (process.stdout) {
      createInterface({ input: process.stdout }).on('line', (line) => {
        this.lines.push(line);
        for (const waiter of this.waiters) waiter(line);
      });
    }
    if (process.stderr) {
      createInterface({ input: process.stderr }).on('line', (line) => {
        this.stderrTail = `${this.stderrTail}${line}\n`.slice(-STDERR_TAIL);
        for (const [needle, count] of this.counts) {
          if (line.includes(needle)) this.counts.set(needle, count + 1);
        }
        onStderr?.(name, `${line}\n`);
      });
    }
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** "code 1" or "signal SIGKILL" once exited. */
  get exitStatus(): string | undefined {
    return this.exit;
  }

  /** The end of what the child wrote on stderr (for error messages). */
  get stderr(): string {
    return this.stderrTail;
  }

  /** From now on, counts the stderr lines that contain `needle`; read with `stderrCount`. */
  countStderr(needle: string): void {
    if (!this.counts.has(needle)) this.counts.set(needle, 0);
  }

  stderrCount(needle: string): number {
    return this.counts.get(needle) ?? 0;
  }

  /** Writes one line to the child's stdin. */
  send(line: string): void {
    this.process.stdin?.write(`${line}\n`);
  }

  /**
   * The first stdout line (already read or still to come) that `test` accepts, turned into a
   * value; rejects when the child exits first or `timeoutMs` passes.
   */
  waitFor<T>(test: (line: string) => T | undefined, what: string, timeoutMs: number): Promise<T> {
    for (const line of this.lines) {
      const value = test(line);
      if (value !== undefined) return Promise.resolve(value);
    }
    return new Promise<T>((resolve, reject) => {
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(onLine);
        settle();
      };
      const onLine = (line: string) => {
        const value = test(line);
        if (value !== undefined) done(() => resolve(value));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms`))),
        timeoutMs,
      );
      this.waiters.add(onLine);
      void this.exited.then((code) =>
        done(() =>
          reject(
            new Error(
              `${this.name} exited (${this.exit ?? String(code)}) before ${what}: ${this.stderr}`,
            ),
          ),
        ),
      );
    });
  }

  /** SIGTERM, then SIGKILL if it is still there after the grace period. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

export class ChildProcesses {
  private readonly children: RunningChild[] = [];

  constructor(private readonly onStderr?: (name: string, text: string) => void) {}

  start(name: string, command: string, args: readonly string[], options: SpawnOptions = {}) {
    const child = new RunningChild(
      name,
      spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options }),
      this.onStderr,
    );
    this.children.push(child);
    return child;
  }

  /** Stops every child still running, all at once. */
  async stopAll(): Promise<void> {
    await Promise.all(this.children.splice(0).map((child) => child.stop()));
  }
}
