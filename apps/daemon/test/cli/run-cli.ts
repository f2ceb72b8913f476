/** Runs `main` in-process with captured streams and no access to the real environment. */
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

/** A stdout/stderr stand-in that keeps what was written. */
export class Capture extends Writable {
  text = '';
  private readonly waiters: Array<() => void> = [];

  constructor(readonly isTTY = false) {
    super();
  }

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8');
    for (const wake of this.waiters.splice(0)) wake();
    done();
  }

  /** Resolves once the text contains `needle`. */
  async waitFor(needle: string): Promise<void> {
    while (!this.text.includes(needle)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

export interface Run {
  readonly stdout: Capture;
  readonly stderr: Capture;
  readonly stdin: PassThrough;
  /** Resolves the `untilStopped` of a foreground command, as SIGINT would. */
  stop(signal?: string): void;
  readonly exit: Promise<number>;
}

/** Starts `poolnet ARGV`; the caller drives stdin and awaits `exit`. */
export function startCli(argv: readonly string[], io: Partial<CliIo> = {}): Run {
  const stdout = new Capture();
  const stderr = new Capture();
  const stdin = new PassThrough();
  let stopNow: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stopNow = resolve));
  const exit = main(argv, {
    stdout,
    stderr,
    stdin,
    env: {},
    untilStopped: () => stopped,
    loadDaemon: () => Promise.reject(new Error('no daemon entry in this test')),
    renderQr: () => Promise.resolve('[QR]'),
    ...io,
  });
  return { stdout, stderr, stdin, stop: (signal = 'SIGINT') => stopNow(signal), exit };
}

/** Runs `poolnet ARGV` to its end with empty stdin. */
export async function runCli(
  argv: readonly string[],
  io: Partial<CliIo> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = startCli(argv, io);
  run.stdin.end();
  const code = await run.exit;
  return { code, stdout: run.stdout.text, stderr: run.stderr.text };
}
