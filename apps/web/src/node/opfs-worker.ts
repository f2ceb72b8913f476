/**
 * The dedicated worker that owns the OPFS files of downloads under way. In a page's main
 * thread OPFS only writes through `createWritable` (a swap file committed on close); a
 * `FileSystemSyncAccessHandle`, which writes in place at any offset and reads back at once,
 * exists only in workers. So each partial file is opened here, once, and the page asks for
 * writes, reads, flushes and truncations by message (`sync-file.ts` is the other side).
 */
import type { SyncFileReply, SyncFileRequest } from './sync-file.js';

/** The sync access handle the worker lib declares; the DOM lib the repo builds with has none. */
interface SyncAccessHandle {
  read(buffer: Uint8Array, options: { at: number }): number;
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}

interface WorkerScope {
  onmessage: ((event: MessageEvent<SyncFileRequest>) => void) | null;
  postMessage(message: SyncFileReply, transfer?: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;
const handles = new Map<number, SyncAccessHandle>();

async function directoryAt(path: readonly string[]): Promise<FileSystemDirectoryHandle> {
  let dir = await navigator.storage.getDirectory();
  for (const part of path) dir = await dir.getDirectoryHandle(part, { create: true });
  return dir;
}

function handleOf(id: number): SyncAccessHandle {
  const handle = handles.get(id);
  if (!handle) throw new Error(`no open file ${id}`);
  return handle;
}

/** Runs one request; answers a value and what to transfer with it. */
async function run(request: SyncFileRequest): Promise<[unknown, Transferable[]]> {
  switch (request.op) {
    case 'open': {
      const dir = await directoryAt(request.path);
      const file = await dir.getFileHandle(request.name, { create: true });
      const open = (file as unknown as { createSyncAccessHandle(): Promise<SyncAccessHandle> })
        .createSyncAccessHandle;
      if (typeof open !== 'function') throw new Error('this browser has no sync access handles');
      const handle = await open.call(file);
      handles.set(request.id, handle);
      return [handle.getSize(), []];
    }
    case 'write': {
      const handle = handleOf(request.id);
      let at = 0;
      while (at < request.data.length) {
        const n = handle.write(request.data.subarray(at), { at: request.offset + at });
        if (n <= 0) throw new Error('the write made no progress (disk full?)');
        at += n;
      }
      return [at, []];
    }
    case 'read': {
      const handle = handleOf(request.id);
      const out = new Uint8Array(request.length);
      const n = handle.read(out, { at: request.offset });
      return [out.subarray(0, n), [out.buffer]];
    }
    case 'flush':
      handleOf(request.id).flush();
      return [undefined, []];
    case 'truncate':
      handleOf(request.id).truncate(request.size);
      return [undefined, []];
    case 'close': {
      const handle = handles.get(request.id);
      handles.delete(request.id);
      if (handle) {
        handle.flush();
        handle.close();
      }
      return [undefined, []];
    }
  }
}

scope.onmessage = (event) => {
  const request = event.data;
  run(request).then(
    ([value, transfer]) => scope.postMessage({ seq: request.seq, ok: true, value }, transfer),
    (err: unknown) =>
      scope.postMessage({
        seq: request.seq,
        ok: false,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      }),
  );
};
