/**
 * One OPFS file written in place, from the page: the requests go to the dedicated worker
 * (`opfs-worker.ts`) that holds the file's sync access handle. One worker serves every such
 * file of the page; it is started at the first open. A file is open here until `close`
 * (another open of the same file fails meanwhile: a sync access handle is exclusive).
 */
import { BackendError } from '../api/backend.js';

export type SyncFileRequest = { readonly seq: number; readonly id: number } & (
  | { readonly op: 'open'; readonly path: readonly string[]; readonly name: string }
  | { readonly op: 'write'; readonly offset: number; readonly data: Uint8Array }
  | { readonly op: 'read'; readonly offset: number; readonly length: number }
  | { readonly op: 'flush' }
  | { readonly op: 'truncate'; readonly size: number }
  | { readonly op: 'close' }
);

/** A request as the page makes it (numbered when sent). */
type Ask = SyncFileRequest extends infer R
  ? R extends unknown
    ? Omit<R, 'seq' | 'id'>
    : never
  : never;

export type SyncFileReply =
  | { readonly seq: number; readonly ok: true; readonly value: unknown }
  | { readonly seq: number; readonly ok: false; readonly error: string };

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

let worker: Worker | undefined;
const pending = new Map<number, Pending>();
let seq = 0;
let ids = 0;

function opfsWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(new URL('./opfs-worker.ts', import.meta.url), { type: 'module' });
  started.onmessage = (event: MessageEvent<SyncFileReply>) => {
    const reply = event.data;
    const waiting = pending.get(reply.seq);
    if (!waiting) return;
    pending.delete(reply.seq);
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(new BackendError('NO_STORAGE', `private file system: ${reply.error}`));
  };
  started.onerror = (event) => {
    // The worker could not start (or died): every request waiting fails, the next starts anew.
    event.preventDefault();
    worker = undefined;
    const failed = [...pending.values()];
    pending.clear();
    for (const p of failed) {
      p.reject(new BackendError('NO_STORAGE', `the file worker failed: ${event.message}`));
    }
  };
  worker = started;
  return started;
}

function ask<T>(id: number, request: Ask): Promise<T> {
  const target = opfsWorker();
  return new Promise<T>((resolve, reject) => {
    const n = ++seq;
    pending.set(n, { resolve: resolve as (value: unknown) => void, reject });
    target.postMessage({ ...request, seq: n, id });
  });
}

export class SyncFile {
  private closed = false;

  private constructor(
    private readonly id: number,
    /** The size on disk when opened. */
    readonly openedSize: number,
  ) {}

  /** Opens (made when missing) `name` in the OPFS directory at `path`. */
  static async open(path: readonly string[], name: string): Promise<SyncFile> {
    const id = ++ids;
    const size = await ask<number>(id, { op: 'open', path, name });
    return new SyncFile(id, size);
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    await ask(this.id, { op: 'write', offset, data });
  }

  /** Up to `length` bytes at `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Promise<Uint8Array> {
    return ask<Uint8Array>(this.id, { op: 'read', offset, length });
  }

  /** What was written is on disk once this resolves. */
  async flush(): Promise<void> {
    await ask(this.id, { op: 'flush' });
  }

  async truncate(size: number): Promise<void> {
    await ask(this.id, { op: 'truncate', size });
  }

  /** Flushes and lets go of the file (the page may then read, move or remove it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await ask(this.id, { op: 'close' });
  }
}
