/**
 * The parent's handle on one run: a receiver and a sender endpoint process (`endpoint.ts`),
 * the signalling between them relayed line by line, and the sender's result.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ENDPOINT = fileURLToPath(new URL('./endpoint.ts', import.meta.url));
const BENCH = fileURLToPath(new URL('..', import.meta.url));

export type Mode = 'raw-tcp' | 'tcp' | 'webrtc' | 'auto' | 'bare';

export interface RunResult {
  readonly ms: number;
  readonly connectMs: number;
  /** The link's kind as the sender saw it (for `auto`, the transport that carried it). */
  readonly kind: string;
}

export interface RunOptions {
  readonly sizeBytes: number;
  readonly frameBytes: number;
  readonly highWaterBytes: number;
  readonly timeoutMs: number;
  /** Children's stderr goes here. */
  readonly onStderr: (name: string, text: string) => void;
}

class Endpoint {
  readonly exited: Promise<number | null>;
  private readonly listeners = new Set<(message: Record<string, unknown>) => void>();
  private stderrTail = '';

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    onStderr: (name: string, text: string) => void,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', resolve));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return onStderr(name, `${line}\n`);
      }
      for (const listener of this.listeners) listener(message);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.stderrTail = `${this.stderrTail}${line}\n`.slice(-4096);
      onStderr(name, `${line}\n`);
    });
    child.stdin!.on('error', () => {});
  }

  send(message: Record<string, unknown>): void {
    this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  onMessage(listener: (message: Record<string, unknown>) => void): void {
    this.listeners.add(listener);
  }

  /** The first message with `key`; rejects if the process exits first or time runs out. */
  next(key: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: no ${key} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.onMessage((message) => {
        if (!(key in message)) return;
        clearTimeout(timer);
        resolve(message);
      });
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(
          new Error(`${this.name} exited (${String(code)}) before ${key}: ${this.stderrTail}`),
        );
      });
    });
  }

  /** Close its stdin (it exits by itself), then kill it if it lingers. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Move `sizeBytes` from a sender process to a receiver process over `mode`. */
export async function runPair(mode: Mode, options: RunOptions): Promise<RunResult> {
  const start = (role: 'sender' | 'receiver'): Endpoint => {
    const args = [options.sizeBytes, options.frameBytes, options.highWaterBytes].map(String);
    const child = spawn(process.execPath, ['--import', 'tsx', ENDPOINT, mode, role, ...args], {
      cwd: BENCH,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new Endpoint(`${mode}-${role}`, child, options.onStderr);
  };
  const receiver = start('receiver');
  const sender = start('sender');
  try {
    // Signalling: each blob one line, relayed to the other end as it comes.
    receiver.onMessage((m) => typeof m.signal === 'string' && sender.send({ signal: m.signal }));
    sender.onMessage((m) => typeof m.signal === 'string' && receiver.send({ signal: m.signal }));
    const result = sender.next('result', options.timeoutMs);
    if (mode === 'raw-tcp') {
      sender.send({ port: (await receiver.next('port', 60_000)).port });
    } else {
      await receiver.next('ready', 60_000);
      sender.send({ go: true });
    }
    return (await result).result as RunResult;
  } finally {
    await Promise.all([sender.stop(), receiver.stop()]);
  }
}
