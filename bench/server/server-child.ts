/**
 * The parent's handle on the server child (`server-process.ts`): starts it, waits for its
 * URL, sends it commands, reads its memory from /proc, and stops it (SIGTERM, then SIGKILL
 * if it hangs). The child also exits by itself when our end of its stdin closes, so it does
 * not outlive a crashed benchmark.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const START_TIMEOUT_MS = 30_000;
/** Marks the child's own lines on stdout; the server's log lines do not have it. */
export const REPLY_PREFIX = '@bench ';
const STOP_TIMEOUT_MS = 10_000;

export interface ServerChildOptions {
  readonly dataDir: string;
  readonly databaseUrl?: string;
  /** The WebAuthn origin the server accepts (the software authenticator signs for it). */
  readonly origin: string;
}

/** The child's memory as the kernel sees it, in MiB. */
export interface ProcMemory {
  /** Resident now (VmRSS). */
  readonly rssMB: number;
  /** Peak resident since start (VmHWM). */
  readonly peakRssMB: number;
}

export class ServerChild {
  private readonly replies: ((line: string) => void)[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    readonly url: string,
    readonly wsUrl: string,
    lines: AsyncIterator<string>,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void (async () => {
      for (;;) {
        const next = await lines.next();
        if (next.done === true) break;
        this.replies.shift()?.(next.value);
      }
    })();
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  static async start(options: ServerChildOptions): Promise<ServerChild> {
    const args = [
      '--import',
      'tsx',
      join(HERE, 'server-process.ts'),
      '--data',
      options.dataDir,
      '--origin',
      options.origin,
      ...(options.databaseUrl === undefined ? [] : ['--database-url', options.databaseUrl]),
    ];
    // cwd = bench/, so `--import tsx` resolves from this workspace.
    const child = spawn(process.execPath, args, {
      cwd: join(HERE, '..'),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = replyLines(createInterface({ input: child.stdout }));
    let timer: NodeJS.Timeout | undefined;
    try {
      const first = await Promise.race([
        lines.next(),
        new Promise<never>((_, reject) => {
          child.once('error', reject);
          child.once('exit', (code) => reject(new Error(`the server exited (${code}) at start`)));
          timer = setTimeout(
            () => reject(new Error('the server did not start in time')),
            START_TIMEOUT_MS,
          );
        }),
      ]);
      if (first.done === true) throw new Error('the server closed its stdout at start');
      const { url, wsUrl } = JSON.parse(first.value) as { url: string; wsUrl: string };
      return new ServerChild(child, url, wsUrl, lines);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends one command and waits for its one-line JSON reply. */
  async command<T>(cmd: Record<string, unknown>): Promise<T> {
    const line = new Promise<string>((resolve) => this.replies.push(resolve));
    this.child.stdin.write(`${JSON.stringify(cmd)}\n`);
    const reply = JSON.parse(await line) as T & { error?: string };
    if (reply.error !== undefined) throw new Error(`server: ${reply.error}`);
    return reply;
  }

  /** VmRSS and VmHWM from /proc/<pid>/status (Linux). */
  async memory(): Promise<ProcMemory> {
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
    const kB = (field: string) => {
      const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
      if (match?.[1] === undefined) throw new Error(`no ${field} in /proc/${this.pid}/status`);
      return Number(match[1]) / 1024;
    };
    return { rssMB: kB('VmRSS'), peakRssMB: kB('VmHWM') };
  }

  /**
   * CPU time the child has used (user + system), in ms, from /proc/<pid>/stat; its fields 14
   * and 15 count clock ticks, 100 per second on Linux.
   */
  async cpuMs(): Promise<number> {
    const stat = await readFile(`/proc/${this.pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  }

  /** SIGTERM (the server closes every socket with 1001), SIGKILL after STOP_TIMEOUT_MS. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The child's reply lines without their prefix; any other line (a server log) to stderr. */
async function* replyLines(lines: AsyncIterable<string>): AsyncGenerator<string> {
  for await (const line of lines) {
    if (line.startsWith(REPLY_PREFIX)) yield line.slice(REPLY_PREFIX.length);
    else process.stderr.write(`[server] ${line}\n`);
  }
}
