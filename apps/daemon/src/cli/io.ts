import type * as QrCodeModule from 'qrcode';

/**
 * Everything the CLI takes from the process, gathered in one object so tests run `main`
 * in-process with their own streams, environment, stop signal and daemon entry point.
 */

/** A stream the CLI prints to; `isTTY` decides about colours and prompts. */
export type OutStream = NodeJS.WritableStream & { readonly isTTY?: boolean };

/** Standard input: read whole (`send -`) or line by line (`chat`). */
export type InStream = NodeJS.ReadableStream & { readonly isTTY?: boolean };

/** What `poolnet up` calls: apps/daemon/src/daemon/run.ts. */
export type RunDaemon = (options: {
  serverUrl: string;
  dataDir: string;
  log?: (line: string) => void;
  autoFetchImageBytes?: number;
  cacheBytes?: number;
}) => Promise<{ port: number; uiUrl?: string; close(): Promise<void> }>;

export interface CliIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly stdin: InStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => number;
  /**
   * Resolves with the signal's name when a foreground command (`server`, `up`, `chat`) is
   * asked to stop; stops listening when `signal` aborts.
   */
  readonly untilStopped: (signal: AbortSignal) => Promise<string>;
  /** Loads the daemon's entry point; lazy so the other commands never load the engine. */
  readonly loadDaemon: () => Promise<RunDaemon>;
  /** A terminal QR code of `text`, or undefined when no QR renderer is installed. */
  readonly renderQr: (text: string) => Promise<string | undefined>;
}

function untilProcessStopped(signal: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const names = ['SIGINT', 'SIGTERM'] as const;
    const handlers = names.map((name) => {
      const handler = () => {
        remove();
        resolve(name);
      };
      process.on(name, handler);
      return [name, handler] as const;
    });
    const remove = () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    };
    signal.addEventListener('abort', remove, { once: true });
  });
}

async function loadDaemon(): Promise<RunDaemon> {
  const entry = await import('./daemon-entry.js');
  return entry.runDaemon;
}

type QrCode = typeof QrCodeModule;

async function renderQr(text: string): Promise<string | undefined> {
  let qrcode: Pick<QrCode, 'toString'>;
  try {
    const loaded = await import('qrcode');
    // qrcode is CommonJS: from ESM its exports object is the default export.
    qrcode = loaded.default;
  } catch {
    return undefined; // not installed: the command prints the payload instead
  }
  return qrcode.toString(text, { type: 'terminal', small: true });
}

let pipesGuarded = false;

/**
 * `poolnet pool invite X | head -1` closes stdout early: the rest of the output has nobody
 * to read it, which is no error worth a crash.
 */
function ignoreClosedPipes(): void {
  if (pipesGuarded) return;
  pipesGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    });
  }
}

/** The process's own streams and hooks, overridden by whatever `partial` gives. */
export function processIo(partial: Partial<CliIo> = {}): CliIo {
  if (partial.stdout === undefined || partial.stderr === undefined) ignoreClosedPipes();
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    now: Date.now,
    untilStopped: untilProcessStopped,
    loadDaemon,
    renderQr,
    ...partial,
  };
}
